import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors, coded } from '../http/openapi/error-responses.js';
import { IDEMPOTENCY_409 } from '../images/images.dto.js';
import { PENDING_CAP_DETAIL } from '../images/images.service.js';
import { requestIdFrom } from '../logging/request-id.js';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { RATE_COSTS, RateCost } from '../rate-limit/rate-cost.js';
import { ApiHeadersOf } from '../validation/decorators.js';
import { RequestHeaders, UuidParam } from '../validation/validation.pipe.js';
import { CollectionList, CollectionOut } from './collection.dto.js';
import { CreateCollectionDto, CreateCollectionHeaders } from './collections.dto.js';
import { CollectionsService } from './collections.service.js';
import { PageQuery } from '../validation/page-query.js';

@ApiTags('collections')
@Controller('v1/collections')
export class CollectionsController {
  constructor(private readonly collections: CollectionsService) {}

  @Post()
  @Auth('images:write', { webhook_url: 'webhooks:write' })
  @RateCost('render', { perItemOf: 'templates' })
  @HttpCode(202)
  @ApiOperation({
    summary: 'Create Collection',
    description:
      'Renders one modification set over several templates (each at its current published version): one image per template. ' +
      'Every template is checked first; one bad template rejects the whole collection and nothing is created. ' +
      'The collection is `rendering` until every image has finished, then `completed` (renders_failed counts the failures), ' +
      'and a signed `collection.completed` event goes to its webhook_url.',
  })
  @ApiBody({ type: CreateCollectionDto })
  @ApiAcceptedResponse({ description: 'Queued', type: CollectionOut })
  @ApiHeadersOf(CreateCollectionHeaders)
  @ApiErrors({
    400: coded(
      '`{"detail": {"code", "errors": [{"name", "reason", "template_id"}]}}` naming the bad template (and the layer, `name`, for a rejected ' +
        'modification), with code template_not_found, template_archived, template_not_published, canvas_too_large, invalid_webhook_url ' +
        'or invalid_modification',
    ),
    429: `Rate limit exceeded (a collection costs ${RATE_COSTS.render} points per template), or its renders would take the organisation past MAX_PENDING_RENDERS_PER_ORG ("${PENDING_CAP_DETAIL}")`,
    409: IDEMPOTENCY_409,
  })
  async createCollection(
    @CurrentPrincipal() p: Principal,
    @Body() body: CreateCollectionDto,
    @RequestHeaders() headers: CreateCollectionHeaders,
    @Req() req: Request & { id?: unknown },
    @Res({ passthrough: true }) res: Response,
  ): Promise<CollectionOut> {
    const out = await this.collections.createFromRequest(p, body, headers, typeof req.id === 'string' ? req.id : requestIdFrom(undefined));
    res.set(out.headers);
    return out.body;
  }

  @Get(':collection_id')
  @Auth('images:read')
  @ApiOperation({
    summary: 'Get Collection',
    description:
      'A collection with its counters and the ids of its images (list them with GET /v1/images?collection_id=); ' +
      '`source` says whether it renders several templates (POST /v1/collections) or one template per person (POST /v1/people/renders, with `people`).',
  })
  @ApiParam({ name: 'collection_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Collection Id' } })
  @ApiOkResponse({ description: 'Successful Response', type: CollectionOut })
  @ApiErrors({ 404: 'No such collection in your organisation' })
  getCollection(@CurrentPrincipal() p: Principal, @Param('collection_id', UuidParam) id: string): Promise<CollectionOut> {
    return this.collections.get(p, id);
  }

  @Get()
  @Auth('images:read')
  @ApiOperation({ summary: 'List Collections', description: 'Newest first, with cursor pagination: pass next_cursor as cursor to get the next page.' })
  @ApiOkResponse({ description: 'Successful Response', type: CollectionList })
  listCollections(@CurrentPrincipal() p: Principal, @Query() query: PageQuery): Promise<CollectionList> {
    return this.collections.list(p, query);
  }
}
