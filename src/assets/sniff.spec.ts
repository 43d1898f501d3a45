import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { svgUnsafeReason } from '../renderer/index.js';
import { nameContradicts, sniff, sniffFormat } from './sniff.js';

const px = { create: { width: 2, height: 2, channels: 3 as const, background: '#f00' } };

describe('sniffFormat', () => {
  it.each(['png', 'jpeg', 'gif', 'webp', 'avif'] as const)('recognises real %s bytes', async (fmt) => {
    const buf = await sharp(px).toFormat(fmt).toBuffer();
    expect(sniffFormat(buf)).toBe(fmt);
  });

  it('recognises SVG with and without an XML prolog', () => {
    expect(sniffFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBe('svg');
    expect(sniffFormat(Buffer.from('\uFEFF<?xml version="1.0"?>\n<!-- c --><svg width="1"/>'))).toBe('svg');
  });

  it.each([
    ['ttf', [0x00, 0x01, 0x00, 0x00, 0, 0]],
    ['otf', [...Buffer.from('OTTO'), 0, 0]],
    ['woff2', [...Buffer.from('wOF2'), 0, 0]],
  ])('recognises %s fonts by their tag', (fmt, bytes) => {
    expect(sniffFormat(Buffer.from(bytes as number[]))).toBe(fmt);
  });

  it.each([
    ['text', Buffer.from('hello world')],
    ['HTML', Buffer.from('<html><svg></svg></html>')],
    ['too short', Buffer.from([0x89])],
    ['a PDF', Buffer.from('%PDF-1.7\n')],
    ['an MP4', Buffer.from([0, 0, 0, 0x18, ...Buffer.from('ftypmp42'), 0, 0, 0, 0, ...Buffer.from('isom')])],
  ])('refuses %s', (_, buf) => {
    expect(sniff(buf)).toBeNull();
  });
});

describe('nameContradicts', () => {
  it('flags a name that claims another type', () => {
    expect(nameContradicts('photo.png', 'jpeg')).toBe(true);
    expect(nameContradicts('font.woff2', 'ttf')).toBe(true);
  });
  it('accepts matching and unknown names', () => {
    expect(nameContradicts('photo.JPG', 'jpeg')).toBe(false);
    expect(nameContradicts('font.otf', 'ttf')).toBe(false);
    expect(nameContradicts('upload', 'png')).toBe(false);
    expect(nameContradicts('upload.bin', 'png')).toBe(false);
  });
});

describe('svgUnsafeReason', () => {
  it('accepts inline content, fragments and data URIs', () => {
    expect(svgUnsafeReason('<svg><use href="#a"/><image href="data:image/png;base64,AAAA"/><rect fill="url(#g)"/></svg>')).toBeNull();
  });
  it.each([
    ['an http image', '<svg><image href="http://169.254.169.254/latest"/></svg>'],
    ['an xlink file reference', '<svg><image xlink:href=\'file:///etc/passwd\'/></svg>'],
    ['a DTD with entities', '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>'],
    ['a CSS url()', '<svg><style>rect{fill:url(http://evil/x)}</style></svg>'],
    ['a CSS import', '<svg><style>@import "http://evil/x.css";</style></svg>'],
    ['a script', '<svg><script>alert(1)</script></svg>'],
  ])('refuses %s', (_, svg) => {
    expect(svgUnsafeReason(svg)).not.toBeNull();
  });
});

describe('sniffFormat: the SVG prolog scan', () => {
  it.each([
    ['an upper-case XML declaration', '<?XML version="1.0"?><svg>', 'svg'],
    ['several comments and whitespace', '<!-- a -->\n<!---->  <!-- b --><svg>', 'svg'],
    ['an upper-case root', '<SVG xmlns="http://www.w3.org/2000/svg">', 'svg'],
    ['a declaration not closed by ?>', '<?xml version="1.0"><svg/>', null],
    ['an unclosed comment', `<!-- ${'-'.repeat(5000)}<svg>`, null],
    ['text after a comment', '<!-- a --> junk --> <svg>', null],
    ['<svgx', '<svgx>', null],
  ])('%s', (_, text, expected) => {
    expect(sniffFormat(Buffer.from(text))).toBe(expected);
  });
});
