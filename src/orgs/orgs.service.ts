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
  /** null = the RATE_LIMIT_PER_MINUTE default; 0 = unlimited. */
  rate_limit_per_minute: number | null;
}

/** The key itself is shown exactly once, here. */
export type CreatedKey = KeySummary & { key: string };

export interface AuthenticatedKey {
  keyId: string;
  orgId: string;
  mode: KeyMode;
  scopes: Scope[];
  /** null = the default; 0 = unlimited. */
  rateLimitPerMinute: number | null;
}

const newSigningSecret = (): string => randomBytes(32).toString('hex');

/** Plain class so the admin CLI can use it with a bare DataSource, outside Nest. */
export class OrgsRepository {
  constructor(private readonly ds: DataSource) {}

  async createOrg(name: string): Promise<OrgEntity> {
    const repo = this.ds.getRepository(OrgEntity);
    return repo.save(repo.create({ name, signingSecret: newSigningSecret() }));
  }

  /**
   * A new signing secret for per-render webhook_url deliveries; null when there is no such
   * organisation. Attempts made from now on (retries of earlier events too) are signed with it.
   */
  async rotateSigningSecret(id: string): Promise<OrgEntity | null> {
    const res = (await this.ds.query(`UPDATE organizations SET signing_secret = $2 WHERE id = $1`, [id, newSigningSecret()])) as [unknown[], number];
    return res[1] > 0 ? this.findOrg(id) : null;
  }

  async findOrg(id: string): Promise<OrgEntity | null> {
    return this.ds.getRepository(OrgEntity).findOneBy({ id });
  }

  async createKey(orgId: string, mode: KeyMode, opts: { name?: string; scopes?: Scope[]; rateLimitPerMinute?: number | null } = {}): Promise<CreatedKey> {
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
        rateLimitPerMinute: opts.rateLimitPerMinute ?? null,
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

  /** Sets (a number, 0 = unlimited) or clears (null = the default) a key's rate limit; null when no active key of that org has this id. */
  async updateKeyRateLimit(orgId: string, keyId: string, rateLimitPerMinute: number | null): Promise<KeySummary | null> {
    const repo = this.ds.getRepository(ApiKeyEntity);
    const row = await repo.findOneBy({ id: keyId, orgId, revokedAt: IsNull() });
    if (!row) return null;
    row.rateLimitPerMinute = rateLimitPerMinute;
    await repo.save(row);
    return summarize(row);
  }

  authenticate(key: string): Promise<AuthenticatedKey | null> {
    return this.authenticateHash(hashKey(key));
  }

  /** One indexed read; raw SQL because it runs on every request that misses the key cache. */
  async authenticateHash(secretHash: string): Promise<AuthenticatedKey | null> {
    const rows = (await this.ds.query(
      `SELECT id, org_id, mode, scopes, rate_limit_per_minute FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL`,
      [secretHash],
    )) as { id: string; org_id: string; mode: KeyMode; scopes: string[]; rate_limit_per_minute: number | null }[];
    const row = rows[0];
    if (!row) return null;
    return {
      keyId: row.id,
      orgId: row.org_id,
      mode: row.mode,
      scopes: row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
      rateLimitPerMinute: row.rate_limit_per_minute,
    };
  }

  /** One write for many keys (the API batches uses in memory); never moves last_used_at backwards. */
  async recordLastUsed(uses: ReadonlyMap<string, number>): Promise<void> {
    if (uses.size === 0) return;
    await this.ds.query(
      `UPDATE api_keys k SET last_used_at = u.at
       FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)
       WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
      [[...uses.keys()], [...uses.values()].map((ms) => new Date(ms).toISOString())],
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
    rate_limit_per_minute: row.rateLimitPerMinute,
  };
}

@Injectable()
export class OrgsService extends OrgsRepository {
  constructor(@InjectDataSource() ds: DataSource) {
    super(ds);
  }
}
