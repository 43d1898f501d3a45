import { Controller, Get, HttpCode, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { ApiError } from '../http/api-error.js';
import { QueueName } from '../queue/queue.constants.js';
import { checkReadiness } from './readiness.js';

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(getQueueToken(QueueName.Render)) private readonly renderQueue: Queue,
  ) {}

  /** Liveness: the process answers. No dependencies, so a slow database never restarts the API. */
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis answer within a second each. */
  @Get('readyz')
  async readyz(): Promise<{ status: 'ok'; checks: Record<string, 'ok'> }> {
    const { database: db, redis } = await checkReadiness(this.ds, this.renderQueue);
    if (db !== 'ok' || redis !== 'ok') throw new ApiError(503, { status: 'unavailable', checks: { database: db, redis } });
    return { status: 'ok', checks: { database: 'ok', redis: 'ok' } };
  }
}
