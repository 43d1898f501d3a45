import { Global, Module } from '@nestjs/common';
import { EVENT_FANOUT } from '../queue/event-fanout.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository.js';

/**
 * The owners of webhook_endpoints and webhook_deliveries, and the event fan-out the outbox relay
 * (queue/, in every process) plans deliveries with. Global because the relay's module cannot
 * import a feature; imported once by each process graph (WebhooksModule, WebhooksWorkerModule).
 */
@Global()
@Module({
  providers: [WebhookEndpointsRepository, WebhookDeliveriesRepository, { provide: EVENT_FANOUT, useExisting: WebhookDeliveriesRepository }],
  exports: [WebhookEndpointsRepository, WebhookDeliveriesRepository, EVENT_FANOUT],
})
export class WebhooksDataModule {}
