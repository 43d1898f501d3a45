import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, coded } from '../http/openapi/error-responses.js';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { UuidParam } from '../validation/validation.pipe.js';
import {
  CreateWebhookEndpointDto,
  DeliveryAttemptOut,
  
  WebhookDeliveryList,
  WebhookDeliveryOut,
  WebhookEndpointList,
  WebhookEndpointOut,
  WebhookEndpointWithSecret,
} from './webhook-endpoints.dto.js';
import { MAX_ENDPOINTS_PER_ORG, WebhookEndpointsService } from './webhook-endpoints.service.js';
import { PageQuery } from '../validation/page-query.js';

const EndpointIdParam = () => ApiParam({ name: 'endpoint_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Endpoint Id' } });
const EndpointNotFound = () => ApiErrors({ 404: 'No such webhook endpoint in your organisation (or it was deleted)' });
const READ = ['webhooks:read', 'webhooks:write'] as const;

@ApiTags('webhooks')
@ApiExtraModels(DeliveryAttemptOut, WebhookDeliveryOut)
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @Auth('webhooks:write')
  @ApiOperation({
    summary: 'Create Webhook Endpoint',
    description: 'Registers a URL that receives the organisation\'s events (all of them, or those listed in `events`). The answer carries the signing secret: it is shown only here.',
  })
  @ApiBody({ type: CreateWebhookEndpointDto })
  @ApiCreatedResponse({ description: 'Created; store the secret now', type: WebhookEndpointWithSecret })
  @ApiErrors({
    400: coded(
      `\`{"detail": {"code", "errors": [{"name": "url", "reason"}]}}\` with code invalid_webhook_url (not http(s), or not a public address) ` +
        `or too_many_webhook_endpoints (at most ${MAX_ENDPOINTS_PER_ORG} per organisation)`,
    ),
  })
  createWebhookEndpoint(@CurrentPrincipal() p: Principal, @Body() body: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.create(p, body);
  }

  @Get()
  @Auth(READ)
  @ApiOperation({ summary: 'List Webhook Endpoints', description: 'Newest first, with cursor pagination. Secrets are never listed.' })
  @ApiOkResponse({ description: 'Successful Response', type: WebhookEndpointList })
  listWebhookEndpoints(@CurrentPrincipal() p: Principal, @Query() q: PageQuery): Promise<WebhookEndpointList> {
    return this.endpoints.list(p, q);
  }

  @Get(':endpoint_id')
  @Auth(READ)
  @ApiOperation({ summary: 'Get Webhook Endpoint', description: 'The endpoint without its secret.' })
  @EndpointIdParam()
  @ApiOkResponse({ description: 'Successful Response', type: WebhookEndpointOut })
  @EndpointNotFound()
  getWebhookEndpoint(@CurrentPrincipal() p: Principal, @Param('endpoint_id', UuidParam) id: string): Promise<WebhookEndpointOut> {
    return this.endpoints.get(p, id);
  }

  @Delete(':endpoint_id')
  @Auth('webhooks:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete Webhook Endpoint', description: 'The endpoint gets no further events; deliveries not yet made to it are abandoned.' })
  @EndpointIdParam()
  @ApiNoContentResponse({ description: 'Deleted' })
  @EndpointNotFound()
  deleteWebhookEndpoint(@CurrentPrincipal() p: Principal, @Param('endpoint_id', UuidParam) id: string): Promise<void> {
    return this.endpoints.delete(p, id);
  }

  @Post(':endpoint_id/rotate-secret')
  @Auth('webhooks:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate Webhook Endpoint Secret', description: 'A new signing secret, shown only in this answer; attempts from now on are signed with it.' })
  @EndpointIdParam()
  @ApiOkResponse({ description: 'The endpoint with its new secret', type: WebhookEndpointWithSecret })
  @EndpointNotFound()
  rotateWebhookEndpointSecret(@CurrentPrincipal() p: Principal, @Param('endpoint_id', UuidParam) id: string): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.rotateSecret(p, id);
  }

  @Get(':endpoint_id/deliveries')
  @Auth(READ)
  @ApiOperation({
    summary: 'List Webhook Deliveries',
    description: 'The endpoint\'s deliveries, newest first, each with its attempts (time, response status or error, latency) and the next retry time.',
  })
  @EndpointIdParam()
  @ApiOkResponse({ description: 'Successful Response', type: WebhookDeliveryList })
  @EndpointNotFound()
  listWebhookDeliveries(@CurrentPrincipal() p: Principal, @Param('endpoint_id', UuidParam) id: string, @Query() q: PageQuery): Promise<WebhookDeliveryList> {
    return this.endpoints.deliveriesOf(p, id, q);
  }
}
