/**
 * Bulk exports in a cell. Every function takes a client from a tenant
 * transaction: row-level security confines it to one municipality, and the
 * municipality code written is the transaction's own (current_municipality()).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { ENCRYPTED_COLUMNS } from '../keys/registry.js';
import type { ExportState } from './policy.js';

/** The export key, sealed under the municipality's record key while the request waits for a decision. */
export const EXPORT_KEY_SEALED = ENCRYPTED_COLUMNS.register({ table: 'cell.bulk_exports', column: 'export_key_sealed' });
/** The requester's reason (free text: it may mention people). */
export const EXPORT_REASON_SEALED = ENCRYPTED_COLUMNS.register({ table: 'cell.bulk_exports', column: 'reason_sealed' });

/** Bytes of the file per row of bulk_export_file_parts. */
export const PART_SIZE = 1024 * 1024;

export interface ExportRecord {
  readonly id: string;
  readonly dataset: string;
  readonly filter: Record<string, unknown>;
  readonly purpose: string;
  readonly state: ExportState;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly expiresAt: Date;
  readonly rowCount: number | null;
  readonly recordCount: number | null;
  readonly recordIdsSha256: Buffer | null;
  readonly fileSha256: Buffer | null;
  readonly fileSize: number | null;
  readonly downloads: number;
  readonly maxDownloads: number;
  readonly version: number;
}

/** The sealed columns of one export, read with it (never listed, never sent). */
export interface SealedFields {
  readonly reasonSealed: Buffer;
  /** Null once decided or expired: from then on only the requester holds the key. */
  readonly exportKeySealed: Buffer | null;
}

interface Row {
  id: string;
  dataset: string;
  filter: Record<string, unknown>;
  purpose: string;
  state: ExportState;
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  expires_at: Date;
  row_count: string | null;
  record_count: string | null;
  record_ids_sha256: Buffer | null;
  file_sha256: Buffer | null;
  file_size: string | null;
  downloads: number;
  max_downloads: number;
  version: number;
}

interface SealedRow extends Row {
  reason_sealed: Buffer;
  export_key_sealed: Buffer | null;
}

/**
 * The state as of now: a request or an approved export past its time reads as
 * expired even before expireDue has marked it (reads do not write).
 */
const STATE = `(CASE WHEN state IN ('requested', 'approved') AND expires_at <= now() THEN 'expired' ELSE state END)`;

const COLUMNS = `id, dataset, filter, purpose, ${STATE} AS state, requested_by, requested_at, decided_by, decided_at, expires_at,
  row_count, record_count, record_ids_sha256, file_sha256, file_size, downloads, max_downloads, version`;

const num = (v: string | null) => (v === null ? null : Number(v));

function fromRow(r: Row): ExportRecord {
  return {
    id: r.id,
    dataset: r.dataset,
    filter: r.filter,
    purpose: r.purpose,
    state: r.state,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    expiresAt: r.expires_at,
    rowCount: num(r.row_count),
    recordCount: num(r.record_count),
    recordIdsSha256: r.record_ids_sha256,
    fileSha256: r.file_sha256,
    fileSize: num(r.file_size),
    downloads: r.downloads,
    maxDownloads: r.max_downloads,
    version: r.version,
  };
}

/** The row a decision or a download changed; the route holds its lock, so it cannot have gone. */
function updatedUnderLock(rows: Row[]): ExportRecord {
  if (!rows[0]) throw new Error('export changed under its row lock');
  return fromRow(rows[0]);
}

/**
 * Expires what is due: undecided requests and approved exports past their time
 * (erasing the sealed key, deleting the file). Called at the start of every
 * export route that writes (request, decision, download); reads compute the
 * state as of now (STATE above), so nobody sees a stale one. The records of
 * what left stay. Rows locked by another transaction (an approval writing its
 * file, which may take minutes) are skipped, not waited for: the next call
 * expires them.
 */
