/**
 * Public types of the pure renderer. Nothing here may depend on Nest, the database or the
 * network: the worker resolves every external byte up front and hands it in.
 */

import type { OutputFormat } from './document.js';

// The formats belong to the document model; re-exported for the renderer's own modules.
export { OUTPUT_FORMATS, type OutputFormat } from './document.js';

/**
 * Bytes the worker fetched for a render. Image keys are the refs produced by
 * `collectSources` (`url:<image_url>`, `asset:<asset_id>`, `person:<person_id>`); font keys
 * are font asset ids.
 */
export interface ResolvedAssets {
  images: Map<string, Buffer>;
  fonts: Map<string, Buffer>;
  /**
   * The rendering organisation's fonts by family: family key (font-names.ts) -> font asset id,
   * whose bytes are in `fonts`. A font_family resolves to an uploaded font only through here.
   */
  families?: Map<string, string>;
}

export interface RenderOptions {
  format: OutputFormat;
  /** 1-100. Defaults: jpeg 85, webp 85, avif 60; ignored for png. */
  quality?: number;
  /** 1-3, default 1: the output is width*scale x height*scale. */
  scale?: number;
  /** Test-key renders: a visible diagonal "IMTEGRATE TEST" watermark. */
  watermark?: boolean;
  /** Default 400 (never wider than the output). */
  thumbnailWidth?: number;
  /**
   * Decoded pixels the whole render may decode: every image layer's and the background's source
   * (an SVG at the density it is rasterised at) plus every raster and SVG embedded in an SVG,
   * recursively. Read from headers before anything is decoded. Default LIMITS.maxRenderPixels.
   */
  maxDecodedPixels?: number;
  /**
   * Bytes of every source the render uses (images, fonts) plus the decoded payloads of the
   * data: URIs SVGs embed. Default LIMITS.maxRenderBytes.
   */
  maxDecodedBytes?: number;
  /**
   * Whose render this is (the organisation id): uploaded fonts are registered per namespace,
   * so no registration is ever shared between two organisations. Default ''.
   */
  fontNamespace?: string;
  /**
   * Seconds from the start: a document with keyframes is drawn as its frame at this time (the
   * frame a video shows then). Default 0; ignored without keyframes.
   */
  time?: number;
}

export interface TextReport {
  layer: string;
  font_size_used: number;
  /** Lines drawn. */
  lines: number;
  truncated: boolean;
  /** Characters (in order of first appearance) that no installed or custom font covers. */
  missing_glyphs: string[];
  /**
   * True when the layer named a font_family that is neither one of the organisation's
   * uploaded fonts nor an installed family: the fallback font drew it.
   */
  font_fallback: boolean;
}

export interface EncodedInfo {
  width: number;
  height: number;
  format: OutputFormat;
  bytes: number;
}

/** Stored as-is as the API's `image_metadata`, hence the snake_case keys. */
export interface RenderReport extends EncodedInfo {
  thumbnail: EncodedInfo;
  text: TextReport[];
}

export interface RenderResult {
  buffer: Buffer;
  thumbnail: Buffer;
  report: RenderReport;
}

export type RenderErrorCode =
  /** An image source the layer needs is not in ResolvedAssets.images. */
  | 'image_unavailable'
  /** The bytes are not a decodable image (or an SVG with external references). */
  | 'image_invalid'
  /** The decoded image would exceed LIMITS.maxInputPixels. */
  | 'image_too_large'
  | 'font_unavailable'
  | 'font_invalid'
  /** width*scale x height*scale exceeds LIMITS.maxCanvasPixels or the encoder's maximum side. */
  | 'canvas_too_large'
  | 'invalid_options'
  /** Per-render budgets (RenderOptions.maxDecodedPixels / maxDecodedBytes, LIMITS.maxLayers / maxTextLength). */
  | 'render_pixel_budget_exceeded'
  | 'render_bytes_budget_exceeded'
  | 'render_layer_budget_exceeded'
  | 'render_text_budget_exceeded'
  | 'encode_failed'
  /** RenderPool only: the thread died or exceeded its time budget. */
  | 'render_crashed'
  | 'render_timeout'
  /** RenderPool only: more renders are waiting than its queue holds. */
  | 'render_busy';

/**
 * The only error renderImage throws on purpose. `layer` names the offending layer
 * (`background` for the template background) so the API can report `error.layer`.
 */
export class RenderError extends Error {
  override readonly name = 'RenderError';
  readonly code: RenderErrorCode;
  readonly layer?: string;

  constructor(code: RenderErrorCode, message: string, layer?: string) {
    super(message);
    this.code = code;
    if (layer !== undefined) this.layer = layer;
  }

  toJSON(): { code: RenderErrorCode; message: string; layer?: string } {
    return this.layer === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, layer: this.layer };
  }
}

export function isRenderError(e: unknown): e is RenderError {
  return e instanceof RenderError;
}
