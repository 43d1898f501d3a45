import { describe, expect, it } from '@jest/globals';
import {
  classifyAddress,
  createAddressPolicy,
  parseAllowCidrs,
  parseCidr,
  parseIPv6,
} from './address-policy.js';

// Pure checks only: none of these addresses is ever connected to.
const reasonOf = (ip: string): string => {
  const d = classifyAddress(ip);
  return d.allowed ? 'allowed' : d.reason;
};

describe('classifyAddress: IPv4', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.255.255.255', 'unspecified'],
    ['10.0.0.0', 'private'],
    ['10.0.0.5', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.0', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['127.0.0.0', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['169.254.0.1', 'link_local'],
    ['169.254.255.255', 'link_local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['192.0.0.192', 'metadata'],
    ['172.16.0.0', 'private'],
    ['172.20.1.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.1', 'reserved'],
    ['192.0.0.255', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['192.168.0.1', 'private'],
    ['192.168.255.255', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['254.255.255.255', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ])('%s is refused as %s', (ip, reason) => {
    expect(reasonOf(ip)).toBe(reason);
  });

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255', // just below 10/8
    '11.0.0.0', // just above 10/8
    '100.63.255.255', // just below 100.64/10
    '100.128.0.0', // just above 100.64/10
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255', // just below 172.16/12
    '172.32.0.0', // just above 172.16/12
    '192.0.1.1',
    '192.0.3.0',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '198.51.99.255',
    '203.0.112.255',
    '223.255.255.255', // last unicast before 224/4
    '93.184.216.34',
  ])('%s is public and allowed', (ip) => {
    expect(classifyAddress(ip)).toEqual({ allowed: true });
  });
});

