import { PyBool, PyDict, PyEnum, PyFloat, PyInt, PyList, PyLiteral, PyModel, PyStr, PyUuid } from '../validation/decorators.js';
import { INT32_MAX, ModelConfig, t } from '../validation/fields.js';
import { LIMITS } from '../renderer/index.js';
import { MODIFICATION_ITEM, MODIFICATIONS_DESCRIPTION } from './modification-input.js';

/* Colours and URLs are plain strings here: their finer rules (a parsable colour, an http(s)
   URL) are checked per layer afterwards and reported as 400s naming the layer. */
const color = { minLength: 1, maxLength: 64 };
const coord = { ge: -100_000, le: 100_000 };
const size = { gt: 0, le: 100_000 };
const url = { minLength: 1, maxLength: 2048 };

@ModelConfig({ extra: 'forbid' })
export class GradientStopDto {
  @PyFloat({ ge: 0, le: 1, example: 0 })
  offset: number;

  @PyStr({ ...color, example: '#0F172A' })
  color: string;
}

@ModelConfig({ extra: 'forbid' })
export class GradientDto {
  @PyEnum(['linear', 'radial'], { example: 'linear' })
  type: 'linear' | 'radial';

  @PyFloat({ ge: -360, le: 360, optional: true, example: 135, description: 'Degrees (CSS convention); linear only' })
  angle?: number;

  @PyList(() => GradientStopDto, { minItems: 2, maxItems: 16 })
  stops: GradientStopDto[];
}

@ModelConfig({ extra: 'forbid' })
export class ShadowDto {
  @PyFloat({ ge: -1000, le: 1000 })
  x: number;

  @PyFloat({ ge: -1000, le: 1000 })
  y: number;

  @PyFloat({ ge: 0, le: 500 })
  blur: number;

  @PyStr({ ...color })
  color: string;
}

@ModelConfig({ extra: 'forbid' })
export class StrokeDto {
  @PyFloat({ ge: 0, le: 500 })
  width: number;

  @PyStr({ ...color })
  color: string;
}

@ModelConfig({ extra: 'forbid' })
export class CropDto {
  @PyInt({ ge: 0, le: INT32_MAX })
  x: number;

  @PyInt({ ge: 0, le: INT32_MAX })
  y: number;

  @PyInt({ ge: 1, le: INT32_MAX })
  width: number;

  @PyInt({ ge: 1, le: INT32_MAX })
  height: number;
}

@ModelConfig({ extra: 'forbid' })
export class BackgroundDto {
  @PyStr({ ...color, optional: true, example: '#0F172A' })
  color?: string;

  @PyModel(GradientDto, { optional: true })
  gradient?: GradientDto;

  @PyUuid({ optional: true, description: 'An uploaded image asset, drawn to cover the canvas' })
  asset_id?: string;

  @PyStr({ ...url, optional: true })
  image_url?: string;
}

/** The hard ceiling of the schema; the per-layer limit operators set (TEMPLATE_MAX_KEYFRAMES) is a 400 below it. */
export const KEYFRAMES_SCHEMA_MAX = 1000;

/* Numbers without bounds here: order, ranges and the per-layer limit are 400s naming the layer
   (template-rules.ts), as every rule that spans a layer's fields. */
@ModelConfig({ extra: 'forbid' })
export class KeyframeDto {
  @PyFloat({ example: 0, description: 'Seconds from the start; strictly increasing within a layer' })
  t: number;

  @PyFloat({ optional: true, example: -600 })
  x?: number;

  @PyFloat({ optional: true })
  y?: number;

  @PyFloat({ optional: true, description: '0..1' })
  opacity?: number;

  @PyFloat({ optional: true, description: 'Multiplies the layer size around its centre (0..10)' })
  scale?: number;

  @PyFloat({ optional: true, description: 'Degrees clockwise around the layer centre' })
  rotation?: number;

  @PyStr({ maxLength: 32, optional: true, example: 'ease-out', description: 'Of the segment this keyframe starts: linear (default), ease-in, ease-out, ease-in-out' })
  easing?: string;
}

@ModelConfig({ extra: 'forbid' })
export class BaseLayerDto {
  @PyStr({ minLength: 1, maxLength: 100, example: 'headline', description: 'Unique in the template; modifications address layers by name' })
  name: string;

  @PyFloat({ ...coord, example: 60 })
  x: number;

  @PyFloat({ ...coord, example: 200 })
  y: number;

