import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 over "<key>\n<expires>" for local-storage download URLs. The signature is the only
 * credential on /v1/files, so it binds both the exact storage key and the expiry.
 */
export function signFilePath(secret: string, key: string, expires: number): string {
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex');
}

export function buildSignedFileUrl(baseUrl: string, secret: string, key: string, expires: number): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl}/v1/files/${path}?expires=${expires}&signature=${signFilePath(secret, key, expires)}`;
}

export type SignatureCheck = 'ok' | 'expired' | 'invalid';

export function verifyFileSignature(
  secret: string,
  key: string,
  expiresRaw: unknown,
  signature: unknown,
  nowSeconds: number,
): SignatureCheck {
  if (typeof expiresRaw !== 'string' || !/^\d{1,12}$/.test(expiresRaw)) return 'invalid';
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return 'invalid';
  const expected = Buffer.from(signFilePath(secret, key, Number(expiresRaw)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'invalid';
  return Number(expiresRaw) < nowSeconds ? 'expired' : 'ok';
}
