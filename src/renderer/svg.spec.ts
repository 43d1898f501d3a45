import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { svgUnsafeReason } from './svg.js';

// Upload and rendering used to apply different rules; each refusal either of them made is listed
// here, so the shared check stays the union of both.
describe('svgUnsafeReason (upload and render)', () => {
  it.each([
    ['a script (was upload-only)', '<svg><script>alert(1)</script></svg>'],
    ['an xml-stylesheet (was render-only)', '<?xml-stylesheet href="http://127.0.0.1/s.css"?><svg/>'],
    ['an unquoted href (was render-only)', '<svg><image href=http://127.0.0.1/x.png /></svg>'],
    ['an empty url() (was render-only)', '<svg><rect style="fill: url()"/></svg>'],
    ['an href split over lines (was render-only)', '<svg><image href="\nhttp://127.0.0.1/x.png"/></svg>'],
    ['an unclosed url( (was upload-only)', '<svg><rect style="fill: url(http://127.0.0.1/x"/></svg>'],
    ['an entity-encoded URL', '<svg><image href="&#104;ttp://127.0.0.1/x.png"/></svg>'],
  ])('refuses %s', (_, svg) => {
    expect(svgUnsafeReason(svg)).toEqual(expect.any(String));
  });

  it('accepts fragments and data: references, with whitespace before them', () => {
    expect(svgUnsafeReason('<svg><use href=" #a"/><image xlink:href="data:image/png;base64,AAAA"/><rect fill="url( #g )"/></svg>')).toBeNull();
  });
});

/** The rules as they were written with regular expressions (kept only here, as the reference). */
function regexReference(svg: string): string | null {
  const SAFE_REF = /^\s*(#|data:)/i;
  if (/<!DOCTYPE|<!ENTITY/i.test(svg)) return 'dtd';
  if (/<\s*script/i.test(svg)) return 'script';
  if (/<\?xml-stylesheet/i.test(svg)) return 'stylesheet';
  if (/@import/i.test(svg)) return 'import';
  for (const m of svg.matchAll(/\b(?:xlink:)?href\s*=\s*(["'])([\s\S]*?)\1/gi)) if (!SAFE_REF.test(m[2])) return 'external';
  if (/\bhref\s*=\s*[^\s"']/i.test(svg)) return 'unquoted';
  // eslint-disable-next-line regexp/no-super-linear-backtracking -- the reference runs on short inputs only
  for (const m of svg.matchAll(/url\(\s*(["']?)([\s\S]*?)\1\s*\)/gi)) if (!SAFE_REF.test(m[2])) return 'url';
  // eslint-disable-next-line regexp/no-super-linear-backtracking -- the reference runs on short inputs only
  if (/url\(\s*["']?\s*(?!#|data:)[^)\s]/i.test(svg)) return 'url';
  return null;
}
const kind = (reason: string | null): string | null => {
  if (reason === null) return null;
  for (const [k, word] of [['dtd', 'DTD'], ['script', 'scripts'], ['stylesheet', 'stylesheets'], ['import', '@import'], ['unquoted', 'unquoted'], ['external', 'external reference'], ['url', 'url()']] as const) {
    if (reason.includes(word)) return k;
  }
  return reason;
};

describe('svgUnsafeReason agrees with the regular-expression rules it replaced', () => {
  const token = fc.constantFrom(
    '<svg>', '</svg>', '<', '< ', 'script', '<image ', 'href', 'HREF', 'xlink:href', 'ahref', ' ', '\n', '=', '"', "'", '#a', 'data:x', 'DATA:x',
    'http://h/x', 'url(', 'URL(', ')', '(', 'x', '/>', '<!DOCTYPE', '<!ENTITY', '<?xml-stylesheet', '@import', 'İ', 'К',
  );
  it('on generated documents', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 24 }).map((t) => t.join('')), (svg) => {
        const ours = kind(svgUnsafeReason(svg));
        const theirs = regexReference(svg);
        // Never weaker; where both refuse, for the same reason. The one place the scanner is
        // stricter: an empty `url()` nested inside another url(...), which a global match skipped.
        if (theirs !== null) expect(ours).toBe(theirs);
        else expect([ours, ours === null || /url\(\s*\)/i.test(svg)]).toEqual([ours, true]);
      }),
      { numRuns: 20_000 },
    );
  });

  it('scans adversarial documents in linear time', () => {
    // Each is quadratic or worse for the old patterns; 2 MB each, generous bound.
    for (const svg of ['href="'.repeat(350_000), `url(${' '.repeat(2_000_000)}`, `<${' '.repeat(2_000_000)}`, 'href ='.repeat(350_000) + ' '.repeat(1000)]) {
      const t0 = performance.now();
      svgUnsafeReason(svg);
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });
});
