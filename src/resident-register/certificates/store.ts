/**
 * The certificates' tables in a cell (migrations/cell/0006_issued_certificates.sql):
 * signing keys and issued certificates. Every function takes a client from a
 * tenant transaction: row-level security confines it to one municipality, and
 * rows are written with the transaction's own municipality. Sealed columns hold
 * ciphertext only; ./service.ts seals and opens them.
 */
import type pg from 'pg';
import { ENCRYPTED_COLUMNS } from '../../security/keys/index.js';
import type { CertificateKind } from './model.js';

/** The Ed25519 private key (PKCS#8 PEM), sealed per row; the rewrap job re-seals it after a key rotation. */
export const SIGNING_PRIVATE_KEY = ENCRYPTED_COLUMNS.register({ table: 'cell.certificate_signing_keys', column: 'private_key_sealed' });
/** The verification view (the printed content, My Number and resident code masked), sealed: it is personal data. */
export const VERIFICATION_VIEW = ENCRYPTED_COLUMNS.register({ table: 'cell.issued_certificates', column: 'view_sealed' });

export interface SigningKeyRow {
  readonly id: string;
  readonly keyId: string;
  readonly publicKey: Buffer;
  readonly privateKeySealed: Buffer | null;
  readonly state: 'active' | 'retired';
}

const signingKeyFrom = (r: { id: string; key_id: string; public_key: Buffer; private_key_sealed: Buffer | null; state: 'active' | 'retired' }): SigningKeyRow => ({
  id: r.id,
  keyId: r.key_id,
  publicKey: r.public_key,
  privateKeySealed: r.private_key_sealed,
  state: r.state,
});

export async function activeSigningKey(db: pg.ClientBase): Promise<SigningKeyRow | null> {
  const { rows } = await db.query(`SELECT id, key_id, public_key, private_key_sealed, state FROM cell.certificate_signing_keys WHERE state = 'active'`);
  return rows[0] ? signingKeyFrom(rows[0]) : null;
}

/** A key by its id in codes, active or retired (retired keys still verify what they signed). */
export async function signingKeyByKeyId(db: pg.ClientBase, keyId: string): Promise<SigningKeyRow | null> {
  const { rows } = await db.query(`SELECT id, key_id, public_key, private_key_sealed, state FROM cell.certificate_signing_keys WHERE key_id = $1`, [keyId]);
  return rows[0] ? signingKeyFrom(rows[0]) : null;
}

/**
 * Inserts a new active key unless the municipality has one. Two first issues
 * at once: the second waits on the unique index for the first to commit, then
 * inserts nothing (false) and reads the winner's key.
 */
