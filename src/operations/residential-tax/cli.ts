/**
 * The residential tax's commands.
 *
 * `municloud residential-tax assess` runs the batch assessment of a
 * municipality's fiscal year (batch.ts) with progress on standard error;
 * Ctrl-C stops after the batch in flight and the same command resumes the run.
 *
 * `municloud residential-tax income import` takes in a file of income records
 * (JSON Lines, one record a line, as the API takes them) for an engineer
 * migrating data: through the same check and store as the API (records.ts),
 * as a job of the platform. The whole file is checked first (schema, roster,
 * rules, a resident twice); only a file without a fault is stored, in
 * transactions of 1,000 records, each audited.
 */
import { stopOnInterrupt } from '../../cli/interrupt.js';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { ValidateFunction } from 'ajv';
import type { Command } from 'commander';
import type pg from 'pg';
import { inTenantTransaction } from '../../platform/database.js';
import { fieldError, Problem, type FieldError } from '../../platform/errors.js';
import type { Platform } from '../../platform/http/server.js';
import { fieldErrorsFrom, validatorCompiler } from '../../platform/http/validation.js';
import { recordGroups, recordJobAction, type JobContext, operatorJob } from '../../security/audit/record.js';
import { AssessmentRunError, assessMunicipality, DEFAULT_BATCH, type RunProgress } from './batch.js';
import { IncomeRecordInputSchema, MAX_RECORDS_PER_BATCH, type IncomeRecordInput } from './income.js';
import { incomeRecordProblems, REPEATED, submitIncomeRecords } from './records.js';
import { RESIDENTIAL_TAX_PURPOSE } from './roster-events.js';
import { rosterStanding } from './store.js';

export interface ResidentialTaxCliIo {
  withPlatform<T>(use: (platform: Platform) => Promise<T>): Promise<T>;
  progress(line: string): void;
}

/** A file the import cannot read as records (the records' own faults are a Problem naming each line). */
export class IncomeImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncomeImportError';
  }
}

function wholeNumber(what: string) {
  return (text: string): number => {
    if (!/^[0-9][0-9_,]*$/.test(text)) throw new AssessmentRunError(`${what} must be a whole number`);
    return Number(text.replaceAll(/[_,]/g, ''));
  };
}

const fmt = (n: number) => n.toLocaleString('en');

