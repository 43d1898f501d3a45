import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { cursorParam, type Page, toPage } from '../common/pagination/cursor.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { invalid } from '../templates/templates.service.js';
import { EventSourceEntity } from './event-source.entity.js';
import { type CreateEventSourceDto, type EventSourceCreatedOut, EventSourceOut } from './events.dto.js';
import type { PageQuery } from '../validation/page-query.js';

const NOT_FOUND = 'Event source not found';

/** The one owner of event_sources. */
@Injectable()
export class EventSourcesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get repo() {
    return this.ds.getRepository(EventSourceEntity);
  }

  async create(p: Principal, body: CreateEventSourceDto): Promise<EventSourceCreatedOut> {
    // Stripe generates the signing secret of an endpoint; only the caller can give it to us.
    if (body.type === 'stripe' && body.secret === undefined) {
      throw invalid('invalid_source', [{ name: 'secret', reason: "a stripe source needs the endpoint's signing secret (whsec_...) from the Stripe dashboard" }]);
    }
    const secret = body.secret ?? `evsec_${randomBytes(32).toString('base64url')}`;
    const row = await this.repo.save(this.repo.create({ orgId: p.orgId, type: body.type, name: body.name, secret }));
    return { ...EventSourceOut.from(row, this.config.publicBaseUrl), secret };
  }

  async get(p: Principal, id: string): Promise<EventSourceOut> {
    const row = await this.repo.findOneBy({ id, orgId: p.orgId });
    if (!row) throw new ApiError(404, NOT_FOUND);
    return EventSourceOut.from(row, this.config.publicBaseUrl);
  }

  async list(p: Principal, q: PageQuery): Promise<Page<EventSourceOut>> {
    const qb = this.repo.createQueryBuilder('s').where('s.org_id = :orgId', { orgId: p.orgId });
    const rows = await fetchKeysetRows(qb, 's', q.limit, cursorParam(q.cursor));
    return toPage(rows, q.limit, (r) => EventSourceOut.from(r, this.config.publicBaseUrl));
  }

  /** For ingestion, which has no principal: the signature checked with the secret is the credential. */
  async findForIngest(id: string): Promise<EventSourceEntity> {
    const row = await this.repo.findOneBy({ id });
    if (!row) throw new ApiError(404, NOT_FOUND);
    return row;
  }
}
