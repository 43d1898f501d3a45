import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CollectionOut } from '../collections/collection.dto.js';
import { ApiErrors, coded } from '../http/openapi/error-responses.js';
import { IDEMPOTENCY_409 } from '../images/images.dto.js';
import { PENDING_CAP_DETAIL } from '../images/images.service.js';
import { requestIdFrom } from '../logging/request-id.js';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { RATE_COSTS, RateCost } from '../rate-limit/rate-cost.js';
import { ApiHeadersOf } from '../validation/decorators.js';
import { RequestHeaders } from '../validation/validation.pipe.js';
import { CreatePeopleRenderDto, CreatePeopleRenderHeaders } from './people-renders.dto.js';
import { PeopleRendersService } from './people-renders.service.js';

@ApiTags('people')
@Controller('v1/people/renders')
export class PeopleRendersController {
  constructor(private readonly renders: PeopleRendersService) {}

  @Post()
  @Auth({ allOf: ['people:read', 'images:write'] }, { webhook_url: 'webhooks:write' })
  // One render at the door; the rest once the match is known (PeopleRendersService.charge).
  @RateCost('render')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Create People Render',
    description:
      'Renders one template once per matching live person of your organisation (oldest first, at most PEOPLE_BATCH_MAX, default 1000), ' +
      'as a collection with source `people`: each image gets the modifications plus the bindings resolved for its person ' +
      '("photo" -> the photo asset on that image layer; "name", "external_id", "tags.<key>" -> that text). ' +
      'Every person is checked first; nothing is created unless all pass. The answer and GET /v1/collections/{id} list the people in image order; ' +
      'one signed `collection.completed` event goes to webhook_url when the last image finishes.',
  })
  @ApiBody({ type: CreatePeopleRenderDto })
  @ApiAcceptedResponse({ description: 'Queued', type: CollectionOut })
  @ApiHeadersOf(CreatePeopleRenderHeaders)
  @ApiErrors({
    400: coded(
      '`{"detail": {"code", "errors": [{"name", "reason"}]}}`: template_not_found, template_archived, template_not_published, ' +
        'template_version_not_found, invalid_webhook_url; invalid_binding (name: the bound layer: unknown, not dynamic, of the wrong type, or its ' +
        'modification sets what the binding sets); no_matching_people or too_many_people (name: filter); invalid_modification (a modification, or a ' +
        "person's binding: the error then carries `person_id`, e.g. a person without the bound tag)",
    ),
    429: `Rate limit exceeded (a batch costs ${RATE_COSTS.render} points per person), or its renders would take the organisation past MAX_PENDING_RENDERS_PER_ORG ("${PENDING_CAP_DETAIL}")`,
    409: IDEMPOTENCY_409,
  })
  async createPeopleRender(
    @CurrentPrincipal() p: Principal,
    @Body() body: CreatePeopleRenderDto,
    @RequestHeaders() headers: CreatePeopleRenderHeaders,
    @Req() req: Request & { id?: unknown },
    @Res({ passthrough: true }) res: Response,
  ): Promise<CollectionOut> {
    const out = await this.renders.createFromRequest(p, body, headers, typeof req.id === 'string' ? req.id : requestIdFrom(undefined));
    res.set(out.headers);
    return out.body;
  }
}
