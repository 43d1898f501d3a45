/**
 * Decides whether an outbound request may reach an IP address. Pure: no DNS, no sockets.
 *
 * The default is deny-by-range: every address that is not plain public unicast is refused,
 * including IPv6 forms that embed an IPv4 address the kernel (or a NAT64/6to4 gateway) would
 * end up delivering to.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AddressDecision =
  | { allowed: true }
  | {
      allowed: false;
      reason: string;
      /** For IPv6 forms that carry an IPv4 address: the embedded address and why it is refused. */
      detail?: string;
    };

export interface AddressPolicy {
  check(ip: string): AddressDecision;
}

export interface AddressPolicyOptions {
  /** CIDRs (or bare addresses) that are allowed even though classifyAddress refuses them. */
  allowCidrs?: readonly string[];
}

const ALLOWED: AddressDecision = { allowed: true };

function deny(reason: string, detail?: string): AddressDecision {
  return detail === undefined ? { allowed: false, reason } : { allowed: false, reason, detail };
}

/** Strips an IPv6 zone index ("fe80::1%eth0"): the zone never changes which range it is in. */
function stripZone(ip: string): string {
  const pct = ip.indexOf('%');
  return pct === -1 ? ip : ip.slice(0, pct);
}

export function parseIPv4(ip: string): Uint8Array | null {
  if (!isIPv4(ip)) return null;
  return Uint8Array.from(ip.split('.').map((p) => Number(p)));
}

export function parseIPv6(raw: string): Uint8Array | null {
  let ip = raw;
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  ip = stripZone(ip);
  if (!isIPv6(ip)) return null;

  // A trailing dotted quad stands for the last two groups.
  const lastColon = ip.lastIndexOf(':');
  const last = ip.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (!v4) return null;
    const hi = ((v4[0] << 8) | v4[1]).toString(16);
    const lo = ((v4[2] << 8) | v4[3]).toString(16);
    ip = `${ip.slice(0, lastColon + 1)}${hi}:${lo}`;
  }

  const groupsFrom = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  let groups: number[];
  const dbl = ip.indexOf('::');
  if (dbl === -1) {
    groups = groupsFrom(ip);
  } else {
    const head = groupsFrom(ip.slice(0, dbl));
    const after = groupsFrom(ip.slice(dbl + 2));
    const fill = 8 - head.length - after.length;
    if (fill < 0) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...after];
  }
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;

  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function v4String(b: Uint8Array, offset = 0): string {
  return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
}

/** True when the first `bits` bits of `addr` equal those of `prefix`. */
function inPrefix(addr: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  const full = bits >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== prefix[i]) return false;
  const rem = bits & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (addr[full] & mask) === (prefix[full] & mask);
}

interface Range {
  prefix: Uint8Array;
  bits: number;
  reason: string;
}

function range(cidr: string, reason: string): Range {
  const [addr, bits] = cidr.split('/');
  const prefix = parseIPv4(addr) ?? parseIPv6(addr);
  if (!prefix) throw new Error(`bad built-in range ${cidr}`);
  return { prefix, bits: Number(bits), reason };
}

// Cloud instance-metadata endpoints: checked before the wider ranges that contain them so the
// reason is specific, and kept closed even when an allow-list CIDR happens to cover them.
const METADATA_V4 = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean...
  '169.254.170.2', // AWS ECS task metadata
  '169.254.170.23', // AWS EKS pod identity
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud (legacy)
]);
const METADATA_V6 = ['fd00:ec2::254', 'fd00:ec2::23'].map((a) => parseIPv6(a)!);

// Order matters only for overlapping ranges (first match wins).
const V4_RANGES: Range[] = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'cgnat'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link_local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'),
  range('192.0.2.0/24', 'documentation'),
  range('192.88.99.0/24', 'reserved'), // deprecated 6to4 relay anycast
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('255.255.255.255/32', 'broadcast'),
  range('240.0.0.0/4', 'reserved'),
];

function classifyV4Bytes(b: Uint8Array): AddressDecision {
  if (METADATA_V4.has(v4String(b))) return deny('metadata');
  for (const r of V4_RANGES) if (inPrefix(b, r.prefix, r.bits)) return deny(r.reason);
  return ALLOWED;
}

const V6_ZERO_96 = new Uint8Array(16);
const V6_MAPPED = parseIPv6('::ffff:0:0')!;
const V6_NAT64 = parseIPv6('64:ff9b::')!;
const V6_6TO4 = parseIPv6('2002::')!;

// Checked after the embedded-IPv4 forms. Anything outside 2000::/3 (global unicast) that is not
// listed here falls through to 'reserved'.
const V6_RANGES: Range[] = [
  range('64:ff9b:1::/48', 'nat64'), // local-use NAT64 (RFC 8215): translation target unknowable
  range('100::/64', 'reserved'), // discard-only
  range('2001::/32', 'teredo'), // tunnels to an obfuscated IPv4 address: refuse outright
  range('2001:2::/48', 'benchmarking'),
  range('2001:db8::/32', 'documentation'),
  range('2001::/23', 'reserved'), // IETF protocol assignments (ORCHID, AMT, ...)
  range('3fff::/20', 'documentation'),
  range('fc00::/7', 'unique_local'),
  range('fe80::/10', 'link_local'),
  range('fec0::/10', 'site_local'),
  range('ff00::/8', 'multicast'),
];
const V6_GLOBAL_UNICAST = range('2000::/3', 'global');

