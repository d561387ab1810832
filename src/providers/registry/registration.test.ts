import { describe, expect, it } from 'vitest';
import { periodEnd } from '../days.js';
import {
  inForceUntil,
  latestAuditPeriodEnd,
  registrationDateProblems,
  registrationStatus,
  serviceRegistrationOn,
  validUntil,
  type RegistrationFacts,
} from './registration.js';

const reg = (over: Partial<RegistrationFacts> = {}): RegistrationFacts => ({
  id: 'r1',
  serviceId: 's1',
  registrationNumber: 'C23-0001-1',
  auditPeriodStart: '2022-04-01',
  auditPeriodEnd: '2023-03-31',
  listedOn: '2023-06-01',
  renewalPendingSince: null,
  renewalEndedOn: null,
  withdrawnOn: null,
  ...over,
});

describe('periodEnd (民法 143 条)', () => {
  it.each([
    ['2023-04-01', 16, '2024-07-31'],
    ['2025-06-16', 16, '2026-10-15'],
    ['2024-11-01', 16, '2026-02-28'],
    ['2026-11-01', 16, '2028-02-29'],
    ['2024-10-31', 16, '2026-02-28'], // 2026-02-31 does not exist: the last day of February
    ['2026-10-30', 16, '2028-02-29'], // 2028-02-30 does not exist; a leap year
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-01-01', 12, '2024-12-31'],
    ['2023-12-31', 2, '2024-02-29'],
  ])('a period from %s of %i months ends on %s', (first, months, end) => {
    expect(periodEnd(first, months)).toBe(end);
  });
});

