import type { Modification, TemplateDocument } from '../renderer/document.js';
import type { RenderOptions, RenderResult, ResolvedAssets } from '../renderer/types.js';

export const RENDERER = Symbol('RENDERER');

/** What the worker (and the preview endpoint) need from rendering: in-process or a thread pool. */
export interface Renderer {
  render(doc: TemplateDocument, mods: readonly Modification[], assets: ResolvedAssets, options: RenderOptions): Promise<RenderResult>;
}
