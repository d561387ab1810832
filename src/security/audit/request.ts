/**
 * Adopting the audit log in a route, in a few lines:
 *
 *   await recordOrRefuse(platform, {
 *     ...requestContext(request),
 *     kind: 'personal_data_read',
 *     municipality: request.tenant!.municipalityCode,
 *     purpose: body.purpose,
 *     records: [{ resource: 'residents', ids: [resident.id] }],
 *     outcome: { result: 'success', reason: null },
 *   });
 *
 * Await it before the response (and, for a change in a cell, before the tenant
 * transaction commits): if the entry cannot be written, the request fails with
 * 503 `audit_unavailable` and nothing is returned or changed.
 */
import type { FastifyRequest } from 'fastify';
import { Problem, PROBLEMS, type Message } from '../../platform/errors.js';
import type { Platform } from '../../platform/http/server.js';
import { AuditUnavailableError } from './appender.js';
import type { NetworkZone } from './catalogue.js';
import type { Actor, AuditEntryInput, Source } from './entry.js';

/** `audit_unavailable` when no audit log is configured at all: nothing can be recorded, so nothing is done. */
export const AUDIT_NOT_CONFIGURED: Message = {
  ja: '監査ログが構成されていないため、処理を行いませんでした。',
  en: 'The audit log is not configured, so the request was not carried out.',
};

/** The message of the `audit_unavailable` problem (503), for callers that build their own. */
export const AUDIT_UNAVAILABLE: Message = { ja: PROBLEMS.audit_unavailable.ja, en: PROBLEMS.audit_unavailable.en };

/**
 * Who and from where, from an authenticated request. The zone is the one the
 * route determined (security/access/network-zones.ts `zoneOf`), when it did:
 * looking it up costs a query, which only My Number routes already pay.
 */
export function requestContext(request: FastifyRequest, zone: NetworkZone = 'unknown'): { actor: Actor; source: Source; request: string } {
  const p = request.principal;
  // IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d.
  const address = request.ip?.startsWith('::ffff:') ? request.ip.slice(7) : request.ip;
  return {
    actor: p ? { account: p.accountId, roles: [...p.roles], organization: p.organizationCode } : { account: null, roles: [], organization: null },
    source: { zone, address: address || null },
    request: request.id,
  };
}

/**
 * Appends and waits for the commit; no audit log, or a failed write, becomes
 * `audit_unavailable` (503), so the request fails closed.
 */
export async function recordOrRefuse(platform: Platform, input: AuditEntryInput): Promise<{ seq: number }> {
  if (!platform.audit) throw new Problem('audit_unavailable', [], AUDIT_NOT_CONFIGURED);
  try {
    return await platform.audit.append(input);
  } catch (err) {
    if (err instanceof AuditUnavailableError) throw new Problem('audit_unavailable');
    throw err;
  }
}
