import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In, IsNull, QueryFailedError, type SelectQueryBuilder } from 'typeorm';
import { AssetEntity } from '../assets/asset.entity.js';
import { ApiError } from '../http/api-error.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
import type { CursorPosition } from '../common/pagination/cursor.js';
import type { PersonDirectory, PersonRecord } from '../templates/person-refs.js';
import { EXTERNAL_ID_INDEX, PersonEntity } from './person.entity.js';

export interface PeopleFilters {
  tags: Record<string, string>;
  externalId?: string;
  name?: string;
  limit: number;
  cursor?: CursorPosition;
}

/** A person with its photo's storage key (null once the photo is no longer a live image of the org). */
export type PersonView = PersonEntity & { photoKey: string | null };

export type PersonFields = Pick<PersonEntity, 'name' | 'externalId' | 'photoAssetId' | 'tags'>;

/** The 409 of a taken external_id (a live person of the org already has it). */
export const externalIdTaken = (externalId: string): ApiError =>
  new ApiError(409, { code: 'external_id_taken', message: `A person with external_id ${JSON.stringify(externalId)} already exists` });

function isExternalIdConflict(err: unknown): boolean {
  const driver = err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : undefined;
  return driver?.code === '23505' && driver.constraint === EXTERNAL_ID_INDEX;
}

/** The one owner of the people table; every query filters by org and skips deleted people. */
@Injectable()
export class PeopleRepository implements PersonDirectory {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private live(orgId: string): SelectQueryBuilder<PersonEntity> {
    return this.ds.getRepository(PersonEntity).createQueryBuilder('p').where('p.org_id = :orgId', { orgId }).andWhere('p.deleted_at IS NULL');
  }

  /** Each person with its photo's storage key, when the photo is still a live image of the org (one query for all). */
  private async withPhotos(orgId: string, rows: PersonEntity[]): Promise<PersonView[]> {
    const ids = [...new Set(rows.map((r) => r.photoAssetId))];
    const assets = ids.length
      ? await this.ds.getRepository(AssetEntity).find({ select: { id: true, storageKey: true }, where: { orgId, id: In(ids), kind: 'image', deletedAt: IsNull() } })
      : [];
    const keys = new Map(assets.map((a) => [a.id, a.storageKey]));
    return rows.map((r) => Object.assign(r, { photoKey: keys.get(r.photoAssetId) ?? null }));
  }

  async findOwned(orgId: string, id: string): Promise<PersonView | null> {
    const row = await this.live(orgId).andWhere('p.id = :id', { id }).getOne();
    return row ? (await this.withPhotos(orgId, [row]))[0] : null;
  }

  async list(orgId: string, f: PeopleFilters): Promise<PersonView[]> {
    const qb = this.live(orgId);
    // Containment over the GIN index idx_people_tags: every filter tag must be present with that value.
    if (Object.keys(f.tags).length) qb.andWhere('p.tags @> :tags::jsonb', { tags: JSON.stringify(f.tags) });
    if (f.externalId !== undefined) qb.andWhere('p.external_id = :externalId', { externalId: f.externalId });
    if (f.name !== undefined) qb.andWhere('lower(p.name) = lower(:name)', { name: f.name });
    return this.withPhotos(orgId, await fetchKeysetRows(qb, 'p', f.limit, f.cursor));
  }

  /**
   * The ids of the live people a batch render matches, oldest first (created_at, id), at most
   * `limit`: every tag (containment over idx_people_tags) and, when given, an external_id among `externalIds`.
   */
  async matchIds(orgId: string, f: { tags: Record<string, string>; externalIds: readonly string[] }, limit: number): Promise<string[]> {
    const qb = this.live(orgId).select('p.id', 'id');
    if (Object.keys(f.tags).length) qb.andWhere('p.tags @> :tags::jsonb', { tags: JSON.stringify(f.tags) });
    if (f.externalIds.length) qb.andWhere('p.external_id = ANY(:externalIds)', { externalIds: f.externalIds });
    const rows = await qb.orderBy('p.created_at', 'ASC').addOrderBy('p.id', 'ASC').limit(limit).getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async insert(orgId: string, fields: PersonFields): Promise<PersonEntity> {
    const repo = this.ds.getRepository(PersonEntity);
    try {
      return await repo.save(repo.create({ orgId, ...fields }));
    } catch (err) {
      if (isExternalIdConflict(err) && fields.externalId) throw externalIdTaken(fields.externalId);
      throw err;
    }
  }

  /** Applies a patch to a live person; false when there is none (deleted meanwhile). */
  async update(orgId: string, id: string, patch: Partial<PersonFields>): Promise<boolean> {
    try {
      const res = await this.ds
        .getRepository(PersonEntity)
        .createQueryBuilder()
        .update()
        .set({ ...patch, updatedAt: () => 'now()' })
        .where('id = :id AND org_id = :orgId AND deleted_at IS NULL', { id, orgId })
        .execute();
      return (res.affected ?? 0) > 0;
    } catch (err) {
      if (isExternalIdConflict(err) && patch.externalId) throw externalIdTaken(patch.externalId);
      throw err;
    }
  }

  /** Soft delete, compare-and-set on deleted_at: false when the person was not live. */
  async softDelete(orgId: string, id: string): Promise<boolean> {
    const res = await this.ds
      .getRepository(PersonEntity)
      .createQueryBuilder()
      .update()
      .set({ deletedAt: () => 'now()', updatedAt: () => 'now()' })
      .where('id = :id AND org_id = :orgId AND deleted_at IS NULL', { id, orgId })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  /** PersonDirectory: what renders may take from the live people a request names. */
  async find(orgId: string, refs: { ids: readonly string[]; externalIds: readonly string[] }): Promise<PersonRecord[]> {
    if (refs.ids.length === 0 && refs.externalIds.length === 0) return [];
    const qb = this.live(orgId).andWhere(
      new Brackets((w) => {
        w.where('false');
        if (refs.ids.length) w.orWhere('p.id IN (:...ids)', { ids: refs.ids });
        if (refs.externalIds.length) w.orWhere('p.external_id IN (:...externalIds)', { externalIds: refs.externalIds });
      }),
    );
    return (await this.withPhotos(orgId, await qb.getMany())).map((p) => ({
      id: p.id,
      name: p.name,
      externalId: p.externalId,
      tags: p.tags,
      photoAssetId: p.photoAssetId,
      photoUsable: p.photoKey !== null,
    }));
  }
}
