import type { RenderDocument, RenderOptions, RenderResult, ResolvedAssets } from '../renderer/index.js';

export const RENDERER = Symbol('RENDERER');

/** What the worker (and the preview endpoint) need from rendering: in-process or a thread pool. */
export interface Renderer {
  /** `doc` comes from modifyDocument: the modifications are applied once, before fetching. */
  render(doc: RenderDocument, assets: ResolvedAssets, options: RenderOptions): Promise<RenderResult>;
}
