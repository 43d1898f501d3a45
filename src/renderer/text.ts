import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { TextLayer } from './document.js';
import { parseColor, toCss } from './color.js';
import { findMissingGlyphs, type FontScope } from './fonts.js';
import { applyShadow, clearShadow } from './paint.js';
import { firstStrongDirection, fitText, toParagraphs, type FitResult, type Measure } from './text-layout.js';
import type { TextReport } from './types.js';
import { isRecord, num, oneOf, str } from './util.js';

/** A text layer measured and laid out, ready to draw at its final size. */
export interface PreparedText {
  report: TextReport;
  fit: FitResult;
  font: (size: number) => string;
  letterSpacing: number;
  lineHeight: number;
  align: 'left' | 'center' | 'right' | 'justify';
  verticalAlign: 'top' | 'middle' | 'bottom';
  padding: number;
  color: string;
  background: string | null;
  stroke: { width: number; color: string } | null;
}

/** One scratch context per thread for measuring; measuring does not depend on the target. */
let scratch: SKRSContext2D | undefined;
let scratchKey = '';

function measurer(font: string, letterSpacing: number): Measure {
  scratch ??= createCanvas(1, 1).getContext('2d');
  const ctx = scratch;
  const key = `${font}|${letterSpacing}`;
  return (text) => {
    if (scratchKey !== key) {
      ctx.font = font;
      ctx.letterSpacing = `${letterSpacing}px`;
      ctx.wordSpacing = '0px';
      ctx.direction = 'ltr';
      ctx.lang = 'en';
      scratchKey = key;
    }
    return ctx.measureText(text).width;
  };
}

export function prepareText(layer: TextLayer, fonts: FontScope): PreparedText {
  const name = str(layer.name);
  const resolved = fonts.resolve(layer, name);
  const families = resolved.families;
  const weight = Math.round(num(layer.font_weight, 400, 100, 900) / 100) * 100;
  const style = layer.font_style === 'italic' ? 'italic ' : '';
  const font = (size: number) => `${style}${weight} ${size}px ${families}`;

  // Never cut: renderDocument refused text over LIMITS.maxTextLength (checkDocumentBudget).
  const text = str(layer.text);
  const fontSize = num(layer.font_size, 48, 1, 2000);
  const minFontSize = num(layer.min_font_size, 12, 1, fontSize);
  const lineHeight = num(layer.line_height, 1.2, 0.1, 10);
  const letterSpacing = num(layer.letter_spacing, 0, -1000, 1000);
  const padding = num(layer.padding, 0, 0, 100000);
  const width = num(layer.width, 0);
  const height = num(layer.height, 0);
  const fitMode = oneOf(layer.fit, ['shrink', 'wrap', 'none'] as const, 'shrink');
  const maxLines = layer.max_lines === undefined ? undefined : Math.floor(num(layer.max_lines, 0, 0, 10000)) || undefined;
  const textDir = firstStrongDirection(text) ?? 'ltr';

  const innerWidth = Math.max(0, width - 2 * padding);
  const innerHeight = Math.max(0, height - 2 * padding);
  const paragraphs = toParagraphs(text, fitMode === 'none', textDir);
  const fit =
    innerWidth > 0 && innerHeight > 0 && text.length > 0
      ? fitText({
          paragraphs,
          fit: fitMode,
          fontSize,
          minFontSize,
          lineHeight,
          maxLines,
          innerWidth,
          innerHeight,
          measureAt: (size) => measurer(font(size), letterSpacing),
        })
      : { size: fontSize, lines: [], truncated: text.length > 0, overflowX: false };

  const stroke = isRecord(layer.stroke) ? layer.stroke : undefined;
  const strokeColor = stroke ? parseColor(stroke.color) : null;
  const strokeWidth = stroke ? num(stroke.width, 0, 0, 1000) : 0;
  return {
    report: {
      layer: name,
      font_size_used: fit.size,
      lines: fit.lines.length,
      truncated: fit.truncated,
      missing_glyphs: findMissingGlyphs(text, resolved.coverage),
      font_fallback: resolved.fallback,
    },
    fit,
    font,
    letterSpacing,
    lineHeight,
    align: oneOf(layer.align, ['left', 'center', 'right', 'justify'] as const, textDir === 'rtl' ? 'right' : 'left'),
    verticalAlign: oneOf(layer.vertical_align, ['top', 'middle', 'bottom'] as const, 'top'),
    padding,
    color: toCss(parseColor(layer.color) ?? { r: 0, g: 0, b: 0, a: 1 }),
    background: (() => {
      const c = parseColor(layer.background_color);
      return c ? toCss(c) : null;
    })(),
    stroke: strokeColor && strokeWidth > 0 ? { width: strokeWidth, color: toCss(strokeColor) } : null,
  };
}

