import { describe, expect, it } from '@jest/globals';
import { Type, plainToInstance } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsString, IsUUID, MaxLength, Min, ValidateNested, validateSync } from 'class-validator';
import { toFastApiDetail } from './class-validator-mapper.js';

class Child {
  @Min(1)
  @IsInt()
  n: number;
}

class Dto {
  @MaxLength(3)
  @IsString()
  name: string;

  @IsIn(['a', 'b'], { context: { fastapi: { type: 'literal_error', ctx: { expected: "'a' or 'b'" } } } })
  kind: string;

  @IsUUID()
  id: string;

  @ValidateNested({ each: true })
  @Type(() => Child)
  @IsArray()
  items: Child[];
}

const run = (input: Record<string, unknown>, location: 'body' | 'query' = 'body') =>
  toFastApiDetail(validateSync(plainToInstance(Dto, input), { whitelist: true, forbidNonWhitelisted: true }), location, input);

describe('toFastApiDetail (class-validator errors)', () => {
  it('maps the first failing rule of each property, type checks first', () => {
    const input = { name: 12, kind: 'c', id: 'xyz', items: [{ n: 1 }, { n: 0 }, { n: 'x' }] };
    expect(run(input)).toEqual([
      { type: 'string_type', loc: ['body', 'name'], msg: 'Input should be a valid string', input: 12 },
      { type: 'literal_error', loc: ['body', 'kind'], msg: "Input should be 'a' or 'b'", input: 'c', ctx: { expected: "'a' or 'b'" } },
      {
        type: 'uuid_parsing',
        loc: ['body', 'id'],
        msg: 'Input should be a valid UUID, invalid character: found `x` at 1',
        input: 'xyz',
        ctx: { error: 'invalid character: found `x` at 1' },
      },
      { type: 'greater_than_equal', loc: ['body', 'items', 1, 'n'], msg: 'Input should be greater than or equal to 1', input: 0, ctx: { ge: 1 } },
      { type: 'int_parsing', loc: ['body', 'items', 2, 'n'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: 'x' },
    ]);
  });

  it('reports absent properties as missing with the enclosing object, extras last', () => {
    const input = { extra: true, name: 'abcd', kind: 'a', items: [] };
    expect(run(input).map((e) => [e.type, e.loc, e.input])).toEqual([
      ['string_too_long', ['body', 'name'], 'abcd'],
      ['missing', ['body', 'id'], input],
      ['extra_forbidden', ['body', 'extra'], true],
    ]);
  });

  it('uses input null for missing parameters outside the body', () => {
    expect(run({ name: 'a', kind: 'a', items: [] }, 'query')).toEqual([{ type: 'missing', loc: ['query', 'id'], msg: 'Field required', input: null }]);
  });
});
