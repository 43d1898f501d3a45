import { describe, expect, it } from '@jest/globals';
import { pyFloat } from '../http/python-json.js';
import { errorItem, expectedRepr, renderMessage, RequestValidationError } from './validation-errors.js';

describe('errorItem', () => {
  it('keeps FastAPI key order and omits ctx for types without one', () => {
    expect(Object.keys(errorItem('missing', ['query', 'q'], null))).toEqual(['type', 'loc', 'msg', 'input']);
    expect(Object.keys(errorItem('greater_than', ['query', 'q'], '0', { gt: 0 }))).toEqual(['type', 'loc', 'msg', 'input', 'ctx']);
  });

  it('refuses an unknown type instead of inventing a message', () => {
    expect(() => errorItem('no_such_type', [], null)).toThrow(/no_such_type/);
  });
});

describe('renderMessage', () => {
  it.each([
    ['string_too_short', { min_length: 1 }, 'String should have at least 1 character'],
    ['string_too_short', { min_length: 3 }, 'String should have at least 3 characters'],
    ['string_too_long', { max_length: 1 }, 'String should have at most 1 character'],
    ['too_short', { field_type: 'List', min_length: 1, actual_length: 0 }, 'List should have at least 1 item after validation, not 0'],
    ['too_long', { field_type: 'List', max_length: 2, actual_length: 3 }, 'List should have at most 2 items after validation, not 3'],
    ['greater_than_equal', { ge: pyFloat(0) }, 'Input should be greater than or equal to 0'],
    ['less_than', { lt: pyFloat(1e21) }, 'Input should be less than 1000000000000000000000'],
    ['json_invalid', { error: 'Expecting value' }, 'JSON decode error'],
    ['union_tag_not_found', { discriminator: "'type'" }, "Unable to extract tag using discriminator 'type'"],
  ])('%s %j', (type, ctx, msg) => {
    expect(renderMessage(type, ctx)).toBe(msg);
  });
});

describe('expectedRepr', () => {
  it('joins like pydantic', () => {
    expect(expectedRepr(["'a'"])).toBe("'a'");
    expect(expectedRepr(["'a'", "'b'"])).toBe("'a' or 'b'");
    expect(expectedRepr(['1', '2', '3'])).toBe('1, 2 or 3');
  });
});

describe('RequestValidationError', () => {
  it('is a 422 HttpException whose response is the FastAPI body', () => {
    const detail = [errorItem('missing', ['body'], null)];
    const e = new RequestValidationError(detail);
    expect(e.getStatus()).toBe(422);
    expect(e.getResponse()).toEqual({ detail });
  });
});
