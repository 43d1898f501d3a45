import { Inject, Injectable } from '@nestjs/common';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { Modification } from '../renderer/index.js';
import { TemplatesService, invalid } from '../templates/templates.service.js';
import { cursorParam, type Page, toPage } from '../common/pagination/cursor.js';
import { SettleWaiter } from '../images/image-waiter.js';
import { ImageRequests } from '../images/image-requests.js';
import { checkRenderRequest, isTerminal, renderResponseHeaders, valueError } from '../images/render-request.js';
import type { CreateImageHeaders } from '../images/images.dto.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiError } from '../http/api-error.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { VideoProducer } from '../queue/video.producer.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import { frameCount } from './ffmpeg.js';
import { VideoOut } from './video.dto.js';
import type { VideoEntity } from './video.entity.js';
import { MAX_VIDEO_SIDES, type CreateVideoDto, type ListVideosQuery } from './videos.dto.js';
import { VideosRepository } from './videos.repository.js';

/** Prefer: wait for videos, woken by the videos queue. */

/** The 429 beyond MAX_PENDING_VIDEOS_PER_ORG. */
export const VIDEO_PENDING_CAP_DETAIL = 'Too many videos pending for this organisation';

@Injectable()
export class VideoWaiter extends SettleWaiter {
  constructor(videos: VideoProducer) {
    super(videos);
  }
}

@Injectable()
export class VideosService {
  constructor(
    private readonly videos: VideosRepository,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly templates: TemplatesService,
    private readonly waiter: VideoWaiter,
    private readonly idempotency: IdempotencyService,
    private readonly requests: ImageRequests,
  ) {}

  /** As POST /v1/images: Prefer: wait answers 201 once the video settles within N seconds, else 202. */
  async createFromRequest(
    p: Principal,
    body: CreateVideoDto,
    headers: CreateImageHeaders,
    requestId: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: VideoOut }> {
    const posterAfterEnd =
      body.poster_time !== undefined && body.poster_time > body.duration_seconds
        ? [valueError(['body', 'poster_time'], body.poster_time, 'poster_time must not be after the end of the clip (duration_seconds)').detail[0]]
        : [];
    const wait = checkRenderRequest(headers.prefer, body.metadata, posterAfterEnd);
    const scope = { orgId: p.orgId, mode: p.mode };
    const res = await this.idempotency.run<VideoOut>(scope, headers.idempotency_key, { method: 'POST', path: '/v1/videos', body }, async (record) => {
      let out: VideoOut | undefined;
      await this.insert(p, body, requestId, async (em, row) => {
        out = await this.out(row);
        await record(em, { status: 202, body: out });
      });
      return { status: 202, body: out as VideoOut };
    });
    let video = res.body;
    if (res.replayed) video = await this.get(p, video.id);
    if (wait && !isTerminal(video.status)) {
      const settled = await this.waiter.waitForTerminal(video.id, wait, async () => (await this.videos.findById(video.id))?.status ?? null);
      if (settled) video = await this.get(p, video.id);
    }
    return { status: isTerminal(video.status) && wait !== null ? 201 : 202, headers: renderResponseHeaders(wait, res.replayed), body: video };
  }

  private async insert(p: Principal, input: CreateVideoDto, requestId: string, inTransaction: Parameters<VideosRepository['insertPending']>[1]['inTransaction']): Promise<VideoEntity> {
    const version = await this.requests.publishedVersion(p, input.template_id, input.template_version);
    const [long, short] = [Math.max(version.width, version.height), Math.min(version.width, version.height)];
    if (long > MAX_VIDEO_SIDES[0] || short > MAX_VIDEO_SIDES[1]) {
      throw invalid('video_too_large', [
        { name: 'template_id', reason: `the template is ${version.width}x${version.height}; videos are at most ${MAX_VIDEO_SIDES[0]}x${MAX_VIDEO_SIDES[1]} (either orientation)` },
      ]);
    }
    // yuv420p halves the chroma planes: H.264 and VP9 need even sides.
    if (version.width % 2 || version.height % 2) {
      throw invalid('video_odd_size', [{ name: 'template_id', reason: `the template is ${version.width}x${version.height}; a video needs an even width and height` }]);
    }
    const framePixels = frameCount(input.duration_seconds, input.fps) * version.width * version.height;
    if (framePixels > this.config.video.maxFramePixels) {
      throw invalid('video_too_large', [
        {
          name: 'duration_seconds',
          reason: `${input.duration_seconds} s at ${input.fps} fps of ${version.width}x${version.height} is ${framePixels} frame pixels; the limit is ${this.config.video.maxFramePixels} (VIDEO_MAX_FRAME_PIXELS)`,
        },
      ]);
    }
    if (input.webhook_url !== undefined) await this.requests.checkWebhookUrl('webhook_url', input.webhook_url);
    // Before the remote pre-flight, as for images; concurrent POSTs may overshoot by their number.
    const cap = this.config.maxPendingVideosPerOrg;
    if (cap > 0 && (await this.videos.countPending(p.orgId, cap)) >= cap) throw new ApiError(429, VIDEO_PENDING_CAP_DETAIL);
    const effective = await this.templates.checkModifications(p.orgId, version, input.modifications as Modification[]);
    // Remote image_urls reachable and within the limits, as for images (400 invalid_modification).
    await this.requests.preflight(p.orgId, effective);
    return this.videos.insertPending(
      {
        orgId: p.orgId,
        templateId: version.templateId,
        templateVersion: version.version,
        modifications: effective,
        durationSeconds: input.duration_seconds,
        fps: input.fps,
        format: input.format ?? 'mp4',
        posterTime: input.poster_time ?? 0,
        isTest: p.mode === 'test',
        apiKeyId: p.keyId,
        webhookUrl: input.webhook_url ?? null,
        metadata: input.metadata ?? {},
      },
      { requestId, inTransaction },
    );
  }

  async get(p: Principal, id: string): Promise<VideoOut> {
    const row = await this.videos.findOwned(id, p.orgId, p.mode === 'test');
    if (!row) throw new ApiError(404, 'Video not found');
    return this.out(row);
  }

  async list(p: Principal, q: ListVideosQuery): Promise<Page<VideoOut>> {
    const rows = await this.videos.list(p.orgId, p.mode === 'test', { status: q.status, templateId: q.template_id, limit: q.limit, cursor: cursorParam(q.cursor) });
    const page = toPage(rows, q.limit, (r) => r);
    return { ...page, data: await Promise.all(page.data.map((r) => this.out(r))) };
  }

  out(row: VideoEntity): Promise<VideoOut> {
    return VideoOut.from(row, this.storage, this.config.signedUrlTtlSeconds);
  }
}
