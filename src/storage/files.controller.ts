import { Controller, Get, Headers, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { FilesService } from './files.service.js';

@ApiExcludeController()
@Controller('v1/files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Get('*path')
  async download(
    @Param('path') path: string | string[],
    @Query('expires') expires: unknown,
    @Query('signature') signature: unknown,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile | undefined> {
    const out = await this.files.read(Array.isArray(path) ? path.join('/') : path, expires, signature, ifNoneMatch);
    res.status(out.status).set(out.headers);
    return out.body ? new StreamableFile(out.body) : undefined;
  }
}
