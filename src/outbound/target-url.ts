/**
 * Pure URL pre-checks for outbound requests: scheme, credentials, port and host normalisation.
 * Hosts written as IP literals (in any spelling WHATWG URL accepts) and localhost names are
 * decided here, before any DNS query or socket.
 */
import { isIP } from 'node:net';
import { trimChar } from '../common/strings.js';
import type { AddressPolicy } from './address-policy.js';
import { SafeRequestError } from './safe-request-error.js';

export const MAX_URL_LENGTH = 8192;

export interface TargetUrl {
  /** Normalised URL without fragment: the cache key and what `finalUrl` reports. */
  href: string;
  protocol: 'http:' | 'https:';
  /** Lower case, no IPv6 brackets, no trailing dot. Used for DNS, TLS SNI and certificate checks. */
  hostname: string;
  port: number;
  /** Value of the Host header: hostname (bracketed if IPv6) plus a non-default port. */
  hostHeader: string;
  /** Path and query to send on the request line. */
  path: string;
  /** Canonical address when the host is an IP literal, else null. */
  ip: string | null;
  /** True for `localhost` and `*.localhost` (RFC 6761: always loopback, never sent to DNS). */
  localhost: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

function invalid(message: string, raw: string, reason: string): SafeRequestError {
  return new SafeRequestError('invalid_url', message, { url: raw.slice(0, 200), reason });
}

/**
 * Parses and normalises an outbound URL. `base` resolves relative references (redirect
 * Location headers). Throws SafeRequestError('invalid_url').
 */
export function parseTargetUrl(raw: string, base?: string): TargetUrl {
  if (typeof raw !== 'string' || raw.length === 0) throw invalid('URL is empty', String(raw), 'empty');
  if (raw.length > MAX_URL_LENGTH) throw invalid('URL is too long', raw, 'too_long');

  let url: URL;
  try {
    url = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    throw invalid(`Not a valid URL: ${raw.slice(0, 200)}`, raw, 'syntax');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`Only http and https URLs are allowed, got ${url.protocol}`, raw, 'scheme');
  }
  // Credentials in URLs end up in logs and Referer-like places, and are a classic parser-confusion
  // vector ("http://allowed.com@evil.com").
  if (url.username !== '' || url.password !== '') {
    throw invalid('URLs with user credentials are not allowed', raw, 'userinfo');
  }

  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`Invalid port ${url.port}`, raw, 'port');

  let hostname = url.hostname.toLowerCase();
  const bracketed = hostname.startsWith('[') && hostname.endsWith(']');
  if (bracketed) hostname = hostname.slice(1, -1);
  // "localhost." and "example.com." name the same host; also catches "127.0.0.1.." which WHATWG
  // leaves as a domain but a resolver may read as an address.
  else hostname = trimChar(hostname, '.');
  if (hostname === '') throw invalid('URL has no host', raw, 'host');

  const family = isIP(hostname);
  const ip = family === 0 ? null : hostname;
  const localhost = ip === null && (hostname === 'localhost' || hostname.endsWith('.localhost'));
  const hostPart = family === 6 ? `[${hostname}]` : hostname;

  url.hash = '';
  url.hostname = hostPart;
  return {
    href: url.href,
    protocol: url.protocol,
    hostname,
    port,
    hostHeader: url.port === '' ? hostPart : `${hostPart}:${url.port}`,
    path: `${url.pathname}${url.search}`,
    ip,
    localhost,
  };
}

function forbidden(target: TargetUrl, address: string, reason: string, detail?: string): SafeRequestError {
  const suffix = detail ? ` (${detail})` : '';
  return new SafeRequestError('forbidden_address', `Refusing ${target.hostname}: ${address} is ${reason}${suffix}`, {
    url: target.href,
    address,
    reason,
  });
}

/** Throws forbidden_address unless every address passes the policy. */
export function assertAddressesAllowed(target: TargetUrl, addresses: readonly ResolvedAddress[], policy: AddressPolicy): void {
  for (const { address } of addresses) {
    const decision = policy.check(address);
    if (!decision.allowed) throw forbidden(target, address, decision.reason, decision.detail);
  }
}

const LOCALHOST_ADDRESSES: readonly ResolvedAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/**
 * Decides hosts that need no DNS. Returns the policy-checked addresses for IP literals and
 * localhost names, or null when the host is a DNS name. Throws forbidden_address.
 */
export function precheckHost(target: TargetUrl, policy: AddressPolicy): ResolvedAddress[] | null {
  if (target.ip !== null) {
    const addresses: ResolvedAddress[] = [{ address: target.ip, family: isIP(target.ip) === 6 ? 6 : 4 }];
    assertAddressesAllowed(target, addresses, policy);
    return addresses;
  }
  if (target.localhost) {
    // Both loopback families are equally "localhost"; keep whichever the allow-list opens.
    const open = LOCALHOST_ADDRESSES.filter((a) => policy.check(a.address).allowed);
    if (open.length === 0) throw forbidden(target, '127.0.0.1', 'loopback');
    return open;
  }
  return null;
}
