import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';

/** Layer name -> a JSONPath (sets the text layer's `text`) or {property: JSONPath}. */
export type RuleMapping = Record<string, string | Record<string, string>>;

export interface RuleCondition {
  path: string;
  equals: unknown;
}

/** What fires a render: an event type, or (schedule_cron set) a cron schedule. */
@Entity({ name: 'event_rules' })
@Index('idx_event_rules_org_created', ['orgId', 'createdAt', 'id'])
@Index('idx_event_rules_org_type', ['orgId', 'eventType'], { where: 'enabled' })
export class EventRuleEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'event_type', type: 'text', nullable: true })
  eventType: string | null;

  @Column({ name: 'schedule_cron', type: 'text', nullable: true })
  scheduleCron: string | null;

  @Column({ name: 'schedule_timezone', type: 'text', nullable: true })
  scheduleTimezone: string | null;

  @Column({ name: 'template_id', type: 'uuid' })
  templateId: string;

  @Column({ type: 'jsonb', default: {} })
  mapping: RuleMapping;

  @Column({ type: 'jsonb', default: [] })
  filter: RuleCondition[];

  /** Receives the signed image.completed / image.failed of every render the rule makes. */
  @Column({ name: 'destination_url', type: 'text', nullable: true })
  destinationUrl: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Made with a test key: its renders are test renders (watermarked, listed apart). */
  @Column({ name: 'is_test', type: 'boolean', default: false })
  isTest: boolean;

  /** The key that made the rule; its renders carry it as their api_key_id. */
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('updated_at')
  updatedAt: Date | null;
}
