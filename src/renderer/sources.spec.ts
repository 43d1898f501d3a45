import { describe, expect, it } from '@jest/globals';
import type { TemplateDocument } from './document.js';
import { modifyDocument } from './merge.js';
import { resolveAssets, SourceError, type AssetBytes, type AssetPort } from './sources.js';

const doc: TemplateDocument = {
  width: 100,
  height: 100,
  background: { asset_id: 'bg' },
  layers: [
    { name: 'title', type: 'text', x: 0, y: 0, width: 10, height: 10, text: 'A', dynamic: true, font_asset_id: 'f1' },
    { name: 'photo', type: 'image', x: 0, y: 0, width: 10, height: 10, asset_id: 'a1', dynamic: true },
    { name: 'remote', type: 'image', x: 0, y: 0, width: 10, height: 10, image_url: 'https://img.example/x.png', dynamic: true },
  ],
};

/** A port over an in-memory table that records what the renderer asked for. */
function memoryPort(assets: Record<string, AssetBytes>, remote: (url: string) => Promise<Buffer>): AssetPort & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    asset: async (id) => {
      asked.push(`asset:${id}`);
      return assets[id] ?? null;
    },
    remoteImage: async (url) => {
      asked.push(`url:${url}`);
      return remote(url);
    },
  };
}

const bytes = (s: string) => Buffer.from(s);

describe('resolveAssets', () => {
  it('asks the port once per source the modified document needs', async () => {
    const port = memoryPort(
      { bg: { bytes: bytes('bg'), kind: 'image' }, a1: { bytes: bytes('a1'), kind: 'image' }, f1: { bytes: bytes('f1'), kind: 'font' } },
      async (url) => bytes(url),
    );
    const resolved = await resolveAssets(modifyDocument(doc, [{ name: 'photo', asset_id: 'bg' }]), port);
    expect([...resolved.images.keys()].sort()).toEqual(['asset:bg', 'url:https://img.example/x.png']);
    expect(resolved.images.get('url:https://img.example/x.png')?.toString()).toBe('https://img.example/x.png');
    expect(resolved.fonts.get('f1')?.toString()).toBe('f1');
    expect(port.asked.sort()).toEqual(['asset:bg', 'asset:f1', 'url:https://img.example/x.png']);
  });

  it('names the layer that needed a missing or mistyped asset', async () => {
    const port = memoryPort({ bg: { bytes: bytes('bg'), kind: 'image' }, a1: { bytes: bytes('a1'), kind: 'font' } }, async () => bytes('x'));
    const missing = await resolveAssets(modifyDocument(doc, []), port).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SourceError);
    expect(missing).toMatchObject({ code: 'asset_unavailable', transient: false });
    expect(['photo', 'title']).toContain((missing as SourceError).layer);
    const onlyPhoto = modifyDocument(doc, [{ name: 'title', hidden: true }]);
    expect(await resolveAssets(onlyPhoto, port).catch((e: unknown) => e)).toMatchObject({
      code: 'asset_unavailable',
      message: 'asset a1 is a font, not an image',
      layer: 'photo',
    });
  });

  it('attributes a refusal raised by the port to the layer, keeping its code and transience', async () => {
    const port = memoryPort(
      { bg: { bytes: bytes('bg'), kind: 'image' }, a1: { bytes: bytes('a1'), kind: 'image' }, f1: { bytes: bytes('f1'), kind: 'font' } },
      async () => {
        throw new SourceError('image_unavailable', 'could not fetch: timeout', true);
      },
    );
    expect(await resolveAssets(modifyDocument(doc, []), port).catch((e: unknown) => e)).toMatchObject({
      code: 'image_unavailable',
      transient: true,
      layer: 'remote',
    });
  });
});
