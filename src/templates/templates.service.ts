import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import { AssetEntity } from '../assets/asset.entity.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiError } from '../http/api-error.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
import { type CursorPosition, cursorParam, type Page, toPage } from '../common/pagination/cursor.js';
import type { Background, Layer, TemplateDocument } from '../renderer/index.js';
import type { Modification } from '../renderer/index.js';
import { type ModificationContext, type ModificationProblem, UUID, validateModifications } from './modifications.js';
import { PERSON_DIRECTORY, type PersonDirectory, type PersonRecord, type PersonRef } from './person-refs.js';
import { checkTemplateRules, DEFAULT_TEMPLATE_LIMITS, referencedAssetIds } from './template-rules.js';
import { TemplateOut, TemplateVersionOut } from './template-out.dto.js';
import { TemplateVersionEntity } from './template-version.entity.js';
import { TemplateEntity } from './template.entity.js';

export interface TemplateInput {
  name: string;
  width: number;
  height: number;
  background?: Background;
  layers: Layer[];
  metadata?: Record<string, unknown>;
}

export function invalid(code: string, errors: ModificationProblem[]): ApiError {
  return new ApiError(400, { code, errors });
}

@Injectable()
export class TemplatesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    // Absent outside the API (the demo seed builds this service by hand): no person resolves then.
    @Optional() @Inject(PERSON_DIRECTORY) private readonly people?: PersonDirectory,
    // Absent outside Nest (the demo seed of the admin CLI and the bench): the default limits apply.
    @Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig,
  ) {}

  /** Kinds of the org's live assets among `ids`; foreign and deleted assets are simply absent. */
  async assetContext(orgId: string, ids: string[], em: EntityManager = this.ds.manager): Promise<ModificationContext> {
    const rows = ids.length
      ? await em.getRepository(AssetEntity).find({ select: { id: true, kind: true }, where: { orgId, id: In(ids), deletedAt: IsNull() } })
      : [];
    const kinds = new Map(rows.map((r) => [r.id, r.kind]));
    return { assetKind: (id) => kinds.get(id) };
  }

  /**
   * Modifications checked against a document before anything renders: 400 invalid_modification
   * listing every problem; else the effective list (last entry per name).
   */
  async checkModifications(orgId: string, doc: TemplateDocument, mods: readonly Modification[]): Promise<Modification[]> {
    const [{ problems, effective }] = await this.checkModificationSets(orgId, doc, [mods]);
    if (problems.length) throw invalid('invalid_modification', problems);
    return effective;
  }

  /**
   * validateModifications for several modification sets over one document (a batch render per
   * person), with one asset query and one person query for all of them; each set's own result.
   */
  async checkModificationSets(
    orgId: string,
    doc: TemplateDocument,
    sets: readonly (readonly Modification[])[],
  ): Promise<{ problems: ModificationProblem[]; effective: Modification[] }[]> {
    const all = sets.flat();
    const [assets, person] = await Promise.all([this.assetContext(orgId, referencedAssetIds({ layers: [] }, all)), this.personLookup(orgId, all)]);
    return sets.map((mods) => validateModifications(doc, mods, { ...assets, person }));
  }

  /** The live people of the org that `mods` name, loaded in one query, as a lookup. */
  private async personLookup(orgId: string, mods: readonly Modification[]): Promise<(ref: PersonRef) => PersonRecord | undefined> {
    const ids = new Set<string>();
    const externalIds = new Set<string>();
    for (const m of mods) {
      if (typeof m.person_id === 'string' && UUID.test(m.person_id)) ids.add(m.person_id.toLowerCase());
      if (typeof m.person_external_id === 'string' && m.person_external_id.length > 0) externalIds.add(m.person_external_id);
    }
    const found = this.people && (ids.size || externalIds.size) ? await this.people.find(orgId, { ids: [...ids], externalIds: [...externalIds] }) : [];
    const byId = new Map(found.map((p) => [p.id, p]));
    const byExternal = new Map(found.filter((p) => p.externalId !== null).map((p) => [p.externalId as string, p]));
    return (ref) => ('id' in ref ? byId.get(ref.id) : byExternal.get(ref.externalId));
  }

  private async assertRules(orgId: string, doc: TemplateDocument): Promise<void> {
    const ctx = await this.assetContext(orgId, referencedAssetIds(doc));
    const problems = checkTemplateRules(doc, ctx, this.config ? { maxKeyframesPerLayer: this.config.templateMaxKeyframes } : DEFAULT_TEMPLATE_LIMITS);
    if (problems.length) throw invalid('invalid_template', problems);
  }

  async create(p: Principal, input: TemplateInput): Promise<TemplateOut> {
    const doc = { width: input.width, height: input.height, background: input.background ?? {}, layers: input.layers };
    await this.assertRules(p.orgId, doc);
    // Checking and saving a large template are each milliseconds per 100 KB of layers: a turn
    // of the event loop between them keeps other requests from waiting behind both.
    await yieldToLoop();
    const repo = this.ds.getRepository(TemplateEntity);
    const row = await repo.save(
      repo.create({ orgId: p.orgId, name: input.name, ...doc, metadata: input.metadata ?? {}, currentVersion: null }),
    );
    // And one between TypeORM's handling of the insert's result and the answer's serialization.
    await yieldToLoop();
    return TemplateOut.from(row);
  }

  async findOwned(p: Principal, id: string, em: EntityManager = this.ds.manager, lock = false): Promise<TemplateEntity> {
    const row = await em.getRepository(TemplateEntity).findOne({
      where: { id, orgId: p.orgId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw new ApiError(404, 'Template not found');
    return row;
  }

  async get(p: Principal, id: string): Promise<TemplateOut> {
    return TemplateOut.from(await this.findOwned(p, id));
  }

  async list(p: Principal, q: { limit: number; cursor?: CursorPosition; includeArchived?: boolean }): Promise<Page<TemplateOut>> {
    const qb = this.ds.getRepository(TemplateEntity).createQueryBuilder('t').where('t.org_id = :orgId', { orgId: p.orgId });
    if (!q.includeArchived) qb.andWhere('t.archived_at IS NULL');
    const rows = await fetchKeysetRows(qb, 't', q.limit, q.cursor);
    return toPage(rows, q.limit, (r) => TemplateOut.from(r));
  }

  async listQuery(p: Principal, q: { limit: number; cursor?: string; include_archived: boolean }): Promise<Page<TemplateOut>> {
    return this.list(p, { limit: q.limit, cursor: cursorParam(q.cursor), includeArchived: q.include_archived });
  }

  async update(p: Principal, id: string, patch: Partial<TemplateInput>): Promise<TemplateOut> {
    return this.ds.transaction(async (em) => {
      const row = await this.findOwned(p, id, em, true);
      if (row.archivedAt) throw new ApiError(409, { code: 'template_archived', message: 'Archived templates cannot be edited' });
      const next: TemplateDocument = {
        width: patch.width ?? row.width,
        height: patch.height ?? row.height,
        background: patch.background ?? row.background,
        layers: patch.layers ?? row.layers,
      };
      await this.assertRules(p.orgId, next);
      await yieldToLoop(); // as in create
      Object.assign(row, next, {
        name: patch.name ?? row.name,
        metadata: patch.metadata ?? row.metadata,
        updatedAt: new Date(),
      });
      const saved = await em.getRepository(TemplateEntity).save(row);
      await yieldToLoop();
      return TemplateOut.from(saved);
    });
  }

  async archive(p: Principal, id: string): Promise<void> {
    await this.ds.transaction(async (em) => {
      const row = await this.findOwned(p, id, em, true);
      if (row.archivedAt) return;
      row.archivedAt = new Date();
      row.updatedAt = row.archivedAt;
      await em.getRepository(TemplateEntity).save(row);
    });
  }

  /** Freezes the draft as version N+1 under a row lock, so concurrent publishes get distinct numbers. */
  async publish(p: Principal, id: string): Promise<TemplateVersionOut> {
    return this.ds.transaction(async (em) => {
      const row = await this.findOwned(p, id, em, true);
      if (row.archivedAt) throw new ApiError(409, { code: 'template_archived', message: 'Archived templates cannot be published' });
      await this.assertRules(p.orgId, row);
      const version = (row.currentVersion ?? 0) + 1;
      const vrepo = em.getRepository(TemplateVersionEntity);
      const saved = await vrepo.save(
        vrepo.create({
          templateId: row.id,
          orgId: row.orgId,
          version,
          name: row.name,
          width: row.width,
          height: row.height,
          background: row.background,
          layers: row.layers,
        }),
      );
      await em.getRepository(TemplateEntity).update({ id: row.id }, { currentVersion: version, updatedAt: new Date() });
      return TemplateVersionOut.from(saved);
    });
  }

  async listVersions(p: Principal, id: string): Promise<Page<TemplateVersionOut>> {
    await this.findOwned(p, id);
    const rows = await this.ds.getRepository(TemplateVersionEntity).find({ where: { templateId: id, orgId: p.orgId }, order: { version: 'DESC' } });
    return { object: 'list', data: rows.map((r) => TemplateVersionOut.from(r)), has_more: false, next_cursor: null };
  }

  async getVersionEntity(p: Principal, id: string, version: number): Promise<TemplateVersionEntity> {
    const row = await this.ds.getRepository(TemplateVersionEntity).findOneBy({ templateId: id, orgId: p.orgId, version });
    if (!row) {
      await this.findOwned(p, id);
      throw new ApiError(404, 'Template version not found');
    }
    return row;
  }

  /** The org's template whose metadata marks it as the demo, if any. */
  async findDemo(orgId: string): Promise<TemplateEntity | null> {
    return this.ds
      .getRepository(TemplateEntity)
      .createQueryBuilder('t')
      .where('t.org_id = :orgId', { orgId })
      .andWhere(`t.metadata ->> 'demo' = 'true'`)
      .getOne();
  }

  /**
   * A draft and its version 1 in one transaction, for built-in content (the demo seed) that is
   * trusted and so not checked against the template rules.
   */
  async seedPublished(orgId: string, input: TemplateInput): Promise<TemplateEntity> {
    return this.ds.transaction(async (em) => {
      const t = await em.getRepository(TemplateEntity).save(
        em.getRepository(TemplateEntity).create({
          orgId,
          name: input.name,
          width: input.width,
          height: input.height,
          background: input.background ?? {},
          layers: input.layers,
          metadata: input.metadata ?? {},
          currentVersion: 1,
        }),
      );
      await em.getRepository(TemplateVersionEntity).insert({
        templateId: t.id,
        orgId,
        version: 1,
        name: t.name,
        width: t.width,
        height: t.height,
        background: t.background,
        layers: t.layers,
      });
      return t;
    });
  }

  async getVersion(p: Principal, id: string, version: number): Promise<TemplateVersionOut> {
    return TemplateVersionOut.from(await this.getVersionEntity(p, id, version));
  }
}
