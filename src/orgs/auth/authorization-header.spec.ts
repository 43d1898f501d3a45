import { describe, expect, it } from '@jest/globals';
import { generateKey } from '../api-keys.js';
import { parseAuthorizationHeader } from './authorization-header.js';

const live = generateKey('live').key;
const test = generateKey('test').key;

describe('parseAuthorizationHeader', () => {
  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['only spaces', '   '],
    ['only a tab', '\t'],
    ['an empty header list', []],
  ])('treats %s as missing', (_, header) => {
    expect(parseAuthorizationHeader(header as string | string[] | undefined)).toEqual({ kind: 'missing' });
  });

  it('accepts a live key', () => {
    expect(parseAuthorizationHeader(`Bearer ${live}`)).toEqual({ kind: 'key', key: live, mode: 'live' });
  });

  it('accepts a test key and reports its mode', () => {
    expect(parseAuthorizationHeader(`Bearer ${test}`)).toEqual({ kind: 'key', key: test, mode: 'test' });
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('matches the scheme %s case-insensitively', (scheme) => {
    expect(parseAuthorizationHeader(`${scheme} ${live}`)).toMatchObject({ kind: 'key', key: live });
  });

  it.each([
    ['leading and trailing spaces', `  Bearer ${live}  `],
    ['two spaces between scheme and key', `Bearer  ${live}`],
    ['a tab between scheme and key', `Bearer\t${live}`],
  ])('tolerates %s', (_, header) => {
    expect(parseAuthorizationHeader(header)).toMatchObject({ kind: 'key', key: live });
  });

  it.each([
    ['a scheme without credentials', 'Bearer', 'no credentials'],
    ['a bare key', live, 'no credentials'],
    ['the Basic scheme', `Basic ${Buffer.from('a:b').toString('base64')}`, 'not a bearer scheme'],
    ['the Token scheme', `Token ${live}`, 'not a bearer scheme'],
    ['extra tokens', `Bearer ${live} extra`, 'extra tokens'],
    ['an unknown key prefix', 'Bearer sk_live_abcdefabcdefabcdefabcdefabcdefabcdefabcd', 'not an Imtegrate key'],
    ['a key of the wrong length', `Bearer ${live}x`, 'not an Imtegrate key'],
    ['a truncated key', `Bearer ${live.slice(0, -1)}`, 'not an Imtegrate key'],
    ['an unknown mode', `Bearer ${live.replace('ik_live_', 'ik_prod_')}`, 'not an Imtegrate key'],
    ['a key with a bad character', `Bearer ${live.slice(0, -1)}!`, 'not an Imtegrate key'],
    ['a huge header', `Bearer ${'a'.repeat(10_000)}`, 'too long'],
    ['a repeated header', [`Bearer ${live}`, `Bearer ${test}`], 'repeated header'],
  ])('refuses %s as malformed', (_, header, reason) => {
    expect(parseAuthorizationHeader(header)).toEqual({ kind: 'malformed', reason });
  });

  it('takes a single-element header list', () => {
    expect(parseAuthorizationHeader([`Bearer ${live}`])).toMatchObject({ kind: 'key', mode: 'live' });
  });
});
