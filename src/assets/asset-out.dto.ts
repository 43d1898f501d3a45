import { ApiField, ListOf, nullable } from '../http/openapi/api-field.js';
import type { StorageDriver } from '../storage/storage.types.js';
import { PyEnum, PyInt, PyStr } from '../validation/decorators.js';
import { ModelConfig } from '../validation/fields.js';
import type { AssetEntity } from './asset.entity.js';

export class AssetOut {
  @ApiField({ type: 'string', format: 'uuid' })
  id: string;

  @ApiField({ type: 'string', default: 'asset' })
  object: 'asset';

  @ApiField({ type: 'string', enum: ['image', 'font'] })
  kind: 'image' | 'font';

  @ApiField({ type: 'string', description: 'Sniffed from the bytes: png, jpeg, gif, webp, avif, svg, ttf, otf or woff2' })
  format: string;

  @ApiField({ type: 'string' })
  content_type: string;

  @ApiField({ type: 'string' })
  filename: string;

  @ApiField({ type: 'integer' })
  bytes: number;

  @ApiField(nullable({ type: 'integer' }))
  width: number | null;

  @ApiField(nullable({ type: 'integer' }))
  height: number | null;

  @ApiField({ ...nullable({ type: 'string' }), description: 'For fonts: the family name read from the font' })
  font_family: string | null;

  @ApiField({ type: 'string' })
  sha256: string;

  @ApiField({ type: 'string', description: 'Signed download URL, valid for 1 hour' })
  url: string;

  @ApiField({ type: 'string', format: 'date-time' })
  created_at: string;

  /** The stored key never leaves the service: the URL is signed on every read. */
  static async from(a: AssetEntity, storage: StorageDriver, ttlSeconds: number): Promise<AssetOut> {
    return {
      id: a.id,
      object: 'asset',
      kind: a.kind,
      format: a.format,
      content_type: a.contentType,
      filename: a.filename,
      bytes: a.bytes,
      width: a.width,
      height: a.height,
      font_family: a.fontFamily,
      sha256: a.sha256,
      url: await storage.signedUrl(a.storageKey, ttlSeconds),
      created_at: a.createdAt.toISOString(),
    };
  }
}

export class AssetList extends ListOf(() => AssetOut, 'AssetList') {
  declare data: AssetOut[];
}

@ModelConfig({ extra: 'ignore' })
export class ListAssetsQuery {
  @PyEnum(['image', 'font'], { optional: true })
  kind?: 'image' | 'font';

  @PyInt({ ge: 1, le: 100, default: 20 })
  limit = 20;

  @PyStr({ maxLength: 200, optional: true })
  cursor?: string;
}
