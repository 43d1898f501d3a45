import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { webhookBackoff, webhookRetryDelay, WebhookRetryLater } from '../queue/webhook-retry.js';
import { signWebhookBody, verifyWebhookSignature } from './signing.js';

describe('webhook signing', () => {
  const secret = 'whsec_test';
  const body = '{"type":"image.completed","data":{"id":"x"}}';

  it('is lowercase hex HMAC-SHA256 of the raw body', () => {
    const sig = signWebhookBody(secret, body);
    expect(sig).toBe(createHmac('sha256', secret).update(body).digest('hex'));
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies only the exact body with the right secret', () => {
    const sig = signWebhookBody(secret, body);
    expect(verifyWebhookSignature(secret, body, sig)).toBe(true);
    expect(verifyWebhookSignature(secret, `${body} `, sig)).toBe(false);
    expect(verifyWebhookSignature('other', body, sig)).toBe(false);
    expect(verifyWebhookSignature(secret, body, sig.toUpperCase())).toBe(false);
    expect(verifyWebhookSignature(secret, body, undefined)).toBe(false);
  });

  it('backs off 1 min, 5 min, 30 min, 2 h, 12 h, scalable for tests', () => {
    expect([1, 2, 3, 4, 5].map((n) => webhookRetryDelay(n, 1))).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 43_200_000]);
    expect(webhookRetryDelay(9, 1)).toBe(43_200_000);
    expect(webhookRetryDelay(1, 0.001)).toBe(60);
  });

  it('backs off by the delay the delivery row fixed when the error names one, else by Bull\'s count', () => {
    expect(webhookBackoff(3, new WebhookRetryLater('HTTP 500', 60_000), 1)).toBe(60_000);
    expect(webhookBackoff(3, new Error('database down'), 1)).toBe(1_800_000);
    expect(webhookBackoff(2, undefined, 0.5)).toBe(150_000);
  });
});
