/**
 * Line breaking and fitting, independent of the canvas: it only needs a width function, so
 * it is unit-testable and the same code serves measuring and drawing.
 *
 * Break opportunities come from Intl.Segmenter (word granularity): Latin breaks at spaces,
 * scripts without spaces (Thai, ...) between dictionary words, and CJK between any two
 * characters except before closing punctuation or after opening punctuation (a light
 * kinsoku). A word wider than the line is broken between graphemes.
 */

export type Direction = 'ltr' | 'rtl';

/** One unbreakable piece of a paragraph plus the whitespace after it. */
interface Chunk {
  text: string;
  space: string;
  /** Ends in a CJK character, so a break is allowed right after it. */
  cjk: boolean;
  /** Ends in a word-like segment (two adjacent words are only ever split in no-space scripts). */
  word: boolean;
}

export interface Paragraph {
  chunks: Chunk[];
  dir: Direction;
}

export interface Line {
  text: string;
  /** Last line of its paragraph: never justified. */
  paragraphEnd: boolean;
  dir: Direction;
}

export interface Layout {
  lines: Line[];
  /** Some word had to be broken between graphemes. */
  brokeWord: boolean;
}

export type Measure = (text: string) => number;

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303F\uFF00-\uFFEF\u30FC]/u;
/** Must not start a line. */
const NO_START = /^[、。，．・：；？！ー）」』】〕〉》〙〗”’!),.:;?\]}\u3063\u3083\u3085\u3087\u30C3\u30E3\u30E5\u30E7\u3041\u3043\u3045\u3047\u3049\u30A1\u30A3\u30A5\u30A7\u30A9々〻]$/u;
/** Must not end a line. */
const NO_END = /[（「『【〔〈《〘〖“‘([{]$/u;
const WHITESPACE = /^\s+$/u;
const RTL_CHAR = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;
const LETTER = /\p{L}/u;

/**
 * V8's segment iterator is superlinear in the input length (50k characters: 300 ms, 5k: 4 ms),
 * so long text is segmented in blocks cut where a segment boundary is certain anyway:
 * before a whitespace character (words) or an ASCII printable one (graphemes).
 */
const BLOCK = 1000;

function* segmentInBlocks(segmenter: Intl.Segmenter, text: string, cutBefore: RegExp): Generator<Intl.SegmentData> {
  let start = 0;
  while (start < text.length) {
    let end = text.length;
    if (end - start > 2 * BLOCK) {
      end = start + 2 * BLOCK;
      for (let i = start + BLOCK; i < start + 2 * BLOCK; i++) {
        if (cutBefore.test(text[i]) && text[i - 1] !== '\r') {
          end = i;
          break;
        }
      }
      // No safe cut: never split a surrogate pair at least.
      if (end === start + 2 * BLOCK && /[\uDC00-\uDFFF]/.test(text[end])) end--;
    }
    for (const seg of segmenter.segment(text.slice(start, end))) yield seg;
    start = end;
  }
}

export function graphemes(s: string): string[] {
  return Array.from(segmentInBlocks(graphemeSegmenter, s, /[\x20-\x7e]/), (g) => g.segment);
}

/** Direction of the first strong character (Unicode bidi rule P2, simplified to letters). */
export function firstStrongDirection(text: string): Direction | null {
  for (const ch of text) {
    if (LETTER.test(ch)) return RTL_CHAR.test(ch) ? 'rtl' : 'ltr';
  }
  return null;
}

export function toParagraphs(text: string, singleLine: boolean, fallbackDir: Direction): Paragraph[] {
  const normalised = text.replace(/\r\n?/g, '\n');
  const parts = singleLine ? [normalised.replace(/\n/g, ' ')] : normalised.split('\n');
  return parts.map((p) => ({ chunks: chunk(p), dir: firstStrongDirection(p) ?? fallbackDir }));
}

function chunk(paragraph: string): Chunk[] {
  const chunks: Chunk[] = [];
  let cur: Chunk | undefined;
  const startChunk = (text: string, cjk: boolean, word: boolean) => {
    cur = { text, space: '', cjk, word };
    chunks.push(cur);
  };
  for (const seg of segmentInBlocks(wordSegmenter, paragraph, /\s/)) {
    const s = seg.segment;
    if (WHITESPACE.test(s)) {
      if (!cur) startChunk('', false, false);
      cur!.space += s;
      continue;
    }
    if (CJK.test(s)) {
      for (const g of graphemes(s)) {
        const isCjk = CJK.test(g);
        if (cur && cur.space === '' && (NO_START.test(g) || NO_END.test(cur.text) || (!isCjk && !cur.cjk))) {
          cur.text += g;
          cur.cjk = isCjk;
          cur.word = !isCjk && !!seg.isWordLike;
        } else startChunk(g, isCjk, !isCjk && !!seg.isWordLike);
      }
      continue;
    }
    const wordLike = !!seg.isWordLike;
    const glue =
      cur !== undefined &&
      cur.space === '' &&
      cur.text !== '' &&
      (NO_END.test(cur.text) || (!cur.cjk && !(wordLike && cur.word)) || (cur.cjk && NO_START.test(s)));
    if (glue) {
      cur!.text += s;
      cur!.cjk = false;
      cur!.word = wordLike;
    } else startChunk(s, false, wordLike);
  }
  return chunks;
}

/**
 * Greedy line filling. With `allowWordBreak` false a too-wide word stays whole (overflowing)
 * and the layout reports brokeWord so shrink-to-fit can try a smaller size first.
 */
export function breakLines(
  paragraphs: Paragraph[],
  maxWidth: number,
  measure: Measure,
  allowWordBreak = true,
  /** Stop once more than this many lines exist (callers only need to know it overflows). */
  lineLimit = Infinity,
): Layout {
  const lines: Line[] = [];
  let brokeWord = false;
  const cache = new Map<string, number>();
  const w = (s: string) => {
    let v = cache.get(s);
    if (v === undefined) cache.set(s, (v = s === '' ? 0 : measure(s)));
    return v;
  };
  for (const para of paragraphs) {
    let parts: Chunk[] = [];
    let width = 0;
    const flush = (end: boolean) => {
      lines.push({ text: lineText(parts), paragraphEnd: end, dir: para.dir });
      parts = [];
      width = 0;
    };
    const place = (c: Chunk) => {
      const cw = w(c.text);
      if (parts.length > 0) {
        const needed = width + w(parts[parts.length - 1].space) + cw;
        if (needed <= maxWidth + 0.01) {
          parts.push(c);
          width = needed;
          return;
        }
        flush(false);
      }
      if (cw <= maxWidth + 0.01 || c.text === '') {
        parts.push(c);
        width = cw;
        return;
      }
      brokeWord = true;
      if (!allowWordBreak) {
        parts.push(c);
        width = cw;
        return;
      }
      const pieces = splitToWidth(c.text, maxWidth, w);
      for (let i = 0; i < pieces.length - 1; i++) {
        parts.push({ text: pieces[i], space: '', cjk: false, word: false });
        flush(false);
      }
      const last = pieces[pieces.length - 1];
      parts.push({ ...c, text: last });
      width = w(last);
    };
    for (const c of para.chunks) {
      place(c);
      if (lines.length > lineLimit) return { lines, brokeWord };
    }
    flush(true);
    if (lines.length > lineLimit) break;
  }
  return { lines, brokeWord };
}

function lineText(parts: Chunk[]): string {
  let s = '';
  for (let i = 0; i < parts.length; i++) s += parts[i].text + (i < parts.length - 1 ? parts[i].space : '');
  // Leading spaces of a paragraph are kept (indentation); a lone space chunk is not.
  return parts.length === 1 && parts[0].text === '' ? '' : s;
}

/** Splits between graphemes into pieces no wider than maxWidth (at least one grapheme each). */
function splitToWidth(text: string, maxWidth: number, w: Measure): string[] {
  const gs = graphemes(text);
  const out: string[] = [];
  let i = 0;
  while (i < gs.length) {
    const fits = (k: number) => w(gs.slice(i, i + k).join('')) <= maxWidth + 0.01;
    // Gallop, then bisect: a 10k-grapheme word costs O(log line length) measurements per
    // line instead of O(log word length) on ever longer strings. One grapheme is always taken.
    let lo = 1;
    while (i + lo * 2 <= gs.length && fits(lo * 2)) lo *= 2;
    let hi = Math.min(gs.length - i, lo * 2 - 1);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (fits(mid)) lo = mid;
      else hi = mid - 1;
    }
    out.push(gs.slice(i, i + lo).join(''));
    i += lo;
  }
  return out;
}

export const ELLIPSIS = '\u2026';

/** The longest prefix of `text` (by grapheme) that fits with an ellipsis after it. */
export function ellipsize(text: string, maxWidth: number, measure: Measure): string {
  const gs = graphemes(text.trimEnd());
  let lo = 0;
  let hi = gs.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(gs.slice(0, mid).join('').trimEnd() + ELLIPSIS) <= maxWidth + 0.01) lo = mid;
    else hi = mid - 1;
  }
  return gs.slice(0, lo).join('').trimEnd() + ELLIPSIS;
}

