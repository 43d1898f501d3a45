import { randomUUID } from 'node:crypto';

/** A real 3x2 PNG (made with sharp), small enough to read in a failure message. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAYAAACddGYaAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWP4z8DwH4YZkDkAm34L9WxdqlkAAAAASUVORK5CYII=',
  'base64',
);

/** Keys the way the images module lays them out, unique per call so specs share one store. */
export function renderKey(ext = 'png'): string {
  return `org/${randomUUID()}/images/${randomUUID()}.${ext}`;
}

/** Keys every driver must refuse before touching its store. */
export const UNSAFE_KEYS: readonly string[] = [
  '../escape.png',
  'org/../../escape.png',
  'org/./a.png',
  '/etc/passwd',
  'org//a.png',
  'org\\a.png',
  'org/a.png\0',
  'org/a b.png',
  '',
  `org/${'a'.repeat(600)}.png`,
];

/** Flips one hex digit of whichever signature parameter the URL carries (local or SigV4). */
export function tamperSignature(url: string): string {
  // On the raw string, so nothing else in the URL gets re-encoded.
  const m = /([?&][\w-]*signature=)([0-9a-f]+)/i.exec(url);
  if (!m) throw new Error(`no signature parameter in ${url}`);
  const sig = m[2];
  const flipped = sig.slice(0, -1) + (sig.at(-1) === '0' ? '1' : '0');
  return url.slice(0, m.index) + m[1] + flipped + url.slice(m.index + m[0].length);
}
