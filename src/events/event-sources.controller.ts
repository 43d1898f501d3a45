import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, coded } from '../http/openapi/error-responses.js';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { UuidParam } from '../validation/validation.pipe.js';
import { EventSourcesService } from './event-sources.service.js';
import { CreateEventSourceDto, EventSourceCreatedOut, EventSourceList, EventSourceOut } from './events.dto.js';
import { PageQuery } from '../validation/page-query.js';

@ApiTags('event-rules')
@Controller('v1/event-sources')
export class EventSourcesController {
  constructor(private readonly sources: EventSourcesService) {}

  @Post()
  @Auth('rules:write')
  @ApiOperation({
    summary: 'Create Event Source',
    description: 'An ingest URL for Stripe (Stripe-Signature) or any sender signing with HMAC-SHA256 (X-Imtegrate-Signature). The secret is shown once.',
  })
  @ApiBody({ type: CreateEventSourceDto })
  @ApiCreatedResponse({ description: 'Successful Response', type: EventSourceCreatedOut })
  @ApiErrors({ 400: coded('invalid_source: a stripe source needs its signing secret') })
  createEventSource(@CurrentPrincipal() p: Principal, @Body() body: CreateEventSourceDto): Promise<EventSourceCreatedOut> {
    return this.sources.create(p, body);
  }

  @Get()
  @Auth(['rules:read', 'rules:write'])
  @ApiOperation({ summary: 'List Event Sources' })
  @ApiOkResponse({ description: 'Successful Response', type: EventSourceList })
  listEventSources(@CurrentPrincipal() p: Principal, @Query() q: PageQuery): Promise<EventSourceList> {
    return this.sources.list(p, q);
  }

  @Get(':source_id')
  @Auth(['rules:read', 'rules:write'])
  @ApiOperation({ summary: 'Get Event Source', description: 'Without the secret, which is shown only at creation.' })
  @ApiParam({ name: 'source_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Source Id' } })
  @ApiOkResponse({ description: 'Successful Response', type: EventSourceOut })
  @ApiErrors({ 404: 'No such event source in your organisation' })
  getEventSource(@CurrentPrincipal() p: Principal, @Param('source_id', UuidParam) id: string): Promise<EventSourceOut> {
    return this.sources.get(p, id);
  }
}
