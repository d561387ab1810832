import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../platform/config.js';
import { kmsKind, openKmsFromEnv } from './from-env.js';

describe('KMS selection from the environment', () => {
  it('defaults to the local keystore only in embedded mode', () => {
    expect(kmsKind({}, 'embedded')).toBe('local-keystore');
    expect(() => kmsKind({}, 'external')).toThrow(ConfigError);
    expect(kmsKind({ MUNICLOUD_KMS: 'pkcs11' }, 'external')).toBe('pkcs11');
    expect(kmsKind({ MUNICLOUD_KMS: 'local' }, 'external')).toBe('local-keystore');
    expect(() => kmsKind({ MUNICLOUD_KMS: 'aws' }, 'external')).toThrow(/pkcs11 or local-keystore/);
  });

  it('names the missing settings, never their values', async () => {
    await expect(openKmsFromEnv({ MUNICLOUD_KMS: 'pkcs11', MUNICLOUD_PKCS11_PIN: '1234' }, { mode: 'external', dataDir: '/nonexistent' })).rejects.toThrow(
      /MUNICLOUD_PKCS11_LIBRARY, MUNICLOUD_PKCS11_TOKEN_LABEL/,
    );
    await expect(openKmsFromEnv({ MUNICLOUD_KMS: 'local-keystore' }, { mode: 'external', dataDir: '/nonexistent' })).rejects.toThrow(/MUNICLOUD_KEYSTORE_PASSPHRASE/);
  });
});
