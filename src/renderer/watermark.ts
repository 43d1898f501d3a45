import type { SKRSContext2D } from '@napi-rs/canvas';
import { fallbackFamilyList } from './fonts.js';

export const WATERMARK_TEXT = 'IMTEGRATE TEST';

/**
 * Test-key renders: the text repeated diagonally over the whole canvas, light fill with a
 * dark outline so it stays visible on both light and dark designs.
 */
export function drawWatermark(ctx: SKRSContext2D, width: number, height: number): void {
  const size = Math.max(16, Math.round(Math.min(width, height) / 9));
  ctx.save();
  ctx.font = `700 ${size}px ${fallbackFamilyList()}`;
  ctx.letterSpacing = '0px';
  ctx.wordSpacing = '0px';
  ctx.direction = 'ltr';
  ctx.lang = 'en';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = Math.max(1, size / 24);
  ctx.lineJoin = 'round';
  ctx.strokeStyle = 'rgba(0,0,0,0.30)';
  ctx.fillStyle = 'rgba(255,255,255,0.40)';
  const step = ctx.measureText(WATERMARK_TEXT).width + size * 1.5;
  const diagonal = Math.hypot(width, height);
  ctx.translate(width / 2, height / 2);
  ctx.rotate(-Math.PI / 6);
  let row = 0;
  for (let y = -diagonal / 2; y <= diagonal / 2; y += size * 3, row++) {
    // Alternate rows are offset by half a step so the pattern reads as a lattice.
    for (let x = -diagonal / 2 - (row % 2) * (step / 2); x <= diagonal / 2; x += step) {
      ctx.strokeText(WATERMARK_TEXT, x, y);
      ctx.fillText(WATERMARK_TEXT, x, y);
    }
  }
  ctx.restore();
}
