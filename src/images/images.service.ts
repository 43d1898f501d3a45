import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { LIMITS, type Modification } from '../renderer/index.js';
import { invalid, TemplatesService } from '../templates/templates.service.js';
import { cursorParam } from '../common/pagination/cursor.js';
import { ImageWaiter } from './image-waiter.js';
import { checkRenderRequest, checkWebhookUrl, isTerminal, publishedVersion, renderResponseHeaders } from './render-request.js';
import type { CreateImageDto, CreateImageHeaders, ListImagesQuery } from './images.dto.js';
import { PerOrgGate, preflightImageUrls } from './url-preflight.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import { ADDRESS_POLICY, IMAGE_FETCHER } from '../outbound/image-fetcher.provider.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiError } from '../http/api-error.js';
import { type Page, toPage } from '../common/pagination/cursor.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import { ImageOut } from './image.dto.js';
import type { ImageEntity, OutputFormat } from './image.entity.js';
import { type ImageFilters, type ImageView, ImagesRepository } from './images.repository.js';

export type { ImageFilters };

export interface CreateImageInput {
  template_id: string;
  template_version?: number;
  modifications: Modification[];
  format?: OutputFormat;
  quality?: number;
  scale?: number;
  webhook_url?: string;
  metadata?: Record<string, unknown>;
}

/** The 429 detail when an organisation already has MAX_PENDING_RENDERS_PER_ORG renders waiting. */
export const PENDING_CAP_DETAIL = 'Too many renders pending for this organisation';

export interface CreateImageResult {
  status: 201 | 202;
  body: ImageOut;
  replayed: boolean;
}

@Injectable()
export class ImagesService {
  constructor(
    private readonly images: ImagesRepository,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly templates: TemplatesService,
    private readonly waiter: ImageWaiter,
    private readonly idempotency: IdempotencyService,
    @Inject(IMAGE_FETCHER) private readonly fetcher: ImageFetcher,
    @Inject(ADDRESS_POLICY) private readonly policy: AddressPolicy,
  ) {
    this.preflightGate = new PerOrgGate(config.preflight.perOrg);
  }

  /** Bounds one organisation's concurrent URL pre-flights in this process. */
  private readonly preflightGate: PerOrgGate;

  async listQuery(p: Principal, q: ListImagesQuery): Promise<Page<ImageOut>> {
    return this.list(p, {
      status: q.status,
      templateId: q.template_id,
      collectionId: q.collection_id,
      createdAfter: q.created_after,
      createdBefore: q.created_before,
      limit: q.limit,
      cursor: cursorParam(q.cursor),
    });
  }

  /** Request-level checks the schema cannot express, then create(). */
  async createFromRequest(
    p: Principal,
    body: CreateImageDto,
    headers: CreateImageHeaders,
    requestId: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: ImageOut }> {
    const wait = checkRenderRequest(headers.prefer, body.metadata);
    const out = await this.create(p, body as CreateImageInput, { wait, idempotencyKey: headers.idempotency_key, requestId });
    return { status: out.status, headers: renderResponseHeaders(wait, out.replayed), body: out.body };
  }

  /**
   * Validates everything that can be known before queueing (template published, modifications
   * fit the pinned version, remote images reachable), inserts the row, enqueues it and optionally
   * waits for it to settle.
   */
  async create(
    p: Principal,
    input: CreateImageInput,
    opts: { wait: number | null; idempotencyKey?: string; requestId: string },
  ): Promise<CreateImageResult> {
    const scope = { orgId: p.orgId, mode: p.mode };
    const res = await this.idempotency.run<ImageOut>(scope, opts.idempotencyKey, { method: 'POST', path: '/v1/images', body: input }, async (record) => {
      let body: ImageOut | undefined;
      // The row, its render request and the remembered answer commit in one transaction.
      await this.insert(p, input, opts.requestId, async (em, row) => {
        body = await this.out(row);
        await record(em, { status: 202, body });
      });
      return { status: 202, body: body as ImageOut };
    });
    let image = res.body;
    if (res.replayed) image = await this.get(p, image.id);
    if (opts.wait && !isTerminal(image.status)) {
      const settled = await this.waiter.waitFor(image.id, Date.now() + opts.wait * 1000, async () => {
        const r = await this.images.findById(image.id);
        return r !== null && isTerminal(r.status);
      });
      if (settled) image = await this.get(p, image.id);
    }
    return { status: isTerminal(image.status) && opts.wait !== null ? 201 : 202, body: image, replayed: res.replayed };
  }

  private async insert(
    p: Principal,
    input: CreateImageInput,
    requestId: string,
    inTransaction: (em: EntityManager, row: ImageEntity) => Promise<void>,
  ): Promise<ImageEntity> {
    const version = await publishedVersion(this.templates, p, input.template_id, input.template_version);
    const scale = input.scale ?? 1;
    const [outW, outH] = [version.width * scale, version.height * scale];
    if (outW * outH > LIMITS.maxCanvasPixels) {
      throw invalid('canvas_too_large', [
        { name: 'scale', reason: `${outW}x${outH} exceeds the ${LIMITS.maxCanvasPixels / 1e6} megapixel output limit; use a smaller scale` },
      ]);
    }
    if (input.webhook_url !== undefined) await checkWebhookUrl(input.webhook_url, this.policy, this.config.fetch.timeoutMs);
    const effective = await this.templates.checkModifications(p.orgId, version, input.modifications);
    const cap = this.config.maxPendingRendersPerOrg;
    // Checked before the (costly) remote pre-flight. Concurrent POSTs may overshoot by their number: a soft cap.
    if (cap > 0 && (await this.images.countPending(p.orgId, cap)) >= cap) throw new ApiError(429, PENDING_CAP_DETAIL);
    const limits = { ...this.config.preflight, maxDecodedPixels: this.config.render.maxDecodedPixels };
    const remote = await this.preflightGate.run(p.orgId, () => preflightImageUrls(effective, this.fetcher, limits));
    if (remote.length) throw invalid('invalid_modification', remote);

    return this.images.insertPending({
      orgId: p.orgId,
      templateId: version.templateId,
      templateVersion: version.version,
      modifications: effective,
      imageMetadata: {},
      isTest: p.mode === 'test',
      apiKeyId: p.keyId,
      format: input.format ?? 'png',
      quality: input.quality ?? null,
      scale,
      webhookUrl: input.webhook_url ?? null,
      metadata: input.metadata ?? {},
      updatedAt: new Date(),
    }, { requestId, inTransaction });
    // The render request went into the outbox with the row: no Redis call on this path.
  }

  /** Another org's image, or one of the other key mode, is indistinguishable from a missing one. */
  async get(principal: Principal, id: string): Promise<ImageOut> {
    const row = await this.images.findOwned(id, principal.orgId, principal.mode === 'test');
    if (!row) throw new ApiError(404, 'Image not found');
    return this.out(row);
  }

  async list(principal: Principal, f: ImageFilters): Promise<Page<ImageOut>> {
    const rows = await this.images.list(principal.orgId, principal.mode === 'test', f);
    const page = toPage(rows, f.limit, (r) => r);
    return { ...page, data: await Promise.all(page.data.map((r) => this.out(r))) };
  }

  out(row: ImageView): Promise<ImageOut> {
    return ImageOut.from(row, this.storage, this.config.signedUrlTtlSeconds);
  }
}


