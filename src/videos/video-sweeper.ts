import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { LeaseReconciler } from '../queue/lease-reconciler.js';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { OutboxTopic } from '../queue/outbox.types.js';
import { VideoProducer } from '../queue/video.producer.js';
import { VideosRepository, type StaleVideo } from './videos.repository.js';

/**
 * The videos' reconciler (LeaseReconciler), as RenderSweeper is the images'. A live job (a killed
 * worker's stalled job Bull is about to re-deliver) is left alone for rendering rows too.
 */
@Injectable()
export class VideoSweeper extends LeaseReconciler<StaleVideo> {
  constructor(@Inject(APP_CONFIG) config: AppConfig, producer: VideoProducer, videos: VideosRepository, outbox: OutboxRepository) {
    super(config, outbox, {
      logger: new Logger('VideoSweeper'),
      rows: videos,
      producer,
      topic: OutboxTopic.VideoRenderRequested,
      noun: 'video',
      lost: { code: 'video_lost', message: 'The video did not finish after repeated attempts' },
      liveJobMayOutliveLease: true,
    });
  }
}
