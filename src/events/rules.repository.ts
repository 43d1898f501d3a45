import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { CursorPosition } from '../common/pagination/cursor.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { OutboxTopic } from '../queue/outbox.types.js';
import type { RuleSchedule } from '../queue/queue.constants.js';
import { EventRuleEntity } from './event-rule.entity.js';
import { IngestedEventEntity } from './ingested-event.entity.js';
import { RuleRunEntity } from './rule-run.entity.js';

export type NewRule = Omit<EventRuleEntity, 'id' | 'createdAt' | 'updatedAt'>;
export type NewRun = Pick<RuleRunEntity, 'orgId' | 'ruleId' | 'ingestedEventId' | 'eventId' | 'scheduledAt' | 'status' | 'reason' | 'modifications' | 'error'>;

const hasSchedule = (r: Pick<EventRuleEntity, 'scheduleCron'>): boolean => r.scheduleCron !== null;

/**
 * The one owner of event_rules, ingested_events and event_rule_runs. A change to a rule's
 * schedule commits with a schedule.sync outbox record, so its Bull repeatable job follows the
 * row (the relay reads the rule as it is when it runs: records applied in any order converge).
 */
@Injectable()
export class RulesRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxRepository,
  ) {}

  private async syncSchedule(em: EntityManager, ruleId: string): Promise<void> {
    await this.outbox.append(em, OutboxTopic.ScheduleSync, ruleId, { ruleId });
  }

  findOwned(orgId: string, id: string, em: EntityManager = this.ds.manager): Promise<EventRuleEntity | null> {
    return em.getRepository(EventRuleEntity).findOneBy({ id, orgId });
  }

  findById(id: string): Promise<EventRuleEntity | null> {
    return this.ds.getRepository(EventRuleEntity).findOneBy({ id });
  }

  list(orgId: string, limit: number, cursor?: CursorPosition): Promise<EventRuleEntity[]> {
    const qb = this.ds.getRepository(EventRuleEntity).createQueryBuilder('r').where('r.org_id = :orgId', { orgId });
    return fetchKeysetRows(qb, 'r', limit, cursor);
  }

  /** The enabled rules of an organisation that listen to this event type, oldest first. */
  matching(orgId: string, type: string): Promise<EventRuleEntity[]> {
    return this.ds.getRepository(EventRuleEntity).find({ where: { orgId, eventType: type, enabled: true }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** What the rule's repeatable job should be now: null when it is gone, disabled or not scheduled. */
  async scheduleOf(ruleId: string): Promise<RuleSchedule | null> {
    const r = await this.findById(ruleId);
    if (!r || !r.enabled || r.scheduleCron === null) return null;
    return { cron: r.scheduleCron, timezone: r.scheduleTimezone ?? 'UTC' };
  }

  /**
   * Inserts the rule unless its organisation already has `maxPerOrg` (0 = no cap): then null.
   * Exact under concurrent creates: the organisation's row is locked while the rules are counted
   * (FOR NO KEY UPDATE, which leaves the organisation's other inserts, whose foreign keys take
   * FOR KEY SHARE, unblocked).
   */
  async insert(fields: NewRule, maxPerOrg = 0): Promise<EventRuleEntity | null> {
    const row = await this.ds.transaction(async (em) => {
      const repo = em.getRepository(EventRuleEntity);
      if (maxPerOrg > 0) {
        await em.query('SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE', [fields.orgId]);
        if ((await repo.countBy({ orgId: fields.orgId })) >= maxPerOrg) return null;
      }
      const saved = await repo.save(repo.create(fields));
      if (hasSchedule(saved)) await this.syncSchedule(em, saved.id);
      return saved;
    });
    this.outbox.announce();
    return row;
  }

  /**
   * Deletes up to `limit` rule runs and then up to `limit` ingested events recorded more than
   * `days` days ago (the retention sweep calls it until it deletes nothing); answers how many
   * rows went. A replay of a deleted event is accepted again, so the retention should outlast
   * any sender's retries (Stripe's end after 3 days, and its signatures expire after 5 minutes).
   */
  async pruneOlderThan(days: number, limit = 1000): Promise<number> {
    let deleted = 0;
    for (const table of ['event_rule_runs', 'ingested_events']) {
      const res = (await this.ds.query(
        `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE created_at < now() - ($1 || ' days')::interval LIMIT $2)`,
        [String(days), limit],
      )) as [unknown[], number];
      deleted += res[1];
    }
    return deleted;
  }

  /** Applies `next` to the locked row (null when it is not the org's). */
  async update(orgId: string, id: string, next: (row: EventRuleEntity) => Promise<Partial<NewRule>>): Promise<EventRuleEntity | null> {
    const row = await this.ds.transaction(async (em) => {
      const repo = em.getRepository(EventRuleEntity);
      const found = await repo.findOne({ where: { id, orgId }, lock: { mode: 'pessimistic_write' } });
      if (!found) return null;
      const before = { cron: found.scheduleCron, tz: found.scheduleTimezone, enabled: found.enabled };
      Object.assign(found, await next(found), { updatedAt: new Date() });
      const saved = await repo.save(found);
      const changed = before.cron !== saved.scheduleCron || before.tz !== saved.scheduleTimezone || before.enabled !== saved.enabled;
      if (changed && (before.cron !== null || hasSchedule(saved))) await this.syncSchedule(em, saved.id);
      return saved;
    });
    if (row) this.outbox.announce();
    return row;
  }

  /** The rule and its runs go; renders it made stay (they are the org's images). */
  async delete(orgId: string, id: string): Promise<boolean> {
    const gone = await this.ds.transaction(async (em) => {
      const found = await em.getRepository(EventRuleEntity).findOne({ where: { id, orgId }, lock: { mode: 'pessimistic_write' } });
      if (!found) return false;
      await em.getRepository(RuleRunEntity).delete({ ruleId: id });
      await em.getRepository(EventRuleEntity).delete({ id });
      if (hasSchedule(found)) await this.syncSchedule(em, id);
      return true;
    });
    if (gone) this.outbox.announce();
    return gone;
  }

  // --- ingested events and runs -------------------------------------------------------------

  findEvent(sourceId: string, eventId: string): Promise<IngestedEventEntity | null> {
    return this.ds.getRepository(IngestedEventEntity).findOne({ where: { sourceId, eventId }, select: { id: true, eventId: true, type: true, sourceId: true, orgId: true, createdAt: true } });
  }

  /** Records an event once: null when (source, event id) is already there (a concurrent replay). */
  async recordEvent(em: EntityManager, e: Pick<IngestedEventEntity, 'orgId' | 'sourceId' | 'eventId' | 'type' | 'payload'>): Promise<string | null> {
    const rows = (await em.query(
      `INSERT INTO ingested_events (org_id, source_id, event_id, type, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (source_id, event_id) DO NOTHING RETURNING id`,
      [e.orgId, e.sourceId, e.eventId, e.type, JSON.stringify(e.payload)],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  /** A run, once per (rule, event) and per (rule, tick): null when that firing is already recorded. */
  async insertRun(em: EntityManager, r: NewRun): Promise<RuleRunEntity | null> {
    const rows = (await em.query(
      `INSERT INTO event_rule_runs (org_id, rule_id, ingested_event_id, event_id, scheduled_at, status, reason, modifications, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id, created_at`,
      [
        r.orgId,
        r.ruleId,
        r.ingestedEventId,
        r.eventId,
        r.scheduledAt,
        r.status,
        r.reason,
        r.modifications === null ? null : JSON.stringify(r.modifications),
        r.error === null ? null : JSON.stringify(r.error),
      ],
    )) as { id: string; created_at: Date }[];
    if (!rows[0]) return null;
    return Object.assign(new RuleRunEntity(), r, { id: rows[0].id, createdAt: rows[0].created_at, imageId: null });
  }

  async setRunImage(em: EntityManager, runId: string, imageId: string): Promise<void> {
    await em.query(`UPDATE event_rule_runs SET image_id = $2 WHERE id = $1 AND image_id IS NULL`, [runId, imageId]);
  }

  tickRecorded(ruleId: string, scheduledAt: Date): Promise<boolean> {
    return this.ds.getRepository(RuleRunEntity).exists({ where: { ruleId, scheduledAt } });
  }

  runsOfEvent(ingestedEventId: string): Promise<RuleRunEntity[]> {
    return this.ds.getRepository(RuleRunEntity).find({ where: { ingestedEventId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  listRuns(orgId: string, ruleId: string, limit: number, cursor?: CursorPosition): Promise<RuleRunEntity[]> {
    const qb = this.ds
      .getRepository(RuleRunEntity)
      .createQueryBuilder('run')
      .where('run.rule_id = :ruleId', { ruleId })
      .andWhere('run.org_id = :orgId', { orgId });
    return fetchKeysetRows(qb, 'run', limit, cursor);
  }

  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }
}
