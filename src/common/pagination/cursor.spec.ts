import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor, toPage } from './cursor.js';

const id = '3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13';

describe('cursor', () => {
  it('round-trips a position with millisecond precision', () => {
    const pos = { createdAt: new Date('2026-11-28T10:11:12.345Z'), id };
    const raw = encodeCursor(pos);
    expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(raw)).toEqual(pos);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc$%'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['an object', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad id', Buffer.from(JSON.stringify(['2026-11-28T10:11:12.345Z', 'x'])).toString('base64url')],
    ['a bad date', Buffer.from(JSON.stringify(['yesterday', id])).toString('base64url')],
    ['a non-canonical date', Buffer.from(JSON.stringify(['2026-11-28', id])).toString('base64url')],
    ['three elements', Buffer.from(JSON.stringify(['2026-11-28T10:11:12.345Z', id, 1])).toString('base64url')],
    ['too long', 'a'.repeat(300)],
  ])('refuses %s', (_, raw) => {
    expect(decodeCursor(raw)).toBeNull();
  });

  it('builds a page from limit + 1 rows', () => {
    const rows = [3, 2, 1].map((n) => ({ createdAt: new Date(n * 1000), id, n }));
    const page = toPage(rows, 2, (r) => r.n);
    expect(page).toMatchObject({ object: 'list', data: [3, 2], has_more: true });
    expect(decodeCursor(page.next_cursor as string)).toEqual({ createdAt: new Date(2000), id });
    expect(toPage(rows.slice(0, 2), 2, (r) => r.n)).toEqual({ object: 'list', data: [3, 2], has_more: false, next_cursor: null });
  });
});
