import { Body, Controller, HttpCode, Param, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiBinaryResponse, ApiErrors, coded, header } from '../http/openapi/error-responses.js';
import { OUTPUT_FORMATS } from '../images/image.entity.js';
import { TemplateIdParam, TemplateNotFound } from '../templates/templates.controller.js';
import { PreviewTemplateDto } from '../templates/template.dto.js';
import { UuidParam } from '../validation/validation.pipe.js';
import { PreviewService } from './preview.service.js';
import { RateCost } from '../rate-limit/rate-cost.js';

/** `POST /v1/templates/{id}/preview`: a synchronous render, so it lives with rendering, not templates. */
@ApiTags('templates')
@Controller('v1/templates')
export class PreviewController {
  constructor(private readonly previews: PreviewService) {}

  @Post(':template_id/preview')
  @Auth(['images:write', 'templates:write'])
  @RateCost('render')
  @HttpCode(200)
  @ApiOperation({ summary: 'Preview Template', description: 'Renders the draft (or a version) synchronously and returns the image bytes. Nothing is stored.' })
  @TemplateIdParam()
  @ApiBody({ type: PreviewTemplateDto })
  @ApiBinaryResponse(200, 'The rendered image, in the requested format', OUTPUT_FORMATS.map((f) => `image/${f}`), {
    'X-Imtegrate-Text-Report': header(
      'The text layout report as ASCII JSON: per text layer the font size used, lines, truncation, missing glyphs and whether the fallback font drew it',
    ),
  })
  @ApiErrors({ 400: coded('The modifications do not fit the template (or name a person that does not resolve), or the render failed (invalid_modification, or the render error code)') })
  @TemplateNotFound()
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
