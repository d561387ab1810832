/**
 * Support measures (支援措置, 住民基本台帳事務処理要領 第5-10): for victims of
 * domestic violence, stalking, abuse and similar harm, the municipality
 * withholds the person's record and address from anyone who might pass it to
 * the offender. In municloud a suppressed record is disclosed or certified only
 * to staff holding the `support_measure_officer` role who state a reason; every
 * attempt, admitted or refused, is audited. Other staff still find the person
 * in a search (so that they know to stop), but see nothing of the record.
 */
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Principal } from '../identity/roles.js';
import { openSupportMeasure, type ResidentRow, type SupportMeasureRow } from './store.js';

/** Why an officer discloses a suppressed record (header `municloud-disclosure-reason`). */
export const DISCLOSURE_REASONS = {
  victim_request: { ja: '本人（被害者）からの請求', en: 'Requested by the protected person' },
  statutory_duty: { ja: '法令に基づく事務（支援措置の範囲内）', en: 'Statutory work within the measure' },
  court_or_police: { ja: '裁判所・警察等からの法令に基づく照会', en: 'Lawful inquiry from a court or the police' },
  measure_review: { ja: '支援措置の審査・更新', en: 'Reviewing or renewing the measure' },
} as const;
export type DisclosureReason = keyof typeof DISCLOSURE_REASONS;

export const DISCLOSURE_HEADER = 'municloud-disclosure-reason';

/** Whether a measure is in force on a day (until is inclusive). Pure. */
export function inForce(measure: { since: string; until: string | null } | null, today: string): boolean {
  return measure !== null && measure.since <= today && (measure.until === null || today <= measure.until);
}

export type Disclosure = { readonly kind: 'open' } | { readonly kind: 'disclosed'; readonly reason: DisclosureReason } | { readonly kind: 'withheld' };

/**
 * How a principal may see a record: openly (no measure in force), disclosed
 * (an officer with a reason), or withheld. Pure.
 */
export function disclosureFor(principal: Principal, suppressed: boolean, reasonHeader: string | undefined): Disclosure {
  if (!suppressed) return { kind: 'open' };
  if (principal.roles.includes('support_measure_officer') && reasonHeader !== undefined && Object.hasOwn(DISCLOSURE_REASONS, reasonHeader)) {
    return { kind: 'disclosed', reason: reasonHeader as DisclosureReason };
  }
  return { kind: 'withheld' };
}

/** A resident's open support measure; the row's flag spares the query for everyone else. */
export async function supportMeasureOf(db: pg.ClientBase, row: ResidentRow): Promise<SupportMeasureRow | null> {
  return row.supportMeasure ? openSupportMeasure(db, row.id) : null;
}

/** Whether a resident's record is under a support measure in force today. */
export async function isSuppressed(db: pg.ClientBase, row: ResidentRow, today: string): Promise<boolean> {
  return inForce(await supportMeasureOf(db, row), today);
}

export function disclosureReasonOf(request: FastifyRequest): string | undefined {
  const h = request.headers[DISCLOSURE_HEADER];
  return typeof h === 'string' ? h : undefined;
}
