import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OrgsService } from '../orgs.service.js';
import { ApiError } from '../../http/api-error.js';
import { REQUIRED_SCOPE } from './auth.decorators.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import type { AuthenticatedRequest } from './auth.types.js';
import type { Scope } from '../api-keys.js';

const BEARER = { 'WWW-Authenticate': 'Bearer' };

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly orgs: OrgsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const parsed = parseAuthorizationHeader(req.headers.authorization);
    if (parsed.kind === 'missing') throw new ApiError(401, 'Not authenticated', BEARER);
    if (parsed.kind === 'malformed') throw new ApiError(401, 'Invalid API key', BEARER);
    const found = await this.orgs.authenticate(parsed.key);
    if (!found) throw new ApiError(401, 'Invalid API key', BEARER);

    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [ctx.getHandler(), ctx.getClass()]);
    if (scope && !found.scopes.includes(scope)) {
      throw new ApiError(403, `This API key lacks the '${scope}' scope`);
    }
    req.principal = { orgId: found.orgId, keyId: found.keyId, mode: found.mode, scopes: found.scopes };
    this.orgs.touch(found.keyId).catch((err: unknown) => this.logger.warn(`last_used_at update failed: ${String(err)}`));
    return true;
  }
}
