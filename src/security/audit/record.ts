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
import { isMunicipalityKind } from '../../organizations/organization.js';
import type { Platform } from '../../platform/http/server.js';
import type { EntryKind } from './catalogue.js';
import type { Actor, RecordRef } from './entry.js';
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
  const context = requestContext(request);
  const p = request.principal;
  const municipality =
    details.municipality !== undefined ? details.municipality : p && isMunicipalityKind(p.organizationKind) ? p.organizationCode : null;
  const outcome = details.refused
    ? { result: 'refused' as const, reason: details.refused }
    : details.failed
      ? { result: 'failed' as const, reason: details.failed }
      : { result: 'success' as const, reason: null };
  await recordOrRefuse(platform, {
    ...context,
    ...(details.actor ? { actor: details.actor } : {}),
    kind,
    municipality,
    outcome,
    ...(details.records ? { records: details.records } : {}),
    ...(details.purpose !== undefined ? { purpose: details.purpose } : {}),
  });
}
