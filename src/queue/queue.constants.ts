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

export interface RenderImagePayload {
  imageId: string;
  orgId: string;
}

export interface DeliverWebhookPayload {
  /** Stable across retries: receivers de-duplicate on X-Imtegrate-Delivery-Id. */
  deliveryId: string;
  imageId: string;
  event: 'image.completed' | 'image.failed';
}

/** The queues every process registers; only the worker graph adds processors. */
export const QUEUES: QueueName[] = [QueueName.Render, QueueName.Webhooks];
