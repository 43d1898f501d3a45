import { Module } from '@nestjs/common';
import { ImageRequestsModule } from './image-requests.module.js';
import { ImageWaiter } from './image-waiter.js';
import { ImagesController } from './images.controller.js';
import { ImagesService } from './images.service.js';

@Module({
  imports: [ImageRequestsModule],
  controllers: [ImagesController],
  providers: [ImagesService, ImageWaiter],
  exports: [ImagesService],
})
export class ImagesModule {}
