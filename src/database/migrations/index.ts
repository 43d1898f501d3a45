import { Init1764345600000 } from './1764345600000-init.js';
import { TemplatesAssets1764432000000 } from './1764432000000-templates-assets.js';
import { Idempotency1764518400000 } from './1764518400000-idempotency.js';
import { RateLimits1764604800000 } from './1764604800000-rate-limits.js';
import { Outbox1764648000000 } from './1764648000000-outbox.js';
import { IdempotencyLease1764691200000 } from './1764691200000-idempotency-lease.js';
import { RenderLease1764777600000 } from './1764777600000-render-lease.js';
import { WebhookEndpoints1764864000000 } from './1764864000000-webhook-endpoints.js';
import { Collections1764950400000 } from './1764950400000-collections.js';
import { People1765036800000 } from './1765036800000-people.js';
import { EventRules1765123200000 } from './1765123200000-event-rules.js';
import { Videos1765209600000 } from './1765209600000-videos.js';
import { CollectionPeople1765382400000 } from './1765382400000-collection-people.js';
import { GrantNewScopes1765468800000 } from './1765468800000-grant-new-scopes.js';
import { EventRetention1765555200000 } from './1765555200000-event-retention.js';

/** Explicit list: globs do not work under ESM/ts-jest, and the order must be stable. */
export const MIGRATIONS = [
  Init1764345600000,
  TemplatesAssets1764432000000,
  Idempotency1764518400000,
  RateLimits1764604800000,
  Outbox1764648000000,
  IdempotencyLease1764691200000,
  RenderLease1764777600000,
  WebhookEndpoints1764864000000,
  Collections1764950400000,
  People1765036800000,
  EventRules1765123200000,
  Videos1765209600000,
  CollectionPeople1765382400000,
  GrantNewScopes1765468800000,
  EventRetention1765555200000,
];
