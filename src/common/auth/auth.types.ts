import type { Request } from 'express';
import type { KeyMode } from '../../orgs/api-key.entity.js';
import type { Scope } from '../../orgs/api-keys.js';

export interface Principal {
  orgId: string;
  keyId: string;
  mode: KeyMode;
  scopes: readonly Scope[];
}

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}
