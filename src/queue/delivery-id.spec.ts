import { describe, expect, it } from '@jest/globals';
import { deliveryIdFor } from './webhook.producer.js';

describe('deliveryIdFor', () => {
  it('is a UUID fixed by the event and the destination alone', () => {
    const a = deliveryIdFor('5f1c0d7e-8a8e-4c1e-9a55-0f0e7f6f1a10', 'https://example.test/hook');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deliveryIdFor('5f1c0d7e-8a8e-4c1e-9a55-0f0e7f6f1a10', 'https://example.test/hook')).toBe(a);
    expect(deliveryIdFor('5f1c0d7e-8a8e-4c1e-9a55-0f0e7f6f1a10', 'https://example.test/other')).not.toBe(a);
    expect(deliveryIdFor('6f1c0d7e-8a8e-4c1e-9a55-0f0e7f6f1a10', 'https://example.test/hook')).not.toBe(a);
  });
});
