/**
 * The key-management service behind the key hierarchy.
 *
 *   root of trust (the HSM's master key / the keystore passphrase)
 *     └─ KEK: one per municipality and version, created and kept inside the KMS
 *          └─ DEKs and the blind-index key: random, stored in the database only
 *             wrapped (encrypted) by their KEK
 *
 * The KMS never hands out a KEK: callers name it by an opaque id and ask the
 * KMS to wrap or unwrap key bytes with it. That is the shape every cloud KMS
 * has (AWS KMS Encrypt/Decrypt with an encryption context, Google Cloud KMS
 * with additional authenticated data, Azure Key Vault wrapKey), so adding one
 * is one more class implementing `Kms`.
 *
 * `context` is authenticated with the wrapped key (AES-GCM associated data or
 * the cloud KMS's encryption context): it names what the key is for
 * (municipality, purpose, version), so a wrapped key copied onto another row
 * of the key tables does not unwrap.
 */

/** An opaque, stable name of a KEK inside its KMS (PKCS#11 CKA_ID in hex, keystore id, cloud key ARN). */
export interface KeyHandle {
  readonly kind: string;
  readonly id: string;
}

export interface KmsDescription {
  readonly kind: string;
  /** False for adapters that must never hold real residents' data. */
  readonly production: boolean;
  /** One line for `keys status` and the start-up log; no secrets (no PIN, no passphrase, no paths to them). */
  readonly detail: string;
  /** Shown at start-up, e.g. that the local keystore is not for production. */
  readonly warnings: readonly string[];
}

export interface Kms {
  readonly kind: string;
  /** Creates a new 256-bit KEK inside the KMS; it can never be read out. */
  createKek(label: string): Promise<KeyHandle>;
  /** Encrypts key bytes under the KEK, binding `context`. */
  wrap(kek: KeyHandle, plaintextKey: Buffer, context: Buffer): Promise<Buffer>;
  /** Decrypts wrapped key bytes; fails (KmsError) if the KEK is gone, the bytes were altered or the context differs. */
  unwrap(kek: KeyHandle, wrapped: Buffer, context: Buffer): Promise<Buffer>;
  /** Destroys the KEK irrevocably. Destroying a KEK that no longer exists is not an error (a retried shred). */
  destroyKek(kek: KeyHandle): Promise<void>;
  /** Whether the KEK still exists in the KMS (for status and for proving a shred). */
  hasKek(kek: KeyHandle): Promise<boolean>;
  describe(): KmsDescription;
  close(): Promise<void>;
}

export type KmsErrorReason = 'key_not_found' | 'unwrap_failed' | 'unavailable' | 'refused';

/** A KMS failure. Messages name the KEK by id and the KMS's own status code, nothing else. */
export class KmsError extends Error {
  override readonly name = 'KmsError';
  constructor(
    readonly reason: KmsErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** KEK labels are visible to HSM administrators: ids and versions only. */
export function kekLabel(municipalityCode: string, version: number): string {
  return `municloud-kek-${municipalityCode}-v${version}`;
}
