import { Inject, Injectable } from '@nestjs/common';
import { cursorParam, type Page, toPage } from '../common/pagination/cursor.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ApiError } from '../http/api-error.js';
import { destinationUrlProblem } from '../images/url-preflight.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import { ADDRESS_POLICY } from '../outbound/image-fetcher.provider.js';
import type { EventType } from '../queue/outbox.types.js';
import { generateEndpointSecret } from './signing.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import {
  type CreateWebhookEndpointDto,
  
  WebhookDeliveryOut,
  WebhookEndpointOut,
  WebhookEndpointWithSecret,
} from './webhook-endpoints.dto.js';
import type { WebhookEndpointEntity } from './webhook-endpoint.entity.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository.js';
import type { PageQuery } from '../validation/page-query.js';

/** Live endpoints one organisation may have: each event is delivered once per endpoint. */
export const MAX_ENDPOINTS_PER_ORG = 20;

export const ENDPOINT_NOT_FOUND = 'Webhook endpoint not found';

@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ADDRESS_POLICY) private readonly policy: AddressPolicy,
  ) {}

  async create(p: Principal, body: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecret> {
    const reason = await destinationUrlProblem(body.url, 'url', { policy: this.policy, timeoutMs: this.config.fetch.timeoutMs });
    if (reason) throw new ApiError(400, { code: 'invalid_webhook_url', errors: [{ name: 'url', reason }] });
    // A soft cap: concurrent creates may overshoot by their number.
    if ((await this.endpoints.countLive(p.orgId)) >= MAX_ENDPOINTS_PER_ORG) {
      throw new ApiError(400, {
        code: 'too_many_webhook_endpoints',
        errors: [{ name: 'url', reason: `an organisation may have at most ${MAX_ENDPOINTS_PER_ORG} webhook endpoints; delete one first` }],
      });
    }
    const events = body.events ? ([...new Set(body.events)] as EventType[]) : null;
    const row = await this.endpoints.create({ orgId: p.orgId, url: body.url, events, description: body.description ?? null, secret: generateEndpointSecret() });
    return WebhookEndpointWithSecret.withSecret(row);
  }

  async list(p: Principal, q: PageQuery): Promise<Page<WebhookEndpointOut>> {
    const rows = await this.endpoints.list(p.orgId, q.limit, cursorParam(q.cursor));
    return toPage(rows, q.limit, (r) => WebhookEndpointOut.from(r));
  }

  async get(p: Principal, id: string): Promise<WebhookEndpointOut> {
    return WebhookEndpointOut.from(await this.owned(p, id));
  }

  async delete(p: Principal, id: string): Promise<void> {
    if (!(await this.endpoints.softDelete(id, p.orgId))) throw new ApiError(404, ENDPOINT_NOT_FOUND);
  }

  async rotateSecret(p: Principal, id: string): Promise<WebhookEndpointWithSecret> {
    const row = await this.endpoints.rotateSecret(id, p.orgId, generateEndpointSecret());
    if (!row) throw new ApiError(404, ENDPOINT_NOT_FOUND);
    return WebhookEndpointWithSecret.withSecret(row);
  }

  async deliveriesOf(p: Principal, id: string, q: PageQuery): Promise<Page<WebhookDeliveryOut>> {
    await this.owned(p, id);
    const rows = await this.deliveries.listForEndpoint(id, p.orgId, q.limit, cursorParam(q.cursor));
    return toPage(rows, q.limit, (r) => WebhookDeliveryOut.from(r));
  }

  private async owned(p: Principal, id: string): Promise<WebhookEndpointEntity> {
    const row = await this.endpoints.findOwned(id, p.orgId);
    if (!row) throw new ApiError(404, ENDPOINT_NOT_FOUND);
    return row;
  }
}
