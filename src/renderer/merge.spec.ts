import { describe, expect, it } from '@jest/globals';
import type { TemplateDocument } from './document.js';
import { applyModifications, collectSources, modifyDocument } from './merge.js';

const doc: TemplateDocument = {
  width: 100,
  height: 100,
  background: { asset_id: 'bg' },
  layers: [
    { name: 'title', type: 'text', x: 0, y: 0, width: 10, height: 10, text: 'A', dynamic: true, font_asset_id: 'f1' },
    { name: 'fixed', type: 'text', x: 0, y: 0, width: 10, height: 10, text: 'B' },
    { name: 'photo', type: 'image', x: 0, y: 0, width: 10, height: 10, asset_id: 'a1', dynamic: true },
    { name: 'avatar', type: 'image', x: 0, y: 0, width: 10, height: 10, person_id: 'p1', dynamic: true },
    { name: 'gone', type: 'image', x: 0, y: 0, width: 10, height: 10, image_url: 'https://x/y.png', hidden: true },
  ],
};

describe('applyModifications', () => {
  it('merges by name, last entry wins, protected keys ignored', () => {
    const layers = applyModifications(doc, [
      { name: 'title', text: 'first', color: '#f00' },
      { name: 'title', text: 'second', type: 'image' },
      { name: 'fixed', text: 'ignored: not dynamic' },
      { name: 'nope', text: 'no such layer' },
    ]);
    expect(layers.map((l) => l.name)).toEqual(['title', 'fixed', 'photo', 'avatar']);
    expect(layers[0]).toMatchObject({ type: 'text', text: 'second' });
    expect(layers[0]).not.toHaveProperty('color');
    expect(layers[1]).toMatchObject({ text: 'B' });
  });

  it('hides layers and replaces the image source as a whole', () => {
    const layers = applyModifications(doc, [
      { name: 'title', hidden: true },
      { name: 'photo', image_url: 'https://example.com/p.jpg' },
    ]);
    expect(layers.map((l) => l.name)).toEqual(['fixed', 'photo', 'avatar']);
    expect(layers[1]).toMatchObject({ image_url: 'https://example.com/p.jpg' });
    expect(layers[1]).not.toHaveProperty('asset_id');
  });

  it('survives odd input', () => {
    expect(applyModifications(doc, null as never)).toHaveLength(4);
    expect(applyModifications(doc, [null, 3, { name: 7 }] as never)).toHaveLength(4);
    expect(applyModifications({ width: 1, height: 1 } as never, [])).toEqual([]);
  });
});

describe('collectSources', () => {
  it('lists the refs the worker must fetch, without duplicates or hidden layers', () => {
    expect(collectSources(modifyDocument(doc, []))).toEqual({
      images: ['asset:bg', 'asset:a1', 'person:p1'],
      fonts: ['f1'],
    });
    expect(
      collectSources(
        modifyDocument(doc, [
          { name: 'photo', image_url: 'https://example.com/p.jpg' },
          { name: 'avatar', asset_id: 'bg' },
          { name: 'title', hidden: true },
        ]),
      ),
    ).toEqual({ images: ['asset:bg', 'url:https://example.com/p.jpg'], fonts: [] });
  });
});
