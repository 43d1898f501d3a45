import { SetMetadata } from '@nestjs/common';

/**
 * What one request takes from its key's per-minute budget. A read is cheap; a write touches the
 * database and may enqueue; a render occupies a worker for tens of milliseconds of CPU.
 */
export const RATE_COSTS = { read: 1, write: 2, render: 10 } as const;
export type RateCostKind = keyof typeof RATE_COSTS;

export const RATE_COST = 'imtegrate:rate-cost';

/** An operation's cost: a kind, optionally once per item of a body array (a collection costs a render per template). */
export interface RateCostRule {
  kind: RateCostKind;
  perItemOf?: string;
}

/** Marks an operation's cost; without it GET/HEAD cost a read and every other method a write. */
export const RateCost = (kind: RateCostKind, opts: { perItemOf?: string } = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_COST, { kind, ...opts } satisfies RateCostRule);

/**
 * The points a request takes. The body is parsed but not yet validated when the guard runs: a
 * `perItemOf` field that is not an array counts once (validation then refuses it).
 */
export function costOf(rule: RateCostRule | undefined, method: string, body?: unknown): number {
  const unit = RATE_COSTS[rule?.kind ?? (method === 'GET' || method === 'HEAD' ? 'read' : 'write')];
  if (!rule?.perItemOf || typeof body !== 'object' || body === null) return unit;
  const items = (body as Record<string, unknown>)[rule.perItemOf];
  return unit * (Array.isArray(items) ? Math.max(1, items.length) : 1);
}
