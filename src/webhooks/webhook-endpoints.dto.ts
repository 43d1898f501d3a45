import { ApiField, ListOf, nullable } from '../http/openapi/api-field.js';
import { EVENT_TYPES } from '../queue/outbox.types.js';
import { PyList, PyStr } from '../validation/decorators.js';
import { ModelConfig, t } from '../validation/fields.js';
import { DELIVERY_STATUSES, type DeliveryAttempt, type WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import type { WebhookEndpointEntity } from './webhook-endpoint.entity.js';

const dateTime = { type: 'string', format: 'date-time' };
const eventTypeSchema = { type: 'string', enum: [...EVENT_TYPES] };

@ModelConfig({ extra: 'forbid' })
export class CreateWebhookEndpointDto {
  @PyStr({ minLength: 1, maxLength: 2048, example: 'https://example.com/imtegrate-webhooks', description: 'http(s) URL; it must resolve to a public address' })
  url: string;

  @PyList(t.enum([...EVENT_TYPES]), {
    minItems: 1,
    maxItems: EVENT_TYPES.length,
    optional: true,
    nullable: true,
    example: ['image.completed', 'image.failed'],
    description: 'Event types to receive; absent or null: every event',
  })
  events?: string[] | null;

  @PyStr({ maxLength: 500, optional: true, nullable: true, description: 'Your own note' })
  description?: string | null;
}

export class WebhookEndpointOut {
  @ApiField({ type: 'string', format: 'uuid' })
  id: string;

  @ApiField({ type: 'string', default: 'webhook_endpoint' })
  object: 'webhook_endpoint';

  @ApiField({ type: 'string' })
  url: string;

  @ApiField({ ...nullable({ type: 'array', items: eventTypeSchema }), description: 'Subscribed event types; null: every event' })
  events: string[] | null;

  @ApiField(nullable({ type: 'string' }))
  description: string | null;

  @ApiField(dateTime)
  created_at: string;

  static from(e: WebhookEndpointEntity): WebhookEndpointOut {
    return { id: e.id, object: 'webhook_endpoint', url: e.url, events: e.events, description: e.description, created_at: e.createdAt.toISOString() };
  }
}

/** The answer of create and rotate-secret: the only time the secret is shown. */
export class WebhookEndpointWithSecret extends WebhookEndpointOut {
  @ApiField({ type: 'string', description: 'The signing secret (whsec_...): shown only in this answer; store it now' })
  secret: string;

  static withSecret(e: WebhookEndpointEntity): WebhookEndpointWithSecret {
    return { ...WebhookEndpointOut.from(e), secret: e.secret };
  }
}

export class WebhookEndpointList extends ListOf(() => WebhookEndpointOut, 'WebhookEndpointList') {
  declare data: WebhookEndpointOut[];
}

export class DeliveryAttemptOut implements DeliveryAttempt {
  @ApiField(dateTime)
  attempted_at: string;

  @ApiField({ ...nullable({ type: 'integer' }), description: 'The HTTP status the endpoint answered; null when there was no answer' })
  response_status: number | null;

  @ApiField({ ...nullable({ type: 'string' }), description: 'Why the attempt failed; null when it succeeded' })
  error: string | null;

  @ApiField({ type: 'integer' })
  latency_ms: number;
}

export class WebhookDeliveryOut {
  @ApiField({ type: 'string', format: 'uuid', description: 'The X-Imtegrate-Delivery-Id of every attempt' })
  id: string;

  @ApiField({ type: 'string', default: 'webhook_delivery' })
  object: 'webhook_delivery';

  @ApiField(eventTypeSchema)
  event_type: string;

  @ApiField({ type: 'string', format: 'uuid' })
  event_id: string;

  @ApiField({ type: 'string', enum: [...DELIVERY_STATUSES] })
  status: string;

  @ApiField({ type: 'array', items: { $ref: '#/components/schemas/DeliveryAttemptOut' } })
  attempts: DeliveryAttemptOut[];

  @ApiField({ ...nullable(dateTime), description: 'When the next attempt is due; null once succeeded or failed' })
  next_retry_at: string | null;

  @ApiField(dateTime)
  created_at: string;

  static from(d: WebhookDeliveryEntity): WebhookDeliveryOut {
    return {
      id: d.id,
      object: 'webhook_delivery',
      event_type: d.eventType,
      event_id: d.eventId,
      status: d.status,
      attempts: d.attempts,
      next_retry_at: d.nextRetryAt ? d.nextRetryAt.toISOString() : null,
      created_at: d.createdAt.toISOString(),
    };
  }
}

export class WebhookDeliveryList extends ListOf(() => WebhookDeliveryOut, 'WebhookDeliveryList') {
  declare data: WebhookDeliveryOut[];
}
