import { Module } from '@nestjs/common';
import { TemplatesModule } from '../templates/templates.module.js';
import { ImageWaiter } from './image-waiter.js';
import { ImagesDataModule } from './images-data.module.js';
import { ImagesController } from './images.controller.js';
import { ImagesFastLane } from './images.fast-lane.js';
import { ImagesService } from './images.service.js';

@Module({
  imports: [TemplatesModule, ImagesDataModule],
  controllers: [ImagesController],
  providers: [ImagesService, ImageWaiter, ImagesFastLane],
  exports: [ImagesService, ImagesFastLane],
})
export class ImagesModule {}
