import { afterAll, describe, expect, it } from '@jest/globals';
import { deserialize, serialize } from 'node:v8';
import { createJsonBodyPool, JsonBodyPool } from './json-body-pool.js';
import { readJsonBody, UnreadableJsonBody } from './json-body.middleware.js';
import { adoptSideTables, pyDumps, sideTablesOf } from './python-json.js';

/** Threads cannot run the .ts sources alone: the pool is pointed at a shim that installs a TypeScript loader. */
const entry = new URL('./json-body-pool.spec-entry.mjs', import.meta.url);
const PYTHONIC = '{"b":1.0,"2":[1e2,-0.0,3],"__proto__":{"x":1.50},"a":"\\u00e9"}';

describe('side tables across a structured clone', () => {
  it('keep number forms, key order and a __proto__ key of the clone', () => {
    const parsed = readJsonBody(Buffer.from(PYTHONIC));
    const clone = deserialize(serialize({ value: parsed, tables: sideTablesOf(parsed) })) as { value: object; tables: ReturnType<typeof sideTablesOf> };
    adoptSideTables(clone.tables);
    expect(pyDumps(clone.value)).toBe(pyDumps(parsed));
    expect(pyDumps(clone.value)).toBe('{"b":1.0,"2":[100.0,-0.0,3],"__proto__":{"x":1.5},"a":"é"}');
    // An own key, not the prototype: nothing of it shows through.
    expect((clone.value as { x?: unknown }).x).toBeUndefined();
    expect(Object.hasOwn(clone.value, '__proto__')).toBe(true);
  });
});

describe('JsonBodyPool', () => {
  const pool = new JsonBodyPool({ size: 1, timeoutMs: 5000, maxQueue: 1, maxValues: 1000, entry });
  afterAll(() => pool.close());

  it('reads in a thread what readJsonBody reads on the loop, and gives the bytes back', async () => {
    const big = Buffer.from(`{"pad":"${'x'.repeat(100_000)}","v":${PYTHONIC}}`);
    const copy = Buffer.from(big);
    const { body, bytes } = await pool.read(big);
    expect(pyDumps(body)).toBe(pyDumps(readJsonBody(copy)));
    expect(bytes.equals(copy)).toBe(true);
  }, 60_000);

  it("answers a malformed body with Python's exact error, and one over the value budget with a 413", async () => {
    for (const text of ['{"a":[1,2', '[1,]', `[${'1,'.repeat(5000)}x]`]) {
      expect((await pool.read(Buffer.from(text))).body).toEqual(readJsonBody(Buffer.from(text)));
    }
    const many = (await pool.read(Buffer.from(`[${'1,'.repeat(5000)}1]`))).body;
    expect(many).toBeInstanceOf(UnreadableJsonBody);
    expect((many as UnreadableJsonBody).toError()).toMatchObject({ detail: 'Request body too complex: it holds 5002 JSON values; the limit is 1000' });
  }, 60_000);

  it('is not used from TypeScript sources, where no compiled entry exists', () => {
    expect(createJsonBodyPool({ size: 1, timeoutMs: 1, maxQueue: 1, maxValues: 1, entry: new URL('./no-such-entry.js', import.meta.url) })).toBeUndefined();
  });
});
