import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { requestIdFrom } from '../logging/request-id.js';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiErrors, coded, header } from '../http/openapi/error-responses.js';

/** Echoes an honoured `Prefer: wait=N` (RFC 7240). */
const PREFERENCE_APPLIED = { 'Preference-Applied': header('`wait=N` when the request honoured a `Prefer: wait=N`') };
import { ApiHeadersOf } from '../validation/decorators.js';
import { RATE_COSTS, RateCost } from '../rate-limit/rate-cost.js';
import { RequestHeaders, UuidParam } from '../validation/validation.pipe.js';
import { ImageList, ImageOut } from './image.dto.js';
import { CreateImageDto, CreateImageHeaders, IDEMPOTENCY_409, ListImagesQuery } from './images.dto.js';
import { ImagesService, PENDING_CAP_DETAIL } from './images.service.js';

@ApiTags('images')
@Controller('v1/images')
export class ImagesController {
  constructor(private readonly images: ImagesService) {}

  @Get(':image_id')
  @Auth('images:read')
  @ApiOperation({ summary: 'Get Image', description: 'Reads a render. result_url and thumbnail_url are freshly signed on every read and valid for 1 hour.' })
  @ApiParam({ name: 'image_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Image Id' } })
  @ApiOkResponse({ description: 'Successful Response', type: ImageOut })
  @ApiErrors({ 404: 'No such image in your organisation' })
  getImage(@CurrentPrincipal() p: Principal, @Param('image_id', UuidParam) imageId: string): Promise<ImageOut> {
    return this.images.get(p, imageId);
  }

  @Get()
  @Auth('images:read')
  @ApiOperation({ summary: 'List Images', description: 'Newest first, with cursor pagination: pass next_cursor as cursor to get the next page.' })
  @ApiOkResponse({ description: 'Successful Response', type: ImageList })
  listImages(@CurrentPrincipal() p: Principal, @Query() query: ListImagesQuery): Promise<ImageList> {
    return this.images.listQuery(p, query);
  }

  @Post()
  @Auth('images:write', { webhook_url: 'webhooks:write' })
  @RateCost('render')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Create Image',
    description:
      'Queues a render of a published template version with modifications. Answers 202 with the pending image; ' +
      'with `Prefer: wait=N` it waits up to N seconds and answers 201 with the finished image.',
  })
  @ApiBody({ type: CreateImageDto })
  @ApiAcceptedResponse({ description: 'Queued (or still running at the end of the Prefer: wait time)', type: ImageOut, headers: PREFERENCE_APPLIED as never })
  @ApiCreatedResponse({ description: 'Finished within the Prefer: wait time', type: ImageOut, headers: PREFERENCE_APPLIED as never })
  @ApiHeadersOf(CreateImageHeaders)
  @ApiErrors({
    400: coded(
      '`{"detail": {"code", "errors": [{"name", "reason"}]}}` with code template_not_found, template_archived, template_not_published, ' +
      'template_version_not_found, canvas_too_large, invalid_webhook_url or invalid_modification (a modification does not fit its layer, ' +
      'a remote image_url is unreachable, not an image, or over the pre-flight limits, or a named person is unknown, deleted, ' +
      'of another organisation or lacks the person_field)',
    ),
    429: `Rate limit exceeded (a render costs ${RATE_COSTS.render} points), or the organisation already has MAX_PENDING_RENDERS_PER_ORG renders pending ("${PENDING_CAP_DETAIL}")`,
    409: IDEMPOTENCY_409,
  })
  async createImage(
    @CurrentPrincipal() p: Principal,
    @Body() body: CreateImageDto,
    @RequestHeaders() headers: CreateImageHeaders,
    @Req() req: Request & { id?: unknown },
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImageOut> {
    // The access log's id (set by httpLogging) travels with the job; a fresh one if none was set.
    const out = await this.images.createFromRequest(p, body, headers, typeof req.id === 'string' ? req.id : requestIdFrom(undefined));
    res.status(out.status).set(out.headers);
    return out.body;
  }
}
