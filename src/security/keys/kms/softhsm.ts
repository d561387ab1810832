/**
 * SoftHSM2, the software PKCS#11 token used in tests, benchmarks and
 * development: where its library is, and how to make a fresh token in a
 * directory of one's own (SOFTHSM2_CONF points the library at it).
 *
 * The token is initialised with `softhsm2-util`, which takes the PINs on its
 * command line: fine for throw-away test tokens, not for real ones.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SOFTHSM_LIBRARY_PATHS = [
  '/usr/lib/softhsm/libsofthsm2.so', // Debian, Ubuntu
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so', // Fedora
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so', // macOS
];

export const SOFTHSM_MISSING =
  'SoftHSM2 is not installed, and the PKCS#11 tests and benchmark need it. Install it with ' +
  '`apt-get install -y softhsm2` (Debian/Ubuntu; `dnf install softhsm` on Fedora, `brew install softhsm` on macOS), ' +
  'or set MUNICLOUD_PKCS11_LIBRARY to the path of libsofthsm2.so.';

/** The SoftHSM2 library: MUNICLOUD_PKCS11_LIBRARY if set, else the first known path that exists. */
export function findSoftHsmLibrary(env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env.MUNICLOUD_PKCS11_LIBRARY;
  if (configured) return existsSync(configured) ? configured : null;
  return SOFTHSM_LIBRARY_PATHS.find((p) => existsSync(p)) ?? null;
}

export interface SoftHsmToken {
  readonly library: string;
  /** The config file; SOFTHSM2_CONF must name it before the library is initialised in this process. */
  readonly conf: string;
  readonly tokenLabel: string;
  readonly pin: string;
}

/** Creates a SoftHSM2 configuration and an initialised token under `dir`. Throws SOFTHSM_MISSING when it is not installed. */
export async function createSoftHsmToken(options: { dir: string; tokenLabel: string; pin: string; soPin: string }): Promise<SoftHsmToken> {
  const library = findSoftHsmLibrary();
  if (!library) throw new Error(SOFTHSM_MISSING);
  const tokens = path.join(options.dir, 'tokens');
  await mkdir(tokens, { recursive: true, mode: 0o700 });
  const conf = path.join(options.dir, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`, { mode: 0o600 });
  try {
    await run('softhsm2-util', ['--init-token', '--free', '--label', options.tokenLabel, '--so-pin', options.soPin, '--pin', options.pin], {
      env: { ...process.env, SOFTHSM2_CONF: conf },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(SOFTHSM_MISSING);
    throw new Error(`softhsm2-util could not initialise the token: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
  }
  return { library, conf, tokenLabel: options.tokenLabel, pin: options.pin };
}
