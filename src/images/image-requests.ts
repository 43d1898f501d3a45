import { Inject, Injectable } from '@nestjs/common';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { LIMITS, type Modification } from '../renderer/index.js';
import { invalid, TemplatesService } from '../templates/templates.service.js';
import { destinationUrlProblem, PerOrgGate, preflightImageUrls } from './url-preflight.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import { ADDRESS_POLICY, IMAGE_FETCHER } from '../outbound/image-fetcher.provider.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiError } from '../http/api-error.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { TemplateVersionEntity } from '../templates/template-version.entity.js';
import type { OutputFormat } from './image.entity.js';
import { ImagesRepository, type NewImage } from './images.repository.js';

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

/**
 * Everything that can be known about a render before it is queued, for every way a render is
 * asked for (POST /v1/images, event rules, schedules): template published, modifications fit the
 * pinned version, webhook_url allowed, pending cap, remote images reachable. The answer is the
 * row to insert; a problem is the ApiError the API answers with.
 */
@Injectable()
export class ImageRequests {
  /** Bounds one organisation's concurrent URL pre-flights in this process. */
  private readonly preflightGate: PerOrgGate;

  constructor(
    private readonly images: ImagesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly templates: TemplatesService,
    @Inject(IMAGE_FETCHER) private readonly fetcher: ImageFetcher,
    @Inject(ADDRESS_POLICY) private readonly policy: AddressPolicy,
  ) {
    this.preflightGate = new PerOrgGate(config.preflight.perOrg);
  }

  /** A URL events may be POSTed to: http(s), no credentials, resolving to an address the policy allows. */
  async checkWebhookUrl(field: string, url: string): Promise<void> {
    // Checked at the door (resolved, then the address policy) and again at every delivery.
    const reason = await destinationUrlProblem(url, field, { policy: this.policy, timeoutMs: this.config.fetch.timeoutMs });
    if (reason) throw invalid('invalid_webhook_url', [{ name: field, reason }]);
  }


  /** The org's live, published template and one of its versions (default: the current one); 400s naming the field otherwise. */
  async publishedVersion(p: Principal, templateId: string, versionNo?: number): Promise<TemplateVersionEntity> {
    const template = await this.templates
      .findOwned(p, templateId)
      .catch(notFoundAs(invalid('template_not_found', [{ name: 'template_id', reason: `template ${templateId} not found` }])));
    if (template.archivedAt) throw invalid('template_archived', [{ name: 'template_id', reason: 'the template is archived' }]);
    if (template.currentVersion === null) {
      throw invalid('template_not_published', [{ name: 'template_id', reason: 'publish the template before rendering it' }]);
    }
    const n = versionNo ?? template.currentVersion;
    return this.templates
      .getVersionEntity(p, template.id, n)
      .catch(notFoundAs(invalid('template_version_not_found', [{ name: 'template_version', reason: `version ${n} does not exist` }])));
  }

  /** One render, every check included; the answer is the row to insert. */
  async prepare(p: Principal, input: CreateImageInput): Promise<NewImage> {
    const render = await this.resolveRender(p, input);
    if (input.webhook_url !== undefined) await this.checkWebhookUrl('webhook_url', input.webhook_url);
    await this.checkPendingCap(p.orgId, 1);
    await this.preflight(p.orgId, render.modifications);
    return this.newImage(p, render, input);
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
    const version = await this.publishedVersion(p, input.template_id, input.template_version);
    const scale = input.scale ?? 1;
    const [outW, outH] = [version.width * scale, version.height * scale];
    if (outW * outH > LIMITS.maxCanvasPixels) {
      throw invalid('canvas_too_large', [
        { name: 'scale', reason: `${outW}x${outH} exceeds the ${LIMITS.maxCanvasPixels / 1e6} megapixel output limit; use a smaller scale` },
      ]);
    }
    return { version, scale };
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
}

/** In a request body a missing referenced resource is a 400, not the 404 of its own endpoint; other errors pass through. */
function notFoundAs(replacement: ApiError): (err: unknown) => never {
  return (err) => {
    throw err instanceof ApiError && err.getStatus() === 404 ? replacement : err;
  };
}
