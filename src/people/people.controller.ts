import { Body, Controller, createParamDecorator, Delete, type ExecutionContext, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors, coded } from '../http/openapi/error-responses.js';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { UuidParam } from '../validation/validation.pipe.js';
import { CreatePersonDto, ListPeopleQuery, PersonList, PersonOut, UpdatePersonDto } from './person.dto.js';
import { parseTagFilters, PERSON_LIMITS, TAG_KEY_PATTERN } from './person-rules.js';
import { PeopleService } from './people.service.js';

const PersonIdParam = () => ApiParam({ name: 'person_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Person Id' } });
const PersonNotFound = () => ApiErrors({ 404: 'No such person in your organisation (or deleted)' });
const PHOTO_400 = coded('`invalid_photo_asset`: photo_asset_id is not a live image asset of your organisation (errors[0].name is "photo_asset_id")');
const TAKEN_409 = 'external_id_taken: another live person of your organisation has this external_id';

/** The `tag.<key>=<value>` filters of the query string (dynamic names, so no DTO field can hold them). */
const TagFilters = createParamDecorator((_data: unknown, ctx: ExecutionContext) => parseTagFilters(ctx.switchToHttp().getRequest<Request>().query));

@ApiTags('people')
@Controller('v1/people')
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Post()
  @Auth('people:write')
  @ApiOperation({ summary: 'Create Person', description: 'A person of your directory: a photo (an uploaded image asset), a name, your own reference and tags. Templates use them in renders.' })
  @ApiBody({ type: CreatePersonDto })
  @ApiCreatedResponse({ description: 'Successful Response', type: PersonOut })
  @ApiErrors({ 400: PHOTO_400, 409: TAKEN_409 })
  createPerson(@CurrentPrincipal() p: Principal, @Body() body: CreatePersonDto): Promise<PersonOut> {
    return this.people.create(p, body);
  }

  @Get()
  @Auth('people:read')
  @ApiOperation({
    summary: 'List People',
    description: 'Newest first, with cursor pagination. Filters combine: `tag.<key>=<value>` (several allowed, all must match), `external_id`, `name`.',
  })
  @ApiQuery({
    name: 'tag',
    required: false,
    style: 'deepObject',
    explode: true,
    // propertyNames is JSON Schema 2020-12 (OpenAPI 3.1); @nestjs/swagger's types predate it.
    schema: {
      title: 'Tag',
      type: 'object',
      propertyNames: { type: 'string', pattern: TAG_KEY_PATTERN },
      additionalProperties: { type: 'string', minLength: 1, maxLength: PERSON_LIMITS.tagValueLength },
      maxProperties: PERSON_LIMITS.maxTags,
    } as never,
    description:
      `Tag filters, one parameter per tag: \`tag.<key>=<value>\` (also the deepObject spelling \`tag[<key>]=<value>\`); ` +
      `keys match ${TAG_KEY_PATTERN}. A person matches when it has every one of them.`,
    example: { role: 'AE' },
  })
  @ApiOkResponse({ description: 'Successful Response', type: PersonList })
  listPeople(@CurrentPrincipal() p: Principal, @Query() q: ListPeopleQuery, @TagFilters() tags: Record<string, string>): Promise<PersonList> {
    return this.people.list(p, q, tags);
  }

  @Get(':person_id')
  @Auth('people:read')
  @ApiOperation({ summary: 'Get Person', description: 'photo_url is freshly signed on every read and valid for 1 hour.' })
  @PersonIdParam()
  @ApiOkResponse({ description: 'Successful Response', type: PersonOut })
  @PersonNotFound()
  getPerson(@CurrentPrincipal() p: Principal, @Param('person_id', UuidParam) id: string): Promise<PersonOut> {
    return this.people.get(p, id);
  }

  @Patch(':person_id')
  @Auth('people:write')
  @ApiOperation({ summary: 'Update Person', description: 'Sets the fields given; `tags` replaces all tags; `external_id: null` clears it. Past renders keep what they resolved.' })
  @PersonIdParam()
  @ApiBody({ type: UpdatePersonDto })
  @ApiOkResponse({ description: 'Successful Response', type: PersonOut })
  @ApiErrors({ 400: PHOTO_400, 409: TAKEN_409 })
  @PersonNotFound()
  updatePerson(@CurrentPrincipal() p: Principal, @Param('person_id', UuidParam) id: string, @Body() body: UpdatePersonDto): Promise<PersonOut> {
    return this.people.update(p, id, body);
  }

  @Delete(':person_id')
  @Auth('people:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete Person', description: 'Soft delete: gone from reads, lists and new renders; past renders keep their result.' })
  @PersonIdParam()
  @ApiNoContentResponse({ description: 'Deleted' })
  @PersonNotFound()
  deletePerson(@CurrentPrincipal() p: Principal, @Param('person_id', UuidParam) id: string): Promise<void> {
    return this.people.remove(p, id);
  }
}
