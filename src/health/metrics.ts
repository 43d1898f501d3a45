import type { Queue } from 'bull';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from '../common/timeout.js';

export type MetricsRole = 'api' | 'worker';

/** The queue states a scrape reports (Bull's getJobCounts names). */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export const RENDER_STATUSES = ['completed', 'failed', 'retried'] as const;
export const RENDER_FORMATS = ['png', 'jpeg', 'webp', 'avif'] as const;
/** delivered: 2xx; retried: an attempt failed and another is scheduled; failed: the last attempt failed; skipped: no webhook_url any more. */
export const WEBHOOK_OUTCOMES = ['delivered', 'retried', 'failed', 'skipped'] as const;

/** Seconds: renders and HTTP requests span a few milliseconds (cache hits) to a minute (deadline). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Queue wait can reach minutes when workers are saturated or down. */
const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** A scrape must answer even when Redis does not: depth is reported only if it comes in time. */
const DEPTH_TIMEOUT_MS = 1000;

/**
 * The process's Prometheus registry (one per process, so the API and a worker in the same test
 * process never share counters). Label values are bounded: route templates, a method list,
 * fixed status, format and outcome sets.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly renders: Counter<'status' | 'format'>;
  readonly renderDuration: Histogram<'status' | 'format'>;
  readonly queueWait: Histogram<'queue'>;
  readonly webhookDeliveries: Counter<'outcome'>;
  readonly rateLimitFailOpen: Counter;

  constructor(role: MetricsRole, queues: ReadonlyMap<string, Queue>) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'imtegrate_http_requests_total',
      help: 'HTTP requests answered, by route template (unmatched for no route), method and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'imtegrate_http_request_duration_seconds',
      help: 'Time from the request arriving to the response being sent',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.renders = new Counter({
      name: 'imtegrate_renders_total',
      help: 'Render attempts finished by this worker, by outcome (completed, failed, retried) and output format',
      labelNames: ['status', 'format'],
      registers,
    });
    this.renderDuration = new Histogram({
      name: 'imtegrate_render_duration_seconds',
      help: 'Time of one render attempt, from claiming the image to its result stored',
      labelNames: ['status', 'format'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.queueWait = new Histogram({
      name: 'imtegrate_queue_wait_seconds',
      help: 'Time a job waited in its queue before a worker started its first attempt',
      labelNames: ['queue'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'imtegrate_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, retried, failed, skipped)',
      labelNames: ['outcome'],
      registers,
    });
    this.rateLimitFailOpen = new Counter({
      name: 'imtegrate_rate_limit_fail_open_total',
      help: "Requests let through unlimited because the rate limiter's Redis failed or was too slow",
      registers,
    });
    new Gauge({
      name: 'imtegrate_queue_jobs',
      help: 'Jobs per queue and state, read from Redis at scrape time',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          [...queues].map(async ([name, queue]) => {
            const counts = await withTimeout(queue.getJobCounts(), DEPTH_TIMEOUT_MS).catch(() => null);
            if (counts === null) return;
            for (const state of QUEUE_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
          }),
        );
      },
    });
    // Every series exists from the first scrape: dashboards and rate() need a zero to start from.
    for (const status of RENDER_STATUSES) {
      for (const format of RENDER_FORMATS) {
        if (role === 'worker') {
          this.renders.inc({ status, format }, 0);
          if (status !== 'retried') this.renderDuration.zero({ status, format });
        }
      }
    }
    if (role === 'worker') {
      for (const outcome of WEBHOOK_OUTCOMES) this.webhookDeliveries.inc({ outcome }, 0);
      for (const queue of queues.keys()) this.queueWait.zero({ queue });
    }
  }

  /** The first attempt's wait: from enqueueing (plus any requested delay) to processing. */
  observeQueueWait(queue: string, job: { attemptsMade: number; timestamp: number; processedOn?: number; opts: { delay?: number } }): void {
    if (job.attemptsMade !== 0) return;
    const started = job.processedOn ?? Date.now();
    this.queueWait.observe({ queue }, Math.max(0, started - job.timestamp - (job.opts.delay ?? 0)) / 1000);
  }

  observeRender(status: (typeof RENDER_STATUSES)[number], format: string, ms: number): void {
    const f = (RENDER_FORMATS as readonly string[]).includes(format) ? format : 'other';
    this.renders.inc({ status, format: f });
    if (status !== 'retried') this.renderDuration.observe({ status, format: f }, ms / 1000);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
