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
  deliveryId: string;
}

/** The queues every process registers; only the worker graph adds processors. */
export const QUEUES: QueueName[] = [QueueName.Render, QueueName.Webhooks];
