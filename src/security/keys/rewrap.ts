/**
 * The rewrap job: re-encrypts sealed fields still under an older record key
 * with the active one, column by column, in batches, for every registered
 * encrypted column.
 *
 * - Online: each batch is one short tenant transaction on the cell (row locks
 *   on that batch only), so requests go on meanwhile. Columns of control-schema
 *   tables (registry.ts) are walked the same way in short transactions on the
 *   control database, for every organization with keys, placed on a cell or not.
 * - Resumable: after each batch the position (the last record id) is saved in
 *   control.key_rewrap_progress. A crash between a batch's commit and saving
 *   its position only means the batch is read again: fields already under the
 *   target version are skipped, so it is idempotent.
 * - Stoppable: an AbortSignal (Ctrl-C in the CLI) is checked between batches.
 * - Settling: processes may go on writing with the previous key for up to the
 *   key service's refresh period after a rotation, so a pass starts only once
 *   the active key is older than that.
 * - Fields that do not open (tampered, foreign) are left as they are, counted
 *   and reported by record id; they do not stop the job.
 */
import type pg from 'pg';
import { inTenantTransaction, inTransaction } from '../../platform/database.js';
import { KeyError } from './errors.js';
import { sealedKeyVersion } from './format.js';
import type { EncryptedColumn } from './registry.js';
import type { KeyService, MunicipalityKeys } from './service.js';
import { keyedMunicipalities, rewrapProgress, saveRewrapProgress } from './store.js';

export interface RewrapDeps {
  readonly control: pg.Pool;
  readonly keys: KeyService;
  /** The request pool (application role) of the cell holding a municipality's data (for cell columns). */
  poolFor(municipalityCode: string): Promise<pg.Pool>;
  readonly columns: readonly EncryptedColumn[];
}

export interface RewrapOptions {
  /** Only this municipality; default every municipality with live keys. */
  readonly municipalityCode?: string | undefined;
  readonly batchSize?: number;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: (event: RewrapEvent) => void;
  /** How old the active key must be before a pass; default the key service's refresh period. */
  readonly settleMs?: number;
}

export type RewrapEvent =
  | { readonly kind: 'waiting'; readonly municipalityCode: string; readonly ms: number }
  | { readonly kind: 'batch'; readonly municipalityCode: string; readonly column: string; readonly targetVersion: number; readonly rowsSeen: number; readonly rowsRewrapped: number; readonly rowsFailed: number; readonly total: number };

export interface ColumnReport {
  readonly municipalityCode: string;
  readonly column: string;
  readonly targetVersion: number;
  /** Record id the pass resumed after (null: from the start). */
  readonly resumedAfter: string | null;
  readonly rowsSeen: number;
  readonly rowsRewrapped: number;
  readonly rowsFailed: number;
  /** Ids of records whose field did not open (first 50). */
  readonly failedIds: string[];
  readonly finished: boolean;
}

export interface RewrapReport {
  readonly columns: ColumnReport[];
  readonly skipped: { municipalityCode: string; reason: string }[];
  /** True when the signal stopped it; run again to resume. */
  readonly stopped: boolean;
}

