import { describe, expect, it } from 'vitest';
import { FIRST_CLAIM_MONTH, planClaim, type ClaimContext } from './claims.js';
import {
  applyChildChanges,
  CHILD_ALLOWANCE_REQUIRED_TOPICS,
  childRelationshipOf,
  effectiveMonthOf,
  householdChildren,
  reconcileChildren,
  rosterEntryOf,
  type ClaimChildRow,
  type RosterEntry,
} from './register-events.js';
import { CHANGE_KIND_NAMES } from '../../resident-register/changes.js';

const H = 'household-1';
const entry = (residentId: string, relationship: string, dateOfBirth: string, over: Partial<RosterEntry> = {}): RosterEntry => ({
  residentId,
  householdId: H,
  relationship,
  dateOfBirth,
  residentSince: '2026-04-01',
  closedOn: null,
  closedReason: null,
  ...over,
});
const row = (childId: string, dateOfBirth: string, fromMonth: string, over: Partial<ClaimChildRow> = {}): ClaimChildRow => ({
  rowId: `row-${childId}-${fromMonth}`,
  childId,
  dateOfBirth,
  supported: null,
  fromMonth,
  untilMonth: null,
  resident: true,
  untilReason: null,
  ...over,
});

describe('the subscription the module needs', () => {
  it('takes every kind of register change', () => {
    expect([...CHILD_ALLOWANCE_REQUIRED_TOPICS].sort()).toEqual(CHANGE_KIND_NAMES.map((k) => `resident_register.${k}`).sort());
  });
});

describe('roster', () => {
  it('keeps ids, dates and codes of a delivered resident, and refuses a delivery without the fields it needs', () => {
    const closed = { reason: 'moved_out' as const, on: '2026-10-05', destination: null };
    expect(
      rosterEntryOf({ id: 'r', householdId: H, relationship: '子', dateOfBirth: '2018-06-15', state: 'closed', residentSince: '2026-04-01', closed }),
    ).toEqual({ residentId: 'r', householdId: H, relationship: '子', dateOfBirth: '2018-06-15', residentSince: '2026-04-01', closedOn: '2026-10-05', closedReason: 'moved_out' });
    expect(rosterEntryOf({ id: 'r', householdId: H, dateOfBirth: '2018-06-15', state: 'current', residentSince: '2026-04-01' })).toBeNull();
  });

  it("tells a claimant's children by the relationship to the head", () => {
    expect(childRelationshipOf('世帯主')).toBe('子');
    expect(childRelationshipOf('妻')).toBe('子');
    expect(childRelationshipOf('子の妻')).toBe('孫');
    expect(childRelationshipOf('同居人')).toBeNull();
    expect(childRelationshipOf('母')).toBeNull();
    const members = [
      entry('grandpa', '世帯主', '1950-01-01'),
      entry('father', '子', '1985-01-01'),
      entry('mother', '子の妻', '1987-01-01'),
      entry('aunt', '子', '2010-01-01'),
      entry('kid', '孫', '2018-06-15'),
      entry('gone', '孫', '2019-06-15', { closedOn: '2026-05-01', closedReason: 'moved_out' }),
      entry('adult', '孫', '2001-01-01'),
    ];
    // The father's children are the grandchildren (孫), current, within the counting age; not his sister (子) nor a grandchild of 25.
    expect(householdChildren(members[1]!, members, '2026-05').map((m) => m.residentId)).toEqual(['kid']);
    expect(householdChildren(members[0]!, members, '2026-05').map((m) => m.residentId)).toEqual(['aunt']);
  });
});

describe('reconciling a claim with its household', () => {
  const base = { roster: new Map<string, RosterEntry>(), eventKind: 'birth' };

  it('adds a newborn from the month after the birth and keeps the others', () => {
    const rows = [row('a', '2018-06-15', '2026-05')];
    const out = reconcileChildren({ ...base, rows, desired: new Map([['a', '2018-06-15'], ['b', '2026-06-10']]), effectiveMonth: effectiveMonthOf('2026-06-10', '2026-05') });
    expect(out).toEqual({ changes: [{ op: 'add', childId: 'b', dateOfBirth: '2026-06-10', fromMonth: '2026-07' }], from: '2026-07' });
  });

  it('closes a child who left through the month they left, with the reason from the roster', () => {
    const rows = [row('a', '2018-06-15', '2026-05'), row('b', '2026-06-10', '2026-07')];
    const roster = new Map([['a', entry('a', '子', '2018-06-15', { closedOn: '2026-10-05', closedReason: 'moved_out' })]]);
    const out = reconcileChildren({ rows, roster, eventKind: 'move_out', desired: new Map([['b', '2026-06-10']]), effectiveMonth: '2026-11' });
    expect(out.changes).toEqual([{ op: 'close', rowId: 'row-a-2026-05', untilMonth: '2026-10', reason: 'moved_out' }]);
    // Moved to another household of the municipality: left_household.
    expect(reconcileChildren({ rows, roster: new Map(), eventKind: 'move_within', desired: new Map([['b', '2026-06-10']]), effectiveMonth: '2026-11' }).changes[0]).toMatchObject({
      reason: 'left_household',
    });
  });

  it('counts again, without a gap, a child whose move-out was cancelled', () => {
    const rows = [row('a', '2018-06-15', '2026-05', { untilMonth: '2026-10', untilReason: 'moved_out' })];
    const out = reconcileChildren({ ...base, rows, eventKind: 'move_out_cancelled', desired: new Map([['a', '2018-06-15']]), effectiveMonth: '2026-12' });
    expect(out).toEqual({ changes: [{ op: 'reopen', rowId: 'row-a-2026-05' }], from: '2026-11' });
    // Back some other way later on: a new period from the month after.
    const back = reconcileChildren({ ...base, rows, eventKind: 'move_in', desired: new Map([['a', '2018-06-15']]), effectiveMonth: '2027-02' });
    expect(back.changes).toEqual([{ op: 'add', childId: 'a', dateOfBirth: '2018-06-15', fromMonth: '2027-02' }]);
  });

  it('takes a corrected date of birth from the month after the correction', () => {
    const rows = [row('a', '2018-06-15', '2026-05')];
    const out = reconcileChildren({ ...base, rows, eventKind: 'correction_by_authority', desired: new Map([['a', '2018-07-15']]), effectiveMonth: '2026-09' });
    expect(out.changes).toEqual([
      { op: 'close', rowId: 'row-a-2026-05', untilMonth: '2026-08', reason: 'date_of_birth_corrected' },
      { op: 'add', childId: 'a', dateOfBirth: '2018-07-15', fromMonth: '2026-09' },
    ]);
    const after = applyChildChanges(rows, out.changes);
    expect(after.map((r) => [r.dateOfBirth, r.fromMonth, r.untilMonth])).toEqual([
      ['2018-06-15', '2026-05', '2026-08'],
      ['2018-07-15', '2026-09', null],
    ]);
    // Before the row counted any month, the date is corrected in place.
    expect(reconcileChildren({ ...base, rows, eventKind: 'correction_by_authority', desired: new Map([['a', '2018-07-15']]), effectiveMonth: '2026-05' }).changes).toEqual([
      { op: 'redate', rowId: 'row-a-2026-05', dateOfBirth: '2018-07-15' },
    ]);
  });

  it('leaves a declared child living elsewhere alone', () => {
    const rows = [row('elsewhere', '2005-05-01', '2026-05', { resident: false, supported: true })];
    expect(reconcileChildren({ ...base, rows, desired: new Map(), effectiveMonth: '2026-08' }).changes).toEqual([]);
  });
});

