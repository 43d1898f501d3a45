import { Module } from '@nestjs/common';
import { VideosRepository } from './videos.repository.js';

/** The videos table's owner alone, without controllers, so the worker (renders, webhooks) can import it too. */
@Module({
  providers: [VideosRepository],
  exports: [VideosRepository],
})
export class VideosDataModule {}
