import { Inject, Injectable } from '@nestjs/common';
import type { CollectionOut } from '../collections/collection.dto.js';
import { type CollectionPlan, CollectionsService } from '../collections/collections.service.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ApiError } from '../http/api-error.js';
import { errorItem, type FastApiErrorItem, RequestValidationError } from '../http/validation-errors.js';
import { ImageRequests } from '../images/image-requests.js';
import { metadataTooLarge } from '../images/render-request.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { RATE_COSTS } from '../rate-limit/rate-cost.js';
import { RateLimiter, rateLimitHeaders } from '../rate-limit/rate-limiter.js';
import type { Modification } from '../renderer/index.js';
import { invalid, TemplatesService } from '../templates/templates.service.js';
import { bindingErrors, bindingProblems, personModifications } from './bindings.js';
import type { CreatePeopleRenderDto, CreatePeopleRenderHeaders } from './people-renders.dto.js';
import { PeopleRepository } from './people.repository.js';
import { tagErrors } from './person-rules.js';

/**
 * POST /v1/people/renders: one template rendered once per matching person, as a collection
 * (source `people`). The checks run in the order of their cost, and nothing is written unless
 * every person's render passes: the template and version; the request's own modifications; the
 * bindings against the version; the match (none, or more than PEOPLE_BATCH_MAX, is a 400); every
 * person's modifications in one pass; then what every collection checks (CollectionsService.create).
 */
@Injectable()
export class PeopleRendersService {
  constructor(
    private readonly people: PeopleRepository,
    private readonly collections: CollectionsService,
    private readonly images: ImageRequests,
    private readonly templates: TemplatesService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async createFromRequest(
    p: Principal,
    body: CreatePeopleRenderDto,
    headers: CreatePeopleRenderHeaders,
    requestId: string,
  ): Promise<{ headers: Record<string, string>; body: CollectionOut }> {
    const errors: FastApiErrorItem[] = [...tagErrors(body.filter.tags ?? {}, ['body', 'filter', 'tags']), ...bindingErrors(body.bindings)];
    if (Object.keys(body.filter.tags ?? {}).length === 0 && body.filter.external_ids === undefined) {
      errors.push(errorItem('value_error', ['body', 'filter'], body.filter, { error: 'give at least one criterion: tags or external_ids' }));
    }
    const metadataError = metadataTooLarge(body.metadata);
    if (metadataError) errors.push(metadataError);
    if (errors.length) throw new RequestValidationError(errors);
    return this.collections.create(
      p,
      { path: '/v1/people/renders', body, idempotencyKey: headers.idempotency_key, requestId },
      () => this.plan(p, body),
      (renders) => this.charge(p, renders),
    );
  }

  private async plan(p: Principal, body: CreatePeopleRenderDto): Promise<CollectionPlan> {
    const { version } = await this.images.resolveVersion(p, body);
    const mods = body.modifications as Modification[];
    const base = await this.templates.checkModifications(p.orgId, version, mods);
    const problems = bindingProblems(version, body.bindings, mods);
    if (problems.length) throw invalid('invalid_binding', problems);

    const max = this.config.peopleBatchMax;
    const filter = { tags: body.filter.tags ?? {}, externalIds: body.filter.external_ids ?? [] };
    const ids = await this.people.matchIds(p.orgId, filter, max + 1);
    if (ids.length === 0) throw invalid('no_matching_people', [{ name: 'filter', reason: 'no live person of your organisation matches the filter' }]);
    if (ids.length > max) throw invalid('too_many_people', [{ name: 'filter', reason: `more than ${max} people match the filter (PEOPLE_BATCH_MAX); narrow it` }]);

    // A person lacking a bound field (no such tag, no external_id) or whose photo is gone fails
    // the whole batch, naming the person: a batch never silently renders fewer people than matched.
    const checked = await this.templates.checkModificationSets(
      p.orgId,
      version,
      ids.map((id) => personModifications(base, body.bindings, id)),
    );
    const refused = checked.flatMap((r, i) => r.problems.map((problem) => ({ ...problem, person_id: ids[i] })));
    if (refused.length) throw new ApiError(400, { code: 'invalid_modification', errors: refused });
    return {
      source: 'people',
      templateIds: [version.templateId],
      personIds: ids,
      renders: checked.map((r) => ({ templateId: version.templateId, templateVersion: version.version, scale: 1, modifications: r.effective })),
    };
  }

  /**
   * The guard took one render's points at the door (the size is unknown until the match); the
   * rest is taken here, so a batch costs what a collection of as many templates costs.
   */
  private async charge(p: Principal, renders: number): Promise<Record<string, string>> {
    const d = await this.limiter.consumeMore(p.keyId, p.rateLimitPerMinute, RATE_COSTS.render, renders * RATE_COSTS.render);
    if (!d || (d.kind !== 'allowed' && d.kind !== 'limited')) return {};
    const headers = rateLimitHeaders(d);
    if (d.kind === 'limited') throw new ApiError(429, 'Rate limit exceeded', { ...headers, 'Retry-After': String(d.resetSeconds) });
    return headers;
  }
}