describe('classifyAddress: IPv6', () => {
  it.each([
    ['::', 'unspecified'],
    ['0:0:0:0:0:0:0:0', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf:ffff::1', 'link_local'],
    ['fec0::1', 'site_local'],
    ['feff::1', 'site_local'],
    ['fc00::1', 'unique_local'],
    ['fd00::1', 'unique_local'],
    ['fd12:3456:789a::1', 'unique_local'],
    ['fdff:ffff::1', 'unique_local'],
    ['fd00:ec2::254', 'metadata'],
    ['fd00:ec2:0:0:0:0:0:254', 'metadata'],
    ['fd00:ec2::23', 'metadata'],
    ['ff02::1', 'multicast'],
    ['ff05::2', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001:db8:ffff::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['2001::1', 'teredo'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['2001:10::1', 'reserved'], // ORCHID
    ['2001:20::1', 'reserved'], // ORCHIDv2
    ['100::1', 'reserved'], // discard-only
    ['64:ff9b:1::1', 'nat64'], // local-use NAT64
    ['::ffff:0:7f00:1', 'reserved'], // IPv4-translated (SIIT) form
    ['1::1', 'reserved'], // outside 2000::/3
    ['4000::1', 'reserved'],
    ['5f00::1', 'reserved'], // SRv6 SIDs
    ['e000::1', 'reserved'],
  ])('%s is refused as %s', (ip, reason) => {
    expect(reasonOf(ip)).toBe(reason);
  });

  it.each(['2606:4700:4700::1111', '2a00:1450:4001:800::200e', '2001:200::1', '2c0f:fb50::1', '3ffe::1'])(
    '%s is global unicast and allowed',
    (ip) => {
      expect(classifyAddress(ip)).toEqual({ allowed: true });
    },
  );
});

describe('classifyAddress: IPv6 carrying an IPv4 address', () => {
  it.each([
    // IPv4-mapped, both spellings
    ['::ffff:127.0.0.1', 'ipv4_mapped', '127.0.0.1: loopback'],
    ['::ffff:7f00:1', 'ipv4_mapped', '127.0.0.1: loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'ipv4_mapped', '127.0.0.1: loopback'],
    ['::FFFF:127.0.0.1', 'ipv4_mapped', '127.0.0.1: loopback'],
    ['::ffff:10.0.0.1', 'ipv4_mapped', '10.0.0.1: private'],
    ['::ffff:a00:1', 'ipv4_mapped', '10.0.0.1: private'],
    ['::ffff:192.168.1.1', 'ipv4_mapped', '192.168.1.1: private'],
    ['::ffff:169.254.169.254', 'ipv4_mapped', '169.254.169.254: metadata'],
    ['::ffff:a9fe:a9fe', 'ipv4_mapped', '169.254.169.254: metadata'],
    ['::ffff:0.0.0.0', 'ipv4_mapped', '0.0.0.0: unspecified'],
    ['::ffff:100.64.0.1', 'ipv4_mapped', '100.64.0.1: cgnat'],
    // IPv4-compatible (deprecated): refused whatever it embeds
    ['::127.0.0.1', 'ipv4_compatible', '127.0.0.1'],
    ['::7f00:1', 'ipv4_compatible', '127.0.0.1'],
    ['::8.8.8.8', 'ipv4_compatible', '8.8.8.8'],
    ['::0.0.0.2', 'ipv4_compatible', '0.0.0.2'],
    // NAT64 well-known prefix
    ['64:ff9b::127.0.0.1', 'nat64', '127.0.0.1: loopback'],
    ['64:ff9b::7f00:1', 'nat64', '127.0.0.1: loopback'],
    ['64:ff9b::10.1.2.3', 'nat64', '10.1.2.3: private'],
    ['64:ff9b::a9fe:a9fe', 'nat64', '169.254.169.254: metadata'],
    // 6to4: the IPv4 address sits in bits 16..47
    ['2002:7f00:1::', '6to4', '127.0.0.1: loopback'],
    ['2002:a00:1::1', '6to4', '10.0.0.1: private'],
    ['2002:c0a8:101::1', '6to4', '192.168.1.1: private'],
    ['2002:a9fe:a9fe::', '6to4', '169.254.169.254: metadata'],
  ])('%s is refused as %s (%s)', (ip, reason, detail) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, reason, detail });
  });

  it.each(['::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    '%s embeds a public address and is allowed',
    (ip) => {
      expect(classifyAddress(ip)).toEqual({ allowed: true });
    },
  );
});

describe('classifyAddress: not an address', () => {
  it.each(['', 'localhost', 'example.com', '127.1', '2130706433', '0x7f000001', '1.2.3.4.5', '::g', '1:2:3:4:5:6:7:8:9'])(
    '%j is invalid (names must be resolved first)',
    (ip) => {
      expect(reasonOf(ip)).toBe('invalid');
    },
  );
});

describe('parseIPv6', () => {
  it('expands every spelling to the same 16 bytes', () => {
    const expected = parseIPv6('0:0:0:0:0:ffff:7f00:1');
    for (const s of ['::ffff:127.0.0.1', '::ffff:7f00:1', '0::ffff:127.0.0.1', '[::ffff:7f00:1]']) {
      expect(parseIPv6(s)).toEqual(expected);
    }
    expect(Array.from(parseIPv6('2001:db8::8:800:200c:417a')!)).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0x08, 0x08, 0, 0x20, 0x0c, 0x41, 0x7a,
    ]);
    expect(Array.from(parseIPv6('1::')!)).toEqual([0, 1, ...new Array(14).fill(0)]);
  });
});

