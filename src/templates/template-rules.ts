import { EASINGS, KEYFRAME_RANGES, LIMITS, type Layer, type TemplateDocument } from '../renderer/index.js';
import { colorProblem, urlProblem, type ModificationContext, type ModificationProblem } from './modifications.js';

const DEFAULT_FONT_SIZE = 48;
const DEFAULT_MIN_FONT_SIZE = 12;

/** Limits operators set (config); the defaults are for callers without a config (specs, the CLI). */
export interface TemplateLimits {
  /** Keyframes one layer may carry (TEMPLATE_MAX_KEYFRAMES). */
  maxKeyframesPerLayer: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = { maxKeyframesPerLayer: 100 };

/**
 * Rules that span fields, checked after the schema (422) passes; each is a 400 with the layer's
 * name. `name` is "canvas" or "background" for problems that are not a layer's.
 */
export function checkTemplateRules(doc: TemplateDocument, ctx: ModificationContext, limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS): ModificationProblem[] {
  const problems: ModificationProblem[] = [];
  const pixels = doc.width * doc.height;
  if (pixels > LIMITS.maxCanvasPixels) {
    problems.push({
      name: 'canvas',
      reason: `canvas is ${doc.width}x${doc.height} (${(pixels / 1e6).toFixed(1)} MP); the limit is ${LIMITS.maxCanvasPixels / 1e6} MP`,
    });
  }
  if (doc.background?.asset_id) {
    const kind = ctx.assetKind(doc.background.asset_id.toLowerCase());
    if (kind !== 'image') problems.push({ name: 'background', reason: `asset_id: image asset ${doc.background.asset_id} not found` });
  }
  if (doc.background?.image_url && doc.background?.asset_id) {
    problems.push({ name: 'background', reason: 'give only one of image_url, asset_id' });
  }
  if (doc.background) problems.push(...valueProblems(doc.background as Record<string, unknown>, ctx).map((reason) => ({ name: 'background', reason })));

  const seen = new Set<string>();
  for (const layer of doc.layers) {
    if (seen.has(layer.name)) problems.push({ name: layer.name, reason: 'layer names must be unique in a template' });
    seen.add(layer.name);
    problems.push(...[...layerProblems(layer, doc, ctx), ...keyframeProblems(layer, limits)].map((reason) => ({ name: layer.name, reason })));
  }
  return problems;
}

const COLOR_FIELDS = ['color', 'background_color', 'tint_color', 'fill_color', 'stroke_color'];

/** Colours anywhere in a layer (incl. shadow, stroke and gradient stops) and its image URL. */
function valueProblems(obj: Record<string, unknown>, ctx: ModificationContext): string[] {
  const out: string[] = [];
  const color = (path: string, v: unknown) => {
    const r = colorProblem(v, ctx);
    if (r) out.push(`${path} ${r}`);
  };
  for (const f of COLOR_FIELDS) if (obj[f] !== undefined) color(f, obj[f]);
  for (const f of ['shadow', 'stroke']) {
    const nested = obj[f] as { color?: unknown } | undefined;
    if (nested?.color !== undefined) color(`${f}.color`, nested.color);
  }
  for (const f of ['gradient', 'fill_gradient']) {
    const g = obj[f] as { stops?: { color?: unknown }[] } | undefined;
    g?.stops?.forEach((stop, i) => color(`${f}.stops[${i}].color`, stop.color));
  }
  if (obj.image_url !== undefined) {
    const r = urlProblem(obj.image_url, ctx);
    if (r) out.push(`image_url ${r}`);
  }
  return out;
}

function layerProblems(layer: Layer, doc: TemplateDocument, ctx: ModificationContext): string[] {
  const out: string[] = valueProblems(layer as unknown as Record<string, unknown>, ctx);
  // Bleeding off an edge is a normal design choice; a layer nobody can ever see is a mistake.
  // A keyframed layer may rest off the canvas and move onto it.
  const visible = layer.x < doc.width && layer.y < doc.height && layer.x + layer.width > 0 && layer.y + layer.height > 0;
  if (!visible && !layer.keyframes?.length) out.push(`layer lies entirely outside the ${doc.width}x${doc.height} canvas`);

  if (layer.type === 'text') {
    const size = layer.font_size ?? DEFAULT_FONT_SIZE;
    const min = layer.min_font_size ?? Math.min(DEFAULT_MIN_FONT_SIZE, size);
    if (min > size) out.push(`min_font_size (${min}) must not exceed font_size (${size})`);
    if (layer.font_asset_id && ctx.assetKind(layer.font_asset_id.toLowerCase()) !== 'font') {
      out.push(`font_asset_id: font asset ${layer.font_asset_id} not found`);
    }
  }
  if (layer.type === 'image') {
    const sources = (['image_url', 'asset_id', 'person_id'] as const).filter((k) => layer[k] !== undefined && layer[k] !== null);
    if (sources.length > 1) out.push(`give only one of ${sources.join(', ')}`);
    if (layer.asset_id && ctx.assetKind(layer.asset_id.toLowerCase()) !== 'image') {
      out.push(`asset_id: image asset ${layer.asset_id} not found`);
    }
    // A version is immutable but a person is not: people are named per render, where they are
    // resolved into the stored modifications.
    if (layer.person_id) out.push('person_id: a template cannot pin a person; make the layer dynamic and name the person in the render\'s modifications');
  }
  if (layer.type === 'shape' && layer.fill_color && layer.fill_gradient) {
    out.push('give only one of fill_color, fill_gradient');
  }
  return out;
}

/** Keyframes sorted by strictly increasing t, every value in range, at most the per-layer limit. */
function keyframeProblems(layer: Layer, limits: TemplateLimits): string[] {
  const frames = layer.keyframes;
  if (frames === undefined) return [];
  const out: string[] = [];
  if (frames.length > limits.maxKeyframesPerLayer) {
    out.push(`keyframes: at most ${limits.maxKeyframesPerLayer} per layer (got ${frames.length})`);
  }
  frames.forEach((k, i) => {
    const at = `keyframes[${i}]`;
    if (!Number.isFinite(k.t) || k.t < 0 || k.t > LIMITS.keyframeTimeMax) {
      out.push(`${at}.t must be a number of seconds from 0 to ${LIMITS.keyframeTimeMax}`);
    } else if (i > 0 && Number.isFinite(frames[i - 1].t) && k.t <= frames[i - 1].t) {
      out.push(`${at}.t (${k.t}) must be greater than keyframes[${i - 1}].t (${frames[i - 1].t}): keyframes are sorted by time`);
    }
    for (const [prop, [min, max]] of Object.entries(KEYFRAME_RANGES)) {
      const v = (k as unknown as Record<string, unknown>)[prop];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max)) {
        out.push(`${at}.${prop} must be a number from ${min} to ${max}`);
      }
    }
    if (k.easing !== undefined && !EASINGS.includes(k.easing)) out.push(`${at}.easing must be one of ${EASINGS.join(', ')}`);
  });
  return out;
}

/** Every asset id a document mentions, so the caller can load just those in one query. */
export function referencedAssetIds(doc: Pick<TemplateDocument, 'layers' | 'background'>, extra: readonly Record<string, unknown>[] = []): string[] {
  const ids = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v)) ids.add(v.toLowerCase());
  };
  add(doc.background?.asset_id);
  for (const l of [...doc.layers, ...extra] as Record<string, unknown>[]) {
    add(l.asset_id);
    add(l.font_asset_id);
  }
  return [...ids];
}
