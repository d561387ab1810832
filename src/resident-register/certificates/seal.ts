/**
 * The signed code a certificate carries in its QR symbol:
 *
 *     MC1.<base64url(payload)>.<base64url(Ed25519 signature)>
 *
 * The signature covers the ASCII bytes of `MC1.<base64url(payload)>`, so the
 * prefix (the format's version) is signed too. The payload is a small binary
 * record (big-endian), which keeps the QR symbol small enough to scan off paper:
 *
 *     offset size  field
 *     0      1     payload layout version (1)
 *     1      1     kind: 1 + index in CERTIFICATE_KINDS
 *     2      4     issue date as the integer YYYYMMDD
 *     6      6     municipality code, ASCII digits
 *     12     8     key id: the first 8 bytes of SHA-256(raw Ed25519 public key)
 *     20     1     n = length of the certificate number in UTF-8 bytes (1–64)
 *     21     n     certificate number, UTF-8
 *     21+n   32    SHA-256 of the canonical JSON of the printed content (contentDigest)
 *     53+n   16    verification token: 128 random bits, printed nowhere else
 *
 * It holds nothing personal: who the certificate is about is only in the
 * content, which the code binds by digest. The token is what lets the holder of
 * the paper (and only them) ask the verification endpoint for the printed
 * fields; see docs/certificates.md for that endpoint's design.
 */

