#!/usr/bin/env node
// npm run test:chaos [-- --renders N --clients C]: real processes (API, two workers, a private
// Redis and a private PostgreSQL cluster on their own loopback ports and data directories, never
// the shared 6379/5432), retrying clients with Idempotency-Key, and one of each fault: a worker
// SIGKILLed, Redis restarted with its data dropped, PostgreSQL restarted. Prints a table and exits
// non-zero when a render was lost, rendered twice or left stuck. Needs `npm run build` first.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const RENDERS = arg('--renders', 500);
const CLIENTS = arg('--clients', 12);
const SETTLE_MS = arg('--settle-ms', 120_000);
const ROOT = resolve(new URL('..', import.meta.url).pathname);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (msg) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}`);

if (!existsSync(join(ROOT, 'dist/worker.js'))) throw new Error('dist/ is missing: run npm run build first');

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function pgBin() {
  const base = '/usr/lib/postgresql';
  const v = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (!v) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
  return join(base, v, 'bin');
}

const children = new Set();
function run(cmd, args, env, name, out) {
  const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(p);
  p.on('exit', () => children.delete(p));
  const tail = [];
  const keep = (d) => {
    tail.push(d.toString());
    if (tail.length > 50) tail.shift();
    if (out) process.stdout.write(`[${name}] ${d}`);
  };
  p.stdout.on('data', keep);
  p.stderr.on('data', keep);
  p.tail = () => tail.join('');
  return p;
}

const dir = mkdtempSync(join(tmpdir(), 'imtegrate-chaos-'));
const [redisPort, pgPort, apiPort] = [await freePort(), await freePort(), await freePort()];
const pgData = join(dir, 'pg');
const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
const pgRun = (bin, args) => {
  const [cmd, ...rest] = [...asPostgres, join(pgBin(), bin), ...args];
  return execFileSync(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
};

// --- Redis -----------------------------------------------------------------------------------
let redis;
async function startRedis() {
  redis = run('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], process.env, 'redis');
  for (let i = 0; i < 200; i++) {
    try {
      execFileSync('redis-cli', ['-p', String(redisPort), 'ping'], { stdio: 'ignore' });
      return;
    } catch {
      await sleep(25);
    }
  }
  throw new Error('private redis-server did not start');
}
async function killRedis() {
  const p = redis;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await gone;
}

// --- PostgreSQL ------------------------------------------------------------------------------
function startPg() {
  pgRun('pg_ctl', ['-D', pgData, '-l', join(dir, 'pg.log'), '-w', '-o', `-p ${pgPort} -k ${pgData} -c listen_addresses=127.0.0.1 -c max_connections=100`, 'start']);
}
function stopPg(mode = 'immediate') {
  pgRun('pg_ctl', ['-D', pgData, '-m', mode, '-w', 'stop']);
}

// --- the service -----------------------------------------------------------------------------
const env = {
  ...process.env,
  NODE_ENV: 'production',
  NODE_OPTIONS: '',
  DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/imtegrate`,
  REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
  QUEUE_PREFIX: 'chaos',
  PORT: String(apiPort),
  HOST: '127.0.0.1',
  PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
  SIGNING_SECRET: randomBytes(32).toString('hex'),
  STORAGE_DRIVER: 'local',
  STORAGE_DIR: join(dir, 'storage'),
  VAR_DIR: join(dir, 'var'),
  LOG_LEVEL: 'warn',
  WORKER_CONCURRENCY: '2',
  // Faults are detected in seconds, not the production half-minutes.
  QUEUE_LOCK_DURATION_MS: '2000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  RENDER_LEASE_MS: '2000',
  RENDER_SWEEP_AFTER_MS: '2000',
  RENDER_SWEEP_INTERVAL_MS: '500',
  REDIS_COMMAND_TIMEOUT_MS: '500',
  OUTBOX_POLL_MS: '200',
  IDEMPOTENCY_LEASE_MS: '5000',
  WORKER_SHUTDOWN_GRACE_MS: '3000',
  // One key sends every render: the per-key rate limit is not what this run measures.
  RATE_LIMIT_PER_MINUTE: '0',
};
const base = `http://127.0.0.1:${apiPort}`;

let stopping = false;
const workers = [];
function startWorker(i) {
  const w = run(process.execPath, [join(ROOT, 'dist/worker.js')], env, `worker${i}`);
  workers[i] = w;
  // A supervisor, as an orchestrator would be: a dead worker comes back after a second.
  w.on('exit', () => {
    if (!stopping) setTimeout(() => !stopping && startWorker(i), 1000);
  });
}

