/**
 * The one SVG safety check, shared by asset upload and rendering. librsvg (inside sharp) would
 * follow external references and expand entities, so an SVG is only accepted when it is
 * self-contained. Deliberately strict: encoded tricks such as `href="&#104;ttp:..."` fail
 * because they do not start with # or data:.
 */

const SAFE_REF = /^\s*(#|data:)/i;
const WS = /\s/;
const WORD = /[A-Za-z0-9_]/;

/** Every index where `needle` (lower case) starts in `lower`, scanning once. */
function* occurrences(lower: string, needle: string): Generator<number> {
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, i + 1)) yield i;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && WS.test(s[i])) i++;
  return i;
}

/**
 * Why the SVG is not self-contained, or null when it is. A hand-written scanner rather than
 * regular expressions with lazy captures and backreferences: uploads are up to 20 MB, and those
 * patterns backtrack polynomially on crafted input. Every step moves forward, so the scan is
 * linear in the document's length (the rules are the ones the patterns had; svg.spec.ts compares
 * the two on generated documents).
 */
export function svgUnsafeReason(svg: string): string | null {
  // ASCII only, so indices stay those of `svg` (toLowerCase can change the length of some text).
  const lower = svg.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  if (lower.includes('<!doctype') || lower.includes('<!entity')) return 'SVG documents may not declare a DTD or entities';
  for (const i of occurrences(lower, '<')) if (lower.startsWith('script', skipSpace(lower, i + 1))) return 'SVG documents may not contain scripts';
  if (lower.includes('<?xml-stylesheet')) return 'external stylesheets are not allowed';
  if (lower.includes('@import')) return 'CSS @import is not allowed';

  // href="...": each quoted value must point inside the document. Values are skipped as wholes,
  // as a global match would; a quote with no closing partner is remembered, so it is sought once.
  let unquoted = false;
  let next = 0;
  const noCloseAfter: Record<string, number> = { '"': Infinity, "'": Infinity };
  for (const i of occurrences(lower, 'href')) {
    if (i > 0 && WORD.test(lower[i - 1])) continue;
    const eq = skipSpace(lower, i + 4);
    if (lower[eq] !== '=') continue;
    const v = skipSpace(lower, eq + 1);
    const q = svg[v];
    // An href without quotes is not well-formed XML, but do not rely on the parser agreeing.
    if (q !== undefined && q !== '"' && q !== "'") unquoted = true;
    if (i < next || (q !== '"' && q !== "'") || v >= noCloseAfter[q]) continue;
    const close = svg.indexOf(q, v + 1);
    if (close === -1) {
      noCloseAfter[q] = v;
      continue;
    }
    const value = svg.slice(v + 1, close);
    if (!SAFE_REF.test(value)) return `external reference "${value.trim().slice(0, 100)}" is not allowed`;
    next = close + 1;
  }
  if (unquoted) return 'unquoted href is not allowed';

  // url(...): only `url(#id)` and `url(data:...)`, unquoted; an empty or quoted url() is refused too.
  for (const i of occurrences(lower, 'url(')) {
    const v = skipSpace(lower, i + 4);
    if (v >= lower.length) continue;
    if (lower[v] === '#' || lower.startsWith('data:', v)) continue;
    return 'external url() references are not allowed';
  }
  return null;
}
