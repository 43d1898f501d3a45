import { Inject, Injectable } from '@nestjs/common';
import { cursorParam, type Page, toPage } from '../common/pagination/cursor.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ApiError } from '../http/api-error.js';
import { type FastApiErrorItem, RequestValidationError } from '../http/validation-errors.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { OutputFormat } from '../images/image.entity.js';
import { ImageRequests, type ResolvedRender } from '../images/image-requests.js';
import { metadataTooLarge, valueError } from '../images/render-request.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import type { Modification } from '../renderer/index.js';
import type { CollectionSource } from './collection.entity.js';
import { CollectionOut } from './collection.dto.js';
import type { CreateCollectionDto, CreateCollectionHeaders } from './collections.dto.js';
import { CollectionsRepository } from './collections.repository.js';
import type { PageQuery } from '../validation/page-query.js';

/** What a kind of collection decided: its templates or people, and one checked render per image. */
export interface CollectionPlan {
  source: CollectionSource;
  templateIds: string[];
  personIds: string[];
  renders: ResolvedRender[];
}

/** A create request of some kind of collection: its path and body (what Idempotency-Key remembers). */
export interface CollectionRequest {
  path: string;
  body: { format: OutputFormat; webhook_url?: string; metadata?: Record<string, unknown> };
  idempotencyKey?: string;
  requestId: string;
}

/** A 400 from the checks of one render, as ImageRequests shapes it. */
interface CodedDetail {
  code: string;
  errors: { name: string; reason: string }[];
}

@Injectable()
export class CollectionsService {
  constructor(
    private readonly collections: CollectionsRepository,
    private readonly images: ImageRequests,
    private readonly idempotency: IdempotencyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Request-level checks the schema cannot express (the configured maximum, duplicates, metadata size), then the idempotent create. */
  async createFromRequest(
    p: Principal,
    body: CreateCollectionDto,
    headers: CreateCollectionHeaders,
    requestId: string,
  ): Promise<{ headers: Record<string, string>; body: CollectionOut }> {
    const errors: FastApiErrorItem[] = [];
    const max = this.config.collectionMaxTemplates;
    if (body.templates.length > max) {
      errors.push(valueError(['body', 'templates'], body.templates, `a collection may name at most ${max} templates (COLLECTION_MAX_TEMPLATES)`).detail[0]);
    }
    const seen = new Set<string>();
    for (const [i, id] of body.templates.entries()) {
      if (seen.has(id)) errors.push(valueError(['body', 'templates', i], id, 'each template may appear once in a collection').detail[0]);
      seen.add(id);
    }
    const metadataError = metadataTooLarge(body.metadata);
    if (metadataError) errors.push(metadataError);
    if (errors.length) throw new RequestValidationError(errors);

    return this.create(p, { path: '/v1/collections', body, idempotencyKey: headers.idempotency_key, requestId }, () => this.planTemplates(p, body));
  }

  /**
   * Every template is checked before anything is written: one bad template (missing, another
   * org's, archived, unpublished, or rejecting a modification) is the 400 of the whole
   * collection, naming it.
   */
  private async planTemplates(p: Principal, body: CreateCollectionDto): Promise<CollectionPlan> {
    const mods = body.modifications as Modification[];
    const settled = await Promise.allSettled(body.templates.map((id) => this.images.resolveRender(p, { template_id: id, modifications: mods })));
    const renders: ResolvedRender[] = [];
    for (const [i, r] of settled.entries()) {
      if (r.status === 'rejected') throw namingTemplate(r.reason, body.templates[i]);
      renders.push(r.value);
    }
    return { source: 'templates', templateIds: body.templates, personIds: [], renders };
  }

  /**
   * The idempotent create every kind of collection shares. `plan` checks the request and
   * resolves one render per image (its 400s); then the webhook URL, `charge` (what the plan's
   * size costs beyond the guard's charge; its answer headers), the pending cap for all the renders at once and one
   * pre-flight of the remote images. The collection, its images, their render requests and the
   * remembered answer commit in one transaction; a replay answers with the collection as it is now.
   */
  async create(
    p: Principal,
    req: CollectionRequest,
    plan: () => Promise<CollectionPlan>,
    charge?: (renders: number) => Promise<Record<string, string>>,
  ): Promise<{ headers: Record<string, string>; body: CollectionOut }> {
    const { body } = req;
    const scope = { orgId: p.orgId, mode: p.mode };
    let charged: Record<string, string> = {};
    const res = await this.idempotency.run<CollectionOut>(scope, req.idempotencyKey, { method: 'POST', path: req.path, body }, async (record) => {
      const planned = await plan();
      if (body.webhook_url !== undefined) await this.images.checkWebhookUrl('webhook_url', body.webhook_url);
      if (charge) charged = await charge(planned.renders.length);
      await this.images.checkPendingCap(p.orgId, planned.renders.length);
      await this.images.preflight(p.orgId, remoteSources(planned.renders));
      const child = { format: body.format, metadata: body.metadata };
      let out: CollectionOut | undefined;
      await this.collections.insertWithImages(
        {
          orgId: p.orgId,
          isTest: p.mode === 'test',
          apiKeyId: p.keyId,
          source: planned.source,
          templateIds: planned.templateIds,
          personIds: planned.personIds,
          format: body.format,
          webhookUrl: body.webhook_url ?? null,
          metadata: body.metadata ?? {},
        },
        planned.renders.map((r) => this.images.newImage(p, r, child)),
        {
          requestId: req.requestId,
          inTransaction: async (em, row) => {
            out = CollectionOut.from(row);
            await record(em, { status: 202, body: out });
          },
        },
      );
      return { status: 202, body: out as CollectionOut };
    });
    const out = res.replayed ? await this.get(p, res.body.id) : res.body;
    return { headers: res.replayed ? { 'Idempotent-Replayed': 'true' } : charged, body: out };
  }

  /** Another org's collection, or one of the other key mode, is indistinguishable from a missing one. */
  async get(p: Principal, id: string): Promise<CollectionOut> {
    const row = await this.collections.findOwned(id, p.orgId, p.mode === 'test');
    if (!row) throw new ApiError(404, 'Collection not found');
    return CollectionOut.from(row);
  }

  async list(p: Principal, q: PageQuery): Promise<Page<CollectionOut>> {
    const rows = await this.collections.list(p.orgId, p.mode === 'test', q.limit, cursorParam(q.cursor));
    return toPage(rows, q.limit, (r) => CollectionOut.from(r));
  }
}

/**
 * A render check's 400, restated for the collection: each error names the template it is about
 * (`template_id`), and a template-level error points at the `templates` field.
 */
function namingTemplate(err: unknown, templateId: string): unknown {
  if (!(err instanceof ApiError) || err.getStatus() !== 400) return err;
  const detail = err.detail as CodedDetail;
  return new ApiError(400, {
    code: detail.code,
    errors: detail.errors.map((e) => ({
      name: e.name === 'template_id' ? 'templates' : e.name,
      reason: `template ${templateId}: ${e.reason}`,
      template_id: templateId,
    })),
  });
}

/**
 * The remote image sources of all renders, each layer and URL once: the renders of a collection
 * mostly share them (the same modifications for every template or person), and a bad URL is
 * then reported once, not once per image.
 */
function remoteSources(renders: readonly ResolvedRender[]): Modification[] {
  const seen = new Map<string, Modification>();
  for (const m of renders.flatMap((r) => r.modifications)) {
    if (typeof m.image_url === 'string') seen.set(JSON.stringify([m.name, m.image_url]), m);
  }
  return [...seen.values()];
}
