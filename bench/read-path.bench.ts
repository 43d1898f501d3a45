import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { DataSource } from 'typeorm';
import { freePort } from '../test/support/net/free-port.js';
import { dropDatabase, migrate } from '../src/database/migrate.js';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { ENTITIES } from '../src/entities.js';
import { ImageEntity } from '../src/images/image.entity.js';
import { OrgsRepository } from '../src/orgs/orgs.service.js';
import { benchServiceEnv, startProcess, stopProcess } from './processes.js';
import { processCpuMs } from './stats.js';

/**
 * The read path: GET /v1/images/{id} and GET /v1/images on the compiled API, next to a bare
 * node:http + pg handler doing the same work (bench/bare-read-server.ts), both as their own
 * process on loopback against one throw-away database. autocannon at 50 connections, the two
 * servers alternated in one run so a neighbour's load hits both alike; the ratios are the figures
 * to compare between builds; a third process is the API with the limiter on (a limit far above
 * the load, never refusing: one Redis call per lease of 1000 points). BENCH_READ_SECONDS (default 5) per measurement, BENCH_READ_ROUNDS
 * (default 3); BENCH_CPU_PROF=<dir> runs the API under --cpu-prof into that directory;
 * BENCH_READ_BASELINE=<dist dir of another build> adds that build's API as a fourth side (`base`),
 * alternated with the rest, so two builds are compared in one run under the same neighbours.
 */

const DIST = resolve(process.cwd(), 'dist');
const HERE = dirname(fileURLToPath(import.meta.url));
const log = (s: string) => process.stdout.write(`${s}\n`);
const CONNECTIONS = 50;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** CPU (user + system) the server process spent per answered request: what a neighbour's load moves least. */
  cpuMs: number;
}

