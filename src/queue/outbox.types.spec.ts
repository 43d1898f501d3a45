import { describe, expect, it } from '@jest/globals';
import { eventOf, EventType, OutboxTopic, ResourceKind } from './outbox.types.js';

describe('eventOf', () => {
  const base = { id: 'e1', attempts: 0, createdAt: new Date(0) };
  const imageId = '5f1c0d7e-8a8e-4c1e-9a55-0f0e7f6f1a10';

  it('reads image events written in the old shape as generic events', () => {
    expect(eventOf({ ...base, topic: OutboxTopic.ImageFailed, payload: { imageId, orgId: 'o', destinations: ['https://x.test/h'], requestId: 'r' } })).toEqual({
      eventType: EventType.ImageFailed,
      orgId: 'o',
      resource: { kind: ResourceKind.Image, id: imageId },
      destinations: ['https://x.test/h'],
      requestId: 'r',
    });
    expect(eventOf({ ...base, topic: OutboxTopic.ImageCompleted, payload: { imageId, orgId: 'o', destinations: [] } })).toEqual({
      eventType: EventType.ImageCompleted,
      orgId: 'o',
      resource: { kind: ResourceKind.Image, id: imageId },
      destinations: [],
    });
  });

  it('passes generic events through and has none for render requests', () => {
    const payload = { eventType: EventType.ImageCompleted, orgId: 'o', resource: { kind: ResourceKind.Image, id: imageId }, destinations: [] };
    expect(eventOf({ ...base, topic: OutboxTopic.Event, payload })).toBe(payload);
    expect(eventOf({ ...base, topic: OutboxTopic.RenderRequested, payload: { imageId, orgId: 'o', jobId: imageId, requestId: 'r' } })).toBeNull();
  });
});
