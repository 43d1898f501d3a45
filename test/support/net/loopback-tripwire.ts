/**
 * Test-only safety net. The network specs must never send a packet anywhere but 127.0.0.0/8 and
 * ::1, and never ask real DNS about an external name. If the guard under test had a bug, the
 * request would otherwise really go out; this trip-wire refuses such connects and lookups in
 * the test process itself and records them so the spec fails loudly.
 */
import dns from 'node:dns';
import net from 'node:net';

export function isLoopbackIp(ip: string): boolean {
  if (net.isIPv4(ip)) return ip.startsWith('127.');
  const lower = ip.toLowerCase();
  return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(lower);
}

export interface Tripwire {
  violations: string[];
  uninstall(): void;
}

type AnyLookup = (hostname: string, options: unknown, cb: (...a: unknown[]) => void) => void;
interface ConnectOpts {
  host?: string;
  path?: string;
  lookup?: AnyLookup;
}

function optionsOf(args: unknown[]): ConnectOpts | null {
  const first = args[0];
  // net.createConnection passes its already-normalised [options, cb] array.
  if (Array.isArray(first)) return (first[0] as ConnectOpts) ?? null;
  if (first !== null && typeof first === 'object') return first as ConnectOpts;
  if (typeof first === 'number' || typeof first === 'string') {
    return { host: typeof args[1] === 'string' ? args[1] : undefined };
  }
  return null;
}

export function installLoopbackTripwire(): Tripwire {
  const violations: string[] = [];
  const proto = net.Socket.prototype as unknown as { connect: (...a: unknown[]) => unknown };
  const originalConnect = proto.connect;
  const promises = dns.promises as unknown as { lookup: (...a: unknown[]) => Promise<unknown> };
  const originalLookup = promises.lookup;

  const refuse = (what: string): Error => {
    violations.push(what);
    return new Error(`loopback tripwire: refused ${what}`);
  };

  proto.connect = function patchedConnect(this: unknown, ...args: unknown[]) {
    const opts = optionsOf(args);
    if (opts && !opts.path) {
      const host = opts.host ?? 'localhost';
      if (net.isIP(host)) {
        if (!isLoopbackIp(host)) throw refuse(`connect to ${host}`);
      } else if (typeof opts.lookup === 'function') {
        const inner = opts.lookup;
        opts.lookup = (hostname, options, cb) =>
          inner(hostname, options, (err: unknown, address: unknown, family: unknown) => {
            const list = Array.isArray(address) ? (address as { address: string }[]).map((a) => a.address) : [address];
            const bad = list.filter((a) => typeof a === 'string' && a !== '' && !isLoopbackIp(a));
            if (!err && bad.length > 0) cb(refuse(`connect to ${hostname} -> ${bad.join(',')}`));
            else cb(err, address, family);
          });
      } else if (host !== 'localhost') {
        throw refuse(`connect to unresolved ${host}`);
      }
    }
    return originalConnect.apply(this, args);
  };

  promises.lookup = async (...args: unknown[]) => {
    const hostname = String(args[0]);
    if (hostname !== 'localhost') throw refuse(`DNS lookup of ${hostname}`);
    return originalLookup.apply(dns.promises, args);
  };

  return {
    violations,
    uninstall() {
      proto.connect = originalConnect;
      promises.lookup = originalLookup;
    },
  };
}