export async function insertSigningKey(
  db: pg.ClientBase,
  k: { id: string; keyId: string; publicKey: Buffer; privateKeySealed: Buffer; createdBy: string | null },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO cell.certificate_signing_keys (municipality_code, id, key_id, public_key, private_key_sealed, created_by)
     VALUES (cell.current_municipality(), $1, $2, $3, $4, $5)
     ON CONFLICT (municipality_code) WHERE state = 'active' DO NOTHING`,
    [k.id, k.keyId, k.publicKey, k.privateKeySealed, k.createdBy],
  );
  return rowCount === 1;
}

/** Retires the active key (its private half is erased); the next issue creates a new one. Returns the retired key id, if any. */
export async function retireSigningKey(db: pg.ClientBase): Promise<string | null> {
  const { rows } = await db.query<{ key_id: string }>(
    `UPDATE cell.certificate_signing_keys SET state = 'retired', retired_at = now(), private_key_sealed = NULL
      WHERE state = 'active' RETURNING key_id`,
  );
  return rows[0]?.key_id ?? null;
}

export interface IssuedCertificateRow {
  readonly id: string;
  readonly seq: number;
  readonly number: string;
  readonly kind: CertificateKind;
  readonly issuedOn: string;
  readonly issuedAt: string;
  readonly issuedBy: string;
  readonly residentIds: readonly string[];
  readonly keyId: string;
  readonly tokenHash: Buffer;
  readonly contentDigest: Buffer;
  readonly viewSealed: Buffer;
  readonly revokedOn: string | null;
  readonly revokedBy: string | null;
  readonly revocationReason: string | null;
}

const ISSUED_COLUMNS = `id, seq, number, kind, to_char(issued_on, 'YYYY-MM-DD') AS issued_on, issued_at, issued_by, resident_ids, key_id,
  token_hash, content_digest, view_sealed, to_char(revoked_on, 'YYYY-MM-DD') AS revoked_on, revoked_by, revocation_reason`;
interface IssuedSqlRow {
  id: string;
  seq: string;
  number: string;
  kind: CertificateKind;
  issued_on: string;
  issued_at: Date;
  issued_by: string;
  resident_ids: string[];
  key_id: string;
  token_hash: Buffer;
  content_digest: Buffer;
  view_sealed: Buffer;
  revoked_on: string | null;
  revoked_by: string | null;
  revocation_reason: string | null;
}
const issuedFrom = (r: IssuedSqlRow): IssuedCertificateRow => ({
  id: r.id,
  seq: Number(r.seq),
  number: r.number,
  kind: r.kind,
  issuedOn: r.issued_on,
  issuedAt: r.issued_at.toISOString(),
  issuedBy: r.issued_by,
  residentIds: r.resident_ids,
  keyId: r.key_id,
  tokenHash: r.token_hash,
  contentDigest: r.content_digest,
  viewSealed: r.view_sealed,
  revokedOn: r.revoked_on,
  revokedBy: r.revoked_by,
  revocationReason: r.revocation_reason,
});

export async function insertIssuedCertificate(
  db: pg.ClientBase,
  c: Pick<IssuedCertificateRow, 'id' | 'number' | 'kind' | 'issuedOn' | 'issuedBy' | 'residentIds' | 'keyId' | 'tokenHash' | 'contentDigest' | 'viewSealed'>,
): Promise<void> {
  await db.query(
    `INSERT INTO cell.issued_certificates (municipality_code, id, number, kind, issued_on, issued_by, resident_ids, key_id, token_hash, content_digest, view_sealed)
     VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9, $10)`,
    [c.id, c.number, c.kind, c.issuedOn, c.issuedBy, c.residentIds, c.keyId, c.tokenHash, c.contentDigest, c.viewSealed],
  );
}

/** The certificate stored under a verification token's hash (the public endpoint's lookup). */
export async function issuedByTokenHash(db: pg.ClientBase, tokenHash: Buffer): Promise<IssuedCertificateRow | null> {
  const { rows } = await db.query<IssuedSqlRow>(`SELECT ${ISSUED_COLUMNS} FROM cell.issued_certificates WHERE token_hash = $1`, [tokenHash]);
  return rows[0] ? issuedFrom(rows[0]) : null;
}

/** The certificates printed under a number, newest first (more than one only for a move-out certificate printed again after a revocation). */
export async function issuedByNumber(db: pg.ClientBase, number: string, options: { lock?: boolean } = {}): Promise<IssuedCertificateRow[]> {
  const { rows } = await db.query<IssuedSqlRow>(
    `SELECT ${ISSUED_COLUMNS} FROM cell.issued_certificates WHERE number = $1 ORDER BY seq DESC${options.lock ? ' FOR UPDATE' : ''}`,
    [number],
  );
  return rows.map(issuedFrom);
}

/** Revokes one certificate, if it is not revoked yet; returns whether it was. */
export async function revokeIssuedCertificate(db: pg.ClientBase, id: string, r: { revokedOn: string; revokedBy: string; reason: string }): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE cell.issued_certificates SET revoked_on = $2, revoked_at = now(), revoked_by = $3, revocation_reason = $4
      WHERE id = $1 AND revoked_at IS NULL`,
    [id, r.revokedOn, r.revokedBy, r.reason],
  );
  return rowCount === 1;
}

/** Revokes every valid certificate printed under a number (e.g. when the move-out it certifies is cancelled); returns their ids. */
export async function revokeIssuedByNumber(db: pg.ClientBase, number: string, r: { revokedOn: string; revokedBy: string; reason: string }): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE cell.issued_certificates SET revoked_on = $2, revoked_at = now(), revoked_by = $3, revocation_reason = $4
      WHERE number = $1 AND revoked_at IS NULL RETURNING id`,
    [number, r.revokedOn, r.revokedBy, r.reason],
  );
  return rows.map((row) => row.id);
}

export interface IssuedFilter {
  readonly kind: CertificateKind | null;
  readonly number: string | null;
  readonly residentId: string | null;
  readonly revoked: boolean | null;
}

/** Issued certificates, newest first, after a position (seq) and a filter on non-personal columns. */
export async function listIssued(db: pg.ClientBase, filter: IssuedFilter, page: { limit: number; beforeSeq?: number }): Promise<{ items: IssuedCertificateRow[]; total: number }> {
  const args: unknown[] = [filter.kind, filter.number, filter.residentId, filter.revoked];
  const where = `($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR number = $2)
    AND ($3::uuid IS NULL OR resident_ids @> ARRAY[$3::uuid]) AND ($4::boolean IS NULL OR (revoked_at IS NOT NULL) = $4)`;
  const total = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM cell.issued_certificates WHERE ${where}`, args);
  args.push(page.beforeSeq ?? null, page.limit);
  const { rows } = await db.query<IssuedSqlRow>(
    `SELECT ${ISSUED_COLUMNS} FROM cell.issued_certificates WHERE ${where} AND ($5::bigint IS NULL OR seq < $5) ORDER BY seq DESC LIMIT $6`,
    args,
  );
  return { items: rows.map(issuedFrom), total: Number(total.rows[0]!.n) };
}
