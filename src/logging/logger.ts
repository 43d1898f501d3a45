import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import { REDACT_PATHS } from './redact.js';

/** The process's root pino logger (JSON lines on stdout); every other logger is a child of it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export type ProcessRole = 'api' | 'worker';

/** LOG_LEVEL speaks Nest's names (kept for compatibility); pino's equivalents. */
const PINO_LEVEL: Record<AppConfig['logLevel'], Level> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * pino-pretty is a dev dependency: a production image installed without it still starts, with
 * JSON lines. Loaded synchronously so start-up lines are never lost or reordered.
 */
function prettyStream(): DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as (opts: Record<string, unknown>) => DestinationStream;
    return pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch {
    return undefined;
  }
}

/** Lines wait in memory until this much is buffered (or the flush timer fires, or the process exits). */
const LOG_BUFFER_BYTES = 4096;

/**
 * stdout as pino's sonic-boom with a buffer: one write(2) per few lines instead of one per line,
 * which on the read path is one system call less per request. Written synchronously once full,
 * every LOG_FLUSH_MS otherwise, and at exit (an `exit` listener runs on process.exit and on a
 * crash), so a line is late by at most LOG_FLUSH_MS and only a hard kill can lose buffered ones.
 */
function bufferedStdout(flushMs: number): DestinationStream {
  const dest = pino.destination({ dest: 1, sync: true, minLength: LOG_BUFFER_BYTES, periodicFlush: flushMs });
  process.once('exit', () => {
    try {
      dest.flushSync();
    } catch {
      // Nothing left to tell it to: stdout is gone.
    }
  });
  return dest;
}

const roots = new WeakMap<AppConfig, Map<ProcessRole, Logger>>();

/**
 * One root logger per config and role, so Nest's logger (nestjs-pino), pino-http and the job
 * context all write through the same instance. Human-readable only in development.
 */
export function rootLogger(config: AppConfig, role: ProcessRole, destination?: DestinationStream): Logger {
  if (destination === undefined) {
    const known = roots.get(config)?.get(role);
    if (known) return known;
  }
  const stream =
    destination ??
    (config.nodeEnv === 'development' ? prettyStream() : undefined) ??
    // The API writes a line per request; a worker a few per render, as they happen.
    (role === 'api' && config.logFlushMs > 0 ? bufferedStdout(config.logFlushMs) : undefined);
  const logger = pino(
    {
      level: PINO_LEVEL[config.logLevel],
      // hostname: the pod or machine, which tells replicas of one role apart.
      base: { role, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers: readable by people and by log pipelines without a mapping.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    },
    stream,
  );
  if (destination === undefined) {
    const byRole = roots.get(config) ?? new Map<ProcessRole, Logger>();
    byRole.set(role, logger);
    roots.set(config, byRole);
  }
  return logger;
}
