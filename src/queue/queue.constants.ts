export enum QueueName {
  Render = 'render',
  Webhooks = 'webhooks',
  Videos = 'videos',
}

export enum VideoJob {
  RenderVideo = 'render-video',
}

export enum RenderJob {
  RenderImage = 'render-image',
}

export enum WebhookJob {
  Deliver = 'deliver',
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

export type WebhookEvent = 'image.completed' | 'image.failed' | 'video.completed' | 'video.failed';

export interface DeliverWebhookPayload extends RequestCorrelated {
  /** Derived from the event id and the destination: stable across retries and duplicates; receivers de-duplicate on X-Imtegrate-Delivery-Id. */
  deliveryId: string;
  /** The outbox record of the event. */
  eventId: string;
  /** Image events name the image; video events the video. */
  imageId?: string;
  videoId?: string;
  event: WebhookEvent;
  /** The URL fixed when the event happened; absent in jobs queued before it was recorded. */
  url?: string;
}

/** The queues every process registers; only the worker graph adds processors. */
export const QUEUES: QueueName[] = [QueueName.Render, QueueName.Webhooks, QueueName.Videos];

/** Render job ids are `<image id>` or `<image id>:<re-drive>`: the image a job is for. */
export function imageIdOfJob(jobId: string | number): string {
  const s = String(jobId);
  const colon = s.indexOf(':');
  return colon === -1 ? s : s.slice(0, colon);
}
