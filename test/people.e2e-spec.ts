import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { tinyFont } from './fixtures/fonts.js';
import { startApi, type TestApp } from './support/app.js';
import { bearer, createOrg, type TestOrg } from './support/factories.js';
import { api, type ImageBody, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

interface PersonBody {
  id: string;
  object: string;
  name: string;
  external_id: string | null;
  photo_asset_id: string;
  photo_url: string | null;
  tags: Record<string, string>;
  created_at: string;
  updated_at: string;
}
interface ListBody<T> {
  object: string;
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}
interface CodedError {
  detail: { code: string; errors: { name: string; reason: string }[] };
}

// E2E_TEMPLATE's photo layer: x 220-310, y 80-150 (90x70, cover).
const GREEN: [number, number, number] = [0, 200, 0];
const MAGENTA: [number, number, number] = [220, 0, 220];

/** A 90x70 photo, green on top and magenta below: drawn into the 90x70 layer, each half lands where the test looks. */
async function twoTonePhoto(): Promise<Buffer> {
  const raw = Buffer.alloc(90 * 70 * 3);
  for (let y = 0; y < 70; y++) {
    for (let x = 0; x < 90; x++) raw.set(y < 35 ? GREEN : MAGENTA, (y * 90 + x) * 3);
  }
  return sharp(raw, { raw: { width: 90, height: 70, channels: 3 } }).png().toBuffer();
}

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}

const close = (a: number[], b: number[]): boolean => a.every((v, i) => Math.abs(v - b[i]) <= 12);

