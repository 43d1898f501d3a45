import { Module } from '@nestjs/common';
import { TemplatesModule } from '../templates/templates.module.js';
import { PreviewController } from './preview.controller.js';
import { PreviewService } from './preview.service.js';

/** The API side of rendering: template previews (synchronous, nothing stored). */
@Module({
  imports: [TemplatesModule],
  controllers: [PreviewController],
  providers: [PreviewService],
})
export class PreviewModule {}
