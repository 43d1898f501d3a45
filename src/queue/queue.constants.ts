export enum QueueName {
  Render = 'render',
  Webhooks = 'webhooks',
  /** Bull repeatable jobs, one per scheduled event rule (job id = rule id). */
  Schedules = 'schedules',
  /** Video renders: their own queue, so a long clip never holds up image renders. */
  Videos = 'videos',
}

export enum RenderJob {
  RenderImage = 'render-image',
}

export enum VideoJob {
  RenderVideo = 'render-video',
}

export enum WebhookJob {
  Deliver = 'deliver',
}

export enum ScheduleJob {
  /** One tick of a rule's cron schedule. */
  Fire = 'fire-rule',
}

/** A rule's schedule as Bull repeats it. */
export interface RuleSchedule {
  cron: string;
  timezone: string;
}

/** The tick's time is the job's `opts.prevMillis` (set by Bull's repeat), not in the payload. */
export interface FireRulePayload {
  ruleId: string;
  /** Never set (a repeatable job outlives any request); declared so job logging can look for it. */
  requestId?: string;
}

/**
 * Every payload names the request that caused it (X-Request-Id, or the id the API minted), so
 * the worker's log lines for the job carry the same reqId as the API's. Jobs queued by an older
 * version lack it: readers treat it as possibly absent.
 */
export interface RequestCorrelated {
  requestId: string;
}

export interface RenderImagePayload extends RequestCorrelated {
  imageId: string;
  orgId: string;
}

export interface RenderVideoPayload extends RequestCorrelated {
  videoId: string;
  orgId: string;
}

export interface DeliverWebhookPayload extends RequestCorrelated {
  /** The webhook_deliveries row (its id is stable across retries; receivers de-duplicate on X-Imtegrate-Delivery-Id). */
  deliveryId: string;
  /**
   * Jobs queued before deliveries had rows carry what the row now holds: the processor makes the
   * row from them, so an upgrade with such jobs in Redis loses no delivery.
   */
  eventId?: string;
  imageId?: string;
  event?: 'image.completed' | 'image.failed';
  url?: string;
}

/** Bull states in which a job will still run (or is running): a job in one of them needs no re-drive. */
export const LIVE_JOB_STATES: ReadonlySet<string> = new Set(['active', 'waiting', 'delayed', 'paused']);

/** The queues every process registers; only the worker graph adds processors. */
export const QUEUES: QueueName[] = [QueueName.Render, QueueName.Webhooks, QueueName.Schedules, QueueName.Videos];

/** Render job ids are `<image id>` or `<image id>:<re-drive>`: the image a job is for. */
export function imageIdOfJob(jobId: string | number): string {
  const s = String(jobId);
  const colon = s.indexOf(':');
  return colon === -1 ? s : s.slice(0, colon);
}
