import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { tinyFont } from './fixtures/fonts.js';
import { pngBomb, solidImage } from './fixtures/images.js';
import { startApi, type TestApp } from './support/app.js';
import { bearer, createOrg, type TestOrg } from './support/factories.js';
import { api, E2E_TEMPLATE } from './support/render-flow.js';

interface TemplateBody {
  id: string;
  name: string;
  layers: { name: string; text?: string }[];
  current_version: number | null;
  is_published: boolean;
  archived_at: string | null;
}
interface VersionBody {
  version: number;
  name: string;
  layers: { name: string; text?: string }[];
}

describe('templates, versions and assets', () => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  const call = <T>(method: string, path: string, body?: unknown) => api<T>(t.baseUrl, org.liveKey, method, path, body);

  beforeAll(async () => {
    t = await startApi();
    org = await createOrg(t.ds);
    other = await createOrg(t.ds);
  });
  afterAll(async () => {
    await t.close();
  });

  it('draft -> edit -> publish v1 -> edit -> publish v2, with v1 unchanged', async () => {
    const created = await call<TemplateBody>('POST', '/v1/templates', E2E_TEMPLATE);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'E2E card', current_version: null, is_published: false });
    const id = created.body.id;

    const layers = E2E_TEMPLATE.layers.map((l) => (l.name === 'headline' ? { ...l, text: 'Version one' } : l));
    expect((await call('PATCH', `/v1/templates/${id}`, { layers })).status).toBe(200);
    const v1 = await call<VersionBody>('POST', `/v1/templates/${id}/publish`);
    expect(v1.status).toBe(201);
    expect(v1.body.version).toBe(1);

    const layers2 = E2E_TEMPLATE.layers.map((l) => (l.name === 'headline' ? { ...l, text: 'Version two' } : l));
    const edited = await call<TemplateBody>('PATCH', `/v1/templates/${id}`, { name: 'Renamed', layers: layers2 });
    expect(edited.body).toMatchObject({ name: 'Renamed', current_version: 1, is_published: true });
    const v2 = await call<VersionBody>('POST', `/v1/templates/${id}/publish`);
    expect(v2.body.version).toBe(2);

    const again = await call<VersionBody>('GET', `/v1/templates/${id}/versions/1`);
    expect(again.status).toBe(200);
    expect(again.body.name).toBe('E2E card');
    expect(again.body.layers.find((l) => l.name === 'headline')?.text).toBe('Version one');
    const list = await call<{ data: VersionBody[] }>('GET', `/v1/templates/${id}/versions`);
    expect(list.body.data.map((v) => v.version)).toEqual([2, 1]);
    expect((await call<TemplateBody>('GET', `/v1/templates/${id}`)).body.current_version).toBe(2);
    expect((await call('GET', `/v1/templates/${id}/versions/3`)).status).toBe(404);
    const badVersion = await call<{ detail: { type: string }[] }>('GET', `/v1/templates/${id}/versions/zero`);
    expect([badVersion.status, badVersion.body.detail[0].type]).toEqual([422, 'int_parsing']);
  });

  it('archives: gone from the list, no new renders, versions still readable', async () => {
    const created = await call<TemplateBody>('POST', '/v1/templates', E2E_TEMPLATE);
    const id = created.body.id;
    await call('POST', `/v1/templates/${id}/publish`);
    const del = await fetch(`${t.baseUrl}/v1/templates/${id}`, { method: 'DELETE', headers: bearer(org.liveKey) });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    const list = await call<{ data: { id: string }[] }>('GET', '/v1/templates?limit=100');
    expect(list.body.data.map((d) => d.id)).not.toContain(id);
    const withArchived = await call<{ data: { id: string }[] }>('GET', '/v1/templates?limit=100&include_archived=true');
    expect(withArchived.body.data.map((d) => d.id)).toContain(id);
    expect((await call<TemplateBody>('GET', `/v1/templates/${id}`)).body.archived_at).not.toBeNull();
    expect((await call('GET', `/v1/templates/${id}/versions/1`)).status).toBe(200);
    const render = await call<{ detail: { code: string } }>('POST', '/v1/images', { template_id: id });
    expect([render.status, render.body.detail.code]).toEqual([400, 'template_archived']);
    expect((await call('PATCH', `/v1/templates/${id}`, { name: 'x' })).status).toBe(409);
  });

  it('is a 404 everywhere for another organisation', async () => {
    const created = await call<TemplateBody>('POST', '/v1/templates', E2E_TEMPLATE);
    const id = created.body.id;
    await call('POST', `/v1/templates/${id}/publish`);
    const as = <T>(method: string, path: string, body?: unknown) => api<T>(t.baseUrl, other.liveKey, method, path, body);
    for (const [method, path, body] of [
      ['GET', `/v1/templates/${id}`],
      ['PATCH', `/v1/templates/${id}`, { name: 'stolen' }],
      ['DELETE', `/v1/templates/${id}`],
      ['POST', `/v1/templates/${id}/publish`],
      ['GET', `/v1/templates/${id}/versions`],
      ['GET', `/v1/templates/${id}/versions/1`],
      ['POST', `/v1/templates/${id}/preview`, {}],
    ] as const) {
      const res = await as<{ detail: string }>(method, path, body);
      expect([method, path, res.status, res.body]).toEqual([method, path, 404, { detail: 'Template not found' }]);
    }
    const theirList = await as<{ data: { id: string }[] }>('GET', '/v1/templates?limit=100');
    expect(theirList.body.data.map((d) => d.id)).not.toContain(id);
  });

  describe('layer schema errors are exact 422s with the full loc', () => {
    const withLayer = (layer: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'x', width: 100, height: 100, layers: [layer], ...extra });
    const text = { name: 'h', type: 'text', x: 0, y: 0, width: 10, height: 10, text: 'hi' };

    it.each([
      [
        'a bad font_size in the third layer',
        { name: 'x', width: 100, height: 100, layers: [text, { ...text, name: 'b' }, { ...text, name: 'c', font_size: 'big' }] },
        [{ type: 'float_parsing', loc: ['body', 'layers', 2, 'text', 'font_size'], msg: 'Input should be a valid number, unable to parse string as a number', input: 'big' }],
      ],
      [
        'an unknown layer type',
        withLayer({ ...text, type: 'video' }),
        [
          {
            type: 'union_tag_invalid',
            loc: ['body', 'layers', 0],
            msg: "Input tag 'video' found using 'type' does not match any of the expected tags: 'text', 'image', 'shape'",
            input: { ...text, type: 'video' },
            ctx: { discriminator: "'type'", tag: 'video', expected_tags: "'text', 'image', 'shape'" },
          },
        ],
      ],
      [
        'a missing text',
        withLayer({ name: 'h', type: 'text', x: 0, y: 0, width: 10, height: 10 }),
        [{ type: 'missing', loc: ['body', 'layers', 0, 'text', 'text'], msg: 'Field required', input: { name: 'h', type: 'text', x: 0, y: 0, width: 10, height: 10 } }],
      ],
      [
        'an unknown layer property',
        withLayer({ ...text, colour: '#fff' }),
        [{ type: 'extra_forbidden', loc: ['body', 'layers', 0, 'text', 'colour'], msg: 'Extra inputs are not permitted', input: '#fff' }],
      ],
      [
        'a canvas over 8192',
        { name: 'x', width: 9000, height: 100, layers: [] },
        [{ type: 'less_than_equal', loc: ['body', 'width'], msg: 'Input should be less than or equal to 8192', input: 9000, ctx: { le: 8192 } }],
      ],
      [
        'text over 10,000 characters',
        withLayer({ ...text, text: 'a'.repeat(10_001) }),
        [{ type: 'string_too_long', loc: ['body', 'layers', 0, 'text', 'text'], msg: 'String should have at most 10000 characters', input: 'a'.repeat(10_001), ctx: { max_length: 10000 } }],
      ],
    ])('%s', async (_, body, detail) => {
      const res = await call<{ detail: unknown }>('POST', '/v1/templates', body);
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual(detail);
    });

    it('allows 200 layers and refuses 201', async () => {
      const layers = (n: number) => Array.from({ length: n }, (_, i) => ({ ...text, name: `l${i}` }));
      expect((await call('POST', '/v1/templates', { name: 'x', width: 100, height: 100, layers: layers(200) })).status).toBe(201);
      const res = await call<{ detail: { type: string; loc: unknown[] }[] }>('POST', '/v1/templates', { name: 'x', width: 100, height: 100, layers: layers(201) });
      expect(res.status).toBe(422);
      expect(res.body.detail[0]).toMatchObject({ type: 'too_long', loc: ['body', 'layers'] });
    });
  });

  it('reports cross-field rules as 400 invalid_template with a per-layer reason', async () => {
    const res = await call<{ detail: unknown }>('POST', '/v1/templates', {
      name: 'x',
      width: 8000,
      height: 8000,
      layers: [
        { name: 'a', type: 'text', x: 0, y: 0, width: 10, height: 10, text: 'x', font_size: 10, min_font_size: 20 },
        { name: 'a', type: 'shape', shape: 'rect', x: 9000, y: 0, width: 10, height: 10 },
        { name: 'p', type: 'image', x: 0, y: 0, width: 10, height: 10, asset_id: '00000000-0000-4000-8000-000000000000' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toEqual({
      code: 'invalid_template',
      errors: [
        { name: 'canvas', reason: expect.stringContaining('40 MP') },
        { name: 'a', reason: 'min_font_size (20) must not exceed font_size (10)' },
        { name: 'a', reason: 'layer names must be unique in a template' },
        { name: 'a', reason: expect.stringContaining('outside') },
        { name: 'p', reason: expect.stringContaining('not found') },
      ],
    });
  });

  describe('assets', () => {
    const upload = (key: string, bytes: Buffer, filename: string) => {
      const form = new FormData();
      form.append('file', new Blob([bytes]), filename);
      return fetch(`${t.baseUrl}/v1/assets`, { method: 'POST', headers: bearer(key), body: form });
    };

    it.each([
      ['png', 'photo.png'],
      ['jpeg', 'photo.jpg'],
      ['webp', 'photo.webp'],
      ['gif', 'photo.gif'],
      ['avif', 'photo.avif'],
    ] as const)('uploads a %s image', async (fmt, name) => {
      const res = await upload(org.liveKey, await solidImage(fmt, 12, 8), name);
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: string; kind: string; format: string; width: number; url: string };
      expect(body).toMatchObject({ kind: 'image', format: fmt, width: 12, height: 8 });
      const file = await fetch(body.url);
      expect(file.status).toBe(200);
      expect((await sharp(Buffer.from(await file.arrayBuffer())).metadata()).width).toBe(12);
      expect((await call('GET', `/v1/assets/${body.id}`)).status).toBe(200);
    });

    it('uploads an SVG and TTF, OTF and WOFF2 fonts', async () => {
      const svg = await upload(org.liveKey, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'), 'logo.svg');
      expect(svg.status).toBe(201);
      const ttf = tinyFont('Brand');
      const otf = Buffer.concat([Buffer.from('OTTO'), ttf.subarray(4)]);
      const woff2 = Buffer.alloc(48);
      woff2.write('wOF2', 0, 'latin1');
      woff2.writeUInt32BE(0x00010000, 4);
      woff2.writeUInt32BE(woff2.length, 8);
      for (const [bytes, name, format, family] of [
        [ttf, 'brand.ttf', 'ttf', 'Brand'],
        [otf, 'brand.otf', 'otf', 'Brand'],
        [woff2, 'brand.woff2', 'woff2', null],
      ] as const) {
        const res = await upload(org.liveKey, bytes, name);
        expect([name, res.status]).toEqual([name, 201]);
        expect(await res.json()).toMatchObject({ kind: 'font', format, font_family: family });
      }
    });

    it('refuses a decompression bomb, a mislabelled file and an unknown type', async () => {
      const bomb = await upload(org.liveKey, pngBomb(), 'bomb.png');
      expect(bomb.status).toBe(400);
      expect(((await bomb.json()) as { detail: { code: string } }).detail.code).toBe('image_too_large');
      const lie = await upload(org.liveKey, await solidImage('jpeg'), 'photo.png');
      expect(((await lie.json()) as { detail: { code: string } }).detail.code).toBe('asset_type_mismatch');
      const exe = await upload(org.liveKey, Buffer.from('MZ\x90\x00 not an image'), 'photo.png');
      expect(exe.status).toBe(415);
      const none = await fetch(`${t.baseUrl}/v1/assets`, { method: 'POST', headers: bearer(org.liveKey), body: new FormData() });
      expect(none.status).toBe(400);
    });

    it('refuses an upload over the size limit with 413', async () => {
      const res = await upload(org.liveKey, Buffer.alloc(21 * 1024 * 1024, 1), 'huge.png');
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ detail: 'Request body too large' });
    });

    it('keeps assets per organisation, and templates may only use their own', async () => {
      const res = await upload(other.liveKey, await solidImage('png'), 'theirs.png');
      const theirs = (await res.json()) as { id: string };
      expect((await call('GET', `/v1/assets/${theirs.id}`)).status).toBe(404);
      expect((await call('DELETE', `/v1/assets/${theirs.id}`)).status).toBe(404);
      const tpl = await call<{ detail: { code: string; errors: { name: string }[] } }>('POST', '/v1/templates', {
        name: 'x',
        width: 100,
        height: 100,
        layers: [{ name: 'p', type: 'image', x: 0, y: 0, width: 10, height: 10, asset_id: theirs.id }],
      });
      expect(tpl.status).toBe(400);
      expect(tpl.body.detail.errors[0].name).toBe('p');
    });

    it('deletes (soft) an asset', async () => {
      const res = await upload(org.liveKey, await solidImage('png'), 'gone.png');
      const { id } = (await res.json()) as { id: string };
      expect((await fetch(`${t.baseUrl}/v1/assets/${id}`, { method: 'DELETE', headers: bearer(org.liveKey) })).status).toBe(204);
      expect((await call('GET', `/v1/assets/${id}`)).status).toBe(404);
    });
  });

  it('previews a draft as image bytes', async () => {
    const created = await call<TemplateBody>('POST', '/v1/templates', E2E_TEMPLATE);
    const res = await fetch(`${t.baseUrl}/v1/templates/${created.body.id}/preview`, {
      method: 'POST',
      headers: { ...bearer(org.liveKey), 'content-type': 'application/json' },
      body: JSON.stringify({ modifications: [{ name: 'headline', text: 'Preview' }], format: 'jpeg' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 160 });
  });
});
