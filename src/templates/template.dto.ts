import { PyField } from '../validation/decorators.js';
import { ModelConfig, t } from '../validation/fields.js';
import { LIMITS } from '../renderer/document.js';

/* Colours and URLs are plain strings here: their finer rules (a parsable colour, an http(s)
   URL) are checked per layer afterwards and reported as 400s naming the layer. */
const color = t.str({ minLength: 1, maxLength: 64 });
const coord = t.float({ ge: -100_000, le: 100_000 });
const size = t.float({ gt: 0, le: 100_000 });
const url = t.str({ minLength: 1, maxLength: 2048 });

@ModelConfig({ extra: 'forbid' })
export class GradientStopDto {
  @PyField(t.float({ ge: 0, le: 1 }), { example: 0 })
  offset: number;

  @PyField(color, { example: '#0F172A' })
  color: string;
}

@ModelConfig({ extra: 'forbid' })
export class GradientDto {
  @PyField(t.enum(['linear', 'radial']), { example: 'linear' })
  type: 'linear' | 'radial';

  @PyField(t.float({ ge: -360, le: 360 }), { optional: true, example: 135, description: 'Degrees (CSS convention); linear only' })
  angle?: number;

  @PyField(t.array(() => GradientStopDto, { minItems: 2, maxItems: 16 }))
  stops: GradientStopDto[];
}

@ModelConfig({ extra: 'forbid' })
export class ShadowDto {
  @PyField(t.float({ ge: -1000, le: 1000 }))
  x: number;

  @PyField(t.float({ ge: -1000, le: 1000 }))
  y: number;

  @PyField(t.float({ ge: 0, le: 500 }))
  blur: number;

  @PyField(color)
  color: string;
}

@ModelConfig({ extra: 'forbid' })
export class StrokeDto {
  @PyField(t.float({ ge: 0, le: 500 }))
  width: number;

  @PyField(color)
  color: string;
}

@ModelConfig({ extra: 'forbid' })
export class CropDto {
  @PyField(t.int({ ge: 0 }))
  x: number;

  @PyField(t.int({ ge: 0 }))
  y: number;

  @PyField(t.int({ ge: 1 }))
  width: number;

  @PyField(t.int({ ge: 1 }))
  height: number;
}

@ModelConfig({ extra: 'forbid' })
export class BackgroundDto {
  @PyField(color, { optional: true, example: '#0F172A' })
  color?: string;

  @PyField(t.model(GradientDto), { optional: true })
  gradient?: GradientDto;

  @PyField(t.uuid(), { optional: true, description: 'An uploaded image asset, drawn to cover the canvas' })
  asset_id?: string;

  @PyField(url, { optional: true })
  image_url?: string;
}

@ModelConfig({ extra: 'forbid' })
export class BaseLayerDto {
  @PyField(t.str({ minLength: 1, maxLength: 100 }), { example: 'headline', description: 'Unique in the template; modifications address layers by name' })
  name: string;

  @PyField(coord, { example: 60 })
  x: number;

  @PyField(coord, { example: 200 })
  y: number;

  @PyField(size, { example: 590 })
  width: number;

  @PyField(size, { example: 250 })
  height: number;

  @PyField(t.float({ ge: -360, le: 360 }), { optional: true, description: 'Degrees clockwise around the layer centre' })
  rotation?: number;

  @PyField(t.float({ ge: 0, le: 1 }), { optional: true })
  opacity?: number;

  @PyField(t.bool(), { optional: true, description: 'Only dynamic layers accept modifications' })
  dynamic?: boolean;

  @PyField(t.bool(), { optional: true })
  hidden?: boolean;
}

export class TextLayerDto extends BaseLayerDto {
  @PyField(t.literal(['text']), { example: 'text' })
  type: 'text';

  @PyField(t.str({ maxLength: LIMITS.maxTextLength }), { example: 'Hello world' })
  text: string;

  @PyField(t.str({ minLength: 1, maxLength: 100 }), { optional: true, example: 'Noto Sans' })
  font_family?: string;

  @PyField(t.uuid(), { optional: true, description: 'An uploaded font asset; wins over font_family' })
  font_asset_id?: string;

  @PyField(t.int({ ge: 100, le: 900 }), { optional: true, example: 700 })
  font_weight?: number;

  @PyField(t.enum(['normal', 'italic']), { optional: true })
  font_style?: 'normal' | 'italic';

  @PyField(t.float({ gt: 0, le: 2000 }), { optional: true, example: 64 })
  font_size?: number;

  @PyField(t.float({ gt: 0, le: 2000 }), { optional: true, example: 24 })
  min_font_size?: number;

  @PyField(color, { optional: true, example: '#FFFFFF' })
  color?: string;

  @PyField(t.enum(['left', 'center', 'right', 'justify']), { optional: true })
  align?: 'left' | 'center' | 'right' | 'justify';

  @PyField(t.enum(['top', 'middle', 'bottom']), { optional: true })
  vertical_align?: 'top' | 'middle' | 'bottom';

  @PyField(t.float({ gt: 0, le: 10 }), { optional: true, example: 1.2 })
  line_height?: number;

  @PyField(t.float({ ge: -100, le: 1000 }), { optional: true })
  letter_spacing?: number;

