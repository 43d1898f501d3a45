/**
 * The README's example, run by the test suite against a live service:
 *   IMTEGRATE_URL=http://127.0.0.1:3000 IMTEGRATE_KEY=ik_test_... node dist/example.js
 * It walks a template from draft to render, reads and lists renders, uploads an asset and
 * handles errors, with no cast anywhere: every answer is typed from openapi.json.
 */
import { createImtegrateClient, type Image } from './src/index.js';

const api = createImtegrateClient({ baseUrl: process.env.IMTEGRATE_URL ?? 'http://127.0.0.1:3000', apiKey: process.env.IMTEGRATE_KEY ?? '' });

// 1. A draft template, then its first published version.
const created = await api.POST('/v1/templates', {
  body: {
    name: 'Client example card',
    width: 600,
    height: 315,
    layers: [
      { type: 'shape', name: 'box', shape: 'rect', x: 0, y: 0, width: 600, height: 315, fill_color: '#0F172A' },
      { type: 'text', name: 'headline', x: 30, y: 100, width: 540, height: 120, text: 'Hello', color: '#FFFFFF', font_size: 48, dynamic: true },
    ],
  },
});
if (created.error) throw new Error(`create template: ${JSON.stringify(created.error)}`);
const template = created.data;

const published = await api.POST('/v1/templates/{template_id}/publish', { params: { path: { template_id: template.id } } });
if (published.error) throw new Error(`publish: ${JSON.stringify(published.error)}`);

// 2. A render that waits up to 10 s for its result (201 when done, 202 when still running).
const rendered = await api.POST('/v1/images', {
  params: { header: { prefer: 'wait=10' } },
  body: { template_id: template.id, modifications: [{ name: 'headline', text: 'Rendered by the typed client' }], format: 'png' },
});
if (rendered.error) throw new Error(`render: ${JSON.stringify(rendered.error)}`);
let image: Image = rendered.data;

// 3. Poll until it is finished (a no-op when Prefer: wait already saw it complete).
for (let i = 0; i < 100 && (image.status === 'pending' || image.status === 'rendering'); i++) {
  await new Promise((r) => setTimeout(r, 100));
  const read = await api.GET('/v1/images/{image_id}', { params: { path: { image_id: image.id } } });
  if (read.error) throw new Error(`get image: ${JSON.stringify(read.error)}`);
  image = read.data;
}
if (image.status !== 'completed' || !image.result_url) throw new Error(`render ended ${image.status}: ${JSON.stringify(image.error)}`);
const png = await fetch(image.result_url);

// 4. Every render of the template, one page at a time, following next_cursor.
await api.POST('/v1/images', { body: { template_id: template.id } });
const seen: string[] = [];
let cursor: string | undefined;
for (;;) {
  const page = await api.GET('/v1/images', { params: { query: { template_id: template.id, limit: 1, ...(cursor ? { cursor } : {}) } } });
  if (page.error) throw new Error(`list: ${JSON.stringify(page.error)}`);
  seen.push(...page.data.data.map((i) => i.id));
  if (!page.data.has_more || !page.data.next_cursor) break;
  cursor = page.data.next_cursor;
}

// 5. An asset upload (multipart): a 1x1 PNG.
const onePixel = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const uploaded = await api.POST('/v1/assets', {
  body: { file: 'pixel.png' },
  bodySerializer: () => {
    const form = new FormData();
    form.append('file', new Blob([onePixel], { type: 'image/png' }), 'pixel.png');
    return form;
  },
});
if (uploaded.error) throw new Error(`upload: ${JSON.stringify(uploaded.error)}`);

// 6. Errors are typed per status: a 404 has a detail string, a 422 the list of field errors.
const missing = await api.GET('/v1/images/{image_id}', { params: { path: { image_id: '00000000-0000-4000-8000-000000000000' } } });
const notFound = missing.response.status === 404 && missing.error ? missing.error.detail : null;
const invalid = await api.GET('/v1/images', { params: { query: { limit: 0 } } });
const invalidFields = invalid.error && Array.isArray(invalid.error.detail) ? invalid.error.detail.map((d) => d.loc.join('.')) : [];

console.log(
  JSON.stringify({
    template: template.id,
    version: published.data.version,
    image: image.id,
    status: image.status,
    result_content_type: png.headers.get('content-type'),
    listed: seen.length,
    asset: { kind: uploaded.data.kind, width: uploaded.data.width },
    not_found: notFound,
    invalid_fields: invalidFields,
  }),
);
