import type { Request } from 'express';
import type { KeyMode } from '../api-key.entity.js';
import type { Scope } from '../api-keys.js';

export interface Principal {
  orgId: string;
  keyId: string;
  mode: KeyMode;
  scopes: readonly Scope[];
  /** The key's own per-minute budget (null: the default), for charges made after the guard's. */
  rateLimitPerMinute: number | null;
}

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}
