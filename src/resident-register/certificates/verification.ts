/**
 * The logic of the public verification endpoint (the route itself comes
 * later): someone holding a certificate scans its QR code, and the endpoint
 * answers whether it is genuine and unaltered, with the fields it prints.
 *
 * - Only the holder can ask: the code carries a 128-bit random token printed
 *   nowhere else; the register keeps only its SHA-256 (verificationTokenHash).
 * - The answer is the printed content, and less: 個人番号 and 住民票コード
 *   values are masked (verificationView). The endpoint is on the internet
 *   side, and the three-layer model keeps My Number data in the My Number
 *   segment; the record the endpoint reads (IssuedCertificateRecord) is
 *   written at issue time from the masked view and never holds them. A reader
 *   who must rely on a My Number checks it the way the My Number Act
 *   prescribes, not here.
 * - Altered: the code's signature covers the digest of the full printed
 *   content; the record holds that digest (checked against the content when
 *   the record is made) and the masked view, whose unmasked fields the reader
 *   compares with the paper. When nothing is masked the endpoint re-checks the
 *   digest over the view itself.
 */

import { createHash } from 'node:crypto';
import type { CertificateContent, CertificateKind, FieldKey, PrintedField } from './model.js';
import {
  CertificateCodeError,
  checkContentDigest,
  checkSameCertificate,
  decodeCertificateCode,
  verifyCertificateCode,
  type CertificateCodeErrorCode,
  type CertificatePayload,
} from './seal.js';

/** Fields whose values the verification answer never carries. */
export const MASKED_IN_VERIFICATION: ReadonlySet<FieldKey> = new Set(['myNumber', 'residentCode']);
export const MASK = '（照会では表示しません）';

/** The content as the verification endpoint may show it: masked fields' values replaced by MASK (blank ones stay blank). */
export function verificationView(content: CertificateContent): CertificateContent {
  const mask = (f: PrintedField): PrintedField => (MASKED_IN_VERIFICATION.has(f.key) && f.value !== '' ? { ...f, value: MASK } : f);
  return { ...content, header: content.header.map(mask), persons: content.persons.map((p) => ({ fields: p.fields.map(mask) })) };
}

/** base64url of SHA-256(token bytes): the key the issued certificate is stored under (the token itself is only on paper). */
export function verificationTokenHash(payload: CertificatePayload): string {
  return createHash('sha256').update(Buffer.from(payload.verificationToken, 'base64url')).digest('base64url');
}

/** What the endpoint's store keeps of each issued certificate, found by verificationTokenHash. Nothing masked is in it. */
export interface IssuedCertificateRecord {
  readonly municipalityCode: string;
  readonly tokenHash: string;
  /** base64url SHA-256 of the full printed content: the digest the code was signed over. */
  readonly contentDigest: string;
  readonly view: CertificateContent;
  /** Set when the municipality voids the certificate (issued in error, replaced). */
  readonly revokedOn: string | null;
}

/** The record to store at issue time, from the content and its signed payload; checks that the payload was signed over this content. */
export function issuedCertificateRecord(content: CertificateContent, payload: CertificatePayload): IssuedCertificateRecord {
  checkContentDigest(payload, content);
  return { municipalityCode: payload.municipalityCode, tokenHash: verificationTokenHash(payload), contentDigest: payload.contentDigest, view: verificationView(content), revokedOn: null };
}

export interface VerificationSources {
  /** The municipality's certificate-signing public key with this key id (current or retired), or undefined. */
  publicKey(municipalityCode: string, keyId: string): Promise<Uint8Array | undefined>;
  /** The issued certificate stored under tokenHash for this municipality, or undefined. */
  issued(municipalityCode: string, tokenHash: string): Promise<IssuedCertificateRecord | undefined>;
}

/** The endpoint's answer: `genuine` carries the (masked) printed content and nothing else; the others carry nothing from the register. */
export type VerificationResult =
  | {
      readonly status: 'genuine';
      readonly municipality: { readonly code: string; readonly name: string };
      readonly kind: CertificateKind;
      readonly title: string;
      readonly certificateNumber: string;
      readonly issuedOn: string;
      readonly issuedOnText: string;
      readonly content: CertificateContent;
    }
  | { readonly status: 'revoked'; readonly certificateNumber: string; readonly revokedOn: string }
  | { readonly status: 'not_genuine'; readonly reason: CertificateCodeErrorCode | 'not_issued' };

/** Checks a scanned code end to end: the signature with the municipality's key, the issued record by token, the record against the signed payload. */
export async function verifyIssuedCertificate(code: string, sources: VerificationSources): Promise<VerificationResult> {
  try {
    const unverified = decodeCertificateCode(code).payload;
    const key = await sources.publicKey(unverified.municipalityCode, unverified.keyId);
    if (!key) return { status: 'not_genuine', reason: 'unknown_key' };
    const payload = verifyCertificateCode(code, key);
    const record = await sources.issued(payload.municipalityCode, verificationTokenHash(payload));
    if (!record) return { status: 'not_genuine', reason: 'not_issued' };
    checkRecord(payload, record);
    if (record.revokedOn !== null) return { status: 'revoked', certificateNumber: payload.certificateNumber, revokedOn: record.revokedOn };
    const { view } = record;
    return {
      status: 'genuine',
      municipality: { code: view.municipality.code, name: view.municipality.name },
      kind: view.kind,
      title: view.title,
      certificateNumber: view.certificateNumber,
      issuedOn: view.issuedOn,
      issuedOnText: view.issuedOnText,
      content: view,
    };
  } catch (e) {
    if (e instanceof CertificateCodeError) return { status: 'not_genuine', reason: e.code };
    throw e;
  }
}

function checkRecord(payload: CertificatePayload, record: IssuedCertificateRecord): void {
  const { view } = record;
  if (record.contentDigest !== payload.contentDigest || record.municipalityCode !== payload.municipalityCode) {
    throw new CertificateCodeError('content_mismatch', 'the stored record is not the one the code was signed for');
  }
  // A masked view cannot be digested again (issuedCertificateRecord checked the full content); an unmasked one is the printed content itself.
  if (hasMasked(view)) checkSameCertificate(payload, view);
  else checkContentDigest(payload, view);
}

function hasMasked(view: CertificateContent): boolean {
  const all = [...view.header, ...view.persons.flatMap((p) => p.fields)];
  return all.some((f) => MASKED_IN_VERIFICATION.has(f.key) && f.value === MASK);
}
