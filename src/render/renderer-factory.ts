import type { AppConfig } from '../config/config.js';
import type { Renderer } from './render.tokens.js';
import { renderImage } from './renderer/index.js';

/** In-process rendering; replaced by the worker-thread pool where available. */
export function createRenderer(_config: AppConfig): Renderer & { close?: () => Promise<void> } {
  return { render: (doc, mods, assets, options) => renderImage(doc, [...mods], assets, options) };
}
