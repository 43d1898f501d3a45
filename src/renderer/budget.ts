import { LIMITS, type Layer } from './document.js';
import { RenderError } from './types.js';

/**
 * Per-render budgets. Each exceeded budget fails the render with its own code, naming the layer
 * that went over, before the work it would have cost is done: layers and text are counted
 * before layout, bytes before any header is read, pixels from headers before any decode.
 */

/** Characters as the API counts them (code points, Python's len), so what POST accepted renders. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * The document model's limits, checked again when drawing: a stored version or a draft reaches
 * the renderer without passing the request validation of today (an older row, a preview, the CLI).
 */
export function checkDocumentBudget(layers: readonly Layer[]): void {
  if (layers.length > LIMITS.maxLayers) {
    throw new RenderError('render_layer_budget_exceeded', `the render has ${layers.length} layers; the limit is ${LIMITS.maxLayers}`);
  }
  for (const layer of layers) {
    if (layer.type !== 'text' || typeof layer.text !== 'string') continue;
    const n = codePoints(layer.text);
    if (n > LIMITS.maxTextLength) {
      throw new RenderError(
        'render_text_budget_exceeded',
        `text is ${n} characters; the limit is ${LIMITS.maxTextLength} per layer`,
        String(layer.name),
      );
    }
  }
}

/** Running totals of one render against its pixel and byte budgets. */
export class RenderBudget {
  private pixels = 0;
  private bytes = 0;

  constructor(
    readonly maxPixels: number,
    readonly maxBytes: number,
  ) {}

  /** Bytes still allowed (0 once over). */
  get bytesLeft(): number {
    return Math.max(0, this.maxBytes - this.bytes);
  }

  addBytes(n: number, layer: string): void {
    this.bytes += n;
    if (this.bytes > this.maxBytes) {
      throw new RenderError(
        'render_bytes_budget_exceeded',
        `the render's sources add up to more than ${this.maxBytes} bytes (${this.bytes} so far)`,
        layer,
      );
    }
  }

  addPixels(n: number, layer: string): void {
    this.pixels += n;
    if (this.pixels > this.maxPixels) {
      throw new RenderError(
        'render_pixel_budget_exceeded',
        `the render's images decode to more than ${this.maxPixels} pixels (${Math.round(this.pixels)} so far)`,
        layer,
      );
    }
  }
}
