import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Problem } from '../platform/errors.js';
import { applyEffect, emptyState, fold, foldPersons, membersOf, type HistoricChange, type RegisterState } from './history.js';
import {
  planBirth,
  planCorrection,
  planDeparture,
  planEnrolment,
  planHouseholdChange,
  planMoveOutCancellation,
  planMoveWithin,
  type Plan,
  type PlanContext,
} from './filings.js';
import { brokenInvariants } from './invariants.js';
import { NO_FLAGS, type Address, type PersonInput, type Relationship } from './record.js';

const TODAY = '2026-11-21';
const ADDRESS: Address = { postalCode: '100-0001', prefecture: '東京都', municipality: '千代田区', town: '千代田一丁目', block: '1番1号', building: null };
const OTHER: Address = { ...ADDRESS, town: '神田神保町二丁目', block: '3番4号', building: 'テストハイツ101' };
const PREVIOUS = { kind: 'domestic' as const, address: { ...ADDRESS, prefecture: '北海道', municipality: '札幌市中央区', town: '北一条西二丁目', block: '1番地' } };

function person(family: string, given: string, kana: [string, string], dateOfBirth: string, relationship: Relationship, sex: 'male' | 'female' = 'male'): PersonInput {
  return {
    name: { family, given, familyKana: kana[0], givenKana: kana[1] },
    dateOfBirth,
    sex,
    relationship,
    domicile: { place: '東京都千代田区千代田一番', head: `${family}${given}` },
    myNumber: null,
    residentCode: null,
    flags: NO_FLAGS,
    foreign: null,
  };
}

/** An in-memory register: applies plans like the service does and keeps the history. */
class Register {
  state: RegisterState = emptyState();
  history: HistoricChange[] = [];
  private ids = 0;
  private codes = 0;

  ctx(): PlanContext {
    return {
      state: this.state,
      newId: () => `00000000-0000-4000-8000-${String(++this.ids).padStart(12, '0')}`,
      newResidentCode: () => String(++this.codes).padStart(11, '0'),
      rules: { today: TODAY, isValidResidentCode: () => true },
    };
  }

  apply(plan: Plan): Plan {
    const next: RegisterState = { persons: new Map(this.state.persons), households: new Map(this.state.households) };
    for (const e of plan.effects) applyEffect(next, e);
    this.state = next;
    this.history.push({ seq: this.history.length + 1, eventDate: plan.eventDate, recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, this.history.length)).toISOString(), effects: plan.effects });
    return plan;
  }

  idOf(given: string): string {
    const p = [...this.state.persons.values()].find((x) => x.name.given === given);
    if (!p) throw new Error(`no ${given}`);
    return p.id;
  }

  householdOf(given: string): string {
    return this.state.persons.get(this.idOf(given))!.householdId;
  }
}

function family(r: Register) {
  return r.apply(
    planEnrolment(
      'move_in',
      {
        eventDate: '2026-04-01',
        filedOn: '2026-04-03',
        previousResidence: PREVIOUS,
        household: { kind: 'new', address: ADDRESS },
        persons: [
          person('山田', '太郎', ['ヤマダ', 'タロウ'], '1980-05-05', '世帯主'),
          person('山田', '花子', ['やまだ', 'はなこ'], '1982-07-07', '妻', 'female'),
          person('山田', '一郎', ['ﾔﾏﾀﾞ', 'ｲﾁﾛｳ'], '2010-01-10', '子'),
        ],
      },
      r.ctx(),
    ),
  );
}

