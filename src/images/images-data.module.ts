import { Module } from '@nestjs/common';
import { ImagesRepository } from './images.repository.js';

/** The images table's owner alone, without controllers, so the worker can import it too. */
@Module({
  providers: [ImagesRepository],
  exports: [ImagesRepository],
})
export class ImagesDataModule {}
