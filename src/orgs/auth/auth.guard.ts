import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OrgsService } from '../orgs.service.js';
import { ApiError } from '../../http/api-error.js';
import { missingScopeDetail, REQUIRED_SCOPE, type ScopeRule } from './auth.decorators.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import type { AuthenticatedRequest } from './auth.types.js';

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

    const rule = this.reflector.getAllAndOverride<ScopeRule | undefined>(REQUIRED_SCOPE, [ctx.getHandler(), ctx.getClass()]);
    if (rule) {
      if (!rule.anyOf.some((s) => found.scopes.includes(s))) throw new ApiError(403, missingScopeDetail(rule.anyOf));
      // The body is parsed by the HTTP layer's middleware before guards run; only its own keys count.
      const body = req.body as unknown;
      for (const [field, scope] of Object.entries(rule.bodyFields ?? {})) {
        const set = typeof body === 'object' && body !== null && Object.hasOwn(body, field) && (body as Record<string, unknown>)[field] !== null;
        if (set && !found.scopes.includes(scope)) throw new ApiError(403, `Setting ${field} needs the '${scope}' scope, which this API key lacks`);
      }
    }
    req.principal = { orgId: found.orgId, keyId: found.keyId, mode: found.mode, scopes: found.scopes };
    this.orgs.touch(found.keyId).catch((err: unknown) => this.logger.warn(`last_used_at update failed: ${String(err)}`));
    return true;
  }
}
