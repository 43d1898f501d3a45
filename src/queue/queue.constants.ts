export enum QueueName {
  Render = 'render',
  Webhooks = 'webhooks',
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

export interface DeliverWebhookPayload extends RequestCorrelated {
  /** Stable across retries: receivers de-duplicate on X-Imtegrate-Delivery-Id. */
  deliveryId: string;
  imageId: string;
  event: 'image.completed' | 'image.failed';
}

/** The queues every process registers; only the worker graph adds processors. */
export const QUEUES: QueueName[] = [QueueName.Render, QueueName.Webhooks];
