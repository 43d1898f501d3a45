import { Module } from '@nestjs/common';
import { TemplatesDataModule } from './templates-data.module.js';
import { TemplatesController } from './templates.controller.js';

@Module({
  imports: [TemplatesDataModule],
  controllers: [TemplatesController],
  exports: [TemplatesDataModule],
})
export class TemplatesModule {}
