/**
 * Residential tax in a cell (cell migration 0016): the residence roster, the
 * income records (sealed), the batch's runs and the assessments (sealed).
 * Every function takes a client from a tenant transaction: row-level security
 * confines it to one municipality, and the municipality code written is the
 * transaction's own. Dates are read as text (YYYY-MM-DD): a JavaScript Date
 * would shift them by the server's time zone.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ENCRYPTED_COLUMNS } from '../../security/keys/registry.js';
import type { MunicipalityKeys } from '../../security/keys/service.js';
import type { AssessedFigures } from './notice.js';
import type { IncomeFigures } from './income.js';
import { assessmentDate, type RosterEffect, type RosterPeriod } from './roster-events.js';

export const INCOME_RECORD = ENCRYPTED_COLUMNS.register({ table: 'cell.residential_tax_income_records', column: 'record_sealed' });
export const ASSESSMENT_FIGURES = ENCRYPTED_COLUMNS.register({ table: 'cell.residential_tax_assessments', column: 'assessment_sealed' });

/** Resident on $day (a date parameter): the same rule as `onRoster` in roster-events.ts. */
const ON_ROSTER = (day: string) => `resident_from <= ${day}::date AND (left_on IS NULL OR ${day}::date < left_on)`;

// ─── The roster ─────────────────────────────────────────────────────────────

type PeriodRowDb = {
  resident_id: string;
  resident_from: string;
  left_on: string | null;
  left_reason: string | null;
  household_id: string | null;
  date_of_birth: string | null;
  relationship: string | null;
};
const PERIOD_COLUMNS = `resident_id, to_char(resident_from, 'YYYY-MM-DD') AS resident_from, to_char(left_on, 'YYYY-MM-DD') AS left_on, left_reason,
  household_id, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth, relationship`;
const periodOf = (r: PeriodRowDb): RosterPeriod => ({
  residentFrom: r.resident_from,
  leftOn: r.left_on,
  leftReason: r.left_reason,
  householdId: r.household_id,
  dateOfBirth: r.date_of_birth,
  relationship: r.relationship,
});

/** Each resident's latest period (by its first day), for those who have one. */
export async function latestPeriods(db: pg.ClientBase, residentIds: readonly string[]): Promise<Map<string, RosterPeriod>> {
  const out = new Map<string, RosterPeriod>();
  if (residentIds.length === 0) return out;
  const { rows } = await db.query<PeriodRowDb>(
    `SELECT DISTINCT ON (resident_id) ${PERIOD_COLUMNS} FROM cell.residential_tax_roster
      WHERE resident_id = ANY($1::uuid[]) ORDER BY resident_id, resident_from DESC`,
    [[...new Set(residentIds)]],
  );
  for (const r of rows) out.set(r.resident_id, periodOf(r));
  return out;
}

/** Every period of one resident, oldest first. */
export async function periodsOf(db: pg.ClientBase, residentId: string): Promise<RosterPeriod[]> {
  const { rows } = await db.query<PeriodRowDb>(`SELECT ${PERIOD_COLUMNS} FROM cell.residential_tax_roster WHERE resident_id = $1 ORDER BY resident_from`, [residentId]);
  return rows.map(periodOf);
}

export interface RosterEffectCounts {
  opened: number;
  closed: number;
  reopened: number;
  updated: number;
}

/**
 * Applies one event's effects, in order. Each is harmless when applied again:
 * an opening that exists inserts nothing, a closure or a reopening that is
 * already so changes nothing, and facts are written only where they differ.
 */
