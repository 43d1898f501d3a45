/** What an outbox record asks the relay to do. */
export enum OutboxTopic {
  /** Put a render job on the render queue. */
  RenderRequested = 'render.requested',
  /** Events: one webhook delivery per destination. */
  ImageCompleted = 'image.completed',
  ImageFailed = 'image.failed',
  /** The last child of a collection finished (written once, by the transaction that finished it). */
  CollectionCompleted = 'collection.completed',
  /** Make the rule's Bull repeatable job match the rule as it is now (added, changed or removed). */
  ScheduleSync = 'schedule.sync',
}

export type ImageEventTopic = OutboxTopic.ImageCompleted | OutboxTopic.ImageFailed;

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

export interface CollectionEventPayload {
  collectionId: string;
  orgId: string;
  /** The collection's webhook_url, if any, fixed when the event happened. */
  destinations: string[];
}

export interface ScheduleSyncPayload {
  ruleId: string;
}

export interface OutboxPayloads {
  [OutboxTopic.RenderRequested]: RenderRequestedPayload;
  [OutboxTopic.ImageCompleted]: ImageEventPayload;
  [OutboxTopic.ImageFailed]: ImageEventPayload;
  [OutboxTopic.CollectionCompleted]: CollectionEventPayload;
  [OutboxTopic.ScheduleSync]: ScheduleSyncPayload;
}

/** A record as the relay sees it. */
export type OutboxRecord = {
  [T in OutboxTopic]: { id: string; topic: T; payload: OutboxPayloads[T]; attempts: number; createdAt: Date };
}[OutboxTopic];
