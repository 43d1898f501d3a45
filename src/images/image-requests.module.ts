import { Module } from '@nestjs/common';
import { TemplatesDataModule } from '../templates/templates-data.module.js';
import { ImageRequests } from './image-requests.js';
import { ImagesDataModule } from './images-data.module.js';

/** The checks before a render is queued, without controllers: the API and the worker (schedules) both ask for renders. */
@Module({
  imports: [TemplatesDataModule, ImagesDataModule],
  providers: [ImageRequests],
  exports: [ImageRequests, ImagesDataModule, TemplatesDataModule],
})
export class ImageRequestsModule {}
