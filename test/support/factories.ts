import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ImageEntity } from '../../src/images/image.entity.js';
import type { Scope } from '../../src/orgs/api-keys.js';
import { loadConfig } from '../../src/config/config.js';
import { publishKeyChange } from '../../src/orgs/key-events.js';
import { OrgsRepository } from '../../src/orgs/orgs.service.js';

export interface TestOrg {
  orgId: string;
  liveKey: string;
  testKey: string;
  repo: OrgsRepository;
}

export async function createOrg(ds: DataSource, name = `org-${randomUUID().slice(0, 8)}`): Promise<TestOrg> {
  const repo = new OrgsRepository(ds);
  const org = await repo.createOrg(name);
  const live = await repo.createKey(org.id, 'live');
  const test = await repo.createKey(org.id, 'test');
  return { orgId: org.id, liveKey: live.key, testKey: test.key, repo };
}

export async function createKey(ds: DataSource, orgId: string, scopes: Scope[], mode: 'live' | 'test' = 'live'): Promise<{ id: string; key: string }> {
  const k = await new OrgsRepository(ds).createKey(orgId, mode, { scopes });
  return { id: k.id, key: k.key };
}

export async function insertImage(ds: DataSource, orgId: string, fields: Partial<ImageEntity> = {}): Promise<ImageEntity> {
  const repo = ds.getRepository(ImageEntity);
  return repo.save(
    repo.create({
      orgId,
      templateId: randomUUID(),
      templateVersion: 1,
      status: 'pending',
      modifications: [{ name: 'headline', text: 'Hello' }],
      imageMetadata: {},
      isTest: false,
      ...fields,
    }),
  );
}

export const bearer = (key: string): Record<string, string> => ({ Authorization: `Bearer ${key}` });

/** Revokes a key the way the admin CLI does: in the database, then announced to every API process's key cache. */
export async function revokeKey(ds: DataSource, orgId: string, keyId: string): Promise<void> {
  if (!(await new OrgsRepository(ds).revokeKey(orgId, keyId))) throw new Error(`no active key ${keyId}`);
  const config = loadConfig();
  await publishKeyChange(config.redis, config.queuePrefix, { keyId });
}