export async function expireDue(db: pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `WITH due AS (
       UPDATE cell.bulk_exports SET state = 'expired', export_key_sealed = NULL, version = version + 1
        WHERE (municipality_code, id) IN (
          SELECT municipality_code, id FROM cell.bulk_exports
           WHERE state IN ('requested', 'approved') AND expires_at <= now()
           FOR UPDATE SKIP LOCKED)
       RETURNING municipality_code, id),
     gone AS (
       DELETE FROM cell.bulk_export_file_parts p USING due
        WHERE p.municipality_code = due.municipality_code AND p.export_id = due.id)
     SELECT count(*)::int AS n FROM due`,
  );
  return rows[0]!.n;
}

export async function insertExport(
  db: pg.ClientBase,
  e: {
    id: string;
    dataset: string;
    filter: unknown;
    purpose: string;
    reasonSealed: Buffer;
    exportKeySealed: Buffer;
    requestedBy: string;
    ttlHours: number;
    maxDownloads: number;
  },
): Promise<ExportRecord> {
  const { rows } = await db.query<Row>(
    `INSERT INTO cell.bulk_exports (municipality_code, id, dataset, filter, purpose, reason_sealed, export_key_sealed, requested_by, expires_at, max_downloads)
     VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6, $7, now() + $8 * interval '1 hour', $9) RETURNING ${COLUMNS}`,
    [e.id, e.dataset, JSON.stringify(e.filter), e.purpose, e.reasonSealed, e.exportKeySealed, e.requestedBy, e.ttlHours, e.maxDownloads],
  );
  return fromRow(rows[0]!);
}

/** One export with its sealed columns (the reason to show, the export key to approve with), in one query. */
export async function findExport(db: pg.ClientBase, id: string, options: { forUpdate?: boolean } = {}): Promise<(ExportRecord & SealedFields) | null> {
  const { rows } = await db.query<SealedRow>(
    `SELECT ${COLUMNS}, reason_sealed, export_key_sealed FROM cell.bulk_exports WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  const r = rows[0];
  return r ? { ...fromRow(r), reasonSealed: r.reason_sealed, exportKeySealed: r.export_key_sealed } : null;
}

export interface ExportFilter {
  readonly state?: ExportState | undefined;
  readonly dataset?: string | undefined;
}

/** A page, newest first, after the given position. */
export async function listExports(
  db: pg.ClientBase,
  filter: ExportFilter,
  page: { limit: number; after?: { requestedAt: string; id: string } | undefined },
): Promise<{ items: ExportRecord[]; total: number }> {
  const args: unknown[] = [filter.state ?? null, filter.dataset ?? null];
  const where = `($1::text IS NULL OR ${STATE} = $1) AND ($2::text IS NULL OR dataset = $2)`;
  const total = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM cell.bulk_exports WHERE ${where}`, args);
  let after = '';
  if (page.after) {
    args.push(page.after.requestedAt, page.after.id);
    after = 'AND (requested_at, id) < ($3::timestamptz, $4::uuid)';
  }
  args.push(page.limit);
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM cell.bulk_exports WHERE ${where} ${after} ORDER BY requested_at DESC, id DESC LIMIT $${args.length}`,
    args,
  );
  return { items: rows.map(fromRow), total: Number(total.rows[0]!.n) };
}

export async function markRejected(db: pg.ClientBase, id: string, decidedBy: string): Promise<ExportRecord> {
  const { rows } = await db.query<Row>(
    `UPDATE cell.bulk_exports SET state = 'rejected', decided_by = $2, decided_at = now(), export_key_sealed = NULL, version = version + 1
      WHERE id = $1 AND state = 'requested' RETURNING ${COLUMNS}`,
    [id, decidedBy],
  );
  return updatedUnderLock(rows);
}

export async function markApproved(
  db: pg.ClientBase,
  id: string,
  decidedBy: string,
  file: { ttlHours: number; rowCount: number; recordCount: number; recordIdsSha256: Buffer; fileSha256: Buffer; fileSize: number },
): Promise<ExportRecord> {
  const { rows } = await db.query<Row>(
    `UPDATE cell.bulk_exports SET state = 'approved', decided_by = $2, decided_at = now(), expires_at = now() + $3 * interval '1 hour',
            export_key_sealed = NULL, row_count = $4, record_count = $5, record_ids_sha256 = $6, file_sha256 = $7, file_size = $8,
            version = version + 1
      WHERE id = $1 AND state = 'requested' RETURNING ${COLUMNS}`,
    [id, decidedBy, file.ttlHours, file.rowCount, file.recordCount, file.recordIdsSha256, file.fileSha256, file.fileSize],
  );
  return updatedUnderLock(rows);
}

export async function countDownload(db: pg.ClientBase, id: string): Promise<ExportRecord> {
  const { rows } = await db.query<Row>(
    `UPDATE cell.bulk_exports SET downloads = downloads + 1, last_downloaded_at = now()
      WHERE id = $1 AND state = 'approved' AND downloads < max_downloads RETURNING ${COLUMNS}`,
    [id],
  );
  return updatedUnderLock(rows);
}

export async function insertFilePart(db: pg.ClientBase, exportId: string, part: number, data: Buffer): Promise<void> {
  await db.query('INSERT INTO cell.bulk_export_file_parts (municipality_code, export_id, part, data) VALUES (cell.current_municipality(), $1, $2, $3)', [
    exportId,
    part,
    data,
  ]);
}

/** Up to `limit` parts from `from` on, in order. */
export async function readFileParts(db: pg.ClientBase, exportId: string, from: number, limit: number): Promise<{ part: number; data: Buffer }[]> {
  const { rows } = await db.query<{ part: number; data: Buffer }>(
    'SELECT part, data FROM cell.bulk_export_file_parts WHERE export_id = $1 AND part >= $2 ORDER BY part LIMIT $3',
    [exportId, from, limit],
  );
  return rows;
}

/** Records ids (duplicates ignored). */
export async function insertRecordIds(db: pg.ClientBase, exportId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `INSERT INTO cell.bulk_export_records (municipality_code, export_id, record_id)
     SELECT cell.current_municipality(), $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
    [exportId, ids],
  );
}

