import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { cursorParam } from '../common/pagination/cursor.js';
import { ImageWaiter } from './image-waiter.js';
import { checkRenderRequest, isTerminal, renderResponseHeaders } from './render-request.js';
import type { CreateImageDto, CreateImageHeaders, ListImagesQuery } from './images.dto.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiError } from '../http/api-error.js';
import { type Page, toPage } from '../common/pagination/cursor.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import { ImageOut } from './image.dto.js';
import type { ImageEntity } from './image.entity.js';
import { type CreateImageInput, ImageRequests, PENDING_CAP_DETAIL } from './image-requests.js';
import { type ImageFilters, type ImageView, ImagesRepository } from './images.repository.js';

export type { ImageFilters };

export type { CreateImageInput };
export { PENDING_CAP_DETAIL };

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
    private readonly requests: ImageRequests,
    private readonly waiter: ImageWaiter,
    private readonly idempotency: IdempotencyService,
  ) {}

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
      const settled = await this.waiter.waitForTerminal(image.id, opts.wait, async () => (await this.images.findById(image.id))?.status ?? null);
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
    const fields = await this.requests.prepare(p, input);
    // The render request goes into the outbox with the row: no Redis call on this path.
    return this.images.insertPending(fields, { requestId, inTransaction });
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