  @PyFloat({ ...size, example: 590 })
  width: number;

  @PyFloat({ ...size, example: 250 })
  height: number;

  @PyFloat({ ge: -360, le: 360, optional: true, description: 'Degrees clockwise around the layer centre' })
  rotation?: number;

  @PyFloat({ ge: 0, le: 1, optional: true })
  opacity?: number;

  @PyBool({ optional: true, description: 'Only dynamic layers accept modifications' })
  dynamic?: boolean;

  @PyBool({ optional: true })
  hidden?: boolean;

  @PyList(() => KeyframeDto, {
    maxItems: KEYFRAMES_SCHEMA_MAX,
    optional: true,
    description: 'Animation for videos (and previews at a time t): values interpolated between keyframes, held before the first and after the last',
  })
  keyframes?: KeyframeDto[];
}

export class TextLayerDto extends BaseLayerDto {
  @PyLiteral(['text'], { example: 'text' })
  type: 'text';

  @PyStr({ maxLength: LIMITS.maxTextLength, example: 'Hello world' })
  text: string;

  @PyStr({
    minLength: 1,
    maxLength: 100,
    optional: true,
    example: 'Noto Sans',
    description:
      "A family of this organisation's uploaded fonts or an installed family (case and spacing ignored; a CSS-style list is tried in order). Anything else draws with the fallback font and sets font_fallback in the text report.",
  })
  font_family?: string;

  @PyUuid({ optional: true, description: 'An uploaded font asset; wins over font_family' })
  font_asset_id?: string;

  @PyInt({ ge: 100, le: 900, optional: true, example: 700 })
  font_weight?: number;

  @PyEnum(['normal', 'italic'], { optional: true })
  font_style?: 'normal' | 'italic';

  @PyFloat({ gt: 0, le: 2000, optional: true, example: 64 })
  font_size?: number;

  @PyFloat({ gt: 0, le: 2000, optional: true, example: 24 })
  min_font_size?: number;

  @PyStr({ ...color, optional: true, example: '#FFFFFF' })
  color?: string;

  @PyEnum(['left', 'center', 'right', 'justify'], { optional: true })
  align?: 'left' | 'center' | 'right' | 'justify';

  @PyEnum(['top', 'middle', 'bottom'], { optional: true })
  vertical_align?: 'top' | 'middle' | 'bottom';

  @PyFloat({ gt: 0, le: 10, optional: true, example: 1.2 })
  line_height?: number;

  @PyFloat({ ge: -100, le: 1000, optional: true })
  letter_spacing?: number;

  @PyInt({ ge: 1, le: 1000, optional: true })
  max_lines?: number;

  @PyEnum(['shrink', 'wrap', 'none'], { optional: true, description: 'shrink: from font_size down to min_font_size, then ellipsis' })
  fit?: 'shrink' | 'wrap' | 'none';

  @PyStr({ ...color, optional: true })
  background_color?: string;

  @PyFloat({ ge: 0, le: 10_000, optional: true })
  padding?: number;

  @PyModel(ShadowDto, { optional: true })
  shadow?: ShadowDto;

  @PyModel(StrokeDto, { optional: true })
  stroke?: StrokeDto;
}

export class ImageLayerDto extends BaseLayerDto {
  @PyLiteral(['image'], { example: 'image' })
  type: 'image';

  @PyStr({ ...url, optional: true, example: 'https://example.com/photo.jpg' })
  image_url?: string;

  @PyUuid({ optional: true })
  asset_id?: string;

  @PyUuid({ optional: true, description: "Refused in templates (400 invalid_template): name a person in a render's modifications instead" })
  person_id?: string;

  @PyEnum(['cover', 'contain', 'fill'], { optional: true })
  fit?: 'cover' | 'contain' | 'fill';

  @PyModel(CropDto, { optional: true })
  crop?: CropDto;

