import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { OutboxRepository, type DispatchResult } from './outbox.repository.js';
import { EVENT_FANOUT, type EventFanout } from './event-fanout.js';
import { eventOf, OutboxTopic, type OutboxPayloads, type OutboxRecord } from './outbox.types.js';
import { RenderProducer } from './render.producer.js';
import { VideoProducer } from './video.producer.js';
import { WebhookProducer } from './webhook.producer.js';

const BATCH = 100;
/** How often sent records older than OUTBOX_RETENTION_MS are pruned, at most. */
const PRUNE_EVERY_MS = 60_000;

/**
 * Moves outbox records into Bull. It runs in every process (API and workers): each is woken at
 * once by its own commits (OutboxRepository.announce), so a POST's job reaches Bull without
 * waiting for a poll, and polls every OUTBOX_POLL_MS for the rest (records of another process,
 * retries after Redis was down). Relays share the table through FOR UPDATE SKIP LOCKED.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private lastPrune = 0;
  private unsubscribe?: () => void;
  private lastFailureLog = 0;
  /** Handlers of topics whose work needs a feature's own tables (registered by that feature's module). */
  private readonly handlers = new Map<OutboxTopic, (payload: never) => Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly render: RenderProducer,
    private readonly webhooks: WebhookProducer,
    @Inject(EVENT_FANOUT) private readonly fanout: EventFanout,
    private readonly videos: VideoProducer,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.outbox.onAnnounce(() => this.kick());
    this.timer = setInterval(() => this.kick(), this.config.outbox.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops polling and waits for the batch in flight, so its locks and sent marks are settled. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  /**
   * Registers the handler of a topic the queue layer cannot carry out alone (it needs a feature's
   * tables, and src/queue imports no feature). A process without it fails such records, which are
   * retried and taken by a process that has it.
   */
  handle<T extends OutboxTopic.ScheduleSync>(topic: T, fn: (payload: OutboxPayloads[T]) => Promise<void>): void {
    this.handlers.set(topic, fn as (payload: never) => Promise<void>);
  }

  /** Starts a drain, or asks the running one to go round once more. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Drains everything due; resolves when a batch comes back short. Never rejects. */
  async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.outbox.relayBatch(BATCH, (r) => this.dispatch(r))) === BATCH);
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        await this.outbox.pruneSent(this.config.outbox.retentionMs);
      }
    } catch (err) {
      // The database is down or restarting: the records are still there for the next poll.
      this.throttledWarn(`relay pass failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async dispatch(rec: OutboxRecord): Promise<DispatchResult> {
    try {
      if (rec.topic === OutboxTopic.RenderRequested) {
        await this.render.enqueue(rec.payload);
      } else if (rec.topic === OutboxTopic.VideoRenderRequested) {
        await this.videos.enqueue(rec.payload);
      } else if (rec.topic === OutboxTopic.ScheduleSync) {
        const fn = this.handlers.get(rec.topic) as ((p: OutboxPayloads[OutboxTopic.ScheduleSync]) => Promise<void>) | undefined;
        if (!fn) return { ok: false, error: `no handler for ${rec.topic} in this process` };
        await fn(rec.payload);
      } else {
        const event = eventOf(rec);
        // A topic this version does not know was written by a newer one: left for its relays, never dropped.
        if (!event) return { ok: false, error: `unknown outbox topic "${String(rec.topic)}" (written by a newer version?)` };
        // The endpoint set is decided here, once per event; a retry re-plans idempotently.
        const deliveries = await this.fanout.plan(rec.id, rec.createdAt, event);
        for (const d of deliveries) await this.webhooks.enqueue(d.deliveryId, event.requestId ?? `event:${rec.id}`);
      }
      return { ok: true };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.throttledWarn(`could not relay ${rec.topic} ${rec.id} (attempt ${rec.attempts + 1}): ${error}; will retry`);
      return { ok: false, error };
    }
  }

  /** Redis down means every record fails the same way; one line a few seconds is enough. */
  private throttledWarn(msg: string): void {
    if (Date.now() - this.lastFailureLog < 5000) return;
    this.lastFailureLog = Date.now();
    this.logger.warn(msg);
  }
}
