/**
 * Recording what a route did, in one line:
 *
 *   await recordAction(platform, request, 'token_created', { records: [{ resource: 'credentials', ids: [id] }] });
 *
 * Who and from where come from the request; the municipality defaults to the
 * principal's when it is one. Awaited before the response: if the entry cannot
 * be written the request fails (503), so no action goes unrecorded.
 */
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DIGITAL_AGENCY_CODE, isMunicipalityKind } from '../../organizations/organization.js';
import type { Platform } from '../../platform/http/server.js';
import type { EntryKind } from './catalogue.js';
import { LIMITS, type Actor, type AuditEntryInput, type RecordRef, type Source } from './entry.js';
import { recordOrRefuse, requestContext } from './request.js';

export interface ActionDetails {
  readonly municipality?: string | null;
  readonly records?: readonly RecordRef[];
  readonly purpose?: string | null;
  /** Refusals and failures carry a reason code (snake_case); success carries none. */
  readonly refused?: string;
  readonly failed?: string;
  /** Who acted, when the request has no principal (a login). */
  readonly actor?: Actor;
}

export async function recordAction(platform: Platform, request: FastifyRequest, kind: EntryKind, details: ActionDetails = {}): Promise<void> {
  const p = request.principal;
  const ownMunicipality = p && isMunicipalityKind(p.organizationKind) ? p.organizationCode : null;
  await recordOrRefuse(platform, entryOf(requestContext(request), ownMunicipality, kind, details));
}

/** Who runs a job of the platform itself (a CLI command, the demo seeder), and the run's id, which stands where a request id would. */
export interface JobContext {
  readonly actor: Actor;
  readonly source: Source;
  readonly runId: string;
}

/**
 * A job of the platform operator (a CLI command on the operator's machine, a
 * scheduled pass of `serve`): no account, the operator's role and network.
 */
export function operatorJob(runId: string = randomUUID()): JobContext {
  return { actor: { account: null, roles: ['platform_operator'], organization: DIGITAL_AGENCY_CODE }, source: { zone: 'operator', address: null }, runId };
}

/** Records what a platform job did; fails closed like recordAction. */
export async function recordJobAction(platform: Platform, job: JobContext, kind: EntryKind, details: ActionDetails = {}): Promise<void> {
  await recordOrRefuse(platform, entryOf({ actor: job.actor, source: job.source, request: job.runId }, null, kind, details));
}

function entryOf(context: { actor: Actor; source: Source; request: string }, defaultMunicipality: string | null, kind: EntryKind, details: ActionDetails): AuditEntryInput {
  const outcome = details.refused
    ? { result: 'refused' as const, reason: details.refused }
    : details.failed
      ? { result: 'failed' as const, reason: details.failed }
      : { result: 'success' as const, reason: null };
  return {
    ...context,
    ...(details.actor ? { actor: details.actor } : {}),
    kind,
    municipality: details.municipality !== undefined ? details.municipality : defaultMunicipality,
    outcome,
    ...(details.records ? { records: details.records } : {}),
    ...(details.purpose !== undefined ? { purpose: details.purpose } : {}),
  };
}

/**
 * Splits what an action touched into groups that each fit one entry (at most
 * LIMITS.ids ids), keeping the order and the resources: a bulk action is then
 * recorded as several entries that together name every record. `always` is
 * named in every group (e.g. the subscription a page was delivered under). Pure.
 */
export function recordGroups(records: readonly RecordRef[], always: readonly RecordRef[] = []): RecordRef[][] {
  const room = LIMITS.ids - always.reduce((n, r) => n + r.ids.length, 0);
  if (room < 1) throw new RangeError('the records named in every entry leave no room');
  const groups: { resource: string; ids: string[] }[][] = [];
  let current: { resource: string; ids: string[] }[] = [];
  let used = 0;
  for (const r of records) {
    // A resource with no ids (a search that found nothing) is still named.
    if (r.ids.length === 0) current.push({ resource: r.resource, ids: [] });
    for (const id of r.ids) {
      if (used === room) {
        groups.push(current);
        current = [];
        used = 0;
      }
      const last = current.at(-1);
      if (last?.resource === r.resource) last.ids.push(id);
      else current.push({ resource: r.resource, ids: [id] });
      used++;
    }
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  return groups.map((g) => [...always, ...g]);
}
