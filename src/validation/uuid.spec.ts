import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseUuid, uuidParsingDetail } from './uuid.js';

type Vector =
  | { input: string; valid: true; canonical: string }
  | { input: string; valid: false; status: number; body: { detail: { loc: (string | number)[]; ctx: { error: string } }[] } };

const vectors = JSON.parse(
  readFileSync(path.resolve(process.cwd(), 'test/contract/image-id-vectors.json'), 'utf8'),
) as Vector[];

const CANON = '3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13';
const err = (input: string): string => {
  const r = parseUuid(input);
  if (r.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return r.error;
};

describe('parseUuid against the contract vectors', () => {
  it('has vectors to run', () => {
    expect(vectors.length).toBeGreaterThan(20);
  });

  it.each(vectors.map((v) => [JSON.stringify(v.input), v] as const))('%s', (_name, v) => {
    const r = parseUuid(v.input);
    if (v.valid) {
      expect(r).toEqual({ ok: true, value: v.canonical });
      return;
    }
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBe(v.body.detail[0].ctx.error);
    // The whole detail item, byte for byte, through the same serialisation the filter uses.
    expect(JSON.stringify({ detail: [uuidParsingDetail(['path', 'image_id'], v.input, r.error)] })).toBe(JSON.stringify(v.body));
  });
});

describe('parseUuid beyond the vectors (uuid-rs rules)', () => {
  it('accepts every form in any case and canonicalises to lowercase hyphenated', () => {
    const upper = CANON.toUpperCase();
    for (const input of [CANON, upper, CANON.replace(/-/g, ''), `{${upper}}`, `urn:uuid:${upper}`, '00000000000000000000000000000000']) {
      const r = parseUuid(input);
      expect(r.ok).toBe(true);
    }
    expect(parseUuid(`{${upper}}`)).toEqual({ ok: true, value: CANON });
    expect(parseUuid('00000000000000000000000000000000')).toEqual({ ok: true, value: '00000000-0000-0000-0000-000000000000' });
  });

  it('does not accept prefixes in another case or other wrappers', () => {
    expect(err(`URN:UUID:${CANON}`)).toBe('invalid character: found `U` at 1');
    expect(err(`(${CANON})`)).toBe('invalid character: found `(` at 1');
    expect(err(`{${CANON.replace(/-/g, '')}}`)).toBe('invalid group count: expected 5, found 1');
  });

  it('reports an empty string as a simple-format length error', () => {
    expect(err('')).toBe('invalid length: expected length 32 for simple format, found 0');
  });

  it('reports the first bad character of a 36-byte input by its 1-based position', () => {
    const bad = (i: number, ch: string): string => CANON.slice(0, i) + ch + CANON.slice(i + 1);
    expect(err(bad(0, 'z'))).toBe('invalid character: found `z` at 1');
    expect(err(bad(35, 'z'))).toBe('invalid character: found `z` at 36');
    expect(err(bad(8, 'z'))).toBe('invalid character: found `z` at 9');
    // A misplaced hyphen is a group-length error, not a character error.
    expect(err(bad(7, '-'))).toBe('invalid group count: expected 5, found 6');
    expect(err(bad(8, '0'))).toBe('invalid group count: expected 5, found 4');
    // Two bad characters: the first one wins.
    expect(err(bad(3, 'x').replace('7c13', '7c1y'))).toBe('invalid character: found `x` at 4');
  });

  it('counts positions in UTF-8 bytes, reporting multi-byte characters whole', () => {
    expect(err('é')).toBe('invalid character: found `é` at 1');
    expect(err('aé')).toBe('invalid character: found `é` at 2');
    expect(err('ab😀')).toBe('invalid character: found `😀` at 3');
    expect(err('日本')).toBe('invalid character: found `日` at 1');
    // 34 ASCII + 'é' (2 bytes) = 36 bytes: dispatched as hyphenated, reported at byte 35.
    expect(err(`${CANON.slice(0, 34)}é`)).toBe('invalid character: found `é` at 35');
  });

  it('counts a braced or URN prefix in positions, except when the wrapper had the right length', () => {
    expect(err('{xyz}')).toBe('invalid character: found `x` at 2');
    expect(err('urn:uuid:xyz')).toBe('invalid character: found `x` at 10');
    // 38-byte braced and 45-byte URN inputs fail on the 36 bytes inside, without the prefix.
    expect(err(`{${CANON.slice(0, 35)}g}`)).toBe('invalid character: found `g` at 36');
    expect(err(`urn:uuid:${CANON.slice(0, 35)}g`)).toBe('invalid character: found `g` at 36');
  });

  it('measures the last group against the whole input, prefix included (uuid-rs quirk)', () => {
    expect(err(`urn:uuid:${CANON}0`)).toBe('invalid group length in group 4: expected 12, found 22');
    expect(err(`{${CANON}0}`)).toBe('invalid group length in group 4: expected 12, found 15');
    expect(err(`${CANON}0`)).toBe('invalid group length in group 4: expected 12, found 13');
  });

  it('reports group counts and lengths', () => {
    expect(err('-')).toBe('invalid group count: expected 5, found 2');
    expect(err('a-b-c-d-e')).toBe('invalid group length in group 0: expected 8, found 1');
    expect(err('12345678-12345-1234-1234-123456789012')).toBe('invalid group length in group 1: expected 4, found 5');
    expect(err('12345678-1234-123-1234-123456789012')).toBe('invalid group length in group 2: expected 4, found 3');
    expect(err('12345678-1234-1234-12345-12345678901')).toBe('invalid group length in group 3: expected 4, found 5');
    expect(err('1234567812341234123412345678901')).toBe('invalid length: expected length 32 for simple format, found 31');
  });

  it('treats control characters and spaces as bad characters', () => {
    expect(err(' ')).toBe('invalid character: found ` ` at 1');
    expect(err('\n')).toBe('invalid character: found `\n` at 1');
  });

  it('builds the FastAPI detail item with keys in FastAPI order', () => {
    const item = uuidParsingDetail(['path', 'image_id'], 'xyz', 'invalid character: found `x` at 1');
    expect(Object.keys(item)).toEqual(['type', 'loc', 'msg', 'input', 'ctx']);
    expect(item.msg).toBe('Input should be a valid UUID, invalid character: found `x` at 1');
  });
});
