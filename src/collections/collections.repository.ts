import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { CursorPosition } from '../common/pagination/cursor.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
import { type FinishedImage, ImagesRepository, type NewImage } from '../images/images.repository.js';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { EventType, OutboxTopic, ResourceKind } from '../queue/outbox.types.js';
import { CollectionEntity } from './collection.entity.js';

/**
 * What the API decides about a new collection; ids, counters and status are the repository's.
 * `source` and `personIds` default to a templates collection (`templates`, no people).
 */
export type NewCollection = Pick<CollectionEntity, 'orgId' | 'isTest' | 'apiKeyId' | 'templateIds' | 'format' | 'webhookUrl' | 'metadata'> &
  Partial<Pick<CollectionEntity, 'source' | 'personIds'>>;

/** The counters after one child's count, as the counting UPDATE returned them. */
interface Counted {
  renders_total: number;
  renders_completed: number;
  renders_failed: number;
  webhook_url: string | null;
}

/**
 * The one owner of the collections table. The counters move only inside the transaction that
 * moved a child image to completed/failed (ImagesRepository's finish hook), so a duplicate job
 * that loses the image's CAS counts nothing; the row lock of the counting UPDATE orders
 * concurrent finishes, and the status CAS lets exactly one of them complete the collection and
 * write its collection.completed event.
 */
@Injectable()
export class CollectionsRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly images: ImagesRepository,
    private readonly outbox: OutboxRepository,
  ) {
    images.onFinished((em, image) => this.countFinished(em, image));
  }

  /**
   * The collection, every child image and every render request commit in one transaction;
   * `inTransaction` lets the caller commit its idempotent answer with them.
   */
  async insertWithImages(
    fields: NewCollection,
    children: NewImage[],
    opts: { requestId: string; inTransaction?: (em: EntityManager, row: CollectionEntity) => Promise<void> },
  ): Promise<CollectionEntity> {
    // The children's ids are chosen here, so the collection row is written once, complete.
    const imageIds = children.map(() => randomUUID());
    const row = await this.ds.transaction(async (em) => {
      const repo = em.getRepository(CollectionEntity);
      const saved = await repo.save(repo.create({ source: 'templates', personIds: [], ...fields, status: 'rendering', imageIds, rendersTotal: children.length }));
      await this.images.insertPendingManyIn(
        em,
        children.map((child, i) => ({ ...child, id: imageIds[i], collectionId: saved.id })),
        opts.requestId,
      );
      await opts.inTransaction?.(em, saved);
      return saved;
    });
    this.images.announce();
    return row;
  }

  /**
   * One child reached a final state (called in that transaction only). The increment is one
   * atomic UPDATE; when it makes completed + failed reach the total, the CAS on status
   * 'rendering' lets exactly one transaction complete the collection and write its event.
   */
  async countFinished(em: EntityManager, image: FinishedImage): Promise<void> {
    const done = image.status === 'completed' ? 1 : 0;
    const res = (await em.query(
      `UPDATE collections SET renders_completed = renders_completed + $2, renders_failed = renders_failed + $3
       WHERE id = $1 RETURNING renders_total, renders_completed, renders_failed, webhook_url`,
      [image.collectionId, done, 1 - done],
    )) as [Counted[], number];
    const c = res[0][0];
    if (!c || c.renders_completed + c.renders_failed < c.renders_total) return;
    const won = (await em.query(`UPDATE collections SET status = 'completed', completed_at = now() WHERE id = $1 AND status = 'rendering' RETURNING id`, [
      image.collectionId,
    ])) as [unknown[], number];
    if (won[1] === 0) return;
    await this.outbox.append(em, OutboxTopic.Event, image.collectionId as string, {
      eventType: EventType.CollectionCompleted,
      orgId: image.orgId,
      resource: { kind: ResourceKind.Collection, id: image.collectionId as string },
      destinations: c.webhook_url ? [c.webhook_url] : [],
    });
  }

  findById(id: string): Promise<CollectionEntity | null> {
    return this.ds.getRepository(CollectionEntity).findOneBy({ id });
  }

  /** Another org's collection, or one of the other key mode, is indistinguishable from a missing one. */
  findOwned(id: string, orgId: string, isTest: boolean): Promise<CollectionEntity | null> {
    return this.ds.getRepository(CollectionEntity).findOneBy({ id, orgId, isTest });
  }

  /** One keyset page (limit + 1 rows, see toPage), newest first, over idx_collections_org_created. */
  list(orgId: string, isTest: boolean, limit: number, cursor?: CursorPosition): Promise<CollectionEntity[]> {
    const qb = this.ds.getRepository(CollectionEntity).createQueryBuilder('c').where('c.org_id = :orgId AND c.is_test = :isTest', { orgId, isTest });
    return fetchKeysetRows(qb, 'c', limit, cursor);
  }
}
