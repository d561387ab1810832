/**
 * Errors of the key service. Their messages carry key versions, key ids,
 * municipality codes, table and column names and record ids: never plaintext,
 * never key material, never a ciphertext's bytes (it could be replayed).
 *
 * Each code maps onto one problem code of the platform (see `problemCodeFor`),
 * so an operation can turn a KeyError into its RFC 9457 answer in one line.
 */

export const KEY_ERROR_CODES = [
  /** The bytes are not a ciphertext of a known format (truncated, wrong format byte, too long). */
  'ciphertext_malformed',
  /** The ciphertext names a key version this municipality does not have (or not for this purpose). */
  'key_version_unknown',
  /** Authentication failed: forged, altered, or sealed for another municipality, table, record or column. */
  'ciphertext_rejected',
  /** The municipality's key-encryption key was destroyed (crypto-shredded): nothing can be decrypted. */
  'keys_destroyed',
  /** The KMS could not be reached or refused the operation. */
  'kms_unavailable',
  /** A value given for a blind index is not a well-formed My Number, resident code, reading or date. */
  'blind_index_input_invalid',
  /** The stored key metadata is inconsistent (e.g. a wrapped key that does not unwrap): fail closed. */
  'key_integrity',
] as const;

export type KeyErrorCode = (typeof KEY_ERROR_CODES)[number];

export class KeyError extends Error {
  override readonly name = 'KeyError';
  constructor(
    readonly code: KeyErrorCode,
    /** Only identifiers: municipality code, purpose, key version, table, column, record id. */
    message: string,
    /** For blind_index_input_invalid: which rule the input broke (digits, length, check_digit, kana, date). */
    readonly rule?: string,
  ) {
    super(message);
  }
}

/**
 * The platform problem code for each key error (to be added to
 * src/platform/errors.ts; see docs/keys.md "Problem codes").
 */
export const PROBLEM_CODE_FOR: Record<KeyErrorCode, string> = {
  ciphertext_malformed: 'encrypted_data_invalid',
  ciphertext_rejected: 'encrypted_data_invalid',
  key_version_unknown: 'key_version_unknown',
  keys_destroyed: 'keys_destroyed',
  kms_unavailable: 'kms_unavailable',
  blind_index_input_invalid: 'validation_failed',
  key_integrity: 'key_integrity',
};
