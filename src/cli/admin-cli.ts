import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { parseArgs as ParseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { getConfig } from '../config/config.module.js';
import { migrate } from '../database/migrate.js';
import { typeormOptions } from '../database/typeorm-options.js';
import { ENTITIES } from '../entities.js';
import type { KeyMode } from '../orgs/api-key.entity.js';
import { isScope, SCOPES, type Scope } from '../orgs/api-keys.js';
import { publishKeyChange } from '../orgs/key-events.js';
import { OrgsRepository } from '../orgs/orgs.service.js';
import { RATE_COSTS } from '../rate-limit/rate-cost.js';
import { OfflineRenderError, renderOffline, type OfflineVideoReport } from './offline-render.js';
import type { RenderReport } from '../renderer/index.js';
import { createStorageDriver } from '../storage/storage.module.js';
import { seedDemoTemplate } from '../templates/demo-seed.js';

export interface CliIo {
  out(s: string): void;
  err(s: string): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const USAGE = `Usage: npm run cli -- <command> [options]

  orgs:create "<name>" [--json]                 create an organisation with a live and a test key
  orgs:signing-secret --org <org_id> [--json]   print the secret signing per-render webhook_url deliveries
  orgs:rotate-signing-secret --org <org_id> [--json]
                                                replace it (attempts from now on use the new one)
  keys:create --org <org_id> [--mode live|test] [--name <name>] [--scopes a,b] [--rate-limit N] [--json]
  keys:list --org <org_id> [--json]
  keys:update <key_id> --org <org_id> --rate-limit N|default [--json]
  keys:revoke <key_id> --org <org_id> [--json]
  seed:demo [--json]                            create (once) the demo org and print its key
  migrate                                       create the database if missing and apply migrations
  render --template t.json [--modifications m.json] --out card.png [--asset <id>=<file>]... [--format png|jpeg|webp|avif] [--scale 1-3] [--time <s>]
                                                render a template file offline (no database, Redis or server);
                                                --time draws an animated template's frame at that second
  render --template t.json --video --duration <s> --fps 24|30|60 --out clip.mp4|clip.webm
                                                render an animated template to a video offline (ffmpeg)

Scopes: ${SCOPES.join(', ')} (default: all)
Rate limits: points per minute for the key (a read costs ${RATE_COSTS.read}, a write ${RATE_COSTS.write}, a render ${RATE_COSTS.render});
  0 = unlimited, default (or no --rate-limit) = RATE_LIMIT_PER_MINUTE.
`;

class UsageError extends Error {}

function parseScopes(raw: string | undefined): Scope[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !isScope(s));
  if (bad.length || list.length === 0) throw new UsageError(`unknown scope(s): ${bad.join(', ') || '(none given)'}`);
  return list as Scope[];
}

/** --rate-limit: a whole number of points per minute (0 = unlimited), or `default` (null: RATE_LIMIT_PER_MINUTE). */
function parseRateLimit(raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'default') return null;
  if (!/^\d{1,9}$/.test(raw)) throw new UsageError('--rate-limit must be a whole number of points per minute (0 = unlimited) or "default"');
  return Number(raw);
}

function requireKeyId(command: string, v: string | undefined): string {
  if (!v || !UUID.test(v)) throw new UsageError(`${command} needs a key id (UUID)`);
  return v.toLowerCase();
}

/**
 * Tells every API process to drop its cached copy of the key now. When Redis is unreachable the
 * change still stands in the database and reaches the caches when their entries expire.
 */
async function announceKeyChange(config: AppConfig, keyId: string, io: CliIo): Promise<void> {
  try {
    await publishKeyChange(config.redis, config.queuePrefix, { keyId });
  } catch (err) {
    io.err(`warning: could not notify the API processes through Redis (${(err as Error).message}); running ones apply the change within API_KEY_CACHE_TTL_MS (${config.apiKeyCacheTtlMs} ms)\n`);
  }
}

function requireOrg(v: string | undefined): string {
  if (!v || !UUID.test(v)) throw new UsageError('--org <org_id> (a UUID) is required');
  return v.toLowerCase();
}

interface DemoSeed {
  org_id: string;
  live_key: string;
  test_key: string;
}

/**
 * The demo key lives in ./var/demo-key.json (a dev convenience, like the signing secret): keys are
 * stored hashed, so this file is the only way to print the same key on every start.
 */
