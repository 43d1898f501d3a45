import { describe, expect, it } from '@jest/globals';
import { tinyFont } from '../../test/fixtures/fonts.js';
import { pngBomb, solidImage } from '../../test/fixtures/images.js';
import { ApiError } from '../http/api-error.js';
import { inspectUpload } from './assets.service.js';

const upload = (buffer: Buffer, originalname: string) => inspectUpload({ buffer, originalname, size: buffer.length });

async function refusal(p: Promise<unknown>): Promise<{ status: number; detail: { code: string; message: string } }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return { status: (e as ApiError).getStatus(), detail: (e as ApiError).detail as { code: string; message: string } };
  }
  throw new Error('expected a refusal');
}

describe('inspectUpload', () => {
  it.each(['png', 'jpeg', 'webp', 'gif', 'avif'] as const)('accepts a %s image and reads its size from the bytes', async (fmt) => {
    const info = await upload(await solidImage(fmt, 8, 6), `photo.${fmt === 'jpeg' ? 'jpg' : fmt}`);
    expect(info).toMatchObject({ kind: 'image', format: fmt, width: 8, height: 6 });
  });

  it('accepts a self-contained SVG', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="20"><rect width="10" height="20" fill="red"/></svg>');
    expect(await upload(svg, 'logo.svg')).toMatchObject({ kind: 'image', format: 'svg', contentType: 'image/svg+xml', width: 10, height: 20 });
  });

  it('accepts a font and reads its family name', async () => {
    expect(await upload(tinyFont('Brand Sans'), 'brand.ttf')).toMatchObject({ kind: 'font', format: 'ttf', fontFamily: 'Brand Sans' });
  });

  it('refuses a 20000x20000 PNG bomb from its header, before decoding any pixel', async () => {
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(200_000);
    // image_too_large (not invalid_image) proves the header check refused it: no decode happened.
    expect(await refusal(upload(bomb, 'bomb.png'))).toEqual({
      status: 400,
      detail: { code: 'image_too_large', message: expect.stringContaining('20000x20000') },
    });
  });

  it('refuses bytes whose name claims another type', async () => {
    expect(await refusal(upload(await solidImage('jpeg'), 'photo.png'))).toEqual({
      status: 400,
      detail: { code: 'asset_type_mismatch', message: expect.stringContaining('JPEG') },
    });
  });

  it('refuses content that is no supported type, whatever its name', async () => {
    expect((await refusal(upload(Buffer.from('#!/bin/sh\necho hi'), 'photo.png'))).status).toBe(415);
    expect((await refusal(upload(Buffer.from('%PDF-1.4'), 'doc.pdf'))).detail.code).toBe('unsupported_media_type');
  });

  it('refuses a truncated image and a corrupt font', async () => {
    const png = await solidImage('png', 64, 64);
    expect((await refusal(upload(png.subarray(0, 40), 'cut.png'))).detail.code).toBe('invalid_image');
    expect((await refusal(upload(Buffer.from([0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0]), 'bad.ttf'))).detail.code).toBe('invalid_font');
  });

  it('refuses an SVG with an external reference', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://169.254.169.254/x"/></svg>');
    expect((await refusal(upload(svg, 'x.svg'))).detail.code).toBe('unsafe_svg');
  });

  it('measures what an SVG embeds before the trial decode: a nested bomb, a sum over the budget', async () => {
    const wrap = (payload: Buffer, mime: string) =>
      Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="data:${mime};base64,${payload.toString('base64')}" width="10" height="10"/></svg>`);
    // 400 megapixels two SVG levels down: refused from the header, librsvg never decodes it.
    expect(await refusal(upload(wrap(wrap(pngBomb(), 'image/png'), 'image/svg+xml'), 'bomb.svg'))).toEqual({
      status: 400,
      detail: { code: 'image_too_large', message: expect.stringContaining('embedded in the SVG exceeds') },
    });
    const png = await solidImage('png', 100, 100);
    const svg = wrap(png, 'image/png');
    // 10x10 + 100x100 = 10,100 pixels.
    expect(await inspectUpload({ buffer: svg, originalname: 'ok.svg', size: svg.length }, 10_100)).toMatchObject({ format: 'svg' });
    expect(await refusal(inspectUpload({ buffer: svg, originalname: 'over.svg', size: svg.length }, 10_099))).toEqual({
      status: 400,
      detail: { code: 'image_too_large', message: 'The SVG and the images it embeds decode to 10100 pixels; a render may decode at most 10099' },
    });
    const unsafe = wrap(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://169.254.169.254/x"/></svg>'), 'image/svg+xml');
    expect((await refusal(upload(unsafe, 'nested.svg'))).detail).toEqual({ code: 'unsafe_svg', message: expect.stringContaining('embedded SVG rejected') });
  });
});
