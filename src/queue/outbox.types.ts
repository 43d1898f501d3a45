/** What an outbox record asks the relay to do. */
export enum OutboxTopic {
  /** Put a render job on the render queue. */
  RenderRequested = 'render.requested',
  /** Events: one webhook delivery per destination. */
  ImageCompleted = 'image.completed',
  ImageFailed = 'image.failed',
  /** Put a video render job on the videos queue (its own queue: a long clip never holds up image renders). */
  VideoRenderRequested = 'video.render.requested',
  VideoCompleted = 'video.completed',
  VideoFailed = 'video.failed',
}

export type ImageEventTopic = OutboxTopic.ImageCompleted | OutboxTopic.ImageFailed;
export type VideoEventTopic = OutboxTopic.VideoCompleted | OutboxTopic.VideoFailed;

export interface RenderRequestedPayload {
  imageId: string;
  orgId: string;
  /** The Bull job id: the image id for the first request, unique per re-drive after that. */
  jobId: string;
  /** Carried into the job, so its log lines name the request that caused it. */
  requestId: string;
}

export interface ImageEventPayload {
  imageId: string;
  orgId: string;
  /** Webhook URLs fixed when the event happened (the render's webhook_url, if any). */
  destinations: string[];
  /** The request the render job carried, when known (not for the reconciler's render_lost). */
  requestId?: string;
}

export interface VideoRenderRequestedPayload {
  videoId: string;
  orgId: string;
  jobId: string;
  requestId: string;
}

export interface VideoEventPayload {
  videoId: string;
  orgId: string;
  destinations: string[];
  requestId?: string;
}

export interface OutboxPayloads {
  [OutboxTopic.RenderRequested]: RenderRequestedPayload;
  [OutboxTopic.ImageCompleted]: ImageEventPayload;
  [OutboxTopic.ImageFailed]: ImageEventPayload;
  [OutboxTopic.VideoRenderRequested]: VideoRenderRequestedPayload;
  [OutboxTopic.VideoCompleted]: VideoEventPayload;
  [OutboxTopic.VideoFailed]: VideoEventPayload;
}

/** A record as the relay sees it. */
export type OutboxRecord = {
  [T in OutboxTopic]: { id: string; topic: T; payload: OutboxPayloads[T]; attempts: number; createdAt: Date };
}[OutboxTopic];
