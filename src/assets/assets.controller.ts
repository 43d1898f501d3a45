import { Controller, Delete, Get, HttpCode, Param, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiErrors } from '../http/openapi/error-responses.js';
import { UuidParam } from '../validation/validation.pipe.js';
import { AssetList, AssetOut, ListAssetsQuery } from './asset-out.dto.js';
import { ASSET_LIMITS, AssetsService, type UploadedAsset } from './assets.service.js';
import { contiguousStorage } from './contiguous-storage.js';

const AssetNotFound = () => ApiErrors({ 404: 'No such asset in your organisation' });
const AssetIdParam = () => ApiParam({ name: 'asset_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Asset Id' } });

@ApiTags('assets')
@Controller('v1/assets')
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Post()
  @Auth('templates:write')
  @UseInterceptors(FileInterceptor('file', { storage: contiguousStorage(ASSET_LIMITS.imageBytes), limits: { fileSize: ASSET_LIMITS.imageBytes, files: 1, fields: 0, parts: 2 } }))
  @ApiOperation({
    summary: 'Upload Asset',
    description: 'An image (PNG, JPEG, WebP, GIF, AVIF, SVG) or font (TTF, OTF, WOFF2) for templates. The type is sniffed from the bytes.',
  })
  @ApiConsumes('multipart/form-data')
  // multer's limits (one file, no other fields) refuse anything else: a closed schema.
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } }, additionalProperties: false } })
  @ApiCreatedResponse({ description: 'Successful Response', type: AssetOut })
  @ApiErrors({
    400: 'Corrupt, unsafe or mislabelled file, or not a multipart/form-data body with one `file`',
    413: `Larger than ${ASSET_LIMITS.imageBytes} bytes (images) or ${ASSET_LIMITS.fontBytes} (fonts)`,
    415: 'Not a supported image or font',
    503: 'Too many uploads waiting for an inspection thread (`inspection_busy`, with `Retry-After`)',
  })
  uploadAsset(@CurrentPrincipal() p: Principal, @UploadedFile() file: UploadedAsset | undefined): Promise<AssetOut> {
    return this.assets.upload(p, file);
  }

  @Get()
  @Auth('templates:read')
  @ApiOperation({ summary: 'List Assets' })
  @ApiOkResponse({ description: 'Successful Response', type: AssetList })
  listAssets(@CurrentPrincipal() p: Principal, @Query() q: ListAssetsQuery): Promise<AssetList> {
    return this.assets.listQuery(p, q);
  }

  @Get(':asset_id')
  @Auth('templates:read')
  @ApiOperation({ summary: 'Get Asset' })
  @AssetIdParam()
  @ApiOkResponse({ description: 'Successful Response', type: AssetOut })
  @AssetNotFound()
  getAsset(@CurrentPrincipal() p: Principal, @Param('asset_id', UuidParam) id: string): Promise<AssetOut> {
    return this.assets.get(p, id);
  }

  @Delete(':asset_id')
  @Auth('templates:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete Asset', description: 'Templates can no longer use it; past renders are unaffected.' })
  @AssetIdParam()
  @ApiNoContentResponse({ description: 'Deleted' })
  @AssetNotFound()
  deleteAsset(@CurrentPrincipal() p: Principal, @Param('asset_id', UuidParam) id: string): Promise<void> {
    return this.assets.remove(p, id);
  }
}
