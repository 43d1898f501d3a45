/**
 * The one SVG safety check, shared by asset upload and rendering. librsvg (inside sharp) would
 * follow external references and expand entities, so an SVG is only accepted when it is
 * self-contained. Deliberately strict: encoded tricks such as `href="&#104;ttp:..."` fail
 * because they do not start with # or data:.
 */

/** JavaScript's `\s` (the class the rules were first written with), by code unit. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** `[A-Za-z0-9_]`, the characters before `href` that make it part of a longer word. */
function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** The code unit at `i` with ASCII letters lowered (only ASCII: other case mappings change lengths). */
function lowerAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** Whether `word` (lower-case ASCII) starts at `i`, ignoring ASCII case: at most |word| steps. */
function wordAt(s: string, i: number, word: string): boolean {
  if (i < 0 || i + word.length > s.length) return false;
  for (let k = 0; k < word.length; k++) if (lowerAt(s, i + k) !== word.charCodeAt(k)) return false;
  return true;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** `#...` or `data:...` after optional whitespace: a reference that stays inside the document. */
function safeRef(s: string, from: number, to: number): boolean {
  const v = skipSpace(s, from);
  return v < to && (s.charCodeAt(v) === 0x23 || (v + 5 <= to && wordAt(s, v, 'data:')));
}

const REASONS = {
  dtd: 'SVG documents may not declare a DTD or entities',
  script: 'SVG documents may not contain scripts',
  stylesheet: 'external stylesheets are not allowed',
  import: 'CSS @import is not allowed',
  unquoted: 'unquoted href is not allowed',
  url: 'external url() references are not allowed',
} as const;

const LT = 0x3c;
const AT = 0x40;
const H = 0x68;
const U = 0x75;
const EQ = 0x3d;
const DQ = 0x22;
const SQ = 0x27;
const BANG = 0x21;
const QUESTION = 0x3f;
const S = 0x73;
const S_UPPER = 0x53;

/**
 * Why the SVG is not self-contained, or null when it is.
 *
 * One forward pass over the text with a constant amount of work per character, so the time is
 * linear in the document's length whatever it contains (uploads are up to 20 MB and this runs on
 * every one): each keyword is compared in at most its own length of steps, each whitespace run is
 * skipped once per token that precedes it, and a quoted href value is searched for its closing
 * quote once, then skipped as a whole (a quote with no closing partner is remembered, so it is
 * not sought again). No regular expression and no lower-cased copy of the input.
 *
 * The rules, in the order their reasons take precedence: a DTD or entity declaration; `<` then
 * optional whitespace then `script`; `<?xml-stylesheet`; `@import`; a quoted `href` (not preceded
 * by a word character) whose value does not start with `#` or `data:`; any unquoted `href=`;
 * `url(` whose content does not start with `#` or `data:` (quoted and empty ones included).
 * svg.spec.ts compares them with the regular expressions they replaced on generated documents.
 */
export function svgUnsafeReason(svg: string): string | null {
  const n = svg.length;
  let script = false;
  let stylesheet = false;
  let cssImport = false;
  let unquoted = false;
  let url = false;
  let external: string | null = null;
  // href values already consumed end before `next`; hrefs inside them are not looked at again.
  let next = 0;
  let noDoubleCloseAfter = Infinity;
  let noSingleCloseAfter = Infinity;

  for (let i = 0; i < n; i++) {
    const c = lowerAt(svg, i);
    if (c === LT) {
      // The character after `<` decides which keyword can follow, so each `<` costs one test.
      const d = svg.charCodeAt(i + 1);
      if (d === BANG) {
        if (wordAt(svg, i, '<!doctype') || wordAt(svg, i, '<!entity')) return REASONS.dtd;
      } else if (d === QUESTION) {
        if (!stylesheet && wordAt(svg, i, '<?xml-stylesheet')) stylesheet = true;
      } else if (!script && (d === S || d === S_UPPER || isSpace(d)) && wordAt(svg, skipSpace(svg, i + 1), 'script')) {
        script = true;
      }
    } else if (c === AT) {
      if (!cssImport && wordAt(svg, i, '@import')) cssImport = true;
    } else if (c === U) {
      if (!url && wordAt(svg, i, 'url(')) {
        const v = skipSpace(svg, i + 4);
        if (v < n && !safeRef(svg, v, n)) url = true;
      }
    } else if (c === H && wordAt(svg, i, 'href') && !(i > 0 && isWordChar(svg.charCodeAt(i - 1)))) {
      const eq = skipSpace(svg, i + 4);
      if (svg.charCodeAt(eq) !== EQ) continue;
      const v = skipSpace(svg, eq + 1);
      if (v >= n) continue;
      const q = svg.charCodeAt(v);
      // An href without quotes is not well-formed XML, but do not rely on the parser agreeing.
      if (q !== DQ && q !== SQ) {
        unquoted = true;
        continue;
      }
      if (external !== null || i < next || v >= (q === DQ ? noDoubleCloseAfter : noSingleCloseAfter)) continue;
      const close = svg.indexOf(q === DQ ? '"' : "'", v + 1);
      if (close === -1) {
        if (q === DQ) noDoubleCloseAfter = v;
        else noSingleCloseAfter = v;
        continue;
      }
      if (!safeRef(svg, v + 1, close)) external = svg.slice(v + 1, close);
      next = close + 1;
    }
  }
  if (script) return REASONS.script;
  if (stylesheet) return REASONS.stylesheet;
  if (cssImport) return REASONS.import;
  if (external !== null) return `external reference "${external.trim().slice(0, 100)}" is not allowed`;
  if (unquoted) return REASONS.unquoted;
  if (url) return REASONS.url;
  return null;
}
