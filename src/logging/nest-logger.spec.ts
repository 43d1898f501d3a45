import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../config/config.js';
import { runWithJobLogContext } from './log-context.js';
import { rootLogger } from './logger.js';
import { PinoNestLogger } from './nest-logger.js';

const SECRET = 'a3f9c2e7b1d84f6a9c0e2b5d7f1a3c8e6b4d2f0a';

function capture(level: string): { lines: () => Record<string, unknown>[]; logger: ReturnType<typeof rootLogger> } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = rootLogger(loadConfig({ SIGNING_SECRET: SECRET, NODE_ENV: 'production', LOG_LEVEL: level }), 'worker', sink);
  return { logger, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('PinoNestLogger', () => {
  it("keeps Nest's contract: the context is the last argument, an error's stack the one before it", () => {
    const { logger, lines } = capture('log');
    const nest = new PinoNestLogger(logger);
    nest.log('hello', 'Ctx');
    nest.error('boom', 'Error: boom\n    at x (y.js:1:1)', 'Ctx');
    nest.debug('not at this level', 'Ctx');
    expect(lines().map((l) => ({ level: l.level, msg: l.msg, context: l.context, stack: (l.err as { stack?: string } | undefined)?.stack, role: l.role }))).toEqual([
      { level: 'info', msg: 'hello', context: 'Ctx', stack: undefined, role: 'worker' },
      { level: 'error', msg: 'boom', context: 'Ctx', stack: 'Error: boom\n    at x (y.js:1:1)', role: 'worker' },
    ]);
  });

  it('LOG_LEVEL sets the threshold (warn drops info; verbose is pino trace)', () => {
    const warn = capture('warn');
    new PinoNestLogger(warn.logger).log('dropped');
    new PinoNestLogger(warn.logger).warn('kept');
    expect(warn.lines().map((l) => l.msg)).toEqual(['kept']);
    const verbose = capture('verbose');
    new PinoNestLogger(verbose.logger).verbose('kept too');
    expect(verbose.lines().map((l) => l.level)).toEqual(['trace']);
  });

  it("writes through the job's logger inside runWithJobLogContext, across awaits", async () => {
    const { logger, lines } = capture('log');
    const nest = new PinoNestLogger(logger);
    await runWithJobLogContext(logger, 'render', { id: 'job-1', data: { requestId: 'req-1' } }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      nest.log('inside', 'RenderJob');
    });
    nest.log('outside');
    expect(lines().map((l) => [l.msg, l.reqId, l.jobId, l.queue])).toEqual([
      ['inside', 'req-1', 'job-1', 'render'],
      ['outside', undefined, undefined, undefined],
    ]);
  });

  it('redacts credential fields of objects passed to a log call', () => {
    const { logger, lines } = capture('log');
    logger.info({ headers: { authorization: 'Bearer ik_live_x' }, signingSecret: 's3cr3t' }, 'obj');
    expect(JSON.stringify(lines())).not.toMatch(/ik_live_x|s3cr3t/);
  });
});