function classifyV6Bytes(b: Uint8Array): AddressDecision {
  if (b.every((x) => x === 0)) return deny('unspecified');
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return deny('loopback');
  if (METADATA_V6.some((m) => m.every((x, i) => x === b[i]))) return deny('metadata');

  // An embedded IPv4 address that would be refused on its own is refused in every wrapping.
  const embedded = (offset: number, reason: string): AddressDecision => {
    const inner = classifyV4Bytes(b.slice(offset, offset + 4));
    return inner.allowed ? ALLOWED : deny(reason, `${v4String(b, offset)}: ${inner.reason}`);
  };
  if (inPrefix(b, V6_MAPPED, 96)) return embedded(12, 'ipv4_mapped');
  if (inPrefix(b, V6_NAT64, 96)) return embedded(12, 'nat64');
  if (inPrefix(b, V6_6TO4, 16)) return embedded(2, '6to4');
  // Deprecated IPv4-compatible form (::a.b.c.d): never legitimate, so refused whatever it embeds.
  if (inPrefix(b, V6_ZERO_96, 96)) return deny('ipv4_compatible', v4String(b, 12));

  for (const r of V6_RANGES) if (inPrefix(b, r.prefix, r.bits)) return deny(r.reason);
  if (!inPrefix(b, V6_GLOBAL_UNICAST.prefix, V6_GLOBAL_UNICAST.bits)) return deny('reserved');
  return ALLOWED;
}

/**
 * Classifies an IP literal (IPv4 dotted quad or IPv6, optionally bracketed or with a zone).
 * Anything that is not an IP literal is refused as 'invalid': callers must resolve names first.
 */
export function classifyAddress(ip: string): AddressDecision {
  const v4 = parseIPv4(ip);
  if (v4) return classifyV4Bytes(v4);
  const v6 = parseIPv6(ip);
  if (v6) return classifyV6Bytes(v6);
  return deny('invalid');
}

export interface Cidr {
  family: 4 | 6;
  prefix: Uint8Array;
  bits: number;
}

/** Parses "a.b.c.d/n", "v6/n" or a bare address (a single-host CIDR). Throws on bad input. */
export function parseCidr(cidr: string): Cidr {
  const trimmed = cidr.trim();
  const slash = trimmed.indexOf('/');
  const addr = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const v4 = parseIPv4(addr);
  const v6 = v4 ? null : parseIPv6(addr);
  const prefix = v4 ?? v6;
  if (!prefix) throw new Error(`invalid CIDR "${cidr}"`);
  const max = v4 ? 32 : 128;
  const bitsText = slash === -1 ? String(max) : trimmed.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max) throw new Error(`invalid CIDR "${cidr}"`);
  return { family: v4 ? 4 : 6, prefix, bits: Number(bitsText) };
}

function cidrContains(cidr: Cidr, ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4) return cidr.family === 4 && inPrefix(v4, cidr.prefix, cidr.bits);
  const v6 = parseIPv6(ip);
  if (!v6) return false;
  if (cidr.family === 6) return inPrefix(v6, cidr.prefix, cidr.bits);
  // ::ffff:a.b.c.d reaches a.b.c.d on a dual-stack socket, so an IPv4 allow entry covers it.
  return inPrefix(v6, V6_MAPPED, 96) && inPrefix(v6.slice(12), cidr.prefix, cidr.bits);
}

/**
 * A policy that refuses what classifyAddress refuses, except addresses inside `allowCidrs`
 * (dev and tests open 127.0.0.0/8 and ::1/128 this way). Metadata endpoints stay closed unless
 * an allow entry names that exact address, so a broad CIDR cannot open them by accident.
 */
export function createAddressPolicy(options: AddressPolicyOptions = {}): AddressPolicy {
  const cidrs = (options.allowCidrs ?? []).filter((c) => c.trim() !== '').map(parseCidr);
  return {
    check(ip: string): AddressDecision {
      const base = classifyAddress(ip);
      if (base.allowed || base.reason === 'invalid') return base;
      const matching = cidrs.filter((c) => cidrContains(c, ip));
      if (matching.length === 0) return base;
      if (base.reason === 'metadata' && !matching.some((c) => c.bits === (c.family === 4 ? 32 : 128))) return base;
      return ALLOWED;
    },
  };
}

/** Parses a comma/space separated env value such as "127.0.0.0/8, ::1/128". */
export function parseAllowCidrs(value: string | undefined): string[] {
  if (!value) return [];
  const list = value.split(/[\s,]+/).filter((s) => s !== '');
  list.forEach(parseCidr); // fail at start-up, not on the first request
  return list;
}
