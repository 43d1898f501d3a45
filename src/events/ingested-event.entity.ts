import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn } from '../database/columns.js';

/** One accepted event; (source_id, event_id) is unique, so a replay is recognised and fires nothing. */
@Entity({ name: 'ingested_events' })
@Index('uq_ingested_events_source_event', ['sourceId', 'eventId'], { unique: true })
@Index('idx_ingested_events_created', ['createdAt'])
export class IngestedEventEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ name: 'source_id', type: 'uuid' })
  sourceId: string;

  /** The sender's id (Stripe's evt_..., X-Event-Id, the body's id, or a hash of the body). */
  @Column({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'jsonb' })
  payload: unknown;

  @CreatedAtColumn()
  createdAt: Date;
}
