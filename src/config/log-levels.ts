import type { LogLevel } from '@nestjs/common';

const ORDER: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** Nest takes the list of enabled levels; LOG_LEVEL names the most verbose one. */
export function logLevels(level: LogLevel): LogLevel[] {
  return ORDER.slice(0, ORDER.indexOf(level) + 1);
}
