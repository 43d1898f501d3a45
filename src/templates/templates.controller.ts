import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiErrors, coded } from '../http/openapi/error-responses.js';
import { ParamField, UuidParam } from '../validation/validation.pipe.js';
import { INT32_MAX, t } from '../validation/fields.js';
import { TemplateList, TemplateOut, TemplateVersionList, TemplateVersionOut } from './template-out.dto.js';
import { CreateTemplateDto, ListTemplatesQuery, UpdateTemplateDto } from './template.dto.js';
import { TemplatesService, type TemplateInput } from './templates.service.js';

export const TemplateIdParam = () => ApiParam({ name: 'template_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Template Id' } });
export const TemplateNotFound = () => ApiErrors({ 404: 'No such template in your organisation' });
const Invalid = () => ApiErrors({ 400: coded('Cross-field rules failed (invalid_template)') });
const Archived = () => ApiErrors({ 409: 'The template is archived (template_archived)' });

@ApiTags('templates')
@Controller('v1/templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

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
  @TemplateNotFound()
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
  @TemplateNotFound()
  @Archived()
  updateTemplate(@CurrentPrincipal() p: Principal, @Param('template_id', UuidParam) id: string, @Body() body: UpdateTemplateDto): Promise<TemplateOut> {
    return this.templates.update(p, id, body as unknown as Partial<TemplateInput>);
  }

  @Delete(':template_id')
  @Auth('templates:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Archive Template', description: 'No new renders; existing renders and versions stay readable.' })
  @TemplateIdParam()
  @ApiNoContentResponse({ description: 'Archived' })
  @TemplateNotFound()
  deleteTemplate(@CurrentPrincipal() p: Principal, @Param('template_id', UuidParam) id: string): Promise<void> {
    return this.templates.archive(p, id);
  }

  @Post(':template_id/publish')
  @Auth('templates:write')
  @ApiOperation({ summary: 'Publish Template', description: 'Freezes the draft as version N+1 and makes it the current version.' })
  @TemplateIdParam()
  @ApiCreatedResponse({ description: 'Successful Response', type: TemplateVersionOut })
  @Invalid()
  @TemplateNotFound()
  @Archived()
  publishTemplate(@CurrentPrincipal() p: Principal, @Param('template_id', UuidParam) id: string): Promise<TemplateVersionOut> {
    return this.templates.publish(p, id);
  }

  @Get(':template_id/versions')
  @Auth('templates:read')
  @ApiOperation({ summary: 'List Template Versions' })
  @TemplateIdParam()
  @ApiOkResponse({ description: 'Successful Response', type: TemplateVersionList })
  @TemplateNotFound()
  listTemplateVersions(@CurrentPrincipal() p: Principal, @Param('template_id', UuidParam) id: string): Promise<TemplateVersionList> {
    return this.templates.listVersions(p, id);
  }

  @Get(':template_id/versions/:version')
  @Auth('templates:read')
  @ApiOperation({ summary: 'Get Template Version' })
  @TemplateIdParam()
  @ApiParam({ name: 'version', required: true, schema: { type: 'integer', minimum: 1, title: 'Version' } })
  @ApiOkResponse({ description: 'Successful Response', type: TemplateVersionOut })
  @TemplateNotFound()
  getTemplateVersion(
    @CurrentPrincipal() p: Principal,
    @Param('template_id', UuidParam) id: string,
    @Param('version', ParamField(t.int({ ge: 1, le: INT32_MAX }))) version: number,
  ): Promise<TemplateVersionOut> {
    return this.templates.getVersion(p, id, version);
  }
}
