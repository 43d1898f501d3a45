import { Prop } from '../validation/prop.js';
import { ModelConfig, t } from '../validation/fields.js';
import { LIMITS } from '../renderer/index.js';

/* Colours and URLs are plain strings here: their finer rules (a parsable colour, an http(s)
   URL) are checked per layer afterwards and reported as 400s naming the layer. */
const color = t.str({ minLength: 1, maxLength: 64 });
const coord = t.float({ ge: -100_000, le: 100_000 });
const size = t.float({ gt: 0, le: 100_000 });
const url = t.str({ minLength: 1, maxLength: 2048 });

@ModelConfig({ extra: 'forbid' })
export class GradientStopDto {
  @Prop(t.float({ ge: 0, le: 1 }), { example: 0 })
  offset: number;

  @Prop(color, { example: '#0F172A' })
  color: string;
}

@ModelConfig({ extra: 'forbid' })
export class GradientDto {
  @Prop(t.enum(['linear', 'radial']), { example: 'linear' })
  type: 'linear' | 'radial';

  @Prop(t.float({ ge: -360, le: 360 }), { optional: true, example: 135, description: 'Degrees (CSS convention); linear only' })
  angle?: number;

  @Prop(t.array(() => GradientStopDto, { minItems: 2, maxItems: 16 }))
  stops: GradientStopDto[];
}

@ModelConfig({ extra: 'forbid' })
export class ShadowDto {
  @Prop(t.float({ ge: -1000, le: 1000 }))
  x: number;

  @Prop(t.float({ ge: -1000, le: 1000 }))
  y: number;

  @Prop(t.float({ ge: 0, le: 500 }))
  blur: number;

  @Prop(color)
  color: string;
}

@ModelConfig({ extra: 'forbid' })
export class StrokeDto {
  @Prop(t.float({ ge: 0, le: 500 }))
  width: number;

  @Prop(color)
  color: string;
}

@ModelConfig({ extra: 'forbid' })
export class CropDto {
  @Prop(t.int({ ge: 0 }))
  x: number;

  @Prop(t.int({ ge: 0 }))
  y: number;

  @Prop(t.int({ ge: 1 }))
  width: number;

  @Prop(t.int({ ge: 1 }))
  height: number;
}

@ModelConfig({ extra: 'forbid' })
export class BackgroundDto {
  @Prop(color, { optional: true, example: '#0F172A' })
  color?: string;

  @Prop(t.model(GradientDto), { optional: true })
  gradient?: GradientDto;

  @Prop(t.uuid(), { optional: true, description: 'An uploaded image asset, drawn to cover the canvas' })
  asset_id?: string;

  @Prop(url, { optional: true })
  image_url?: string;
}

@ModelConfig({ extra: 'forbid' })
export class BaseLayerDto {
  @Prop(t.str({ minLength: 1, maxLength: 100 }), { example: 'headline', description: 'Unique in the template; modifications address layers by name' })
  name: string;

  @Prop(coord, { example: 60 })
  x: number;

  @Prop(coord, { example: 200 })
  y: number;

  @Prop(size, { example: 590 })
  width: number;

  @Prop(size, { example: 250 })
  height: number;

  @Prop(t.float({ ge: -360, le: 360 }), { optional: true, description: 'Degrees clockwise around the layer centre' })
  rotation?: number;

  @Prop(t.float({ ge: 0, le: 1 }), { optional: true })
  opacity?: number;

  @Prop(t.bool(), { optional: true, description: 'Only dynamic layers accept modifications' })
  dynamic?: boolean;

  @Prop(t.bool(), { optional: true })
  hidden?: boolean;
}

export class TextLayerDto extends BaseLayerDto {
  @Prop(t.literal(['text']), { example: 'text' })
  type: 'text';

  @Prop(t.str({ maxLength: LIMITS.maxTextLength }), { example: 'Hello world' })
  text: string;

  @Prop(t.str({ minLength: 1, maxLength: 100 }), { optional: true, example: 'Noto Sans' })
  font_family?: string;

  @Prop(t.uuid(), { optional: true, description: 'An uploaded font asset; wins over font_family' })
  font_asset_id?: string;

  @Prop(t.int({ ge: 100, le: 900 }), { optional: true, example: 700 })
  font_weight?: number;

  @Prop(t.enum(['normal', 'italic']), { optional: true })
  font_style?: 'normal' | 'italic';

  @Prop(t.float({ gt: 0, le: 2000 }), { optional: true, example: 64 })
  font_size?: number;

  @Prop(t.float({ gt: 0, le: 2000 }), { optional: true, example: 24 })
  min_font_size?: number;

  @Prop(color, { optional: true, example: '#FFFFFF' })
  color?: string;

  @Prop(t.enum(['left', 'center', 'right', 'justify']), { optional: true })
  align?: 'left' | 'center' | 'right' | 'justify';

  @Prop(t.enum(['top', 'middle', 'bottom']), { optional: true })
  vertical_align?: 'top' | 'middle' | 'bottom';

  @Prop(t.float({ gt: 0, le: 10 }), { optional: true, example: 1.2 })
  line_height?: number;

  @Prop(t.float({ ge: -100, le: 1000 }), { optional: true })
  letter_spacing?: number;

