/**
 * Making, wrapping and unwrapping data keys with the KMS, and turning KMS
 * failures into key errors. Key bytes exist here only between generation (or
 * unwrapping) and becoming a KeyObject; the Buffers are zeroed right after.
 */
import { createSecretKey, randomBytes } from 'node:crypto';
import { KeyError } from './errors.js';
import { lengthPrefixed } from './format.js';
import { KmsError, type Kms } from './kms/kms.js';
import type { VersionedKey } from './record-cipher.js';
import type { DataKeyRow, KekRow, KeyPurpose } from './store.js';

/** What a wrapped key is for: authenticated by the KMS, so a wrapped key moved to another row does not unwrap. */
export function wrapContext(municipalityCode: string, purpose: KeyPurpose, version: number): Buffer {
  return lengthPrefixed(['municloud/data-key/v1', municipalityCode, purpose, String(version)]);
}

export const kekHandle = (kek: KekRow) => ({ kind: kek.kmsKind, id: kek.kmsKeyId });

/** A fresh random 256-bit key, wrapped under `kek`; the plaintext is gone when this returns. */
export async function newWrappedKey(kms: Kms, kek: KekRow, purpose: KeyPurpose, version: number): Promise<Buffer> {
  const key = randomBytes(32);
  try {
    return await kms.wrap(kekHandle(kek), key, wrapContext(kek.municipalityCode, purpose, version));
  } catch (err) {
    throw keyErrorFromKms(err, kek);
  } finally {
    key.fill(0);
  }
}

export async function unwrapDataKey(kms: Kms, kek: KekRow, row: DataKeyRow): Promise<VersionedKey> {
  const what = `${row.purpose} key v${row.version} of municipality ${row.municipalityCode}`;
  if (row.state === 'destroyed' || kek.state === 'destroyed' || !row.wrapped) {
    throw new KeyError('keys_destroyed', `${what}: its key-encryption key v${kek.version} was destroyed`);
  }
  let bytes: Buffer;
  try {
    bytes = await kms.unwrap(kekHandle(kek), row.wrapped, wrapContext(row.municipalityCode, row.purpose, row.version));
  } catch (err) {
    throw keyErrorFromKms(err, kek, what);
  }
  try {
    if (bytes.length !== 32) throw new KeyError('key_integrity', `${what}: unwrapped to ${bytes.length} bytes, not 32`);
    return { version: row.version, key: createSecretKey(bytes) };
  } finally {
    bytes.fill(0);
  }
}

/** Rewraps one data key from its KEK onto another; the key bytes exist only inside this call. */
export async function rewrapKey(kms: Kms, from: KekRow, to: KekRow, row: DataKeyRow): Promise<Buffer> {
  if (!row.wrapped) throw new KeyError('keys_destroyed', `${row.purpose} key v${row.version} of municipality ${row.municipalityCode} was destroyed`);
  const context = wrapContext(row.municipalityCode, row.purpose, row.version);
  let bytes: Buffer | null = null;
  try {
    bytes = await kms.unwrap(kekHandle(from), row.wrapped, context);
    return await kms.wrap(kekHandle(to), bytes, context);
  } catch (err) {
    throw keyErrorFromKms(err, from, `${row.purpose} key v${row.version} of municipality ${row.municipalityCode}`);
  } finally {
    bytes?.fill(0);
  }
}

export function keyErrorFromKms(err: unknown, kek: KekRow, what = `KEK v${kek.version} of municipality ${kek.municipalityCode}`): Error {
  if (err instanceof KeyError) return err;
  if (!(err instanceof KmsError)) return err instanceof Error ? err : new Error(String(err));
  const at = `${what} (KEK v${kek.version}, ${kek.kmsKind} id ${kek.kmsKeyId})`;
  switch (err.reason) {
    case 'key_not_found':
      // The KMS no longer has a KEK the database calls live: shredded meanwhile, or the wrong KMS/token is configured.
      return new KeyError('key_integrity', `${at}: the KMS does not have this KEK (destroyed, or another KMS is configured)`);
    case 'unwrap_failed':
      return new KeyError('key_integrity', `${at}: the wrapped key does not unwrap (altered, or moved from another row)`);
    case 'refused':
      return new KeyError('key_integrity', `${at}: ${err.message}`);
    default:
      return new KeyError('kms_unavailable', `${at}: ${err.message}`);
  }
}
