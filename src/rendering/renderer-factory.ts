import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AppConfig } from '../config/config.js';
import type { Renderer } from './render.tokens.js';
import { configureFonts, DEFAULT_POOL_ENTRY, renderDocument, RenderPool, type RenderOptions } from '../renderer/index.js';

export type ClosableRenderer = Renderer & { close?: () => Promise<void>; kind: 'pool' | 'in-process' };

/**
 * Worker threads whenever the compiled thread entry is there (every built process, i.e.
 * production and the e2e worker), so drawing never blocks the event loop. Running from
 * TypeScript sources (ts-jest) there is no compiled entry, and rendering happens in-process.
 */
export function createRenderer(config: AppConfig, role: 'api' | 'worker'): ClosableRenderer {
  if (existsSync(fileURLToPath(DEFAULT_POOL_ENTRY))) {
    const size = role === 'worker' ? Math.min(config.workerConcurrency, availableParallelism()) : Math.max(1, Math.floor(availableParallelism() / 2));
    const pool = new RenderPool({
      size,
      timeoutMs: config.render.timeoutMs,
      maxMemoryMb: config.render.threadMaxMemoryMb,
      maxQueue: config.render.maxQueue,
      fontCacheMax: config.render.fontCacheMax,
      // In the API (previews) the event loop serves every organisation: it comes first.
      ...(role === 'api' ? { nice: config.inspect.threadNice } : {}),
    });
    return { kind: 'pool', render: (doc, assets, options) => pool.renderDocument(doc, assets, options), close: () => pool.close() };
  }
  configureFonts({ cacheMax: config.render.fontCacheMax });
  return { kind: 'in-process', render: (doc, assets, options) => renderDocument(doc, assets, options) };
}

/** The configured per-render budgets, as the renderer takes them (render options). */
export function renderBudget(config: AppConfig): Required<Pick<RenderOptions, 'maxDecodedPixels' | 'maxDecodedBytes'>> {
  return { maxDecodedPixels: config.render.maxDecodedPixels, maxDecodedBytes: config.render.maxDecodedBytes };
}
