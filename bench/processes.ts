import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const drain = (): void => undefined;

/** Spawns `node <script>` and resolves once its output contains `ready` (30 s at most). */
export function startProcess(script: string, env: NodeJS.ProcessEnv, ready: string, nodeArgs: string[] = []): Promise<ChildProcess> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => rej(new Error(`${script} not ready:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) {
        clearTimeout(timer);
        // From here on the output is only drained: kept and searched, every access line would cost
        // this process (which also runs autocannon) more with each request.
        p.stdout?.off('data', onData);
        p.stderr?.off('data', onData);
        p.stdout?.on('data', drain);
        p.stderr?.on('data', drain);
        res(p);
      }
    };
    p.stdout?.on('data', onData);
    p.stderr?.on('data', onData);
    p.once('exit', (code) => rej(new Error(`${script} exited ${code}:\n${out}`)));
  });
}

export async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  await new Promise<void>((res) => {
    p.once('exit', () => res());
    p.kill('SIGTERM');
  });
}

/**
 * The environment of the service processes a bench starts: a database, queue prefix and storage
 * of the bench's own (`run` names them), production mode, quiet logs and no rate limit (benches
 * drive one key far past any per-minute budget; they measure the work, not the limiter).
 */
export function benchServiceEnv(run: string, dir: string, publicBaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/imtegrate_bench_${run}`,
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    QUEUE_PREFIX: `imtegrate_bench_${run}`,
    STORAGE_DIR: `${dir}/storage`,
    VAR_DIR: `${dir}/var`,
    SIGNING_SECRET: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: publicBaseUrl,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
  };
}
