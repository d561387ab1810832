/**
 * Writes an approved export's file inside the approving tenant transaction:
 * the dataset's rows → CSV → MCX1 (encrypted with the export key) → parts in
 * the cell; every row's record id into the evidence table; then the evidence
 * digest. Memory holds one part (1 MiB) and one batch of ids at a time,
 * however many rows there are. If anything fails, the transaction rolls it all
 * back and the export stays requested.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { MunicipalityKeys } from '../keys/service.js';
import { csvRecord } from './csv.js';
import type { RegisteredDataset } from './datasets.js';
import { ExportFileWriter } from './file-format.js';
import { insertFilePart, insertRecordIds, PART_SIZE, recordIdsDigest } from './store.js';

export interface GeneratedFile {
  readonly rowCount: number;
  readonly recordCount: number;
  readonly recordIdsSha256: Buffer;
  readonly fileSha256: Buffer;
  readonly fileSize: number;
}

/** A dataset that breaks its contract (docs in datasets.ts): a programming error, answered with 500. */
export class DatasetContractError extends Error {}

const RECORD_ID = /^[!-~]{1,200}$/;
const LONG_DIGITS = /^[0-9]{11,}$/;
const ID_BATCH = 5_000;
const CSV_FLUSH = 64 * 1024;

/** Collects the encrypted stream into parts of PART_SIZE bytes and hashes it. */
class PartSink {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private part = 0;
  private size = 0;
  private readonly hash = createHash('sha256');

  constructor(
    private readonly db: pg.ClientBase,
    private readonly exportId: string,
  ) {}

  async add(pieces: readonly Buffer[]): Promise<void> {
    for (const p of pieces) {
      this.hash.update(p);
      this.size += p.length;
      this.pending.push(p);
      this.pendingLength += p.length;
      while (this.pendingLength >= PART_SIZE) {
        const all = Buffer.concat(this.pending);
        await insertFilePart(this.db, this.exportId, this.part++, all.subarray(0, PART_SIZE));
        const rest = all.subarray(PART_SIZE);
        this.pending = rest.length > 0 ? [rest] : [];
        this.pendingLength = rest.length;
      }
    }
  }

  async close(): Promise<{ sha256: Buffer; size: number }> {
    if (this.pendingLength > 0 || this.part === 0) await insertFilePart(this.db, this.exportId, this.part++, Buffer.concat(this.pending));
    this.pending = [];
    return { sha256: this.hash.digest(), size: this.size };
  }
}

export async function generateExportFile(
  db: pg.ClientBase,
  options: { exportId: string; dataset: RegisteredDataset; filter: unknown; keys: MunicipalityKeys; exportKey: Uint8Array },
): Promise<GeneratedFile> {
  const { exportId, dataset } = options;
  const writer = new ExportFileWriter(options.exportKey, exportId);
  const sink = new PartSink(db, exportId);
  await sink.add([writer.header]);
  const columnCount = dataset.columns.length;
  let csv = csvRecord(dataset.columns.map((c) => c.name));
  let ids: string[] = [];
  let rowCount = 0;

  for await (const row of dataset.rows({ db, keys: options.keys, filter: options.filter })) {
    if (row.values.length !== columnCount) throw new DatasetContractError(`dataset ${dataset.name}: a row has ${row.values.length} values for ${columnCount} columns`);
    for (const v of row.values) if (v !== null && typeof v !== 'string') throw new DatasetContractError(`dataset ${dataset.name}: values must be strings or null`);
    if (typeof row.id !== 'string' || !RECORD_ID.test(row.id) || LONG_DIGITS.test(row.id)) {
      throw new DatasetContractError(`dataset ${dataset.name}: row ${rowCount} has an id that is not a platform record id`);
    }
    csv += csvRecord(row.values);
    rowCount++;
    ids.push(row.id);
    if (ids.length >= ID_BATCH) {
      await insertRecordIds(db, exportId, ids);
      ids = [];
    }
    if (csv.length >= CSV_FLUSH) {
      await sink.add(writer.write(Buffer.from(csv, 'utf8')));
      csv = '';
    }
  }
  await insertRecordIds(db, exportId, ids);
  await sink.add(writer.write(Buffer.from(csv, 'utf8')));
  await sink.add([writer.end()]);
  const file = await sink.close();
  const evidence = await recordIdsDigest(db, exportId);
  return { rowCount, recordCount: evidence.count, recordIdsSha256: evidence.sha256, fileSha256: file.sha256, fileSize: file.size };
}
