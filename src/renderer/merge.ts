import type { Background, ImageLayer, Layer, Modification, TemplateDocument } from './document.js';
import { familyCandidates } from './font-names.js';

/**
 * Modifications are validated upstream; this module only has to be total: whatever arrives, it
 * produces layers the drawing code can read without throwing.
 */

const IMAGE_SOURCE_KEYS = ['image_url', 'asset_id', 'person_id'] as const;
/** Identity and z-order belong to the template, never to a request. */
const PROTECTED_KEYS = new Set(['name', 'type', 'dynamic', '__proto__', 'constructor', 'prototype']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The layers to draw, in z-order, with modifications applied and hidden layers removed.
 * The last modification for a name replaces earlier ones for that name wholesale. Only
 * dynamic layers take modifications (the model's rule; the API rejects the others first).
 */
export function applyModifications(doc: TemplateDocument, modifications: readonly Modification[]): Layer[] {
  const byName = new Map<string, Record<string, unknown>>();
  for (const m of Array.isArray(modifications) ? modifications : []) {
    if (isObject(m) && typeof m.name === 'string') byName.set(m.name, m);
  }
  const out: Layer[] = [];
  for (const base of Array.isArray(doc?.layers) ? doc.layers : []) {
    if (!isObject(base)) continue;
    const mod = base.dynamic === true ? byName.get(base.name) : undefined;
    let layer: Record<string, unknown> = { ...base };
    if (mod) {
      // A request that names a new image source replaces the template's source instead of
      // competing with it.
      if (IMAGE_SOURCE_KEYS.some((k) => mod[k] !== undefined && mod[k] !== null)) {
        for (const k of IMAGE_SOURCE_KEYS) delete layer[k];
      }
      for (const [k, v] of Object.entries(mod)) {
        if (PROTECTED_KEYS.has(k) || v === undefined) continue;
        layer[k] = v;
      }
      // `null` in a modification means "unset".
      layer = Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== null));
    }
    if (layer.hidden === true) continue;
    out.push(layer as unknown as Layer);
  }
  return out;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;
}

/** The ResolvedAssets.images key for an image source, or null when there is no source. */
export function imageRef(src: Pick<ImageLayer, 'image_url' | 'asset_id' | 'person_id'> | Background): string | null {
  const s = src as Record<string, unknown>;
  const url = nonEmpty(s.image_url);
  if (url) return `url:${url}`;
  const asset = nonEmpty(s.asset_id);
  if (asset) return `asset:${asset}`;
  const person = nonEmpty(s.person_id);
  if (person) return `person:${person}`;
  return null;
}

/**
 * What gets drawn: the template's canvas with a request's modifications applied and hidden
 * layers dropped. Built once per render by modifyDocument; everything after it (which bytes to
 * fetch, drawing, the thread pool) reads this instead of re-applying the modifications.
 */
export interface RenderDocument {
  width: number;
  height: number;
  background: Background;
  layers: Layer[];
}

/**
 * The one place a render's modifications meet its template. Accepts any object carrying the
 * document fields (a template draft or version row), so callers need no projection of their own.
 */
export function modifyDocument(doc: TemplateDocument, modifications: readonly Modification[]): RenderDocument {
  return {
    width: doc?.width,
    height: doc?.height,
    background: isObject(doc?.background) ? (doc.background as Background) : {},
    layers: applyModifications(doc, modifications),
  };
}

/** The sources a render needs, each with the first layer (or `background`) that asks for it. */
export interface SourceNeeds {
  /** ResolvedAssets.images key -> layer name. */
  images: Map<string, string>;
  /** Font asset id -> layer name. */
  fonts: Map<string, string>;
  /** Family key (font-names.ts) of every font_family entry -> layer name: looked up among the organisation's fonts. */
  families: Map<string, string>;
}

export function sourceNeeds(doc: RenderDocument): SourceNeeds {
  const images = new Map<string, string>();
  const fonts = new Map<string, string>();
  const families = new Map<string, string>();
  if (isObject(doc?.background)) {
    const ref = imageRef(doc.background);
    if (ref) images.set(ref, 'background');
  }
  for (const layer of Array.isArray(doc?.layers) ? doc.layers : []) {
    if (layer.type === 'image') {
      const ref = imageRef(layer);
      if (ref && !images.has(ref)) images.set(ref, layer.name);
    } else if (layer.type === 'text') {
      const font = nonEmpty(layer.font_asset_id);
      if (font && !fonts.has(font)) fonts.set(font, layer.name);
      for (const key of familyCandidates(layer.font_family)) if (!families.has(key)) families.set(key, layer.name);
    }
  }
  return { images, fonts, families };
}

/** Everything the caller must fetch before drawing, without duplicates. */
export function collectSources(doc: RenderDocument): { images: string[]; fonts: string[] } {
  const needs = sourceNeeds(doc);
  return { images: [...needs.images.keys()], fonts: [...needs.fonts.keys()] };
}
