import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { hashKey } from '../api-keys.js';
import { keyEventsChannel, type KeyChange } from '../key-events.js';
import { type AuthenticatedKey, OrgsService } from '../orgs.service.js';

/** Far above any real number of active keys per process; only bounds memory. */
const MAX_ENTRIES = 10_000;

interface Entry {
  key: AuthenticatedKey;
  expiresAt: number;
}

/**
 * A short-lived in-process cache of verified keys (by hash), so a hot key costs no query. It is
 * trusted only while this process is subscribed to the key-change channel: a revocation published
 * by the CLI drops the key at once on every API process; while the subscription is down nothing
 * is cached and everything cached before is dropped (a missed message must not keep a revoked key
 * alive). Unknown keys are never cached, so a key is usable the moment it is created.
 */
@Injectable()
export class VerifiedKeys implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(VerifiedKeys.name);
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a lookup that started before one must not store its (maybe stale) answer. */
  private generation = 0;
  private subscribed = false;
  private sub?: Redis;

  constructor(
    private readonly orgs: OrgsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.apiKeyCacheTtlMs === 0) return;
    const channel = keyEventsChannel(this.config.queuePrefix);
    const sub = new Redis({ ...this.config.redis, lazyConnect: true, maxRetriesPerRequest: null });
    this.sub = sub;
    sub.on('message', (_channel: string, message: string) => this.onMessage(message));
    sub.on('error', (err: Error) => this.logger.warn(`key-change subscription: ${err.message}`));
    sub.on('close', () => {
      if (this.subscribed) this.logger.warn('key-change subscription lost: the key cache is off until it is back');
      this.subscribed = false;
      this.clear();
    });
    // ioredis re-subscribes on reconnect; 'ready' comes after the SUBSCRIBE was re-sent.
    sub.on('ready', () => {
      sub.subscribe(channel).then(
        () => {
          this.clear();
          this.subscribed = true;
        },
        (err: unknown) => this.logger.warn(`key-change subscribe failed: ${String(err)}`),
      );
    });
    // Start-up never waits on Redis: until subscribed, every request reads the database.
    sub.connect().catch((err: unknown) => this.logger.warn(`key-change subscription: ${String(err)}`));
  }

  onModuleDestroy(): void {
    this.subscribed = false;
    this.sub?.disconnect();
  }

  /** The cached answer for a key, without a query (undefined: not cached, or the cache is not trusted now). */
  peek(key: string): AuthenticatedKey | undefined {
    const hit = this.entries.get(hashKey(key));
    return hit && hit.expiresAt > Date.now() && this.subscribed ? hit.key : undefined;
  }

  async authenticate(key: string): Promise<AuthenticatedKey | null> {
    const hash = hashKey(key);
    const now = Date.now();
    const hit = this.entries.get(hash);
    if (hit) {
      if (hit.expiresAt > now && this.subscribed) return hit.key;
      this.entries.delete(hash);
    }
    const generation = this.generation;
    const found = await this.orgs.authenticateHash(hash);
    if (found && this.subscribed && generation === this.generation) {
      // Map order is insertion order: drop the oldest entry when full.
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(hash, { key: found, expiresAt: now + this.config.apiKeyCacheTtlMs });
    }
    return found;
  }

  /** Whether cached answers are trusted right now (the subscription is up). */
  get active(): boolean {
    return this.subscribed;
  }

  private onMessage(message: string): void {
    let change: Partial<KeyChange>;
    try {
      change = JSON.parse(message) as Partial<KeyChange>;
    } catch {
      change = {};
    }
    this.generation++;
    if (typeof change.keyId !== 'string') return this.clear();
    for (const [hash, entry] of this.entries) if (entry.key.keyId === change.keyId) this.entries.delete(hash);
  }

  private clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
