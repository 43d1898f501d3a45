import { describe, expect, it } from '@jest/globals';
import { basicAuthMatches } from '../queue/queue-dashboard.js';
import { metricsAuthorized } from './metrics-auth.js';

describe('metricsAuthorized', () => {
  it('is open without a token, and needs exactly "Bearer <token>" with one', () => {
    expect(metricsAuthorized(null, undefined)).toBe(true);
    expect(metricsAuthorized('t0ken', 'Bearer t0ken')).toBe(true);
    expect(metricsAuthorized('t0ken', 'bearer t0ken')).toBe(true);
    for (const auth of [undefined, '', 'Bearer', 'Bearer t0ke', 'Bearer t0ken2', 'Basic t0ken', 't0ken']) expect(metricsAuthorized('t0ken', auth)).toBe(false);
  });
});

describe('basicAuthMatches', () => {
  const b = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  it('needs both the user and the password', () => {
    expect(basicAuthMatches(b('ops:pw:with:colons'), 'ops', 'pw:with:colons')).toBe(true);
    for (const auth of [undefined, b('ops:pw'), b('op:pw:with:colons'), b('opspw:with:colons'), b('ops'), 'Bearer x']) expect(basicAuthMatches(auth, 'ops', 'pw:with:colons')).toBe(false);
  });
});