export function registerResidentialTaxCommands(program: Command, io: ResidentialTaxCliIo): void {
  const tax = program.command('residential-tax').description('Individual residential tax (個人住民税): the batch assessment and income records (docs/residential-tax.md)');

  tax
    .command('assess')
    .description('Assess every resident on the roster of 1 January of the fiscal year; resumable: run the same command again after an interruption')
    .requiredOption('--municipality <code>', 'the 6-digit local public body code, e.g. 131016 (千代田区)')
    .requiredOption('--fiscal-year <year>', 'the fiscal year, e.g. 2026 (income of 2025, residents of 1 January 2026)', wholeNumber('--fiscal-year'))
    .option('--living-cost-class <class>', "the municipality's 級地 (1, 2 or 3) for the per-capita non-taxable line; needed for a year's first run", wholeNumber('--living-cost-class'))
    .option('--batch <residents>', 'residents per transaction', wholeNumber('--batch'), DEFAULT_BATCH)
    .option('--reassess', 'run a finished year again, as a new run (otherwise a finished year is left as it is)')
    .action(async (opts: { municipality: string; fiscalYear: number; livingCostClass?: number; batch: number; reassess?: boolean }) => {
      const controller = new AbortController();
      const release = stopOnInterrupt(() => {
        io.progress('stopping after the batch in flight (run the same command to resume; Ctrl-C again to quit at once)…');
        controller.abort();
      });
      const started = Date.now();
      const show = (p: RunProgress) => {
        const seconds = (Date.now() - started) / 1000;
        const rate = (p.processed - p.resumedAt) / Math.max(seconds, 0.001);
        const left = Math.max(0, p.rosterTotal - p.processed);
        const eta = rate > 0 ? Math.round(left / rate) : null;
        const percent = p.rosterTotal > 0 ? Math.min(100, (100 * p.processed) / p.rosterTotal) : 100;
        io.progress(
          `${percent.toFixed(1).padStart(5)}%  ${fmt(p.processed)} / ${fmt(p.rosterTotal)} residents (assessed ${fmt(p.assessed)}, unreported ${fmt(p.unreported)}, ` +
            `rejected ${fmt(p.rejected)}), ${fmt(Math.round(rate))}/s${eta === null ? '' : `, about ${eta} s left`}`,
        );
      };
      try {
        const report = await io.withPlatform((platform) =>
          assessMunicipality(platform, {
            municipalityCode: opts.municipality,
            fiscalYear: opts.fiscalYear,
            ...(opts.livingCostClass !== undefined ? { livingCostClass: opts.livingCostClass as 1 | 2 | 3 } : {}),
            batch: opts.batch,
            reassess: opts.reassess === true,
            signal: controller.signal,
            onProgress: show,
          }),
        );
        const counts = `${fmt(report.assessed)} assessed, ${fmt(report.unreported)} without an income record, ${fmt(report.rejected)} refused by the rules`;
        if (report.alreadyFinished) {
          io.progress(`fiscal year ${report.fiscalYear} was assessed by run ${report.number} (${counts}); nothing to do (--reassess runs it again)`);
        } else if (report.finished) {
          const resumed = report.resumedAt > 0 ? ` (resumed at ${fmt(report.resumedAt)})` : '';
          io.progress(`done: run ${report.number} of fiscal year ${report.fiscalYear}, ${fmt(report.processed)} residents: ${counts}${resumed}; audit run id ${report.jobRunId}`);
        } else {
          io.progress(`stopped at ${fmt(report.processed)} of ${fmt(report.rosterTotal)} residents; run the same command to resume`);
          process.exitCode = 130;
        }
      } finally {
        release();
      }
    });

  const income = tax.command('income').description('Income records (所得の資料)');
  income
    .command('import')
    .description(`Store a JSON Lines file of income records (one record a line, as POST /v1/residential-tax/income-records takes them); nothing is stored unless every line is right`)
    .requiredOption('--municipality <code>', 'the 6-digit local public body code')
    .requiredOption('--fiscal-year <year>', "the fiscal year of every record (a line's fiscalYear may be left out)", wholeNumber('--fiscal-year'))
    .requiredOption('--file <path>', 'the JSON Lines file')
    .action(async (opts: { municipality: string; fiscalYear: number; file: string }) => {
      await access(opts.file).catch(() => {
        throw new IncomeImportError(`cannot read ${opts.file}`);
      });
      const report = await io.withPlatform((platform) => importIncomeRecords(platform, { municipalityCode: opts.municipality, fiscalYear: opts.fiscalYear, file: opts.file, progress: io.progress }));
      io.progress(`done: ${fmt(report.stored)} income records stored (${fmt(report.replaced)} replaced an earlier one); audit run id ${report.runId}`);
    });
}

const validateRecord = validatorCompiler({ schema: IncomeRecordInputSchema, httpPart: 'body', method: 'POST', url: '/v1/residential-tax/income-records' } as never) as ValidateFunction;

