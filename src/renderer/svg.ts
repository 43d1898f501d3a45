/**
 * The one SVG safety check, shared by asset upload and rendering. librsvg (inside sharp) would
 * follow external references and expand entities, so an SVG is only accepted when it is
 * self-contained. Deliberately strict: encoded tricks such as `href="&#104;ttp:..."` fail
 * because they do not start with # or data:.
 */

const SAFE_REF = /^\s*(#|data:)/i;

/** Why the SVG is not self-contained, or null when it is. */
export function svgUnsafeReason(svg: string): string | null {
  if (/<!DOCTYPE|<!ENTITY/i.test(svg)) return 'SVG documents may not declare a DTD or entities';
  if (/<\s*script/i.test(svg)) return 'SVG documents may not contain scripts';
  if (/<\?xml-stylesheet/i.test(svg)) return 'external stylesheets are not allowed';
  if (/@import/i.test(svg)) return 'CSS @import is not allowed';
  for (const m of svg.matchAll(/\b(?:xlink:)?href\s*=\s*(["'])([\s\S]*?)\1/gi)) {
    if (!SAFE_REF.test(m[2])) return `external reference "${m[2].trim().slice(0, 100)}" is not allowed`;
  }
  // An href without quotes is not well-formed XML, but do not rely on the parser agreeing.
  if (/\bhref\s*=\s*[^\s"']/i.test(svg)) return 'unquoted href is not allowed';
  for (const m of svg.matchAll(/url\(\s*(["']?)([\s\S]*?)\1\s*\)/gi)) {
    if (!SAFE_REF.test(m[2])) return 'external url() references are not allowed';
  }
  // Also catches a url( that never closes, which the pattern above does not see.
  if (/url\(\s*["']?\s*(?!#|data:)[^)\s]/i.test(svg)) return 'external url() references are not allowed';
  return null;
}
