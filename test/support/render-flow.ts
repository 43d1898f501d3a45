import { bearer } from './factories.js';

export interface ImageBody {
  id: string;
  status: string;
  result_url: string | null;
  thumbnail_url: string | null;
  error: Record<string, unknown> | null;
  image_metadata: Record<string, unknown>;
  duration_ms: number | null;
  started_at: string | null;
  completed_at: string | null;
}

/** A small card: red box on the left, a dynamic headline, a dynamic photo slot bottom right. */
export const E2E_TEMPLATE = {
  name: 'E2E card',
  width: 320,
  height: 160,
  background: { color: '#ffffff' },
  layers: [
    { name: 'box', type: 'shape', shape: 'rect', x: 0, y: 0, width: 100, height: 160, fill_color: '#ff0000' },
    { name: 'headline', type: 'text', x: 110, y: 10, width: 200, height: 60, text: 'Hello', color: '#000000', font_size: 32, dynamic: true },
    { name: 'photo', type: 'image', x: 220, y: 80, width: 90, height: 70, fit: 'cover', dynamic: true },
  ],
};

export async function api<T = unknown>(baseUrl: string, key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...bearer(key), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

export async function publishedTemplate(baseUrl: string, key: string, doc: unknown = E2E_TEMPLATE): Promise<string> {
  const created = await api<{ id: string }>(baseUrl, key, 'POST', '/v1/templates', doc);
  if (created.status !== 201) throw new Error(`template create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const pub = await api(baseUrl, key, 'POST', `/v1/templates/${created.body.id}/publish`);
  if (pub.status !== 201) throw new Error(`publish failed: ${pub.status} ${JSON.stringify(pub.body)}`);
  return created.body.id;
}

/** Polls GET /v1/images/{id} until the render settles (the API's own contract, as a client would). */
export async function waitForImage(baseUrl: string, key: string, id: string, timeoutMs = 30_000): Promise<ImageBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api<ImageBody>(baseUrl, key, 'GET', `/v1/images/${id}`);
    if (r.body.status === 'completed' || r.body.status === 'failed') return r.body;
    if (Date.now() > deadline) throw new Error(`image ${id} still ${r.body.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