const q = (name: string) => name.split('.').map((p) => `"${p}"`).join('.');
/** Failures that mean "this field is bad", as opposed to "the keys or the KMS are unavailable" (which stop the job). */
const FIELD_FAILURES = new Set(['ciphertext_malformed', 'ciphertext_rejected', 'key_version_unknown']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function rewrap(deps: RewrapDeps, options: RewrapOptions = {}): Promise<RewrapReport> {
  const batchSize = options.batchSize ?? 200;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new RangeError('batch size must be 1..10000');
  const settleMs = options.settleMs ?? deps.keys.refreshMs;
  const codes = options.municipalityCode ? [options.municipalityCode] : await keyedMunicipalities(deps.control);
  const report: RewrapReport = { columns: [], skipped: [], stopped: false };
  const stop = () => options.signal?.aborted === true;

  for (const code of codes) {
    if (stop()) return { ...report, stopped: true };
    let crypto: MunicipalityKeys;
    try {
      crypto = await deps.keys.forMunicipality(code, { fresh: true });
    } catch (err) {
      if (err instanceof KeyError && err.code === 'keys_destroyed') {
        report.skipped.push({ municipalityCode: code, reason: 'keys destroyed' });
        continue;
      }
      throw err;
    }
    // Cell columns need the organization's cell; control columns do not (organizations that are not municipalities have none).
    let columns = deps.columns;
    let cell: pg.Pool | null = null;
    if (columns.some((c) => c.database === 'cell')) {
      try {
        cell = await deps.poolFor(code);
      } catch (err) {
        if ((err as { code?: string }).code !== 'municipality_not_placed') throw err;
        columns = columns.filter((c) => c.database === 'control');
        if (columns.length === 0) {
          report.skipped.push({ municipalityCode: code, reason: 'not placed on a cell' });
          continue;
        }
      }
    }
    const target = crypto.activeVersion;
    if (target > 1) {
      // Let writers that may still hold the previous version see the new one.
      const { rows } = await deps.control.query<{ wait_ms: number }>(
        `SELECT GREATEST(0, extract(epoch FROM (created_at + $3 * interval '1 millisecond' - now())) * 1000)::float8 AS wait_ms
           FROM control.data_keys WHERE municipality_code = $1 AND purpose = 'record' AND version = $2`,
        [code, target, settleMs],
      );
      const wait = Math.ceil(rows[0]?.wait_ms ?? 0);
      if (wait > 0) {
        options.onProgress?.({ kind: 'waiting', municipalityCode: code, ms: wait });
        await sleep(wait, options.signal);
        if (stop()) return { ...report, stopped: true };
      }
    }
    const saved = new Map((await rewrapProgress(deps.control, code)).map((p) => [`${p.tableName}.${p.columnName}`, p]));
    for (const column of columns) {
      // Progress saved towards another version is stale: the pass towards this one starts the column over.
      const previous = saved.get(column.name);
      const resume = previous?.targetVersion === target ? previous : null;
      if (resume?.finishedAt) continue;
      // A cell's rows are visible only inside a tenant transaction; the control database has no row-level security.
      const run: InTransaction = column.database === 'control' ? (fn) => inTransaction(deps.control, fn) : (fn) => inTenantTransaction(cell!, code, fn);
      const result = await rewrapColumn(deps.control, run, crypto, column, target, resume, batchSize, options, stop);
      report.columns.push(result);
      if (!result.finished) return { ...report, stopped: true };
    }
  }
  return report;
}

type InTransaction = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

async function rewrapColumn(
  control: pg.Pool,
  run: InTransaction,
  crypto: MunicipalityKeys,
  column: EncryptedColumn,
  target: number,
  resume: { lastId: string | null; rowsSeen: number; rowsRewrapped: number; rowsFailed: number } | null,
  batchSize: number,
  options: RewrapOptions,
  stop: () => boolean,
): Promise<ColumnReport> {
  const code = crypto.municipalityCode;
  const [table, col, id, mcol] = [q(column.table), q(column.column), q(column.idColumn), q(column.municipalityColumn)];
  let lastId = resume?.lastId ?? null;
  let rowsSeen = resume?.rowsSeen ?? 0;
  let rowsRewrapped = resume?.rowsRewrapped ?? 0;
  let rowsFailed = resume?.rowsFailed ?? 0;
  const failedIds: string[] = [];
  const save = (finished: boolean, restart = false) =>
    saveRewrapProgress(control, { municipalityCode: code, tableName: column.table, columnName: column.column, targetVersion: target, lastId, rowsSeen, rowsRewrapped, rowsFailed, finished, restart });
  if (!resume) await save(false, true);
  const total = await run(async (client) =>
    Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${mcol} = $1 AND ${col} IS NOT NULL`, [code])).rows[0]!.n),
  );

  let finished = false;
  while (!finished && !stop()) {
    const batch = await run(async (client) => {
      const args: unknown[] = [code, batchSize];
      if (lastId !== null) args.push(lastId);
      const { rows } = await client.query<{ id: string; sealed: Buffer }>(
        `SELECT ${id}::text AS id, ${col} AS sealed FROM ${table}
          WHERE ${mcol} = $1 AND ${col} IS NOT NULL ${lastId !== null ? `AND ${id} > $3` : ''}
          ORDER BY ${id} LIMIT $2 FOR UPDATE`,
        args,
      );
      let rewrapped = 0;
      let failed = 0;
      for (const row of rows) {
        const field = column.field(row.id);
        try {
          if (sealedKeyVersion(row.sealed) >= target) continue;
          const plaintext = await crypto.open(field, row.sealed);
          let resealed: Buffer;
          try {
            resealed = await crypto.seal(field, plaintext);
          } finally {
            plaintext.fill(0);
          }
          await client.query(`UPDATE ${table} SET ${col} = $1 WHERE ${mcol} = $2 AND ${id} = $3`, [resealed, code, row.id]);
          rewrapped++;
        } catch (err) {
          if (!(err instanceof KeyError) || !FIELD_FAILURES.has(err.code)) throw err;
          failed++;
          if (failedIds.length < 50) failedIds.push(row.id);
        }
      }
      return { count: rows.length, last: rows.at(-1)?.id ?? null, rewrapped, failed };
    });
    rowsSeen += batch.count;
    rowsRewrapped += batch.rewrapped;
    rowsFailed += batch.failed;
    if (batch.last !== null) lastId = batch.last;
    finished = batch.count < batchSize;
    await save(finished);
    options.onProgress?.({ kind: 'batch', municipalityCode: code, column: column.name, targetVersion: target, rowsSeen, rowsRewrapped, rowsFailed, total });
  }
  return { municipalityCode: code, column: column.name, targetVersion: target, resumedAfter: resume?.lastId ?? null, rowsSeen, rowsRewrapped, rowsFailed, failedIds, finished };
}
