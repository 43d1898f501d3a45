/**
 * The template document model shared by the API (validation), the worker and the pure renderer.
 * Field names are the public JSON names (snake_case). Optional fields take the defaults in
 * LAYER_DEFAULTS when absent.
 */

/** `#RGB`, `#RRGGBB`, `#RRGGBBAA`, `rgb(r, g, b)` or `rgba(r, g, b, a)` (a in 0..1). */
export type Color = string;

export interface GradientStop {
  /** 0..1 */
  offset: number;
  color: Color;
}

export interface Gradient {
  type: 'linear' | 'radial';
  /** Degrees, CSS convention: 0 = to top, 90 = to right, 180 = to bottom. Linear only. */
  angle?: number;
  stops: GradientStop[];
}

export interface Shadow {
  x: number;
  y: number;
  blur: number;
  color: Color;
}

export interface TextStroke {
  width: number;
  color: Color;
}

/** Drawn bottom-up: color, then gradient, then image (cover). All optional; default white. */
export interface Background {
  color?: Color;
  gradient?: Gradient;
  asset_id?: string;
  image_url?: string;
}

export type LayerType = 'text' | 'image' | 'shape';

export type Easing = 'linear' | 'ease-in' | 'ease-out' | 'ease-in-out';

export const EASINGS: readonly Easing[] = ['linear', 'ease-in', 'ease-out', 'ease-in-out'];

/**
 * One point of a layer's animation, `t` seconds from the start. Each property animates on its
 * own track (the keyframes that give it); a layer's own value holds where no keyframe gives one.
 */
export interface Keyframe {
  t: number;
  x?: number;
  y?: number;
  /** 0..1 */
  opacity?: number;
  /** Multiplies the layer's size around its centre. Default 1. */
  scale?: number;
  /** Degrees clockwise around the layer centre. */
  rotation?: number;
  /** Of the segment this keyframe starts. Default 'linear'. */
  easing?: Easing;
}

export interface BaseLayer {
  /** Unique within the template; modifications address layers by name. */
  name: string;
  type: LayerType;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Degrees clockwise around the layer centre. Default 0. */
  rotation?: number;
  /** 0..1. Default 1. */
  opacity?: number;
  /** Only dynamic layers accept modifications. Default false. */
  dynamic?: boolean;
  hidden?: boolean;
  /** Sorted by strictly increasing t. A layer with keyframes moves in videos (and previews at a time). */
  keyframes?: Keyframe[];
}

export type TextAlign = 'left' | 'center' | 'right' | 'justify';
export type VerticalAlign = 'top' | 'middle' | 'bottom';
export type TextFit = 'shrink' | 'wrap' | 'none';

export interface TextLayer extends BaseLayer {
  type: 'text';
  text: string;
  /** Default 'Noto Sans'. Per-character fallback covers Arabic, Hebrew, CJK and colour emoji. */
  font_family?: string;
  /** A custom font uploaded as an asset; takes precedence over font_family when set. */
  font_asset_id?: string;
  /** 100..900. Default 400. */
  font_weight?: number;
  font_style?: 'normal' | 'italic';
  /** Pixels. Default 48. */
  font_size?: number;
  /** Pixels; fit=shrink never goes below it. Default 12. */
  min_font_size?: number;
  /** Default '#000000'. */
  color?: Color;
  /** Default 'left' ('right' for text whose first strong character is RTL). */
  align?: TextAlign;
  /** Default 'top'. */
  vertical_align?: VerticalAlign;
  /** Multiple of the font size. Default 1.2. */
  line_height?: number;
  /** Extra pixels between characters. Default 0. */
  letter_spacing?: number;
  /** Unlimited when absent. */
  max_lines?: number;
  /** Default 'shrink'. */
  fit?: TextFit;
  background_color?: Color;
  /** Pixels inside the box on every side. Default 0. */
  padding?: number;
  shadow?: Shadow;
  stroke?: TextStroke;
}

export type ImageFit = 'cover' | 'contain' | 'fill';
export type ImageFocus =
  | 'center'
  | 'top'
  | 'bottom'
  | 'left'
  | 'right'
  | 'top_left'
  | 'top_right'
  | 'bottom_left'
  | 'bottom_right';

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ImageLayer extends BaseLayer {
  type: 'image';
  /** Exactly one source: image_url, asset_id or person_id (or none: the layer is skipped). */
  image_url?: string;
  asset_id?: string;
  person_id?: string;
  /** Default 'cover'. */
  fit?: ImageFit;
  /** In source pixels, applied before fit. */
  crop?: CropRect;
  /** Anchor for fit=cover. Default 'center'. */
  focus?: ImageFocus;
  border_radius?: number;
  tint_color?: Color;
  grayscale?: boolean;
  shadow?: Shadow;
}

export type ShapeKind = 'rect' | 'ellipse' | 'line';

export interface ShapeLayer extends BaseLayer {
  type: 'shape';
  shape: ShapeKind;
  fill_color?: Color;
  fill_gradient?: Gradient;
  stroke_color?: Color;
  stroke_width?: number;
  border_radius?: number;
  shadow?: Shadow;
}

export type Layer = TextLayer | ImageLayer | ShapeLayer;

/** What a published version (or a draft, for previews) hands to the renderer. */
export interface TemplateDocument {
  width: number;
  height: number;
  background?: Background;
  /** Array order is z-order: index 0 is drawn first (bottom). */
  layers: Layer[];
}

/** One entry of a render request: the layer name plus the properties it overrides. */
export interface Modification {
  name: string;
  [property: string]: unknown;
}

export type OutputFormat = 'png' | 'jpeg' | 'webp' | 'avif';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp', 'avif'];

export const LIMITS = {
  maxCanvasSide: 8192,
  maxCanvasPixels: 40_000_000,
  maxLayers: 200,
  maxTextLength: 10_000,
  maxModifications: 200,
  /** Decoded pixel limit for any input image (sharp limitInputPixels). */
  maxInputPixels: 40_000_000,
  maxRemoteImageBytes: 15 * 1024 * 1024,
  /**
   * Default per-render budgets (the caller passes its own in RenderOptions): decoded pixels
   * summed over every image the render decodes, SVG-embedded ones included, and the bytes of
   * every source it is handed (images, fonts, SVG-embedded data: URIs).
   */
  maxRenderPixels: 100_000_000,
  maxRenderBytes: 100 * 1024 * 1024,
  /** data: URIs in one SVG source, all nesting levels together. */
  maxEmbeddedImages: 1000,
  /** An SVG embedding an SVG is depth 2. */
  maxSvgNesting: 8,
  thumbnailWidth: 400,
  /** Keyframe value ranges (checked at template save; the renderer clamps to them). */
  keyframeScaleMax: 10,
  keyframeTimeMax: 3600,
} as const;
