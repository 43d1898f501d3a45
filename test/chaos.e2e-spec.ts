import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

/**
 * The short chaos run (npm run test:chaos -- --renders 100): its own Redis and PostgreSQL, one
 * worker SIGKILL, one Redis restart with data dropped, one PostgreSQL restart. The script exits
 * non-zero on any lost, duplicated or stuck render; its table is part of the failure message.
 */
describe('chaos (short run)', () => {
  it('loses, duplicates and strands nothing through a worker kill, a Redis restart and a PostgreSQL restart', async () => {
    const proc = spawn(process.execPath, ['scripts/chaos.mjs', '--renders', '100', '--settle-ms', '90000'], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect({ code, out: out.slice(-3000) }).toEqual({ code: 0, out: expect.stringMatching(/lost\s+│ 0/) });
  }, 300_000);
});
