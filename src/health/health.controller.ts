import { Controller, Get, HttpCode, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { ApiError } from '../http/api-error.js';
import { QueueName } from '../queue/queue.constants.js';
import { checkReadiness } from './readiness.js';

type Check = 'ok' | 'failing';

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

  /**
   * Readiness: PostgreSQL and Redis, a second each. Without PostgreSQL nothing works (503).
   * Without Redis the API still accepts renders (the outbox holds them until Redis is back), so
   * it stays in rotation and reports itself `degraded`, naming the failing dependency.
   */
  @Get('readyz')
  async readyz(): Promise<{ status: 'ok' | 'degraded'; checks: Record<'database' | 'redis', Check> }> {
    const { database, redis } = await checkReadiness(this.ds, this.renderQueue);
    if (database !== 'ok') throw new ApiError(503, { status: 'unavailable', checks: { database, redis } });
    return { status: redis === 'ok' ? 'ok' : 'degraded', checks: { database, redis } };
  }
}
