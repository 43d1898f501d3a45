import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/auth.types.js';
import { ErrorDetailSchema } from '../common/openapi/error-schemas.js';
import { ParamField, UuidParam } from '../common/validation/validation.pipe.js';
import { t } from '../common/validation/fields.js';
import { PreviewService } from './preview.service.js';
import { TemplateList, TemplateOut, TemplateVersionList, TemplateVersionOut } from './template-out.dto.js';
import { CreateTemplateDto, ListTemplatesQuery, PreviewTemplateDto, UpdateTemplateDto } from './template.dto.js';
import { TemplatesService, type TemplateInput } from './templates.service.js';

const TemplateIdParam = () => ApiParam({ name: 'template_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Template Id' } });
const NotFound = () => ApiNotFoundResponse({ description: 'No such template in your organisation', type: ErrorDetailSchema });
const Invalid = () => ApiResponse({ status: 400, description: 'Cross-field rules failed (invalid_template)', type: ErrorDetailSchema });

@ApiTags('templates')
@Controller('v1/templates')
export class TemplatesController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly previews: PreviewService,
  ) {}

  @Post()
  @Auth('templates:write')
  @ApiOperation({ summary: 'Create Template', description: 'Creates an editable draft. Publish it to render it.' })
  @ApiBody({ type: CreateTemplateDto })
  @ApiCreatedResponse({ description: 'Successful Response', type: TemplateOut })
  @Invalid()
  createTemplate(@CurrentPrincipal() p: Principal, @Body() body: CreateTemplateDto): Promise<TemplateOut> {
    return this.templates.create(p, body as unknown as TemplateInput);
  }

  @Get()
  @Auth('templates:read')
  @ApiOperation({ summary: 'List Templates' })
  @ApiOkResponse({ description: 'Successful Response', type: TemplateList })
  listTemplates(@CurrentPrincipal() p: Principal, @Query() q: ListTemplatesQuery): Promise<TemplateList> {
    return this.templates.listQuery(p, q);
  }

  @Get(':template_id')
  @Auth('templates:read')
  @ApiOperation({ summary: 'Get Template' })
  @TemplateIdParam()
  @ApiOkResponse({ description: 'Successful Response', type: TemplateOut })
  @NotFound()
  getTemplate(@CurrentPrincipal() p: Principal, @Param('template_id', UuidParam) id: string): Promise<TemplateOut> {
    return this.templates.get(p, id);
  }

  @Patch(':template_id')
  @Auth('templates:write')
  @ApiOperation({ summary: 'Update Template', description: 'Edits the draft. Published versions never change.' })
  @TemplateIdParam()
  @ApiBody({ type: UpdateTemplateDto })
  @ApiOkResponse({ description: 'Successful Response', type: TemplateOut })
  @Invalid()
  @NotFound()
  updateTemplate(@CurrentPrincipal() p: Principal, @Param('template_id', UuidParam) id: string, @Body() body: UpdateTemplateDto): Promise<TemplateOut> {
    return this.templates.update(p, id, body as unknown as Partial<TemplateInput>);
  }

  @Delete(':template_id')
  @Auth('templates:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Archive Template', description: 'No new renders; existing renders and versions stay readable.' })
  @TemplateIdParam()
  @ApiNoContentResponse({ description: 'Archived' })
  @NotFound()
  deleteTemplate(@CurrentPrincipal() p: Principal, @Param('template_id', UuidParam) id: string): Promise<void> {
    return this.templates.archive(p, id);
  }

  @Post(':template_id/publish')
  @Auth('templates:write')
  @ApiOperation({ summary: 'Publish Template', description: 'Freezes the draft as version N+1 and makes it the current version.' })
  @TemplateIdParam()
  @ApiCreatedResponse({ description: 'Successful Response', type: TemplateVersionOut })
  @Invalid()
  @NotFound()
  publishTemplate(@CurrentPrincipal() p: Principal, @Param('template_id', UuidParam) id: string): Promise<TemplateVersionOut> {
    return this.templates.publish(p, id);
  }

  @Get(':template_id/versions')
  @Auth('templates:read')
  @ApiOperation({ summary: 'List Template Versions' })
  @TemplateIdParam()
  @ApiOkResponse({ description: 'Successful Response', type: TemplateVersionList })
  @NotFound()
  listTemplateVersions(@CurrentPrincipal() p: Principal, @Param('template_id', UuidParam) id: string): Promise<TemplateVersionList> {
    return this.templates.listVersions(p, id);
  }

  @Get(':template_id/versions/:version')
  @Auth('templates:read')
  @ApiOperation({ summary: 'Get Template Version' })
  @TemplateIdParam()
  @ApiParam({ name: 'version', required: true, schema: { type: 'integer', minimum: 1, title: 'Version' } })
  @ApiOkResponse({ description: 'Successful Response', type: TemplateVersionOut })
  @NotFound()
  getTemplateVersion(
    @CurrentPrincipal() p: Principal,
    @Param('template_id', UuidParam) id: string,
    @Param('version', ParamField(t.int({ ge: 1 }))) version: number,
  ): Promise<TemplateVersionOut> {
    return this.templates.getVersion(p, id, version);
  }

  @Post(':template_id/preview')
  @Auth('templates:read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Preview Template', description: 'Renders the draft (or a version) synchronously and returns the image bytes. Nothing is stored.' })
  @TemplateIdParam()
  @ApiBody({ type: PreviewTemplateDto })
  @ApiProduces('image/png', 'image/jpeg', 'image/webp', 'image/avif')
  @ApiOkResponse({ description: 'The rendered image', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } })
  @NotFound()
  async previewTemplate(
    @CurrentPrincipal() p: Principal,
    @Param('template_id', UuidParam) id: string,
    @Body() body: PreviewTemplateDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const out = await this.previews.preview(p, id, body);
    res.set({ ...out.headers, 'Content-Type': out.contentType });
    return new StreamableFile(out.body);
  }
}
