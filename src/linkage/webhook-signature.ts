/**
 * The signature of a webhook delivery, so a receiver knows the platform sent
 * it and that it is fresh: header `municloud-signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, `${t}.${body}`). A receiver recomputes it over
 * the raw body, compares in constant time and refuses a t more than five
 * minutes away from its clock (a replayed request). Pure.
 *
 * While a rotated secret's predecessor still signs (docs/linkage.md, "Rotating
 * the secret"), the header carries one v1 per secret, the new one first:
 * `t=<unix>,v1=<new>,v1=<old>`; a receiver accepts the delivery when any one
 * of them is valid for a secret it holds.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'municloud-signature';
export const TOLERANCE_SECONDS = 300;

const mac = (secret: Uint8Array, timestampSeconds: number, body: string) => createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest();

/** The header for a body signed with each secret, in the order given (the current secret first). */
export function signDelivery(secrets: Uint8Array | readonly Uint8Array[], timestampSeconds: number, body: string): string {
  const list = secrets instanceof Uint8Array ? [secrets] : secrets;
  if (list.length === 0) throw new TypeError('signDelivery: no secret');
  return [`t=${timestampSeconds}`, ...list.map((s) => `v1=${mac(s, timestampSeconds, body).toString('hex')}`)].join(',');
}

/**
 * Whether a delivery's signature header is valid for this body and fresh at
 * `nowSeconds`: one t, and any of its v1 values the HMAC of one of the
 * secrets (each compared in constant time, all of them compared).
 */
export function verifyDelivery(secrets: Uint8Array | readonly Uint8Array[], header: string | undefined, body: string, nowSeconds: number): boolean {
  const list = secrets instanceof Uint8Array ? [secrets] : secrets;
  const ts: string[] = [];
  const given: Buffer[] = [];
  for (const part of (header ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const [key, value] = [part.slice(0, eq), part.slice(eq + 1)];
    if (key === 't') ts.push(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) given.push(Buffer.from(value, 'hex'));
  }
  if (ts.length !== 1 || given.length === 0) return false;
  const t = Number(ts[0]);
  if (!/^[0-9]+$/.test(ts[0]!) || !Number.isSafeInteger(t) || Math.abs(nowSeconds - t) > TOLERANCE_SECONDS) return false;
  let valid = false;
  for (const secret of list) {
    const expected = mac(secret, t, body);
    for (const g of given) if (timingSafeEqual(expected, g)) valid = true;
  }
  return valid;
}
