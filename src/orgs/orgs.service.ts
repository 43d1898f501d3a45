import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity, type KeyMode } from './api-key.entity.js';
import { generateKey, hashKey, SCOPES, type Scope } from './api-keys.js';
import { OrgEntity } from './org.entity.js';

export interface KeySummary {
  id: string;
  org_id: string;
  name: string;
  mode: KeyMode;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The key itself is shown exactly once, here. */
export type CreatedKey = KeySummary & { key: string };

export interface AuthenticatedKey {
  keyId: string;
  orgId: string;
  mode: KeyMode;
  scopes: Scope[];
}

const TOUCH_INTERVAL_MS = 60_000;

/** Plain class so the admin CLI can use it with a bare DataSource, outside Nest. */
export class OrgsRepository {
  /** When this process last wrote each key's last_used_at (ms), so most requests skip the write entirely. */
  private readonly touchedAt = new Map<string, number>();

  constructor(private readonly ds: DataSource) {}

  async createOrg(name: string): Promise<OrgEntity> {
    const repo = this.ds.getRepository(OrgEntity);
    return repo.save(repo.create({ name, signingSecret: randomBytes(32).toString('hex') }));
  }

  async findOrg(id: string): Promise<OrgEntity | null> {
    return this.ds.getRepository(OrgEntity).findOneBy({ id });
  }

  async createKey(orgId: string, mode: KeyMode, opts: { name?: string; scopes?: Scope[] } = {}): Promise<CreatedKey> {
    const gen = generateKey(mode);
    const repo = this.ds.getRepository(ApiKeyEntity);
    const row = await repo.save(
      repo.create({
        orgId,
        mode,
        name: opts.name ?? '',
        prefix: gen.prefix,
        secretHash: gen.secretHash,
        scopes: [...(opts.scopes ?? SCOPES)],
      }),
    );
    return { ...summarize(row), key: gen.key };
  }

  async listKeys(orgId: string): Promise<KeySummary[]> {
    const rows = await this.ds.getRepository(ApiKeyEntity).find({ where: { orgId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(summarize);
  }

  /** Returns the revoked key, or null when no active key of that org has this id. */
  async revokeKey(orgId: string, keyId: string): Promise<KeySummary | null> {
    const repo = this.ds.getRepository(ApiKeyEntity);
    const row = await repo.findOneBy({ id: keyId, orgId, revokedAt: IsNull() });
    if (!row) return null;
    row.revokedAt = new Date();
    await repo.save(row);
    return summarize(row);
  }

  async authenticate(key: string): Promise<AuthenticatedKey | null> {
    const row = await this.ds
      .getRepository(ApiKeyEntity)
      .findOneBy({ secretHash: hashKey(key), revokedAt: IsNull() });
    if (!row) return null;
    return { keyId: row.id, orgId: row.orgId, mode: row.mode, scopes: row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)) };
  }

  /**
   * Throttled to one write a minute per key so hot keys do not turn every read into a write: in
   * SQL across processes, and in this process without a round trip at all.
   */
  async touch(keyId: string, now = Date.now()): Promise<void> {
    const last = this.touchedAt.get(keyId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    // Bounded: forgetting a key only costs one more (throttled) UPDATE.
    if (this.touchedAt.size >= 10_000) this.touchedAt.clear();
    this.touchedAt.set(keyId, now);
    await this.ds.query(
      `UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [keyId],
    );
  }
}

function summarize(row: ApiKeyEntity): KeySummary {
  return {
    id: row.id,
    org_id: row.orgId,
    name: row.name,
    mode: row.mode,
    prefix: row.prefix,
    scopes: row.scopes,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
    revoked_at: row.revokedAt ? row.revokedAt.toISOString() : null,
  };
}

@Injectable()
export class OrgsService extends OrgsRepository {
  constructor(@InjectDataSource() ds: DataSource) {
    super(ds);
  }
}
