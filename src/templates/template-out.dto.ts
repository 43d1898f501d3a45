import { getSchemaPath } from '@nestjs/swagger';
import { ApiField, ListOf, nullable } from '../http/openapi/api-field.js';
import { BackgroundDto, ImageLayerDto, ShapeLayerDto, TextLayerDto, type LayerDto } from './template.dto.js';
import type { TemplateVersionEntity } from './template-version.entity.js';
import type { TemplateEntity } from './template.entity.js';

const layers = {
  type: 'array',
  items: {
    oneOf: [TextLayerDto, ImageLayerDto, ShapeLayerDto].map((c) => ({ $ref: getSchemaPath(c) })),
    discriminator: {
      propertyName: 'type',
      mapping: { text: getSchemaPath(TextLayerDto), image: getSchemaPath(ImageLayerDto), shape: getSchemaPath(ShapeLayerDto) },
    },
  },
};
const dateTime = { type: 'string', format: 'date-time' };

export class TemplateOut {
  @ApiField({ type: 'string', format: 'uuid' })
  id: string;

  @ApiField({ type: 'string', default: 'template' })
  object: 'template';

  @ApiField({ type: 'string' })
  name: string;

  @ApiField({ type: 'integer' })
  width: number;

  @ApiField({ type: 'integer' })
  height: number;

  @ApiField({ $ref: getSchemaPath(BackgroundDto) })
  background: BackgroundDto;

  @ApiField({ ...layers, description: 'The editable draft' })
  layers: LayerDto[];

  @ApiField({ ...nullable({ type: 'integer' }), description: 'The latest published version; renders use it by default' })
  current_version: number | null;

  @ApiField({ type: 'boolean' })
  is_published: boolean;

  @ApiField({ ...nullable(dateTime), description: 'Archived templates take no new renders' })
  archived_at: string | null;

  @ApiField({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiField(dateTime)
  created_at: string;

  @ApiField(nullable(dateTime))
  updated_at: string | null;

  static from(t: TemplateEntity): TemplateOut {
    return {
      id: t.id,
      object: 'template',
      name: t.name,
      width: t.width,
      height: t.height,
      background: t.background,
      layers: t.layers,
      current_version: t.currentVersion,
      is_published: t.currentVersion !== null,
      archived_at: t.archivedAt ? t.archivedAt.toISOString() : null,
      metadata: t.metadata,
      created_at: t.createdAt.toISOString(),
      updated_at: t.updatedAt ? t.updatedAt.toISOString() : null,
    };
  }
}

export class TemplateVersionOut {
  @ApiField({ type: 'string', default: 'template_version' })
  object: 'template_version';

  @ApiField({ type: 'string', format: 'uuid' })
  id: string;

  @ApiField({ type: 'string', format: 'uuid' })
  template_id: string;

  @ApiField({ type: 'integer' })
  version: number;

  @ApiField({ type: 'string' })
  name: string;

  @ApiField({ type: 'integer' })
  width: number;

  @ApiField({ type: 'integer' })
  height: number;

  @ApiField({ $ref: getSchemaPath(BackgroundDto) })
  background: BackgroundDto;

  @ApiField(layers)
  layers: LayerDto[];

  @ApiField(dateTime)
  created_at: string;

  static from(v: TemplateVersionEntity): TemplateVersionOut {
    return {
      object: 'template_version',
      id: v.id,
      template_id: v.templateId,
      version: v.version,
      name: v.name,
      width: v.width,
      height: v.height,
      background: v.background,
      layers: v.layers,
      created_at: v.createdAt.toISOString(),
    };
  }
}

export class TemplateList extends ListOf(() => TemplateOut, 'TemplateList') {
  declare data: TemplateOut[];
}

export class TemplateVersionList extends ListOf(() => TemplateVersionOut, 'TemplateVersionList') {
  declare data: TemplateVersionOut[];
}