async function download(url: string | null): Promise<Buffer> {
  const res = await fetch(url as string);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('people: the directory and its use in renders (API + a real worker process)', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let org: TestOrg;
  let other: TestOrg;
  let templateId: string;
  let photoId: string;
  let photoBytes: Buffer;
  const call = <T>(method: string, path: string, body?: unknown) => api<T>(t.baseUrl, org.liveKey, method, path, body);
  const asOther = <T>(method: string, path: string, body?: unknown) => api<T>(t.baseUrl, other.liveKey, method, path, body);

  const upload = async (key: string, bytes: Buffer, filename: string): Promise<string> => {
    const form = new FormData();
    form.append('file', new Blob([bytes]), filename);
    const res = await fetch(`${t.baseUrl}/v1/assets`, { method: 'POST', headers: bearer(key), body: form });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const createPerson = async (body: Record<string, unknown>, as = call): Promise<PersonBody> => {
    const res = await as<PersonBody>('POST', '/v1/people', { photo_asset_id: photoId, ...body });
    expect(res.status).toBe(201);
    return res.body;
  };
  const render = (modifications: unknown[]) => call<ImageBody & CodedError & { modifications: unknown[] }>('POST', '/v1/images', { template_id: templateId, modifications });

  beforeAll(async () => {
    t = await startApi();
    worker = await startWorker();
    org = await createOrg(t.ds);
    other = await createOrg(t.ds);
    templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    photoBytes = await twoTonePhoto();
    photoId = await upload(org.liveKey, photoBytes, 'ada.png');
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  it('creates a person from an uploaded photo and reads it back with a freshly signed photo_url', async () => {
    const ada = await createPerson({ name: 'Ada Lovelace', external_id: 'crm-ada', tags: { role: 'AE', region: 'EMEA' } });
    expect(ada).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      object: 'person',
      name: 'Ada Lovelace',
      external_id: 'crm-ada',
      photo_asset_id: photoId,
      photo_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1\/files\/.+signature=/),
      tags: { role: 'AE', region: 'EMEA' },
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await download(ada.photo_url)).equals(photoBytes)).toBe(true);
    const got = await call<PersonBody>('GET', `/v1/people/${ada.id.toUpperCase()}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: ada.id, name: 'Ada Lovelace', photo_url: expect.stringContaining('signature=') });
  });

  it('renders the photo into an image layer by person_id and by person_external_id, storing the concrete asset', async () => {
    const grace = await createPerson({ name: 'Grace Hopper', external_id: 'crm-grace' });
    for (const mod of [{ name: 'photo', person_id: grace.id }, { name: 'photo', person_external_id: 'crm-grace' }]) {
      const post = await render([mod]);
      expect(post.status).toBe(202);
      // Resolved before queueing: the image carries the photo asset, not the reference.
      expect(post.body.modifications).toEqual([{ name: 'photo', asset_id: photoId }]);
      const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id);
      expect(done).toMatchObject({ status: 'completed', error: null });
      const png = await download(done.result_url);
      expect(close(await pixel(png, 265, 90), GREEN)).toBe(true);
      expect(close(await pixel(png, 265, 140), MAGENTA)).toBe(true);
      // Outside the layer the template's own pixels stay.
      expect(await pixel(png, 50, 80)).toEqual([255, 0, 0]);
    }
  });

  it('sets a text layer from person_field, exactly as the same text given directly', async () => {
    const linus = await createPerson({ name: 'Linus', tags: { role: 'Kernel' } });
    const byPerson = await render([{ name: 'headline', person_id: linus.id, person_field: 'tags.role' }]);
    expect(byPerson.status).toBe(202);
    expect(byPerson.body.modifications).toEqual([{ name: 'headline', text: 'Kernel' }]);
    const direct = await render([{ name: 'headline', text: 'Kernel' }]);
    const [a, b] = await Promise.all([waitForImage(t.baseUrl, org.liveKey, byPerson.body.id), waitForImage(t.baseUrl, org.liveKey, direct.body.id)]);
    const [pa, pb] = await Promise.all([download(a.result_url), download(b.result_url)]);
    const raw = (png: Buffer) => sharp(png).raw().toBuffer();
    expect((await raw(pa)).equals(await raw(pb))).toBe(true);
    const byName = await render([{ name: 'headline', person_id: linus.id, person_field: 'name' }]);
    expect(byName.body.modifications).toEqual([{ name: 'headline', text: 'Linus' }]);
  });

  it('keeps a finished render as it was when the person changes or is deleted', async () => {
    const p = await createPerson({ name: 'Before' });
    const post = await render([{ name: 'headline', person_id: p.id, person_field: 'name' }]);
    const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id);
    expect((await call('PATCH', `/v1/people/${p.id}`, { name: 'After' })).status).toBe(200);
    expect((await call('DELETE', `/v1/people/${p.id}`)).status).toBe(204);
    const again = await call<ImageBody & { modifications: unknown[] }>('GET', `/v1/images/${done.id}`);
    expect(again.body).toMatchObject({ status: 'completed', modifications: [{ name: 'headline', text: 'Before' }] });
    expect((await download(again.body.result_url)).length).toBeGreaterThan(0);
  });

  it('refuses a deleted, foreign or unknown person, or a missing field, with a 400 naming the layer and queues nothing', async () => {
    const gone = await createPerson({ name: 'Gone', external_id: 'crm-gone' });
    expect((await call('DELETE', `/v1/people/${gone.id}`)).status).toBe(204);
    const theirPhoto = await upload(other.liveKey, photoBytes, 'theirs.png');
    const theirs = await createPerson({ name: 'Theirs', external_id: 'crm-theirs', photo_asset_id: theirPhoto }, asOther);
    const known = await createPerson({ name: 'Known' });
    const [{ count: before }] = (await t.ds.query(`SELECT count(*)::int AS count FROM images WHERE org_id = $1`, [org.orgId])) as { count: number }[];
    for (const [mod, reason] of [
      [{ name: 'photo', person_id: gone.id }, 'not found'],
      [{ name: 'photo', person_external_id: 'crm-gone' }, 'no person with external_id'],
      [{ name: 'photo', person_id: theirs.id }, 'not found'],
      [{ name: 'photo', person_external_id: 'crm-theirs' }, 'no person with external_id'],
      [{ name: 'photo', person_id: '00000000-0000-4000-8000-000000000000' }, 'not found'],
      [{ name: 'headline', person_id: known.id, person_field: 'tags.team' }, 'has no tags.team'],
      [{ name: 'headline', person_id: known.id, person_field: 'external_id' }, 'has no external_id'],
      [{ name: 'headline', person_id: known.id }, 'person_field is required'],
    ] as const) {
      const res = await render([mod]);
      expect(res.status).toBe(400);
      expect(res.body.detail.code).toBe('invalid_modification');
      expect(res.body.detail.errors).toEqual([{ name: mod.name, reason: expect.stringContaining(reason) }]);
    }
    const [{ count: after }] = (await t.ds.query(`SELECT count(*)::int AS count FROM images WHERE org_id = $1`, [org.orgId])) as { count: number }[];
    expect(after).toBe(before);
  });

  it('once the photo asset is deleted, the person has no photo_url and cannot fill an image layer', async () => {
    const ownPhoto = await upload(org.liveKey, photoBytes, 'soon-gone.png');
    const p = await createPerson({ name: 'No Photo', photo_asset_id: ownPhoto });
    expect((await fetch(`${t.baseUrl}/v1/assets/${ownPhoto}`, { method: 'DELETE', headers: bearer(org.liveKey) })).status).toBe(204);
    expect((await call<PersonBody>('GET', `/v1/people/${p.id}`)).body).toMatchObject({ photo_asset_id: ownPhoto, photo_url: null });
    const res = await render([{ name: 'photo', person_id: p.id }]);
    expect(res.status).toBe(400);
    expect(res.body.detail.errors).toEqual([{ name: 'photo', reason: expect.stringContaining('photo asset') }]);
    // Its other fields still work.
    expect((await render([{ name: 'headline', person_id: p.id, person_field: 'name' }])).status).toBe(202);
  });

  it('resolves people in previews too', async () => {
    const p = await createPerson({ name: 'Preview Person', external_id: 'crm-preview' });
    const res = await fetch(`${t.baseUrl}/v1/templates/${templateId}/preview`, {
      method: 'POST',
      headers: { ...bearer(org.liveKey), 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, modifications: [{ name: 'photo', person_external_id: 'crm-preview' }, { name: 'headline', person_id: p.id, person_field: 'name' }] }),
    });
    expect(res.status).toBe(200);
    const png = Buffer.from(await res.arrayBuffer());
    expect(close(await pixel(png, 265, 90), GREEN)).toBe(true);
    expect(close(await pixel(png, 265, 140), MAGENTA)).toBe(true);
    const bad = await api<CodedError>(t.baseUrl, org.liveKey, 'POST', `/v1/templates/${templateId}/preview`, { modifications: [{ name: 'photo', person_external_id: 'nobody' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.detail.errors[0].name).toBe('photo');
  });

  describe('the directory', () => {
    let lister: TestOrg;
    let listerPhoto: string;
    const asLister = <T>(method: string, path: string, body?: unknown) => api<T>(t.baseUrl, lister.liveKey, method, path, body);
    const names = (r: { body: ListBody<PersonBody> }): string[] => r.body.data.map((p) => p.name);

    beforeAll(async () => {
      lister = await createOrg(t.ds);
      listerPhoto = await upload(lister.liveKey, photoBytes, 'p.png');
      const people = [
        { name: 'Ann', external_id: 'e-ann', tags: { role: 'AE', region: 'EMEA' } },
        { name: 'Bob', external_id: 'e-bob', tags: { role: 'AE', region: 'AMER' } },
        { name: 'Cid', tags: { role: 'SE', region: 'EMEA' } },
        { name: 'Dee', external_id: 'e-dee', tags: { role: 'AE', region: 'EMEA', level: 'senior' } },
      ];
      for (const p of people) await createPerson({ ...p, photo_asset_id: listerPhoto }, asLister);
    });

    it('lists newest first in the list envelope and filters by several tags, external_id and name', async () => {
      const all = await asLister<ListBody<PersonBody>>('GET', '/v1/people');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ object: 'list', has_more: false, next_cursor: null });
      expect(names(all)).toEqual(['Dee', 'Cid', 'Bob', 'Ann']);
      expect(all.body.data.every((p) => typeof p.photo_url === 'string')).toBe(true);
      expect(names(await asLister('GET', '/v1/people?tag.role=AE'))).toEqual(['Dee', 'Bob', 'Ann']);
      expect(names(await asLister('GET', '/v1/people?tag.role=AE&tag.region=EMEA'))).toEqual(['Dee', 'Ann']);
      expect(names(await asLister('GET', '/v1/people?tag.role=AE&tag.region=EMEA&tag.level=senior'))).toEqual(['Dee']);
      // The deepObject spelling the document declares.
      expect(names(await asLister('GET', `/v1/people?${encodeURIComponent('tag[region]')}=EMEA`))).toEqual(['Dee', 'Cid', 'Ann']);
      expect(names(await asLister('GET', '/v1/people?tag.role=CEO'))).toEqual([]);
      expect(names(await asLister('GET', '/v1/people?external_id=e-bob'))).toEqual(['Bob']);
      expect(names(await asLister('GET', '/v1/people?name=cid'))).toEqual(['Cid']);
      expect(names(await asLister('GET', '/v1/people?name=Ann&tag.role=SE'))).toEqual([]);
    });

    it('pages with a keyset cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: ListBody<PersonBody> } = await asLister<ListBody<PersonBody>>('GET', `/v1/people?limit=3&tag.role=AE${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...names(page));
        cursor = page.body.next_cursor;
        if (seen.length < 3) expect(page.body.has_more).toBe(true);
      } while (cursor);
      expect(seen).toEqual(['Dee', 'Bob', 'Ann']);
      const bad = await asLister<{ detail: { loc: string[] }[] }>('GET', '/v1/people?cursor=nope');
      expect(bad.status).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['query', 'cursor']);
    });

    it('refuses bad tag filters with a 422 at the parameter', async () => {
      const badKey = await asLister<{ detail: { type: string; loc: string[] }[] }>('GET', `/v1/people?${encodeURIComponent('tag.bad key')}=x`);
      expect(badKey.status).toBe(422);
      expect(badKey.body.detail).toEqual([expect.objectContaining({ type: 'string_pattern_mismatch', loc: ['query', 'tag.bad key'] })]);
      const long = await asLister<{ detail: { type: string; loc: string[] }[] }>('GET', `/v1/people?tag.role=${'x'.repeat(101)}`);
      expect(long.body.detail).toEqual([expect.objectContaining({ type: 'string_too_long', loc: ['query', 'tag.role'] })]);
      const bare = await asLister<{ detail: { loc: string[] }[] }>('GET', '/v1/people?tag=AE');
      expect(bare.status).toBe(422);
      expect(bare.body.detail[0].loc).toEqual(['query', 'tag']);
    });

    it('soft-deletes: gone from reads and lists, and the external_id is free again', async () => {
      const eve = await createPerson({ name: 'Eve', external_id: 'e-eve', photo_asset_id: listerPhoto }, asLister);
      expect((await asLister('DELETE', `/v1/people/${eve.id}`)).status).toBe(204);
      expect((await asLister('GET', `/v1/people/${eve.id}`)).status).toBe(404);
      expect((await asLister('DELETE', `/v1/people/${eve.id}`)).status).toBe(404);
      expect((await asLister('PATCH', `/v1/people/${eve.id}`, { name: 'x' })).status).toBe(404);
      expect(names(await asLister('GET', '/v1/people?external_id=e-eve'))).toEqual([]);
      expect(names(await asLister('GET', '/v1/people'))).not.toContain('Eve');
      const [{ deleted }] = (await t.ds.query(`SELECT deleted_at IS NOT NULL AS deleted FROM people WHERE id = $1`, [eve.id])) as { deleted: boolean }[];
      expect(deleted).toBe(true);
      const again = await createPerson({ name: 'Eve 2', external_id: 'e-eve', photo_asset_id: listerPhoto }, asLister);
      expect(again.id).not.toBe(eve.id);
    });

    it('refuses a taken external_id with 409, on create and on PATCH', async () => {
      const dup = await asLister<{ detail: { code: string } }>('POST', '/v1/people', { name: 'Ann again', external_id: 'e-ann', photo_asset_id: listerPhoto });
      expect(dup.status).toBe(409);
      expect(dup.body.detail.code).toBe('external_id_taken');
      const cid = (await asLister<ListBody<PersonBody>>('GET', '/v1/people?name=Cid')).body.data[0];
      const patch = await asLister<{ detail: { code: string } }>('PATCH', `/v1/people/${cid.id}`, { external_id: 'e-ann' });
      expect(patch.status).toBe(409);
      // Another organisation may use the same reference.
      expect((await createPerson({ name: 'Ann elsewhere', external_id: 'e-ann' })).external_id).toBe('e-ann');
    });

    it('PATCH sets what it is given, replaces tags, and null clears external_id', async () => {
      const p = await createPerson({ name: 'Pat', external_id: 'e-pat', tags: { role: 'AE' }, photo_asset_id: listerPhoto }, asLister);
      const newPhoto = await upload(lister.liveKey, await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0000ff' } }).png().toBuffer(), 'blue.png');
      const res = await asLister<PersonBody>('PATCH', `/v1/people/${p.id}`, { tags: { team: 'core' }, photo_asset_id: newPhoto });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Pat', external_id: 'e-pat', tags: { team: 'core' }, photo_asset_id: newPhoto });
      expect(new Date(res.body.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(p.updated_at).getTime());
      const cleared = await asLister<PersonBody>('PATCH', `/v1/people/${p.id}`, { external_id: null, name: 'Patricia' });
      expect(cleared.body).toMatchObject({ name: 'Patricia', external_id: null, tags: { team: 'core' } });
      expect(names(await asLister('GET', '/v1/people?external_id=e-pat'))).toEqual([]);
      const bad = await asLister<{ detail: { loc: unknown[] }[] }>('PATCH', `/v1/people/${p.id}`, { name: null, colour: 'red' });
      expect(bad.status).toBe(422);
    });

    it('validates tags: count, key charset, value type and length', async () => {
      const post = (tags: unknown) => asLister<{ detail: { type: string; loc: unknown[] }[] }>('POST', '/v1/people', { name: 'T', photo_asset_id: listerPhoto, tags });
      const tooMany = await post(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])));
      expect(tooMany.status).toBe(422);
      expect(tooMany.body.detail[0]).toMatchObject({ type: 'too_long', loc: ['body', 'tags'] });
      const bad = await post({ 'bad key': 'x', ok: 5, long: 'y'.repeat(101) });
      expect(bad.body.detail.map((e) => [e.type, e.loc])).toEqual([
        ['string_pattern_mismatch', ['body', 'tags', 'bad key', '[key]']],
        ['string_type', ['body', 'tags', 'ok']],
        ['string_too_long', ['body', 'tags', 'long']],
      ]);
      expect((await post('role=AE')).status).toBe(422);
    });

    it('keeps people per organisation: another org gets 404 and never sees them in lists', async () => {
      const mine = (await asLister<ListBody<PersonBody>>('GET', '/v1/people?name=Ann')).body.data[0];
      expect((await asOther('GET', `/v1/people/${mine.id}`)).status).toBe(404);
      expect((await asOther('PATCH', `/v1/people/${mine.id}`, { name: 'stolen' })).status).toBe(404);
      expect((await asOther('DELETE', `/v1/people/${mine.id}`)).status).toBe(404);
      const theirs = await asOther<ListBody<PersonBody>>('GET', '/v1/people?tag.role=AE');
      expect(theirs.body.data.map((p) => p.id)).not.toContain(mine.id);
      expect((await asLister<PersonBody>('GET', `/v1/people/${mine.id}`)).body.name).toBe('Ann');
    });

    it('refuses a photo that is not a live image asset of the organisation, naming the field', async () => {
      const foreign = await asLister<CodedError>('POST', '/v1/people', { name: 'X', photo_asset_id: photoId });
      expect(foreign.status).toBe(400);
      expect(foreign.body.detail).toEqual({ code: 'invalid_photo_asset', errors: [{ name: 'photo_asset_id', reason: expect.stringContaining('not found') }] });
      const font = await upload(lister.liveKey, tinyFont('Brand'), 'brand.ttf');
      const fontPhoto = await asLister<CodedError>('POST', '/v1/people', { name: 'X', photo_asset_id: font });
      expect(fontPhoto.status).toBe(400);
      expect(fontPhoto.body.detail.errors[0]).toEqual({ name: 'photo_asset_id', reason: expect.stringContaining('not an image') });
      const p = (await asLister<ListBody<PersonBody>>('GET', '/v1/people?name=Bob')).body.data[0];
      const patch = await asLister<CodedError>('PATCH', `/v1/people/${p.id}`, { photo_asset_id: photoId });
      expect(patch.status).toBe(400);
      expect(patch.body.detail.errors[0].name).toBe('photo_asset_id');
    });
  });
});
