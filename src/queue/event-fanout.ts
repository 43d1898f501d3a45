import type { EventPayload } from './outbox.types.js';

/** Injection token of the EventFanout (provided by the webhooks feature in every process that relays). */
export const EVENT_FANOUT = Symbol('EVENT_FANOUT');

/** One delivery the relay must put on the webhooks queue. */
export interface PlannedDelivery {
  deliveryId: string;
}

/**
 * Decides where an event goes (its explicit destinations plus the organisation's subscribed
 * endpoints) and records one delivery per destination. Idempotent per event: planning the same
 * event again (a relay retry) records nothing twice and answers its still-pending deliveries.
 */
export interface EventFanout {
  plan(eventId: string, occurredAt: Date, event: EventPayload): Promise<PlannedDelivery[]>;
}
