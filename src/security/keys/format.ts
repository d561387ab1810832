/**
 * The sealed-field format and its associated data. Pure: bytes in, bytes out.
 *
 * A sealed field is self-describing, so it can be opened without any column
 * metadata and re-encrypted by a generic job:
 *
 *   offset 0   1 byte    format (0x01 = AES-256-GCM, 96-bit nonce, 128-bit tag)
 *   offset 1   4 bytes   data-key version, unsigned big-endian
 *   offset 5  12 bytes   nonce
 *   offset 17  n bytes   ciphertext
 *   last      16 bytes   authentication tag
 *
 * The associated data is not stored: it is rebuilt from where the field is
 * read (municipality, table, record id, column) plus the header above. A
 * ciphertext copied to another row, column, table or municipality, or given a
 * different key version or format byte, therefore fails authentication. Each
 * part is length-prefixed, so no two different tuples encode to the same bytes
 * ("a|bc" and "ab|c" differ), and the whole is preceded by a domain label so
 * these bytes can never be confused with another use of the same key.
 */
import { KeyError } from './errors.js';

export const FORMAT_AES256GCM_V1 = 0x01;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;
export const HEADER_LENGTH = 1 + 4 + NONCE_LENGTH;
export const MIN_SEALED_LENGTH = HEADER_LENGTH + TAG_LENGTH;
/** Fields are column values, not files: 16 MiB is far above any and far below GCM's 64 GiB per message. */
export const MAX_PLAINTEXT_LENGTH = 16 * 1024 * 1024;
export const MAX_KEY_VERSION = 0x7fffffff; // stored as PostgreSQL integer

const AAD_LABEL = 'municloud/sealed-field/v1';

/** Where a sealed value lives. `recordId` is the id's canonical text (as PostgreSQL prints it). */
export interface FieldRef {
  readonly table: string;
  readonly recordId: string;
  readonly column: string;
}

export interface BoundField extends FieldRef {
  readonly municipalityCode: string;
}

export interface SealedParts {
  readonly format: number;
  readonly keyVersion: number;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

const MUNICIPALITY = /^[0-9]{6}$/;
/** Schema-qualified or plain lower-case SQL identifiers; the same rule the column registry uses. */
const NAME = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/** Refuses field references that could not be stored consistently; messages name the part, not its value. */
export function checkField(field: BoundField): void {
  if (!MUNICIPALITY.test(field.municipalityCode)) throw new TypeError('municipality code must be six digits');
  if (!NAME.test(field.table)) throw new TypeError('table must be a lower-case SQL identifier, optionally schema-qualified');
  if (!NAME.test(field.column) || field.column.includes('.')) throw new TypeError('column must be a lower-case SQL identifier');
  if (typeof field.recordId !== 'string' || field.recordId.length === 0 || field.recordId.length > 200) {
    throw new TypeError('record id must be a non-empty string of at most 200 characters');
  }
}

export function checkKeyVersion(version: number): void {
  if (!Number.isInteger(version) || version < 1 || version > MAX_KEY_VERSION) throw new TypeError('key version out of range');
}

/** Length-prefixed concatenation (4-byte big-endian length, then the bytes): an injective encoding of a tuple. */
export function lengthPrefixed(parts: readonly (string | Uint8Array)[]): Buffer {
  const buffers = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  const out = Buffer.allocUnsafe(buffers.reduce((n, b) => n + 4 + b.length, 0));
  let at = 0;
  for (const b of buffers) {
    out.writeUInt32BE(b.length, at);
    b.copy(out, at + 4);
    at += 4 + b.length;
  }
  return out;
}

/** The header bytes (format, key version, nonce): the first 17 bytes of a sealed field. */
export function encodeHeader(format: number, keyVersion: number, nonce: Uint8Array): Buffer {
  checkKeyVersion(keyVersion);
  if (nonce.length !== NONCE_LENGTH) throw new TypeError('nonce must be 12 bytes');
  const header = Buffer.allocUnsafe(HEADER_LENGTH);
  header.writeUInt8(format, 0);
  header.writeUInt32BE(keyVersion, 1);
  Buffer.from(nonce.buffer, nonce.byteOffset, nonce.byteLength).copy(header, 5);
  return header;
}

/** The associated data: domain label, the field's place, and the header (which holds the key version). */
export function associatedData(field: BoundField, header: Uint8Array): Buffer {
  return lengthPrefixed([AAD_LABEL, field.municipalityCode, field.table, field.recordId, field.column, header]);
}

export function encodeSealed(parts: SealedParts): Buffer {
  if (parts.tag.length !== TAG_LENGTH) throw new TypeError('tag must be 16 bytes');
  return Buffer.concat([encodeHeader(parts.format, parts.keyVersion, parts.nonce), parts.ciphertext, parts.tag]);
}

/** Splits a sealed field; refuses anything that is not one (the message never echoes the bytes). */
export function decodeSealed(sealed: Uint8Array): SealedParts {
  if (!(sealed instanceof Uint8Array)) throw new KeyError('ciphertext_malformed', 'sealed value is not bytes');
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (bytes.length < MIN_SEALED_LENGTH) {
    throw new KeyError('ciphertext_malformed', `sealed value is truncated (${bytes.length} bytes, at least ${MIN_SEALED_LENGTH} needed)`);
  }
  if (bytes.length > MIN_SEALED_LENGTH + MAX_PLAINTEXT_LENGTH) throw new KeyError('ciphertext_malformed', 'sealed value is too long');
  const format = bytes.readUInt8(0);
  if (format !== FORMAT_AES256GCM_V1) throw new KeyError('ciphertext_malformed', `unknown sealed-value format 0x${format.toString(16).padStart(2, '0')}`);
  const keyVersion = bytes.readUInt32BE(1);
  if (keyVersion < 1 || keyVersion > MAX_KEY_VERSION) throw new KeyError('ciphertext_malformed', 'sealed value names an impossible key version');
  return {
    format,
    keyVersion,
    nonce: bytes.subarray(5, HEADER_LENGTH),
    ciphertext: bytes.subarray(HEADER_LENGTH, bytes.length - TAG_LENGTH),
    tag: bytes.subarray(bytes.length - TAG_LENGTH),
  };
}

/** The key version a sealed value names, without opening it (for the rewrap job and for fetching the right key). */
export function sealedKeyVersion(sealed: Uint8Array): number {
  return decodeSealed(sealed).keyVersion;
}