async function drive(url: string, key: string, seconds: number, pid?: number): Promise<Figures> {
  const cpu0 = processCpuMs(pid);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers: { authorization: `Bearer ${key}` } });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpuMs: (processCpuMs(pid) - cpu0) / r.requests.total };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchReadPath(): Promise<void> {
  const seconds = Number(process.env.BENCH_READ_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_READ_ROUNDS ?? 3);
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'imtegrate-bench-read-'));
  const [apiPort, limitedPort, barePort] = [await freePort(), await freePort(), await freePort()];
  const env = benchServiceEnv(run, dir, `http://127.0.0.1:${apiPort}`);

  await migrate(env.DATABASE_URL as string);
  const ds = new DataSource(typeormOptions(env.DATABASE_URL as string, ENTITIES));
  await ds.initialize();
  const org = await new OrgsRepository(ds).createOrg('bench');
  const key = (await new OrgsRepository(ds).createKey(org.id, 'live')).key;
  // Completed renders, so both servers sign two URLs per image as a real poll would.
  const images = ds.getRepository(ImageEntity);
  const rows = await images.save(
    Array.from({ length: 100 }, (_, i) =>
      images.create({
        orgId: org.id,
        templateId: randomUUID(),
        templateVersion: 1,
        status: 'completed',
        modifications: [{ name: 'headline', text: `Card ${i}` }],
        resultKey: `renders/${org.id}/${i}.png`,
        thumbnailKey: `renders/${org.id}/${i}.thumb.png`,
        imageMetadata: { width: 1200, height: 630, format: 'png', bytes: 48_213 },
        durationMs: 40,
        startedAt: new Date(),
        completedAt: new Date(),
        isTest: false,
      }),
    ),
  );
  await ds.destroy();

  const prof = process.env.BENCH_CPU_PROF;
  const baseline = process.env.BENCH_READ_BASELINE;
  const basePort = await freePort();
  const children: ChildProcess[] = [];
  try {
    const apiEnv = { ...env, LOG_LEVEL: 'log' };
    children.push(await startProcess(join(DIST, 'main.js'), { ...apiEnv, PORT: String(apiPort) }, 'API listening', prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []));
    children.push(await startProcess(join(HERE, 'bare-read-server.js'), { ...env, PORT: String(barePort) }, 'bare listening'));
    // The same API with the limiter on (never refusing): what the limiter costs per request.
    children.push(await startProcess(join(DIST, 'main.js'), { ...apiEnv, PORT: String(limitedPort), RATE_LIMIT_PER_MINUTE: '10000000' }, 'API listening'));
    if (baseline) children.push(await startProcess(join(resolve(baseline), 'main.js'), { ...apiEnv, PORT: String(basePort) }, 'API listening'));
    const targets: Record<string, string> = {
      api: `http://127.0.0.1:${apiPort}`,
      bare: `http://127.0.0.1:${barePort}`,
      'api+rl': `http://127.0.0.1:${limitedPort}`,
      ...(baseline ? { base: `http://127.0.0.1:${basePort}` } : {}),
    };
    const pids: Record<string, number | undefined> = { api: children[0].pid, bare: children[1].pid, 'api+rl': children[2].pid, base: children[3]?.pid };
    const sides = Object.keys(targets);
    const paths = { 'GET /v1/images/{id}': `/v1/images/${rows[50].id}`, 'GET /v1/images': '/v1/images' };
    log(`read-path bench: autocannon, ${CONNECTIONS} connections, ${seconds} s per run, ${rounds} rounds alternating API and bare node:http + pg`);
    // Warm both (JIT, pools, the API's key cache) before anything counts.
    for (const base of Object.values(targets)) for (const p of Object.values(paths)) await drive(`${base}${p}`, key, 1);

    for (const [label, path] of Object.entries(paths)) {
      const got: Record<string, Figures[]> = Object.fromEntries(sides.map((side) => [side, []]));
      for (let r = 0; r < rounds; r++) {
        // Alternate the order, so a drift in background load does not favour one side.
        const order = r % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) got[side].push(await drive(`${targets[side]}${path}`, key, seconds, pids[side]));
      }
      const m = (side: string, f: keyof Figures) => median(got[side].map((x) => x[f]));
      for (const side of sides) {
        log(`  ${label.padEnd(22)} ${side.padEnd(6)} ${m(side, 'rps').toFixed(0).padStart(6)} req/s  p50 ${m(side, 'p50').toFixed(1).padStart(6)} ms  p99 ${m(side, 'p99').toFixed(1).padStart(6)} ms  CPU ${m(side, 'cpuMs').toFixed(2)} ms/req  (median of ${rounds})`);
      }
      const perRound = got.api.map((a, i) => (a.rps / got.bare[i].rps).toFixed(2)).join(', ');
      log(
        `  ${label.padEnd(22)} ratio api/bare: ${(m('api', 'rps') / m('bare', 'rps')).toFixed(2)}x req/s (rounds ${perRound}), ` +
          `p50 ${(m('api', 'p50') / m('bare', 'p50')).toFixed(2)}x, p99 ${(m('api', 'p99') / m('bare', 'p99')).toFixed(2)}x, ` +
          `CPU per request ${(m('api', 'cpuMs') / m('bare', 'cpuMs')).toFixed(2)}x`,
      );
      log(`  ${label.padEnd(22)} ratio api+rl/bare: ${(m('api+rl', 'rps') / m('bare', 'rps')).toFixed(2)}x req/s, p99 ${(m('api+rl', 'p99') / m('bare', 'p99')).toFixed(2)}x (limiter on)`);
      if (baseline) {
        log(
          `  ${label.padEnd(22)} ratio base/bare: ${(m('base', 'rps') / m('bare', 'rps')).toFixed(2)}x req/s, p99 ${(m('base', 'p99') / m('bare', 'p99')).toFixed(2)}x, ` +
            `CPU per request ${(m('base', 'cpuMs') / m('bare', 'cpuMs')).toFixed(2)}x (the baseline build)`,
        );
      }
    }
  } finally {
    for (const c of children.reverse()) await stopProcess(c);
    await dropDatabase(env.DATABASE_URL as string);
    rmSync(dir, { recursive: true, force: true });
  }
}
