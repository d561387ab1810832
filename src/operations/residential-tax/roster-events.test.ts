import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { taxingMunicipality } from './assessment.js';
import { datedInstallments } from './notice.js';
import { installments } from './assessment.js';
import { onRoster, rosterEffects, type DeliveredResident, type RosterPeriod } from './roster-events.js';

const A = '11111111-1111-4111-8111-111111111111';
const H = '22222222-2222-4222-8222-222222222222';
const H2 = '33333333-3333-4333-8333-333333333333';

const current = (extra: Partial<DeliveredResident> = {}): DeliveredResident => ({
  id: A,
  dateOfBirth: '1980-05-05',
  householdId: H,
  relationship: '世帯主',
  state: 'current',
  residentSince: '2025-04-01',
  closed: null,
  ...extra,
});
const closed = (on: string, reason: 'moved_out' | 'moved_abroad' | 'died' | 'removed_by_authority' = 'moved_out'): DeliveredResident =>
  current({ state: 'closed', closed: { reason, on, destination: null } });
const period = (extra: Partial<RosterPeriod> = {}): RosterPeriod => ({
  residentFrom: '2025-04-01',
  leftOn: null,
  leftReason: null,
  householdId: H,
  dateOfBirth: '1980-05-05',
  relationship: '世帯主',
  ...extra,
});
const latest = (p: RosterPeriod | null) => new Map(p ? [[A, p]] : []);

/** Applies effects to a list of periods as store.ts does, to check the roster an event sequence leaves. */
function apply(periods: RosterPeriod[], events: DeliveredResident[][]): RosterPeriod[] {
  let ps = [...periods];
  for (const residents of events) {
    const last = [...ps].sort((a, b) => (a.residentFrom < b.residentFrom ? 1 : -1))[0] ?? null;
    for (const e of rosterEffects(residents, latest(last))) {
      const i = ps.findIndex((p) => p.residentFrom === e.from);
      switch (e.op) {
        case 'open':
          if (i < 0) ps.push({ residentFrom: e.from, leftOn: null, leftReason: null, householdId: e.householdId, dateOfBirth: e.dateOfBirth, relationship: e.relationship });
          break;
        case 'close':
          ps[i] = { ...ps[i]!, leftOn: e.on, leftReason: e.reason };
          break;
        case 'reopen':
          if (!ps.some((p) => p.leftOn === null)) ps[i] = { ...ps[i]!, leftOn: null, leftReason: null };
          break;
        case 'redate':
          ps[i] = { ...ps[i]!, residentFrom: e.to };
          break;
        case 'facts':
          ps[i] = { ...ps[i]!, householdId: e.householdId, dateOfBirth: e.dateOfBirth, relationship: e.relationship };
          break;
      }
    }
    ps = [...ps];
  }
  return ps;
}

