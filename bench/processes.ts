import { type ChildProcess, spawn } from 'node:child_process';

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
