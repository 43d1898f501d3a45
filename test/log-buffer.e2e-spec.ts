import { describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DIST = join(process.cwd(), 'dist');

/** A process of the compiled build that logs through the API's root logger, then exits as the script says. */
function prelude(): string {
  return `
    const { rootLogger } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'logging/logger.js')).href)});
    const { loadConfig } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'config/config.js')).href)});
    const log = rootLogger(loadConfig({ ...process.env, NODE_ENV: 'production', SIGNING_SECRET: '0123456789abcdef'.repeat(4), LOG_LEVEL: 'log' }), 'api');
  `;
}

async function logThenExit(script: string, env: Record<string, string>): Promise<{ lines: string[]; code: number }> {
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', prelude() + script], { env: { ...process.env, ...env } });
    return { lines: stdout.split('\n').filter(Boolean), code: 0 };
  } catch (err) {
    const e = err as { stdout: string; code: number };
    return { lines: e.stdout.split('\n').filter(Boolean), code: e.code };
  }
}

const msgs = (lines: string[]): unknown[] => lines.map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('the API\'s buffered log lines (LOG_FLUSH_MS)', () => {
  it('are all written when the process exits, in order, however it exits', async () => {
    const clean = await logThenExit(`log.info('one'); log.info('two');`, {});
    expect(msgs(clean.lines)).toEqual(['one', 'two']);
    const exited = await logThenExit(`log.info('one'); setTimeout(() => { log.warn('two'); process.exit(3); }, 5);`, { LOG_FLUSH_MS: '10000' });
    expect([exited.code, msgs(exited.lines)]).toEqual([3, ['one', 'two']]);
    const crashed = await logThenExit(`log.info('before'); setTimeout(() => { throw new Error('boom'); }, 5);`, { LOG_FLUSH_MS: '10000' });
    expect(crashed.code).toBe(1);
    expect(msgs(crashed.lines)).toEqual(['before']);
  });

  it('reach stdout within LOG_FLUSH_MS while the process runs', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', prelude() + `log.info('early'); setTimeout(() => process.exit(0), 1500);`], {
      env: { ...process.env, LOG_FLUSH_MS: '50' },
    });
    let out = '';
    const exit = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
    const seen = new Promise<number>((resolve) => child.stdout.on('data', (d: Buffer) => (out += d.toString()).includes('"early"') && resolve(Date.now())));
    // Seen well before the process ends (it lives 1.5 s after logging): the flush timer wrote it, not the exit.
    const [seenAt, exitAt] = [await seen, await exit];
    expect(exitAt - seenAt).toBeGreaterThan(700);
  });
});
