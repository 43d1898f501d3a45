import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GlobalFonts, setTextRenderer } from '@napi-rs/canvas';
import { coverageOf } from './font-coverage-thread.js';
import { Coverage, fontFormat } from './font-file.js';
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
const customFonts = new Map<string, { alias: string; coverage: Coverage | null }>();

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

/**
 * Registers a font asset under an alias derived from its id, once per process. Asset bytes
 * are immutable per id (a new upload is a new asset), so the id is a safe cache key.
 */
export function registerCustomFont(assetId: string, bytes: Buffer | undefined, layer: string): string {
  // Required even when cached, so a render's outcome never depends on what ran before it.
  if (!bytes) throw new RenderError('font_unavailable', `font asset ${assetId} was not provided`, layer);
  const cached = customFonts.get(assetId);
  if (cached) return cached.alias;
  const alias = `imtegrate-font-${assetId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (!fontFormat(bytes)) {
    throw new RenderError('font_invalid', `font asset ${assetId} is not a TrueType/OpenType/WOFF font`, layer);
  }
  if (!GlobalFonts.has(alias) && !GlobalFonts.register(bytes, alias)) {
    throw new RenderError('font_invalid', `font asset ${assetId} could not be loaded`, layer);
  }
  customFonts.set(assetId, { alias, coverage: coverageOf([{ bytes }])[0] });
  return alias;
}

/** CSS font-family names may not smuggle quotes, commas or other syntax into ctx.font. */
function safeFamily(name: string): string | null {
  const clean = name.replace(/[^\p{L}\p{N} ._-]/gu, '').trim();
  return clean.length > 0 && clean.length <= 100 ? clean : null;
}

/** A ctx.font family list: the layer's font first, then the fallback chain. */
export function familyList(family: unknown, customAlias?: string): string {
  const names: string[] = [];
  if (customAlias) names.push(customAlias);
  const requested = typeof family === 'string' ? safeFamily(family) : null;
  if (requested) names.push(requested);
  for (const f of FALLBACK_FAMILIES) if (!names.includes(f)) names.push(f);
  return names.map((n) => `"${n}"`).join(', ');
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
export function findMissingGlyphs(text: string, customAssetId?: string): string[] {
  const s = state ?? (ensureFonts(), state!);
  const custom = customAssetId ? customFonts.get(customAssetId)?.coverage : null;
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
