import { describe, expect, it } from '@jest/globals';
import { generateKey, hashKey, parseKey } from './api-keys.js';

describe('API keys', () => {
  it('generates distinct keys of the documented shape', () => {
    const a = generateKey('live');
    const b = generateKey('live');
    expect(a.key).toMatch(/^ik_live_[A-Za-z0-9_-]{40}$/);
    expect(a.key).not.toBe(b.key);
    expect(generateKey('test').key).toMatch(/^ik_test_/);
  });

  it('stores only a hash and a prefix that cannot authenticate', () => {
    const k = generateKey('live');
    expect(k.secretHash).toBe(hashKey(k.key));
    expect(k.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(k.secretHash).not.toContain(k.key.slice(8));
    expect(k.prefix).toBe(k.key.slice(0, 16));
    expect(k.prefix.length).toBeLessThan(k.key.length / 2);
  });

  it('parses the mode and refuses other shapes', () => {
    expect(parseKey(generateKey('test').key)).toEqual({ mode: 'test' });
    expect(parseKey('ik_live_short')).toBeNull();
    expect(parseKey('')).toBeNull();
  });
});
