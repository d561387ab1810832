/**
 * The batch assessment of a whole municipality for a fiscal year (当初課税):
 * every resident on the roster of 1 January (the municipality of that day
 * taxes them; the others are not taxed here) is assessed from the income
 * record in force for the year, and the result written, in batches.
 *
 * - Resumable: a run's progress (the last resident id, in id order, and the
 *   counts) advances in each batch's own transaction, with the batch's
 *   assessments. Ctrl-C (the signal) stops after the batch in flight; a crash
 *   loses the batch in flight and nothing else. Running the same command again
 *   resumes the unfinished run: nobody is assessed twice (the unique key of a
 *   resident in a run says so too).
 * - One run of a municipality's year at a time: a session advisory lock, held
 *   for the run, refuses a second process at once; the run row, locked first
 *   in each batch and compared with the counts this process last wrote, stops
 *   anything that got past it.
 * - A finished year is not run again unless asked (`reassess`): then a new run
 *   with the next number assesses everyone again; each resident's notice data
 *   is that of the latest run that assessed them, and the earlier runs' rows
 *   stay as the record of what was decided before.
 * - A platform job, audited like the population load: the entries name the
 *   residents each batch assessed and the run, with the purpose tax_assessment
 *   and the run's id in place of a request id.
 *
 * Who is assessed, and how: a resident with an income record gets `assess`'s
 * answer ('assessed'); one without is written 'unreported' and not assessed —
 * the rules do not say a person without income data owes nothing (地方税法
 * 317条の2: who must declare), so no zero is invented; the office asks them to
 * declare (申告勧奨) and a reassessment picks their record up. A record the rules
 * refuse is written 'rejected' with the field and the rule, and the run goes on.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { findOrganization } from '../../organizations/store.js';
import { inTenantTransaction } from '../../platform/database.js';
import type { Platform } from '../../platform/http/server.js';
import { todayInJapan } from '../../resident-register/changes.js';
import { recordGroups, recordJobAction, type JobContext, operatorJob } from '../../security/audit/record.js';
import type { MunicipalityKeys } from '../../security/keys/service.js';
import { LOCK_CLASSES } from '../fed-by-linkage.js';
import { assess, installments, rateSetFor, ResidentialTaxError, type AssessmentContext } from './assessment.js';
import { collectionOf, taxpayerOf } from './income.js';
import { assessedFigures } from './notice.js';
import { assessmentDate, RESIDENTIAL_TAX_PURPOSE } from './roster-events.js';
import {
  advanceRun,
  ASSESSMENT_FIGURES,
  insertAssessments,
  insertRun,
  latestRunOf,
  lockRun,
  nextRosterEntries,
  openIncomeFigures,
  openRunOf,
  rosterCount,
  type AssessmentToWrite,
  type RosterEntryWithIncome,
  type RunRow,
} from './store.js';

export const DEFAULT_BATCH = 2000;
export const MAX_BATCH = 20_000;

export interface AssessmentRunOptions {
  readonly municipalityCode: string;
  readonly fiscalYear: number;
  /**
   * The municipality's 級地 (its class in the public-assistance scale) for the
   * per-capita non-taxable line. Needed to start a run (a reassessment takes
   * the previous run's when not given); a resumed run keeps its own.
   */
  readonly livingCostClass?: 1 | 2 | 3;
  /** Residents per transaction (default 2,000). */
  readonly batch?: number;
  /** A finished year is run again, as a new run. */
  readonly reassess?: boolean;
  /** Stops after the batch in flight; the run resumes from there when run again. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
  /**
   * Called after each batch's writes, inside its transaction, before it
   * commits. For tests: throwing here is a crash in the middle of a run.
   */
  readonly afterBatch?: (db: pg.ClientBase, progress: RunProgress) => void | Promise<void>;
}

export interface RunProgress {
  readonly runId: string;
  readonly number: number;
  readonly fiscalYear: number;
  /** Residents on the roster of 1 January when the run started (the roster may change a little while it runs). */
  readonly rosterTotal: number;
  readonly processed: number;
  readonly assessed: number;
  readonly unreported: number;
  readonly rejected: number;
  /** Residents already processed by an earlier process of this run when this one started. */
  readonly resumedAt: number;
}

export interface RunReport extends RunProgress {
  readonly finished: boolean;
  /** The year was finished before and nothing was done (no `reassess`). */
  readonly alreadyFinished: boolean;
  /** This process's id in the audit log (in place of a request id). */
  readonly jobRunId: string;
}

