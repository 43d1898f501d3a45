import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GlobalFonts, setTextRenderer, type FontKey } from '@napi-rs/canvas';
import { coverageOf } from './font-coverage-thread.js';
import { Coverage, fontFormat } from './font-file.js';
import { familyCandidates, familyKey } from './font-names.js';
import { renameFont } from './font-rename.js';
import { RenderError } from './types.js';

/**
 * Font set-up for the renderer. Skia already sees the fonts installed on the system, but we
 * register the fallback chain explicitly from known paths so the renderer also works where
 * Skia's system scan finds nothing (fonts shipped in a directory, minimal containers).
 * Registration is process-wide in Skia, so everything here is idempotent: GlobalFonts.has()
 * guards every registration, which also keeps worker threads from registering twice.
 *
 * Required Debian packages: fonts-noto-core (Noto Sans, Arabic, Hebrew, ...),
 * fonts-noto-cjk (Noto Sans CJK), fonts-noto-color-emoji.
 */

/** Tried in order for every character Skia cannot find in the layer's own font. */
export const FALLBACK_FAMILIES = [
  'Noto Sans',
  'Noto Sans Arabic',
  'Noto Sans Hebrew',
  'Noto Sans CJK JP',
  'Noto Color Emoji',
] as const;

export const DEFAULT_FAMILY = 'Noto Sans';

export const DEFAULT_FONT_DIRS = [
  '/usr/share/fonts/truetype/noto',
  '/usr/share/fonts/opentype/noto',
  '/usr/share/fonts/noto',
  '/usr/share/fonts/google-noto',
  '/usr/share/fonts/google-noto-cjk',
  '/usr/share/fonts/google-noto-color-emoji-fonts',
];

/** Where fontconfig-style fallback may find a glyph; scanned (cmap only) when a character is not in the chain. */
const SYSTEM_FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts'];

/** First file per family is the one whose cmap stands for the family. */
const CORE_FILES: Record<(typeof FALLBACK_FAMILIES)[number], string[]> = {
  'Noto Sans': ['NotoSans-Regular.ttf', 'NotoSans-Bold.ttf', 'NotoSans-Italic.ttf', 'NotoSans-BoldItalic.ttf'],
  'Noto Sans Arabic': ['NotoSansArabic-Regular.ttf', 'NotoSansArabic-Bold.ttf'],
  'Noto Sans Hebrew': ['NotoSansHebrew-Regular.ttf', 'NotoSansHebrew-Bold.ttf'],
  'Noto Sans CJK JP': ['NotoSansCJK-Regular.ttc', 'NotoSansCJK-Bold.ttc'],
  'Noto Color Emoji': ['NotoColorEmoji.ttf'],
};

interface FontState {
  dirs: string[];
  /** Path of the file standing for each chain family (absent when not found on disk). */
  familyFiles: Map<string, string>;
  missingFamilies: string[];
  chainCoverage?: Coverage;
  systemCoverage?: Coverage;
}

let state: FontState | undefined;

export interface FontSetup {
  /** Chain families for which no file was found and Skia has no such family either. */
  missingFamilies: string[];
}

/**
 * Registers the fallback chain once per process (later calls are no-ops; extra `dirs` given
 * then are ignored). Extra directories are searched before the defaults and every font file
 * in them is registered, so a deployment can ship its own fonts.
 */