function rejected(fn: () => unknown): { code: string; rules: string[] } {
  try {
    fn();
  } catch (err) {
    if (err instanceof Problem) return { code: err.code, rules: err.fields.map((f) => f.rule) };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('move-in', () => {
  it('founds a household with one head and normalizes readings', () => {
    const r = new Register();
    const plan = family(r);
    expect(plan.kind).toBe('move_in');
    expect(plan.late).toBe(false);
    const h = [...r.state.households.values()][0]!;
    const members = membersOf(r.state, h.id);
    expect(members.map((m) => m.name.given)).toEqual(['太郎', '花子', '一郎']);
    expect(members.map((m) => m.name.familyKana)).toEqual(['ヤマダ', 'ヤマダ', 'ヤマダ']);
    expect(members[0]!.id).toBe(h.headId);
    expect(members[2]!.residentSince).toBe('2026-04-01');
    expect(members[2]!.previousResidence).toEqual(PREVIOUS);
    expect(members[2]!.moveInFiledOn).toBe('2026-04-03');
    expect(brokenInvariants(r.state)).toEqual([]);
  });

  it('flags a filing more than 14 days late', () => {
    const r = new Register();
    const late = planEnrolment('move_in', { eventDate: '2026-04-01', filedOn: '2026-04-16', previousResidence: PREVIOUS, household: { kind: 'new', address: ADDRESS }, persons: [person('佐藤', '一', ['サトウ', 'ハジメ'], '1990-01-01', '世帯主')] }, r.ctx());
    expect(late.late).toBe(true);
    const onTime = planEnrolment('move_in', { eventDate: '2026-04-01', filedOn: '2026-04-15', previousResidence: PREVIOUS, household: { kind: 'new', address: ADDRESS }, persons: [person('佐藤', '一', ['サトウ', 'ハジメ'], '1990-01-01', '世帯主')] }, r.ctx());
    expect(onTime.late).toBe(false);
  });

  it('refuses a new household without exactly one head, and malformed persons', () => {
    const r = new Register();
    const base = { eventDate: '2026-04-01', previousResidence: PREVIOUS, household: { kind: 'new' as const, address: ADDRESS } };
    expect(rejected(() => planEnrolment('move_in', { ...base, persons: [person('佐藤', '一', ['サトウ', 'ハジメ'], '1990-01-01', '子')] }, r.ctx()))).toEqual({ code: 'filing_rejected', rules: ['one_head'] });
    const bad = { ...person('佐藤', '一', ['Sato', 'ハジメ'], '1990-02-30', '世帯主'), myNumber: '123456789012' };
    const res = rejected(() => planEnrolment('move_in', { ...base, persons: [bad] }, r.ctx()));
    expect(res.code).toBe('validation_failed');
    expect(res.rules.sort()).toEqual(['check_digit', 'date', 'kana']);
    expect(rejected(() => planEnrolment('move_in', { ...base, filedOn: '2026-03-31', persons: [person('佐藤', '一', ['サトウ', 'ハジメ'], '1990-01-01', '世帯主')] }, r.ctx())).rules).toEqual(['after_filing']);
    expect(rejected(() => planEnrolment('move_in', { ...base, previousResidence: { kind: 'abroad', country: 'US', text: 'Seattle' }, persons: [person('佐藤', '一', ['サトウ', 'ハジメ'], '1990-01-01', '世帯主')] }, r.ctx())).rules).toEqual(['domestic']);
  });

  it('refuses private-use characters (外字) in names', () => {
    const r = new Register();
    const withPua = { ...person('佐藤', '一', ['サトウ', 'ハジメ'], '1990-01-01', '世帯主'), name: { family: '\ue000田', given: '一', familyKana: 'タ', givenKana: 'ハジメ' } };
    try {
      planEnrolment('move_in', { eventDate: '2026-04-01', previousResidence: PREVIOUS, household: { kind: 'new', address: ADDRESS }, persons: [withPua] }, r.ctx());
      expect.unreachable();
    } catch (err) {
      expect((err as Problem).code).toBe('validation_failed');
      expect((err as Problem).fields.map((f) => [f.field, f.rule])).toEqual([['body/persons/0/name/family', 'characters']]);
    }
  });
});

describe('changes within the register', () => {
  it('records a birth into the household, at its address', () => {
    const r = new Register();
    family(r);
    r.apply(planBirth({ eventDate: '2026-06-01', householdId: r.householdOf('太郎'), person: person('山田', '次郎', ['ヤマダ', 'ジロウ'], '2026-06-01', '子') }, r.ctx()));
    const baby = r.state.persons.get(r.idOf('次郎'))!;
    expect(baby.address).toEqual(ADDRESS);
    expect(baby.residentSince).toBe('2026-06-01');
    expect(rejected(() => planBirth({ eventDate: '2026-06-02', householdId: r.householdOf('太郎'), person: person('山田', '三郎', ['ヤマダ', 'サブロウ'], '2026-06-01', '子') }, r.ctx())).rules).toEqual(['birth_date']);
  });

  it('moves a whole household within the municipality, keeping the household', () => {
    const r = new Register();
    family(r);
    const h = r.householdOf('太郎');
    r.apply(planMoveWithin({ eventDate: '2026-07-01', residentIds: ['太郎', '花子', '一郎'].map((g) => r.idOf(g)), destination: { kind: 'same_household', address: OTHER } }, r.ctx()));
    expect(r.state.households.get(h)!.address).toEqual(OTHER);
    expect(r.state.persons.get(r.idOf('一郎'))!.addressSince).toBe('2026-07-01');
    expect(brokenInvariants(r.state)).toEqual([]);
  });

  it('moves part of a household into a new one; the head leaving needs a regrouping', () => {
    const r = new Register();
    family(r);
    const old = r.householdOf('太郎');
    const moving = [r.idOf('太郎')];
    const partial = { eventDate: '2026-07-01', residentIds: moving, destination: { kind: 'new_household' as const, address: OTHER, headId: moving[0]!, members: [] } };
    expect(rejected(() => planMoveWithin(partial, r.ctx())).rules).toEqual(['head_leaves']);
    r.apply(planMoveWithin({ ...partial, remaining: { headId: r.idOf('花子'), members: [{ residentId: r.idOf('一郎'), relationship: '子' }] } }, r.ctx()));
    expect(r.state.households.get(old)!.headId).toBe(r.idOf('花子'));
    expect(r.state.persons.get(r.idOf('花子'))!.relationship).toBe('世帯主');
    expect(r.householdOf('太郎')).not.toBe(old);
    expect(brokenInvariants(r.state)).toEqual([]);
  });

  it('closes records on move-out and death and keeps them (除票)', () => {
    const r = new Register();
    family(r);
    const h = r.householdOf('太郎');
    const out = r.apply(planDeparture('move_out', { eventDate: '2026-08-01', residentIds: [r.idOf('一郎')], destination: PREVIOUS }, r.ctx()));
    expect(out.effects.map((e) => e.op)).toEqual(['close']);
    expect(r.state.persons.get(r.idOf('一郎'))!.closed).toEqual({ reason: 'moved_out', on: '2026-08-01', destination: PREVIOUS });
    expect(rejected(() => planDeparture('death', { eventDate: '2026-09-01', residentIds: [r.idOf('太郎')], destination: null }, r.ctx())).rules).toEqual(['head_leaves']);
    r.apply(planDeparture('death', { eventDate: '2026-09-01', residentIds: [r.idOf('太郎')], destination: null, remaining: { headId: r.idOf('花子'), members: [] } }, r.ctx()));
    expect(r.state.households.get(h)!.headId).toBe(r.idOf('花子'));
    r.apply(planDeparture('move_abroad', { eventDate: '2026-10-01', residentIds: [r.idOf('花子')], destination: { kind: 'abroad', country: 'FR', text: 'Paris' } }, r.ctx()));
    expect(r.state.households.get(h)!.state).toBe('closed');
    expect([...r.state.persons.values()].every((p) => p.state === 'closed')).toBe(true);
    expect(brokenInvariants(r.state)).toEqual([]);
  });

  it('cancels a move-out by inverting it', () => {
    const r = new Register();
    family(r);
    const before = structuredClone([...r.state.persons.values()]);
    const out = r.apply(planDeparture('move_out', { eventDate: '2026-08-01', residentIds: [r.idOf('太郎')], destination: PREVIOUS, remaining: { headId: r.idOf('花子'), members: [{ residentId: r.idOf('一郎'), relationship: '子' }] } }, r.ctx()));
    r.apply(planMoveOutCancellation({ eventDate: '2026-08-02' }, out.effects, r.ctx()));
    expect([...r.state.persons.values()]).toEqual(before);
    expect(brokenInvariants(r.state)).toEqual([]);
  });

  it('changes the head, splits and merges households', () => {
    const r = new Register();
    family(r);
    const h = r.householdOf('太郎');
    r.apply(planHouseholdChange({ eventDate: '2026-05-01', reasonCode: 'change_of_head', householdId: h, headId: r.idOf('花子'), members: [{ residentId: r.idOf('太郎'), relationship: '夫' }, { residentId: r.idOf('一郎'), relationship: '子' }] }, r.ctx()));
    expect(r.state.households.get(h)!.headId).toBe(r.idOf('花子'));
    r.apply(planHouseholdChange({ eventDate: '2026-05-02', reasonCode: 'split', householdId: h, headId: r.idOf('一郎'), members: [] }, r.ctx()));
    const split = r.householdOf('一郎');
    expect(split).not.toBe(h);
    expect(r.state.households.get(split)!.address).toEqual(ADDRESS);
    expect(brokenInvariants(r.state)).toEqual([]);
    r.apply(planHouseholdChange({ eventDate: '2026-05-03', reasonCode: 'merge', householdId: split, intoHouseholdId: h, members: [{ residentId: r.idOf('一郎'), relationship: '子' }] }, r.ctx()));
    expect(r.householdOf('一郎')).toBe(h);
    expect(r.state.households.get(split)!.state).toBe('closed');
    expect(brokenInvariants(r.state)).toEqual([]);
    expect(rejected(() => planHouseholdChange({ eventDate: '2026-05-04', reasonCode: 'change_of_head', householdId: h, headId: r.idOf('太郎'), members: [{ residentId: r.idOf('花子'), relationship: '妻' }] }, r.ctx())).rules).toEqual(['all_members']);
  });

  it('corrects a record from a date; the history still answers as of earlier dates', () => {
    const r = new Register();
    family(r);
    const id = r.idOf('太郎');
    r.apply(planCorrection({ eventDate: '2026-06-01', residentId: id, fields: { name: { family: '髙田', given: '太郎', familyKana: 'タカダ', givenKana: 'タロウ' } } }, r.ctx()));
    expect(r.state.persons.get(id)!.name.family).toBe('髙田');
    expect(fold(r.history, { asOf: '2026-05-31' }).persons.get(id)!.name.family).toBe('山田');
    expect(fold(r.history, { asOf: '2026-06-01' }).persons.get(id)!.name.family).toBe('髙田');
    expect(fold(r.history, { asOf: '2026-03-31' }).persons.has(id)).toBe(false);
    expect(rejected(() => planCorrection({ eventDate: '2026-06-01', residentId: id, fields: { relationship: '子' } }, r.ctx())).rules).toEqual(['one_head']);
  });
});

describe('the history', () => {
  it('folds to the current state after any sequence of filings, and every state keeps the invariants (property)', () => {
    const step = fc.constantFrom('birth', 'move_within_all', 'move_out_child', 'change_head', 'death_head', 'correction');
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const r = new Register();
        family(r);
        let day = 10;
        for (const s of steps) {
          const eventDate = `2026-05-${String(day++).padStart(2, '0')}`;
          const h = [...r.state.households.values()].find((x) => x.state === 'current');
          if (!h) break;
          const members = membersOf(r.state, h.id);
          const head = members.find((m) => m.id === h.headId)!;
          const others = members.filter((m) => m.id !== h.headId);
          try {
            if (s === 'birth') r.apply(planBirth({ eventDate, householdId: h.id, person: person('山田', `子${day}`, ['ヤマダ', 'コ'], eventDate, '子') }, r.ctx()));
            if (s === 'move_within_all') r.apply(planMoveWithin({ eventDate, residentIds: members.map((m) => m.id), destination: { kind: 'same_household', address: day % 2 ? OTHER : ADDRESS } }, r.ctx()));
            if (s === 'move_out_child' && others.length > 0) r.apply(planDeparture('move_out', { eventDate, residentIds: [others[0]!.id], destination: PREVIOUS }, r.ctx()));
            if (s === 'change_head' && others.length > 0) {
              r.apply(planHouseholdChange({ eventDate, reasonCode: 'change_of_head', householdId: h.id, headId: others[0]!.id, members: [head, ...others.slice(1)].map((m) => ({ residentId: m.id, relationship: '同居人' as const })) }, r.ctx()));
            }
            if (s === 'death_head') {
              const remaining = others.length > 0 ? { headId: others[0]!.id, members: others.slice(1).map((m) => ({ residentId: m.id, relationship: '同居人' as const })) } : undefined;
              r.apply(planDeparture('death', { eventDate, residentIds: [head.id], destination: null, ...(remaining ? { remaining } : {}) }, r.ctx()));
            }
            if (s === 'correction') r.apply(planCorrection({ eventDate, residentId: head.id, fields: { flags: { ...NO_FLAGS, nationalPension: true } } }, r.ctx()));
          } catch (err) {
            if (!(err instanceof Problem)) throw err;
          }
          expect(brokenInvariants(r.state)).toEqual([]);
        }
        const folded = fold([...r.history].reverse());
        expect([...folded.persons.entries()].sort()).toEqual([...r.state.persons.entries()].sort());
        expect([...folded.households.entries()].sort()).toEqual([...r.state.households.entries()].sort());
        // Each person's record from the changes that touch them alone, as a linkage feed builds it (src/linkage/feed.ts):
        // those changes may touch others too (a death re-heads the household) without their history.
        for (const [id, record] of r.state.persons) {
          const theirs = r.history.filter((c) => c.effects.some((e) => 'personId' in e && e.personId === id));
          expect(foldPersons(theirs, new Set([id])).persons.get(id)).toEqual(record);
        }
      }),
      { numRuns: 200 },
    );
  });
});
