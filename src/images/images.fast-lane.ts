import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastLane, FastRoute } from '../http/fast-lane.js';
import { REQUIRED_SCOPE, type ScopeRule } from '../orgs/auth/auth.decorators.js';
import { AuthGuard } from '../orgs/auth/auth.guard.js';
import { parseAuthorizationHeader } from '../orgs/auth/authorization-header.js';
import { VerifiedKeys } from '../orgs/auth/verified-keys.js';
import type { AuthenticatedKey } from '../orgs/orgs.service.js';
import { costOf, RATE_COST, type RateCostRule } from '../rate-limit/rate-cost.js';
import { ImagesController } from './images.controller.js';
import { ListImagesQuery } from './images.dto.js';
import { ImagesService } from './images.service.js';

/** A canonical image id: what UuidParam turns any accepted form into, so it passes unchanged. */
const CANONICAL_ID = /^\/v1\/images\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * GET /v1/images/{image_id} and GET /v1/images (no query) of a key in the verified-key cache, on
 * the HTTP fast lane (http/fast-lane.ts). The scope and rate cost are read from the controller's
 * own decorators, and the key goes through AuthGuard.admit like on the controller's route; the
 * answer comes from the same service methods. Anything this lane cannot be sure to answer as the
 * controller would (a query string, another id spelling, a request body, an unknown, uncached or
 * under-scoped key, a conditional request) goes to Express as before.
 */
@Injectable()
export class ImagesFastLane implements FastLane {
  private readonly routes: Record<'get' | 'list', { rule: ScopeRule | undefined; cost: number }>;

  constructor(
    private readonly keys: VerifiedKeys,
    private readonly auth: AuthGuard,
    private readonly images: ImagesService,
    reflector: Reflector,
  ) {
    const of = (handler: (...args: never[]) => unknown) => ({
      rule: reflector.get<ScopeRule | undefined>(REQUIRED_SCOPE, handler),
      cost: costOf(reflector.get<RateCostRule | undefined>(RATE_COST, handler), 'GET'),
    });
    const proto = ImagesController.prototype;
    this.routes = { get: of(proto.getImage), list: of(proto.listImages) };
  }

  take(req: IncomingMessage): FastRoute | undefined {
    if (req.method !== 'GET') return undefined;
    const url = req.url ?? '';
    const byId = url.length === 47 ? CANONICAL_ID.exec(url) : null;
    if (byId === null && url !== '/v1/images') return undefined;
    const h = req.headers;
    // A body, or a question Express could answer 304: the ordinary path.
    if ((h['content-length'] !== undefined && h['content-length'] !== '0') || h['transfer-encoding'] !== undefined) return undefined;
    if (h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined) return undefined;
    const parsed = parseAuthorizationHeader(h.authorization);
    if (parsed.kind !== 'key') return undefined;
    const found = this.keys.peek(parsed.key);
    const route = this.routes[byId ? 'get' : 'list'];
    if (!found || !permits(found, route.rule)) return undefined;
    const admit = (res: { setHeader(name: string, value: string): unknown }) =>
      this.auth.admit(found, route.cost, route.rule, undefined, (headers) => {
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      });
    if (byId) {
      const id = byId[1];
      return { route: '/v1/images/:image_id', answer: async (res) => ({ status: 200, body: await this.images.get(await admit(res), id) }) };
    }
    return { route: '/v1/images', answer: async (res) => ({ status: 200, body: await this.images.listQuery(await admit(res), new ListImagesQuery()) }) };
  }
}

/** A key lacking the scope is answered 403 by the guard, after its budget is charged: the ordinary path does both. */
function permits(found: AuthenticatedKey, rule: ScopeRule | undefined): boolean {
  return rule === undefined || rule.anyOf.some((s) => found.scopes.includes(s));
}
