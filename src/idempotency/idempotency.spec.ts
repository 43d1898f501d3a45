import { describe, expect, it } from '@jest/globals';
import { parseJsonBody } from '../http/python-json.js';
import { canonicalJson, requestHash } from './idempotency.js';

/** Bodies as the HTTP layer parses them, so keys such as `__proto__` arrive as they do in production. */
const parsed = (text: string): unknown => {
  const r = parseJsonBody(text);
  if (!r.ok) throw new Error('fixture is not JSON');
  return r.value;
};

describe('canonicalJson', () => {
  it('ignores key order only', () => {
    expect(canonicalJson(parsed('{"a":1,"b":{"y":2,"x":[3,{"q":1,"p":2}]}}'))).toBe(canonicalJson(parsed('{"b":{"x":[3,{"p":2,"q":1}],"y":2},"a":1}')));
    expect(canonicalJson(parsed('{"a":1}'))).not.toBe(canonicalJson(parsed('{"a":2}')));
  });

  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'])('a %s key changes the fingerprint', (key) => {
    const plain = parsed('{"metadata":{"a":1}}');
    const withKey = parsed(`{"metadata":{"a":1,"${key}":{"admin":true}}}`);
    expect(canonicalJson(withKey)).toContain(`"${key}"`);
    expect(requestHash('POST', '/v1/images', withKey)).not.toBe(requestHash('POST', '/v1/images', plain));
    expect(requestHash('POST', '/v1/images', withKey)).not.toBe(requestHash('POST', '/v1/images', parsed(`{"metadata":{"a":1,"${key}":{"admin":false}}}`)));
  });

  it('does not pollute prototypes', () => {
    canonicalJson(parsed('{"__proto__":{"polluted":true},"a":{"__proto__":{"polluted":true}}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
