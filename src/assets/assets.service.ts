import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sharp, { type Metadata } from 'sharp';
import { DataSource, IsNull } from 'typeorm';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiError } from '../http/api-error.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
import { type CursorPosition, cursorParam, type Page, toPage } from '../common/pagination/cursor.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import { LIMITS } from '../renderer/index.js';
import { AssetOut } from './asset-out.dto.js';
import { AssetEntity } from './asset.entity.js';
import type { ClosableScanner } from './inspect-pool.js';
import { ASSET_LIMITS, inProcessScanner, type UploadScanner } from './upload-scan.js';

export { ASSET_LIMITS };

export interface UploadedAsset {
  buffer: Buffer;
  originalname: string;
  size: number;
}

export const UPLOAD_SCANNER = Symbol('UPLOAD_SCANNER');

const badAsset = (code: string, message: string, status = 400): ApiError =>
  new ApiError(status, { code, message }, status === 503 ? { 'Retry-After': '1' } : {});

/**
 * Everything about an upload that can be learned from its bytes; throws our 4xx otherwise.
 * `maxDecodedPixels` is the per-render pixel budget: an SVG that with what it embeds decodes to
 * more could never be drawn. `scan` runs the CPU-bound checks (the API passes its InspectPool's
 * threads; offline callers scan in-process).
 */
