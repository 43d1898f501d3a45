import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';

export const RUN_STATUSES = ['matched', 'skipped', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunError {
  code: string;
  message: string;
  [key: string]: unknown;
}

/**
 * One firing of a rule: for an ingested event (unique per rule and event) or for a schedule tick
 * (unique per rule and tick, so however many workers see a tick it fires once).
 */
@Entity({ name: 'event_rule_runs' })
@Index('idx_event_rule_runs_rule_created', ['ruleId', 'createdAt', 'id'])
@Index('uq_event_rule_runs_rule_event', ['ruleId', 'ingestedEventId'], { unique: true })
@Index('uq_event_rule_runs_rule_tick', ['ruleId', 'scheduledAt'], { unique: true })
@Index('idx_event_rule_runs_created', ['createdAt'])
export class RuleRunEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ name: 'rule_id', type: 'uuid' })
  ruleId: string;

  @Column({ name: 'ingested_event_id', type: 'uuid', nullable: true })
  ingestedEventId: string | null;

  /** The sender's event id; null for schedule ticks. */
  @Column({ name: 'event_id', type: 'text', nullable: true })
  eventId: string | null;

  @TimestampColumn('scheduled_at')
  scheduledAt: Date | null;

  @Column({ type: 'text' })
  status: RunStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'jsonb', nullable: true })
  modifications: Record<string, unknown>[] | null;

  @Column({ name: 'image_id', type: 'uuid', nullable: true })
  imageId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  error: RunError | null;

  @CreatedAtColumn()
  createdAt: Date;
}
