/**
 * Turning 75 (後期高齢者医療): no register event marks it, so once a day (in
 * Japan) each municipality's open NHI memberships whose holder has reached
 * their 75th birthday are closed on that day, for reason late_stage_elderly.
 * The day is kept on each membership (nhi_members.ages_out_on, from the date
 * of birth the subscription delivered: register-events.ts). Audited as a
 * platform job that changed personal data, naming the residents.
 */
import { randomUUID } from 'node:crypto';
import { municipalitiesIn, type PassScope } from '../../linkage/pass-scope.js';
import { inTenantTransaction } from '../../platform/database.js';
import type { Platform } from '../../platform/http/server.js';
import { todayInJapan } from '../../resident-register/changes.js';
import { recordGroups, recordJobAction, type JobContext, operatorJob } from '../../security/audit/record.js';
import { NHI_PURPOSE } from './register-events.js';
import { closeAgedOutMemberships } from './store.js';

export interface AgeingReport {
  /** Memberships closed by age. */
  closed: number;
  failed: number;
}

/**
 * Closes the memberships that have aged out by today in the municipalities in
 * scope, at most once a day per municipality and process (a day already done
 * is skipped without a query). Running it twice, or in two processes, closes
 * nothing twice: only open memberships are closed.
 */
export async function ageOutNhiMembers(platform: Platform, options: { scope?: PassScope; now?: Date } = {}): Promise<AgeingReport> {
  const today = todayInJapan(options.now);
  const report: AgeingReport = { closed: 0, failed: 0 };
  const runId = randomUUID();
  for (const municipalityCode of await municipalitiesIn(platform, options.scope)) {
    if (doneOn.get(platform)?.get(municipalityCode) === today) continue;
    try {
      report.closed += await ageOut(platform, municipalityCode, today, runId);
      if (!doneOn.has(platform)) doneOn.set(platform, new Map());
      doneOn.get(platform)!.set(municipalityCode, today);
    } catch (err) {
      report.failed++;
      platform.log.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code }, municipality: municipalityCode }, 'nhi ageing failed');
    }
  }
  return report;
}

/** The day each municipality was last done, per platform (a process may run several in tests). */
const doneOn = new WeakMap<Platform, Map<string, string>>();

async function ageOut(platform: Platform, municipalityCode: string, today: string, runId: string): Promise<number> {
  const pool = await platform.cells.poolFor(municipalityCode);
  return inTenantTransaction(pool, municipalityCode, async (db) => {
    const residents = await closeAgedOutMemberships(db, today);
    if (residents.length === 0) return 0;
    const job: JobContext = operatorJob(runId);
    // In the transaction: no entry, no change.
    for (const records of recordGroups([{ resource: 'residents', ids: residents }], [{ resource: 'nhi_members', ids: [municipalityCode] }])) {
      await recordJobAction(platform, job, 'personal_data_change', { municipality: municipalityCode, purpose: NHI_PURPOSE, records });
    }
    return residents.length;
  });
}
