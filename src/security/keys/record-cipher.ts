/**
 * Sealing and opening one field with AES-256-GCM. Pure apart from the random
 * nonce, which the caller may pass in (tests do, to pin outputs).
 *
 * Keys are KeyObjects, never Buffers: a KeyObject keeps its bytes in native
 * memory and prints as `SecretKeyObject { type: 'secret' }`, so a stray log
 * line or error serializer cannot reveal it.
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { KeyError } from './errors.js';
import {
  associatedData,
  checkField,
  decodeSealed,
  encodeHeader,
  FORMAT_AES256GCM_V1,
  MAX_PLAINTEXT_LENGTH,
  NONCE_LENGTH,
  TAG_LENGTH,
  type BoundField,
} from './format.js';

export interface VersionedKey {
  readonly version: number;
  readonly key: KeyObject;
}

/**
 * Nonces come from a pool filled 512 at a time: one CSPRNG call per 512 seals
 * instead of one each (the per-call cost dominated sealing a short field).
 * Every nonce is still fresh CSPRNG output, used once: a refill allocates a new
 * buffer and slices are handed out strictly in order.
 */
const POOL_NONCES = 512;
let pool = Buffer.alloc(0);
let offset = 0;
export function freshNonce(): Buffer {
  if (offset + NONCE_LENGTH > pool.length) {
    pool = randomBytes(NONCE_LENGTH * POOL_NONCES);
    offset = 0;
  }
  const nonce = pool.subarray(offset, offset + NONCE_LENGTH);
  offset += NONCE_LENGTH;
  return nonce;
}

const where = (f: BoundField) => `${f.table}.${f.column} record ${f.recordId} (municipality ${f.municipalityCode})`;

export function sealField(dek: VersionedKey, field: BoundField, plaintext: Uint8Array, nonce: Uint8Array = freshNonce()): Buffer {
  checkField(field);
  if (dek.key.symmetricKeySize !== 32) throw new TypeError('data key must be 32 bytes (AES-256)');
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) throw new RangeError('plaintext too long for one sealed field');
  const header = encodeHeader(FORMAT_AES256GCM_V1, dek.version, nonce);
  const cipher = createCipheriv('aes-256-gcm', dek.key, header.subarray(5), { authTagLength: TAG_LENGTH });
  cipher.setAAD(associatedData(field, header));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/**
 * Opens a sealed field with the key of the version it names. The caller looks
 * the key up by `sealedKeyVersion`; a key of another version is refused before
 * any decryption. Nothing is returned unless the tag verifies.
 */
export function openField(dek: VersionedKey, field: BoundField, sealed: Uint8Array): Buffer {
  checkField(field);
  const parts = decodeSealed(sealed);
  if (parts.keyVersion !== dek.version) {
    throw new KeyError('key_version_unknown', `${where(field)}: sealed under key version ${parts.keyVersion}, not ${dek.version}`);
  }
  const header = Buffer.from(sealed.buffer, sealed.byteOffset, 5 + NONCE_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', dek.key, parts.nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(associatedData(field, header));
  decipher.setAuthTag(parts.tag);
  const out = decipher.update(parts.ciphertext);
  try {
    // final() verifies the tag; until it has, `out` must not leave this function.
    return Buffer.concat([out, decipher.final()]);
  } catch {
    out.fill(0);
    throw new KeyError('ciphertext_rejected', `${where(field)}: sealed value failed authentication (key version ${parts.keyVersion})`);
  }
}
