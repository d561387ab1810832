/**
 * Which KMS the platform uses, from the environment.
 *
 *   MUNICLOUD_KMS                    pkcs11 | local-keystore. Default: local-keystore in embedded mode;
 *                                    required with DATABASE_URL (production never falls back to a file).
 *   MUNICLOUD_PKCS11_LIBRARY         path of the PKCS#11 module (.so)
 *   MUNICLOUD_PKCS11_TOKEN_LABEL     label of the token holding the KEKs
 *   MUNICLOUD_PKCS11_PIN[_FILE]      user PIN, or a file holding it
 *   MUNICLOUD_KEYSTORE_FILE          default <data dir>/keystore.json
 *   MUNICLOUD_KEYSTORE_PASSPHRASE[_FILE]  in embedded mode, generated into <data dir>/keystore.passphrase when unset
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../../platform/config.js';
import type { Kms } from './kms.js';
import { LocalKeystore } from './local-keystore.js';
import { Pkcs11Kms } from './pkcs11.js';

export type KmsKind = 'pkcs11' | 'local-keystore';

async function secret(env: NodeJS.ProcessEnv, name: string): Promise<string | undefined> {
  if (env[name]) return env[name];
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  return (await readFile(file, 'utf8')).trim();
}

export function kmsKind(env: NodeJS.ProcessEnv, mode: 'embedded' | 'external'): KmsKind {
  const kind = env.MUNICLOUD_KMS || (mode === 'embedded' ? 'local-keystore' : '');
  if (kind === 'local') return 'local-keystore';
  if (kind === 'pkcs11' || kind === 'local-keystore') return kind;
  if (!kind) throw new ConfigError('MUNICLOUD_KMS must be set with DATABASE_URL: pkcs11 (an HSM) or local-keystore (development only)');
  throw new ConfigError('MUNICLOUD_KMS must be pkcs11 or local-keystore');
}

export async function openKmsFromEnv(env: NodeJS.ProcessEnv, options: { mode: 'embedded' | 'external'; dataDir: string }): Promise<Kms> {
  const kind = kmsKind(env, options.mode);
  if (kind === 'pkcs11') {
    const library = env.MUNICLOUD_PKCS11_LIBRARY;
    const tokenLabel = env.MUNICLOUD_PKCS11_TOKEN_LABEL;
    const pin = await secret(env, 'MUNICLOUD_PKCS11_PIN');
    if (!library || !tokenLabel || !pin) {
      throw new ConfigError('MUNICLOUD_KMS=pkcs11 needs MUNICLOUD_PKCS11_LIBRARY, MUNICLOUD_PKCS11_TOKEN_LABEL and MUNICLOUD_PKCS11_PIN (or _PIN_FILE)');
    }
    return Pkcs11Kms.open({ library, tokenLabel, pin });
  }
  const file = env.MUNICLOUD_KEYSTORE_FILE || path.join(options.dataDir, 'keystore.json');
  let passphrase = await secret(env, 'MUNICLOUD_KEYSTORE_PASSPHRASE');
  if (!passphrase) {
    if (options.mode !== 'embedded') throw new ConfigError('MUNICLOUD_KMS=local-keystore needs MUNICLOUD_KEYSTORE_PASSPHRASE (or _FILE)');
    // Demo only: the passphrase sits beside the keystore, which is why it warns it is not for production.
    const passFile = path.join(options.dataDir, 'keystore.passphrase');
    if (!existsSync(passFile)) {
      await mkdir(options.dataDir, { recursive: true });
      await writeFile(passFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    }
    passphrase = (await readFile(passFile, 'utf8')).trim();
  }
  return LocalKeystore.open({ file, passphrase });
}