  @Prop(t.int({ ge: 1, le: 1000 }), { optional: true })
  max_lines?: number;

  @Prop(t.enum(['shrink', 'wrap', 'none']), { optional: true, description: 'shrink: from font_size down to min_font_size, then ellipsis' })
  fit?: 'shrink' | 'wrap' | 'none';

  @Prop(color, { optional: true })
  background_color?: string;

  @Prop(t.float({ ge: 0, le: 10_000 }), { optional: true })
  padding?: number;

  @Prop(t.model(ShadowDto), { optional: true })
  shadow?: ShadowDto;

  @Prop(t.model(StrokeDto), { optional: true })
  stroke?: StrokeDto;
}

export class ImageLayerDto extends BaseLayerDto {
  @Prop(t.literal(['image']), { example: 'image' })
  type: 'image';

  @Prop(url, { optional: true, example: 'https://example.com/photo.jpg' })
  image_url?: string;

  @Prop(t.uuid(), { optional: true })
  asset_id?: string;

  @Prop(t.uuid(), { optional: true })
  person_id?: string;

  @Prop(t.enum(['cover', 'contain', 'fill']), { optional: true })
  fit?: 'cover' | 'contain' | 'fill';

  @Prop(t.model(CropDto), { optional: true })
  crop?: CropDto;

  @Prop(t.enum(['center', 'top', 'bottom', 'left', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right']), { optional: true })
  focus?: string;

  @Prop(t.float({ ge: 0, le: 10_000 }), { optional: true })
  border_radius?: number;

  @Prop(color, { optional: true })
  tint_color?: string;

  @Prop(t.bool(), { optional: true })
  grayscale?: boolean;

  @Prop(t.model(ShadowDto), { optional: true })
  shadow?: ShadowDto;
}

export class ShapeLayerDto extends BaseLayerDto {
  @Prop(t.literal(['shape']), { example: 'shape' })
  type: 'shape';

  @Prop(t.enum(['rect', 'ellipse', 'line']), { example: 'rect' })
  shape: 'rect' | 'ellipse' | 'line';

  @Prop(color, { optional: true })
  fill_color?: string;

  @Prop(t.model(GradientDto), { optional: true })
  fill_gradient?: GradientDto;

  @Prop(color, { optional: true })
  stroke_color?: string;

  @Prop(t.float({ ge: 0, le: 1000 }), { optional: true })
  stroke_width?: number;

  @Prop(t.float({ ge: 0, le: 10_000 }), { optional: true })
  border_radius?: number;

  @Prop(t.model(ShadowDto), { optional: true })
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
  @Prop(t.str({ minLength: 1, maxLength: 200 }), { example: 'Blog post card' })
  name: string;

  @Prop(t.int({ ge: 1, le: LIMITS.maxCanvasSide }), { example: 1200 })
  width: number;

  @Prop(t.int({ ge: 1, le: LIMITS.maxCanvasSide }), { example: 630 })
  height: number;

  @Prop(t.model(BackgroundDto), { optional: true })
  background?: BackgroundDto;

  @Prop(t.array(layer, { maxItems: LIMITS.maxLayers }), { example: EXAMPLE_LAYERS, description: 'Array order is z-order (first is drawn first)' })
  layers: LayerDto[];

  @Prop(t.dict(), { optional: true })
  metadata?: Record<string, unknown>;
}

/** Every field optional: PATCH edits the draft in place; published versions never change. */
@ModelConfig({ extra: 'forbid' })
export class UpdateTemplateDto {
  @Prop(t.str({ minLength: 1, maxLength: 200 }), { optional: true })
  name?: string;

  @Prop(t.int({ ge: 1, le: LIMITS.maxCanvasSide }), { optional: true })
  width?: number;

  @Prop(t.int({ ge: 1, le: LIMITS.maxCanvasSide }), { optional: true })
  height?: number;

  @Prop(t.model(BackgroundDto), { optional: true })
  background?: BackgroundDto;

  @Prop(t.array(layer, { maxItems: LIMITS.maxLayers }), { optional: true })
  layers?: LayerDto[];

  @Prop(t.dict(), { optional: true })
  metadata?: Record<string, unknown>;
}

@ModelConfig({ extra: 'ignore' })
export class ListTemplatesQuery {
  @Prop(t.int({ ge: 1, le: 100 }), { default: 20 })
  limit = 20;

  @Prop(t.str({ maxLength: 200 }), { optional: true })
  cursor?: string;

  @Prop(t.bool(), { default: false })
  include_archived = false;
}

@ModelConfig({ extra: 'forbid' })
export class PreviewTemplateDto {
  @Prop(t.int({ ge: 1 }), { optional: true, description: 'A published version; default: the current draft' })
  version?: number;

  @Prop(t.array(t.dict(), { maxItems: LIMITS.maxModifications }), { default: [], example: [{ name: 'headline', text: 'Preview me' }] })
  modifications: Record<string, unknown>[] = [];

  @Prop(t.enum(['png', 'jpeg', 'webp', 'avif']), { default: 'png' })
  format: 'png' | 'jpeg' | 'webp' | 'avif' = 'png';

  @Prop(t.int({ ge: 1, le: 100 }), { optional: true })
  quality?: number;

  @Prop(t.int({ ge: 1, le: 3 }), { default: 1 })
  scale = 1;
}
