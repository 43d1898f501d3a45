import type { Request } from 'express';
import type { KeyMode } from '../api-key.entity.js';
import type { Scope } from '../api-keys.js';

export interface Principal {
  orgId: string;
  keyId: string;
  mode: KeyMode;
  scopes: readonly Scope[];
}

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}
