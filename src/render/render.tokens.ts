import type { Modification, TemplateDocument } from '../templates/layers.types.js';
import type { RenderOptions, RenderResult, ResolvedAssets } from './renderer/types.js';

export const IMAGE_FETCHER = Symbol('IMAGE_FETCHER');
export const RENDERER = Symbol('RENDERER');

/** What the worker (and the preview endpoint) need from rendering: in-process or a thread pool. */
export interface Renderer {
  render(doc: TemplateDocument, mods: readonly Modification[], assets: ResolvedAssets, options: RenderOptions): Promise<RenderResult>;
}
