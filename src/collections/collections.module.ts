import { Module } from '@nestjs/common';
import { ImageRequestsModule } from '../images/image-requests.module.js';
import { CollectionsDataModule } from './collections-data.module.js';
import { CollectionsController } from './collections.controller.js';
import { CollectionsService } from './collections.service.js';

@Module({
  imports: [ImageRequestsModule, CollectionsDataModule],
  controllers: [CollectionsController],
  providers: [CollectionsService],
  // Batch renders per person (src/people/) are collections too.
  exports: [CollectionsService],
})
export class CollectionsModule {}
