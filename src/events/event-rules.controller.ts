import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, coded } from '../http/openapi/error-responses.js';
import { Auth, CurrentPrincipal } from '../orgs/auth/auth.decorators.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { UuidParam } from '../validation/validation.pipe.js';
import { EventRulesService } from './event-rules.service.js';
import { CreateEventRuleDto, EventRuleList, EventRuleOut, RuleRunList, RuleRunOut, ScheduleOut, UpdateEventRuleDto } from './events.dto.js';
import { PageQuery } from '../validation/page-query.js';

const RuleIdParam = () => ApiParam({ name: 'rule_id', required: true, schema: { type: 'string', format: 'uuid', title: 'Rule Id' } });
const RuleNotFound = () => ApiErrors({ 404: 'No such event rule in your organisation' });
const Invalid = () =>
  ApiErrors({
    400: coded(
      '`{"detail": {"code", "errors": [{"name", "reason"}]}}` with code invalid_rule (trigger, schedule, mapping or filter; the name is the field, ' +
        'e.g. mapping.photo.image_url; a schedule firing more often than EVENT_SCHEDULE_MIN_INTERVAL_SECONDS names schedule.cron), template_not_found, ' +
        'template_archived, template_not_published, invalid_webhook_url (destination_url) or, on create, too_many_rules (MAX_EVENT_RULES_PER_ORG)',
    ),
  });

@ApiTags('event-rules')
// Referenced by $ref only (EventRuleOut.schedule, RuleRunList, IngestOut.runs): declared so they are components.
@ApiExtraModels(ScheduleOut, RuleRunOut)
@Controller('v1/event-rules')
export class EventRulesController {
  constructor(private readonly rules: EventRulesService) {}

  @Post()
  @Auth('rules:write', { destination_url: 'webhooks:write' })
  @ApiOperation({
    summary: 'Create Event Rule',
    description: 'Renders a template when an event of `event_type` arrives at one of your event sources, or on every tick of `schedule`.',
  })
  @ApiBody({ type: CreateEventRuleDto })
  @ApiCreatedResponse({ description: 'Successful Response', type: EventRuleOut })
  @Invalid()
  createEventRule(@CurrentPrincipal() p: Principal, @Body() body: CreateEventRuleDto): Promise<EventRuleOut> {
    return this.rules.create(p, body);
  }

  @Get()
  @Auth(['rules:read', 'rules:write'])
  @ApiOperation({ summary: 'List Event Rules' })
  @ApiOkResponse({ description: 'Successful Response', type: EventRuleList })
  listEventRules(@CurrentPrincipal() p: Principal, @Query() q: PageQuery): Promise<EventRuleList> {
    return this.rules.list(p, q);
  }

  @Get(':rule_id')
  @Auth(['rules:read', 'rules:write'])
  @ApiOperation({ summary: 'Get Event Rule' })
  @RuleIdParam()
  @ApiOkResponse({ description: 'Successful Response', type: EventRuleOut })
  @RuleNotFound()
  getEventRule(@CurrentPrincipal() p: Principal, @Param('rule_id', UuidParam) id: string): Promise<EventRuleOut> {
    return this.rules.get(p, id);
  }

  @Patch(':rule_id')
  @Auth('rules:write', { destination_url: 'webhooks:write' })
  @ApiOperation({ summary: 'Update Event Rule', description: 'null clears event_type, schedule or destination_url; the result is checked like a new rule.' })
  @RuleIdParam()
  @ApiBody({ type: UpdateEventRuleDto })
  @ApiOkResponse({ description: 'Successful Response', type: EventRuleOut })
  @Invalid()
  @RuleNotFound()
  updateEventRule(@CurrentPrincipal() p: Principal, @Param('rule_id', UuidParam) id: string, @Body() body: UpdateEventRuleDto): Promise<EventRuleOut> {
    return this.rules.update(p, id, body);
  }

  @Delete(':rule_id')
  @Auth('rules:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete Event Rule', description: 'The rule, its schedule and its runs go; the renders it made stay.' })
  @RuleIdParam()
  @ApiNoContentResponse({ description: 'Deleted' })
  @RuleNotFound()
  deleteEventRule(@CurrentPrincipal() p: Principal, @Param('rule_id', UuidParam) id: string): Promise<void> {
    return this.rules.delete(p, id);
  }

  @Get(':rule_id/runs')
  @Auth(['rules:read', 'rules:write'])
  @ApiOperation({ summary: 'List Event Rule Runs', description: 'Every firing of the rule, newest first: matched (with its image), skipped (the filter) or failed (why).' })
  @RuleIdParam()
  @ApiOkResponse({ description: 'Successful Response', type: RuleRunList })
  @RuleNotFound()
  listEventRuleRuns(@CurrentPrincipal() p: Principal, @Param('rule_id', UuidParam) id: string, @Query() q: PageQuery): Promise<RuleRunList> {
    return this.rules.runs(p, id, q);
  }
}
