import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { requestIdFrom } from '../logging/request-id.js';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiErrors, coded, header } from '../http/openapi/error-responses.js';
import { ApiHeadersOf } from '../validation/decorators.js';
import { RATE_COSTS, RateCost } from '../rate-limit/rate-cost.js';
import { RequestHeaders, UuidParam } from '../validation/validation.pipe.js';
import { CreateImageHeaders } from '../images/images.dto.js';
import { VideoList, VideoOut } from './video.dto.js';
import { CreateVideoDto, ListVideosQuery } from './videos.dto.js';
import { VIDEO_PENDING_CAP_DETAIL, VideosService } from './videos.service.js';

const PREFERENCE_APPLIED = { 'Preference-Applied': header('`wait=N` when the request honoured a `Prefer: wait=N`') };

/** Videos share the images scopes: a key that may render images may render clips of the same templates. */
@ApiTags('videos')
@Controller('v1/videos')
export class VideosController {
  constructor(private readonly videos: VideosService) {}

  @Get(':video_id')
  @Auth('images:read')
  @ApiOperation({ summary: 'Get Video', description: 'Reads a video render and its progress. result_url and thumbnail_url are freshly signed on every read.' })
  @ApiParam({ name: 'video_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Video Id' } })
  @ApiOkResponse({ description: 'Successful Response', type: VideoOut })
  @ApiErrors({ 404: 'No such video in your organisation' })
  getVideo(@CurrentPrincipal() p: Principal, @Param('video_id', UuidParam) videoId: string): Promise<VideoOut> {
    return this.videos.get(p, videoId);
  }

  @Get()
  @Auth('images:read')
  @ApiOperation({ summary: 'List Videos', description: 'Newest first, with cursor pagination: pass next_cursor as cursor to get the next page.' })
  @ApiOkResponse({ description: 'Successful Response', type: VideoList })
  listVideos(@CurrentPrincipal() p: Principal, @Query() query: ListVideosQuery): Promise<VideoList> {
    return this.videos.list(p, query);
  }

  @Post()
  @Auth('images:write', { webhook_url: 'webhooks:write' })
  @RateCost('render')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Create Video',
    description:
      'Queues a video (MP4 H.264 by default) of a published template version whose layers may carry keyframes. Answers 202 with the pending video; ' +
      'with `Prefer: wait=N` it waits up to N seconds and answers 201 with the finished video.',
  })
  @ApiBody({ type: CreateVideoDto })
  @ApiAcceptedResponse({ description: 'Queued (or still rendering at the end of the Prefer: wait time)', type: VideoOut, headers: PREFERENCE_APPLIED as never })
  @ApiCreatedResponse({ description: 'Finished within the Prefer: wait time', type: VideoOut, headers: PREFERENCE_APPLIED as never })
  @ApiHeadersOf(CreateImageHeaders)
  @ApiErrors({
    400: coded(
      '`{"detail": {"code", "errors": [{"name", "reason"}]}}` with code template_not_found, template_archived, template_not_published, ' +
      'template_version_not_found, video_too_large (template over 1920x1080, or frames x pixels over VIDEO_MAX_FRAME_PIXELS), video_odd_size, ' +
      'invalid_webhook_url or invalid_modification',
    ),
    429: `Rate limit exceeded (a video costs ${RATE_COSTS.render} points), or the organisation already has MAX_PENDING_VIDEOS_PER_ORG videos pending ("${VIDEO_PENDING_CAP_DETAIL}")`,
    409: 'Idempotency-Key in use: idempotency_conflict (the key was used with another body) or idempotency_in_progress (its first request is still running)',
  })
  async createVideo(
    @CurrentPrincipal() p: Principal,
    @Body() body: CreateVideoDto,
    @RequestHeaders() headers: CreateImageHeaders,
    @Req() req: Request & { id?: unknown },
    @Res({ passthrough: true }) res: Response,
  ): Promise<VideoOut> {
    const out = await this.videos.createFromRequest(p, body, headers, typeof req.id === 'string' ? req.id : requestIdFrom(undefined));
    res.status(out.status).set(out.headers);
    return out.body;
  }
}
