import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ApiError } from '../http/api-error.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { EventSourcesService } from './event-sources.service.js';
import { type IngestOut, RuleRunOut } from './events.dto.js';
import { type Plan, RuleFiring } from './rule-firing.js';
import type { RuleRunEntity } from './rule-run.entity.js';
import { RulesRepository } from './rules.repository.js';
import { verifyHmac, verifyStripe } from './signatures.js';

export interface IngestRequest {
  rawBody: Buffer | undefined;
  headers: Record<string, string | string[] | undefined>;
  requestId: string;
}

/** Thrown inside the transaction when a concurrent request recorded the same event first. */
class AlreadyRecorded extends Error {}

/**
 * POST /v1/ingest/{source_id}: no API key; the source's signature over the exact bytes is the
 * credential. A verified event is recorded once per (source, event id); every enabled rule of the
 * organisation listening to its type fires once, the event, its runs and their renders committing
 * in one transaction (a crash loses all of it, and the sender's retry does it once).
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger('Ingest');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sources: EventSourcesService,
    private readonly rules: RulesRepository,
    private readonly firing: RuleFiring,
    private readonly limiter: RateLimiter,
  ) {}

  async receive(sourceId: string, req: IngestRequest): Promise<IngestOut> {
    await this.throttle(sourceId);
    const source = await this.sources.findForIngest(sourceId);
    const raw = req.rawBody;
    if (raw === undefined) throw new ApiError(415, 'Send the event as JSON (Content-Type: application/json)');
    if (raw.length > this.config.ingest.maxBodyBytes) throw new ApiError(413, `Event bodies may be at most ${this.config.ingest.maxBodyBytes} bytes`);
    const v = source.type === 'stripe' ? verifyStripe(raw, req.headers, source.secret) : verifyHmac(raw, req.headers, source.secret);
    if (!v.ok) throw new ApiError(v.status, v.detail);

    const seen = await this.rules.findEvent(source.id, v.eventId);
    if (seen) return this.replayed(seen.id, v.eventId, v.type);

    const rules = await this.rules.matching(source.orgId, v.type);
    const plans: Plan[] = [];
    for (const rule of rules) plans.push(await this.firing.plan(rule, v.payload, { event_rule_id: rule.id, event_id: v.eventId }));
    let recorded: { id: string; runs: RuleRunEntity[] };
    try {
      recorded = await this.rules.transaction(async (em) => {
        const id = await this.rules.recordEvent(em, { orgId: source.orgId, sourceId: source.id, eventId: v.eventId, type: v.type, payload: v.payload });
        if (!id) throw new AlreadyRecorded();
        const runs: RuleRunEntity[] = [];
        for (const [i, rule] of rules.entries()) {
          const run = await this.firing.persist(em, rule, plans[i], { ingestedEventId: id, eventId: v.eventId }, req.requestId);
          if (run) runs.push(run);
        }
        return { id, runs };
      });
    } catch (err) {
      if (!(err instanceof AlreadyRecorded)) throw err;
      const first = await this.rules.findEvent(source.id, v.eventId);
      if (!first) throw err;
      return this.replayed(first.id, v.eventId, v.type);
    }
    this.firing.announce();
    this.logger.log(`event ${v.type} from source ${source.id}: ${recorded.runs.length} run(s)`);
    return { id: recorded.id, object: 'event', event_id: v.eventId, type: v.type, replayed: false, runs: recorded.runs.map((r) => RuleRunOut.from(r)) };
  }

  private async replayed(id: string, eventId: string, type: string): Promise<IngestOut> {
    const runs = await this.rules.runsOfEvent(id);
    return { id, object: 'event', event_id: eventId, type, replayed: true, runs: runs.map((r) => RuleRunOut.from(r)) };
  }

  /** Per source, before anything is read: a flood at one ingest URL cannot starve the others. */
  private async throttle(sourceId: string): Promise<void> {
    const d = await this.limiter.consume(`ingest:${sourceId}`, this.config.ingest.perSourcePerMinute, 1);
    if (d.kind === 'limited') throw new ApiError(429, 'Rate limit exceeded for this event source', { 'Retry-After': String(d.resetSeconds) });
  }
}
