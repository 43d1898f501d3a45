import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { cursorParam, type Page, toPage } from '../common/pagination/cursor.js';
import { ApiError } from '../http/api-error.js';
import { ImageRequests } from '../images/image-requests.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { LIMITS } from '../renderer/index.js';
import type { ModificationProblem } from '../templates/modifications.js';
import { invalid } from '../templates/templates.service.js';
import type { EventRuleEntity, RuleCondition, RuleMapping } from './event-rule.entity.js';
import { type CreateEventRuleDto, EventRuleOut, RuleRunOut, type UpdateEventRuleDto } from './events.dto.js';
import { applyMapping, checkRule } from './mapping.js';
import { type NewRule, RulesRepository } from './rules.repository.js';
import { scheduleProblems } from './schedule.js';
import type { PageQuery } from '../validation/page-query.js';

const NOT_FOUND = 'Event rule not found';

/** The rule as it will be stored, before the checks that need the database. */
interface RuleDraft {
  name: string;
  eventType: string | null;
  schedule: { cron: string; timezone: string } | null;
  templateId: string;
  mapping: RuleMapping;
  filter: RuleCondition[];
  destinationUrl: string | null;
  enabled: boolean;
}

@Injectable()
export class EventRulesService {
  constructor(
    private readonly rules: RulesRepository,
    private readonly requests: ImageRequests,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(p: Principal, body: CreateEventRuleDto): Promise<EventRuleOut> {
    const draft: RuleDraft = {
      name: body.name,
      eventType: body.event_type ?? null,
      schedule: body.schedule ? { cron: body.schedule.cron, timezone: body.schedule.timezone } : null,
      templateId: body.template_id,
      mapping: body.mapping,
      filter: body.filter.map((c) => ({ path: c.path, equals: c.equals })),
      destinationUrl: body.destination_url ?? null,
      enabled: body.enabled,
    };
    await this.check(p, draft, true);
    const { maxPerOrg } = this.config.eventRules;
    const row = await this.rules.insert({ ...columnsOf(draft), orgId: p.orgId, isTest: p.mode === 'test', apiKeyId: p.keyId }, maxPerOrg);
    if (!row) {
      throw invalid('too_many_rules', [
        { name: 'event_rules', reason: `your organisation has ${maxPerOrg} event rules, the most it may have (MAX_EVENT_RULES_PER_ORG); delete one first` },
      ]);
    }
    return EventRuleOut.from(row);
  }

  async get(p: Principal, id: string): Promise<EventRuleOut> {
    return EventRuleOut.from(await this.owned(p, id));
  }

  async list(p: Principal, q: PageQuery): Promise<Page<EventRuleOut>> {
    const rows = await this.rules.list(p.orgId, q.limit, cursorParam(q.cursor));
    return toPage(rows, q.limit, (r) => EventRuleOut.from(r));
  }

  async update(p: Principal, id: string, patch: UpdateEventRuleDto): Promise<EventRuleOut> {
    const row = await this.rules.update(p.orgId, id, async (r) => {
      const has = (k: keyof UpdateEventRuleDto): boolean => Object.hasOwn(patch, k) && patch[k] !== undefined;
      const draft: RuleDraft = {
        name: patch.name ?? r.name,
        eventType: has('event_type') ? (patch.event_type ?? null) : r.eventType,
        schedule: has('schedule')
          ? patch.schedule
            ? { cron: patch.schedule.cron, timezone: patch.schedule.timezone }
            : null
          : r.scheduleCron !== null
            ? { cron: r.scheduleCron, timezone: r.scheduleTimezone ?? 'UTC' }
            : null,
        templateId: patch.template_id ?? r.templateId,
        mapping: patch.mapping ?? r.mapping,
        filter: patch.filter ? patch.filter.map((c) => ({ path: c.path, equals: c.equals })) : r.filter,
        destinationUrl: has('destination_url') ? (patch.destination_url ?? null) : r.destinationUrl,
        enabled: patch.enabled ?? r.enabled,
      };
      // An unchanged destination was checked when it was set; a changed one is checked again.
      await this.check(p, draft, draft.destinationUrl !== r.destinationUrl);
      return columnsOf(draft);
    });
    if (!row) throw new ApiError(404, NOT_FOUND);
    return EventRuleOut.from(row);
  }

  async delete(p: Principal, id: string): Promise<void> {
    if (!(await this.rules.delete(p.orgId, id))) throw new ApiError(404, NOT_FOUND);
  }

  async runs(p: Principal, id: string, q: PageQuery): Promise<Page<RuleRunOut>> {
    await this.owned(p, id);
    const rows = await this.rules.listRuns(p.orgId, id, q.limit, cursorParam(q.cursor));
    return toPage(rows, q.limit, (r) => RuleRunOut.from(r));
  }

  private async owned(p: Principal, id: string): Promise<EventRuleEntity> {
    const row = await this.rules.findOwned(p.orgId, id);
    if (!row) throw new ApiError(404, NOT_FOUND);
    return row;
  }

  /**
   * Everything a rule must satisfy to be stored: one trigger, a published template of the org
   * whose dynamic layers take the mapping, paths that parse, a runnable schedule, and a
   * destination the address policy allows. 400 invalid_rule naming each field.
   */
  private async check(p: Principal, d: RuleDraft, checkDestination: boolean): Promise<void> {
    const problems: ModificationProblem[] = [];
    if ((d.eventType === null) === (d.schedule === null)) {
      problems.push({ name: 'event_type', reason: 'give exactly one of event_type and schedule' });
    }
    if (d.schedule) problems.push(...scheduleProblems(d.schedule.cron, d.schedule.timezone, this.config.eventRules.minScheduleIntervalSeconds));
    if (Object.keys(d.mapping).length > LIMITS.maxModifications) {
      problems.push({ name: 'mapping', reason: `at most ${LIMITS.maxModifications} layers` });
    }
    const version = await this.requests.publishedVersion(p, d.templateId);
    problems.push(...checkRule(version, d.mapping, d.filter));
    // A schedule's payload is known in advance: a mapped path it cannot have would fail every tick.
    if (d.schedule && problems.length === 0) {
      const sample = applyMapping({ type: 'schedule', scheduled_at: new Date(0).toISOString(), rule_id: '00000000-0000-0000-0000-000000000000' }, d.mapping);
      if (!sample.ok) {
        const field = typeof d.mapping[sample.layer] === 'string' ? `mapping.${sample.layer}` : `mapping.${sample.layer}.${sample.property}`;
        problems.push({ name: field, reason: `${sample.path} has no value in a schedule's payload {type, scheduled_at, rule_id}` });
      }
    }
    if (problems.length) throw invalid('invalid_rule', problems);
    if (checkDestination && d.destinationUrl !== null) await this.requests.checkWebhookUrl('destination_url', d.destinationUrl);
  }
}

function columnsOf(d: RuleDraft): Omit<NewRule, 'orgId' | 'isTest' | 'apiKeyId'> {
  return {
    name: d.name,
    eventType: d.eventType,
    scheduleCron: d.schedule?.cron ?? null,
    scheduleTimezone: d.schedule?.timezone ?? null,
    templateId: d.templateId,
    mapping: d.mapping,
    filter: d.filter,
    destinationUrl: d.destinationUrl,
    enabled: d.enabled,
  };
}
