export { renderImage } from './render.js';
export { collectSources, applyModifications, imageRef } from './merge.js';
export { parseColor, type Rgba } from './color.js';
export { ensureFonts, FALLBACK_FAMILIES, DEFAULT_FONT_DIRS } from './fonts.js';
export { RenderPool, type RenderPoolOptions } from './pool.js';
export { DEMO_OG_CARD, demoAssets } from './demo-template.js';
export * from './types.js';