import { createHash, createPublicKey, randomBytes, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../security/audit/canonical-json.js';
import { privateKeyObject, type Ed25519PrivateKey } from '../../security/audit/signer.js';
import { CERTIFICATE_KINDS, MAX_CERTIFICATE_NUMBER_BYTES, type CertificateContent, type CertificateKind } from './model.js';

export const CODE_PREFIX = 'MC1';
const PAYLOAD_VERSION = 1;
const DIGEST_BYTES = 32;
const TOKEN_BYTES = 16;
const KEY_ID_BYTES = 8;
const ED25519_SIGNATURE_BYTES = 64;
const ED25519_PUBLIC_KEY_BYTES = 32;

export type CertificateCodeErrorCode = 'bad_format' | 'unsupported_version' | 'unknown_key' | 'bad_signature' | 'content_mismatch' | 'signer_failed';

export class CertificateCodeError extends Error {
  constructor(
    readonly code: CertificateCodeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateCodeError';
  }
}

/** What the code says, once its signature has been checked. Binary fields as base64url. */
export interface CertificatePayload {
  readonly version: 1;
  readonly kind: CertificateKind;
  /** YYYY-MM-DD */
  readonly issuedOn: string;
  readonly municipalityCode: string;
  /** base64url of the first 8 bytes of SHA-256(public key): which key to verify with. */
  readonly keyId: string;
  readonly certificateNumber: string;
  /** base64url of SHA-256(canonicalJson(content)) */
  readonly contentDigest: string;
  /** base64url of the 128-bit random verification token */
  readonly verificationToken: string;
}

/**
 * Anything that signs with an Ed25519 key: a key in process (certificateSigner)
 * or a key held elsewhere. The audit log's CheckpointSigner has these two
 * members too, so an HSM-backed signer made for it serves here as well.
 */
export interface CertificateSigner {
  /** Raw Ed25519 signature (64 bytes) of message. */
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** Raw Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
}

export interface SignedCertificate {
  /** The string to put in the QR symbol. */
  readonly code: string;
  readonly payload: CertificatePayload;
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** SHA-256 of the UTF-8 of the content's canonical JSON: what the code binds. */
export function contentDigest(content: CertificateContent): Uint8Array {
  return new Uint8Array(createHash('sha256').update(canonicalJson(content), 'utf8').digest());
}

/** The key id a public key is known by in codes: base64url of the first 8 bytes of SHA-256(raw key). */
export function keyIdOf(publicKey: Uint8Array): string {
  return b64url(keyIdBytes(publicKey));
}

function keyIdBytes(publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(publicKey).digest().subarray(0, KEY_ID_BYTES));
}

/**
 * Signs a certificate's content: a fresh verification token, the payload, the
 * signature. Checks the signature against signer.publicKey before returning,
 * so a signer whose key is not the one it claims fails here, not at a reader.
 */
export async function signCertificate(content: CertificateContent, signer: CertificateSigner): Promise<SignedCertificate> {
  if (signer.publicKey.length !== ED25519_PUBLIC_KEY_BYTES) throw new CertificateCodeError('signer_failed', 'the signer public key is not a raw 32-byte Ed25519 key');
  const kind = CERTIFICATE_KINDS.indexOf(content.kind);
  const number = Buffer.from(content.certificateNumber, 'utf8');
  if (kind < 0) throw new CertificateCodeError('bad_format', `unknown kind ${content.kind}`);
  if (!/^\d{6}$/.test(content.municipality.code)) throw new CertificateCodeError('bad_format', 'municipality code must be six digits');
  if (number.length < 1 || number.length > MAX_CERTIFICATE_NUMBER_BYTES) throw new CertificateCodeError('bad_format', `certificate number must be 1–${MAX_CERTIFICATE_NUMBER_BYTES} bytes`);
  const date = dateNumber(content.issuedOn);

  const payload = Buffer.concat([
    Buffer.from([PAYLOAD_VERSION, kind + 1]),
    uint32(date),
    Buffer.from(content.municipality.code, 'ascii'),
    keyIdBytes(signer.publicKey),
    Buffer.from([number.length]),
    number,
    contentDigest(content),
    randomBytes(TOKEN_BYTES),
  ]);
  const signed = `${CODE_PREFIX}.${b64url(payload)}`;
  let signature: Uint8Array;
  try {
    signature = await signer.sign(Buffer.from(signed, 'ascii'));
  } catch (e) {
    throw new CertificateCodeError('signer_failed', `the signer failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const code = `${signed}.${b64url(signature)}`;
  try {
    return { code, payload: verifyCertificateCode(code, signer.publicKey) };
  } catch (e) {
    if (e instanceof CertificateCodeError) throw new CertificateCodeError('signer_failed', `the signer's signature does not verify with its public key (${e.code})`);
    throw e;
  }
}

/**
 * Reads a code without checking its signature: for choosing the key (by
 * keyId and municipalityCode) before verifyCertificateCode. Trust nothing in
 * the result until then.
 */
export function decodeCertificateCode(code: string): { readonly payload: CertificatePayload; readonly signed: Uint8Array; readonly signature: Uint8Array } {
  const parts = code.trim().split('.');
  if (parts.length !== 3 || parts[0] !== CODE_PREFIX) {
    if (parts.length === 3 && /^MC\d+$/.test(parts[0]!)) throw new CertificateCodeError('unsupported_version', `code version ${parts[0]} is not supported`);
    throw new CertificateCodeError('bad_format', `not a certificate code (expected ${CODE_PREFIX}.<payload>.<signature>)`);
  }
  const payload = strictBase64url(parts[1]!, 'payload');
  const signature = strictBase64url(parts[2]!, 'signature');
  if (signature.length !== ED25519_SIGNATURE_BYTES) throw new CertificateCodeError('bad_format', 'signature is not 64 bytes');
  return { payload: parsePayload(payload), signed: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'), signature };
}

/**
 * Checks a code's signature with the municipality's public key (raw 32 bytes)
 * and returns what it says. Throws CertificateCodeError: bad_format,
 * unsupported_version, unknown_key (signed with another key), bad_signature.
 * It does not say whether the certificate was issued and not revoked: that is
 * the register's lookup by verification token.
 */
export function verifyCertificateCode(code: string, publicKey: Uint8Array): CertificatePayload {
  const { payload, signed, signature } = decodeCertificateCode(code);
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) throw new CertificateCodeError('unknown_key', 'the public key is not a raw 32-byte Ed25519 key');
  if (payload.keyId !== keyIdOf(publicKey)) throw new CertificateCodeError('unknown_key', `the code was signed with key ${payload.keyId}, not ${keyIdOf(publicKey)}`);
  if (!cryptoVerify(null, signed, ed25519PublicKey(publicKey), signature)) throw new CertificateCodeError('bad_signature', 'the signature does not match');
  return payload;
}

/** Whether stored content is the content the code was issued for (the endpoint checks this before answering with it). Throws content_mismatch. */
export function checkContentDigest(payload: CertificatePayload, content: CertificateContent): void {
  const expected = Buffer.from(payload.contentDigest, 'base64url');
  const actual = contentDigest(content);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new CertificateCodeError('content_mismatch', 'the content does not match the digest the code was signed over');
  }
  checkSameCertificate(payload, content);
}

/** Whether content names the certificate the code names (kind, number, issue date, municipality). Throws content_mismatch. */
export function checkSameCertificate(payload: CertificatePayload, content: CertificateContent): void {
  if (content.kind !== payload.kind || content.certificateNumber !== payload.certificateNumber || content.issuedOn !== payload.issuedOn || content.municipality.code !== payload.municipalityCode) {
    throw new CertificateCodeError('content_mismatch', 'the content names another certificate');
  }
}

/**
 * A signer over an Ed25519 private key held in process (tests, demo, or a key
 * unwrapped from the KMS), given as the audit signer takes it: a KeyObject, a
 * PEM text or a raw 32-byte seed.
 */
export function certificateSigner(privateKey: Ed25519PrivateKey): CertificateSigner {
  const key = privateKeyObject(privateKey);
  if (key.asymmetricKeyType !== 'ed25519' || key.type !== 'private') throw new TypeError('certificateSigner: needs an Ed25519 private key');
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const publicKey = new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
  return {
    publicKey,
    sign: async (message) => new Uint8Array(cryptoSign(null, message, key)),
  };
}

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }, format: 'jwk' });
}

