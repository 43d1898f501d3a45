import type { IncomingMessage, ServerResponse } from 'node:http';

const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const HEX_PAIR = /^[0-9a-fA-F]{2}$/;

/**
 * Python's `urllib.parse.unquote` (what uvicorn applies to the request path): `%XX` runs become
 * bytes decoded as UTF-8 with U+FFFD for invalid sequences, and a `%` not followed by two hex
 * digits stays as it is.
 */
export function pyUnquote(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && HEX_PAIR.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else if (c < 0x80) {
      bytes.push(c);
      i++;
    } else {
      // Not reachable for HTTP paths (ASCII on the wire); kept as UTF-8 for completeness.
      const cp = s.codePointAt(i) ?? c;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return lenientUtf8.decode(Uint8Array.from(bytes));
}

/**
 * A request path that Express will route and decode into the same segments Starlette sees:
 * decoded the Python way, then re-encoded segment by segment (so `%2F` becomes a real `/`, as
 * in Starlette, and `%zz` or `%ff` reach the route as `%zz` and U+FFFD instead of a 400).
 */
export function pythonRoutablePath(rawPath: string): string {
  if (!rawPath.includes('%')) return rawPath;
  return pyUnquote(rawPath)
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/**
 * Rewrites `req.url` so that routing and path parameters follow uvicorn's percent-decoding
 * (`req.originalUrl` keeps what the client sent). Register before the routes.
 */
export function pathDecodingMiddleware(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req, _res, next) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path.includes('%')) req.url = pythonRoutablePath(path) + (q < 0 ? '' : url.slice(q));
    next();
  };
}