describe('a claim as a clerk records it', () => {
  const father = entry('father', '世帯主', '1985-01-01');
  const context = (over: Partial<ClaimContext> = {}): ClaimContext => ({
    today: '2026-11-21',
    claimant: father,
    members: [father, entry('mother', '妻', '1987-01-01'), entry('a', '子', '2018-06-15'), entry('student', '子', '2005-05-01')],
    householdHasOpenClaim: false,
    countedElsewhere: new Set(),
    newId: () => 'new-id',
    ...over,
  });

  it("starts the month after the claim and counts the household's children, declared older ones as supported", () => {
    const plan = planClaim({ claimantId: 'father', claimedOn: '2026-04-10', olderChildren: [{ residentId: 'student' }, { dateOfBirth: '2004-09-01' }] }, context());
    expect(plan).toEqual({
      ok: true,
      startMonth: '2026-05',
      householdId: H,
      children: [
        { childId: 'a', resident: true, dateOfBirth: '2018-06-15', supported: null },
        { childId: 'student', resident: true, dateOfBirth: '2005-05-01', supported: true },
        { childId: 'new-id', resident: false, dateOfBirth: '2004-09-01', supported: true },
      ],
    });
  });

  it('starts no earlier than October 2024, the first month without an income test', () => {
    expect(FIRST_CLAIM_MONTH).toBe('2024-10');
  });

  it('says everything wrong with it: malformed dates (400), then what the roster and rules refuse (422)', () => {
    expect(planClaim({ claimantId: 'father', claimedOn: '2026-02-30' }, context())).toMatchObject({ ok: false, malformed: true, errors: [{ field: 'body/claimedOn', rule: 'date' }] });
    const rules = (over: Partial<ClaimContext>, claimedOn = '2026-04-10', olderChildren?: { residentId: string }[] | { dateOfBirth: string }[]) => {
      const plan = planClaim({ claimantId: 'father', claimedOn, ...(olderChildren ? { olderChildren } : {}) }, context(over));
      return plan.ok ? [] : plan.errors.map((e) => `${e.field}:${e.rule}`);
    };
    expect(rules({}, '2026-11-22')).toEqual(['body/claimedOn:future']);
    expect(rules({ claimant: { ...father, residentSince: '2020-01-01' } }, '2024-08-31')).toEqual(['body/claimedOn:before_rules']);
    expect(rules({ claimant: null })).toEqual(['body/claimantId:not_resident']);
    expect(rules({ claimant: { ...father, residentSince: '2026-04-11' } })).toEqual(['body/claimantId:not_resident']);
    expect(rules({ claimant: { ...father, closedOn: '2026-10-01', closedReason: 'moved_out' } })).toEqual(['body/claimantId:not_resident']);
    expect(rules({ householdHasOpenClaim: true })).toEqual(['body/claimantId:open_claim_exists']);
    expect(rules({ members: [father, entry('student', '子', '2005-05-01')] })).toEqual(['body/claimantId:no_eligible_child']);
    expect(rules({ claimant: entry('father', '同居人', '1985-01-01') })).toEqual(['body/claimantId:no_eligible_child']);
    expect(rules({}, '2026-04-10', [{ residentId: 'mother' }])).toEqual(['body/olderChildren/0/residentId:not_household_child']);
    expect(rules({}, '2026-04-10', [{ dateOfBirth: '2012-01-01' }])).toEqual(['body/olderChildren/0/dateOfBirth:not_older_child']);
    expect(rules({}, '2026-04-10', [{ dateOfBirth: '1990-01-01' }])).toEqual(['body/olderChildren/0/dateOfBirth:not_older_child']);
  });
});
