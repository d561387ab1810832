import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signDelivery, TOLERANCE_SECONDS, verifyDelivery } from './webhook-signature.js';

const NEW = Buffer.from('whsec_new-secret');
const OLD = Buffer.from('whsec_old-secret');
const OTHER = Buffer.from('whsec_someone-else');
const T = 1_780_000_000;
const BODY = '{"id":"e1","topic":"resident_register.move_in"}';
const hmac = (secret: Buffer, t: number, body: string) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

describe('signDelivery', () => {
  it('signs with one secret exactly as before: t, then one v1', () => {
    expect(signDelivery(NEW, T, BODY)).toBe(`t=${T},v1=${hmac(NEW, T, BODY)}`);
    expect(signDelivery([NEW], T, BODY)).toBe(signDelivery(NEW, T, BODY));
  });

  it('signs with several secrets in the order given: the new first, then the old', () => {
    expect(signDelivery([NEW, OLD], T, BODY)).toBe(`t=${T},v1=${hmac(NEW, T, BODY)},v1=${hmac(OLD, T, BODY)}`);
    expect(signDelivery([OLD, NEW], T, BODY)).toBe(`t=${T},v1=${hmac(OLD, T, BODY)},v1=${hmac(NEW, T, BODY)}`);
  });

  it('refuses to sign with no secret', () => {
    expect(() => signDelivery([], T, BODY)).toThrow(TypeError);
  });
});

describe('verifyDelivery', () => {
  const both = signDelivery([NEW, OLD], T, BODY);

  it('accepts a header with two signatures for either secret, and for both held at once', () => {
    expect(verifyDelivery(NEW, both, BODY, T)).toBe(true);
    expect(verifyDelivery(OLD, both, BODY, T)).toBe(true);
    expect(verifyDelivery([OLD, NEW], both, BODY, T)).toBe(true);
    expect(verifyDelivery([OTHER, OLD], both, BODY, T)).toBe(true);
  });

  it('refuses a third secret, another body, or a stale or future t', () => {
    expect(verifyDelivery(OTHER, both, BODY, T)).toBe(false);
    expect(verifyDelivery([], both, BODY, T)).toBe(false);
    expect(verifyDelivery(NEW, both, BODY.replace('e1', 'e2'), T)).toBe(false);
    expect(verifyDelivery(OLD, both, BODY, T + TOLERANCE_SECONDS + 1)).toBe(false);
    expect(verifyDelivery(OLD, both, BODY, T - TOLERANCE_SECONDS - 1)).toBe(false);
    expect(verifyDelivery(OLD, both, BODY, T + TOLERANCE_SECONDS)).toBe(true);
  });

  it('still verifies a single signature, and only for its secret', () => {
    const one = signDelivery(NEW, T, BODY);
    expect(verifyDelivery(NEW, one, BODY, T)).toBe(true);
    expect(verifyDelivery(OLD, one, BODY, T)).toBe(false);
  });

  it('accepts a valid signature whatever its place among the v1 values, and ignores malformed ones', () => {
    const v = hmac(OLD, T, BODY);
    expect(verifyDelivery(OLD, `t=${T},v1=${'0'.repeat(64)},v1=${v}`, BODY, T)).toBe(true);
    expect(verifyDelivery(OLD, `t=${T},v1=${v},v1=${'0'.repeat(64)}`, BODY, T)).toBe(true);
    expect(verifyDelivery(OLD, `t=${T},v1=nothex,v1=${v}`, BODY, T)).toBe(true);
    expect(verifyDelivery(OLD, `t=${T},v0=${v}`, BODY, T)).toBe(false);
  });

  it('refuses a header without t, with two t, or without any v1', () => {
    const v = hmac(NEW, T, BODY);
    expect(verifyDelivery(NEW, `v1=${v}`, BODY, T)).toBe(false);
    expect(verifyDelivery(NEW, `t=${T},t=${T},v1=${v}`, BODY, T)).toBe(false);
    expect(verifyDelivery(NEW, `t=${T}`, BODY, T)).toBe(false);
    expect(verifyDelivery(NEW, undefined, BODY, T)).toBe(false);
    expect(verifyDelivery(NEW, `t=${T}x,v1=${v}`, BODY, T)).toBe(false);
  });
});