async function seedDemo(repo: OrgsRepository, varDir: string): Promise<DemoSeed & { created: boolean }> {
  const file = resolve(varDir, 'demo-key.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoSeed;
    const [live, test] = await Promise.all([repo.authenticate(saved.live_key), repo.authenticate(saved.test_key)]);
    if (live?.orgId === saved.org_id && test?.orgId === saved.org_id) return { ...saved, created: false };
  }
  const org = await repo.createOrg('Demo');
  const live = await repo.createKey(org.id, 'live', { name: 'demo live key' });
  const test = await repo.createKey(org.id, 'test', { name: 'demo test key' });
  const seed: DemoSeed = { org_id: org.id, live_key: live.key, test_key: test.key };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(seed, null, 2), { mode: 0o600 });
  return { ...seed, created: true };
}

export async function runCli(argv: string[], io: CliIo, parseArgs: typeof ParseArgs, configure: () => AppConfig = getConfig): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  let ds: DataSource | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        org: { type: 'string' },
        mode: { type: 'string' },
        name: { type: 'string' },
        scopes: { type: 'string' },
        'rate-limit': { type: 'string' },
        template: { type: 'string' },
        modifications: { type: 'string' },
        out: { type: 'string' },
        asset: { type: 'string', multiple: true },
        format: { type: 'string' },
        scale: { type: 'string' },
        time: { type: 'string' },
        video: { type: 'boolean', default: false },
        duration: { type: 'string' },
        fps: { type: 'string' },
      },
    });
    const config = configure();
    const print = (human: string, json: unknown): void => io.out(values.json ? `${JSON.stringify(json)}\n` : `${human}\n`);

    if (command === 'render') {
      if (!values.template || !values.out) throw new UsageError('render needs --template <file> and --out <file>');
      const scale = values.scale === undefined ? 1 : Number(values.scale);
      if (![1, 2, 3].includes(scale)) throw new UsageError('--scale must be 1, 2 or 3');
      if (values.format !== undefined && !['png', 'jpeg', 'webp', 'avif'].includes(values.format)) {
        throw new UsageError('--format must be png, jpeg, webp or avif');
      }
      const time = values.time === undefined ? undefined : Number(values.time);
      if (time !== undefined && !(time >= 0 && time <= 3600)) throw new UsageError('--time must be a number of seconds from 0 to 3600');
      let video: { durationSeconds: number; fps: number; ffmpegPath: string; timeoutMs: number } | undefined;
      if (values.video) {
        const durationSeconds = Number(values.duration);
        const fps = Number(values.fps ?? 30);
        if (!(durationSeconds > 0 && durationSeconds <= 60)) throw new UsageError('--video needs --duration <seconds>, above 0 and at most 60');
        if (![24, 30, 60].includes(fps)) throw new UsageError('--fps must be 24, 30 or 60');
        video = { durationSeconds, fps, ffmpegPath: config.video.ffmpegPath, timeoutMs: config.video.timeoutMs };
      }
      try {
        if (video) {
          const args = { template: values.template, modifications: values.modifications, out: values.out, assets: values.asset ?? [], scale, video };
          const v = (await renderOffline({ ...args, fetchAllowCidrs: config.fetchAllowCidrs })) as OfflineVideoReport;
          print(`Wrote ${values.out} (${v.width}x${v.height} ${v.codec}, ${v.frames} frames at ${v.fps} fps, ${v.bytes} bytes, in ${v.ms} ms)`, v);
          return 0;
        }
        const report = (await renderOffline({
          template: values.template,
          modifications: values.modifications,
          out: values.out,
          assets: values.asset ?? [],
          format: values.format,
          scale,
          ...(time !== undefined ? { time } : {}),
          fetchAllowCidrs: config.fetchAllowCidrs,
        })) as RenderReport;
        print(`Wrote ${values.out} (${report.width}x${report.height} ${report.format}, ${report.bytes} bytes)`, report);
        return 0;
      } catch (err) {
        if (err instanceof OfflineRenderError) throw new UsageError(err.message);
        throw err;
      }
    }

    if (command === 'migrate') {
      const ran = await migrate(config.databaseUrl, { queuePrefix: config.queuePrefix });
      print(ran.length ? `Applied: ${ran.join(', ')}` : 'Schema up to date', { applied: ran });
      return 0;
    }

    ds = new DataSource(typeormOptions(config.databaseUrl, ENTITIES));
    await ds.initialize();
    const repo = new OrgsRepository(ds);

    switch (command) {
      case 'orgs:create': {
        const name = positionals[0]?.trim();
        if (!name || name.length > 200) throw new UsageError('orgs:create needs a name of 1-200 characters');
        const org = await repo.createOrg(name);
        const live = await repo.createKey(org.id, 'live', { name: 'default live key' });
        const test = await repo.createKey(org.id, 'test', { name: 'default test key' });
        print(`Organisation ${org.name} (${org.id})\n  live key: ${live.key}\n  test key: ${test.key}\nKeys are shown once; store them now.`, {
          org_id: org.id,
          live_key: live.key,
          test_key: test.key,
        });
        return 0;
      }
      case 'orgs:signing-secret':
      case 'orgs:rotate-signing-secret': {
        const orgId = requireOrg(values.org);
        const org = command === 'orgs:signing-secret' ? await repo.findOrg(orgId) : await repo.rotateSigningSecret(orgId);
        if (!org) throw new UsageError(`no organisation ${orgId}`);
        const verb = command === 'orgs:signing-secret' ? 'Signing secret' : 'New signing secret';
        print(`${verb} of ${org.name} (${org.id}): ${org.signingSecret}`, { org_id: org.id, signing_secret: org.signingSecret });
        return 0;
      }
      case 'keys:create': {
        const orgId = requireOrg(values.org);
        const mode = (values.mode ?? 'live') as KeyMode;
        if (mode !== 'live' && mode !== 'test') throw new UsageError('--mode must be live or test');
        if (!(await repo.findOrg(orgId))) throw new UsageError(`no organisation ${orgId}`);
        const key = await repo.createKey(orgId, mode, { name: values.name, scopes: parseScopes(values.scopes), rateLimitPerMinute: parseRateLimit(values['rate-limit']) });
        print(`Key ${key.id} (${key.mode}, scopes ${key.scopes.join(',')}): ${key.key}\nShown once; store it now.`, key);
        return 0;
      }
      case 'keys:list': {
        const orgId = requireOrg(values.org);
        const keys = await repo.listKeys(orgId);
        print(
          keys.length
            ? keys.map((k) => `${k.id}  ${k.prefix}…  ${k.mode}  ${k.revoked_at ? 'revoked' : 'active'}  ${k.scopes.join(',')}  ${k.name}`).join('\n')
            : 'No keys',
          keys,
        );
        return 0;
      }
      case 'keys:revoke': {
        const orgId = requireOrg(values.org);
        const keyId = requireKeyId('keys:revoke', positionals[0]);
        const key = await repo.revokeKey(orgId, keyId);
        if (!key) throw new UsageError(`no active key ${keyId} in organisation ${orgId}`);
        await announceKeyChange(config, key.id, io);
        print(`Revoked ${key.id}`, key);
        return 0;
      }
      case 'keys:update': {
        const orgId = requireOrg(values.org);
        const keyId = requireKeyId('keys:update', positionals[0]);
        const limit = parseRateLimit(values['rate-limit']);
        if (limit === undefined) throw new UsageError('keys:update needs --rate-limit N|default');
        const key = await repo.updateKeyRateLimit(orgId, keyId, limit);
        if (!key) throw new UsageError(`no active key ${keyId} in organisation ${orgId}`);
        await announceKeyChange(config, key.id, io);
        const shown = key.rate_limit_per_minute === null ? `the default (${config.rateLimit.perMinute})` : key.rate_limit_per_minute === 0 ? 'unlimited' : `${key.rate_limit_per_minute}/min`;
        print(`Key ${key.id}: rate limit ${shown}`, key);
        return 0;
      }
      case 'seed:demo': {
        const seed = await seedDemo(repo, config.varDir);
        const demo = await seedDemoTemplate(ds, createStorageDriver(config), seed.org_id);
        print(`Demo organisation ${seed.org_id}\n  live key: ${seed.live_key}\n  test key: ${seed.test_key}\n  demo template: ${demo.templateId}`, {
          org_id: seed.org_id,
          live_key: seed.live_key,
          test_key: seed.test_key,
          template_id: demo.templateId,
        });
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`error: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await ds?.destroy();
  }
}