export async function applyRosterEffects(db: pg.ClientBase, eventId: string, effects: readonly RosterEffect[]): Promise<RosterEffectCounts> {
  const done: RosterEffectCounts = { opened: 0, closed: 0, reopened: 0, updated: 0 };
  for (const e of effects) {
    switch (e.op) {
      case 'open': {
        const { rowCount } = await db.query(
          `INSERT INTO cell.residential_tax_roster (municipality_code, resident_id, resident_from, household_id, date_of_birth, relationship, last_event_id)
           VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
          [e.residentId, e.from, e.householdId, e.dateOfBirth, e.relationship, eventId],
        );
        done.opened += rowCount ?? 0;
        break;
      }
      case 'close': {
        const { rowCount } = await db.query(
          `UPDATE cell.residential_tax_roster SET left_on = $3, left_reason = $4, last_event_id = $5, updated_at = now()
            WHERE resident_id = $1 AND resident_from = $2 AND (left_on IS DISTINCT FROM $3::date OR left_reason IS DISTINCT FROM $4)`,
          [e.residentId, e.from, e.on, e.reason, eventId],
        );
        done.closed += rowCount ?? 0;
        break;
      }
      case 'reopen': {
        const { rowCount } = await db.query(
          `UPDATE cell.residential_tax_roster r SET left_on = NULL, left_reason = NULL, last_event_id = $3, updated_at = now()
            WHERE r.resident_id = $1 AND r.resident_from = $2 AND r.left_on IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM cell.residential_tax_roster o WHERE o.resident_id = $1 AND o.left_on IS NULL)`,
          [e.residentId, e.from, eventId],
        );
        done.reopened += rowCount ?? 0;
        break;
      }
      case 'redate': {
        const { rowCount } = await db.query(
          `UPDATE cell.residential_tax_roster r SET resident_from = $3, last_event_id = $4, updated_at = now()
            WHERE r.resident_id = $1 AND r.resident_from = $2
              AND NOT EXISTS (SELECT 1 FROM cell.residential_tax_roster o WHERE o.resident_id = $1 AND o.resident_from = $3)`,
          [e.residentId, e.from, e.to, eventId],
        );
        done.updated += rowCount ?? 0;
        break;
      }
      case 'facts': {
        const { rowCount } = await db.query(
          `UPDATE cell.residential_tax_roster SET household_id = $3, date_of_birth = $4, relationship = $5, last_event_id = $6, updated_at = now()
            WHERE resident_id = $1 AND resident_from = $2
              AND (household_id, date_of_birth, relationship) IS DISTINCT FROM ($3::uuid, $4::date, $5::text)`,
          [e.residentId, e.from, e.householdId, e.dateOfBirth, e.relationship, eventId],
        );
        done.updated += rowCount ?? 0;
        break;
      }
    }
  }
  return done;
}

export interface RosterStanding {
  /** On the roster of the fiscal year's 1 January, with the date of birth the register gave. */
  readonly onRoster: ReadonlyMap<string, { readonly dateOfBirth: string | null }>;
  /** Known to the roster at all (some period, on that day or not). */
  readonly known: ReadonlySet<string>;
}

/** Which of these residents the roster knows, and which were resident on 1 January of the fiscal year. */
export async function rosterStanding(db: pg.ClientBase, residentIds: readonly string[], fiscalYear: number): Promise<RosterStanding> {
  const { rows } = await db.query<{ resident_id: string; on_roster: boolean; date_of_birth: string | null }>(
    `SELECT resident_id, bool_or(${ON_ROSTER('$2')}) AS on_roster,
            max(to_char(date_of_birth, 'YYYY-MM-DD')) FILTER (WHERE ${ON_ROSTER('$2')}) AS date_of_birth
       FROM cell.residential_tax_roster WHERE resident_id = ANY($1::uuid[]) GROUP BY resident_id`,
    [[...new Set(residentIds)], assessmentDate(fiscalYear)],
  );
  return {
    onRoster: new Map(rows.filter((r) => r.on_roster).map((r) => [r.resident_id, { dateOfBirth: r.date_of_birth }])),
    known: new Set(rows.map((r) => r.resident_id)),
  };
}

export async function rosterCount(db: pg.ClientBase, fiscalYear: number): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(DISTINCT resident_id) AS n FROM cell.residential_tax_roster WHERE ${ON_ROSTER('$1')}`,
    [assessmentDate(fiscalYear)],
  );
  return Number(rows[0]!.n);
}

// ─── Income records ─────────────────────────────────────────────────────────

export interface StoredIncomeRecord {
  readonly id: string;
  readonly residentId: string;
  readonly fiscalYear: number;
  readonly version: number;
  /** A record of the same resident and year was in force before and is now superseded. */
  readonly replaced: boolean;
}

/**
 * Writes new records (already checked), each superseding the one in force
 * for its resident and year, as one statement each way. Two requests racing
 * for the same resident and year: the second meets the unique index of the
 * record in force and fails (23505), and nothing of its batch is written.
 */
export async function insertIncomeRecords(
  db: pg.ClientBase,
  keys: MunicipalityKeys,
  records: readonly { residentId: string; fiscalYear: number; figures: IncomeFigures }[],
  by: { enteredBy: string | null; importRunId: string | null },
): Promise<StoredIncomeRecord[]> {
  if (records.length === 0) return [];
  const residentIds = records.map((r) => r.residentId);
  const years = records.map((r) => r.fiscalYear);
  const superseded = await db.query<{ resident_id: string; fiscal_year: number; version: number }>(
    `UPDATE cell.residential_tax_income_records i SET superseded_at = now()
       FROM unnest($1::uuid[], $2::smallint[]) AS x(resident_id, fiscal_year)
      WHERE i.resident_id = x.resident_id AND i.fiscal_year = x.fiscal_year AND i.superseded_at IS NULL
      RETURNING i.resident_id, i.fiscal_year, i.version`,
    [residentIds, years],
  );
  // The next version after every earlier one, superseded long ago or just now.
  const { rows: latest } = await db.query<{ resident_id: string; fiscal_year: number; version: number }>(
    `SELECT i.resident_id, i.fiscal_year, max(i.version) AS version FROM cell.residential_tax_income_records i
       JOIN unnest($1::uuid[], $2::smallint[]) AS x(resident_id, fiscal_year) ON i.resident_id = x.resident_id AND i.fiscal_year = x.fiscal_year
      GROUP BY i.resident_id, i.fiscal_year`,
    [residentIds, years],
  );
  const key = (residentId: string, fiscalYear: number) => `${residentId}/${fiscalYear}`;
  const versions = new Map(latest.map((r) => [key(r.resident_id, r.fiscal_year), r.version]));
  const replaced = new Set(superseded.rows.map((r) => key(r.resident_id, r.fiscal_year)));
  const rows = await Promise.all(
    records.map(async (r) => {
      const id = randomUUID();
      return {
        id,
        residentId: r.residentId,
        fiscalYear: r.fiscalYear,
        version: (versions.get(key(r.residentId, r.fiscalYear)) ?? 0) + 1,
        sealed: await keys.seal(INCOME_RECORD.field(id), JSON.stringify(r.figures)),
      };
    }),
  );
  await db.query(
    `INSERT INTO cell.residential_tax_income_records (municipality_code, id, resident_id, fiscal_year, version, entered_by, import_run_id, record_sealed)
     SELECT cell.current_municipality(), id, resident_id, fiscal_year, version, $6::uuid, $7::uuid, sealed
       FROM unnest($1::uuid[], $2::uuid[], $3::smallint[], $4::integer[], $5::bytea[]) AS x(id, resident_id, fiscal_year, version, sealed)`,
    [rows.map((r) => r.id), residentIds, years, rows.map((r) => r.version), rows.map((r) => r.sealed), by.enteredBy, by.importRunId],
  );
  return rows.map((r) => ({ id: r.id, residentId: r.residentId, fiscalYear: r.fiscalYear, version: r.version, replaced: replaced.has(key(r.residentId, r.fiscalYear)) }));
}

export async function openIncomeFigures(keys: MunicipalityKeys, id: string, sealed: Buffer): Promise<IncomeFigures> {
  return JSON.parse(await keys.openText(INCOME_RECORD.field(id), sealed)) as IncomeFigures;
}

// ─── Runs ───────────────────────────────────────────────────────────────────

export interface RunRow {
  readonly id: string;
  readonly fiscalYear: number;
  readonly number: number;
  readonly livingCostClass: 1 | 2 | 3;
  readonly designatedCity: boolean;
  readonly rateSetFrom: number;
  readonly rosterTotal: number;
  readonly processed: number;
  readonly assessed: number;
  readonly unreported: number;
  readonly rejected: number;
  readonly afterResidentId: string | null;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

type RunRowDb = {
  id: string;
  fiscal_year: number;
  number: number;
  living_cost_class: number;
  designated_city: boolean;
  rate_set_from: number;
  roster_total: number;
  processed: number;
  assessed: number;
  unreported: number;
  rejected: number;
  after_resident_id: string | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
};
const RUN_COLUMNS = `id, fiscal_year, number, living_cost_class, designated_city, rate_set_from, roster_total, processed, assessed, unreported, rejected,
  after_resident_id, started_at, updated_at, finished_at`;
const runOf = (r: RunRowDb): RunRow => ({
  id: r.id,
  fiscalYear: r.fiscal_year,
  number: r.number,
  livingCostClass: r.living_cost_class as 1 | 2 | 3,
  designatedCity: r.designated_city,
  rateSetFrom: r.rate_set_from,
  rosterTotal: r.roster_total,
  processed: r.processed,
  assessed: r.assessed,
  unreported: r.unreported,
  rejected: r.rejected,
  afterResidentId: r.after_resident_id,
  startedAt: r.started_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});

/** The runs of a fiscal year (or of every year), newest first. */
export async function listRuns(db: pg.ClientBase, fiscalYear: number | null): Promise<RunRow[]> {
  const { rows } = await db.query<RunRowDb>(
    `SELECT ${RUN_COLUMNS} FROM cell.residential_tax_runs WHERE ($1::smallint IS NULL OR fiscal_year = $1) ORDER BY fiscal_year DESC, number DESC LIMIT 200`,
    [fiscalYear],
  );
  return rows.map(runOf);
}

/** The year's unfinished run, locked for this transaction, if there is one. */
export async function openRunOf(db: pg.ClientBase, fiscalYear: number): Promise<RunRow | null> {
  const { rows } = await db.query<RunRowDb>(`SELECT ${RUN_COLUMNS} FROM cell.residential_tax_runs WHERE fiscal_year = $1 AND finished_at IS NULL FOR UPDATE`, [fiscalYear]);
  return rows[0] ? runOf(rows[0]) : null;
}

export async function latestRunOf(db: pg.ClientBase, fiscalYear: number): Promise<RunRow | null> {
  const { rows } = await db.query<RunRowDb>(`SELECT ${RUN_COLUMNS} FROM cell.residential_tax_runs WHERE fiscal_year = $1 ORDER BY number DESC LIMIT 1`, [fiscalYear]);
  return rows[0] ? runOf(rows[0]) : null;
}

export async function insertRun(
  db: pg.ClientBase,
  run: { fiscalYear: number; number: number; livingCostClass: number; designatedCity: boolean; rateSetFrom: number; rosterTotal: number },
): Promise<RunRow> {
  const { rows } = await db.query<RunRowDb>(
    `INSERT INTO cell.residential_tax_runs (municipality_code, id, fiscal_year, number, living_cost_class, designated_city, rate_set_from, roster_total)
     VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6, $7) RETURNING ${RUN_COLUMNS}`,
    [randomUUID(), run.fiscalYear, run.number, run.livingCostClass, run.designatedCity, run.rateSetFrom, run.rosterTotal],
  );
  return runOf(rows[0]!);
}

/** The run as it stands, locked for this transaction (a batch's first statement). */
export async function lockRun(db: pg.ClientBase, id: string): Promise<RunRow | null> {
  const { rows } = await db.query<RunRowDb>(`SELECT ${RUN_COLUMNS} FROM cell.residential_tax_runs WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ? runOf(rows[0]) : null;
}

export async function advanceRun(
  db: pg.ClientBase,
  id: string,
  step: { afterResidentId: string | null; assessed: number; unreported: number; rejected: number; finished: boolean },
): Promise<void> {
  await db.query(
    `UPDATE cell.residential_tax_runs SET after_resident_id = coalesce($2, after_resident_id), processed = processed + $3 + $4 + $5,
            assessed = assessed + $3, unreported = unreported + $4, rejected = rejected + $5, updated_at = now(),
            finished_at = CASE WHEN $6 THEN now() ELSE NULL END
      WHERE id = $1`,
    [id, step.afterResidentId, step.assessed, step.unreported, step.rejected, step.finished],
  );
}

// ─── The batch's rows ───────────────────────────────────────────────────────

export interface RosterEntryWithIncome {
  readonly residentId: string;
  readonly dateOfBirth: string | null;
  readonly income: { readonly id: string; readonly sealed: Buffer } | null;
}

/**
 * The next residents on the roster of 1 January after a resident id (in id
 * order), each with the income record in force for the year, if any. The
 * roster as it stands when the batch reads it: the feed keeps it current.
 */
export async function nextRosterEntries(db: pg.ClientBase, fiscalYear: number, afterResidentId: string | null, limit: number): Promise<RosterEntryWithIncome[]> {
  const { rows } = await db.query<{ resident_id: string; date_of_birth: string | null; income_id: string | null; record_sealed: Buffer | null }>(
    `SELECT r.resident_id, to_char(r.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, i.id AS income_id, i.record_sealed
       FROM (SELECT DISTINCT ON (resident_id) resident_id, date_of_birth FROM cell.residential_tax_roster
              WHERE ${ON_ROSTER('$1')} AND resident_id > coalesce($3::uuid, '00000000-0000-0000-0000-000000000000')
              ORDER BY resident_id LIMIT $4) AS r
       LEFT JOIN cell.residential_tax_income_records i ON i.fiscal_year = $2 AND i.resident_id = r.resident_id AND i.superseded_at IS NULL
      ORDER BY r.resident_id`,
    [assessmentDate(fiscalYear), fiscalYear, afterResidentId, limit],
  );
  return rows.map((r) => ({
    residentId: r.resident_id,
    dateOfBirth: r.date_of_birth,
    income: r.income_id && r.record_sealed ? { id: r.income_id, sealed: r.record_sealed } : null,
  }));
}

export type AssessmentOutcome = 'assessed' | 'unreported' | 'rejected';

export interface AssessmentToWrite {
  readonly id: string;
  readonly residentId: string;
  readonly outcome: AssessmentOutcome;
  readonly incomeRecordId: string | null;
  readonly rejected: { readonly field: string; readonly rule: string } | null;
  readonly sealed: Buffer | null;
}

/** A batch's assessments in one statement. A resident twice in a run breaks the unique key, and the batch with it. */
export async function insertAssessments(db: pg.ClientBase, run: Pick<RunRow, 'id' | 'fiscalYear' | 'number'>, rows: readonly AssessmentToWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO cell.residential_tax_assessments (municipality_code, id, fiscal_year, resident_id, run_id, run_number, outcome, income_record_id,
                                                   rejected_field, rejected_rule, assessment_sealed)
     SELECT cell.current_municipality(), id, $7, resident_id, $8, $9, outcome, income_record_id, rejected_field, rejected_rule, sealed
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $10::bytea[])
            AS x(id, resident_id, outcome, income_record_id, rejected_field, rejected_rule, sealed)`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.residentId),
      rows.map((r) => r.outcome),
      rows.map((r) => r.incomeRecordId),
      rows.map((r) => r.rejected?.field ?? null),
      rows.map((r) => r.rejected?.rule ?? null),
      run.fiscalYear,
      run.id,
      run.number,
      rows.map((r) => r.sealed),
    ],
  );
}

// ─── Reading assessments ────────────────────────────────────────────────────

export interface AssessmentRow {
  readonly id: string;
  readonly fiscalYear: number;
  readonly residentId: string;
  readonly runId: string;
  readonly runNumber: number;
  readonly outcome: AssessmentOutcome;
  readonly incomeRecordId: string | null;
  readonly rejected: { readonly field: string; readonly rule: string } | null;
  readonly assessedAt: string;
}

type AssessmentRowDb = {
  id: string;
  fiscal_year: number;
  resident_id: string;
  run_id: string;
  run_number: number;
  outcome: AssessmentOutcome;
  income_record_id: string | null;
  rejected_field: string | null;
  rejected_rule: string | null;
  assessed_at: Date;
};
const ASSESSMENT_COLUMNS = 'id, fiscal_year, resident_id, run_id, run_number, outcome, income_record_id, rejected_field, rejected_rule, assessed_at';
const assessmentOf = (r: AssessmentRowDb): AssessmentRow => ({
  id: r.id,
  fiscalYear: r.fiscal_year,
  residentId: r.resident_id,
  runId: r.run_id,
  runNumber: r.run_number,
  outcome: r.outcome,
  incomeRecordId: r.income_record_id,
  rejected: r.rejected_rule ? { field: r.rejected_field ?? '', rule: r.rejected_rule } : null,
  assessedAt: r.assessed_at.toISOString(),
});

/** A resident's assessment of the year's latest run that assessed them, with its sealed figures. */
export async function latestAssessment(db: pg.ClientBase, residentId: string, fiscalYear: number): Promise<{ row: AssessmentRow; sealed: Buffer | null } | null> {
  const { rows } = await db.query<AssessmentRowDb & { assessment_sealed: Buffer | null }>(
    `SELECT ${ASSESSMENT_COLUMNS}, assessment_sealed FROM cell.residential_tax_assessments
      WHERE resident_id = $1 AND fiscal_year = $2 ORDER BY run_number DESC LIMIT 1`,
    [residentId, fiscalYear],
  );
  const r = rows[0];
  return r ? { row: assessmentOf(r), sealed: r.assessment_sealed } : null;
}

export async function openAssessedFigures(keys: MunicipalityKeys, id: string, sealed: Buffer): Promise<AssessedFigures> {
  return JSON.parse(await keys.openText(ASSESSMENT_FIGURES.field(id), sealed)) as AssessedFigures;
}

export interface AssessmentListPosition {
  readonly fiscalYear: number;
  readonly residentId: string;
}

/** A page of residents' latest assessments in (year, resident) order, after the given position: ids and outcomes, no figures. */
export async function listAssessments(
  db: pg.ClientBase,
  filter: { fiscalYear: number | null; outcome: AssessmentOutcome | null },
  page: { limit: number; after?: AssessmentListPosition | undefined },
): Promise<{ items: AssessmentRow[]; total: number }> {
  const latest = `SELECT DISTINCT ON (fiscal_year, resident_id) ${ASSESSMENT_COLUMNS} FROM cell.residential_tax_assessments
                   WHERE ($1::smallint IS NULL OR fiscal_year = $1) ORDER BY fiscal_year, resident_id, run_number DESC`;
  const total = await db.query<{ n: string }>(`SELECT count(*) AS n FROM (${latest}) l WHERE ($2::text IS NULL OR outcome = $2)`, [filter.fiscalYear, filter.outcome]);
  const { rows } = await db.query<AssessmentRowDb>(
    `SELECT * FROM (${latest}) l
      WHERE ($2::text IS NULL OR outcome = $2) AND ($3::smallint IS NULL OR (fiscal_year, resident_id) > ($3::smallint, $4::uuid))
      ORDER BY fiscal_year, resident_id LIMIT $5`,
    [filter.fiscalYear, filter.outcome, page.after?.fiscalYear ?? null, page.after?.residentId ?? null, page.limit],
  );
  return { items: rows.map(assessmentOf), total: Number(total.rows[0]!.n) };
}
