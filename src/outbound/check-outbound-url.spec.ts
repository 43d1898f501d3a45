import { describe, expect, it } from '@jest/globals';
import { createAddressPolicy } from './address-policy.js';
import { checkOutboundUrl, type ResolveFn } from './safe-request.js';
import { SafeRequestError } from './safe-request-error.js';

/** A resolver that answers from a table: no DNS query and no socket ever leaves the machine. */
const table: Record<string, string[]> = {
  'public.example': ['93.184.216.34'],
  'private.example': ['10.1.2.3'],
  'mixed.example': ['93.184.216.34', '192.168.1.10'],
  'metadata.example': ['169.254.169.254'],
  'v6-loopback.example': ['::1'],
  'v6-mapped.example': ['::ffff:127.0.0.1'],
  'v6-ula.example': ['fd00::1'],
};
const lookup: ResolveFn = async (host) => {
  const found = table[host];
  if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const policy = createAddressPolicy();

const codeOf = async (url: string): Promise<string> => {
  try {
    await checkOutboundUrl(url, { policy, lookup });
    return 'allowed';
  } catch (err) {
    return err instanceof SafeRequestError ? err.code : `unexpected: ${String(err)}`;
  }
};

describe('checkOutboundUrl', () => {
  it('allows a public destination', async () => {
    expect(await codeOf('https://public.example/hook')).toBe('allowed');
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://localhost:3000/hook',
    'http://[::1]/hook',
    'http://0x7f000001/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://10.0.0.1/',
    'http://private.example/',
    'http://mixed.example/',
    'http://metadata.example/',
    'http://v6-loopback.example/',
    'http://v6-mapped.example/',
    'http://v6-ula.example/',
  ])('refuses %s', async (url) => {
    expect(await codeOf(url)).toBe('forbidden_address');
  });

  it.each(['ftp://public.example/', 'http://user:pw@public.example/', 'not a url'])('refuses the malformed %s', async (url) => {
    expect(await codeOf(url)).toBe('invalid_url');
  });

  it('reports a name that does not resolve', async () => {
    expect(await codeOf('https://nowhere.example/')).toBe('dns_failed');
  });

  it('opens loopback only through the allow-list', async () => {
    const open = createAddressPolicy({ allowCidrs: ['127.0.0.0/8'] });
    await expect(checkOutboundUrl('http://127.0.0.1:9/hook', { policy: open, lookup })).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});
