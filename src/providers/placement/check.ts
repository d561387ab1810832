/**
 * The placement check: the alerts of a day for every placed municipality
 * (alerts.ts), each recorded in the audit log as `placement_alert` for the
 * municipality concerned. `runPlacementAlertCheck` is what a scheduler or the
 * worker calls (daily, say); the operator runs it through the API or
 * `municloud providers alerts`; every `serve` runs it once a day, right after
 * the day's platform self-checks (src/providers/self-checks/service.ts).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Platform } from '../../platform/http/server.js';
import type { ActionDetails, JobContext } from '../../security/audit/record.js';
import { recordJobAction, operatorJob } from '../../security/audit/record.js';
import type { RecordRef } from '../../security/audit/entry.js';
import { todayInJapan } from '../days.js';
import { placementAlerts, DEFAULT_ALERT_DAYS, type PlacementAlert } from './alerts.js';
import { loadCellFacts } from './facts.js';
import { municipalityDataClass } from './policy.js';
import type { OrganizationKind } from '../../organizations/organization.js';

/** The alerts of the day, for every placed municipality or only one. Reads; records nothing. */
export async function placementAlertsOn(
  control: pg.Pool,
  options: { on?: string; withinDays?: number; municipalityCode?: string } = {},
): Promise<{ on: string; withinDays: number; alerts: PlacementAlert[] }> {
  const on = options.on ?? todayInJapan();
  const withinDays = options.withinDays ?? DEFAULT_ALERT_DAYS;
  const { rows } = await control.query<{ municipality_code: string; cell_id: string; kind: OrganizationKind }>(
    `SELECT p.municipality_code, p.cell_id, o.kind FROM control.placements p JOIN control.organizations o ON o.code = p.municipality_code
      WHERE ($1::text IS NULL OR p.municipality_code = $1) ORDER BY p.municipality_code`,
    [options.municipalityCode ?? null],
  );
  const cells = await loadCellFacts(control, [...new Set(rows.map((r) => r.cell_id))]);
  const placements = rows.map((r) => ({ municipalityCode: r.municipality_code, cellId: r.cell_id, dataClass: municipalityDataClass({ kind: r.kind }) }));
  return { on, withinDays, alerts: placementAlerts({ placements, cells, on, withinDays }) };
}

/** What an alert's audit entry names: the cell, the records it rests on, and what it said (`<status>:<lapsesOn>`) on which day. */
export function alertRecords(alert: PlacementAlert, on: string): RecordRef[] {
  return [
    { resource: 'cells', ids: [alert.cellId] },
    ...(alert.registrationIds.length > 0 ? [{ resource: 'service_registrations', ids: alert.registrationIds }] : []),
    ...(alert.certificationIds.length > 0 ? [{ resource: 'certifications', ids: alert.certificationIds }] : []),
    { resource: 'placement_checks', ids: [on] },
    { resource: 'placement_alerts', ids: [`${alert.status}:${alert.lapsesOn ?? 'undated'}`] },
  ];
}

export type AlertRecorder = (details: ActionDetails & { municipality: string; records: readonly RecordRef[] }) => Promise<void>;

/** The recorder of a platform job: the platform operator, from the operator's network, under the run's id. */
export function jobRecorder(platform: Platform, runId: string = randomUUID()): AlertRecorder {
  const job: JobContext = operatorJob(runId);
  return (details) => recordJobAction(platform, job, 'placement_alert', details);
}

/**
 * Runs the check of a day: computes the alerts and records each one (fail
 * closed: an alert that cannot be recorded stops the check with the error).
 */
export async function runPlacementAlertCheck(
  platform: Platform,
  options: { on?: string; withinDays?: number; record?: AlertRecorder } = {},
): Promise<{ on: string; withinDays: number; alerts: PlacementAlert[] }> {
  const result = await placementAlertsOn(platform.control, options);
  const record = options.record ?? jobRecorder(platform);
  for (const alert of result.alerts) await record({ municipality: alert.municipalityCode, records: alertRecords(alert, result.on) });
  return result;
}