describe('createAddressPolicy', () => {
  it('without an allow-list behaves like classifyAddress', () => {
    const policy = createAddressPolicy();
    expect(policy.check('127.0.0.1')).toEqual({ allowed: false, reason: 'loopback' });
    expect(policy.check('8.8.8.8')).toEqual({ allowed: true });
  });

  it('opens exactly the allow-listed CIDRs (the test/dev loopback setup)', () => {
    const policy = createAddressPolicy({ allowCidrs: ['127.0.0.0/8', '::1/128'] });
    expect(policy.check('127.0.0.1')).toEqual({ allowed: true });
    expect(policy.check('127.255.0.9')).toEqual({ allowed: true });
    expect(policy.check('::1')).toEqual({ allowed: true });
    // The mapped spelling reaches the same IPv4 host, so the IPv4 entry covers it.
    expect(policy.check('::ffff:127.0.0.1')).toEqual({ allowed: true });
    expect(policy.check('10.0.0.5')).toMatchObject({ allowed: false, reason: 'private' });
    expect(policy.check('0.0.0.0')).toMatchObject({ allowed: false, reason: 'unspecified' });
    expect(policy.check('::')).toMatchObject({ allowed: false, reason: 'unspecified' });
    expect(policy.check('128.0.0.1')).toEqual({ allowed: true }); // public anyway
    expect(policy.check('169.254.169.254')).toMatchObject({ allowed: false, reason: 'metadata' });
    expect(policy.check('not-an-ip')).toMatchObject({ allowed: false, reason: 'invalid' });
  });

  it('respects prefix boundaries that are not byte-aligned', () => {
    const policy = createAddressPolicy({ allowCidrs: ['10.1.2.128/25', 'fd00:1234::/33'] });
    expect(policy.check('10.1.2.128').allowed).toBe(true);
    expect(policy.check('10.1.2.255').allowed).toBe(true);
    expect(policy.check('10.1.2.127').allowed).toBe(false);
    expect(policy.check('fd00:1234:7fff::1').allowed).toBe(true);
    expect(policy.check('fd00:1234:8000::1').allowed).toBe(false);
  });

  it('keeps metadata endpoints closed under a broad CIDR, open only when named exactly', () => {
    const broad = createAddressPolicy({ allowCidrs: ['169.254.0.0/16', 'fd00::/8', '0.0.0.0/0'] });
    expect(broad.check('169.254.1.1').allowed).toBe(true);
    expect(broad.check('169.254.169.254')).toMatchObject({ allowed: false, reason: 'metadata' });
    expect(broad.check('fd00:ec2::254')).toMatchObject({ allowed: false, reason: 'metadata' });
    expect(broad.check('100.100.100.200')).toMatchObject({ allowed: false, reason: 'metadata' });
    const exact = createAddressPolicy({ allowCidrs: ['169.254.169.254/32'] });
    expect(exact.check('169.254.169.254').allowed).toBe(true);
  });

  it('an IPv6 allow entry does not open IPv4 addresses and vice versa', () => {
    const policy = createAddressPolicy({ allowCidrs: ['::/0'] });
    expect(policy.check('10.0.0.1').allowed).toBe(false);
    const v4 = createAddressPolicy({ allowCidrs: ['10.0.0.0/8'] });
    expect(v4.check('::a00:1').allowed).toBe(false); // IPv4-compatible is not the IPv4 host
    expect(v4.check('64:ff9b::a00:1').allowed).toBe(false);
  });

  it('rejects malformed CIDRs at construction', () => {
    for (const bad of ['127.0.0.0/33', '::1/129', 'localhost', '10.0.0/8', '1.2.3.4/-1', '1.2.3.4/x']) {
      expect(() => createAddressPolicy({ allowCidrs: [bad] })).toThrow(/invalid CIDR/);
    }
    expect(parseCidr('127.0.0.1')).toMatchObject({ family: 4, bits: 32 });
    expect(parseCidr('::1')).toMatchObject({ family: 6, bits: 128 });
  });

  it('parseAllowCidrs reads the env format', () => {
    expect(parseAllowCidrs(undefined)).toEqual([]);
    expect(parseAllowCidrs(' 127.0.0.0/8, ::1/128 ')).toEqual(['127.0.0.0/8', '::1/128']);
    expect(() => parseAllowCidrs('127.0.0.0/8,nope')).toThrow(/invalid CIDR/);
  });
});
