/**
 * Control-database access for key metadata (migrations/control/0005_keys.sql).
 * Only ids, versions, states, counters and wrapped keys pass through here.
 */
import type pg from 'pg';

export type KeyPurpose = 'record' | 'blind_index';
export type KeyState = 'active' | 'retired' | 'destroyed';
type Db = pg.Pool | pg.ClientBase;

export interface KekRow {
  readonly municipalityCode: string;
  readonly version: number;
  readonly kmsKind: string;
  readonly kmsKeyId: string;
  readonly state: KeyState;
  readonly createdAt: Date;
}

export interface DataKeyRow {
  readonly municipalityCode: string;
  readonly purpose: KeyPurpose;
  readonly version: number;
  readonly kekVersion: number;
  readonly wrapped: Buffer | null;
  readonly state: KeyState;
  readonly usageReserved: number;
  readonly usageLimit: number;
  readonly createdAt: Date;
}

const KEK_COLUMNS = `municipality_code AS "municipalityCode", version, kms_kind AS "kmsKind", kms_key_id AS "kmsKeyId", state, created_at AS "createdAt"`;
const DEK_COLUMNS = `municipality_code AS "municipalityCode", purpose, version, kek_version AS "kekVersion", wrapped, state,
  usage_reserved::float8 AS "usageReserved", usage_limit::float8 AS "usageLimit", created_at AS "createdAt"`;

/** Serialises provisioning, rotation and shredding of one municipality's keys (transaction-scoped). */
export async function lockMunicipalityKeys(client: pg.ClientBase, municipalityCode: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('municloud.keys.' || $1::text, 0))`, [municipalityCode]);
}

export async function keks(db: Db, municipalityCode: string): Promise<KekRow[]> {
  const { rows } = await db.query<KekRow>(`SELECT ${KEK_COLUMNS} FROM control.key_encryption_keys WHERE municipality_code = $1 ORDER BY version`, [municipalityCode]);
  return rows;
}

export async function dataKeys(db: Db, municipalityCode: string, purpose?: KeyPurpose): Promise<DataKeyRow[]> {
  const { rows } = await db.query<DataKeyRow>(
    `SELECT ${DEK_COLUMNS} FROM control.data_keys WHERE municipality_code = $1 AND ($2::text IS NULL OR purpose = $2) ORDER BY purpose, version`,
    [municipalityCode, purpose ?? null],
  );
  return rows;
}

export async function dataKey(db: Db, municipalityCode: string, purpose: KeyPurpose, version: number): Promise<DataKeyRow | null> {
  const { rows } = await db.query<DataKeyRow>(
    `SELECT ${DEK_COLUMNS} FROM control.data_keys WHERE municipality_code = $1 AND purpose = $2 AND version = $3`,
    [municipalityCode, purpose, version],
  );
  return rows[0] ?? null;
}

export async function insertKek(client: pg.ClientBase, row: { municipalityCode: string; version: number; kmsKind: string; kmsKeyId: string }): Promise<void> {
  await client.query(
    `INSERT INTO control.key_encryption_keys (municipality_code, version, kms_kind, kms_key_id) VALUES ($1, $2, $3, $4)`,
    [row.municipalityCode, row.version, row.kmsKind, row.kmsKeyId],
  );
}

export async function retireKek(client: pg.ClientBase, municipalityCode: string, version: number): Promise<void> {
  await client.query(
    `UPDATE control.key_encryption_keys SET state = 'retired', retired_at = now() WHERE municipality_code = $1 AND version = $2 AND state = 'active'`,
    [municipalityCode, version],
  );
}

export async function insertDataKey(
  client: pg.ClientBase,
  row: { municipalityCode: string; purpose: KeyPurpose; version: number; kekVersion: number; wrapped: Buffer; usageLimit: number },
): Promise<void> {
  await client.query(
    `INSERT INTO control.data_keys (municipality_code, purpose, version, kek_version, wrapped, usage_limit) VALUES ($1, $2, $3, $4, $5, $6)`,
    [row.municipalityCode, row.purpose, row.version, row.kekVersion, row.wrapped, row.usageLimit],
  );
}

export async function retireDataKey(client: pg.ClientBase, municipalityCode: string, purpose: KeyPurpose, version: number): Promise<void> {
  await client.query(
    `UPDATE control.data_keys SET state = 'retired', retired_at = now() WHERE municipality_code = $1 AND purpose = $2 AND version = $3 AND state = 'active'`,
    [municipalityCode, purpose, version],
  );
}

/**
 * Reserves `count` GCM messages of an active data key, atomically across
 * processes. Refused when the key is no longer active or the block would pass its
 * limit (false): the caller then looks for a newer key or rotates.
 */
export async function reserveUsage(db: Db, municipalityCode: string, version: number, count: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE control.data_keys SET usage_reserved = usage_reserved + $3
      WHERE municipality_code = $1 AND purpose = 'record' AND version = $2 AND state = 'active'
        AND usage_reserved + $3 <= usage_limit`,
    [municipalityCode, version, count],
  );
  return rowCount === 1;
}

