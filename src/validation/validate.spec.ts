import { describe, expect, it } from '@jest/globals';
import { getMetadataStorage, validateSync } from 'class-validator';
import { parseJsonBody, pyDumps } from '../http/python-json.js';
import { PyBool, PyDateTime, PyDict, PyEnum, PyFloat, PyInt, PyList, PyLiteral, PyModel, PyStr, PyUnion, PyUuid } from './decorators.js';
import { ModelConfig, t } from './fields.js';
import { type FastApiErrorItem } from '../http/validation-errors.js';
import { validateBody, validateParam, validateParams, validateValue } from './validate.js';

/** Parses like the body middleware does, so float literals and key order survive. */
const body = (json: string): unknown => {
  const r = parseJsonBody(json);
  if (!r.ok) throw new Error('bad test JSON');
  return r.value;
};
/** The 422 body FastAPI would send for these errors. */
const wire = (errors: FastApiErrorItem[]): string => pyDumps({ detail: errors });
const errorsOf = (r: { ok: boolean; errors?: FastApiErrorItem[] }): FastApiErrorItem[] => {
  if (r.ok) throw new Error('expected validation errors');
  return r.errors ?? [];
};

class Shadow {
  @PyInt() x: number;
  @PyInt() y: number;
}

class TextLayer {
  @PyLiteral(['text']) type: 'text';
  @PyStr({ minLength: 1 }) name: string;
  @PyInt({ ge: 1 }) font_size = 48;
  @PyModel(() => Shadow, { optional: true }) shadow?: Shadow;
}
class ImageLayer {
  @PyLiteral(['image']) type: 'image';
  @PyStr() name: string;
  @PyStr({ optional: true, nullable: true }) image_url?: string | null;
}
class ShapeLayer {
  @PyLiteral(['shape']) type: 'shape';
  @PyStr() name: string;
}

class TemplateIn {
  @PyStr({ minLength: 1, maxLength: 5 }) name: string;
  @PyInt({ ge: 1, le: 8192 }) width: number;
  @PyList(t.union('type', { text: TextLayer, image: ImageLayer, shape: ShapeLayer }), { minItems: 1, maxItems: 3 })
  layers: (TextLayer | ImageLayer | ShapeLayer)[];
  @PyDict({ optional: true }) metadata?: Record<string, unknown>;
}

const LAYER = '{"type":"text","name":"t"}';