  @PyEnum(['center', 'top', 'bottom', 'left', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right'], { optional: true })
  focus?: string;

  @PyFloat({ ge: 0, le: 10_000, optional: true })
  border_radius?: number;

  @PyStr({ ...color, optional: true })
  tint_color?: string;

  @PyBool({ optional: true })
  grayscale?: boolean;

  @PyModel(ShadowDto, { optional: true })
  shadow?: ShadowDto;
}

export class ShapeLayerDto extends BaseLayerDto {
  @PyLiteral(['shape'], { example: 'shape' })
  type: 'shape';

  @PyEnum(['rect', 'ellipse', 'line'], { example: 'rect' })
  shape: 'rect' | 'ellipse' | 'line';

  @PyStr({ ...color, optional: true })
  fill_color?: string;

  @PyModel(GradientDto, { optional: true })
  fill_gradient?: GradientDto;

  @PyStr({ ...color, optional: true })
  stroke_color?: string;

  @PyFloat({ ge: 0, le: 1000, optional: true })
  stroke_width?: number;

  @PyFloat({ ge: 0, le: 10_000, optional: true })
  border_radius?: number;

  @PyModel(ShadowDto, { optional: true })
  shadow?: ShadowDto;
}

export type LayerDto = TextLayerDto | ImageLayerDto | ShapeLayerDto;

const layer = t.union('type', { text: TextLayerDto, image: ImageLayerDto, shape: ShapeLayerDto });
const EXAMPLE_LAYERS = [
  { name: 'background_box', type: 'shape', shape: 'rect', x: 0, y: 0, width: 1200, height: 630, fill_color: '#0F172A' },
  { name: 'headline', type: 'text', x: 60, y: 200, width: 1080, height: 250, text: 'Hello world', font_size: 72, min_font_size: 28, color: '#FFFFFF', fit: 'shrink', dynamic: true },
  { name: 'photo', type: 'image', x: 900, y: 60, width: 240, height: 240, image_url: 'https://example.com/photo.jpg', border_radius: 24, dynamic: true },
];

@ModelConfig({ extra: 'forbid' })
export class CreateTemplateDto {
  @PyStr({ minLength: 1, maxLength: 200, example: 'Blog post card' })
  name: string;

  @PyInt({ ge: 1, le: LIMITS.maxCanvasSide, example: 1200 })
  width: number;

  @PyInt({ ge: 1, le: LIMITS.maxCanvasSide, example: 630 })
  height: number;

  @PyModel(BackgroundDto, { optional: true })
  background?: BackgroundDto;

  @PyList(layer, { maxItems: LIMITS.maxLayers, example: EXAMPLE_LAYERS, description: 'Array order is z-order (first is drawn first)' })
  layers: LayerDto[];

  @PyDict({ optional: true })
  metadata?: Record<string, unknown>;
}

/** Every field optional: PATCH edits the draft in place; published versions never change. */
@ModelConfig({ extra: 'forbid' })
export class UpdateTemplateDto {
  @PyStr({ minLength: 1, maxLength: 200, optional: true })
  name?: string;

  @PyInt({ ge: 1, le: LIMITS.maxCanvasSide, optional: true })
  width?: number;

  @PyInt({ ge: 1, le: LIMITS.maxCanvasSide, optional: true })
  height?: number;

  @PyModel(BackgroundDto, { optional: true })
  background?: BackgroundDto;

  @PyList(layer, { maxItems: LIMITS.maxLayers, optional: true })
  layers?: LayerDto[];

  @PyDict({ optional: true })
  metadata?: Record<string, unknown>;
}

@ModelConfig({ extra: 'ignore' })
export class ListTemplatesQuery {
  @PyInt({ ge: 1, le: 100, default: 20 })
  limit = 20;

  @PyStr({ maxLength: 200, optional: true })
  cursor?: string;

  @PyBool({ default: false })
  include_archived = false;
}

@ModelConfig({ extra: 'forbid' })
export class PreviewTemplateDto {
  @PyInt({ ge: 1, le: INT32_MAX, optional: true, description: 'A published version; default: the current draft' })
  version?: number;

  @PyList(MODIFICATION_ITEM, {
    maxItems: LIMITS.maxModifications,
    default: [],
    example: [{ name: 'headline', text: 'Preview me' }],
    description: MODIFICATIONS_DESCRIPTION,
  })
  modifications: Record<string, unknown>[] = [];

  @PyEnum(['png', 'jpeg', 'webp', 'avif'], { default: 'png' })
  format: 'png' | 'jpeg' | 'webp' | 'avif' = 'png';

  @PyInt({ ge: 1, le: 100, optional: true })
  quality?: number;

  @PyInt({ ge: 1, le: 3, default: 1 })
  scale = 1;

  @PyFloat({ ge: 0, le: LIMITS.keyframeTimeMax, default: 0, description: 'Seconds: an animated template (layers with keyframes) is drawn as its frame at this time, as a video shows it' })
  t = 0;
}