export async function rewrapDataKey(
  client: Db,
  row: { municipalityCode: string; purpose: KeyPurpose; version: number; fromKekVersion: number; kekVersion: number; wrapped: Buffer },
): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE control.data_keys SET wrapped = $5, kek_version = $6, rewrapped_at = now()
      WHERE municipality_code = $1 AND purpose = $2 AND version = $3 AND kek_version = $4 AND state <> 'destroyed'`,
    [row.municipalityCode, row.purpose, row.version, row.fromKekVersion, row.wrapped, row.kekVersion],
  );
  return rowCount === 1;
}

/** Tombstones: KEKs marked destroyed, wrapped data keys erased (defence in depth: without the KEK they were useless anyway). */
export async function markDestroyed(client: pg.ClientBase, municipalityCode: string): Promise<{ keks: number; dataKeys: number }> {
  const k = await client.query(
    `UPDATE control.key_encryption_keys SET state = 'destroyed', destroyed_at = now(), retired_at = COALESCE(retired_at, now())
      WHERE municipality_code = $1 AND state <> 'destroyed'`,
    [municipalityCode],
  );
  const d = await client.query(
    `UPDATE control.data_keys SET state = 'destroyed', wrapped = NULL, retired_at = COALESCE(retired_at, now())
      WHERE municipality_code = $1 AND state <> 'destroyed'`,
    [municipalityCode],
  );
  return { keks: k.rowCount ?? 0, dataKeys: d.rowCount ?? 0 };
}

/** Municipalities that have keys, destroyed ones included. */
export async function keyedMunicipalities(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ code: string }>(`SELECT DISTINCT municipality_code AS code FROM control.key_encryption_keys ORDER BY 1`);
  return rows.map((r) => r.code);
}

export interface RewrapProgressRow {
  readonly municipalityCode: string;
  readonly tableName: string;
  readonly columnName: string;
  readonly targetVersion: number;
  readonly lastId: string | null;
  readonly rowsSeen: number;
  readonly rowsRewrapped: number;
  readonly rowsFailed: number;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
}

const PROGRESS_COLUMNS = `municipality_code AS "municipalityCode", table_name AS "tableName", column_name AS "columnName",
  target_version AS "targetVersion", last_id AS "lastId", rows_seen::float8 AS "rowsSeen", rows_rewrapped::float8 AS "rowsRewrapped",
  rows_failed::float8 AS "rowsFailed", started_at AS "startedAt", updated_at AS "updatedAt", finished_at AS "finishedAt"`;

export async function rewrapProgress(db: Db, municipalityCode?: string): Promise<RewrapProgressRow[]> {
  const { rows } = await db.query<RewrapProgressRow>(
    `SELECT ${PROGRESS_COLUMNS} FROM control.key_rewrap_progress WHERE $1::text IS NULL OR municipality_code = $1 ORDER BY 1, 2, 3`,
    [municipalityCode ?? null],
  );
  return rows;
}

export async function saveRewrapProgress(
  db: Db,
  p: { municipalityCode: string; tableName: string; columnName: string; targetVersion: number; lastId: string | null; rowsSeen: number; rowsRewrapped: number; rowsFailed: number; finished: boolean; restart: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO control.key_rewrap_progress AS p
       (municipality_code, table_name, column_name, target_version, last_id, rows_seen, rows_rewrapped, rows_failed, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9 THEN now() END)
     ON CONFLICT (municipality_code, table_name, column_name) DO UPDATE SET
       target_version = EXCLUDED.target_version, last_id = EXCLUDED.last_id, rows_seen = EXCLUDED.rows_seen,
       rows_rewrapped = EXCLUDED.rows_rewrapped, rows_failed = EXCLUDED.rows_failed, updated_at = now(),
       finished_at = EXCLUDED.finished_at, started_at = CASE WHEN $10 THEN now() ELSE p.started_at END`,
    [p.municipalityCode, p.tableName, p.columnName, p.targetVersion, p.lastId, p.rowsSeen, p.rowsRewrapped, p.rowsFailed, p.finished, p.restart],
  );
}
