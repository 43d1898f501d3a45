/** What an outbox record asks the relay to do. */
export enum OutboxTopic {
  /** Put a render job on the render queue. */
  RenderRequested = 'render.requested',
  /** An event (EventPayload): the relay decides its destinations and queues one delivery per destination. */
  Event = 'event',
  /**
   * Image events as records were written before events became generic (payload
   * LegacyImageEventPayload). Nothing writes them any more; the relay still reads them, so an
   * upgrade with records in the outbox loses no event.
   */
  ImageCompleted = 'image.completed',
  ImageFailed = 'image.failed',
  /** Make the rule's Bull repeatable job match the rule as it is now (added, changed or removed). */
  ScheduleSync = 'schedule.sync',
  /** Put a video render job on the videos queue (its own queue: a long clip never holds up image renders). */
  VideoRenderRequested = 'video.render.requested',
}

/** Every event type a receiver can get (and an endpoint can subscribe to). Adding one is one entry. */
export enum EventType {
  ImageCompleted = 'image.completed',
  ImageFailed = 'image.failed',
  CollectionCompleted = 'collection.completed',
  VideoCompleted = 'video.completed',
  VideoFailed = 'video.failed',
}

export const EVENT_TYPES: readonly EventType[] = Object.values(EventType);

/** The kinds of resource an event's `data` can be (each has a serializer in webhooks/event-resources.ts). */
export enum ResourceKind {
  Image = 'image',
  Collection = 'collection',
  Video = 'video',
}

export interface RenderRequestedPayload {
  imageId: string;
  orgId: string;
  /** The Bull job id: the image id for the first request, unique per re-drive after that. */
  jobId: string;
  /** Carried into the job, so its log lines name the request that caused it. */
  requestId: string;
}

/** One event: what happened, to which resource; its `data` is read when each delivery is attempted. */
export interface EventPayload {
  eventType: EventType;
  orgId: string;
  resource: { kind: ResourceKind; id: string };
  /**
   * Explicit URLs fixed when the event happened (the render's webhook_url, if any), signed with
   * the organisation's signing secret. The organisation's endpoints are added by the relay.
   */
  destinations: string[];
  /** The request that caused the event, when known (not for the reconciler's render_lost). */
  requestId?: string;
}

/** The shape of image.completed / image.failed records written before EventPayload. */
export interface LegacyImageEventPayload {
  imageId: string;
  orgId: string;
  destinations: string[];
  requestId?: string;
}

export interface ScheduleSyncPayload {
  ruleId: string;
}

export interface VideoRenderRequestedPayload {
  videoId: string;
  orgId: string;
  jobId: string;
  requestId: string;
}

export interface OutboxPayloads {
  [OutboxTopic.RenderRequested]: RenderRequestedPayload;
  [OutboxTopic.Event]: EventPayload;
  [OutboxTopic.ImageCompleted]: LegacyImageEventPayload;
  [OutboxTopic.ImageFailed]: LegacyImageEventPayload;
  [OutboxTopic.ScheduleSync]: ScheduleSyncPayload;
  [OutboxTopic.VideoRenderRequested]: VideoRenderRequestedPayload;
}

/** A record as the relay sees it. */
export type OutboxRecord = {
  [T in OutboxTopic]: { id: string; topic: T; payload: OutboxPayloads[T]; attempts: number; createdAt: Date };
}[OutboxTopic];

/** The event a record carries, whichever shape it was written in; null for non-event records. */
export function eventOf(rec: OutboxRecord): EventPayload | null {
  switch (rec.topic) {
    case OutboxTopic.Event:
      return rec.payload;
    case OutboxTopic.ImageCompleted:
    case OutboxTopic.ImageFailed: {
      const p = rec.payload;
      return {
        eventType: rec.topic === OutboxTopic.ImageCompleted ? EventType.ImageCompleted : EventType.ImageFailed,
        orgId: p.orgId,
        resource: { kind: ResourceKind.Image, id: p.imageId },
        destinations: p.destinations,
        ...(p.requestId !== undefined ? { requestId: p.requestId } : {}),
      };
    }
    default:
      return null;
  }
}
