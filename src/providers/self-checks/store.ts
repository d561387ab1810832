/** Self-check runs (control 0015): inserted once, never changed. */
import type pg from 'pg';
import type { AssessmentResultsDocument, PlatformObservations, SelfCheckResult } from '../assessment/index.js';

export type SelfCheckTrigger = 'on_demand' | 'schedule' | 'cli';

export interface SelfCheckRunSummary {
  readonly id: string;
  readonly trigger: SelfCheckTrigger;
  /** The day in Japan a scheduled run stands for; null for other runs. */
  readonly scheduledDay: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly satisfied: number;
  readonly notSatisfied: number;
  readonly results: SelfCheckResult[];
}

export interface SelfCheckRun extends SelfCheckRunSummary {
  readonly observations: PlatformObservations;
  readonly requestedBy: string | null;
}

export interface NewSelfCheckRun {
  readonly trigger: SelfCheckTrigger;
  readonly scheduledDay: string | null;
  readonly requestedBy: string | null;
  readonly observations: PlatformObservations;
  readonly results: readonly SelfCheckResult[];
  readonly assessmentResults: AssessmentResultsDocument;
}

interface Row {
  id: string;
  trigger: SelfCheckTrigger;
  scheduled_day: string | null;
  started_at: Date;
  finished_at: Date;
  satisfied: number;
  not_satisfied: number;
  results: SelfCheckResult[];
}

const SUMMARY_COLUMNS = `id, trigger, to_char(scheduled_day, 'YYYY-MM-DD') AS scheduled_day, started_at, finished_at, satisfied, not_satisfied, results`;

function summary(r: Row): SelfCheckRunSummary {
  return {
    id: r.id,
    trigger: r.trigger,
    scheduledDay: r.scheduled_day,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at.toISOString(),
    satisfied: r.satisfied,
    notSatisfied: r.not_satisfied,
    results: r.results,
  };
}

/** Stores a run; null when a scheduled run of that day is already stored (another process was first). */
export async function insertSelfCheckRun(db: pg.Pool | pg.ClientBase, run: NewSelfCheckRun): Promise<SelfCheckRunSummary | null> {
  const satisfied = run.results.filter((r) => r.state === 'satisfied').length;
  const { rows } = await db.query<Row>(
    `INSERT INTO control.self_check_runs
       (trigger, scheduled_day, started_at, finished_at, requested_by, observations, results, satisfied, not_satisfied, assessment_results)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (scheduled_day) WHERE scheduled_day IS NOT NULL DO NOTHING
     RETURNING ${SUMMARY_COLUMNS}`,
    [
      run.trigger,
      run.scheduledDay,
      run.observations.startedAt,
      run.observations.finishedAt,
      run.requestedBy,
      JSON.stringify(run.observations),
      JSON.stringify(run.results),
      satisfied,
      run.results.length - satisfied,
      JSON.stringify(run.assessmentResults),
    ],
  );
  return rows[0] ? summary(rows[0]) : null;
}

/** The newest runs first. */
export async function listSelfCheckRuns(db: pg.Pool, options: { limit: number }): Promise<SelfCheckRunSummary[]> {
  const { rows } = await db.query<Row>(`SELECT ${SUMMARY_COLUMNS} FROM control.self_check_runs ORDER BY started_at DESC, id LIMIT $1`, [options.limit]);
  return rows.map(summary);
}

export async function getSelfCheckRun(db: pg.Pool, id: string): Promise<SelfCheckRun | null> {
  const { rows } = await db.query<Row & { observations: PlatformObservations; requested_by: string | null }>(
    `SELECT ${SUMMARY_COLUMNS}, observations, requested_by FROM control.self_check_runs WHERE id = $1`,
    [id],
  );
  const r = rows[0];
  return r ? { ...summary(r), observations: r.observations, requestedBy: r.requested_by } : null;
}

/** The OSCAL document of a run, as stored (json: its key order kept). */
export async function selfCheckAssessmentResultsOf(db: pg.Pool, id: string): Promise<AssessmentResultsDocument | null> {
  const { rows } = await db.query<{ doc: string }>('SELECT assessment_results::text AS doc FROM control.self_check_runs WHERE id = $1', [id]);
  return rows[0] ? (JSON.parse(rows[0].doc) as AssessmentResultsDocument) : null;
}

export async function scheduledRunExists(db: pg.Pool | pg.ClientBase, day: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM control.self_check_runs WHERE scheduled_day = $1', [day]);
  return rows.length > 0;
}
