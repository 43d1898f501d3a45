import { createHash, randomBytes } from 'node:crypto';
import type { KeyMode } from './api-key.entity.js';

export const SCOPES = ['images:read', 'images:write', 'templates:read', 'templates:write', 'webhooks:read', 'webhooks:write', 'people:read', 'people:write', 'rules:read', 'rules:write'] as const;
export type Scope = (typeof SCOPES)[number];

const KEY_PATTERN = /^ik_(live|test)_([A-Za-z0-9_-]{40})$/;

export interface GeneratedKey {
  key: string;
  prefix: string;
  secretHash: string;
  mode: KeyMode;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** 30 random bytes = 240 bits, base64url: 40 characters after the mode prefix. */
export function generateKey(mode: KeyMode): GeneratedKey {
  const key = `ik_${mode}_${randomBytes(30).toString('base64url')}`;
  return { key, prefix: key.slice(0, 16), secretHash: hashKey(key), mode };
}

/** Syntax only; whether the key exists is the database's call. */
export function parseKey(key: string): { mode: KeyMode } | null {
  const m = KEY_PATTERN.exec(key);
  return m ? { mode: m[1] as KeyMode } : null;
}

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}
