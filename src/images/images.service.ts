import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { cursorParam } from '../common/pagination/cursor.js';
import { errorItem, type FastApiErrorItem, RequestValidationError } from '../http/validation-errors.js';
import { ImageWaiter } from './image-waiter.js';
import type { CreateImageDto, CreateImageHeaders, ListImagesQuery } from './images.dto.js';
import { MAX_METADATA_BYTES } from './images.dto.js';
import { MAX_PREFER_WAIT_SECONDS, parsePreferWait } from './prefer.js';
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
    const prefer = parsePreferWait(headers.prefer);
    const errors = [];
    if (!prefer.ok) {
      errors.push(
        valueError(['header', 'prefer'], headers.prefer, `wait must be a whole number of seconds from 0 to ${MAX_PREFER_WAIT_SECONDS}`).detail[0],
      );
    }
    const metadataError = metadataTooLarge(body.metadata);
    if (metadataError) errors.push(metadataError);
    if (errors.length) throw new RequestValidationError(errors);
    const wait = prefer.ok ? prefer.wait : null;
    const out = await this.create(p, body as CreateImageInput, { wait, idempotencyKey: headers.idempotency_key, requestId });
    const h: Record<string, string> = {};
    if (wait !== null) h['Preference-Applied'] = `wait=${wait}`;
    if (out.replayed) h['Idempotent-Replayed'] = 'true';
    return { status: out.status, headers: h, body: out.body };
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

function isTerminal(status: string): boolean {
  return status === 'completed' || status === 'failed';
}

/** The 422 item for a metadata object over MAX_METADATA_BYTES as JSON, or null. */
export function metadataTooLarge(metadata: Record<string, unknown> | undefined): FastApiErrorItem | null {
  if (metadata === undefined || Buffer.byteLength(JSON.stringify(metadata)) <= MAX_METADATA_BYTES) return null;
  return valueError(['body', 'metadata'], metadata, `metadata may be at most ${MAX_METADATA_BYTES} bytes as JSON`).detail[0];
}

/** pydantic's value_error, for checks a field type alone cannot express. */
export function valueError(loc: (string | number)[], input: unknown, error: string): RequestValidationError {
  return new RequestValidationError([errorItem('value_error', loc, input, { error })]);
}
