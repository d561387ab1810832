import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, describeOutcome, nextDelayMs, verdictOf } from './delivery-policy.js';
import { signDelivery, verifyDelivery } from './webhook-signature.js';

describe('delivery policy', () => {
  it('reads an answer as delivered, to retry, or refused', () => {
    for (const status of [200, 201, 204, 299]) expect(verdictOf({ status })).toBe('delivered');
    for (const status of [408, 425, 429, 500, 502, 503, 599]) expect(verdictOf({ status })).toBe('retry');
    for (const status of [301, 302, 400, 401, 403, 404, 410, 422]) expect(verdictOf({ status })).toBe('refused');
    for (const error of ['timeout', 'network', 'zone_refused'] as const) expect(verdictOf({ error })).toBe('retry');
    expect(describeOutcome({ status: 503 })).toBe('HTTP 503');
    expect(describeOutcome({ error: 'timeout' })).toBe('timeout');
  });

  it('backs off from 1 s doubling to 1 h, with jitter, for about a day, and gives up sooner on refusals', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => nextDelayMs('retry', n, DEFAULT_POLICY, mid))).toEqual([1000, 2000, 4000, 8000]);
    expect(nextDelayMs('retry', 20, DEFAULT_POLICY, mid)).toBe(3_600_000);
    expect(nextDelayMs('retry', 1, DEFAULT_POLICY, () => 0)).toBe(800);
    expect(nextDelayMs('retry', 1, DEFAULT_POLICY, () => 1)).toBe(1200);
    let total = 0;
    for (let n = 1; ; n++) {
      const d = nextDelayMs('retry', n, DEFAULT_POLICY, mid);
      if (d === null) break;
      total += d;
    }
    expect(total / 3_600_000).toBeGreaterThan(24);
    expect(nextDelayMs('retry', DEFAULT_POLICY.maxAttempts, DEFAULT_POLICY, mid)).toBeNull();
    expect(nextDelayMs('refused', DEFAULT_POLICY.maxRefusedAttempts - 1, DEFAULT_POLICY, mid)).not.toBeNull();
    expect(nextDelayMs('refused', DEFAULT_POLICY.maxRefusedAttempts, DEFAULT_POLICY, mid)).toBeNull();
  });
});

describe('webhook signatures', () => {
  const secret = Buffer.from('whsec_test-secret');
  const body = '{"id":"e1"}';
  it('verify over the raw body, with the secret, within five minutes', () => {
    const header = signDelivery(secret, 1_800_000_000, body);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyDelivery(secret, header, body, 1_800_000_000 + 299)).toBe(true);
    expect(verifyDelivery(secret, header, body, 1_800_000_000 - 300)).toBe(true);
    expect(verifyDelivery(secret, header, body, 1_800_000_000 + 301)).toBe(false);
    expect(verifyDelivery(secret, header, `${body} `, 1_800_000_000)).toBe(false);
    expect(verifyDelivery(Buffer.from('whsec_other'), header, body, 1_800_000_000)).toBe(false);
    expect(verifyDelivery(secret, header.replace('t=1800000000', 't=1800000001'), body, 1_800_000_000)).toBe(false);
    for (const bad of [undefined, '', 'v1=00', 't=x,v1=00', `t=1800000000,v1=${'g'.repeat(64)}`]) expect(verifyDelivery(secret, bad, body, 1_800_000_000)).toBe(false);
  });
});