describe('rosterEffects', () => {
  it('opens a period for a newcomer from the day they became resident', () => {
    expect(rosterEffects([current()], latest(null))).toEqual([{ op: 'open', residentId: A, from: '2025-04-01', householdId: H, dateOfBirth: '1980-05-05', relationship: '世帯主' }]);
  });

  it('closes the open period on the day of the move-out, death or removal, with the reason', () => {
    for (const reason of ['moved_out', 'moved_abroad', 'died', 'removed_by_authority'] as const) {
      expect(rosterEffects([closed('2026-01-15', reason)], latest(period()))).toEqual([{ op: 'close', residentId: A, from: '2025-04-01', on: '2026-01-15', reason }]);
    }
  });

  it('reopens the period a cancelled move-out had closed', () => {
    expect(rosterEffects([current()], latest(period({ leftOn: '2026-01-15', leftReason: 'moved_out' })))).toEqual([{ op: 'reopen', residentId: A, from: '2025-04-01' }]);
  });

  it('opens a new period for someone back after a period that ended', () => {
    const back = current({ residentSince: '2026-06-01' });
    expect(rosterEffects([back], latest(period({ leftOn: '2026-01-15', leftReason: 'moved_out' })))).toEqual([
      { op: 'open', residentId: A, from: '2026-06-01', householdId: H, dateOfBirth: '1980-05-05', relationship: '世帯主' },
    ]);
  });

  it('carries over a new household, 続柄 or a corrected date of birth and first day', () => {
    expect(rosterEffects([current({ householdId: H2, relationship: '妻' })], latest(period()))).toEqual([
      { op: 'facts', residentId: A, from: '2025-04-01', householdId: H2, dateOfBirth: '1980-05-05', relationship: '妻' },
    ]);
    expect(rosterEffects([current({ residentSince: '2025-03-01', dateOfBirth: '1980-06-06' })], latest(period()))).toEqual([
      { op: 'redate', residentId: A, from: '2025-04-01', to: '2025-03-01' },
      { op: 'facts', residentId: A, from: '2025-03-01', householdId: H, dateOfBirth: '1980-06-06', relationship: '世帯主' },
    ]);
  });

  it('corrects a closure to the register’s date, and keeps a residence first seen closed', () => {
    expect(rosterEffects([closed('2026-01-20')], latest(period({ leftOn: '2026-01-15', leftReason: 'moved_out' })))).toEqual([
      { op: 'close', residentId: A, from: '2025-04-01', on: '2026-01-20', reason: 'moved_out' },
    ]);
    expect(rosterEffects([closed('2026-01-20')], latest(null))).toEqual([
      { op: 'open', residentId: A, from: '2025-04-01', householdId: H, dateOfBirth: '1980-05-05', relationship: '世帯主' },
      { op: 'close', residentId: A, from: '2025-04-01', on: '2026-01-20', reason: 'moved_out' },
    ]);
  });

  it('ends a back-dated departure on the first day, never before it', () => {
    expect(rosterEffects([closed('2025-03-01')], latest(period()))).toEqual([{ op: 'close', residentId: A, from: '2025-04-01', on: '2025-04-01', reason: 'moved_out' }]);
  });

  it('does nothing for a state the roster already has, or a resident delivered without one', () => {
    expect(rosterEffects([current()], latest(period()))).toEqual([]);
    expect(rosterEffects([closed('2026-01-15')], latest(period({ leftOn: '2026-01-15', leftReason: 'moved_out' })))).toEqual([]);
    expect(rosterEffects([{ id: A }], latest(null))).toEqual([]);
  });

  it('leaves the same roster when an event sequence is applied twice (property)', () => {
    const state = fc.oneof(
      fc.constant(current()),
      fc.constant(current({ householdId: H2 })),
      fc.constantFrom('2025-12-31', '2026-01-01', '2026-01-02').map((on) => closed(on)),
      fc.constant(closed('2026-02-01', 'died')),
    );
    fc.assert(
      fc.property(fc.array(state, { maxLength: 6 }), (states) => {
        const once = apply([], states.map((s) => [s]));
        const twice = apply(once, states.map((s) => [s]).slice(-1));
        expect(twice).toEqual(once);
        expect(once.filter((p) => p.leftOn === null).length).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('onRoster', () => {
  it('puts on the roster of FY2026 whoever lived here on 1 January 2026', () => {
    const from = '2025-04-01';
    expect(onRoster({ residentFrom: from, leftOn: null }, 2026)).toBe(true);
    expect(onRoster({ residentFrom: from, leftOn: '2026-01-15' }, 2026)).toBe(true);
    expect(onRoster({ residentFrom: from, leftOn: '2026-01-02' }, 2026)).toBe(true);
    // Moved out on 1 January: resident at the new address that day.
    expect(onRoster({ residentFrom: from, leftOn: '2026-01-01' }, 2026)).toBe(false);
    expect(onRoster({ residentFrom: from, leftOn: '2025-12-31' }, 2026)).toBe(false);
    expect(onRoster({ residentFrom: '2026-01-01', leftOn: null }, 2026)).toBe(true);
    expect(onRoster({ residentFrom: '2026-01-02', leftOn: null }, 2026)).toBe(false);
  });

  it('agrees with taxingMunicipality (property)', () => {
    const day = fc.date({ min: new Date('2025-12-25T00:00:00Z'), max: new Date('2026-01-08T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.option(day), (from, left) => {
        fc.pre(left === null || left > from);
        const until = left === null ? null : new Date(Date.parse(`${left}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
        const here = taxingMunicipality([{ municipalityCode: '131016', from, until }], 2026) === '131016';
        expect(onRoster({ residentFrom: from, leftOn: left }, 2026)).toBe(here);
      }),
    );
  });
});

describe('datedInstallments', () => {
  it('gives ordinary installments the month’s last day, moved off a weekend', () => {
    expect(datedInstallments(2026, installments(58_000, 'ordinary'), 'ordinary')).toEqual([
      { number: 1, month: '2026-06', dueDate: '2026-06-30', amount: 16_000 },
      { number: 2, month: '2026-08', dueDate: '2026-08-31', amount: 14_000 },
      // 31 October 2026 is a Saturday, 31 January 2027 a Sunday.
      { number: 3, month: '2026-10', dueDate: '2026-11-02', amount: 14_000 },
      { number: 4, month: '2027-01', dueDate: '2027-02-01', amount: 14_000 },
    ]);
  });

  it('gives special installments the employer’s deadline, the 10th of the next month', () => {
    const list = datedInstallments(2026, installments(120_000, 'special'), 'special');
    expect(list).toHaveLength(12);
    expect(list[0]).toEqual({ number: 1, month: '2026-06', dueDate: '2026-07-10', amount: 10_000 });
    // 10 January 2027 is a Sunday.
    expect(list[6]).toMatchObject({ month: '2026-12', dueDate: '2027-01-11' });
    expect(list[11]).toMatchObject({ month: '2027-05', dueDate: '2027-06-10' });
    expect(list.reduce((s, i) => s + i.amount, 0)).toBe(120_000);
  });
});
