import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { freePort } from '../test/support/net/free-port.js';
import { dropDatabase, migrate } from '../src/database/migrate.js';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { ENTITIES } from '../src/entities.js';
import { OrgsRepository } from '../src/orgs/orgs.service.js';
import { LocalStorageDriver } from '../src/storage/local.driver.js';
import { seedDemoTemplate } from '../src/templates/demo-seed.js';
import { benchServiceEnv, startProcess, stopProcess as stop } from './processes.js';
import { processCpuMs, summary } from './stats.js';

/**
 * End to end: the compiled API and 1 or 2 compiled worker processes on loopback, against a
 * throw-away database and Redis prefix. Prints POST -> completed latency when idle and renders/s
 * with the workers saturated. Figures only; nothing asserts on time.
 */

const DIST = resolve(process.cwd(), 'dist');
const log = (s: string) => process.stdout.write(`${s}\n`);

const start = (entry: string, env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> => startProcess(join(DIST, entry), env, ready);

export async function benchEndToEnd(): Promise<void> {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'imtegrate-bench-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...benchServiceEnv(run, dir, baseUrl), PORT: String(port) };

  await migrate(env.DATABASE_URL as string);
  const ds = new DataSource(typeormOptions(env.DATABASE_URL as string, ENTITIES));
  await ds.initialize();
  const repo = new OrgsRepository(ds);
  const org = await repo.createOrg('bench');
  const key = (await repo.createKey(org.id, 'live')).key;
  const { templateId } = await seedDemoTemplate(ds, new LocalStorageDriver(env.STORAGE_DIR as string, baseUrl, env.SIGNING_SECRET as string), org.id);
  await ds.destroy();

  const headers = { Authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const body = (i: number) => JSON.stringify({ template_id: templateId, modifications: [{ name: 'headline', text: `Benchmark card number ${i}` }] });
  const api = await start('main.js', { ...env, LOG_LEVEL: 'log' }, 'API listening');
  const children: ChildProcess[] = [api];
  try {
    log(`end-to-end bench: demo 1200x630 PNG card, API + worker processes on loopback`);
    for (const workers of [1, 2]) {
      while (children.length - 1 < workers) children.push(await start('worker.js', { ...env, LOG_LEVEL: 'log' }, 'Worker ready'));
      // Idle latency: one render at a time, POST with Prefer: wait so the answer is the finished image.
      const idle: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        const res = await fetch(`${baseUrl}/v1/images`, { method: 'POST', headers: { ...headers, Prefer: 'wait=30' }, body: body(i) });
        const out = (await res.json()) as { status: string };
        if (out.status !== 'completed') throw new Error(`render did not complete: ${JSON.stringify(out)}`);
        if (i >= 5) idle.push(performance.now() - t0);
      }
      log(summary(`POST -> completed, idle, ${workers} worker(s)`, idle));

      // Saturated: many renders in flight, completion observed through Prefer: wait.
      const total = 240;
      const inFlight = 24;
      let next = 0;
      const cpu0 = children.map((c) => processCpuMs(c.pid));
      const t0 = performance.now();
      const latencies: number[] = [];
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < total) {
            const i = next++;
            const s = performance.now();
            const res = await fetch(`${baseUrl}/v1/images`, { method: 'POST', headers: { ...headers, Prefer: 'wait=30' }, body: body(i) });
            const out = (await res.json()) as { status: string };
            if (out.status !== 'completed') throw new Error(`render did not complete: ${JSON.stringify(out)}`);
            latencies.push(performance.now() - s);
          }
        }),
      );
      const secs = (performance.now() - t0) / 1000;
      log(`${`saturated, ${workers} worker(s)`.padEnd(34)} ${(total / secs).toFixed(1).padStart(7)} renders/s  (${total} renders, ${inFlight} in flight)`);
      log(summary(`  POST -> completed under load`, latencies));
      const cpuPerRender = children.map((c, i) => (processCpuMs(c.pid) - cpu0[i]) / total);
      log(
        `  CPU per render                   api ${cpuPerRender[0].toFixed(1)} ms, worker${workers > 1 ? 's' : ''} ` +
          `${cpuPerRender.slice(1).reduce((a, b) => a + b, 0).toFixed(1)} ms (all threads, user + system)`,
      );
    }
  } finally {
    for (const c of children.reverse()) await stop(c);
    await dropDatabase(env.DATABASE_URL as string);
    rmSync(dir, { recursive: true, force: true });
  }
}
