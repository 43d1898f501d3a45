import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import type { ImageError } from '../images/image.entity.js';
import { ImagesRepository } from '../images/images.repository.js';
import { Metrics } from '../health/metrics.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import { TemplateVersionEntity } from '../templates/template-version.entity.js';
import { SourceError, storedAssets } from './image-sources.js';
import { classifyFailure, isThreadFailure, THREAD_FAILURE_MAX_RUNS } from './render-retry.js';
import { IMAGE_FETCHER } from '../outbound/image-fetcher.provider.js';
import { RENDERER, type Renderer } from './render.tokens.js';
import { renderBudget } from './renderer-factory.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { modifyDocument, resolveAssets } from '../renderer/index.js';

export type JobOutcome = { kind: 'completed' } | { kind: 'failed'; error: ImageError } | { kind: 'skipped'; reason: string };

const EXT: Record<string, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', avif: 'avif' };

/** Storage layout: one folder per org, keyed by image id, so a re-run overwrites the same objects. */
export function resultKeys(orgId: string, imageId: string, format: string): { result: string; thumbnail: string } {
  const ext = EXT[format] ?? format;
  return { result: `orgs/${orgId}/images/${imageId}.${ext}`, thumbnail: `orgs/${orgId}/images/${imageId}.thumb.${ext}` };
}

@Injectable()
export class RenderJobService {
  private readonly logger = new Logger('RenderJob');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(IMAGE_FETCHER) private readonly fetcher: ImageFetcher,
    @Inject(RENDERER) private readonly renderer: Renderer,
    private readonly images: ImagesRepository,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Runs one attempt. Throws only for a transient failure that should be retried; every other
   * outcome is written to the row. Idempotent: a finished image is skipped, a re-run after a
   * crash overwrites the same storage keys, and an execution whose claim was superseded (see
   * ImagesRepository) writes nothing and sends no webhook. `requestId` goes on to the webhook
   * jobs, so their log lines name the request that caused the render.
   */
  async run(imageId: string, attempt: number, finalAttempt: boolean, requestId: string): Promise<JobOutcome> {
    const started = Date.now();
    const held = await this.images.claim(imageId);
    if (held === null) return { kind: 'skipped', reason: 'image missing or already finished' };
    const row = await this.images.findById(imageId);
    if (!row) return { kind: 'skipped', reason: 'image missing or already finished' };
    this.logger.log(`render ${imageId} started (attempt ${attempt})`);

    try {
      const version = await this.ds.getRepository(TemplateVersionEntity).findOneBy({
        templateId: row.templateId,
        orgId: row.orgId,
        version: row.templateVersion,
      });
      if (!version) throw new SourceError('template_unavailable', `template version ${row.templateVersion} not found`, false);
      const doc = modifyDocument(version, row.modifications as { name: string }[]);
      const budget = renderBudget(this.config);
      const port = storedAssets(row.orgId, { ds: this.ds, storage: this.storage, fetcher: this.fetcher });
      const assets = await resolveAssets(doc, port, { maxBytes: budget.maxDecodedBytes });
      const out = await this.renderer.render(doc, assets, {
        ...budget,
        format: row.format,
        ...(row.quality !== null ? { quality: row.quality } : {}),
        scale: row.scale,
        watermark: row.isTest,
        fontNamespace: row.orgId,
      });
      const keys = resultKeys(row.orgId, row.id, row.format);
      const type = `image/${row.format}`;
      await Promise.all([this.storage.put(keys.result, out.buffer, type), this.storage.put(keys.thumbnail, out.thumbnail, type)]);
      const duration = Date.now() - started;
      const completed = await this.images.complete(row.id, held, {
        resultKey: keys.result,
        thumbnailKey: keys.thumbnail,
        imageMetadata: out.report,
        durationMs: duration,
      }, requestId);
      if (!completed) return superseded(imageId, held, this.logger);
      this.metrics.observeRender('completed', row.format, duration);
      // The image.completed event was committed with the status change (ImagesRepository, outbox).
      this.logger.log(`render ${imageId} completed in ${duration} ms`);
      return { kind: 'completed' };
    } catch (err) {
      const { retry, error } = classifyFailure(err, attempt, finalAttempt);
      if (retry) {
        this.logger.warn(`render ${imageId} attempt ${attempt} failed transiently (${error.code}): ${(err as Error).message}; will retry`);
        if (!(await this.images.release(imageId, held))) return superseded(imageId, held, this.logger);
        this.metrics.observeRender('retried', row.format, Date.now() - started);
        throw err;
      }
      if (isThreadFailure(err) && !finalAttempt) {
        this.logger.warn(`render ${imageId} attempt ${attempt} failed (${error.code}); not retried: a render that times out or crashes its thread runs at most ${THREAD_FAILURE_MAX_RUNS} times`);
      }
      if (error.code === 'internal_error') this.logger.error(`render ${imageId} failed`, (err as Error).stack);
      if (!(await this.images.fail(imageId, held, error, Date.now() - started, requestId))) return superseded(imageId, held, this.logger);
      this.metrics.observeRender('failed', row.format, Date.now() - started);
      this.logger.log(`render ${imageId} failed in ${Date.now() - started} ms (${error.code})`);
      return { kind: 'failed', error };
    }
  }
}

/** Another execution (or the sweeper) moved the row on since this one claimed it; it wins. */
function superseded(imageId: string, attempt: number, logger: Logger): JobOutcome {
  logger.warn(`render ${imageId} attempt ${attempt} was superseded; its result is dropped`);
  return { kind: 'skipped', reason: 'superseded by another execution' };
}
