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
 * 503 and nothing is returned or changed.
 */
import type { FastifyRequest } from 'fastify';
import { Problem, type Message } from '../../platform/errors.js';
import type { Platform } from '../../platform/http/server.js';
import { AuditUnavailableError } from './appender.js';
import type { NetworkZone } from './catalogue.js';
import type { Actor, AuditEntryInput, Source } from './entry.js';

/** Until the errors module has `audit_unavailable`, a 503 with this detail stands for it. */
export const AUDIT_UNAVAILABLE: Message = {
  ja: '監査ログに記録できないため、処理を行いませんでした。しばらくしてからやり直してください。',
  en: 'The audit log could not record this request, so it was not carried out; try again later.',
};

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

/** Appends and waits for the commit; a failed write becomes a 503 problem, so the request fails closed. */
export async function recordOrRefuse(platform: Platform, input: AuditEntryInput): Promise<{ seq: number }> {
  if (!platform.audit) throw new Problem('service_unavailable', [], AUDIT_UNAVAILABLE);
  try {
    return await platform.audit.append(input);
  } catch (err) {
    if (err instanceof AuditUnavailableError) throw new Problem('service_unavailable', [], AUDIT_UNAVAILABLE);
    throw err;
  }
}