/** Up to `limit` record ids after `after`, in byte order. */
async function readRecordIds(db: pg.ClientBase, exportId: string, after: string | null, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ record_id: string }>(
    `SELECT record_id FROM cell.bulk_export_records WHERE export_id = $1 AND ($2::text IS NULL OR record_id > $2) ORDER BY record_id LIMIT $3`,
    [exportId, after, limit],
  );
  return rows.map((r) => r.record_id);
}

const RECORD_ID_BATCH = 10_000;

/**
 * The evidence list of an export, a batch of ids at a time, in byte order.
 * `run` gives each batch its client: the approving transaction (for the digest)
 * or a short transaction per batch (for GET …/record-ids, so that no
 * transaction stays open while a long list is sent).
 */
export async function* recordIdBatches(
  run: (read: (db: pg.ClientBase) => Promise<string[]>) => Promise<string[]>,
  exportId: string,
): AsyncGenerator<string[]> {
  let after: string | null = null;
  for (;;) {
    const ids = await run((db) => readRecordIds(db, exportId, after, RECORD_ID_BATCH));
    if (ids.length > 0) yield ids;
    if (ids.length < RECORD_ID_BATCH) return;
    after = ids.at(-1)!;
  }
}

/**
 * A batch as the list is written: each id followed by a line feed. The digest
 * and the body of GET …/record-ids both come from here, so they cannot drift apart.
 */
export function recordIdLines(ids: readonly string[]): Buffer {
  return Buffer.from(ids.map((id) => `${id}\n`).join(''), 'latin1');
}

/** The evidence digest (record_ids_sha256): SHA-256 of the whole list; and the number of ids. */
export async function recordIdsDigest(db: pg.ClientBase, exportId: string): Promise<{ sha256: Buffer; count: number }> {
  const hash = createHash('sha256');
  let count = 0;
  for await (const ids of recordIdBatches((read) => read(db), exportId)) {
    hash.update(recordIdLines(ids));
    count += ids.length;
  }
  return { sha256: hash.digest(), count };
}
