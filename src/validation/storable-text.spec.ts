import { describe, expect, it } from '@jest/globals';
import { parseJsonBody } from '../http/python-json.js';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE, unstorableTextErrors } from './storable-text.js';

const body = (text: string): unknown => {
  const r = parseJsonBody(text);
  if (!r.ok) throw new Error('fixture is not JSON');
  return r.value;
};

describe('isStorableText', () => {
  it.each([
    ['plain', 'hello', true],
    ['emoji (a surrogate pair)', 'hi 👋', true],
    ['CJK and RTL', '日本語 עברית', true],
    ['empty', '', true],
    ['NUL', 'a\u0000b', false],
    ['a lone high surrogate', 'a\ud800b', false],
    ['a lone high surrogate at the end', 'a\ud83d', false],
    ['a lone low surrogate', '\udc00', false],
    ['a reversed pair', '\udc00\ud800', false],
  ])('%s', (_label, s, ok) => {
    expect(isStorableText(s)).toBe(ok);
  });
});

describe('unstorableTextErrors', () => {
  it('names every offending value and key, at any depth, in document order', () => {
    const errors = unstorableTextErrors(body('{"name":"a\\u0000","meta":{"k\\u0000":1,"ok":["x","\\ud800"]}}'), ['body']);
    expect(errors).toEqual([
      { type: 'value_error', loc: ['body', 'name'], msg: `Value error, ${UNSTORABLE_TEXT_MESSAGE}`, input: 'a\u0000', ctx: { error: UNSTORABLE_TEXT_MESSAGE } },
      { type: 'value_error', loc: ['body', 'meta', 'k\u0000'], msg: `Value error, ${UNSTORABLE_TEXT_MESSAGE}`, input: 'k\u0000', ctx: { error: UNSTORABLE_TEXT_MESSAGE } },
      { type: 'value_error', loc: ['body', 'meta', 'ok', 1], msg: `Value error, ${UNSTORABLE_TEXT_MESSAGE}`, input: '\ud800', ctx: { error: UNSTORABLE_TEXT_MESSAGE } },
    ]);
  });

  it('passes clean bodies, numbers and nulls, and __proto__ keys as plain keys', () => {
    expect(unstorableTextErrors(body('{"a":[1,2.5,null,true,{"__proto__":{"b":"c"}}]}'), ['body'])).toEqual([]);
  });

  it('bounds the number of errors', () => {
    const many = JSON.stringify(Array.from({ length: 1000 }, () => '\u0000'));
    expect(unstorableTextErrors(body(many), ['body'], 100)).toHaveLength(100);
  });
});
