import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ApiError } from '../http/api-error.js';
import { metricsAuthorized } from './metrics-auth.js';
import { Metrics } from './metrics.js';

/** Operational, like /healthz: not part of the public OpenAPI document. */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('metrics')
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!metricsAuthorized(this.config.metricsToken, req.headers.authorization)) {
      throw new ApiError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer' });
    }
    const text = await this.metrics.text();
    res.status(200).setHeader('content-type', this.metrics.contentType);
    res.end(text);
  }
}
