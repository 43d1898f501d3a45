import { it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { renderImage } from './render.js';
import { demoAssets } from './demo-template.js';

it('scratch', async () => {
  const assets = await demoAssets();
  const r = await renderImage(
    {
      width: 600,
      height: 400,
      background: { gradient: { type: 'radial', stops: [{ offset: 0, color: '#FFF' }, { offset: 1, color: '#88A' }] } },
      layers: [
        { name: 'a', type: 'text', x: 40, y: 40, width: 300, height: 100, text: 'Rotated faded box', background_color: '#0A0', stroke: { width: 3, color: '#000' }, color: '#FF0', opacity: 0.6, rotation: 20, font_size: 36, shadow: { x: 6, y: 6, blur: 6, color: '#0008' } },
        { name: 'b', type: 'image', x: 350, y: 40, width: 200, height: 200, asset_id: 'demo-logo', fit: 'contain', shadow: { x: 8, y: 8, blur: 10, color: '#000A' }, rotation: -15 },
        { name: 'c', type: 'image', x: 60, y: 220, width: 240, height: 150, asset_id: 'demo-photo', border_radius: 40, grayscale: true, tint_color: '#FF880080', shadow: { x: 0, y: 10, blur: 20, color: '#000' }, rotation: 10, opacity: 0.8 },
        { name: 'd', type: 'shape', shape: 'ellipse', x: 350, y: 260, width: 200, height: 120, fill_gradient: { type: 'radial', stops: [{ offset: 0, color: '#F00' }, { offset: 1, color: '#00F' }] }, stroke_color: '#000', stroke_width: 4, shadow: { x: 5, y: 5, blur: 8, color: '#0008' } },
      ],
    } as never,
    [],
    assets,
    { format: 'png', scale: 1 },
  );
  writeFileSync('/tmp/exp/features.png', r.buffer);
});
