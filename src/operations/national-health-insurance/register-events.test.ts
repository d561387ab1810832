import { describe, expect, it } from 'vitest';
import { NO_FLAGS } from '../../resident-register/record.js';
import {
  agesOutDates,
  MEMBER_REASONS,
  membershipEffects,
  moveScope,
  type DeliveredResident,
  type EffectContext,
  type MembershipState,
  type RegisterEventFacts,
} from './register-events.js';

const CHIYODA = '131016';
const HOUSEHOLD = '00000000-0000-4000-8000-0000000000a1';
const OTHER_HOUSEHOLD = '00000000-0000-4000-8000-0000000000b2';
const TOKYO = { kind: 'domestic' as const, address: { postalCode: null, prefecture: '東京都', municipality: '港区', town: '芝公園四丁目', block: '2番8号', building: null } };
const SAPPORO = { kind: 'domestic' as const, address: { postalCode: null, prefecture: '北海道', municipality: '札幌市中央区', town: '北一条西二丁目', block: '1番地', building: null } };
const NHI = { ...NO_FLAGS, nationalHealthInsurance: true };

/** A resident as an nhi_eligibility subscription with the required fields delivers them. */
function resident(id: string, over: Partial<DeliveredResident> = {}): DeliveredResident {
  return { id, dateOfBirth: '1980-05-05', householdId: HOUSEHOLD, state: 'current', residentSince: '2026-04-01', closed: null, flags: NHI, previousResidence: SAPPORO, ...over };
}

const open = (acquiredOn: string, householdId: string | null = HOUSEHOLD): MembershipState => ({ open: { acquiredOn, householdId }, latest: { acquiredOn, lostOn: null, loseReason: null } });
const closed = (acquiredOn: string, lostOn: string, loseReason: string): MembershipState => ({ open: null, latest: { acquiredOn, lostOn, loseReason } });

function effects(event: RegisterEventFacts, memberships: Record<string, MembershipState> = {}, extra: Partial<EffectContext> = {}) {
  return membershipEffects(event, { municipalityCode: CHIYODA, prefectureName: '東京都', memberships: new Map(Object.entries(memberships)), ...extra });
}

describe('where a move comes from or goes to', () => {
  it('is told by the address, else by the code of the municipality moved from, else taken as across prefectures', () => {
    const ctx = { municipalityCode: CHIYODA, prefectureName: '東京都' };
    expect(moveScope(TOKYO, ctx)).toBe('same_prefecture');
    expect(moveScope(SAPPORO, ctx)).toBe('other_prefecture');
    expect(moveScope(null, ctx, { municipalityCode: '131032' })).toBe('same_prefecture');
    expect(moveScope(null, ctx, { municipalityCode: '011002' })).toBe('other_prefecture');
    expect(moveScope(TOKYO, { municipalityCode: CHIYODA, prefectureName: null }, { municipalityCode: '011002' })).toBe('other_prefecture');
    expect(moveScope({ kind: 'abroad', country: 'US', text: 'Seattle' }, ctx)).toBe('other_prefecture');
    expect(moveScope(null, ctx)).toBe('other_prefecture');
  });
});

