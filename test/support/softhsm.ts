/**
 * SoftHSM2 for the PKCS#11 tests: a fresh token in a temporary directory of
 * the test file's own (SOFTHSM2_CONF points the library there), removed at the
 * end. SoftHSM2 must be installed (`apt-get install -y softhsm2`; .ci/run does
 * it): without it these tests FAIL with that instruction, they never skip.
 *
 * One token per test file: the library reads SOFTHSM2_CONF once per process,
 * when it is first initialised, and Vitest runs each file in a process of its own.
 *
 * Also the one check the KEK and audit-key tests share: a key the token must
 * never let out (`expectKeptInToken`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { createSoftHsmToken, type SoftHsmToken } from '../../src/security/keys/kms/softhsm.js';
import { generateAes256Key, Pkcs11Kms } from '../../src/security/keys/kms/pkcs11.js';

export interface TestHsm {
  readonly token: SoftHsmToken;
  /** Opens the token as the platform would (a new session: what a restarted process gets). */
  open(): Promise<Pkcs11Kms>;
  cleanup(): Promise<void>;
}

let current: TestHsm | null = null;

export async function softHsmForTests(): Promise<TestHsm> {
  if (current) return current;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-softhsm-'));
  try {
    const token = await createSoftHsmToken({
      dir,
      tokenLabel: `mc-test-${randomBytes(3).toString('hex')}`,
      pin: randomBytes(9).toString('base64url'),
      soPin: randomBytes(9).toString('base64url'),
    });
    process.env.SOFTHSM2_CONF = token.conf;
    current = {
      token,
      open: () => Pkcs11Kms.open({ library: token.library, tokenLabel: token.tokenLabel, pin: token.pin }),
      async cleanup() {
        current = null;
        await rm(dir, { recursive: true, force: true });
      },
    };
    return current;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Expects the token to keep a key to itself, whatever a holder of the session
 * tries: its value cannot be read, it cannot be wrapped out under a key we hold
 * (AES key wrap with and without padding), its protection cannot be switched
 * off, and it cannot be copied into an extractable object.
 */
export function expectKeptInToken(kms: Pkcs11Kms, handle: Buffer): void {
  kms.withSession((p, m, session) => {
    expect(() => m.C_GetAttributeValue(session, handle, [{ type: p.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
    const ours = generateAes256Key(p, m, session, [
      { type: p.CKA_TOKEN, value: false },
      { type: p.CKA_WRAP, value: true },
      { type: p.CKA_EXTRACTABLE, value: true },
    ]);
    try {
      for (const mechanism of [p.CKM_AES_KEY_WRAP_PAD, p.CKM_AES_KEY_WRAP]) {
        expect(() => m.C_WrapKey(session, { mechanism }, ours, handle, Buffer.alloc(512))).toThrow(/CKR_KEY_UNEXTRACTABLE/);
      }
    } finally {
      m.C_DestroyObject(session, ours);
    }
    expect(() => m.C_SetAttributeValue(session, handle, [{ type: p.CKA_EXTRACTABLE, value: true }])).toThrow();
    expect(() => m.C_SetAttributeValue(session, handle, [{ type: p.CKA_SENSITIVE, value: false }])).toThrow();
    expect(() => m.C_CopyObject(session, handle, [{ type: p.CKA_EXTRACTABLE, value: true }])).toThrow();
  });
}
