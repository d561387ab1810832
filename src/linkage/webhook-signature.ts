/**
 * The signature of a webhook delivery, so a receiver knows the platform sent
 * it and that it is fresh: header `municloud-signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, `${t}.${body}`). A receiver recomputes it over
 * the raw body, compares in constant time and refuses a t more than five
 * minutes away from its clock (a replayed request). Pure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'municloud-signature';
export const TOLERANCE_SECONDS = 300;

export function signDelivery(secret: Uint8Array, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** Whether a delivery's signature header is valid for this body and fresh at `nowSeconds`. */
export function verifyDelivery(secret: Uint8Array, header: string | undefined, body: string, nowSeconds: number): boolean {
  const parts = new Map((header ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isInteger(t) || !given || !/^[0-9a-f]{64}$/.test(given) || Math.abs(nowSeconds - t) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(signDelivery(secret, t, body).split('v1=')[1]!, 'hex');
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
