import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { Scope } from '../api-keys.js';
import { ErrorDetailSchema } from '../../http/openapi/error-schemas.js';
import { AuthGuard } from './auth.guard.js';
import type { AuthenticatedRequest, Principal } from './auth.types.js';

export const REQUIRED_SCOPE = 'imtegrate:required-scope';

/**
 * Bearer-key auth with one required scope. Declares the Authorization header parameter the seed
 * contract lists, plus a security scheme so Swagger UI's Authorize button works (Swagger UI ignores
 * header parameters named Authorization).
 */
export function Auth(scope: Scope): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    UseGuards(AuthGuard),
    ApiBearerAuth('HTTPBearer'),
    ApiHeader({ name: 'Authorization', required: false, schema: { anyOf: [{ type: 'string' }, { type: 'null' }], title: 'Authorization' } as never }),
    ApiResponse({ status: 401, description: 'Missing, malformed, unknown or revoked API key', type: ErrorDetailSchema }),
    ApiResponse({ status: 403, description: `The key lacks the ${scope} scope`, type: ErrorDetailSchema }),
  );
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a route without @Auth');
  return req.principal;
});
