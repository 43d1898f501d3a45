import { getSchemaPath } from '@nestjs/swagger';
import { trimChar } from '../common/strings.js';
import { ApiField, ListOf, nullable } from '../http/openapi/api-field.js';
import { PyBool, PyDict, PyEnum, PyField, PyList, PyModel, PyStr, PyUuid } from '../validation/decorators.js';
import { ModelConfig, t } from '../validation/fields.js';
import type { EventRuleEntity, RuleCondition, RuleMapping } from './event-rule.entity.js';
import { SOURCE_TYPES, type EventSourceEntity, type SourceType } from './event-source.entity.js';
import { MAX_PATH_LENGTH } from './mapping.js';
import { RUN_STATUSES, type RuleRunEntity, type RunError, type RunStatus } from './rule-run.entity.js';
import { MAX_CRON_LENGTH } from './schedule.js';

export const MAX_FILTER_CONDITIONS = 20;
const dateTime = { type: 'string', format: 'date-time' };
const uuid = { type: 'string', format: 'uuid' };

@ModelConfig({ extra: 'forbid' })
export class ScheduleDto {
  @PyStr({ minLength: 1, maxLength: MAX_CRON_LENGTH, example: '0 9 * * 1', description: 'Cron: 5 fields (minute first) or 6 (seconds first)' })
  cron: string;

  @PyStr({ minLength: 1, maxLength: 64, default: 'UTC', example: 'Europe/Paris', description: 'IANA time zone the cron is read in' })
  timezone = 'UTC';
}

@ModelConfig({ extra: 'forbid' })
export class ConditionDto {
  @PyStr({ minLength: 1, maxLength: MAX_PATH_LENGTH, example: '$.data.object.mode' })
  path: string;

  @PyField(t.any(), { description: 'The first value the path selects must equal this (JSON equality)', example: 'payment' })
  equals: unknown;
}

const MAPPING_DESCRIPTION =
  'Layer name -> JSONPath (RFC 9535) into the event payload: a string sets a text layer\'s text; an object ' +
  '{property: JSONPath} sets those properties (e.g. {"photo": {"image_url": "$.data.object.metadata.avatar"}})';
const MAPPING_EXAMPLE = { headline: '$.data.object.customer_details.name', photo: { image_url: '$.data.object.metadata.avatar' } };

@ModelConfig({ extra: 'forbid' })
export class CreateEventRuleDto {
  @PyStr({ minLength: 1, maxLength: 200, example: 'Thank-you card' })
  name: string;

  @PyStr({ minLength: 1, maxLength: 200, optional: true, example: 'stripe.checkout.session.completed', description: 'Fires on events of this type; give this or schedule' })
  event_type?: string;

  @PyModel(ScheduleDto, { optional: true, description: 'Fires on every tick of the cron; give this or event_type' })
  schedule?: ScheduleDto;

  @PyUuid()
  template_id: string;

  @PyDict({ default: {}, description: MAPPING_DESCRIPTION, example: MAPPING_EXAMPLE })
  mapping: RuleMapping = {};

  @PyList(() => ConditionDto, { maxItems: MAX_FILTER_CONDITIONS, default: [], description: 'Every condition must hold, else the run is skipped' })
  filter: ConditionDto[] = [];

  @PyStr({ minLength: 1, maxLength: 2048, optional: true, description: 'Also receives the signed image.completed / image.failed of every render the rule makes' })
  destination_url?: string;

  @PyBool({ default: true })
  enabled = true;
}

/** Every field optional; null clears event_type, schedule or destination_url. */
@ModelConfig({ extra: 'forbid' })
export class UpdateEventRuleDto {
  @PyStr({ minLength: 1, maxLength: 200, optional: true })
  name?: string;

  @PyStr({ minLength: 1, maxLength: 200, optional: true, nullable: true })
  event_type?: string | null;

  @PyModel(ScheduleDto, { optional: true, nullable: true })
  schedule?: ScheduleDto | null;

  @PyUuid({ optional: true })
  template_id?: string;

  @PyDict({ optional: true, description: MAPPING_DESCRIPTION })
  mapping?: RuleMapping;

  @PyList(() => ConditionDto, { maxItems: MAX_FILTER_CONDITIONS, optional: true })
  filter?: ConditionDto[];

  @PyStr({ minLength: 1, maxLength: 2048, optional: true, nullable: true })
  destination_url?: string | null;

  @PyBool({ optional: true })
  enabled?: boolean;
}

@ModelConfig({ extra: 'forbid' })
export class CreateEventSourceDto {
  @PyEnum([...SOURCE_TYPES])
  type: SourceType;

  @PyStr({ minLength: 1, maxLength: 200, example: 'Stripe live' })
  name: string;

  @PyStr({
    minLength: 16,
    maxLength: 256,
    optional: true,
    description: 'stripe: the endpoint\'s signing secret (whsec_..., required); webhook: the HMAC key (generated when absent)',
  })
  secret?: string;
}

export class ScheduleOut {
  @ApiField({ type: 'string' })
  cron: string;

  @ApiField({ type: 'string' })
  timezone: string;
}

export class EventRuleOut {
  @ApiField(uuid)
  id: string;

