import { describe, expect, it } from '@jest/globals';
import { breakLines, ellipsize, firstStrongDirection, fitText, toParagraphs, type Measure } from './text-layout.js';

/** Every grapheme is 10 units wide: layouts become easy to reason about. */
const mono: Measure = (s) => [...s].length * 10;
const monoAt = (size: number): Measure => (s) => [...s].length * size * 0.5;

describe('text layout', () => {
  it('breaks Latin between words and drops trailing spaces', () => {
    const l = breakLines(toParagraphs('hello big world', false, 'ltr'), 95, mono);
    expect(l.lines.map((x) => x.text)).toEqual(['hello big', 'world']);
  });

  it('keeps punctuation with its word and honours newlines', () => {
    const l = breakLines(toParagraphs('one, two.\nthree', false, 'ltr'), 60, mono);
    expect(l.lines.map((x) => x.text)).toEqual(['one,', 'two.', 'three']);
    expect(l.lines.map((x) => x.paragraphEnd)).toEqual([false, true, true]);
  });

  it('breaks CJK between characters but not before closing punctuation', () => {
    const l = breakLines(toParagraphs('日本語のテキストです。', false, 'ltr'), 40, mono);
    expect(l.lines.map((x) => x.text)).toEqual(['日本語の', 'テキスト', 'です。']);
  });

  it('breaks an over-long word by grapheme and reports it', () => {
    const l = breakLines(toParagraphs('abcdefghij', false, 'ltr'), 40, mono);
    expect(l.lines.map((x) => x.text)).toEqual(['abcd', 'efgh', 'ij']);
    expect(l.brokeWord).toBe(true);
    expect(breakLines(toParagraphs('👍🏽👍🏽👍🏽', false, 'ltr'), 20, mono).lines.map((x) => x.text)).toEqual([
      '👍🏽',
      '👍🏽',
      '👍🏽',
    ]);
  });

  it('detects the paragraph direction from the first strong character', () => {
    expect(firstStrongDirection('123 مرحبا hello')).toBe('rtl');
    expect(firstStrongDirection('hello שלום')).toBe('ltr');
    expect(firstStrongDirection('123')).toBeNull();
  });

  it('ellipsizes to the width', () => {
    expect(ellipsize('hello world', 60, mono)).toBe('hello…');
  });

  it('shrinks to the largest size that fits, in 1px steps', () => {
    const r = fitText({
      paragraphs: toParagraphs('aaaa bbbb cccc dddd', false, 'ltr'),
      fit: 'shrink',
      fontSize: 40,
      minFontSize: 10,
      lineHeight: 1,
      innerWidth: 200,
      innerHeight: 40,
      measureAt: monoAt,
    });
    // One line of 19 graphemes at size s is 9.5*s wide: 200/9.5 = 21.05 -> 21.
    expect(r).toMatchObject({ size: 21, truncated: false });
    expect(r.lines).toHaveLength(1);
  });

  it('truncates with an ellipsis at the minimum size and respects max_lines', () => {
    const r = fitText({
      paragraphs: toParagraphs('one two three four five six seven eight nine ten', false, 'ltr'),
      fit: 'shrink',
      fontSize: 20,
      minFontSize: 18,
      lineHeight: 1.2,
      maxLines: 2,
      innerWidth: 100,
      innerHeight: 500,
      measureAt: monoAt,
    });
    expect(r.size).toBe(18);
    expect(r.truncated).toBe(true);
    expect(r.lines).toHaveLength(2);
    expect(r.lines[1].text.endsWith('…')).toBe(true);
  });

  it('wrap keeps the size and clips to the box height', () => {
    const r = fitText({
      paragraphs: toParagraphs('aa bb cc dd ee', false, 'ltr'),
      fit: 'wrap',
      fontSize: 10,
      minFontSize: 5,
      lineHeight: 1,
      innerWidth: 10,
      innerHeight: 25,
      measureAt: monoAt,
    });
    expect(r.size).toBe(10);
    expect(r.lines.map((l) => l.text)).toEqual(['aa', 'b…']);
    expect(r.truncated).toBe(true);
  });

  it('none keeps a single line', () => {
    const r = fitText({
      paragraphs: toParagraphs('a\nb', true, 'ltr'),
      fit: 'none',
      fontSize: 10,
      minFontSize: 5,
      lineHeight: 1,
      innerWidth: 100,
      innerHeight: 10,
      measureAt: monoAt,
    });
    expect(r.lines.map((l) => l.text)).toEqual(['a b']);
  });
});

describe('text layout limits', () => {
  it('lays out a 10k-character word and a 10k-word text quickly enough to be bounded by the box', () => {
    let calls = 0;
    const counting: Measure = (s) => {
      calls++;
      return [...s].length * 10;
    };
    const r = fitText({
      paragraphs: toParagraphs('x'.repeat(10_000), false, 'ltr'),
      fit: 'wrap',
      fontSize: 20,
      minFontSize: 10,
      lineHeight: 1,
      maxLines: 3,
      innerWidth: 200,
      innerHeight: 1000,
      measureAt: () => counting,
    });
    expect(r.lines).toHaveLength(3);
    expect(r.lines[0].text).toBe('x'.repeat(20));
    expect(r.truncated).toBe(true);
    expect(calls).toBeLessThan(400);
    calls = 0;
    const many = fitText({
      paragraphs: toParagraphs('word '.repeat(10_000), false, 'ltr'),
      fit: 'shrink',
      fontSize: 40,
      minFontSize: 10,
      lineHeight: 1,
      innerWidth: 200,
      innerHeight: 100,
      measureAt: () => counting,
    });
    expect(many.truncated).toBe(true);
    expect(calls).toBeLessThan(2000);
  });
});