/**
 * Draws in layer coordinates (the caller has applied rotation). Paragraph direction goes to
 * ctx.direction, so Skia runs bidi and shaping (Arabic joining, Hebrew order) on each line;
 * alignment is computed here in physical terms.
 */
export function drawText(
  ctx: SKRSContext2D,
  t: PreparedText,
  layer: TextLayer,
  box: { x: number; y: number; width: number; height: number },
  scale: number,
  rotation: number,
): void {
  if (t.background) {
    ctx.fillStyle = t.background;
    ctx.fillRect(box.x, box.y, box.width, box.height);
  }
  const { lines, size } = t.fit;
  if (lines.length === 0) return;
  const left = box.x + t.padding;
  const top = box.y + t.padding;
  const innerW = box.width - 2 * t.padding;
  const innerH = box.height - 2 * t.padding;
  const lh = size * t.lineHeight;

  ctx.font = t.font(size);
  ctx.lang = 'en';
  ctx.letterSpacing = `${t.letterSpacing}px`;
  ctx.wordSpacing = '0px';
  ctx.textBaseline = 'alphabetic';
  const metrics = ctx.measureText('Hg');
  const ascent = metrics.fontBoundingBoxAscent;
  const descent = metrics.fontBoundingBoxDescent;
  const blockH = lines.length * lh;
  const offsetY = t.verticalAlign === 'middle' ? (innerH - blockH) / 2 : t.verticalAlign === 'bottom' ? innerH - blockH : 0;

  if (t.fit.overflowX) {
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.width, box.height);
    ctx.clip();
  }
  if (t.stroke) {
    ctx.lineJoin = 'round';
    ctx.miterLimit = 2;
    // Drawn under the fill at twice the width, so `width` pixels show outside the glyphs.
    ctx.lineWidth = t.stroke.width * 2;
    ctx.strokeStyle = t.stroke.color;
  }
  lines.forEach((line, i) => {
    const baseline = top + offsetY + i * lh + (lh - (ascent + descent)) / 2 + ascent;
    ctx.direction = line.dir;
    const justify = t.align === 'justify' && !line.paragraphEnd;
    let align: 'left' | 'right' | 'center' =
      t.align === 'justify' ? (line.dir === 'rtl' ? 'right' : 'left') : t.align;
    if (justify) {
      ctx.wordSpacing = '0px';
      ctx.letterSpacing = `${t.letterSpacing}px`;
      const natural = ctx.measureText(line.text).width;
      const spaces = (line.text.match(/ /g) ?? []).length;
      const extra = innerW - natural;
      if (extra > 0 && spaces > 0) ctx.wordSpacing = `${extra / spaces}px`;
      else if (extra > 0) {
        const n = [...line.text].length;
        if (n > 1) ctx.letterSpacing = `${t.letterSpacing + extra / (n - 1)}px`;
      }
      align = line.dir === 'rtl' ? 'right' : 'left';
    }
    ctx.textAlign = align;
    const x = align === 'left' ? left : align === 'right' ? left + innerW : left + innerW / 2;
    const shadowed = applyShadow(ctx, layer.shadow, scale, rotation);
    if (t.stroke) {
      ctx.strokeText(line.text, x, baseline);
      if (shadowed) clearShadow(ctx);
    }
    ctx.fillStyle = t.color;
    ctx.fillText(line.text, x, baseline);
    if (shadowed) clearShadow(ctx);
    if (justify) {
      ctx.wordSpacing = '0px';
      ctx.letterSpacing = `${t.letterSpacing}px`;
    }
  });
}