export interface FitInput {
  paragraphs: Paragraph[];
  fit: 'shrink' | 'wrap' | 'none';
  fontSize: number;
  minFontSize: number;
  lineHeight: number;
  maxLines?: number;
  innerWidth: number;
  innerHeight: number;
  /** Width function for a given font size. */
  measureAt: (size: number) => Measure;
}

export interface FitResult {
  size: number;
  lines: Line[];
  truncated: boolean;
  /** fit=none text wider than the box (drawn clipped). */
  overflowX: boolean;
}

function linesAllowed(input: FitInput, size: number): number {
  const byHeight = Math.max(1, Math.floor((input.innerHeight + 0.01) / (size * input.lineHeight)));
  return input.maxLines !== undefined ? Math.min(input.maxLines, byHeight) : byHeight;
}

function fitsAt(input: FitInput, size: number): Layout | null {
  const layout = breakLines(input.paragraphs, input.innerWidth, input.measureAt(size), false, linesAllowed(input, size));
  if (layout.brokeWord) return null;
  const n = layout.lines.length;
  if (input.maxLines !== undefined && n > input.maxLines) return null;
  return n * size * input.lineHeight <= input.innerHeight + 0.01 ? layout : null;
}

function truncate(input: FitInput, size: number, layout: Layout): FitResult {
  const allowed = linesAllowed(input, size);
  if (layout.lines.length <= allowed) return { size, lines: layout.lines, truncated: false, overflowX: false };
  const kept = layout.lines.slice(0, allowed);
  const last = kept[allowed - 1];
  kept[allowed - 1] = { ...last, text: ellipsize(last.text, input.innerWidth, input.measureAt(size)), paragraphEnd: true };
  return { size, lines: kept, truncated: true, overflowX: false };
}

