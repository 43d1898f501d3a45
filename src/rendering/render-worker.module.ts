import { Module } from '@nestjs/common';
import { CollectionsDataModule } from '../collections/collections-data.module.js';
import { ImagesDataModule } from '../images/images-data.module.js';
import { RenderCoreModule } from './render-core.module.js';
import { RenderJobService } from './render-job.service.js';
import { RenderSweeper } from './render-sweeper.js';
import { RenderProcessor } from './render.processor.js';

/** Worker graph only: holds the render queue's processor. CollectionsDataModule counts finished collection children. */
@Module({
  imports: [RenderCoreModule.forRole('worker'), ImagesDataModule, CollectionsDataModule],
  providers: [RenderJobService, RenderProcessor, RenderSweeper],
})
export class RenderWorkerModule {}
