import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { signWebhookBody } from '../webhooks/signing.js';
import { verifyHmac, verifyStripe } from './signatures.js';

const secret = 'whsec_unit_0123456789abcdef';

describe('Stripe signatures', () => {
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: {} } });

  it('takes a valid signature on the exact bytes, typing the event stripe.<type>', () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    expect(verifyStripe(Buffer.from(payload), { 'stripe-signature': header }, secret)).toMatchObject({ ok: true, eventId: 'evt_1', type: 'stripe.invoice.paid' });
  });

  it('refuses a missing, wrong, stale or repeated header with 401', () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    const stale = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(Date.now() / 1000) - 301 });
    for (const headers of [{}, { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: `${secret}x` }) }, { 'stripe-signature': stale }, { 'stripe-signature': [header, header] }]) {
      expect(verifyStripe(Buffer.from(payload), headers, secret)).toMatchObject({ ok: false, status: 401 });
    }
    expect(verifyStripe(Buffer.from(`${payload} `), { 'stripe-signature': header }, secret)).toMatchObject({ ok: false, status: 401 });
  });
});

describe('HMAC signatures', () => {
  it('takes type and id from headers, else the body, else a hash of the body', () => {
    const raw = Buffer.from(JSON.stringify({ id: 7, type: 'order.paid' }));
    const sig = signWebhookBody(secret, raw);
    expect(verifyHmac(raw, { 'x-imtegrate-signature': sig }, secret)).toMatchObject({ ok: true, eventId: '7', type: 'order.paid' });
    expect(verifyHmac(raw, { 'x-imtegrate-signature': sig.toUpperCase(), 'x-event-id': 'e', 'x-event-type': 't' }, secret)).toMatchObject({ ok: true, eventId: 'e', type: 't' });
    const anon = Buffer.from('{"type":"x"}');
    expect(verifyHmac(anon, { 'x-imtegrate-signature': signWebhookBody(secret, anon) }, secret)).toMatchObject({
      ok: true,
      eventId: `sha256:${createHash('sha256').update(anon).digest('hex')}`,
    });
  });

  it('401 for a bad signature, 400 for a signed body that is no event', () => {
    const raw = Buffer.from('{"type":"x"}');
    expect(verifyHmac(raw, { 'x-imtegrate-signature': signWebhookBody('other', raw) }, secret)).toMatchObject({ ok: false, status: 401 });
    expect(verifyHmac(raw, { 'x-imtegrate-signature': 'zz' }, secret)).toMatchObject({ ok: false, status: 401 });
    const untyped = Buffer.from('[1,2]');
    expect(verifyHmac(untyped, { 'x-imtegrate-signature': signWebhookBody(secret, untyped) }, secret)).toMatchObject({ ok: false, status: 400 });
    const notJson = Buffer.from('nope');
    expect(verifyHmac(notJson, { 'x-imtegrate-signature': signWebhookBody(secret, notJson) }, secret)).toMatchObject({ ok: false, status: 400 });
  });
});