export function fitText(input: FitInput): FitResult {
  const { fontSize, minFontSize } = input;
  if (input.fit === 'none') {
    const text = input.paragraphs.map((p) => lineText(p.chunks)).join(' ');
    const width = input.measureAt(fontSize)(text);
    return {
      size: fontSize,
      lines: [{ text, paragraphEnd: true, dir: input.paragraphs[0]?.dir ?? 'ltr' }],
      truncated: width > input.innerWidth + 0.01,
      overflowX: width > input.innerWidth + 0.01,
    };
  }
  const wrapAt = (size: number) =>
    truncate(input, size, breakLines(input.paragraphs, input.innerWidth, input.measureAt(size), true, linesAllowed(input, size)));
  if (input.fit === 'wrap' || fontSize <= minFontSize) return wrapAt(fontSize);
  const first = fitsAt(input, fontSize);
  if (first) return { size: fontSize, lines: first.lines, truncated: false, overflowX: false };
  // Binary search over 1px steps below font_size: k steps down means size fontSize - k.
  const steps = Math.floor(fontSize - minFontSize);
  let lo = 1;
  let hi = steps;
  let best: { size: number; layout: Layout } | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const size = fontSize - mid;
    const layout = fitsAt(input, size);
    if (layout) {
      best = { size, layout };
      hi = mid - 1;
    } else lo = mid + 1;
  }
  if (!best && minFontSize < fontSize - steps) {
    const layout = fitsAt(input, minFontSize);
    if (layout) best = { size: minFontSize, layout };
  }
  if (best) return { size: best.size, lines: best.layout.lines, truncated: false, overflowX: false };
  return wrapAt(minFontSize);
}
