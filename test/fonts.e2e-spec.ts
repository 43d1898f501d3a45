import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { renamedFont, woff2Of } from './fixtures/fonts.js';
import { startApi, type TestApp } from './support/app.js';
import { bearer, createOrg, type TestOrg } from './support/factories.js';
import { api, type ImageBody, publishedTemplate } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

/** A family no installed font has, unique per run: only organisation A's upload answers to it. */
const FAMILY = `Acme Tenant Serif ${randomUUID().slice(0, 8)}`;

const CARD = {
  name: 'font card',
  width: 360,
  height: 90,
  background: { color: '#ffffff' },
  layers: [{ name: 'headline', type: 'text', x: 10, y: 10, width: 340, height: 70, text: 'Hamburgefonts', color: '#000000', font_size: 40, fit: 'none', dynamic: true }],
};

interface TextReport {
  layer: string;
  font_fallback: boolean;
}

describe('uploaded fonts are drawn only in their own organisation (API + a real worker process)', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let orgA: TestOrg;
  let orgB: TestOrg;
  const templates = new Map<TestOrg, string>();

  const raw = async (png: Buffer) => sharp(png).removeAlpha().raw().toBuffer();

  /** A worker render of the org's card with these modifications: its pixels and its text report. */
  async function render(org: TestOrg, mods: Record<string, unknown>): Promise<{ px: Buffer; report: TextReport }> {
    const res = await api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', { template_id: templates.get(org), modifications: [{ name: 'headline', ...mods }] }, { Prefer: 'wait=20' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'completed' });
    const file = await fetch(res.body.result_url as string);
    const text = res.body.image_metadata.text as TextReport[];
    return { px: await raw(Buffer.from(await file.arrayBuffer())), report: text[0] };
  }

  /** The same through the synchronous preview: pixels and the X-Imtegrate-Text-Report header. */
  async function preview(org: TestOrg, mods: Record<string, unknown>): Promise<{ px: Buffer; report: TextReport }> {
    const res = await fetch(`${t.baseUrl}/v1/templates/${templates.get(org)}/preview`, {
      method: 'POST',
      headers: { ...bearer(org.liveKey), 'content-type': 'application/json' },
      body: JSON.stringify({ modifications: [{ name: 'headline', ...mods }] }),
    });
    expect(res.status).toBe(200);
    const report = JSON.parse(res.headers.get('x-imtegrate-text-report') as string) as TextReport[];
    return { px: await raw(Buffer.from(await res.arrayBuffer())), report: report[0] };
  }

  async function upload(org: TestOrg, bytes: Buffer, filename: string): Promise<{ id: string; font_family: string }> {
    const form = new FormData();
    form.append('file', new Blob([bytes]), filename);
    const res = await fetch(`${t.baseUrl}/v1/assets`, { method: 'POST', headers: bearer(org.liveKey), body: form });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; font_family: string };
  }

  beforeAll(async () => {
    t = await startApi();
    worker = await startWorker();
    orgA = await createOrg(t.ds);
    orgB = await createOrg(t.ds);
    for (const org of [orgA, orgB]) templates.set(org, await publishedTemplate(t.baseUrl, org.liveKey, CARD));
    expect((await upload(orgA, renamedFont(FAMILY), 'brand.ttf')).font_family).toBe(FAMILY);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  // Spellings of A's family that the font system itself would have matched to A's font.
  const spellings = [FAMILY, FAMILY.toUpperCase(), `  ${FAMILY.toLowerCase().replace(/ /g, '   ')} `, `"${FAMILY}"`, `'${FAMILY}', serif`, `Nope, "${FAMILY.toLowerCase()}"`];

  for (const [name, draw] of [
    ['renders', render],
    ['previews', preview],
  ] as const) {
    it(`${name}: A draws its family; B naming it in any spelling gets the fallback, and the report says so`, async () => {
      const fallback = await draw(orgA, {});
      expect(fallback.report).toMatchObject({ layer: 'headline', font_fallback: false });

      const own = await draw(orgA, { font_family: FAMILY });
      expect(own.report.font_fallback).toBe(false);
      expect(own.px.equals(fallback.px)).toBe(false);
      // A's own spellings reach A's font too (the same pixels).
      expect((await draw(orgA, { font_family: spellings[4] })).px.equals(own.px)).toBe(true);

      // B's renders run on the same worker (and, for previews, the same API process) right after A's.
      const bFallback = await draw(orgB, {});
      expect(bFallback.px.equals(fallback.px)).toBe(true);
      for (const spelling of spellings) {
        const b = await draw(orgB, { font_family: spelling });
        expect({ spelling, fallback: b.report.font_fallback, samePixelsAsFallback: b.px.equals(fallback.px) }).toEqual({ spelling, fallback: true, samePixelsAsFallback: true });
      }
    });
  }

  it("B cannot name A's font asset, and B's own upload of a same-named font is B's alone", async () => {
    const theirs = await upload(orgA, woff2Of(renamedFont(`${FAMILY} Two`)), 'two.woff2');
    expect(theirs.font_family).toBe(`${FAMILY} Two`);
    const refused = await api<{ detail: { code: string } }>(t.baseUrl, orgB.liveKey, 'POST', '/v1/images', {
      template_id: templates.get(orgB),
      modifications: [{ name: 'headline', font_asset_id: theirs.id }],
    });
    expect(refused.status).toBe(400);

    // A WOFF2 upload draws for A like any other font.
    const aTwo = await render(orgA, { font_family: `${FAMILY} Two` });
    expect(aTwo.report.font_fallback).toBe(false);
    expect(aTwo.px.equals((await render(orgA, {})).px)).toBe(false);

    // B uploads a different font under A's family name: B sees B's glyphs, A keeps A's.
    await upload(orgB, renamedFont(FAMILY, '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf'), 'mono.ttf');
    const bOwn = await render(orgB, { font_family: FAMILY });
    const aOwn = await render(orgA, { font_family: FAMILY });
    expect(bOwn.report.font_fallback).toBe(false);
    expect(bOwn.px.equals(aOwn.px)).toBe(false);
    expect(bOwn.px.equals((await render(orgB, {})).px)).toBe(false);
  });
});
