import type { LoggerService } from '@nestjs/common';
import { storage } from 'nestjs-pino/storage.js';
import type { Level, Logger } from 'pino';

/**
 * Nest's LoggerService over pino: every Nest `Logger` call becomes one JSON line, written by the
 * logger in nestjs-pino's async storage (the request's or the job's, carrying reqId/jobId) or
 * else the root. The same contract as nestjs-pino's Logger (context is the last argument; an
 * error's stack the one before it), written here because nestjs-pino's index loads
 * @nestjs/common through require(), which Jest's ESM mode cannot do; its storage is shared.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const logger = storage.getStore()?.logger ?? this.root;
    if (!logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let params = rest;
    if (params.length > 0 && typeof params[params.length - 1] === 'string') {
      fields.context = params[params.length - 1];
      params = params.slice(0, -1);
    }
    // Logger.error(message, stack): the stack goes with the line as an error, not as text.
    if (level === 'error' && params.length === 1 && typeof params[0] === 'string') {
      fields.err = { type: 'Error', message: typeof message === 'string' ? message : String(message), stack: params[0] };
      params = [];
    }
    if (params.length > 0) fields.params = params;
    if (message instanceof Error) {
      logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      logger[level](fields, String(message));
    }
  }
}