describe('validUntil: 1 year 4 months after the audited period ends', () => {
  it.each([
    ['2023-03-31', '2024-07-31'], // a fiscal year audited: valid to the end of July the year after
    ['2025-06-15', '2026-10-15'], // mid-month: the same day 16 months later
    ['2024-10-31', '2026-02-28'], // 31 October: the end of February
    ['2026-10-31', '2028-02-29'], // … in a leap year, 29 February
    ['2024-10-29', '2026-02-28'], // the day after (30 October) has no 30 February: end of February
    ['2024-10-27', '2026-02-27'],
    ['2023-12-31', '2025-04-30'],
    ['2024-04-30', '2025-08-31'], // a month's end gives a month's end (counted from 1 May)
  ])('an audited period ending %s gives a registration valid through %s', (end, until) => {
    expect(validUntil(end)).toBe(until);
  });

  it('is monotone: a later end never gives an earlier validity', () => {
    let previous = validUntil('2023-01-01');
    for (let d = new Date('2023-01-02T00:00:00Z'); d < new Date('2029-01-01T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) {
      const next = validUntil(d.toISOString().slice(0, 10));
      expect(next >= previous).toBe(true);
      previous = next;
    }
  });
});

describe('the audited period is at most one year', () => {
  it('ends at the latest the day before the same date a year later', () => {
    expect(latestAuditPeriodEnd('2022-04-01')).toBe('2023-03-31');
    expect(latestAuditPeriodEnd('2024-02-29')).toBe('2025-02-28');
  });

  it('refuses a longer period, an end before the start, a listing inside the period or in the future, and a lapsed registration', () => {
    const today = '2024-01-15';
    expect(registrationDateProblems({ auditPeriodStart: '2022-04-01', auditPeriodEnd: '2023-03-31', listedOn: '2023-06-01' }, today)).toEqual([]);
    expect(registrationDateProblems({ auditPeriodStart: '2022-04-01', auditPeriodEnd: '2023-04-01', listedOn: '2023-06-01' }, today)).toEqual([
      { field: 'auditPeriodEnd', rule: 'audit_period_too_long' },
    ]);
    expect(registrationDateProblems({ auditPeriodStart: '2023-04-01', auditPeriodEnd: '2023-03-31', listedOn: '2023-06-01' }, today)).toEqual([
      { field: 'auditPeriodEnd', rule: 'after_start' },
    ]);
    expect(registrationDateProblems({ auditPeriodStart: '2022-04-01', auditPeriodEnd: '2023-03-31', listedOn: '2023-03-31' }, today)).toEqual([
      { field: 'listedOn', rule: 'after_audit_period' },
    ]);
    expect(registrationDateProblems({ auditPeriodStart: '2022-04-01', auditPeriodEnd: '2023-03-31', listedOn: '2024-01-16' }, today)).toEqual([
      { field: 'listedOn', rule: 'not_in_future' },
    ]);
    expect(registrationDateProblems({ auditPeriodStart: '2021-04-01', auditPeriodEnd: '2022-03-31', listedOn: '2022-06-01' }, '2023-08-01')).toEqual([
      { field: 'auditPeriodEnd', rule: 'registration_lapsed' },
    ]);
    expect(registrationDateProblems({ auditPeriodStart: '2022-02-30', auditPeriodEnd: '2023-03-31', listedOn: 'soon' }, today)).toEqual([
      { field: 'auditPeriodStart', rule: 'date' },
      { field: 'listedOn', rule: 'date' },
    ]);
  });
});

describe('registrationStatus', () => {
  it('is valid from its listing through the end of validity, then expired', () => {
    const r = reg();
    expect(registrationStatus(r, '2023-05-31')).toBe('not_yet_listed');
    expect(registrationStatus(r, '2023-06-01')).toBe('valid');
    expect(registrationStatus(r, '2024-07-31')).toBe('valid');
    expect(registrationStatus(r, '2024-08-01')).toBe('expired');
    expect(inForceUntil(r)).toBe('2024-07-31');
  });

  it('stays valid while a renewal applied for in time is pending, and lapses when it ends without a successor', () => {
    const pending = reg({ renewalPendingSince: '2024-05-01' });
    expect(registrationStatus(pending, '2024-04-30')).toBe('valid');
    expect(registrationStatus(pending, '2024-05-01')).toBe('renewal_pending');
    expect(registrationStatus(pending, '2025-12-31')).toBe('renewal_pending');
    expect(inForceUntil(pending)).toBeNull();
    const refused = reg({ renewalPendingSince: '2024-05-01', renewalEndedOn: '2024-10-01' });
    expect(registrationStatus(refused, '2024-09-30')).toBe('renewal_pending');
    expect(registrationStatus(refused, '2024-10-01')).toBe('expired');
    expect(inForceUntil(refused)).toBe('2024-09-30');
    // Ended before the end of validity: valid to its end.
    expect(inForceUntil(reg({ renewalPendingSince: '2024-05-01', renewalEndedOn: '2024-06-01' }))).toBe('2024-07-31');
  });

  it('a renewal applied for after the registration lapsed does not revive it', () => {
    const late = reg({ renewalPendingSince: '2024-08-01' });
    expect(registrationStatus(late, '2024-08-02')).toBe('expired');
    expect(inForceUntil(late)).toBe('2024-07-31');
  });

  it('is withdrawn from the day of the withdrawal', () => {
    const w = reg({ withdrawnOn: '2024-01-10' });
    expect(registrationStatus(w, '2024-01-09')).toBe('valid');
    expect(registrationStatus(w, '2024-01-10')).toBe('withdrawn');
    expect(inForceUntil(w)).toBe('2024-01-09');
    expect(inForceUntil(reg({ withdrawnOn: '2024-01-10', renewalPendingSince: '2023-12-01' }))).toBe('2024-01-09');
  });
});

describe("a service's standing from its registrations", () => {
  it('names the registration in force longest; else what became of the latest; else missing', () => {
    const old = reg({ id: 'old', renewalPendingSince: '2024-05-01', renewalEndedOn: '2024-09-01' });
    const successor = reg({ id: 'new', registrationNumber: 'C24-0001-1', auditPeriodStart: '2023-04-01', auditPeriodEnd: '2024-03-31', listedOn: '2024-09-01' });
    expect(serviceRegistrationOn([], '2024-01-01')).toEqual({ standing: 'missing' });
    expect(serviceRegistrationOn([old, successor], '2024-08-15')).toMatchObject({ standing: 'registered', status: 'renewal_pending', registration: { id: 'old' } });
    expect(serviceRegistrationOn([old, successor], '2024-09-01')).toMatchObject({ standing: 'registered', status: 'valid', registration: { id: 'new' }, inForceUntil: '2025-07-31' });
    expect(serviceRegistrationOn([old, successor], '2025-08-01')).toMatchObject({ standing: 'expired', registration: { id: 'new' } });
    expect(serviceRegistrationOn([reg({ withdrawnOn: '2024-01-10' })], '2024-02-01')).toMatchObject({ standing: 'withdrawn' });
    expect(serviceRegistrationOn([reg()], '2023-01-01')).toEqual({ standing: 'missing' });
  });
});