/** A run that cannot start or go on, with a message for the operator (no personal data). */
export class AssessmentRunError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid_option' | 'not_placed' | 'concurrent_run' | 'options_differ' = 'invalid_option',
  ) {
    super(message);
    this.name = 'AssessmentRunError';
  }
}

export async function assessMunicipality(platform: Platform, options: AssessmentRunOptions): Promise<RunReport> {
  const { municipalityCode, fiscalYear } = options;
  const batchSize = options.batch ?? DEFAULT_BATCH;
  if (!Number.isInteger(fiscalYear) || fiscalYear < 2000 || fiscalYear > 2100) throw new AssessmentRunError('the fiscal year must be a year such as 2026');
  let rateSetFrom: number;
  try {
    rateSetFrom = rateSetFor(fiscalYear).fromFiscalYear;
  } catch {
    throw new AssessmentRunError(`no rate set covers fiscal year ${fiscalYear} (src/operations/residential-tax/rates.ts)`);
  }
  // The roster of a 1 January still to come is not the taxpayers': people move before then.
  if (assessmentDate(fiscalYear) > todayInJapan()) throw new AssessmentRunError(`fiscal year ${fiscalYear} cannot be assessed before its assessment date ${assessmentDate(fiscalYear)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) throw new AssessmentRunError(`the batch must be 1 to ${MAX_BATCH.toLocaleString('en')} residents`);
  if (options.livingCostClass !== undefined && ![1, 2, 3].includes(options.livingCostClass)) throw new AssessmentRunError('the living-cost class (級地) must be 1, 2 or 3');

  let pool: pg.Pool;
  try {
    pool = await platform.cells.poolFor(municipalityCode);
  } catch {
    throw new AssessmentRunError(`municipality ${municipalityCode} is not placed on a cell`, 'not_placed');
  }
  const designatedCity = (await findOrganization(platform.control, municipalityCode))?.kind === 'designated_city';
  const run = <T>(fn: (db: pg.PoolClient) => Promise<T>) => inTenantTransaction(pool, municipalityCode, fn);

  // Held for the whole run on a connection of its own: a crash ends the session, and the lock with it.
  const lock = await pool.connect();
  let locked = false;
  try {
    const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
      LOCK_CLASSES.residentialTaxAssessment,
      `${municipalityCode}:${fiscalYear}`,
    ]);
    locked = rows[0]!.ok;
    if (!locked) throw new AssessmentRunError(`another process is assessing fiscal year ${fiscalYear} of ${municipalityCode}: let it finish (or stop it; this command resumes it)`, 'concurrent_run');
    return await runBatches(platform, options, { batchSize, rateSetFrom, designatedCity, run });
  } finally {
    if (locked) await lock.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASSES.residentialTaxAssessment, `${municipalityCode}:${fiscalYear}`]).catch(() => undefined);
    lock.release();
  }
}

interface Setup {
  batchSize: number;
  rateSetFrom: number;
  designatedCity: boolean;
  run: <T>(fn: (db: pg.PoolClient) => Promise<T>) => Promise<T>;
}

async function runBatches(platform: Platform, options: AssessmentRunOptions, setup: Setup): Promise<RunReport> {
  const { municipalityCode, fiscalYear } = options;
  const jobRunId = randomUUID();
  const opened = await setup.run((db) => openRun(db, options, setup));
  let current: RunRow = opened.run;
  const resumedAt = current.processed;
  const progress = (): RunProgress => ({
    runId: current.id,
    number: current.number,
    fiscalYear,
    rosterTotal: current.rosterTotal,
    processed: current.processed,
    assessed: current.assessed,
    unreported: current.unreported,
    rejected: current.rejected,
    resumedAt,
  });
  const report = (finished: boolean): RunReport => ({ ...progress(), finished, alreadyFinished: opened.alreadyFinished, jobRunId });
  if (opened.alreadyFinished || current.finishedAt) return report(true);

  const keys = await platform.keys.forMunicipality(municipalityCode);
  const context: AssessmentContext = { fiscalYear, designatedCity: current.designatedCity, livingCostClass: current.livingCostClass };
  const job: JobContext = operatorJob(jobRunId);
  for (;;) {
    const expected = current;
    current = await setup.run(async (db) => {
      // First: the run's row lock keeps any other writer of this run out until this batch is decided.
      const locked = await lockRun(db, expected.id);
      if (!locked || locked.processed !== expected.processed || locked.finishedAt) {
        throw new AssessmentRunError('another process advanced this run meanwhile: let it finish', 'concurrent_run');
      }
      const entries = await nextRosterEntries(db, fiscalYear, expected.afterResidentId, setup.batchSize);
      const rows = await assessEntries(keys, entries, context);
      await insertAssessments(db, expected, rows);
      const count = (o: AssessmentToWrite['outcome']) => rows.filter((r) => r.outcome === o).length;
      // Fewer than asked for: none are left (as this transaction sees the roster), so the run ends with this batch.
      const finished = entries.length < setup.batchSize;
      await advanceRun(db, expected.id, { afterResidentId: entries.at(-1)?.residentId ?? null, assessed: count('assessed'), unreported: count('unreported'), rejected: count('rejected'), finished });
      if (entries.length > 0) {
        // On record before the commit: no entry, no assessment (fails closed like every audited action).
        const groups = recordGroups([{ resource: 'residents', ids: entries.map((e) => e.residentId) }], [{ resource: 'residential_tax_runs', ids: [expected.id] }]);
        // Together: the appender commits them as one group.
        await Promise.all(groups.map((records) => recordJobAction(platform, job, 'personal_data_change', { municipality: municipalityCode, purpose: RESIDENTIAL_TAX_PURPOSE, records })));
      }
      const next = (await lockRun(db, expected.id))!;
      await options.afterBatch?.(db, { ...progress(), ...countsOf(next) });
      return next;
    });
    options.onProgress?.(progress());
    if (current.finishedAt) return report(true);
    if (options.signal?.aborted) return report(false);
  }
}

const countsOf = (r: RunRow) => ({ processed: r.processed, assessed: r.assessed, unreported: r.unreported, rejected: r.rejected });

/** The year's run to go on with: the unfinished one, a new one, or (finished, no reassess) the last one as it is. */
async function openRun(db: pg.ClientBase, options: AssessmentRunOptions, setup: Setup): Promise<{ run: RunRow; alreadyFinished: boolean }> {
  const { fiscalYear } = options;
  const open = await openRunOf(db, fiscalYear);
  if (open) {
    if (options.livingCostClass !== undefined && options.livingCostClass !== open.livingCostClass) {
      throw new AssessmentRunError(
        `run ${open.number} of fiscal year ${fiscalYear} was started with living-cost class ${open.livingCostClass}: resume it with that class (or without the option)`,
        'options_differ',
      );
    }
    return { run: open, alreadyFinished: false };
  }
  const latest = await latestRunOf(db, fiscalYear);
  if (latest && !options.reassess) return { run: latest, alreadyFinished: true };
  const livingCostClass = options.livingCostClass ?? latest?.livingCostClass;
  if (livingCostClass === undefined) throw new AssessmentRunError("the municipality's living-cost class (級地: 1, 2 or 3) is needed to start the year's first run");
  const run = await insertRun(db, {
    fiscalYear,
    number: (latest?.number ?? 0) + 1,
    livingCostClass,
    designatedCity: setup.designatedCity,
    rateSetFrom: setup.rateSetFrom,
    rosterTotal: await rosterCount(db, fiscalYear),
  });
  return { run, alreadyFinished: false };
}

/** Each entry's row: opened, assessed, its figures sealed; or unreported, or rejected by the rules. */
async function assessEntries(keys: MunicipalityKeys, entries: readonly RosterEntryWithIncome[], context: AssessmentContext): Promise<AssessmentToWrite[]> {
  const rows: AssessmentToWrite[] = [];
  for (const e of entries) {
    const id = randomUUID();
    if (!e.income) {
      rows.push({ id, residentId: e.residentId, outcome: 'unreported', incomeRecordId: null, rejected: null, sealed: null });
      continue;
    }
    const figures = await openIncomeFigures(keys, e.income.id, e.income.sealed);
    try {
      if (!e.dateOfBirth) throw new ResidentialTaxError('birthDate', 'required', 'the roster has no date of birth');
      const assessment = assess(taxpayerOf(figures, e.dateOfBirth), context);
      const method = collectionOf(figures);
      // Nothing due, nothing to collect: a non-taxable person's notice has no installments.
      const list = assessment.totalTax > 0 ? installments(assessment.totalTax, method, { fiscalYear: context.fiscalYear }) : [];
      const sealed = await keys.seal(ASSESSMENT_FIGURES.field(id), JSON.stringify(assessedFigures(assessment, method, list)));
      rows.push({ id, residentId: e.residentId, outcome: 'assessed', incomeRecordId: e.income.id, rejected: null, sealed });
    } catch (err) {
      if (!(err instanceof ResidentialTaxError)) throw err;
      rows.push({ id, residentId: e.residentId, outcome: 'rejected', incomeRecordId: e.income.id, rejected: { field: err.field, rule: err.rule }, sealed: null });
    }
  }
  return rows;
}
