import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApiError } from '../http/api-error.js';
import { ImageRequests } from '../images/image-requests.js';
import type { NewImage } from '../images/images.repository.js';
import { ImagesRepository } from '../images/images.repository.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import type { Modification } from '../renderer/index.js';
import type { EventRuleEntity } from './event-rule.entity.js';
import { applyMapping, filterMismatch } from './mapping.js';
import type { RuleRunEntity, RunError } from './rule-run.entity.js';
import { RulesRepository } from './rules.repository.js';

/** What one firing of a rule comes to, decided before any write. */
export type Plan =
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string; error: RunError; modifications: Modification[] | null }
  | { status: 'matched'; modifications: Modification[]; image: NewImage };

/** What caused the firing: an ingested event, or a schedule tick. */
export type Cause = { ingestedEventId: string; eventId: string; scheduledAt?: undefined } | { scheduledAt: Date; ingestedEventId?: undefined; eventId?: undefined };

/**
 * A rule firing on a payload, shared by event ingestion (API) and schedule ticks (worker): the
 * filter, the mapping, then the same checks as POST /v1/images (ImageRequests); the run and its
 * render (row and outbox record) then commit in the caller's transaction.
 */
@Injectable()
export class RuleFiring {
  constructor(
    private readonly requests: ImageRequests,
    private readonly images: ImagesRepository,
    private readonly rules: RulesRepository,
  ) {}

  async plan(rule: EventRuleEntity, payload: unknown, metadata: Record<string, unknown>): Promise<Plan> {
    const mismatch = filterMismatch(payload, rule.filter);
    if (mismatch) return { status: 'skipped', reason: mismatch };
    const mapped = applyMapping(payload, rule.mapping);
    if (!mapped.ok) {
      return {
        status: 'failed',
        reason: mapped.message,
        error: { code: 'mapping_path_missing', message: mapped.message, path: mapped.path, layer: mapped.layer, property: mapped.property },
        modifications: null,
      };
    }
    // The rule acts for the organisation with the mode of the key that made it.
    const principal: Principal = { orgId: rule.orgId, keyId: rule.apiKeyId ?? '', mode: rule.isTest ? 'test' : 'live', scopes: [], rateLimitPerMinute: null };
    try {
      const image = await this.requests.prepare(principal, {
        template_id: rule.templateId,
        modifications: mapped.modifications,
        ...(rule.destinationUrl !== null ? { webhook_url: rule.destinationUrl } : {}),
        metadata,
      });
      return { status: 'matched', modifications: image.modifications as Modification[], image: { ...image, apiKeyId: rule.apiKeyId } };
    } catch (err) {
      if (!(err instanceof ApiError) || err.getStatus() >= 500) throw err;
      const detail = err.detail as { code?: string; errors?: unknown } | string;
      const code = typeof detail === 'object' && detail.code ? detail.code : err.getStatus() === 429 ? 'render_refused' : 'invalid_render';
      const message = typeof detail === 'string' ? detail : `the render was refused (${code})`;
      const error: RunError = { code, message, ...(typeof detail === 'object' && detail.errors ? { errors: detail.errors } : {}) };
      return { status: 'failed', reason: message, error, modifications: mapped.modifications };
    }
  }

  /**
   * The run, and for a match its render, in the caller's transaction; null when this firing was
   * already recorded (the same tick seen by another worker). The caller announces after commit.
   */
  async persist(em: EntityManager, rule: EventRuleEntity, plan: Plan, cause: Cause, requestId: string): Promise<RuleRunEntity | null> {
    const run = await this.rules.insertRun(em, {
      orgId: rule.orgId,
      ruleId: rule.id,
      ingestedEventId: cause.ingestedEventId ?? null,
      eventId: cause.eventId ?? null,
      scheduledAt: cause.scheduledAt ?? null,
      status: plan.status,
      reason: plan.status === 'matched' ? null : plan.reason,
      modifications: plan.status === 'skipped' ? null : plan.modifications,
      error: plan.status === 'failed' ? plan.error : null,
    });
    if (!run || plan.status !== 'matched') return run;
    const image = await this.images.insertPendingIn(em, plan.image, requestId);
    await this.rules.setRunImage(em, run.id, image.id);
    run.imageId = image.id;
    return run;
  }

  announce(): void {
    this.images.announce();
  }
}
