import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../orgs/auth/auth.types.js';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { SourceError, storedAssets } from './image-sources.js';
import { IMAGE_FETCHER } from '../outbound/image-fetcher.provider.js';
import { RENDERER, type Renderer } from './render.tokens.js';
import { renderBudget } from './renderer-factory.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { modifyDocument, RenderError, resolveAssets, type Modification } from '../renderer/index.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import type { PreviewTemplateDto } from '../templates/template.dto.js';
import { invalid, TemplatesService } from '../templates/templates.service.js';

export interface PreviewResult {
  body: Buffer;
  contentType: string;
  headers: Record<string, string>;
}

/** Synchronous render of a draft or version for design loops: nothing is stored or queued. */
@Injectable()
export class PreviewService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly templates: TemplatesService,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(IMAGE_FETCHER) private readonly fetcher: ImageFetcher,
    @Inject(RENDERER) private readonly renderer: Renderer,
  ) {}

  async preview(p: Principal, templateId: string, dto: PreviewTemplateDto): Promise<PreviewResult> {
    const source = dto.version === undefined ? await this.templates.findOwned(p, templateId) : await this.templates.getVersionEntity(p, templateId, dto.version);
    const effective = await this.templates.checkModifications(p.orgId, source, dto.modifications as Modification[]);
    try {
      const doc = modifyDocument(source, effective);
      const budget = renderBudget(this.config);
      const port = storedAssets(p.orgId, { ds: this.ds, storage: this.storage, fetcher: this.fetcher });
      const assets = await resolveAssets(doc, port, { maxBytes: budget.maxDecodedBytes });
      const out = await this.renderer.render(doc, assets, {
        ...budget,
        format: dto.format,
        scale: dto.scale,
        time: dto.t,
        ...(dto.quality !== undefined ? { quality: dto.quality } : {}),
        watermark: p.mode === 'test',
        fontNamespace: p.orgId,
      });
      return {
        body: out.buffer,
        contentType: `image/${out.report.format}`,
        headers: { 'Cache-Control': 'no-store', 'X-Imtegrate-Text-Report': asciiJson(out.report.text) },
      };
    } catch (err) {
      if (err instanceof SourceError) throw invalid(err.code, [{ name: err.layer ?? 'template', reason: err.message }]);
      if (err instanceof RenderError) throw invalid(err.code, [{ name: err.layer ?? 'template', reason: err.message }]);
      throw err;
    }
  }
}

/** Header values must be ASCII: escape everything else the way JSON allows. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
