import { Module } from '@nestjs/common';
import { ImageRequestsModule } from './image-requests.module.js';
import { ImageWaiter } from './image-waiter.js';
import { ImagesController } from './images.controller.js';
import { ImagesFastLane } from './images.fast-lane.js';
import { ImagesService } from './images.service.js';

@Module({
  imports: [ImageRequestsModule],
  controllers: [ImagesController],
  providers: [ImagesService, ImageWaiter, ImagesFastLane],
  exports: [ImagesService, ImagesFastLane],
})
export class ImagesModule {}
