import { Module } from '@nestjs/common';
import { VideoJobService } from './video-job.service.js';
import { VideoSweeper } from './video-sweeper.js';
import { VideoProcessor } from './video.processor.js';
import { VideosDataModule } from './videos-data.module.js';

/** Worker graph only: the videos queue's processor (RenderCoreModule, global, provides the image fetcher). */
@Module({
  imports: [VideosDataModule],
  providers: [VideoJobService, VideoProcessor, VideoSweeper],
})
export class VideosWorkerModule {}
