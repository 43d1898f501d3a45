import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { renamedFont } from './fixtures/fonts.js';
import { solidImage } from './fixtures/images.js';
import { startApi, type TestApp } from './support/app.js';
import { cli } from './support/cli.js';
import { ensureMigrated } from './support/db.js';

describe('admin CLI (npm run cli)', () => {
  let t: TestApp;
  beforeAll(async () => {
    await ensureMigrated();
    t = await startApi();
  });
  afterAll(async () => {
    await t.close();
  });

  it('orgs:create --json prints an org and two working keys', async () => {
    const r = await cli(['orgs:create', 'Acme Inc', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { org_id: string; live_key: string; test_key: string };
    expect(Object.keys(out).sort()).toEqual(['live_key', 'org_id', 'test_key']);
    expect(out.live_key).toMatch(/^ik_live_/);
    expect(out.test_key).toMatch(/^ik_test_/);
    const res = await fetch(`${t.baseUrl}/v1/images`, { headers: { Authorization: `Bearer ${out.live_key}` } });
    expect(res.status).toBe(200);
  });

  it('keys:create, keys:list and keys:revoke manage keys with --json', async () => {
    const org = JSON.parse((await cli(['orgs:create', 'Keys Co', '--json'])).stdout) as { org_id: string };
    const created = await cli(['keys:create', '--org', org.org_id, '--mode', 'test', '--scopes', 'images:read', '--name', 'ci', '--json']);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; mode: string; scopes: string[] };
    expect(key).toMatchObject({ mode: 'test', scopes: ['images:read'] });
    const listed = JSON.parse((await cli(['keys:list', '--org', org.org_id, '--json'])).stdout) as { id: string; revoked_at: string | null; prefix: string }[];
    expect(listed).toHaveLength(3);
    expect(JSON.stringify(listed)).not.toContain(key.key);
    const ok = await fetch(`${t.baseUrl}/v1/images`, { headers: { Authorization: `Bearer ${key.key}` } });
    expect(ok.status).toBe(200);
    const revoked = await cli(['keys:revoke', key.id, '--org', org.org_id, '--json']);
    expect(revoked.code).toBe(0);
    expect((JSON.parse(revoked.stdout) as { revoked_at: string }).revoked_at).toEqual(expect.any(String));
    const denied = await fetch(`${t.baseUrl}/v1/images`, { headers: { Authorization: `Bearer ${key.key}` } });
    expect(denied.status).toBe(401);
    expect((await cli(['keys:revoke', key.id, '--org', org.org_id])).code).toBe(2);
  });

  it('orgs:signing-secret prints the per-render webhook secret; orgs:rotate-signing-secret replaces it', async () => {
    const org = JSON.parse((await cli(['orgs:create', 'Signing Co', '--json'])).stdout) as { org_id: string };
    const stored = async (): Promise<string> =>
      ((await t.ds.query('SELECT signing_secret FROM organizations WHERE id = $1', [org.org_id])) as { signing_secret: string }[])[0].signing_secret;
    const shown = await cli(['orgs:signing-secret', '--org', org.org_id, '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({ org_id: org.org_id, signing_secret: await stored() });
    const rotated = await cli(['orgs:rotate-signing-secret', '--org', org.org_id, '--json']);
    expect(rotated.code).toBe(0);
    const next = (JSON.parse(rotated.stdout) as { signing_secret: string }).signing_secret;
    expect(next).toMatch(/^[0-9a-f]{64}$/);
    expect(next).not.toBe((JSON.parse(shown.stdout) as { signing_secret: string }).signing_secret);
    expect(next).toBe(await stored());
    const human = await cli(['orgs:signing-secret', '--org', org.org_id]);
    expect(human.stdout).toContain(next);
    const missing = await cli(['orgs:rotate-signing-secret', '--org', '00000000-0000-4000-8000-000000000000']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/^error: no organisation/)]);
  });

  it.each([
    [['orgs:signing-secret']],
    [['keys:create', '--org', 'nope']],
    [['keys:create', '--org', '00000000-0000-4000-8000-000000000000', '--scopes', 'everything']],
    [['orgs:create']],
    [['frobnicate']],
  ])('refuses bad usage %j with exit code 2 and a message', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
  });

  it('render works offline: no database, Redis or server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imtegrate-cli-'));
    writeFileSync(join(dir, 'photo.png'), await solidImage('png', 50, 50, '#00ff00'));
    writeFileSync(
      join(dir, 't.json'),
      JSON.stringify({
        width: 200,
        height: 100,
        background: { color: '#ffffff' },
        layers: [
          { name: 'box', type: 'shape', shape: 'rect', x: 0, y: 0, width: 50, height: 100, fill_color: '#ff0000' },
          { name: 'photo', type: 'image', x: 100, y: 0, width: 100, height: 100, asset_id: '11111111-1111-4111-8111-111111111111', dynamic: true },
          { name: 'title', type: 'text', x: 0, y: 0, width: 100, height: 40, text: 'x', dynamic: true },
        ],
      }),
    );
    writeFileSync(join(dir, 'm.json'), JSON.stringify([{ name: 'title', text: 'Offline' }]));
    const out = join(dir, 'card.png');
    const r = await cli(
      ['render', '--template', join(dir, 't.json'), '--modifications', join(dir, 'm.json'), '--out', out, '--asset', `11111111-1111-4111-8111-111111111111=${join(dir, 'photo.png')}`, '--json'],
      // Unreachable services prove nothing is contacted.
      { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1/0' },
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ width: 200, height: 100, format: 'png' });
    const { data, info } = await sharp(out).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    expect(px(25, 80)).toEqual([255, 0, 0]);
    expect(px(150, 50)).toEqual([0, 255, 0]);

    const bad = await cli(['render', '--template', join(dir, 't.json'), '--modifications', join(dir, 'm.json'), '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('photo');
  });

  it('render offline resolves font_family through the font files given, and reports the fallback otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imtegrate-cli-'));
    const fontId = '22222222-2222-4222-8222-222222222222';
    writeFileSync(join(dir, 'brand.ttf'), renamedFont('Offline Brand Serif'));
    const render = async (family: string) => {
      writeFileSync(
        join(dir, 't.json'),
        JSON.stringify({ width: 300, height: 60, background: { color: '#ffffff' }, layers: [{ name: 't', type: 'text', x: 5, y: 5, width: 290, height: 50, text: 'Hamburgefonts', font_family: family }] }),
      );
      const out = join(dir, 'card.png');
      const r = await cli(['render', '--template', join(dir, 't.json'), '--out', out, '--asset', `${fontId}=${join(dir, 'brand.ttf')}`, '--json']);
      expect([r.code, r.stderr]).toEqual([0, '']);
      return { report: (JSON.parse(r.stdout) as { text: { font_fallback: boolean }[] }).text[0], px: await sharp(out).raw().toBuffer() };
    };
    const own = await render('offline brand SERIF');
    const unknown = await render('Not Installed Anywhere');
    expect([own.report.font_fallback, unknown.report.font_fallback]).toEqual([false, true]);
    expect(own.px.equals(unknown.px)).toBe(false);
  });
});
