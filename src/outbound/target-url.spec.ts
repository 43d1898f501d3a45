import { describe, expect, it } from '@jest/globals';
import { createAddressPolicy } from './address-policy.js';
import { SafeRequestError } from './safe-request-error.js';
import { parseTargetUrl, precheckHost } from './target-url.js';

const closed = createAddressPolicy();
const loopbackOpen = createAddressPolicy({ allowCidrs: ['127.0.0.0/8', '::1/128'] });

function errorOf(fn: () => unknown): SafeRequestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SafeRequestError);
    return err as SafeRequestError;
  }
  throw new Error('expected a SafeRequestError');
}

describe('parseTargetUrl', () => {
  it('normalises an ordinary URL', () => {
    const t = parseTargetUrl('HTTPS://Images.Example.COM./a/b.png?x=1#frag');
    expect(t).toEqual({
      href: 'https://images.example.com/a/b.png?x=1',
      protocol: 'https:',
      hostname: 'images.example.com',
      port: 443,
      hostHeader: 'images.example.com',
      path: '/a/b.png?x=1',
      ip: null,
      localhost: false,
    });
  });

  it('keeps a non-default port in the Host header', () => {
    const t = parseTargetUrl('http://example.com:8080/x');
    expect(t.port).toBe(8080);
    expect(t.hostHeader).toBe('example.com:8080');
    expect(parseTargetUrl('http://example.com:80/').hostHeader).toBe('example.com');
    expect(parseTargetUrl('https://[2606:4700::1111]:8443/').hostHeader).toBe('[2606:4700::1111]:8443');
  });

  it.each([
    'file:///etc/passwd',
    'ftp://example.com/a.png',
    'data:image/png;base64,AAAA',
    'gopher://127.0.0.1:6379/_INFO',
    'javascript:alert(1)',
    'ws://example.com/',
    'blob:https://example.com/uuid',
    'dict://127.0.0.1:11211/stat',
    'ldap://example.com/',
    'jar:http://example.com/a.jar!/',
  ])('refuses the scheme of %s', (raw) => {
    const err = errorOf(() => parseTargetUrl(raw));
    expect(err.code).toBe('invalid_url');
    expect(err.transient).toBe(false);
  });

  it.each(['http://user:pass@example.com/', 'http://user@example.com/', 'http://:pass@example.com/', 'http://example.com@evil.test/'])(
    'refuses credentials in %s',
    (raw) => {
      expect(errorOf(() => parseTargetUrl(raw))).toMatchObject({ code: 'invalid_url', reason: 'userinfo' });
    },
  );

  it.each(['', 'not a url', '/relative/only', 'http://', 'http://exa mple.com/', 'http://example.com:65536/', 'http://example.com:0/', 'http://[::1/'])(
    'refuses %j',
    (raw) => {
      expect(errorOf(() => parseTargetUrl(raw)).code).toBe('invalid_url');
    },
  );

  it('refuses absurdly long URLs', () => {
    expect(errorOf(() => parseTargetUrl(`http://example.com/${'a'.repeat(9000)}`)).reason).toBe('too_long');
  });

  it('resolves a relative redirect against the current URL', () => {
    expect(parseTargetUrl('/next?a=1', 'http://example.com:81/dir/page').href).toBe('http://example.com:81/next?a=1');
    expect(parseTargetUrl('//other.test/x', 'https://example.com/').href).toBe('https://other.test/x');
    expect(errorOf(() => parseTargetUrl('file:///etc/passwd', 'http://example.com/')).reason).toBe('scheme');
  });

  it.each([
    ['http://127.0.0.1/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://127.0.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://0177.0.0.01/', '127.0.0.1'],
    ['http://127.0.0.1./', '127.0.0.1'],
    ['http://127.0.0.1../', '127.0.0.1'],
    ['http://%31%32%37.0.0.1/', '127.0.0.1'],
    ['http://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/', '127.0.0.1'], // full-width digits
    ['http://0/', '0.0.0.0'],
    ['http://[::1]/', '::1'],
    ['http://[0:0:0:0:0:0:0:1]/', '::1'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['http://[::ffff:7f00:1]/', '::ffff:7f00:1'],
    ['http://[::127.0.0.1]/', '::7f00:1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://0xa9fea9fe/', '169.254.169.254'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
  ])('recognises %s as the IP literal %s without DNS', (raw, ip) => {
    const t = parseTargetUrl(raw);
    expect(t.ip).toBe(ip);
    expect(t.localhost).toBe(false);
  });

  it.each(['http://localhost/', 'http://LOCALHOST./', 'http://localhost:8080/', 'http://foo.localhost/', 'http://a.b.LocalHost./'])(
    'recognises %s as a localhost name',
    (raw) => {
      const t = parseTargetUrl(raw);
      expect(t.localhost).toBe(true);
      expect(t.ip).toBeNull();
    },
  );

  it('does not mistake look-alike names for localhost', () => {
    expect(parseTargetUrl('http://localhost.example.com/').localhost).toBe(false);
    expect(parseTargetUrl('http://notlocalhost/').localhost).toBe(false);
  });
});

describe('precheckHost', () => {
  it.each([
    'http://127.0.0.1/',
    'http://127.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://localhost/',
    'http://LOCALHOST./',
    'http://foo.localhost/',
  ])('refuses every loopback spelling %s with no DNS', (raw) => {
    const err = errorOf(() => precheckHost(parseTargetUrl(raw), closed));
    expect(err.code).toBe('forbidden_address');
    expect(err.transient).toBe(false);
    expect(['loopback', 'ipv4_mapped']).toContain(err.reason);
  });

  it.each([
    ['http://10.0.0.5/', 'private'],
    ['http://0xa9fea9fe/', 'metadata'],
    ['http://[fd00:ec2::254]/', 'metadata'],
    ['http://100.100.100.200/', 'metadata'],
    ['http://[fe80::1]/', 'link_local'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://192.168.1.1/', 'private'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'nat64'],
  ])('refuses %s as %s', (raw, reason) => {
    expect(errorOf(() => precheckHost(parseTargetUrl(raw), closed))).toMatchObject({ code: 'forbidden_address', reason });
  });

  it('returns the checked literal, and null for names that need DNS', () => {
    expect(precheckHost(parseTargetUrl('http://8.8.8.8/'), closed)).toEqual([{ address: '8.8.8.8', family: 4 }]);
    expect(precheckHost(parseTargetUrl('http://[2606:4700::1111]/'), closed)).toEqual([
      { address: '2606:4700::1111', family: 6 },
    ]);
    expect(precheckHost(parseTargetUrl('http://example.com/'), closed)).toBeNull();
  });

  it('maps localhost to the loopback addresses the allow-list opens', () => {
    expect(precheckHost(parseTargetUrl('http://localhost/'), loopbackOpen)).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    const v4only = createAddressPolicy({ allowCidrs: ['127.0.0.0/8'] });
    expect(precheckHost(parseTargetUrl('http://x.localhost/'), v4only)).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});
