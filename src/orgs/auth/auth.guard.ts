import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { ApiError } from '../../http/api-error.js';
import { costOf, RATE_COST, type RateCostRule } from '../../rate-limit/rate-cost.js';
import { RateLimiter, rateLimitHeaders } from '../../rate-limit/rate-limiter.js';
import { missingScopeDetail, REQUIRED_SCOPE, type ScopeRule } from './auth.decorators.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import type { AuthenticatedRequest, Principal } from './auth.types.js';
import type { AuthenticatedKey } from '../orgs.service.js';
import { LastUsedRecorder } from './last-used.js';
import { VerifiedKeys } from './verified-keys.js';

const BEARER = { 'WWW-Authenticate': 'Bearer' };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: VerifiedKeys,
    private readonly lastUsed: LastUsedRecorder,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const parsed = parseAuthorizationHeader(req.headers.authorization);
    if (parsed.kind === 'missing') throw new ApiError(401, 'Not authenticated', BEARER);
    if (parsed.kind === 'malformed') throw new ApiError(401, 'Invalid API key', BEARER);
    const found = await this.keys.authenticate(parsed.key);
    if (!found) throw new ApiError(401, 'Invalid API key', BEARER);
    const cost = this.reflector.getAllAndOverride<RateCostRule | undefined>(RATE_COST, [ctx.getHandler(), ctx.getClass()]);
    const rule = this.reflector.getAllAndOverride<ScopeRule | undefined>(REQUIRED_SCOPE, [ctx.getHandler(), ctx.getClass()]);
    req.principal = await this.admit(found, costOf(cost, req.method, req.body), rule, req.body, (headers) => http.getResponse<Response>().set(headers));
    return true;
  }

  /**
   * What follows a verified key, for the guard and for the read fast lane alike: the use is
   * recorded, the budget charged (RateLimit-* through `setHeaders`, a 429 beyond it), then the
   * scope checked (counted before it: a key hammering operations it may not use spends its
   * budget too) and the principal made. Throws the ApiError to answer.
   */
  async admit(
    found: AuthenticatedKey,
    cost: number,
    rule: ScopeRule | undefined,
    body: unknown,
    setHeaders: (headers: Record<string, string>) => void,
  ): Promise<Principal> {
    this.lastUsed.touch(found.keyId);
    const decision = await this.limiter.consume(found.keyId, found.rateLimitPerMinute, cost);
    if (decision.kind === 'allowed' || decision.kind === 'limited') {
      const headers = rateLimitHeaders(decision);
      // On the response now, so every answer from here on (2xx, 4xx, 5xx) carries them.
      setHeaders(headers);
      if (decision.kind === 'limited') throw new ApiError(429, 'Rate limit exceeded', { ...headers, 'Retry-After': String(decision.resetSeconds) });
    }
    if (rule) {
      if (rule.anyOf.length && !rule.anyOf.some((s) => found.scopes.includes(s))) throw new ApiError(403, missingScopeDetail(rule.anyOf));
      const lacking = rule.allOf?.find((s) => !found.scopes.includes(s));
      if (lacking) throw new ApiError(403, missingScopeDetail([lacking]));
      // The body is parsed by the HTTP layer's middleware before guards run; only its own keys count.
      for (const [field, scope] of Object.entries(rule.bodyFields ?? {})) {
        const set = typeof body === 'object' && body !== null && Object.hasOwn(body, field) && (body as Record<string, unknown>)[field] !== null;
        if (set && !found.scopes.includes(scope)) throw new ApiError(403, `Setting ${field} needs the '${scope}' scope, which this API key lacks`);
      }
    }
    return { orgId: found.orgId, keyId: found.keyId, mode: found.mode, scopes: found.scopes, rateLimitPerMinute: found.rateLimitPerMinute };
  }
}
