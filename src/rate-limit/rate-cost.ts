import { SetMetadata } from '@nestjs/common';

/**
 * What one request takes from its key's per-minute budget. A read is cheap; a write touches the
 * database and may enqueue; a render occupies a worker for tens of milliseconds of CPU.
 */
export const RATE_COSTS = { read: 1, write: 2, render: 10 } as const;
export type RateCostKind = keyof typeof RATE_COSTS;

export const RATE_COST = 'imtegrate:rate-cost';

/** Marks an operation's cost; without it GET/HEAD cost a read and every other method a write. */
export const RateCost = (kind: RateCostKind): MethodDecorator & ClassDecorator => SetMetadata(RATE_COST, kind);

export function costOf(kind: RateCostKind | undefined, method: string): number {
  return RATE_COSTS[kind ?? (method === 'GET' || method === 'HEAD' ? 'read' : 'write')];
}