function parsePayload(bytes: Uint8Array): CertificatePayload {
  const buf = Buffer.from(bytes);
  const fail = (why: string): never => {
    throw new CertificateCodeError('bad_format', `payload: ${why}`);
  };
  if (buf.length < 21) fail('too short');
  if (buf[0] !== PAYLOAD_VERSION) throw new CertificateCodeError('unsupported_version', `payload layout ${buf[0]} is not supported`);
  const kind = CERTIFICATE_KINDS[buf[1]! - 1] ?? fail(`unknown kind ${buf[1]}`);
  const issuedOn = isoDateOf(buf.readUInt32BE(2)) ?? fail('bad issue date');
  const municipalityCode = buf.subarray(6, 12).toString('latin1');
  if (!/^\d{6}$/.test(municipalityCode)) fail('bad municipality code');
  const keyId = b64url(buf.subarray(12, 20));
  const n = buf[20]!;
  if (n < 1 || n > MAX_CERTIFICATE_NUMBER_BYTES) fail('bad certificate number length');
  if (buf.length !== 21 + n + DIGEST_BYTES + TOKEN_BYTES) fail('wrong length');
  const numberBytes = buf.subarray(21, 21 + n);
  const certificateNumber = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(numberBytes);
  const digest = buf.subarray(21 + n, 21 + n + DIGEST_BYTES);
  const token = buf.subarray(21 + n + DIGEST_BYTES);
  return { version: 1, kind, issuedOn, municipalityCode, keyId, certificateNumber, contentDigest: b64url(digest), verificationToken: b64url(token) };
}

/** base64url without padding, refusing anything that would not round-trip (other alphabets, stray bits). */
function strictBase64url(text: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new CertificateCodeError('bad_format', `${what} is not base64url`);
  const bytes = Buffer.from(text, 'base64url');
  if (b64url(bytes) !== text) throw new CertificateCodeError('bad_format', `${what} is not canonical base64url`);
  return bytes;
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function dateNumber(iso: string): number {
  const n = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? Number(iso.replaceAll('-', '')) : NaN;
  if (isoDateOf(n) !== iso) throw new CertificateCodeError('bad_format', `issue date ${JSON.stringify(iso)} is not a YYYY-MM-DD date`);
  return n;
}

function isoDateOf(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 10000101 || n > 99991231) return undefined;
  const y = Math.floor(n / 10000);
  const m = Math.floor(n / 100) % 100;
  const d = n % 100;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
