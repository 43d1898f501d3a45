import { AssetEntity } from './assets/asset.entity.js';
import { CollectionEntity } from './collections/collection.entity.js';
import { EventRuleEntity } from './events/event-rule.entity.js';
import { EventSourceEntity } from './events/event-source.entity.js';
import { IngestedEventEntity } from './events/ingested-event.entity.js';
import { RuleRunEntity } from './events/rule-run.entity.js';
import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity.js';
import { ImageEntity } from './images/image.entity.js';
import { ApiKeyEntity } from './orgs/api-key.entity.js';
import { OrgEntity } from './orgs/org.entity.js';
import { PersonEntity } from './people/person.entity.js';
import { TemplateVersionEntity } from './templates/template-version.entity.js';
import { OutboxEntity } from './queue/outbox.entity.js';
import { TemplateEntity } from './templates/template.entity.js';
import { WebhookDeliveryEntity } from './webhooks/webhook-delivery.entity.js';
import { WebhookEndpointEntity } from './webhooks/webhook-endpoint.entity.js';
import { VideoEntity } from './videos/video.entity.js';

/** Every entity, in one list, so Nest, the CLI and the drift test see the same model. */
export const ENTITIES = [OrgEntity, ApiKeyEntity, ImageEntity, TemplateEntity, TemplateVersionEntity, AssetEntity, IdempotencyKeyEntity, OutboxEntity, CollectionEntity, PersonEntity, EventSourceEntity, EventRuleEntity, IngestedEventEntity, RuleRunEntity, WebhookEndpointEntity, WebhookDeliveryEntity, VideoEntity];
