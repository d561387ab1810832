/**
 * Running the self-checks: gather the observations, judge them, make the OSCAL
 * assessment results (validated against NIST's schema), store the run and
 * record it in the audit log (`self_check_run`). On demand (API, CLI) and on a
 * schedule: every server process runs the schedule's loop, and one run a day
 * (in Japan) happens across them all (an advisory lock, and the unique
 * scheduled day as the backstop). The day's placement alert check
 * (providers/placement/check.ts) runs with it.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RegisteredRoute } from '../../platform/http/access.js';
import type { Platform } from '../../platform/http/server.js';
import { recordJobAction, type ActionDetails, operatorJob } from '../../security/audit/record.js';
import { runInBackground, type BackgroundLoop } from '../../linkage/worker.js';
import { addDays, startOfDayInJapan } from '../days.js';
import { evaluateSelfChecks, requirementsBySelfCheck, selfCheckAssessmentResults, type AssessmentResultsDocument } from '../assessment/index.js';
import { REQUIREMENTS } from '../catalog/requirements.js';
import { OscalInvalid, validateOscal } from '../oscal/validate.js';
import { runPlacementAlertCheck } from '../placement/check.js';
import { todayInJapan } from '../days.js';
import { gatherObservations, type GatherOptions } from './gather.js';
import { insertSelfCheckRun, scheduledRunExists, type SelfCheckRunSummary, type SelfCheckTrigger } from './store.js';

/** Records a run in the audit log; the API passes the request's recorder, jobs the platform's. */
export type RunRecorder = (details: ActionDetails) => Promise<void>;

/** The recorder of a platform job (the schedule, the CLI): the platform operator, from the operator's network, under the run's id. */
export function selfCheckJobRecorder(platform: Platform, runId: string = randomUUID()): RunRecorder {
  return (details) =>
    recordJobAction(platform, operatorJob(runId), 'self_check_run', details);
}

export interface RunOptions extends GatherOptions {
  readonly trigger: SelfCheckTrigger;
  readonly requestedBy?: string | null;
  /** For a scheduled run: the day in Japan it stands for. */
  readonly scheduledDay?: string;
  readonly record: RunRecorder;
}

export interface RunOutcome {
  /** Null when a scheduled run of the day was stored by another process first (nothing recorded). */
  readonly run: SelfCheckRunSummary | null;
  readonly assessmentResults: AssessmentResultsDocument;
}

const REQUIREMENTS_BY_CHECK = requirementsBySelfCheck(REQUIREMENTS);

/** One run: gathered, judged, made OSCAL (refused if the schema refuses it), stored, audited. */
export async function runSelfChecks(platform: Platform, options: RunOptions): Promise<RunOutcome> {
  const observations = await gatherObservations(platform, options);
  const results = evaluateSelfChecks(observations);
  // A scheduled run's evidence is current until the end of the next day in Japan, by when the next run is due.
  const expires = options.scheduledDay ? startOfDayInJapan(addDays(options.scheduledDay, 2)) : undefined;
  const assessmentResults = selfCheckAssessmentResults({ observations, requirementsByCheck: REQUIREMENTS_BY_CHECK, ...(expires ? { expires } : {}) });
  const problems = validateOscal('assessment-results', assessmentResults);
  if (problems.length > 0) throw new OscalInvalid('assessment-results', problems);
  const run = await insertSelfCheckRun(platform.control, {
    trigger: options.trigger,
    scheduledDay: options.scheduledDay ?? null,
    requestedBy: options.requestedBy ?? null,
    observations,
    results,
    assessmentResults,
  });
  if (run) await options.record({ municipality: null, records: [{ resource: 'self_check_runs', ids: [run.id] }] });
  return { run, assessmentResults };
}

/** pg_advisory_lock key of the daily run (the audit log's are 7_413_290_201 and …202). */
export const SCHEDULE_LOCK = 7_413_290_301;

/**
 * The scheduled work of a day, if no process has done it: the self-checks
 * (stored with the day) and the placement alert check. Answers the run, or
 * null when the day's run exists or another process is making it.
 */
export async function runScheduledSelfChecks(
  platform: Platform,
  options: { routes: readonly RegisteredRoute[]; now?: () => Date; log?: Logger; sampleLimit?: number },
): Promise<SelfCheckRunSummary | null> {
  const now = options.now ?? (() => new Date());
  const day = todayInJapan(now());
  if (await scheduledRunExists(platform.control, day)) return null;
  const client = await platform.control.connect();
  let locked = false;
  try {
    locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [SCHEDULE_LOCK])).rows[0]!.ok;
    if (!locked || (await scheduledRunExists(client, day))) return null;
    const { run } = await runSelfChecks(platform, {
      routes: options.routes,
      now,
      trigger: 'schedule',
      scheduledDay: day,
      record: selfCheckJobRecorder(platform),
      ...(options.sampleLimit !== undefined ? { sampleLimit: options.sampleLimit } : {}),
    });
    if (run) {
      options.log?.info({ runId: run.id, day, satisfied: run.satisfied, notSatisfied: run.notSatisfied }, 'self-checks run');
      // The placement alerts of the day go with it; a failure is logged and not retried that day.
      try {
        const alerts = await runPlacementAlertCheck(platform, { on: day });
        options.log?.info({ day, alerts: alerts.alerts.length }, 'placement alert check run');
      } catch (err) {
        options.log?.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code } }, 'placement alert check failed');
      }
    }
    return run;
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [SCHEDULE_LOCK]).catch(() => undefined);
    client.release();
  }
}

/**
 * The schedule in a server process: a look every `checkEveryMs` (one cheap
 * query) from `firstDelayMs` after start on, running the day's work when no
 * process has. A failed run is logged and tried again at the next look.
 */
export function startSelfCheckSchedule(
  platform: Platform,
  log: Logger,
  options: { routes: readonly RegisteredRoute[]; now?: () => Date; firstDelayMs?: number; checkEveryMs?: number },
): BackgroundLoop {
  const startedAt = performance.now();
  const firstDelayMs = options.firstDelayMs ?? 120_000;
  const every = options.checkEveryMs ?? 60_000;
  return runInBackground(
    log,
    'self-check schedule',
    async () => {
      if (performance.now() - startedAt < firstDelayMs) return false;
      await runScheduledSelfChecks(platform, { routes: options.routes, log, ...(options.now ? { now: options.now } : {}) });
      return false;
    },
    { idleMs: Math.min(every, Math.max(firstDelayMs, 10)), sweepMs: every },
  );
}
