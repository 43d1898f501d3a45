import { Module } from '@nestjs/common';
import { ImageRequestsModule } from '../images/image-requests.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { VideosController } from './videos.controller.js';
import { VideosDataModule } from './videos-data.module.js';
import { VideosService, VideoWaiter } from './videos.service.js';

@Module({
  imports: [TemplatesModule, ImageRequestsModule, VideosDataModule],
  controllers: [VideosController],
  providers: [VideosService, VideoWaiter],
})
export class VideosModule {}
