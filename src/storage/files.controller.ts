import { Controller, Get, Headers, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiBinaryResponse, ApiErrors } from '../http/openapi/error-responses.js';
import { FileQuery } from './files.dto.js';
import { FilesService } from './files.service.js';
import { STORED_CONTENT_TYPES } from './storage.types.js';

@ApiTags('files')
@Controller('v1/files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Get('*path')
  @ApiOperation({
    summary: 'Download File',
    description: 'The bytes behind a signed result_url or thumbnail_url (local storage). The signature is the credential: no API key.',
  })
  @ApiParam({ name: 'path', required: true, schema: { type: 'string', title: 'Path' }, description: 'The storage key; may contain `/`' })
  @ApiHeader({ name: 'If-None-Match', required: false, schema: { type: 'string', title: 'If-None-Match' } })
  @ApiBinaryResponse(200, 'The stored file', STORED_CONTENT_TYPES)
  @ApiResponse({ status: 304, description: 'Not modified: If-None-Match names the current ETag' })
  @ApiErrors({
    403: 'Missing, invalid or expired signature',
    404: 'No such file, or the storage is not local (S3 URLs point at the bucket)',
  })
  async download(
    @Param('path') path: string | string[],
    @Query() query: FileQuery,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile | undefined> {
    const out = await this.files.read(Array.isArray(path) ? path.join('/') : path, query.expires, query.signature, ifNoneMatch);
    res.status(out.status).set(out.headers);
    return out.body ? new StreamableFile(out.body) : undefined;
  }
}
