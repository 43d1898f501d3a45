import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors } from '../http/openapi/error-responses.js';
import { requestIdFrom } from '../logging/request-id.js';
import { UuidParam } from '../validation/validation.pipe.js';
import { IngestOut } from './events.dto.js';
import { IngestService } from './ingest.service.js';

/** No @Auth: the source's signature over the raw body is the credential (IngestService). */
@ApiTags('event-rules')
@Controller('v1/ingest')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post(':source_id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ingest Event',
    description:
      'The ingest_url of an event source. No API key: a stripe source checks Stripe-Signature, a webhook source X-Imtegrate-Signature ' +
      '(hex HMAC-SHA256 of the raw body). Every enabled rule for the event type fires once; a replay of the same event id answers 200 and fires nothing.',
  })
  @ApiParam({ name: 'source_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Source Id' } })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, description: 'The event, exactly as signed' })
  @ApiOkResponse({ description: 'Accepted (or a replay: replayed is true)', type: IngestOut })
  @ApiErrors({
    400: 'Signed, but not a readable event (not JSON, no type, id or type too long)',
    401: 'Missing or invalid signature; nothing is recorded',
    404: 'No such event source',
    413: 'The event body is larger than INGEST_MAX_BODY_BYTES',
    415: 'The body is not JSON',
    429: 'More than INGEST_RATE_LIMIT_PER_MINUTE requests to this source in a minute',
  })
  ingestEvent(@Param('source_id', UuidParam) id: string, @Req() req: Request & { rawBody?: Buffer; id?: unknown }): Promise<IngestOut> {
    return this.ingest.receive(id, { rawBody: req.rawBody, headers: req.headers, requestId: typeof req.id === 'string' ? req.id : requestIdFrom(undefined) });
  }
}
