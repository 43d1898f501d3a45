import { readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { IMAGE_FETCHER } from '../outbound/image-fetcher.provider.js';
import { SourceError, storedAssets } from '../rendering/image-sources.js';
import { classifyFailure } from '../rendering/render-retry.js';
import { renderBudget } from '../rendering/renderer-factory.js';
import { modifyDocument, prepareVideo, resolveAssets } from '../renderer/index.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import { TemplateVersionEntity } from '../templates/template-version.entity.js';
import { encodeVideo, frameCount, VideoEncodeError } from './ffmpeg.js';
import type { VideoError } from './video.entity.js';
import { VideosRepository } from './videos.repository.js';

export type VideoJobOutcome = { kind: 'completed' } | { kind: 'failed'; error: VideoError } | { kind: 'skipped'; reason: string };

/** Progress and the lease are written this often at most while a video renders. */
const HEARTBEAT_MS = 300;

const MIME = { mp4: 'video/mp4', webm: 'video/webm' } as const;

/** Storage layout: one folder per org, keyed by video id, so a re-run overwrites the same objects. */
export function videoKeys(orgId: string, videoId: string, format: 'mp4' | 'webm'): { result: string; thumbnail: string } {
  return { result: `orgs/${orgId}/videos/${videoId}.${format}`, thumbnail: `orgs/${orgId}/videos/${videoId}.poster.jpg` };
}

const tempPrefix = (videoId: string) => `imtegrate-video-${videoId}.`;

const removeFile = (path: string): Promise<void> => rm(path, { force: true }).catch(() => undefined);

/** The held video's job is still running elsewhere (a duplicate delivery): retried until its lease lapses. */
class VideoBusyError extends Error {
  readonly transient = true;
}

@Injectable()
export class VideoJobService {
  private readonly logger = new Logger('VideoJob');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(IMAGE_FETCHER) private readonly fetcher: ImageFetcher,
    private readonly videos: VideosRepository,
  ) {}

  /**
   * Runs one attempt. Throws only to have Bull retry (a transient failure, or a live execution
   * elsewhere still holding the row); every other outcome is written to the row. A re-run after a
   * crash starts from frame 0, into a fresh temporary file, and overwrites the same storage keys.
   */
  async run(videoId: string, attempt: number, finalAttempt: boolean, requestId: string): Promise<VideoJobOutcome> {
    const started = Date.now();
    const claim = await this.videos.claim(videoId);
    if (claim === 'done') return { kind: 'skipped', reason: 'video missing or already finished' };
    if (claim === 'busy') throw new VideoBusyError(`video ${videoId} is held by a live execution`);
    const held = claim.attempt;
    const row = await this.videos.findById(videoId);
    if (!row) return { kind: 'skipped', reason: 'video missing' };
    this.logger.log(`video ${videoId} started (execution ${held}, attempt ${attempt})`);
    await this.removeTemps(videoId);
    const outPath = join(tmpdir(), `${tempPrefix(videoId)}${held}.${row.format}`);

    let progress = 0;
    let superseded = false;
    const beat = setInterval(() => {
      void this.videos.heartbeat(videoId, held, progress).then(
        (alive) => (superseded ||= !alive),
        () => undefined,
      );
    }, HEARTBEAT_MS);
    try {
      const version = await this.ds.getRepository(TemplateVersionEntity).findOneBy({ templateId: row.templateId, orgId: row.orgId, version: row.templateVersion });
      if (!version) throw new SourceError('template_unavailable', `template version ${row.templateVersion} not found`, false);
      const framePixels = frameCount(row.durationSeconds, row.fps) * version.width * version.height;
      if (framePixels > this.config.video.maxFramePixels) {
        throw new VideoEncodeError('encode_failed', `${framePixels} frame pixels exceed VIDEO_MAX_FRAME_PIXELS (${this.config.video.maxFramePixels})`);
      }
      const doc = modifyDocument(version, row.modifications as { name: string }[]);
      const budget = renderBudget(this.config);
      const assets = await resolveAssets(doc, storedAssets(row.orgId, { ds: this.ds, storage: this.storage, fetcher: this.fetcher }), { maxBytes: budget.maxDecodedBytes });
      const frames = await prepareVideo(doc, assets, { ...budget, watermark: row.isTest, fontNamespace: row.orgId });
      const encoded = await encodeVideo({
        frames,
        durationSeconds: row.durationSeconds,
        fps: row.fps,
        format: row.format,
        outPath,
        ffmpegPath: this.config.video.ffmpegPath,
        deadline: started + this.config.video.timeoutMs,
        onProgress: (f) => (progress = f),
        cancelled: () => superseded,
      });
      const poster = await frames.poster(Math.min(row.posterTime, row.durationSeconds));
      const body = await readFile(outPath);
      await removeFile(outPath);
      const keys = videoKeys(row.orgId, row.id, row.format);
      await Promise.all([this.storage.put(keys.result, body, MIME[row.format]), this.storage.put(keys.thumbnail, poster, 'image/jpeg')]);
      const duration = Date.now() - started;
      const meta = { ...encoded, bytes: body.length, moving_layers: frames.movingLayers, thumbnail: { width: frames.width, height: frames.height, format: 'jpeg', bytes: poster.length } };
      clearInterval(beat);
      if (!(await this.videos.complete(row.id, held, { resultKey: keys.result, thumbnailKey: keys.thumbnail, videoMetadata: meta, durationMs: duration }, requestId))) {
        return this.superseded(videoId, held);
      }
      this.logger.log(`video ${videoId} completed in ${duration} ms (${encoded.frames} frames, ${(encoded.frames / (duration / 1000)).toFixed(1)} fps)`);
      return { kind: 'completed' };
    } catch (err) {
      clearInterval(beat);
      // Gone before the row says the video is over, so nobody sees a finished video with leftovers.
      await removeFile(outPath);
      if (err instanceof VideoEncodeError && err.code === 'video_superseded') return this.superseded(videoId, held);
      const { retry, error } =
        err instanceof VideoEncodeError ? { retry: false, error: { code: err.code, message: err.message } } : classifyFailure(err, attempt, finalAttempt);
      if (retry) {
        this.logger.warn(`video ${videoId} attempt ${attempt} failed transiently (${error.code}): ${(err as Error).message}; will retry`);
        if (!(await this.videos.release(videoId, held))) return this.superseded(videoId, held);
        throw err;
      }
      if (error.code === 'internal_error') this.logger.error(`video ${videoId} failed`, (err as Error).stack);
      if (!(await this.videos.fail(videoId, held, error, Date.now() - started, requestId))) return this.superseded(videoId, held);
      this.logger.log(`video ${videoId} failed in ${Date.now() - started} ms (${error.code})`);
      return { kind: 'failed', error };
    } finally {
      clearInterval(beat);
      await removeFile(outPath);
    }
  }

  /** Leftovers of executions of this video that were killed before they could clean up. */
  private async removeTemps(videoId: string): Promise<void> {
    const names = await readdir(tmpdir()).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(tempPrefix(videoId))).map((n) => removeFile(join(tmpdir(), n))));
  }

  private superseded(videoId: string, attempt: number): VideoJobOutcome {
    this.logger.warn(`video ${videoId} execution ${attempt} was superseded; its result is dropped`);
    return { kind: 'skipped', reason: 'superseded by another execution' };
  }
}
