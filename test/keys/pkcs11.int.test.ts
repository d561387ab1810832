/**
 * The PKCS#11 adapter against a real SoftHSM2 token: KEKs are generated inside
 * the token and cannot be got out of it by any route; wrapping binds its
 * context; a destroyed KEK is gone for every session.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsError } from '../../src/security/keys/kms/kms.js';
import { Pkcs11Kms } from '../../src/security/keys/kms/pkcs11.js';
import { expectKeptInToken, softHsmForTests, type TestHsm } from '../support/softhsm.js';

let hsm: TestHsm;
let kms: Pkcs11Kms;

beforeAll(async () => {
  hsm = await softHsmForTests(); // fails with "SoftHSM2 is not installed … apt-get install -y softhsm2" when it is missing
  kms = await hsm.open();
});
afterAll(async () => {
  await kms?.close();
  await hsm?.cleanup();
});

const ctx = Buffer.from('municloud/data-key/v1 131016 record 1');

describe('PKCS#11 KMS (SoftHSM2)', () => {
  it('describes itself without secrets, and as a software token', () => {
    const d = kms.describe();
    expect(d.kind).toBe('pkcs11');
    expect(d.detail).toContain(hsm.token.tokenLabel);
    expect(d.detail).not.toContain(hsm.token.pin);
    expect(d.production).toBe(false);
    expect(d.warnings.join(' ')).toMatch(/software token/);
  });

  it('wraps and unwraps inside the token, binding the context', async () => {
    const kek = await kms.createKek('municloud-kek-131016-v1');
    expect(kek.id).toMatch(/^[0-9a-f]{32}$/);
    const dek = randomBytes(32);
    const wrapped = await kms.wrap(kek, dek, ctx);
    expect(wrapped.length).toBe(1 + 12 + 32 + 16);
    expect(wrapped.includes(dek)).toBe(false);
    expect((await kms.unwrap(kek, wrapped, ctx)).equals(dek)).toBe(true);
    await expect(kms.unwrap(kek, wrapped, Buffer.from('another row'))).rejects.toMatchObject({ reason: 'unwrap_failed' });
    const forged = Buffer.from(wrapped);
    forged[forged.length - 1]! ^= 1;
    await expect(kms.unwrap(kek, forged, ctx)).rejects.toMatchObject({ reason: 'unwrap_failed' });
    await expect(kms.unwrap(kek, wrapped.subarray(0, 20), ctx)).rejects.toMatchObject({ reason: 'unwrap_failed' });
    // The session is still usable after failures.
    expect((await kms.unwrap(kek, wrapped, ctx)).equals(dek)).toBe(true);
  });

  it('generates KEKs that cannot be extracted: not read, not wrapped out, not made extractable', async () => {
    const kek = await kms.createKek('municloud-kek-131016-v2');
    const handle = kms.objectHandle(kek);
    kms.withSession((p, m, session) => {
      const attrs = m.C_GetAttributeValue(session, handle, [
        { type: p.CKA_SENSITIVE },
        { type: p.CKA_EXTRACTABLE },
        { type: p.CKA_ALWAYS_SENSITIVE },
        { type: p.CKA_NEVER_EXTRACTABLE },
        { type: p.CKA_TOKEN },
      ]);
      expect(attrs.map((a) => (a.value as Buffer)[0])).toEqual([1, 0, 1, 1, 1]);
    });
    // Reading its value, wrapping it out under a key we hold, turning the protection off, copying it: each refused.
    expectKeptInToken(kms, handle);
    // The refused attempts to turn the protection off changed nothing.
    kms.withSession((p, m, session) => {
      const after = m.C_GetAttributeValue(session, handle, [{ type: p.CKA_SENSITIVE }, { type: p.CKA_EXTRACTABLE }]);
      expect(after.map((a) => (a.value as Buffer)[0])).toEqual([1, 0]);
    });
  });

  it('a KEK persists in the token across sessions (a restart), and destruction is final for all', async () => {
    const kek = await kms.createKek('municloud-kek-011002-v1');
    const wrapped = await kms.wrap(kek, randomBytes(32), ctx);
    const restarted = await hsm.open();
    try {
      expect(await restarted.hasKek(kek)).toBe(true);
      expect((await restarted.unwrap(kek, wrapped, ctx)).length).toBe(32);
      await kms.destroyKek(kek);
      await kms.destroyKek(kek); // a retried shred
      expect(await restarted.hasKek(kek)).toBe(false);
      await expect(restarted.unwrap(kek, wrapped, ctx)).rejects.toMatchObject({ reason: 'key_not_found' });
      await expect(kms.unwrap(kek, wrapped, ctx)).rejects.toMatchObject({ reason: 'key_not_found' });
    } finally {
      await restarted.close();
    }
  });

  it('refuses handles of another KMS and malformed ids, and a wrong PIN', async () => {
    await expect(kms.wrap({ kind: 'local-keystore', id: 'lk_x' }, randomBytes(32), ctx)).rejects.toBeInstanceOf(KmsError);
    await expect(kms.wrap({ kind: 'pkcs11', id: 'zz' }, randomBytes(32), ctx)).rejects.toThrow(/32 hex/);
    const wrongPin = 'not-the-pin';
    const err = await Pkcs11Kms.open({ library: hsm.token.library, tokenLabel: hsm.token.tokenLabel, pin: wrongPin }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(KmsError);
    expect((err as Error).message).toMatch(/CKR_PIN_INCORRECT/);
    expect((err as Error).message).not.toContain(wrongPin);
    await expect(Pkcs11Kms.open({ library: hsm.token.library, tokenLabel: 'no-such-token', pin: 'x' })).rejects.toThrow(/no PKCS#11 token labelled/);
    await expect(Pkcs11Kms.open({ library: '/nonexistent/libnothing.so', tokenLabel: 'x', pin: 'x' })).rejects.toThrow(/cannot load the PKCS#11 library/);
  });
});