async function cleanup() {
  stopping = true;
  for (const c of children) c.kill('SIGKILL');
  try {
    stopPg();
  } catch {
    /* already down */
  }
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

async function http(method, path, key, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

let exitCode = 1;
try {
  mkdirSync(pgData);
  if (asPostgres.length) {
    const [uid, gid] = [Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString())];
    chownSync(dir, uid, gid);
    chownSync(pgData, uid, gid);
  }
  pgRun('initdb', ['-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  startPg();
  await startRedis();
  execFileSync(process.execPath, [join(ROOT, 'dist/database/migrate.main.js')], { env, stdio: 'ignore' });
  const org = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'orgs:create', 'chaos', '--json'], { env }).toString());
  const key = org.live_key;

  const api = run(process.execPath, [join(ROOT, 'dist/main.js')], env, 'api');
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 300) throw new Error(`API did not start:\n${api.tail()}`);
    await sleep(100);
  }
  api.on('exit', (code) => !stopping && log(`API exited (${code}):\n${api.tail()}`));
  startWorker(0);
  startWorker(1);

  const tpl = await http('POST', '/v1/templates', key, {
    name: 'chaos',
    width: 200,
    height: 100,
    background: { color: '#ffffff' },
    layers: [{ name: 'headline', type: 'text', x: 10, y: 10, width: 180, height: 80, text: 'x', color: '#000000', font_size: 24, dynamic: true }],
  });
  if (tpl.status !== 201) throw new Error(`template: ${tpl.status} ${JSON.stringify(tpl.body)}`);
  await http('POST', `/v1/templates/${tpl.body.id}/publish`, key);

  // --- load and faults ------------------------------------------------------------------------
  const accepted = new Map(); // idempotency key -> image id
  let submitted = 0;
  let next = 0;
  const faults = [
    { at: 0.2, name: 'worker SIGKILL', run: async () => workers[0].kill('SIGKILL') },
    {
      at: 0.45,
      name: 'Redis restart (data dropped)',
      run: async () => {
        await killRedis();
        await sleep(2000);
        await startRedis();
      },
    },
    {
      at: 0.7,
      name: 'PostgreSQL restart',
      run: async () => {
        stopPg('immediate');
        await sleep(2000);
        startPg();
      },
    },
  ];
  const faultRuns = [];
  let lastFaultEnd = Date.now();
  const maybeFault = () => {
    while (faults.length && accepted.size >= faults[0].at * RENDERS) {
      const f = faults.shift();
      log(`fault: ${f.name} (${accepted.size}/${RENDERS} accepted)`);
      faultRuns.push(
        f.run().then(
          () => (lastFaultEnd = Date.now()),
          (e) => log(`fault ${f.name} failed: ${e}`),
        ),
      );
    }
  };
  const clientDeadline = Date.now() + SETTLE_MS * 3;
  async function client() {
    for (;;) {
      const i = next++;
      if (i >= RENDERS) return;
      const ikey = `chaos-${i}`;
      const body = { template_id: tpl.body.id, modifications: [{ name: 'headline', text: `render ${i}` }], metadata: { chaos_key: ikey } };
      while (Date.now() < clientDeadline) {
        submitted++;
        try {
          const r = await http('POST', '/v1/images', key, body, { 'Idempotency-Key': ikey });
          if (r.status === 202 || r.status === 201) {
            const seen = accepted.get(ikey);
            if (seen && seen !== r.body.id) log(`key ${ikey} answered two image ids: ${seen} and ${r.body.id}`);
            accepted.set(ikey, r.body.id);
            maybeFault();
            break;
          }
        } catch {
          /* connection refused or timed out: retry, as a client would */
        }
        await sleep(200);
      }
    }
  }
  const started = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  await Promise.all(faultRuns);
  log(`${accepted.size} accepted in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for renders to settle`);

  // --- settle and count -----------------------------------------------------------------------
  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  let rows = [];
  const settleDeadline = Math.max(lastFaultEnd, Date.now()) + SETTLE_MS;
  for (;;) {
    rows = (
      await db.query(
        `SELECT i.id, i.status, i.metadata->>'chaos_key' AS ikey, i.error->>'code' AS code,
           extract(epoch FROM i.completed_at - i.created_at) * 1000 AS ms,
           (SELECT count(*)::int FROM outbox o WHERE o.aggregate_id = i.id AND o.topic IN ('image.completed', 'image.failed')) AS events
         FROM images i`,
      )
    ).rows;
    const open = rows.filter((r) => r.status === 'pending' || r.status === 'rendering').length;
    if (open === 0 || Date.now() > settleDeadline) break;
    await sleep(500);
  }
  await db.end();

  const byKey = new Map();
  for (const r of rows) byKey.set(r.ikey, (byKey.get(r.ikey) ?? 0) + 1);
  const times = rows.filter((r) => r.status === 'completed').map((r) => Number(r.ms)).sort((a, b) => a - b);
  const pct = (p) => (times.length ? `${Math.round(times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))])} ms` : '-');
  const twice = [...byKey.values()].filter((n) => n > 1).length + rows.filter((r) => r.events > 1).length;
  const lost = RENDERS - [...byKey.keys()].filter((k) => k !== null).length + [...accepted.values()].filter((id) => !rows.some((r) => r.id === id)).length;
  const stuck = rows.filter((r) => r.status === 'pending' || r.status === 'rendering').length;
  const failedCodes = {};
  for (const r of rows.filter((x) => x.status === 'failed')) failedCodes[r.code] = (failedCodes[r.code] ?? 0) + 1;
  const table = {
    renders: RENDERS,
    submitted: submitted,
    accepted: accepted.size,
    completed: rows.filter((r) => r.status === 'completed').length,
    failed: rows.filter((r) => r.status === 'failed').length,
    'rendered twice': twice,
    lost,
    stuck,
    'p50 time to complete': pct(50),
    'p99 time to complete': pct(99),
  };
  console.table(table);
  if (Object.keys(failedCodes).length) log(`failures by code: ${JSON.stringify(failedCodes)}`);
  exitCode = lost || twice || stuck || accepted.size < RENDERS ? 1 : 0;
  if (exitCode) log('FAIL: renders were lost, duplicated or stuck');
} catch (err) {
  console.error(err);
} finally {
  await cleanup();
}
process.exit(exitCode);