export function ensureFonts(options: { dirs?: string[] } = {}): FontSetup {
  if (state) return { missingFamilies: state.missingFamilies };
  // Portable: the same pixels on every host for the same fonts (see @napi-rs/canvas docs).
  setTextRenderer('portable');
  const extra = (options.dirs ?? []).filter((d) => isDir(d));
  for (const dir of extra) GlobalFonts.loadFontsFromDir(dir);
  const dirs = [...extra, ...DEFAULT_FONT_DIRS.filter((d) => isDir(d))];
  const familyFiles = new Map<string, string>();
  const missingFamilies: string[] = [];
  for (const family of FALLBACK_FAMILIES) {
    const files = CORE_FILES[family].map((f) => findFile(dirs, f)).filter((p): p is string => p !== undefined);
    if (files.length > 0) familyFiles.set(family, files[0]);
    if (!GlobalFonts.has(family)) for (const f of files) GlobalFonts.registerFromPath(f);
    if (!GlobalFonts.has(family)) missingFamilies.push(family);
  }
  state = { dirs, familyFiles, missingFamilies };
  return { missingFamilies };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function findFile(dirs: string[], name: string): string | undefined {
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/*
 * Uploaded fonts. The registry of @napi-rs/canvas is one per process, shared by every render
 * thread, and matches family names case-insensitively. So an uploaded font is renamed (its
 * name table rewritten, font-rename.ts) to an alias before it is registered: the alias is the
 * only name it answers to. The alias is an HMAC, under a secret drawn per thread, of the
 * namespace (the rendering organisation), the asset id and the bytes' hash: not derivable
 * outside the thread, different per organisation and per thread (so no two registrations
 * share bytes, and one thread's eviction never removes another thread's font). Template
 * family names never reach the font system as typed: FontScope.resolve() maps them to the
 * organisation's own fonts (through the asset port) or to an installed family, by Skia's
 * own name for it; anything else is the fallback chain, and the render report says so.
 */

/** Every alias has this shape; installed families never do, and nothing else is registered. */
const ALIAS_PREFIX = 'imtegrate-';
const ALIAS = /^imtegrate-[0-9a-f]{32}$/;

/** Default for RENDER_FONT_CACHE_MAX: uploaded fonts registered at once per render thread. */
export const DEFAULT_FONT_CACHE_MAX = 32;

const threadSecret = randomBytes(32);
let cacheMax = DEFAULT_FONT_CACHE_MAX;

interface CustomFont {
  alias: string;
  key: FontKey;
  coverage: Coverage | null;
  /** Renders of this thread drawing with it right now: never evicted while above zero. */
  leases: number;
}

/** Cache key -> registered font, least recently used first (Map keeps insertion order). */
const customFonts = new Map<string, CustomFont>();

/**
 * Coverage by the bytes' hash, kept longer than the registrations (4x as many entries): a font
 * evicted and needed again is registered again, but its cmap is not parsed again (a parse costs
 * a short-lived thread, font-coverage-thread.ts). Only ranges are kept, a few KB per font.
 */
const coverages = new Map<string, Coverage | null>();

function coverageFor(hash: string, bytes: Buffer): Coverage | null {
  if (coverages.has(hash)) {
    const c = coverages.get(hash)!;
    coverages.delete(hash);
    coverages.set(hash, c);
    return c;
  }
  const c = coverageOf([{ bytes }])[0];
  coverages.set(hash, c);
  for (const k of coverages.keys()) {
    if (coverages.size <= cacheMax * 4) break;
    coverages.delete(k);
  }
  return c;
}

/** Sets the per-thread bound on registered uploaded fonts (RENDER_FONT_CACHE_MAX); evicts down to it. */
export function configureFonts(options: { cacheMax?: number }): void {
  if (options.cacheMax !== undefined && Number.isInteger(options.cacheMax) && options.cacheMax >= 1) cacheMax = options.cacheMax;
  evict();
}

/** Uploaded fonts this thread has registered, and the bound (for tests and diagnostics). */
export function fontCacheStats(): { size: number; max: number } {
  return { size: customFonts.size, max: cacheMax };
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function aliasOf(cacheKey: string): string {
  return ALIAS_PREFIX + createHmac('sha256', threadSecret).update(cacheKey).digest('hex').slice(0, 32);
}

/** Removes the least recently used fonts no render holds until at most cacheMax remain. */
function evict(): void {
  if (customFonts.size <= cacheMax) return;
  const removed: FontKey[] = [];
  for (const [k, f] of customFonts) {
    if (customFonts.size <= cacheMax) break;
    if (f.leases > 0) continue;
    customFonts.delete(k);
    removed.push(f.key);
  }
  if (removed.length > 0) GlobalFonts.removeBatch(removed);
}

/** CSS generic families are names to the browser, not fonts; they mean "the fallback" here. */
const GENERIC = new Set(['serif', 'sans-serif', 'monospace', 'cursive', 'fantasy', 'system-ui', 'ui-serif', 'ui-sans-serif', 'ui-monospace', 'ui-rounded', 'emoji', 'math', 'fangsong']);

/** Installed families by key, with Skia's own spelling; uploaded fonts (aliases) excluded. */
let installed: Map<string, string> | undefined;

function installedFamilies(): Map<string, string> {
  if (!installed) {
    installed = new Map();
    for (const { family } of GlobalFonts.families) {
      // Names we could not quote safely are left out rather than escaped.
      if (typeof family !== 'string' || ALIAS.test(family) || /["\\\p{Cc}]/u.test(family)) continue;
      const key = familyKey(family);
      if (key && !installed.has(key)) installed.set(key, family);
    }
  }
  return installed;
}

/** The fonts of one render: registers what it draws with and holds it until release(). */
export class FontScope {
  private readonly held = new Set<CustomFont>();
  /** Asset id -> the bytes' hash and cache key: hashed once per render, however many layers use them. */
  private readonly keys = new Map<string, { hash: string; cacheKey: string }>();

  /**
   * @param namespace the rendering organisation (any opaque string; '' offline)
   * @param fonts font asset id -> bytes, as the asset port resolved them for this organisation
   * @param families family key -> font asset id: the organisation's fonts by family name
   */
  constructor(
    private readonly namespace: string,
    private readonly fonts: Map<string, Buffer>,
    private readonly families: Map<string, string>,
  ) {}

  /** Registers (or reuses) a font asset of this render's organisation; its alias and coverage. */
  useAsset(assetId: string, layer: string): CustomFont {
    const bytes = this.fonts.get(assetId);
    // Required even when cached, so a render's outcome never depends on what ran before it.
    if (!bytes) throw new RenderError('font_unavailable', `font asset ${assetId} was not provided`, layer);
    // The bytes are part of the key: the entry is only ever reused for the very bytes that the
    // organisation's port handed to this render.
    let keys = this.keys.get(assetId);
    if (keys === undefined) {
      const hash = sha256(bytes);
      keys = { hash, cacheKey: `${this.namespace}\0${assetId}\0${hash}` };
      this.keys.set(assetId, keys);
    }
    const { hash, cacheKey } = keys;
    let font = customFonts.get(cacheKey);
    if (font) {
      customFonts.delete(cacheKey); // most recently used goes last
    } else {
      if (!fontFormat(bytes)) throw new RenderError('font_invalid', `font asset ${assetId} is not a TrueType/OpenType/WOFF font`, layer);
      const alias = aliasOf(cacheKey);
      const renamed = renameFont(bytes, alias);
      const key = renamed ? GlobalFonts.register(renamed, alias) : null;
      if (!key) throw new RenderError('font_invalid', `font asset ${assetId} could not be loaded`, layer);
      font = { alias, key, coverage: coverageFor(hash, bytes), leases: 0 };
    }
    customFonts.set(cacheKey, font);
    if (!this.held.has(font)) {
      this.held.add(font);
      font.leases++;
    }
    evict();
    return font;
  }

  /**
   * What a text layer draws with: its font asset, else the first entry of its font_family
   * (a CSS-style list) that names one of the organisation's fonts or an installed family.
   * `fallback` is true when a family was named and none of it could be used.
   */
  resolve(layer: { font_asset_id?: unknown; font_family?: unknown }, name: string): ResolvedFont {
    const assetId = typeof layer.font_asset_id === 'string' && layer.font_asset_id.length > 0 ? layer.font_asset_id : undefined;
    const names: string[] = [];
    let coverage: Coverage | null = null;
    if (assetId) {
      const font = this.useAsset(assetId, name);
      names.push(font.alias);
      coverage = font.coverage;
    }
    const candidates = familyCandidates(layer.font_family);
    let found = false;
    for (const key of candidates) {
      const own = this.families.get(key);
      if (own !== undefined && this.fonts.has(own)) {
        const font = this.useAsset(own, name);
        names.push(font.alias);
        coverage ??= font.coverage;
        found = true;
        break;
      }
      const system = GENERIC.has(key) ? undefined : installedFamilies().get(key);
      if (system !== undefined) {
        names.push(system);
        found = true;
        break;
      }
    }
    for (const f of FALLBACK_FAMILIES) if (!names.includes(f)) names.push(f);
    return {
      families: names.map((n) => `"${n}"`).join(', '),
      coverage,
      fallback: !assetId && candidates.length > 0 && !found,
    };
  }

  /** Lets the fonts of this render be evicted again. */
  release(): void {
    for (const f of this.held) f.leases--;
    this.held.clear();
    evict();
  }
}

/** The fallback chain alone as a ctx.font family list (the watermark; layers go through FontScope). */
export function fallbackFamilyList(): string {
  return FALLBACK_FAMILIES.map((n) => `"${n}"`).join(', ');
}

export interface ResolvedFont {
  /** A ctx.font family list: only aliases and installed family names, always quoted. */
  families: string;
  /** The uploaded font's cmap, for missing_glyphs; null when no uploaded font draws the layer. */
  coverage: Coverage | null;
  fallback: boolean;
}

function filesCoverage(paths: string[]): Coverage {
  return Coverage.union(coverageOf(paths.map((path) => ({ path }))).filter((c): c is Coverage => c !== null));
}

function chainCoverage(s: FontState): Coverage {
  s.chainCoverage ??= filesCoverage([...s.familyFiles.values()]);
  return s.chainCoverage;
}

const FONT_FILE = /\.(ttf|otf|ttc|otc|woff2?)$/i;

function listFontFiles(dir: string, out: string[], depth = 0): void {
  if (depth > 6) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listFontFiles(p, out, depth + 1);
    else if (FONT_FILE.test(e.name)) out.push(p);
  }
}

/** Union of every installed font's cmap: Skia falls back to any of them. Built once, lazily. */
function systemCoverage(s: FontState): Coverage {
  if (!s.systemCoverage) {
    const files: string[] = [];
    for (const d of [...s.dirs, ...SYSTEM_FONT_DIRS]) listFontFiles(d, files);
    s.systemCoverage = filesCoverage([...new Set(files)]);
  }
  return s.systemCoverage;
}

/** Characters that need no glyph: whitespace, controls, format characters, variation selectors. */
const IGNORABLE = /^[\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]$/u;

/**
 * Characters of `text` no font can draw, in order of first appearance (at most 50). A
 * character counts as covered when the custom font, the fallback chain or any installed font
 * maps it in its cmap; the installed fonts are scanned only when the first two miss.
 */
export function findMissingGlyphs(text: string, custom?: Coverage | null): string[] {
  const s = state ?? (ensureFonts(), state!);
  const chain = chainCoverage(s);
  const missing: string[] = [];
  const seen = new Set<number>();
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (seen.has(cp)) continue;
    seen.add(cp);
    if (IGNORABLE.test(ch)) continue;
    if (custom?.has(cp) || chain.has(cp)) continue;
    if (systemCoverage(s).has(cp)) continue;
    missing.push(ch);
    if (missing.length >= 50) break;
  }
  return missing;
}
