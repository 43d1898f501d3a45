import { Module } from '@nestjs/common';
import { TemplatesService } from './templates.service.js';

/** Templates without their controller, so the worker (scheduled rules) can check renders too. */
@Module({
  providers: [TemplatesService],
  exports: [TemplatesService],
})
export class TemplatesDataModule {}