  @ApiField({ type: 'string', default: 'event_rule' })
  object: 'event_rule';

  @ApiField({ type: 'string' })
  name: string;

  @ApiField(nullable({ type: 'string' }))
  event_type: string | null;

  @ApiField(nullable({ $ref: getSchemaPath(ScheduleOut) }))
  schedule: ScheduleOut | null;

  @ApiField(uuid)
  template_id: string;

  @ApiField({ type: 'object', additionalProperties: true, description: MAPPING_DESCRIPTION })
  mapping: RuleMapping;

  @ApiField({ type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, equals: {} }, required: ['path', 'equals'] } })
  filter: RuleCondition[];

  @ApiField(nullable({ type: 'string' }))
  destination_url: string | null;

  @ApiField({ type: 'boolean' })
  enabled: boolean;

  @ApiField(dateTime)
  created_at: string;

  @ApiField(nullable(dateTime))
  updated_at: string | null;

  static from(r: EventRuleEntity): EventRuleOut {
    return {
      id: r.id,
      object: 'event_rule',
      name: r.name,
      event_type: r.eventType,
      schedule: r.scheduleCron !== null ? { cron: r.scheduleCron, timezone: r.scheduleTimezone ?? 'UTC' } : null,
      template_id: r.templateId,
      mapping: r.mapping,
      filter: r.filter,
      destination_url: r.destinationUrl,
      enabled: r.enabled,
      created_at: r.createdAt.toISOString(),
      updated_at: r.updatedAt ? r.updatedAt.toISOString() : null,
    };
  }
}

export class EventSourceOut {
  @ApiField(uuid)
  id: string;

  @ApiField({ type: 'string', default: 'event_source' })
  object: 'event_source';

  @ApiField({ type: 'string', enum: [...SOURCE_TYPES] })
  type: SourceType;

  @ApiField({ type: 'string' })
  name: string;

  @ApiField({ type: 'string', format: 'uri', description: 'POST events here; the signature is the credential (no API key)' })
  ingest_url: string;

  @ApiField(dateTime)
  created_at: string;

  static from(s: EventSourceEntity, publicBaseUrl: string): EventSourceOut {
    return {
      id: s.id,
      object: 'event_source',
      type: s.type,
      name: s.name,
      ingest_url: `${trimChar(publicBaseUrl, '/')}/v1/ingest/${s.id}`,
      created_at: s.createdAt.toISOString(),
    };
  }
}

/** Only the creation answer carries the secret. */
export class EventSourceCreatedOut extends EventSourceOut {
  @ApiField({ type: 'string', description: 'Shown once: the Stripe signing secret you gave, or the generated HMAC key' })
  secret: string;
}

export class RuleRunOut {
  @ApiField(uuid)
  id: string;

  @ApiField({ type: 'string', default: 'event_rule_run' })
  object: 'event_rule_run';

  @ApiField(uuid)
  rule_id: string;

  @ApiField({ ...nullable({ type: 'string' }), description: 'The sender\'s event id; null for schedule ticks' })
  event_id: string | null;

  @ApiField({ ...nullable(dateTime), description: 'The tick, for scheduled runs' })
  scheduled_at: string | null;

  @ApiField({ type: 'string', enum: [...RUN_STATUSES], description: 'matched: a render was queued; skipped: the filter did not hold; failed: no render (see error)' })
  status: RunStatus;

  @ApiField(nullable({ type: 'string' }))
  reason: string | null;

  @ApiField(nullable({ type: 'array', items: { type: 'object', additionalProperties: true } }))
  modifications: Record<string, unknown>[] | null;

  @ApiField(nullable(uuid))
  image_id: string | null;

  @ApiField(nullable({ type: 'object', additionalProperties: true }))
  error: RunError | null;

  @ApiField(dateTime)
  created_at: string;

  static from(r: RuleRunEntity): RuleRunOut {
    return {
      id: r.id,
      object: 'event_rule_run',
      rule_id: r.ruleId,
      event_id: r.eventId,
      scheduled_at: r.scheduledAt ? r.scheduledAt.toISOString() : null,
      status: r.status,
      reason: r.reason,
      modifications: r.modifications,
      image_id: r.imageId,
      error: r.error,
      created_at: r.createdAt.toISOString(),
    };
  }
}

export class IngestOut {
  @ApiField(uuid)
  id: string;

  @ApiField({ type: 'string', default: 'event' })
  object: 'event';

  @ApiField({ type: 'string' })
  event_id: string;

  @ApiField({ type: 'string' })
  type: string;

  @ApiField({ type: 'boolean', description: 'The event was received before: nothing fired again' })
  replayed: boolean;

  @ApiField({ type: 'array', items: { $ref: getSchemaPath(RuleRunOut) }, description: 'The runs the event caused' })
  runs: RuleRunOut[];
}

export class EventRuleList extends ListOf(() => EventRuleOut, 'EventRuleList') {
  declare data: EventRuleOut[];
}

export class EventSourceList extends ListOf(() => EventSourceOut, 'EventSourceList') {
  declare data: EventSourceOut[];
}

export class RuleRunList extends ListOf(() => RuleRunOut, 'RuleRunList') {
  declare data: RuleRunOut[];
}
