import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './net/free-port.js';
import { sleep } from './image-server.js';

/**
 * A private redis-server on its own loopback port, without persistence, so a test may stop and
 * restart it (its data dropped) without touching the shared Redis on 6379.
 */
export interface PrivateRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  /** SIGKILL: the data is gone, as after a crash of a Redis without persistence. */
  stop(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function privateRedis(port?: number): Promise<PrivateRedis> {
  const p = port ?? (await freePort());
  let proc: ChildProcess | undefined;
  const r: PrivateRedis = {
    port: p,
    url: `redis://127.0.0.1:${p}/0`,
    async start() {
      if (proc && proc.exitCode === null && proc.signalCode === null) return;
      proc = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      for (let i = 0; i < 200; i++) {
        if (await answers(p)) return;
        await sleep(25);
      }
      throw new Error(`redis-server on ${p} did not start`);
    },
    async stop() {
      const child = proc;
      proc = undefined;
      if (!child || child.exitCode !== null) return;
      const gone = new Promise((res) => child.once('exit', res));
      child.kill('SIGKILL');
      await gone;
    },
  };
  return r;
}
