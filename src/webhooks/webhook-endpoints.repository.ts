import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { CursorPosition } from '../common/pagination/cursor.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
import type { EventType } from '../queue/outbox.types.js';
import { WebhookEndpointEntity } from './webhook-endpoint.entity.js';

export interface NewEndpoint {
  orgId: string;
  url: string;
  events: EventType[] | null;
  description: string | null;
  secret: string;
}

/** The one owner of webhook_endpoints. Every read for the API filters by organisation; deleted endpoints are gone for it. */
@Injectable()
export class WebhookEndpointsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(WebhookEndpointEntity);
  }

  create(e: NewEndpoint): Promise<WebhookEndpointEntity> {
    return this.repo.save(this.repo.create({ ...e, updatedAt: null, deletedAt: null }));
  }

  countLive(orgId: string): Promise<number> {
    return this.repo.countBy({ orgId, deletedAt: IsNull() });
  }

  findOwned(id: string, orgId: string): Promise<WebhookEndpointEntity | null> {
    return this.repo.findOneBy({ id, orgId, deletedAt: IsNull() });
  }

  /** For the worker: the endpoint of a delivery, deleted or not (the caller decides). */
  findById(id: string): Promise<WebhookEndpointEntity | null> {
    return this.repo.findOneBy({ id });
  }

  list(orgId: string, limit: number, cursor?: CursorPosition): Promise<WebhookEndpointEntity[]> {
    const qb = this.repo.createQueryBuilder('e').where('e.org_id = :orgId AND e.deleted_at IS NULL', { orgId });
    return fetchKeysetRows(qb, 'e', limit, cursor);
  }

  /** live -> deleted, once. */
  async softDelete(id: string, orgId: string): Promise<boolean> {
    const res = (await this.ds.query(`UPDATE webhook_endpoints SET deleted_at = now(), updated_at = now() WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL`, [
      id,
      orgId,
    ])) as [unknown[], number];
    return res[1] > 0;
  }

  /** A new secret for a live endpoint; null when there is none. Deliveries signed from now on use it. */
  async rotateSecret(id: string, orgId: string, secret: string): Promise<WebhookEndpointEntity | null> {
    const res = (await this.ds.query(
      `UPDATE webhook_endpoints SET secret = $3, updated_at = now() WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL RETURNING id`,
      [id, orgId, secret],
    )) as [unknown[], number];
    return res[1] > 0 ? this.findOwned(id, orgId) : null;
  }
}