describe('what a register event does to NHI membership', () => {
  it('a move-in acquires for the flagged newcomers only, on the day they came, with the scope as the reason', () => {
    const event: RegisterEventFacts = {
      kind: 'move_in',
      eventDate: '2026-04-01',
      residents: [resident('a'), resident('b', { flags: NO_FLAGS }), resident('c', { previousResidence: TOKYO }), resident('head', { residentSince: '2019-01-01' })],
    };
    expect(effects(event)).toEqual([
      { op: 'acquire', residentId: 'a', date: '2026-04-01', reason: 'move_in', householdId: HOUSEHOLD },
      { op: 'acquire', residentId: 'c', date: '2026-04-01', reason: 'move_in_within_prefecture', householdId: HOUSEHOLD },
    ]);
    // Someone insured already (or moved in again the same day) acquires nothing twice.
    expect(effects(event, { a: open('2026-04-01'), c: open('2026-04-01') })).toEqual([]);
  });

  it('the rules still decide: a flagged newcomer aged 75 or more is not insured by NHI', () => {
    expect(effects({ kind: 'move_in', eventDate: '2026-04-01', residents: [resident('old', { dateOfBirth: '1950-01-01' })] })).toEqual([]);
  });

  it('a birth acquires on the date of birth; a return from abroad on the day of return', () => {
    expect(effects({ kind: 'birth', eventDate: '2026-05-10', residents: [resident('baby', { dateOfBirth: '2026-05-10', residentSince: '2026-05-10', previousResidence: null })] })).toEqual([
      { op: 'acquire', residentId: 'baby', date: '2026-05-10', reason: 'birth', householdId: HOUSEHOLD },
    ]);
    expect(
      effects({ kind: 'return_from_abroad', eventDate: '2026-06-01', residents: [resident('r', { residentSince: '2026-06-01', previousResidence: { kind: 'abroad', country: 'US', text: 'Seattle' } })] }),
    ).toEqual([{ op: 'acquire', residentId: 'r', date: '2026-06-01', reason: 'return_from_abroad', householdId: HOUSEHOLD }]);
  });

  it('a move-out loses on the moving day, a move abroad and a death the day after; only for the leavers who were insured', () => {
    const leaving = (reason: 'moved_out' | 'moved_abroad' | 'died', destination: typeof SAPPORO | null = null) =>
      resident('p', { state: 'closed', closed: { reason, on: '2026-10-31', destination } });
    expect(effects({ kind: 'move_out', eventDate: '2026-10-31', residents: [leaving('moved_out', SAPPORO)] }, { p: open('2026-04-01') })).toEqual([
      { op: 'lose', residentId: 'p', date: '2026-10-31', reason: 'move_out' },
    ]);
    expect(effects({ kind: 'move_out', eventDate: '2026-10-31', residents: [leaving('moved_out', TOKYO)] }, { p: open('2026-04-01') })).toEqual([
      { op: 'lose', residentId: 'p', date: '2026-10-31', reason: 'move_out_within_prefecture' },
    ]);
    expect(effects({ kind: 'move_abroad', eventDate: '2026-10-31', residents: [leaving('moved_abroad')] }, { p: open('2026-04-01') })).toEqual([
      { op: 'lose', residentId: 'p', date: '2026-11-01', reason: 'move_abroad' },
    ]);
    expect(effects({ kind: 'death', eventDate: '2026-10-31', residents: [leaving('died')] }, { p: open('2026-04-01') })).toEqual([
      { op: 'lose', residentId: 'p', date: '2026-11-01', reason: 'death' },
    ]);
    // Not insured here: nothing to lose. Already lost (the event applied again): nothing either.
    expect(effects({ kind: 'death', eventDate: '2026-10-31', residents: [leaving('died')] })).toEqual([]);
    expect(effects({ kind: 'death', eventDate: '2026-10-31', residents: [leaving('died')] }, { p: closed('2026-04-01', '2026-11-01', 'death') })).toEqual([]);
  });

  it('a death re-heads the household: the members who stay lose nothing, and their membership follows a new household', () => {
    const event: RegisterEventFacts = {
      kind: 'death',
      eventDate: '2026-10-31',
      residents: [resident('head', { state: 'closed', closed: { reason: 'died', on: '2026-10-31', destination: null } }), resident('wife')],
    };
    expect(effects(event, { head: open('2026-04-01'), wife: open('2026-04-01') })).toEqual([{ op: 'lose', residentId: 'head', date: '2026-11-01', reason: 'death' }]);
    const moved: RegisterEventFacts = { kind: 'household_change', eventDate: '2026-07-01', residents: [resident('wife', { householdId: OTHER_HOUSEHOLD })] };
    expect(effects(moved, { wife: open('2026-04-01') })).toEqual([{ op: 'household', residentId: 'wife', householdId: OTHER_HOUSEHOLD }]);
    expect(effects(moved, { wife: open('2026-04-01', OTHER_HOUSEHOLD) })).toEqual([]);
  });

  it('a loss back-dated before the acquisition ends the membership on its first day', () => {
    const event: RegisterEventFacts = { kind: 'move_out', eventDate: '2026-03-15', residents: [resident('p', { state: 'closed', closed: { reason: 'moved_out', on: '2026-03-15', destination: SAPPORO } })] };
    expect(effects(event, { p: open('2026-04-01') })).toEqual([{ op: 'lose', residentId: 'p', date: '2026-04-01', reason: 'move_out' }]);
  });

  it('a correction changes membership only when it flips the flag, on its date', () => {
    const on = (flags: typeof NHI) => ({ kind: 'correction_by_authority', eventDate: '2026-06-01', residents: [resident('p', { flags })] });
    expect(effects(on(NHI), {}, { flagsBefore: new Map([['p', false]]) })).toEqual([
      { op: 'acquire', residentId: 'p', date: '2026-06-01', reason: 'correction_by_authority', householdId: HOUSEHOLD },
    ]);
    expect(effects(on(NO_FLAGS), { p: open('2026-04-01') }, { flagsBefore: new Map([['p', true]]) })).toEqual([
      { op: 'lose', residentId: 'p', date: '2026-06-01', reason: 'correction_by_authority' },
    ]);
    // A corrected name of someone flagged but never insured here (records loaded from a previous system) acquires nothing.
    expect(effects(on(NHI), {}, { flagsBefore: new Map([['p', true]]) })).toEqual([]);
    // Without the flag before, an open membership stands for it.
    expect(effects(on(NO_FLAGS), { p: open('2026-04-01') })).toEqual([{ op: 'lose', residentId: 'p', date: '2026-06-01', reason: 'correction_by_authority' }]);
    expect(effects(on(NHI), { p: open('2026-04-01') })).toEqual([]);
  });

  it('a cancelled move-out reopens the membership it ended, and nothing else', () => {
    const event: RegisterEventFacts = { kind: 'move_out_cancelled', eventDate: '2026-09-02', residents: [resident('p'), resident('q')] };
    expect(effects(event, { p: closed('2026-04-01', '2026-09-01', 'move_out'), q: closed('2026-04-01', '2026-05-01', 'death') })).toEqual([
      { op: 'reopen', residentId: 'p', acquiredOn: '2026-04-01' },
      { op: 'household', residentId: 'p', householdId: HOUSEHOLD },
    ]);
    expect(effects(event, { p: open('2026-04-01') })).toEqual([]);
  });

  it('changes nothing for the other kinds, or without the residents’ fields', () => {
    expect(effects({ kind: 'move_within', eventDate: '2026-05-01', residents: [resident('p')] }, { p: open('2026-04-01') })).toEqual([]);
    expect(effects({ kind: 'entry_by_authority', eventDate: '2026-04-01', residents: [resident('p')] })).toEqual([]);
    expect(effects({ kind: 'move_in', eventDate: '2026-04-01', residents: [{ id: 'p' }] })).toEqual([]);
  });

  it('names every reason code it can write', () => {
    for (const reason of ['move_in', 'move_in_within_prefecture', 'return_from_abroad', 'birth', 'move_out', 'move_out_within_prefecture', 'move_abroad', 'death', 'correction_by_authority']) {
      expect(MEMBER_REASONS[reason], reason).toBeDefined();
    }
  });
});