  @PyField(t.int({ ge: 1, le: 1000 }), { optional: true })
  max_lines?: number;

  @PyField(t.enum(['shrink', 'wrap', 'none']), { optional: true, description: 'shrink: from font_size down to min_font_size, then ellipsis' })
  fit?: 'shrink' | 'wrap' | 'none';

  @PyField(color, { optional: true })
  background_color?: string;

  @PyField(t.float({ ge: 0, le: 10_000 }), { optional: true })
  padding?: number;

  @PyField(t.model(ShadowDto), { optional: true })
  shadow?: ShadowDto;

  @PyField(t.model(StrokeDto), { optional: true })
  stroke?: StrokeDto;
}

export class ImageLayerDto extends BaseLayerDto {
  @PyField(t.literal(['image']), { example: 'image' })
  type: 'image';

  @PyField(url, { optional: true, example: 'https://example.com/photo.jpg' })
  image_url?: string;

  @PyField(t.uuid(), { optional: true })
  asset_id?: string;

  @PyField(t.uuid(), { optional: true })
  person_id?: string;

  @PyField(t.enum(['cover', 'contain', 'fill']), { optional: true })
  fit?: 'cover' | 'contain' | 'fill';

  @PyField(t.model(CropDto), { optional: true })
  crop?: CropDto;

  @PyField(t.enum(['center', 'top', 'bottom', 'left', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right']), { optional: true })
  focus?: string;

  @PyField(t.float({ ge: 0, le: 10_000 }), { optional: true })
  border_radius?: number;

  @PyField(color, { optional: true })
  tint_color?: string;

  @PyField(t.bool(), { optional: true })
  grayscale?: boolean;

  @PyField(t.model(ShadowDto), { optional: true })
  shadow?: ShadowDto;
}

export class ShapeLayerDto extends BaseLayerDto {
  @PyField(t.literal(['shape']), { example: 'shape' })
  type: 'shape';

  @PyField(t.enum(['rect', 'ellipse', 'line']), { example: 'rect' })
  shape: 'rect' | 'ellipse' | 'line';

  @PyField(color, { optional: true })
  fill_color?: string;

  @PyField(t.model(GradientDto), { optional: true })
  fill_gradient?: GradientDto;

  @PyField(color, { optional: true })
  stroke_color?: string;

  @PyField(t.float({ ge: 0, le: 1000 }), { optional: true })
  stroke_width?: number;

  @PyField(t.float({ ge: 0, le: 10_000 }), { optional: true })
  border_radius?: number;

  @PyField(t.model(ShadowDto), { optional: true })
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
  @PyField(t.str({ minLength: 1, maxLength: 200 }), { example: 'Blog post card' })
  name: string;

  @PyField(t.int({ ge: 1, le: LIMITS.maxCanvasSide }), { example: 1200 })
  width: number;

  @PyField(t.int({ ge: 1, le: LIMITS.maxCanvasSide }), { example: 630 })
  height: number;

  @PyField(t.model(BackgroundDto), { optional: true })
  background?: BackgroundDto;

  @PyField(t.array(layer, { maxItems: LIMITS.maxLayers }), { example: EXAMPLE_LAYERS, description: 'Array order is z-order (first is drawn first)' })
  layers: LayerDto[];

  @PyField(t.dict(), { optional: true })
  metadata?: Record<string, unknown>;
}

/** Every field optional: PATCH edits the draft in place; published versions never change. */
@ModelConfig({ extra: 'forbid' })
export class UpdateTemplateDto {
  @PyField(t.str({ minLength: 1, maxLength: 200 }), { optional: true })
  name?: string;

  @PyField(t.int({ ge: 1, le: LIMITS.maxCanvasSide }), { optional: true })
  width?: number;

  @PyField(t.int({ ge: 1, le: LIMITS.maxCanvasSide }), { optional: true })
  height?: number;

  @PyField(t.model(BackgroundDto), { optional: true })
  background?: BackgroundDto;

  @PyField(t.array(layer, { maxItems: LIMITS.maxLayers }), { optional: true })
  layers?: LayerDto[];

  @PyField(t.dict(), { optional: true })
  metadata?: Record<string, unknown>;
}

@ModelConfig({ extra: 'ignore' })
export class ListTemplatesQuery {
  @PyField(t.int({ ge: 1, le: 100 }), { default: 20 })
  limit = 20;

  @PyField(t.str({ maxLength: 200 }), { optional: true })
  cursor?: string;

  @PyField(t.bool(), { default: false })
  include_archived = false;
}

@ModelConfig({ extra: 'forbid' })
export class PreviewTemplateDto {
  @PyField(t.int({ ge: 1 }), { optional: true, description: 'A published version; default: the current draft' })
  version?: number;

  @PyField(t.array(t.dict(), { maxItems: LIMITS.maxModifications }), { default: [], example: [{ name: 'headline', text: 'Preview me' }] })
  modifications: Record<string, unknown>[] = [];

  @PyField(t.enum(['png', 'jpeg', 'webp', 'avif']), { default: 'png' })
  format: 'png' | 'jpeg' | 'webp' | 'avif' = 'png';

  @PyField(t.int({ ge: 1, le: 100 }), { optional: true })
  quality?: number;

  @PyField(t.int({ ge: 1, le: 3 }), { default: 1 })
  scale = 1;
}
