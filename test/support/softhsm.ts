/**
 * SoftHSM2 for the PKCS#11 tests: a fresh token in a temporary directory of
 * the test file's own (SOFTHSM2_CONF points the library there), removed at the
 * end. SoftHSM2 must be installed (`apt-get install -y softhsm2`; .ci/run does
 * it): without it these tests FAIL with that instruction, they never skip.
 *
 * One token per test file: the library reads SOFTHSM2_CONF once per process,
 * when it is first initialised, and Vitest runs each file in a process of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSoftHsmToken, type SoftHsmToken } from '../../src/security/keys/kms/softhsm.js';
import { Pkcs11Kms } from '../../src/security/keys/kms/pkcs11.js';

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
