/** Colour parsing for the formats the template model allows; nothing else is accepted. */

export interface Rgba {
  /** 0-255 */
  r: number;
  g: number;
  b: number;
  /** 0-1 */
  a: number;
}

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
// Linear-time patterns (no two quantifiers that can trade characters); the parts are trimmed below.
const FUNC = /^rgba?\(([^)]*)\)$/i;
const NUM = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
/** Longer than any colour can be written; refused before any pattern runs. */
const MAX_COLOR_LENGTH = 256;

/** `#RGB`, `#RRGGBB`, `#RRGGBBAA`, `rgb(r, g, b)`, `rgba(r, g, b, a)`; null for anything else. */
export function parseColor(input: unknown): Rgba | null {
  if (typeof input !== 'string' || input.length > MAX_COLOR_LENGTH) return null;
  const s = input.trim();
  const hex = HEX.exec(s);
  if (hex) {
    let h = hex[1];
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    const n = (i: number) => parseInt(h.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: h.length === 8 ? Math.round((n(6) / 255) * 1000) / 1000 : 1 };
  }
  const fn = FUNC.exec(s);
  if (!fn) return null;
  const isRgba = s[3] === 'a' || s[3] === 'A';
  const parts = fn[1].split(',').map((p) => p.trim());
  if (parts.length !== (isRgba ? 4 : 3) || !parts.every((p) => NUM.test(p))) return null;
  const [r, g, b, a = 1] = parts.map(Number);
  const channelOk = (v: number) => v >= 0 && v <= 255;
  if (!channelOk(r) || !channelOk(g) || !channelOk(b) || !(a >= 0 && a <= 1)) return null;
  return { r: Math.round(r), g: Math.round(g), b: Math.round(b), a };
}

export function toCss(c: Rgba): string {
  return `rgba(${c.r},${c.g},${c.b},${c.a})`;
}

/** parseColor + toCss with a fallback, for fields where a bad value must not abort a render. */
export function cssColor(input: unknown, fallback: string | null): string | null {
  const c = parseColor(input);
  return c ? toCss(c) : fallback;
}
