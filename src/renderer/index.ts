/**
 * The renderer's only entrance for the rest of the code base (src, test, bench). Everything
 * behind it is a pure library: no Nest, database, queue or network, and no import from the
 * rest of src/.
 */
export type * from './document.js';
export { EASINGS, LIMITS, OUTPUT_FORMATS } from './document.js';
export { prepareVideo, renderImage, renderDocument, type VideoFrames } from './render.js';
export { ANIMATED_PROPERTIES, animatedAt, isAnimated, KEYFRAME_RANGES, type Animated } from './keyframes.js';
export {
  applyModifications,
  collectSources,
  imageRef,
  modifyDocument,
  sourceNeeds,
  type RenderDocument,
  type SourceNeeds,
} from './merge.js';
export { resolveAssets, SourceError, type AssetBytes, type AssetKind, type AssetPort, type ResolveOptions } from './sources.js';
export { parseColor, type Rgba } from './color.js';
export { configureFonts, DEFAULT_FONT_CACHE_MAX, DEFAULT_FONT_DIRS, ensureFonts, FALLBACK_FAMILIES, fontCacheStats } from './fonts.js';
export { familyCandidates, familyKey } from './font-names.js';
export { renameFont } from './font-rename.js';
export { Coverage, fontCoverage, fontFormat, readFontInfo, type FontFormat, type FontInfo } from './font-file.js';
export { svgUnsafeReason } from './svg.js';
export { measureEmbedded, type Embedded } from './embedded.js';
export { DEFAULT_POOL_ENTRY, RenderPool, type RenderPoolOptions } from './pool.js';
export { DEMO_LOGO_ASSET, DEMO_OG_CARD, DEMO_PHOTO_ASSET, demoAssets } from './demo-template.js';
export {
  isRenderError,
  RenderError,
  type EncodedInfo,
  type RenderErrorCode,
  type RenderOptions,
  type RenderReport,
  type RenderResult,
  type ResolvedAssets,
  type TextReport,
} from './types.js';
