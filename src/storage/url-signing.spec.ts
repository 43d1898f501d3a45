import { describe, expect, it } from '@jest/globals';
import { buildSignedFileUrl, signFilePath, verifyFileSignature } from './url-signing.js';

const secret = 'x'.repeat(40);
const key = 'org/abc/images/1.png';

describe('file URL signing', () => {
  it('builds a URL whose signature verifies until it expires', () => {
    const url = new URL(buildSignedFileUrl('http://localhost:3000', secret, key, 2000));
    expect(url.pathname).toBe(`/v1/files/${key}`);
    const exp = url.searchParams.get('expires');
    const sig = url.searchParams.get('signature');
    expect(verifyFileSignature(secret, key, exp, sig, 1999)).toBe('ok');
    expect(verifyFileSignature(secret, key, exp, sig, 2000)).toBe('ok');
    expect(verifyFileSignature(secret, key, exp, sig, 2001)).toBe('expired');
  });

  it('refuses a signature for another key, expiry or secret', () => {
    const sig = signFilePath(secret, key, 2000);
    expect(verifyFileSignature(secret, 'org/abc/images/2.png', '2000', sig, 0)).toBe('invalid');
    expect(verifyFileSignature(secret, key, '2001', sig, 0)).toBe('invalid');
    expect(verifyFileSignature('y'.repeat(40), key, '2000', sig, 0)).toBe('invalid');
  });

  it.each([
    ['no expiry', undefined, 'sig'],
    ['a non-numeric expiry', 'soon', 'a'.repeat(64)],
    ['no signature', '2000', undefined],
    ['a short signature', '2000', 'abcd'],
    ['an upper-case signature', '2000', 'A'.repeat(64)],
    ['a repeated parameter', '2000', ['a'.repeat(64), 'b'.repeat(64)]],
  ])('refuses %s', (_, exp, sig) => {
    expect(verifyFileSignature(secret, key, exp, sig, 0)).toBe('invalid');
  });
});
