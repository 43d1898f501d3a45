import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader } from '@nestjs/swagger';
import type { Scope } from '../api-keys.js';
import { ApiErrors } from '../../http/openapi/error-responses.js';
import { AuthGuard } from './auth.guard.js';
import type { AuthenticatedRequest, Principal } from './auth.types.js';

export const REQUIRED_SCOPE = 'imtegrate:required-scope';

/** What an operation needs: any one of `anyOf` (when not empty), every one of `allOf`, plus a further scope for each body field that is set. */
export interface ScopeRule {
  anyOf: readonly Scope[];
  /** An operation with two effects (a batch render reads people and writes images) needs both scopes. */
  allOf?: readonly Scope[];
  /** A body field whose effect needs its own scope (setting `webhook_url` needs `webhooks:write`). */
  bodyFields?: Readonly<Record<string, Scope>>;
}

/** The 403 detail for a key that lacks what a rule asks for. */
export function missingScopeDetail(anyOf: readonly Scope[]): string {
  return anyOf.length === 1
    ? `This API key lacks the '${anyOf[0]}' scope`
    : `This API key lacks every one of the scopes ${anyOf.map((s) => `'${s}'`).join(', ')}; it needs one of them`;
}

/**
 * Bearer-key auth with the scope(s) of the operation's effect: a key needs one of `scopes`, and
 * for every field of `bodyFields` the request sets, that field's scope too. Declares the
 * Authorization header parameter the seed contract lists, plus a security scheme so Swagger UI's
 * Authorize button works (Swagger UI ignores header parameters named Authorization).
 */
export function Auth(
  scopes: Scope | readonly Scope[] | { allOf: readonly Scope[] },
  bodyFields?: Readonly<Record<string, Scope>>,
): MethodDecorator & ClassDecorator {
  const needs = typeof scopes === 'string' ? { anyOf: [scopes] } : 'allOf' in scopes ? { anyOf: [], allOf: scopes.allOf } : { anyOf: scopes };
  const rule: ScopeRule = { ...needs, ...(bodyFields ? { bodyFields } : {}) };
  const needed = rule.allOf ? `${rule.allOf.join(' and ')} scopes (it needs all of them)` : `${rule.anyOf.join(' or ')} scope`;
  const fieldNote = Object.entries(bodyFields ?? {})
    .map(([field, scope]) => `, or sets \`${field}\` without the ${scope} scope`)
    .join('');
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPE, rule),
    UseGuards(AuthGuard),
    ApiBearerAuth('HTTPBearer'),
    ApiHeader({ name: 'Authorization', required: false, schema: { anyOf: [{ type: 'string' }, { type: 'null' }], title: 'Authorization' } as never }),
    ApiErrors({
      401: 'Missing, malformed, unknown or revoked API key',
      403: `The key lacks the ${needed}${fieldNote}`,
    }),
  );
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a route without @Auth');
  return req.principal;
});
