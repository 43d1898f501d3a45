import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { LIMITS, type Modification } from '../renderer/index.js';
import { urlProblem } from '../templates/modifications.js';
import type { TemplateVersionEntity } from '../templates/template-version.entity.js';
import { invalid, TemplatesService } from '../templates/templates.service.js';
import { cursorParam } from '../common/pagination/cursor.js';
import { errorItem, type FastApiErrorItem, RequestValidationError } from '../http/validation-errors.js';
import { ImageWaiter } from './image-waiter.js';
import type { CreateImageDto, CreateImageHeaders, ListImagesQuery } from './images.dto.js';
import { MAX_METADATA_BYTES } from './images.dto.js';
import { MAX_PREFER_WAIT_SECONDS, parsePreferWait } from './prefer.js';
import { describeFetchError, PerOrgGate, preflightImageUrls } from './url-preflight.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import { ADDRESS_POLICY, IMAGE_FETCHER } from '../outbound/image-fetcher.provider.js';
import { checkOutboundUrl } from '../outbound/safe-request.js';
import { SafeRequestError } from '../outbound/safe-request-error.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiError } from '../http/api-error.js';
import { type Page, toPage } from '../common/pagination/cursor.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import { ImageOut } from './image.dto.js';
import type { ImageEntity, OutputFormat } from './image.entity.js';
import { type ImageFilters, type ImageView, ImagesRepository, type NewImage } from './images.repository.js';

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

/** What resolveRender needs: a template, optionally a version, modifications and a scale. */
export type RenderSpec = Pick<CreateImageInput, 'template_id' | 'template_version' | 'modifications' | 'scale'>;

/** A render that passed every check resolveRender makes. */
export interface ResolvedRender {
  templateId: string;
  templateVersion: number;
  scale: number;
  modifications: Modification[];
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
    const render = await this.resolveRender(p, input);
    if (input.webhook_url !== undefined) await this.checkWebhookUrl(input.webhook_url);
    await this.checkPendingCap(p.orgId, 1);
    await this.preflight(p.orgId, render.modifications);
    return this.images.insertPending(this.newImage(p, render, input), { requestId, inTransaction });
    // The render request went into the outbox with the row: no Redis call on this path.
  }

  /**
   * The checks of one render that need no remote fetch: the template is the caller's, not
   * archived, published; the version exists; the output fits the canvas limit; the
   * modifications fit the version. Throws the 400s of POST /v1/images (name: template_id etc.).
   */
  async resolveRender(p: Principal, input: RenderSpec): Promise<ResolvedRender> {
    const { version, scale } = await this.resolveVersion(p, input);
    const modifications = await this.templates.checkModifications(p.orgId, version, input.modifications);
    return { templateId: version.templateId, templateVersion: version.version, scale, modifications };
  }

  /** resolveRender's checks of the template, version and canvas (a batch checks the modifications of its many renders itself). */
  async resolveVersion(p: Principal, input: Omit<RenderSpec, 'modifications'>): Promise<{ version: TemplateVersionEntity; scale: number }> {
    const template = await this.templates
      .findOwned(p, input.template_id)
      .catch(notFoundAs(invalid('template_not_found', [{ name: 'template_id', reason: `template ${input.template_id} not found` }])));
    if (template.archivedAt) throw invalid('template_archived', [{ name: 'template_id', reason: 'the template is archived' }]);
    if (template.currentVersion === null) {
      throw invalid('template_not_published', [{ name: 'template_id', reason: 'publish the template before rendering it' }]);
    }
    const versionNo = input.template_version ?? template.currentVersion;
    const version = await this.templates
      .getVersionEntity(p, template.id, versionNo)
      .catch(notFoundAs(invalid('template_version_not_found', [{ name: 'template_version', reason: `version ${versionNo} does not exist` }])));
    const scale = input.scale ?? 1;
    const [outW, outH] = [version.width * scale, version.height * scale];
    if (outW * outH > LIMITS.maxCanvasPixels) {
      throw invalid('canvas_too_large', [
        { name: 'scale', reason: `${outW}x${outH} exceeds the ${LIMITS.maxCanvasPixels / 1e6} megapixel output limit; use a smaller scale` },
      ]);
    }
    return { version, scale };
  }

  /** Checked at the door (syntax, resolved, then the address policy) and again at every delivery. */
  async checkWebhookUrl(url: string): Promise<void> {
    const reason = urlProblem(url, { assetKind: () => undefined });
    if (reason) throw invalid('invalid_webhook_url', [{ name: 'webhook_url', reason: `webhook_url ${reason}` }]);
    try {
      await checkOutboundUrl(url, { policy: this.policy, timeoutMs: this.config.fetch.timeoutMs });
    } catch (err) {
      if (!(err instanceof SafeRequestError)) throw err;
      throw invalid('invalid_webhook_url', [{ name: 'webhook_url', reason: `webhook_url ${describeFetchError(err)}` }]);
    }
  }

  /**
   * 429 when `adding` more renders would take the org past MAX_PENDING_RENDERS_PER_ORG. Checked
   * before the (costly) remote pre-flight. Concurrent POSTs may overshoot by their number: a soft cap.
   */
  async checkPendingCap(orgId: string, adding: number): Promise<void> {
    const cap = this.config.maxPendingRendersPerOrg;
    if (cap > 0 && (await this.images.countPending(orgId, cap)) + adding > cap) throw new ApiError(429, PENDING_CAP_DETAIL);
  }

  /** Every remote image_url reachable and an image within the limits, else 400 invalid_modification. */
  async preflight(orgId: string, modifications: Modification[]): Promise<void> {
    const limits = { ...this.config.preflight, maxDecodedPixels: this.config.render.maxDecodedPixels };
    const remote = await this.preflightGate.run(orgId, () => preflightImageUrls(modifications, this.fetcher, limits));
    if (remote.length) throw invalid('invalid_modification', remote);
  }

  /** The row of a checked render. */
  newImage(p: Principal, render: ResolvedRender, input: Pick<CreateImageInput, 'format' | 'quality' | 'webhook_url' | 'metadata'>): NewImage {
    return {
      orgId: p.orgId,
      templateId: render.templateId,
      templateVersion: render.templateVersion,
      modifications: render.modifications,
      imageMetadata: {},
      isTest: p.mode === 'test',
      apiKeyId: p.keyId,
      format: input.format ?? 'png',
      quality: input.quality ?? null,
      scale: render.scale,
      webhookUrl: input.webhook_url ?? null,
      metadata: input.metadata ?? {},
      updatedAt: new Date(),
    };
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

/** In a request body a missing referenced resource is a 400, not the 404 of its own endpoint; other errors pass through. */
function notFoundAs(replacement: ApiError): (err: unknown) => never {
  return (err) => {
    throw err instanceof ApiError && err.getStatus() === 404 ? replacement : err;
  };
}