/** The file's records, MAX_RECORDS_PER_BATCH at a time, each with its line number. */
async function* chunksOf(file: string, fiscalYear: number, errors: FieldError[]): AsyncGenerator<{ lines: number[]; records: IncomeRecordInput[] }> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let chunk: { lines: number[]; records: IncomeRecordInput[] } = { lines: [], records: [] };
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      errors.push(fieldError(`line/${n}`, 'malformed_json', { ja: 'JSON の形式が正しくありません。', en: 'is not well-formed JSON' }));
      continue;
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      if (record.fiscalYear === undefined) record.fiscalYear = fiscalYear;
      else if (record.fiscalYear !== fiscalYear) {
        errors.push(fieldError(`line/${n}/fiscalYear`, 'other_year', { ja: `--fiscal-year（${fiscalYear}）と異なる年度です。`, en: `differs from --fiscal-year ${fiscalYear}` }));
        continue;
      }
    }
    if (!validateRecord(value)) {
      errors.push(...fieldErrorsFrom(validateRecord.errors ?? [], `line/${n}`));
      continue;
    }
    chunk.lines.push(n);
    chunk.records.push(value as IncomeRecordInput);
    if (chunk.records.length === MAX_RECORDS_PER_BATCH) {
      yield chunk;
      chunk = { lines: [], records: [] };
    }
  }
  if (chunk.records.length > 0) yield chunk;
}

export interface ImportReport {
  readonly stored: number;
  readonly replaced: number;
  readonly runId: string;
}

/** The import: every line checked first (nothing stored if one is wrong), then stored in audited transactions. */
export async function importIncomeRecords(
  platform: Platform,
  options: { municipalityCode: string; fiscalYear: number; file: string; progress?: (line: string) => void },
): Promise<ImportReport> {
  const { municipalityCode, fiscalYear, file } = options;
  let pool: pg.Pool;
  try {
    pool = await platform.cells.poolFor(municipalityCode);
  } catch {
    throw new IncomeImportError(`municipality ${municipalityCode} is not placed on a cell`);
  }
  const run = <T>(fn: (db: pg.PoolClient) => Promise<T>) => inTenantTransaction(pool, municipalityCode, fn);

  // Pass 1: the schema, the roster, the rules, and a resident twice in the file.
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  let total = 0;
  for await (const chunk of chunksOf(file, fiscalYear, errors)) {
    const standing = await run((db) => rosterStanding(db, chunk.records.map((r) => r.residentId), fiscalYear));
    errors.push(...incomeRecordProblems(chunk.records, () => standing, (i) => `line/${chunk.lines[i]}`));
    // Twice within a chunk is the check's own finding; here, a resident of an earlier chunk.
    chunk.records.forEach((r, i) => {
      if (seen.has(r.residentId)) errors.push(fieldError(`line/${chunk.lines[i]}/residentId`, 'repeated', REPEATED));
    });
    for (const r of chunk.records) seen.add(r.residentId);
    total += chunk.records.length;
    if (errors.length >= 50) break;
  }
  if (errors.length > 0) throw new Problem('residential_tax_income_rejected', errors.slice(0, 50));
  if (total === 0) throw new IncomeImportError(`${file} holds no records`);

  // Pass 2: stored, a chunk per transaction, each audited as the platform's job (the engineer is known by the run id).
  const keys = await platform.keys.forMunicipality(municipalityCode);
  const runId = randomUUID();
  const job: JobContext = operatorJob(runId);
  let stored = 0;
  let replaced = 0;
  for await (const chunk of chunksOf(file, fiscalYear, [])) {
    const done = await run(async (db) => {
      const written = await submitIncomeRecords(db, keys, chunk.records, { enteredBy: null, importRunId: runId, at: (i) => `line/${chunk.lines[i]}` });
      for (const records of recordGroups([
        { resource: 'residents', ids: written.map((w) => w.residentId) },
        { resource: 'residential_tax_income_records', ids: written.map((w) => w.id) },
      ])) {
        await recordJobAction(platform, job, 'personal_data_change', { municipality: municipalityCode, purpose: RESIDENTIAL_TAX_PURPOSE, records });
      }
      return written;
    });
    stored += done.length;
    replaced += done.filter((d) => d.replaced).length;
    options.progress?.(`${fmt(stored)} / ${fmt(total)} income records stored`);
  }
  return { stored, replaced, runId };
}