describe('the day a membership ends by age', () => {
  const at = (memberships: Record<string, MembershipState>) => ({ memberships: new Map(Object.entries(memberships)) });

  it('is the 75th birthday of everyone insured after the event, from the date of birth it delivers', () => {
    const event: RegisterEventFacts = { kind: 'move_in', eventDate: '2026-04-01', residents: [resident('a', { dateOfBirth: '1980-05-05' }), resident('b', { dateOfBirth: '1952-02-29' })] };
    const made = effects(event);
    expect(agesOutDates(event, at({}), made)).toEqual([
      { residentId: 'a', on: '2055-05-05' },
      // Born on 29 February: 75 is attained at the end of 28 February in a common year, so the day is 1 March.
      { residentId: 'b', on: '2027-03-01' },
    ]);
  });

  it('moves with a corrected date of birth, and is not kept for a membership the event ends or for someone not insured', () => {
    const corrected: RegisterEventFacts = { kind: 'correction_by_authority', eventDate: '2026-05-01', residents: [resident('a', { dateOfBirth: '1951-06-10' })] };
    expect(agesOutDates(corrected, at({ a: open('2020-04-01') }), [])).toEqual([{ residentId: 'a', on: '2026-06-10' }]);
    expect(agesOutDates(corrected, at({}), [])).toEqual([]);
    const death: RegisterEventFacts = {
      kind: 'death',
      eventDate: '2026-05-01',
      residents: [resident('a', { state: 'closed', closed: { reason: 'died', on: '2026-05-01', destination: null } as DeliveredResident['closed'] })],
    };
    const made = effects(death, { a: open('2020-04-01') });
    expect(made).toContainEqual(expect.objectContaining({ op: 'lose', residentId: 'a' }));
    expect(agesOutDates(death, at({ a: open('2020-04-01') }), made)).toEqual([]);
  });
});
