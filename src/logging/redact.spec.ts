import { describe, expect, it } from '@jest/globals';
import { loggedHeaders, redactUrl } from './redact.js';
import { acceptedRequestId, requestIdFrom } from './request-id.js';

describe('redactUrl', () => {
  it('drops the whole query of a signed file URL', () => {
    expect(redactUrl('/v1/files/orgs/o/images/i.png?expires=1&signature=abc')).toBe('/v1/files/orgs/o/images/i.png?[Redacted]');
    expect(redactUrl('/v1/files/orgs/o/images/i.png')).toBe('/v1/files/orgs/o/images/i.png');
  });

  it('keeps ordinary query parameters and blanks credential ones anywhere else', () => {
    expect(redactUrl('/v1/images?limit=5&status=completed')).toBe('/v1/images?limit=5&status=completed');
    expect(redactUrl('/x?a=1&signature=s&X-Amz-Signature=t&token=u&api%5Fkey=v')).toBe('/x?a=1&signature=[Redacted]&X-Amz-Signature=[Redacted]&token=[Redacted]&api%5Fkey=[Redacted]');
    expect(redactUrl('/x?%E0%A4%A=1')).toBe('/x?%E0%A4%A=1');
  });

  it('bounds what it writes', () => {
    expect(redactUrl(`/${'a'.repeat(5000)}`)).toHaveLength(2048);
  });
});

describe('loggedHeaders', () => {
  it('keeps an allowlist, shows credentials as present only, and redacts a signed referer', () => {
    expect(
      loggedHeaders({
        host: 'h',
        'user-agent': 'ua',
        authorization: 'Bearer ik_live_secret',
        cookie: 'session=1',
        'x-auth-token': 'secret',
        referer: 'http://h/v1/files/a.png?signature=s',
      }),
    ).toEqual({ host: 'h', 'user-agent': 'ua', authorization: '[Redacted]', cookie: '[Redacted]', referer: 'http://h/v1/files/a.png?signature=[Redacted]' });
  });
});

describe('request ids', () => {
  it('accepts 1-128 printable ASCII characters and nothing else', () => {
    expect(acceptedRequestId('abc-123')).toBe('abc-123');
    expect(acceptedRequestId('x'.repeat(128))).toBe('x'.repeat(128));
    for (const bad of ['', 'x'.repeat(129), 'a b', 'a\nb', 'caf\u00e9', undefined, ['a', 'b'], 42]) expect(acceptedRequestId(bad)).toBeUndefined();
    expect(requestIdFrom('a b')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
