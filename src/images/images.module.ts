import { Module } from '@nestjs/common';
import { TemplatesModule } from '../templates/templates.module.js';
import { ImageWaiter } from './image-waiter.js';
import { ImagesController } from './images.controller.js';
import { ImagesService } from './images.service.js';

@Module({
  imports: [TemplatesModule],
  controllers: [ImagesController],
  providers: [ImagesService, ImageWaiter],
  exports: [ImagesService],
})
export class ImagesModule {}
