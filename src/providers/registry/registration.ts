/**
 * A service's registration (ISMAP 登録) and whether it is in force on a day.
 * Pure.
 *
 * The rule (ISMAP, see /docs/providers.md): a registration is valid until 1
 * year 4 months after the end of the audited period, which is at most one year
 * long; a renewal applied for before it lapses keeps it valid while pending.
 * "1 year 4 months after the end" is counted as the Civil Code counts periods
 * (民法 143 条), from the day after the period ends: a period ending 31 March
 * 2023 gives a registration valid through 31 July 2024; one ending 31 October
 * 2024 one valid through 28 February 2026 (29 February in a leap year).
 */
import { addDays, isDay, periodEnd } from '../days.js';

export interface RegistrationFacts {
  readonly id: string;
  readonly serviceId: string;
  readonly registrationNumber: string;
  readonly auditPeriodStart: string;
  readonly auditPeriodEnd: string;
  readonly listedOn: string;
  readonly renewalPendingSince: string | null;
  readonly renewalEndedOn: string | null;
  readonly withdrawnOn: string | null;
}

/** Months from the day after the audited period ends to the end of validity. */
export const VALIDITY_MONTHS = 16;
/** The longest audited period. */
export const AUDIT_PERIOD_MONTHS = 12;

export const REGISTRATION_STATUSES = ['valid', 'renewal_pending', 'expired', 'withdrawn', 'not_yet_listed'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** The last day (inclusive) a registration is valid without a renewal. */
export function validUntil(auditPeriodEnd: string): string {
  return periodEnd(addDays(auditPeriodEnd, 1), VALIDITY_MONTHS);
}

/** The last day an audited period starting on `start` may end. */
export function latestAuditPeriodEnd(start: string): string {
  return periodEnd(start, AUDIT_PERIOD_MONTHS);
}

/** Whether a renewal was applied for in time: on or before the last day of validity. */
function renewalCounts(r: RegistrationFacts): boolean {
  return r.renewalPendingSince !== null && r.renewalPendingSince <= validUntil(r.auditPeriodEnd);
}

/**
 * The last day a registration is in force as far as its facts say, or null
 * when nothing ends it yet (a renewal pending with no decision). A withdrawal
 * ends it the day before the withdrawal; a decided renewal on the day before
 * the decision (or at the end of validity, if that is later).
 */
export function inForceUntil(r: RegistrationFacts): string | null {
  let end: string | null = validUntil(r.auditPeriodEnd);
  if (renewalCounts(r)) {
    if (r.renewalEndedOn === null) end = null;
    else {
      const dayBefore = addDays(r.renewalEndedOn, -1);
      end = dayBefore > end ? dayBefore : end;
    }
  }
  if (r.withdrawnOn !== null) {
    const dayBefore = addDays(r.withdrawnOn, -1);
    end = end === null || dayBefore < end ? dayBefore : end;
  }
  return end;
}

/** Whether a renewal is pending on the day. */
export function renewalPendingOn(r: RegistrationFacts, on: string): boolean {
  return r.renewalPendingSince !== null && r.renewalPendingSince <= on && (r.renewalEndedOn === null || on < r.renewalEndedOn);
}

/** The registration's status on a day. */
export function registrationStatus(r: RegistrationFacts, on: string): RegistrationStatus {
  if (r.withdrawnOn !== null && r.withdrawnOn <= on) return 'withdrawn';
  if (on < r.listedOn) return 'not_yet_listed';
  const end = inForceUntil(r);
  if (end !== null && on > end) return 'expired';
  return renewalPendingOn(r, on) && renewalCounts(r) ? 'renewal_pending' : 'valid';
}

export function isInForce(status: RegistrationStatus): boolean {
  return status === 'valid' || status === 'renewal_pending';
}

export type ServiceRegistrationStanding =
  | { readonly standing: 'registered'; readonly registration: RegistrationFacts; readonly status: 'valid' | 'renewal_pending'; readonly inForceUntil: string | null }
  | { readonly standing: 'expired' | 'withdrawn'; readonly registration: RegistrationFacts }
  | { readonly standing: 'missing' };

/**
 * A service's standing on a day, from all its registrations: registered when
 * one is in force (the one in force longest is named), else what became of
 * the latest listed one (expired or withdrawn), else missing.
 */
export function serviceRegistrationOn(registrations: readonly RegistrationFacts[], on: string): ServiceRegistrationStanding {
  let best: { r: RegistrationFacts; status: 'valid' | 'renewal_pending'; until: string | null } | null = null;
  let latest: RegistrationFacts | null = null;
  for (const r of registrations) {
    const status = registrationStatus(r, on);
    if (status === 'not_yet_listed') continue;
    if (latest === null || r.listedOn > latest.listedOn) latest = r;
    if (status === 'valid' || status === 'renewal_pending') {
      const until = inForceUntil(r);
      if (best === null || (best.until !== null && (until === null || until > best.until))) best = { r, status, until };
    }
  }
  if (best) return { standing: 'registered', registration: best.r, status: best.status, inForceUntil: best.until };
  if (latest) return { standing: registrationStatus(latest, on) === 'withdrawn' ? 'withdrawn' : 'expired', registration: latest };
  return { standing: 'missing' };
}

/** Rules a new registration's dates break, by field name: empty when the dates are right. */
export function registrationDateProblems(
  input: { auditPeriodStart: string; auditPeriodEnd: string; listedOn: string },
  today: string,
): { field: 'auditPeriodStart' | 'auditPeriodEnd' | 'listedOn'; rule: string }[] {
  const problems: { field: 'auditPeriodStart' | 'auditPeriodEnd' | 'listedOn'; rule: string }[] = [];
  for (const field of ['auditPeriodStart', 'auditPeriodEnd', 'listedOn'] as const) if (!isDay(input[field])) problems.push({ field, rule: 'date' });
  if (problems.length > 0) return problems;
  if (input.auditPeriodEnd < input.auditPeriodStart) problems.push({ field: 'auditPeriodEnd', rule: 'after_start' });
  else if (input.auditPeriodEnd > latestAuditPeriodEnd(input.auditPeriodStart)) problems.push({ field: 'auditPeriodEnd', rule: 'audit_period_too_long' });
  if (input.listedOn <= input.auditPeriodEnd) problems.push({ field: 'listedOn', rule: 'after_audit_period' });
  else if (input.listedOn > today) problems.push({ field: 'listedOn', rule: 'not_in_future' });
  else if (validUntil(input.auditPeriodEnd) < today) problems.push({ field: 'auditPeriodEnd', rule: 'registration_lapsed' });
  return problems;
}