export async function inspectUpload(
  file: UploadedAsset,
  maxDecodedPixels: number = LIMITS.maxRenderPixels,
  scan: UploadScanner = inProcessScanner,
): Promise<{
  kind: 'image' | 'font';
  format: string;
  contentType: string;
  width: number | null;
  height: number | null;
  fontFamily: string | null;
  sha256: string;
}> {
  const { outcome: scanned, bytes } = await scan(file.buffer, file.originalname);
  // The scanner may have moved the bytes to its thread and back: continue with what it returned.
  file.buffer = bytes;
  if (!scanned.ok) throw badAsset(scanned.code, scanned.message, scanned.status);
  const sniffed = scanned;
  if (sniffed.kind === 'font') {
    return { kind: 'font', format: sniffed.format, contentType: sniffed.contentType, width: null, height: null, fontFamily: sniffed.fontFamily, sha256: sniffed.sha256 };
  }
  // metadata() reads headers only, so a decompression bomb is refused before any pixel is decoded.
  let meta: Metadata;
  try {
    // No pixel limit here: metadata() never decodes, and we want the dimensions to report them.
    meta = await sharp(file.buffer, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch {
    throw badAsset('invalid_image', `The ${sniffed.format.toUpperCase()} file could not be read`);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width * height > LIMITS.maxInputPixels) {
    throw badAsset('image_too_large', `The image is ${width}x${height}; the limit is ${LIMITS.maxInputPixels / 1e6} megapixels`);
  }
  if (sniffed.embedded) {
    // The trial decode below has librsvg decode every image the SVG embeds at full size; the scan
    // measured those from their headers first, as a render would (images in nested SVGs too).
    const total = width * height + sniffed.embedded.svgPixels + sniffed.embedded.rasterPixels;
    if (total > maxDecodedPixels) {
      throw badAsset('image_too_large', `The SVG and the images it embeds decode to ${total} pixels; a render may decode at most ${maxDecodedPixels}`);
    }
  }
  try {
    // A small decode proves the pixel data is intact, not just the header.
    await sharp(file.buffer, { limitInputPixels: LIMITS.maxInputPixels, failOn: 'error' }).resize(32, 32, { fit: 'inside' }).raw().toBuffer();
  } catch {
    throw badAsset('invalid_image', `The ${sniffed.format.toUpperCase()} file is corrupt`);
  }
  return { kind: 'image', format: sniffed.format, contentType: sniffed.contentType, width, height, fontFamily: null, sha256: sniffed.sha256 };
}

const EXT: Record<string, string> = { jpeg: 'jpg' };

/**
 * The one writer of the assets table (AssetsService delegates to it). A plain class so the demo
 * seed can store assets outside Nest (admin CLI, benchmark) through the same checks.
 */
export class AssetStore {
  constructor(
    private readonly ds: DataSource,
    private readonly storage: StorageDriver,
    /** The per-render pixel budget (RENDER_MAX_DECODED_PIXELS); see inspectUpload. */
    private readonly maxDecodedPixels: number = LIMITS.maxRenderPixels,
    private readonly scan: UploadScanner = inProcessScanner,
  ) {}

  /** Inspects the bytes (throws our 4xx), stores them, then inserts the row. */
  async store(orgId: string, file: UploadedAsset): Promise<AssetEntity> {
    const info = await inspectUpload(file, this.maxDecodedPixels, this.scan);
    const repo = this.ds.getRepository(AssetEntity);
    const row = repo.create({
      orgId,
      kind: info.kind,
      format: info.format,
      contentType: info.contentType,
      filename: file.originalname.slice(0, ASSET_LIMITS.filenameLength),
      bytes: file.size,
      width: info.width,
      height: info.height,
      fontFamily: info.fontFamily,
      sha256: info.sha256,
      storageKey: '',
    });
    row.id = crypto.randomUUID();
    row.storageKey = `orgs/${orgId}/assets/${row.id}.${EXT[info.format] ?? info.format}`;
    // Bytes first: a row never points at a file that is not there.
    await this.storage.put(row.storageKey, file.buffer, info.contentType);
    return repo.save(row);
  }

  async softDelete(id: string): Promise<void> {
    await this.ds.getRepository(AssetEntity).update({ id }, { deletedAt: new Date() });
  }
}

@Injectable()
export class AssetsService {
  private readonly store: AssetStore;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(UPLOAD_SCANNER) scanner: ClosableScanner,
  ) {
    this.store = new AssetStore(ds, storage, config.render.maxDecodedPixels, scanner.scan);
  }

  out(a: AssetEntity): Promise<AssetOut> {
    return AssetOut.from(a, this.storage, this.config.signedUrlTtlSeconds);
  }

  async upload(p: Principal, file: UploadedAsset | undefined): Promise<AssetOut> {
    if (!file || file.size === 0) throw badAsset('file_missing', 'Send the file in a multipart/form-data field named "file"');
    return this.out(await this.store.store(p.orgId, file));
  }

  async listQuery(p: Principal, q: { kind?: 'image' | 'font'; limit: number; cursor?: string }): Promise<Page<AssetOut>> {
    return this.list(p, { kind: q.kind, limit: q.limit, cursor: cursorParam(q.cursor) });
  }

  async findOwned(p: Principal, id: string): Promise<AssetEntity> {
    const row = await this.ds.getRepository(AssetEntity).findOneBy({ id, orgId: p.orgId, deletedAt: IsNull() });
    if (!row) throw new ApiError(404, 'Asset not found');
    return row;
  }

  async get(p: Principal, id: string): Promise<AssetOut> {
    return this.out(await this.findOwned(p, id));
  }

  async list(p: Principal, q: { limit: number; cursor?: CursorPosition; kind?: 'image' | 'font' }): Promise<Page<AssetOut>> {
    const qb = this.ds
      .getRepository(AssetEntity)
      .createQueryBuilder('a')
      .where('a.org_id = :orgId', { orgId: p.orgId })
      .andWhere('a.deleted_at IS NULL');
    if (q.kind) qb.andWhere('a.kind = :kind', { kind: q.kind });
    const rows = await fetchKeysetRows(qb, 'a', q.limit, q.cursor);
    const page = toPage(rows, q.limit, (r) => r);
    return { ...page, data: await Promise.all(page.data.map((r) => this.out(r))) };
  }

  /** Soft delete: templates that reference it fail validation from now on; stored bytes stay for past renders. */
  async remove(p: Principal, id: string): Promise<void> {
    const row = await this.findOwned(p, id);
    await this.store.softDelete(row.id);
  }
}
