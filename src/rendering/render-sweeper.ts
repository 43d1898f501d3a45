import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ImagesRepository, type StaleImage } from '../images/images.repository.js';
import { LeaseReconciler } from '../queue/lease-reconciler.js';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { OutboxTopic } from '../queue/outbox.types.js';
import { RenderProducer } from '../queue/render.producer.js';

/**
 * The images' reconciler (LeaseReconciler): no render stays pending or rendering. A rendering row
 * found stale has a lapsed lease: its execution is lost, so only a pending row's job is looked for.
 */
@Injectable()
export class RenderSweeper extends LeaseReconciler<StaleImage> {
  constructor(@Inject(APP_CONFIG) config: AppConfig, producer: RenderProducer, images: ImagesRepository, outbox: OutboxRepository) {
    super(config, outbox, {
      logger: new Logger('RenderSweeper'),
      rows: images,
      producer,
      topic: OutboxTopic.RenderRequested,
      noun: 'render',
      lost: { code: 'render_lost', message: 'The render did not finish after repeated attempts' },
      liveJobMayOutliveLease: false,
    });
  }
}
