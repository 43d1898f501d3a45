import { type DynamicModule, Global, type LoggerService, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { rootLogger, ROOT_LOGGER, type ProcessRole } from './logger.js';
import { PinoNestLogger } from './nest-logger.js';

/** Nest's LoggerService writing through the root pino logger: pass to app.useLogger(). */
export const NEST_LOGGER = Symbol('NEST_LOGGER');

/**
 * Nest's logger through pino (PinoNestLogger), one JSON line per event, bound to the request's
 * or job's logger when one is in nestjs-pino's async storage (httpLogging, runWithJobLogContext).
 * nestjs-pino's LoggerModule is not used: its middleware is a catch-all route that would turn
 * every unknown path into a 405 (the router sees a route for every path) and would run after our
 * body parsing; the API installs pino-http itself, first (see http-app.ts).
 */
@Global()
@Module({})
export class LoggingModule {
  static forRole(role: ProcessRole): DynamicModule {
    return {
      module: LoggingModule,
      providers: [
        { provide: ROOT_LOGGER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => rootLogger(config, role) },
        {
          provide: NEST_LOGGER,
          inject: [ROOT_LOGGER],
          useFactory: (root: ReturnType<typeof rootLogger>): LoggerService => new PinoNestLogger(root),
        },
      ],
      exports: [ROOT_LOGGER, NEST_LOGGER],
    };
  }
}
