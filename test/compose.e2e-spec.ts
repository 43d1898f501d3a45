import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';

/** docker-compose.yml must never ship a secret: compose has to refuse to start without one. */
const text = readFileSync(resolve(process.cwd(), 'docker-compose.yml'), 'utf8');
const SECRET_NAMES = ['SIGNING_SECRET', 'POSTGRES_PASSWORD'];

describe('docker-compose.yml secrets', () => {
  it('parses', () => {
    expect(yaml.load(text)).toHaveProperty('services.api');
  });

  it.each(SECRET_NAMES)('%s is required (${%s:?...}) and has no default', (name) => {
    const uses = [...text.matchAll(new RegExp(`\\$\\{${name}([^}]*)\\}`, 'g'))].map((m) => m[1]);
    expect(uses.length).toBeGreaterThan(0);
    for (const rest of uses) expect(rest.startsWith(':?')).toBe(true);
  });

  it('no service sets a literal secret or password', () => {
    const doc = yaml.load(text) as { services: Record<string, { environment?: Record<string, string> }> };
    for (const [service, def] of Object.entries(doc.services)) {
      for (const [key, value] of Object.entries(def.environment ?? {})) {
        if (/SECRET|PASSWORD/.test(key)) expect([service, key, String(value).startsWith('${')]).toEqual([service, key, true]);
        if (key === 'DATABASE_URL') expect(String(value)).toContain('${POSTGRES_PASSWORD:?');
      }
    }
  });
});
