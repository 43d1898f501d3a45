import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AssetEntity } from '../assets/asset.entity.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { cursorParam, type Page, toPage } from '../common/pagination/cursor.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import type { CreatePersonDto, ListPeopleQuery, PersonOut, UpdatePersonDto } from './person.dto.js';
import { assertTags } from './person-rules.js';
import { type PersonFields, PeopleRepository, type PersonView } from './people.repository.js';

const notFound = (): ApiError => new ApiError(404, 'Person not found');

@Injectable()
export class PeopleService {
  constructor(
    private readonly people: PeopleRepository,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(p: Principal, body: CreatePersonDto): Promise<PersonOut> {
    assertTags(body.tags);
    await this.assertPhoto(p.orgId, body.photo_asset_id);
    const row = await this.people.insert(p.orgId, {
      name: body.name,
      externalId: body.external_id ?? null,
      photoAssetId: body.photo_asset_id,
      tags: body.tags ?? {},
    });
    return this.get(p, row.id);
  }

  async get(p: Principal, id: string): Promise<PersonOut> {
    const row = await this.people.findOwned(p.orgId, id);
    if (!row) throw notFound();
    return this.out(row);
  }

  async list(p: Principal, q: ListPeopleQuery, tags: Record<string, string>): Promise<Page<PersonOut>> {
    const rows = await this.people.list(p.orgId, { tags, externalId: q.external_id, name: q.name, limit: q.limit, cursor: cursorParam(q.cursor) });
    const page = toPage(rows, q.limit, (r) => r);
    return { ...page, data: await Promise.all(page.data.map((r) => this.out(r))) };
  }

  async update(p: Principal, id: string, body: UpdatePersonDto): Promise<PersonOut> {
    if (!(await this.people.findOwned(p.orgId, id))) throw notFound();
    assertTags(body.tags);
    if (body.photo_asset_id !== undefined) await this.assertPhoto(p.orgId, body.photo_asset_id);
    const patch: Partial<PersonFields> = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.photo_asset_id !== undefined) patch.photoAssetId = body.photo_asset_id;
    if (body.external_id !== undefined) patch.externalId = body.external_id;
    if (body.tags !== undefined) patch.tags = body.tags;
    if (!(await this.people.update(p.orgId, id, patch))) throw notFound();
    return this.get(p, id);
  }

  async remove(p: Principal, id: string): Promise<void> {
    if (!(await this.people.softDelete(p.orgId, id))) throw notFound();
  }

  /** The photo must be a live image asset of the caller's org: a 400 naming the field otherwise. */
  private async assertPhoto(orgId: string, assetId: string): Promise<void> {
    const asset = await this.ds.getRepository(AssetEntity).findOneBy({ id: assetId, orgId, deletedAt: IsNull() });
    const reason = !asset ? `asset ${assetId} not found` : asset.kind !== 'image' ? `asset ${assetId} is a font, not an image` : null;
    if (reason) throw new ApiError(400, { code: 'invalid_photo_asset', errors: [{ name: 'photo_asset_id', reason }] });
  }

  /** The photo URL is signed here, on every read, as result_url is. */
  private async out(row: PersonView): Promise<PersonOut> {
    return {
      id: row.id,
      object: 'person',
      name: row.name,
      external_id: row.externalId,
      photo_asset_id: row.photoAssetId,
      photo_url: row.photoKey ? await this.storage.signedUrl(row.photoKey, this.config.signedUrlTtlSeconds) : null,
      tags: row.tags,
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    };
  }
}