describe('validateBody: a DTO with nested, array and union fields', () => {
  it('returns class instances with coerced values and defaults', () => {
    const r = validateBody(TemplateIn, body(`{"name":"card","width":"1200","layers":[${LAYER},{"type":"image","name":"i","image_url":null}]}`));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toBeInstanceOf(TemplateIn);
    expect(r.value.width).toBe(1200);
    expect(r.value.layers[0]).toBeInstanceOf(TextLayer);
    expect((r.value.layers[0] as TextLayer).font_size).toBe(48);
    expect(r.value.layers[1]).toBeInstanceOf(ImageLayer);
    expect((r.value.layers[1] as ImageLayer).image_url).toBeNull();
    expect('metadata' in r.value).toBe(false);
  });

  it('puts array index and union tag in loc', () => {
    const r = validateBody(TemplateIn, body(`{"name":"a","width":5,"layers":[${LAYER},${LAYER},{"type":"text","name":"t","font_size":0}]}`));
    expect(wire(errorsOf(r))).toBe(
      '{"detail":[{"type":"greater_than_equal","loc":["body","layers",2,"text","font_size"],"msg":"Input should be greater than or equal to 1","input":0,"ctx":{"ge":1}}]}',
    );
  });

  it('reports missing fields with the enclosing object as input, in field order', () => {
    const r = validateBody(TemplateIn, body('{"layers":[],"width":1.0}'));
    expect(wire(errorsOf(r))).toBe(
      '{"detail":[' +
        '{"type":"missing","loc":["body","name"],"msg":"Field required","input":{"layers":[],"width":1.0}},' +
        '{"type":"too_short","loc":["body","layers"],"msg":"List should have at least 1 item after validation, not 0","input":[],"ctx":{"field_type":"List","min_length":1,"actual_length":0}}' +
        ']}',
    );
  });

  it('lists extra_forbidden after the other errors of the same object', () => {
    const r = validateBody(TemplateIn, body(`{"zz":1.0,"name":"toolong","width":5,"layers":[{"type":"text","name":"t","bogus":[1]}],"b":null}`));
    expect(wire(errorsOf(r))).toBe(
      '{"detail":[' +
        '{"type":"string_too_long","loc":["body","name"],"msg":"String should have at most 5 characters","input":"toolong","ctx":{"max_length":5}},' +
        '{"type":"extra_forbidden","loc":["body","layers",0,"text","bogus"],"msg":"Extra inputs are not permitted","input":[1]},' +
        '{"type":"extra_forbidden","loc":["body","zz"],"msg":"Extra inputs are not permitted","input":1.0},' +
        '{"type":"extra_forbidden","loc":["body","b"],"msg":"Extra inputs are not permitted","input":null}' +
        ']}',
    );
  });

  it('reports discriminated-union tag errors as pydantic does', () => {
    const r = validateBody(TemplateIn, body('{"name":"a","width":5,"layers":[{"type":"x"},{"name":"n"},"str"]}'));
    const errors = errorsOf(r);
    expect(wire(errors)).toBe(
      '{"detail":[' +
        `{"type":"union_tag_invalid","loc":["body","layers",0],"msg":"Input tag 'x' found using 'type' does not match any of the expected tags: 'text', 'image', 'shape'","input":{"type":"x"},"ctx":{"discriminator":"'type'","tag":"x","expected_tags":"'text', 'image', 'shape'"}},` +
        `{"type":"union_tag_not_found","loc":["body","layers",1],"msg":"Unable to extract tag using discriminator 'type'","input":{"name":"n"},"ctx":{"discriminator":"'type'"}},` +
        '{"type":"model_attributes_type","loc":["body","layers",2],"msg":"Input should be a valid dictionary or object to extract fields from","input":"str"}' +
        ']}',
    );
    // A non-string tag is shown as Python's str() of it.
    const numeric = errorsOf(validateBody(TemplateIn, body('{"name":"a","width":5,"layers":[{"type":5.0},{"type":null}]}')));
    expect(wire(numeric)).toBe(
      '{"detail":[' +
        `{"type":"union_tag_invalid","loc":["body","layers",0],"msg":"Input tag '5.0' found using 'type' does not match any of the expected tags: 'text', 'image', 'shape'","input":{"type":5.0},"ctx":{"discriminator":"'type'","tag":"5.0","expected_tags":"'text', 'image', 'shape'"}},` +
        `{"type":"union_tag_invalid","loc":["body","layers",1],"msg":"Input tag 'None' found using 'type' does not match any of the expected tags: 'text', 'image', 'shape'","input":{"type":null},"ctx":{"discriminator":"'type'","tag":"None","expected_tags":"'text', 'image', 'shape'"}}` +
        ']}',
    );
  });

  it('stops a too long list at the first item past the maximum, dropping item errors', () => {
    const r = validateBody(TemplateIn, body('{"name":"a","width":5,"layers":[{},{},{},{},{}]}'));
    expect(errorsOf(r)).toEqual([
      {
        type: 'too_long',
        loc: ['body', 'layers'],
        msg: 'List should have at most 3 items after validation, not 5',
        input: [{}, {}, {}, {}, {}],
        ctx: { field_type: 'List', max_length: 3, actual_length: 5 },
      },
    ]);
  });

  it('treats a missing or null body as missing at ["body"], a non-object as model_attributes_type', () => {
    expect(errorsOf(validateBody(TemplateIn, undefined))).toEqual([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
    expect(errorsOf(validateBody(TemplateIn, null))).toEqual([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
    for (const input of ['str', [1], 5, true]) {
      expect(errorsOf(validateBody(TemplateIn, input))).toEqual([
        { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input },
      ]);
    }
  });

  it('validates nested models and reports their errors under the field', () => {
    const r = validateBody(TemplateIn, body('{"name":"a","width":5,"layers":[{"type":"text","name":"","shadow":{"x":"1","y":"b"}}]}'));
    expect(errorsOf(r).map((e) => [e.type, e.loc.join('.')])).toEqual([
      ['string_too_short', 'body.layers.0.text.name'],
      ['int_parsing', 'body.layers.0.text.shadow.y'],
    ]);
  });

  it('refuses null for a non-nullable field, even one with a default', () => {
    const r = validateBody(TemplateIn, body(`{"name":"a","width":null,"layers":[{"type":"text","name":"t","font_size":null}],"metadata":[]}`));
    expect(errorsOf(r).map((e) => [e.type, e.msg])).toEqual([
      ['int_type', 'Input should be a valid integer'],
      ['int_type', 'Input should be a valid integer'],
      ['dict_type', 'Input should be a valid dictionary'],
    ]);
  });

  it('does not report extras when the model ignores them', () => {
    @ModelConfig({ extra: 'ignore' })
    class Loose {
      @PyInt() a: number;
    }
    expect(validateBody(Loose, { a: 1, b: 2 })).toEqual({ ok: true, value: Object.assign(new Loose(), { a: 1 }) });
  });

  it('keeps inherited fields first and overrides in place', () => {
    class Base {
      @PyInt() a: number;
      @PyStr() b: string;
    }
    class Child extends Base {
      @PyInt() c: number;
      @PyInt() override b: never;
    }
    expect(errorsOf(validateBody(Child, {})).map((e) => e.loc[1])).toEqual(['a', 'b', 'c']);
    expect(errorsOf(validateBody(Child, { a: 1, b: 'x', c: 1 }))[0].type).toBe('int_parsing');
  });

  it('declares a single union field with PyUnion', () => {
    class Holder {
      @PyUnion('kind', { text: TextLayer }) layer: TextLayer;
    }
    expect(errorsOf(validateBody(Holder, { layer: { type: 'text' } }))).toEqual([
      { type: 'union_tag_not_found', loc: ['body', 'layer'], msg: "Unable to extract tag using discriminator 'kind'", input: { type: 'text' }, ctx: { discriminator: "'kind'" } },
    ]);
  });

  it('uses aliases for input and loc', () => {
    class Aliased {
      @PyInt({ alias: 'size-px' }) size: number;
    }
    expect(validateBody(Aliased, { 'size-px': 3 })).toEqual({ ok: true, value: Object.assign(new Aliased(), { size: 3 }) });
    expect(errorsOf(validateBody(Aliased, { size: 3 })).map((e) => [e.type, e.loc])).toEqual([
      ['missing', ['body', 'size-px']],
      ['extra_forbidden', ['body', 'size']],
    ]);
  });
});

describe('class-validator as the driver: what the change of mechanism could drift', () => {
  it('registers one class-validator constraint (and a ValidateIf) per field', () => {
    class Dto {
      @PyInt({ ge: 1 }) a: number;
      @PyStr({ optional: true }) b?: string;
    }
    const metas = getMetadataStorage().getTargetValidationMetadatas(Dto, '', true, false);
    expect(metas.filter((m) => m.type === 'customValidation').map((m) => [m.propertyName, m.name])).toEqual([
      ['a', 'py_int'],
      ['b', 'py_str'],
    ]);
    expect(metas.filter((m) => m.type === 'conditionalValidation').map((m) => m.propertyName)).toEqual(['a', 'b']);
  });

  it('reports inherited fields first although class-validator lists own properties first', () => {
    class Base {
      @PyStr() name: string;
      @PyInt() x: number;
    }
    class Child extends Base {
      @PyLiteral(['text']) type: 'text';
    }
    expect(wire(errorsOf(validateBody(Child, body('{"type":"img","x":1.5,"zz":1.0}'))))).toBe(
      '{"detail":[' +
        '{"type":"missing","loc":["body","name"],"msg":"Field required","input":{"type":"img","x":1.5,"zz":1.0}},' +
        '{"type":"int_from_float","loc":["body","x"],"msg":"Input should be a valid integer, got a number with a fractional part","input":1.5},' +
        '{"type":"literal_error","loc":["body","type"],"msg":"Input should be \'text\'","input":"img","ctx":{"expected":"\'text\'"}},' +
        '{"type":"extra_forbidden","loc":["body","zz"],"msg":"Extra inputs are not permitted","input":1.0}]}',
    );
  });

  it('keeps nested locs, list indexes and extra_forbidden after the fields of each nested object', () => {
    class Inner {
      @PyInt({ ge: 0 }) n: number;
    }
    class Outer {
      @PyList(() => Inner) items: Inner[];
      @PyModel(Inner) one: Inner;
    }
    expect(errorsOf(validateBody(Outer, body('{"one":{"q":1,"n":"-1"},"items":[{"n":1},{"n":"x","e":2}]}'))).map((e) => [e.type, e.loc, e.input])).toEqual([
      ['int_parsing', ['body', 'items', 1, 'n'], 'x'],
      ['extra_forbidden', ['body', 'items', 1, 'e'], 2],
      ['greater_than_equal', ['body', 'one', 'n'], '-1'],
      ['extra_forbidden', ['body', 'one', 'q'], 1],
    ]);
  });

  it('null is not "absent" for an optional non-nullable field (unlike class-validator IsOptional)', () => {
    class Dto {
      @PyInt({ optional: true }) a?: number;
    }
    expect(errorsOf(validateBody(Dto, { a: null }))).toEqual([{ type: 'int_type', loc: ['body', 'a'], msg: 'Input should be a valid integer', input: null }]);
    expect(validateBody(Dto, {})).toEqual({ ok: true, value: new Dto() });
  });

  it('coerces laxly and writes the coerced value back to the instance', () => {
    class Dto {
      @PyInt() a: number;
      @PyBool() b: boolean;
      @PyUuid() c: string;
      @PyFloat() d: number;
    }
    const r = validateBody(Dto, body('{"a":"  7 ","b":"yes","c":"12345678123456781234567812345ABC","d":"1e3"}'));
    expect(r).toEqual({ ok: true, value: Object.assign(new Dto(), { a: 7, b: true, c: '12345678-1234-5678-1234-567812345abc', d: 1000 }) });
  });

  it('still validates (and coerces) when class-validator is called directly, without the pipe', () => {
    class Dto {
      @PyInt({ ge: 1 }) a: number;
    }
    const ok = Object.assign(new Dto(), { a: '3' });
    expect(validateSync(ok)).toEqual([]);
    expect(ok.a).toBe(3);
    expect(validateSync(Object.assign(new Dto(), { a: '0' })).map((e) => e.property)).toEqual(['a']);
  });
});

describe('validateValue: scalar fields as pydantic reports them', () => {
  const one = (spec: Parameters<typeof validateValue>[0], input: unknown) => validateValue(spec, input, ['body', 'f']);
  const err1 = (spec: Parameters<typeof validateValue>[0], input: unknown) => errorsOf(one(spec, input))[0];

  it('ints', () => {
    expect(one(t.int(), '5')).toEqual({ ok: true, value: 5 });
    expect(one(t.int(), true)).toEqual({ ok: true, value: 1 });
    expect(err1(t.int(), 1.5)).toMatchObject({ type: 'int_from_float', msg: 'Input should be a valid integer, got a number with a fractional part', input: 1.5 });
    expect(err1(t.int(), 'abc')).toMatchObject({ type: 'int_parsing', msg: 'Input should be a valid integer, unable to parse string as an integer' });
    expect(err1(t.int(), null)).toMatchObject({ type: 'int_type', input: null });
    expect(err1(t.int({ le: 10 }), 11)).toMatchObject({ type: 'less_than_equal', msg: 'Input should be less than or equal to 10', ctx: { le: 10 } });
    expect(err1(t.int({ lt: 10 }), 10)).toMatchObject({ type: 'less_than', msg: 'Input should be less than 10', ctx: { lt: 10 } });
    expect(err1(t.int({ gt: 0 }), 0)).toMatchObject({ type: 'greater_than', msg: 'Input should be greater than 0', ctx: { gt: 0 } });
    expect(err1(t.int({ multipleOf: 5 }), 7)).toMatchObject({ type: 'multiple_of', msg: 'Input should be a multiple of 5', ctx: { multiple_of: 5 } });
    // pydantic checks le before ge.
    expect(err1(t.int({ ge: 5, le: 1 }), 3).type).toBe('less_than_equal');
  });

  it('ints from JSON floats keep Python float-ness', () => {
    const v = body('{"a":5.0,"b":1e20,"c":100000000000000000000}') as Record<string, unknown>;
    class Counts {
      @PyInt() a: number;
      @PyInt() b: number;
      @PyInt() c: number;
    }
    expect(wire(errorsOf(validateBody(Counts, v)))).toBe(
      '{"detail":[{"type":"int_parsing_size","loc":["body","b"],"msg":"Unable to parse input string as an integer, exceeded maximum size","input":1e+20}]}',
    );
  });

  it('floats, with float bounds printed the Rust way in msg and the Python way in ctx', () => {
    expect(one(t.float(), '2.5')).toEqual({ ok: true, value: 2.5 });
    expect(one(t.float(), 3)).toEqual({ ok: true, value: 3 });
    expect(wire([err1(t.float({ ge: 0 }), -1)])).toBe(
      '{"detail":[{"type":"greater_than_equal","loc":["body","f"],"msg":"Input should be greater than or equal to 0","input":-1,"ctx":{"ge":0.0}}]}',
    );
    expect(err1(t.float({ le: 0.5 }), 1).msg).toBe('Input should be less than or equal to 0.5');
    expect(err1(t.float({ ge: 0 }), 'x')).toMatchObject({ type: 'float_parsing', msg: 'Input should be a valid number, unable to parse string as a number' });
    expect(err1(t.float(), [])).toMatchObject({ type: 'float_type', msg: 'Input should be a valid number' });
    expect(err1(t.float({ le: 1 }), NaN).type).toBe('less_than_equal');
    expect(err1(t.float({ allowInfNan: false }), 'inf')).toMatchObject({ type: 'finite_number', msg: 'Input should be a finite number' });
    expect(err1(t.float({ multipleOf: 0.1 }), 0.35).ctx).toEqual({ multiple_of: expect.anything() });
    expect(one(t.float({ multipleOf: 0.1 }), 0.3)).toEqual({ ok: true, value: 0.3 });
  });

  it('strings', () => {
    expect(err1(t.str(), 123)).toMatchObject({ type: 'string_type', msg: 'Input should be a valid string', input: 123 });
    expect(err1(t.str({ minLength: 1 }), '')).toMatchObject({ msg: 'String should have at least 1 character', ctx: { min_length: 1 } });
    expect(err1(t.str({ minLength: 2 }), 'a').msg).toBe('String should have at least 2 characters');
    expect(err1(t.str({ maxLength: 1 }), 'ab').msg).toBe('String should have at most 1 character');
    // Lengths count code points.
    expect(one(t.str({ maxLength: 1 }), '😀')).toEqual({ ok: true, value: '😀' });
    expect(err1(t.str({ pattern: '^#[0-9a-f]{6}$' }), '#zzz')).toMatchObject({
      type: 'string_pattern_mismatch',
      msg: "String should match pattern '^#[0-9a-f]{6}$'",
      ctx: { pattern: '^#[0-9a-f]{6}$' },
    });
    // pydantic searches, it does not anchor.
    expect(one(t.str({ pattern: 'b' }), 'abc')).toEqual({ ok: true, value: 'abc' });
  });

  it('bools', () => {
    expect(one(t.bool(), 'yes')).toEqual({ ok: true, value: true });
    expect(one(t.bool(), 0)).toEqual({ ok: true, value: false });
    expect(err1(t.bool(), 'maybe')).toMatchObject({ type: 'bool_parsing', msg: 'Input should be a valid boolean, unable to interpret input' });
    expect(err1(t.bool(), null)).toMatchObject({ type: 'bool_type', msg: 'Input should be a valid boolean' });
  });

  it('uuids, canonicalised, with uuid_type for non-strings', () => {
    expect(one(t.uuid(), '3F0C8A529D1E4B7A8C552E1F0A9B7C13')).toEqual({ ok: true, value: '3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13' });
    expect(err1(t.uuid(), 123)).toEqual({ type: 'uuid_type', loc: ['body', 'f'], msg: 'UUID input should be a string, bytes or UUID object', input: 123 });
    expect(err1(t.uuid(), 'xyz')).toMatchObject({ type: 'uuid_parsing', ctx: { error: 'invalid character: found `x` at 1' } });
    expect(err1(t.uuid({ version: 4 }), 'a8098c1a-f86e-11da-bd1a-00112444be1e')).toMatchObject({
      type: 'uuid_version',
      msg: 'UUID version 4 expected',
      ctx: { expected_version: 4 },
    });
  });

  it('enums and literals', () => {
    expect(err1(t.enum(['red', 'green', 'blue']), 'pink')).toEqual({
      type: 'enum',
      loc: ['body', 'f'],
      msg: "Input should be 'red', 'green' or 'blue'",
      input: 'pink',
      ctx: { expected: "'red', 'green' or 'blue'" },
    });
    expect(one(t.enum([1, 2, 3]), '2')).toEqual({ ok: true, value: 2 });
    expect(err1(t.enum([1, 2, 3]), '4').msg).toBe('Input should be 1, 2 or 3');
    enum Fit {
      Cover = 'cover',
      Contain = 'contain',
    }
    expect(err1(t.enum(Fit), 'fill').msg).toBe("Input should be 'cover' or 'contain'");
    enum Level {
      Low = 1,
      High = 2,
    }
    expect(err1(t.enum(Level), 'Low').msg).toBe('Input should be 1 or 2');
    expect(err1(t.literal(['fast', 'slow']), 'x')).toMatchObject({ type: 'literal_error', msg: "Input should be 'fast' or 'slow'", ctx: { expected: "'fast' or 'slow'" } });
    expect(err1(t.literal(['text']), 'x').msg).toBe("Input should be 'text'");
    expect(err1(t.literal([1]), '1').type).toBe('literal_error');
    expect(err1(t.literal([1]), true).type).toBe('literal_error');
  });

  it('datetimes', () => {
    expect(one(t.datetime(), '2024-01-02T03:04:05Z')).toEqual({ ok: true, value: new Date('2024-01-02T03:04:05Z') });
    expect(err1(t.datetime(), 'tomorrow')).toEqual({
      type: 'datetime_from_date_parsing',
      loc: ['body', 'f'],
      msg: 'Input should be a valid datetime or date, input is too short',
      input: 'tomorrow',
      ctx: { error: 'input is too short' },
    });
    expect(err1(t.datetime(), null)).toEqual({ type: 'datetime_type', loc: ['body', 'f'], msg: 'Input should be a valid datetime', input: null });
  });

  it('lists of primitives report each bad item by index', () => {
    expect(errorsOf(one(t.array(() => String), ['a', 1, 'b', true])).map((e) => e.loc)).toEqual([
      ['body', 'f', 1],
      ['body', 'f', 3],
    ]);
    expect(err1(t.array(() => Number), 'abc')).toMatchObject({ type: 'list_type', msg: 'Input should be a valid list' });
    expect(err1(t.array(() => Number), { 0: 1 })).toMatchObject({ type: 'list_type' });
    expect(one(t.array(t.int({ ge: 0 })), ['1', 2])).toEqual({ ok: true, value: [1, 2] });
  });
});

describe('validateParams: query, path and header DTOs', () => {
  class ListQuery {
    @PyInt({ ge: 1, le: 100 }) limit = 20;
    @PyEnum(['pending', 'rendering', 'completed', 'failed'], { optional: true }) status?: string;
    @PyUuid({ optional: true }) template_id?: string;
    @PyBool({ optional: true }) archived?: boolean;
    @PyDateTime({ optional: true }) created_after?: Date;
    @PyList(() => String, { optional: true }) tag?: string[];
    @PyFloat({ optional: true, ge: 1, le: 3 }) scale?: number;
  }

  it('coerces query strings and applies defaults', () => {
    const r = validateParams('query', ListQuery, { status: 'pending', archived: 'yes', tag: ['a', 'b'], scale: '2' });
    expect(r.ok && { ...r.value }).toEqual({ limit: 20, status: 'pending', archived: true, tag: ['a', 'b'], scale: 2 });
  });

  it('reports the raw string as input', () => {
    expect(wire(errorsOf(validateParams('query', ListQuery, { limit: '0' })))).toBe(
      '{"detail":[{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}',
    );
    expect(errorsOf(validateParams('query', ListQuery, { limit: 'abc', status: 'nope', scale: '9' })).map((e) => e.type)).toEqual([
      'int_parsing',
      'enum',
      'less_than_equal',
    ]);
  });

  it('takes the last of repeated query values, all of them for a list', () => {
    const r = validateParams('query', ListQuery, { limit: ['5', '7'], tag: 'solo' });
    expect(r.ok && [r.value.limit, r.value.tag]).toEqual([7, ['solo']]);
  });

  it('reports a missing required parameter with input null', () => {
    class PathDto {
      @PyUuid() image_id: string;
    }
    expect(errorsOf(validateParams('path', PathDto, {}))).toEqual([{ type: 'missing', loc: ['path', 'image_id'], msg: 'Field required', input: null }]);
  });

  it('names headers with hyphens, case-insensitively, first value first', () => {
    class Headers {
      @PyStr({ maxLength: 4 }) x_request_id: string;
      @PyInt({ optional: true }) prefer_wait?: number;
    }
    const r = validateParams('header', Headers, { 'x-request-id': ['abc', 'other'] });
    expect(r.ok && r.value.x_request_id).toBe('abc');
    expect(errorsOf(validateParams('header', Headers, { 'x-request-id': ['toolong'], 'prefer-wait': 'soon' })).map((e) => e.loc)).toEqual([
      ['header', 'x-request-id'],
      ['header', 'prefer-wait'],
    ]);
  });
});

describe('validateParam: one parameter', () => {
  it('validates a path UUID and keeps the raw input in errors', () => {
    expect(validateParam('path', 'image_id', t.uuid(), '{3F0C8A52-9D1E-4B7A-8C55-2E1F0A9B7C13}')).toEqual({
      ok: true,
      value: '3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13',
    });
    expect(errorsOf(validateParam('path', 'image_id', t.uuid(), 'abc'))[0]).toMatchObject({ loc: ['path', 'image_id'], input: 'abc' });
  });

  it('takes a single query value as a one-item list for a list parameter', () => {
    expect(validateParam('query', 'tag', t.array(() => String), 'a')).toEqual({ ok: true, value: ['a'] });
    expect(validateParam('query', 'tag', t.array(() => String), [])).toMatchObject({ ok: false });
  });

  it('does not unwrap a JSON array sent to an embedded body field', () => {
    expect(errorsOf(validateParam('body', 'name', t.str(), ['a']))[0]).toMatchObject({ type: 'string_type', loc: ['body', 'name'], input: ['a'] });
  });
});

describe('validateValue: a dict with required keys (modification items)', () => {
  const spec = t.array(t.dict({ required: { name: t.str() } }));

  it('reports a missing or mistyped required key at the key, a missing one with the item as input', () => {
    const r = validateValue(spec, [{ text: 'a' }, { name: 3 }, { name: 'ok', x: 1 }], ['body', 'modifications']);
    expect(r.ok).toBe(false);
    expect(errorsOf(r)).toMatchObject([
      { type: 'missing', loc: ['body', 'modifications', 0, 'name'], msg: 'Field required', input: { text: 'a' } },
      { type: 'string_type', loc: ['body', 'modifications', 1, 'name'], msg: 'Input should be a valid string', input: 3 },
    ]);
  });

  it('passes items that have them, other keys as they are', () => {
    expect(validateValue(spec, [{ name: 'headline', text: 'x', extra: [1] }], ['body', 'modifications'])).toEqual({ ok: true, value: [{ name: 'headline', text: 'x', extra: [1] }] });
  });
});
