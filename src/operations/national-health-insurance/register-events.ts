/**
 * What a resident-register event, as the NHI module's subscription delivers it,
 * does to the municipality's NHI membership (資格): the bridge between the
 * linkage feed and the pure rules of eligibility.ts. Pure: the caller says what
 * it knows of each resident's membership before the event, and applies the
 * effects this answers (consumer.ts). Documented in
 * docs/national-health-insurance.md ("Fed by linkage").
 *
 * Which residents of an event an effect is about: an event names every
 * resident the change touched (a move-in that joins a household also touches
 * the head it joins), so each effect is for the residents the change is about,
 * told by the record as it stood right after it: those who became residents on
 * the event's date (move-in, birth, return from abroad), or whose record it
 * closed for its reason (move-out, move abroad, death).
 */
import type { PlaceOfResidence, ResidentRecord } from '../../resident-register/record.js';
import type { ResidentField } from '../../linkage/entitlements.js';
import {
  ACQUISITION_REASONS,
  LOSS_REASONS,
  circumstancesFromRecord,
  eligibility,
  enrolmentChange,
  lateStageElderlyStartDate,
  type AcquisitionReason,
  type EnrolmentEffect,
  type LossReason,
  type MoveScope,
} from './eligibility.js';

/** The module's name among the platform's own consumers of a municipality's feed (cell.linkage_internal_cursors). */
export const NHI_CONSUMER = 'national_health_insurance';
export const NHI_OPERATION = 'national_health_insurance';
/** The legal purpose the module reads the register for (security/access/purposes.ts). */
export const NHI_PURPOSE = 'nhi_eligibility';

/**
 * The resident fields the rules need: the date of birth (birth, age 75), the
 * household, the record's state (who became a resident when, whose record was
 * closed, why and to where), the NHI flag, and where a newcomer came from (a
 * move within the prefecture or across it); and the relationship to the head,
 * because the premium is assessed on the head of household (世帯主, even one
 * not insured: premium-people.ts). `foreign` is used when given.
 */
export const NHI_REQUIRED_FIELDS: readonly ResidentField[] = ['dateOfBirth', 'householdId', 'relationship', 'state', 'flags', 'previousResidence'];

/**
 * The topics the module must receive: each changes a membership or the
 * household it is kept under. A subscription without one of them would leave
 * memberships open for people who left, so it is refused when set.
 */
export const NHI_REQUIRED_TOPICS: readonly string[] = [
  'move_in',
  'return_from_abroad',
  'birth',
  'move_out',
  'move_abroad',
  'death',
  'correction_by_authority',
  'move_out_cancelled',
  'move_within',
  'household_change',
].map((kind) => `resident_register.${kind}`);

/** Reasons beyond the statute's: the register's own record of the NHI status was corrected (住民基本台帳法 第7条第10号). */
export const REGISTER_REASONS = {
  correction_by_authority: { ja: '職権修正（住民票の国民健康保険の資格に関する記載の修正）', article: '住民基本台帳法 第7条第10号' },
} as const;

export type MemberAcquireReason = AcquisitionReason | keyof typeof REGISTER_REASONS;
export type MemberLoseReason = LossReason | keyof typeof REGISTER_REASONS;

/** The reason codes and their Japanese, for the API's documentation. */
export const MEMBER_REASONS: Readonly<Record<string, { readonly ja: string; readonly article: string }>> = {
  ...ACQUISITION_REASONS,
  ...LOSS_REASONS,
  ...REGISTER_REASONS,
};

/** A resident as the subscription delivers them: the id and the subscription's fields (any may be absent). */
export type DeliveredResident = { readonly id: string } & Partial<
  Pick<ResidentRecord, 'dateOfBirth' | 'householdId' | 'relationship' | 'state' | 'residentSince' | 'closed' | 'flags' | 'foreign' | 'previousResidence'>
>;

/** The data of a register event that the rules look at. */
export interface RegisterEventFacts {
  readonly kind: string;
  readonly eventDate: string;
  readonly transferFrom?: { readonly municipalityCode: string } | undefined;
  readonly residents: readonly DeliveredResident[];
}

/** What the module holds of one resident just before the event. */
export interface MembershipState {
  /** The open membership, if any. */
  readonly open: { readonly acquiredOn: string; readonly householdId: string | null } | null;
  /** The most recently acquired membership, open or closed. */
  readonly latest: { readonly acquiredOn: string; readonly lostOn: string | null; readonly loseReason: string | null } | null;
}

export interface EffectContext {
  readonly municipalityCode: string;
  /** The municipality's prefecture, as addresses name it (東京都); null when unknown. */
  readonly prefectureName: string | null;
  readonly memberships: ReadonlyMap<string, MembershipState>;
  /** For a correction: each resident's NHI flag just before it (when absent, an open membership stands for it). */
  readonly flagsBefore?: ReadonlyMap<string, boolean>;
}

export type MembershipEffect =
  | { readonly op: 'acquire'; readonly residentId: string; readonly date: string; readonly reason: MemberAcquireReason; readonly householdId: string | null }
  | { readonly op: 'lose'; readonly residentId: string; readonly date: string; readonly reason: MemberLoseReason }
  /** A cancelled move-out: the membership it ended is open again, as if never ended. */
  | { readonly op: 'reopen'; readonly residentId: string; readonly acquiredOn: string }
  /** The register moved an insured person to another household: their membership follows. */
  | { readonly op: 'household'; readonly residentId: string; readonly householdId: string };

const NO_MEMBERSHIP: MembershipState = { open: null, latest: null };
const CLOSED_BY = { move_out: 'moved_out', move_abroad: 'moved_abroad', death: 'died' } as const;
/** The loss reasons a move-out cancellation undoes (転出取消 undoes a move-out or a move abroad). */
const UNDONE_BY_CANCELLATION: readonly string[] = ['move_out', 'move_out_within_prefecture', 'move_abroad'];

const sameName = (a: string, b: string) => a.normalize('NFKC') === b.normalize('NFKC');

/**
 * Whether a place is in this municipality's prefecture. From the address when
 * there is one; else from the municipality a platform move-in came from (the
 * first two digits of a local public body code are its prefecture's); else,
 * not knowing, across prefectures (the dates are the same either way; only the
 * reason code differs).
 */
export function moveScope(place: PlaceOfResidence | null | undefined, context: Pick<EffectContext, 'municipalityCode' | 'prefectureName'>, transferFrom?: { municipalityCode: string }): MoveScope {
  if (place?.kind === 'domestic' && context.prefectureName) return sameName(place.address.prefecture, context.prefectureName) ? 'same_prefecture' : 'other_prefecture';
  if (transferFrom) return transferFrom.municipalityCode.slice(0, 2) === context.municipalityCode.slice(0, 2) ? 'same_prefecture' : 'other_prefecture';
  return 'other_prefecture';
}

function joiningPerson(r: DeliveredResident) {
  const { residentHere: _, ...person } = circumstancesFromRecord({ dateOfBirth: r.dateOfBirth!, state: r.state!, foreign: r.foreign ?? null });
  return person;
}

/** A loss never before the acquisition: a back-dated event ends the membership on its first day (a membership of no day). */
const notBefore = (date: string, acquiredOn: string) => (date < acquiredOn ? acquiredOn : date);

/**
 * The effects of one event on the membership of the residents it names, in
 * the order to apply them. Nothing for kinds that change no membership (a move
 * within the municipality changes at most the household).
 */
export function membershipEffects(event: RegisterEventFacts, context: EffectContext): MembershipEffect[] {
  const effects: MembershipEffect[] = [];
  const reopened = new Set<string>();
  const closing = new Set<string>();
  const stateOf = (id: string) => context.memberships.get(id) ?? NO_MEMBERSHIP;
  for (const r of event.residents) {
    const m = stateOf(r.id);
    const insuredFlag = r.flags?.nationalHealthInsurance === true;
    switch (event.kind) {
      case 'move_in':
      case 'return_from_abroad':
      case 'birth': {
        // The newcomers: current, and residents since this event's date (those already here are only touched).
        if (r.state !== 'current' || r.residentSince !== event.eventDate || !r.dateOfBirth) break;
        if (!insuredFlag || m.open) break;
        const change: EnrolmentEffect =
          event.kind === 'move_in'
            ? enrolmentChange({ kind: 'move_in', date: event.eventDate, from: moveScope(r.previousResidence, context, event.transferFrom), person: joiningPerson(r) })
            : event.kind === 'return_from_abroad'
              ? enrolmentChange({ kind: 'return_from_abroad', date: event.eventDate, person: joiningPerson(r) })
              : enrolmentChange({ kind: 'birth', person: joiningPerson(r) });
        if (change.effect === 'acquire') effects.push({ op: 'acquire', residentId: r.id, date: change.date, reason: change.reason, householdId: r.householdId ?? null });
        break;
      }
      case 'move_out':
      case 'move_abroad':
      case 'death': {
        // The leavers: the change closed their record for its own reason (not the members it re-headed).
        if (r.state !== 'closed' || r.closed?.reason !== CLOSED_BY[event.kind] || !m.open) break;
        const on = r.closed.on;
        const change: EnrolmentEffect =
          event.kind === 'move_out'
            ? enrolmentChange({ kind: 'move_out', date: on, to: moveScope(r.closed.destination, context), insured: true })
            : enrolmentChange({ kind: event.kind, date: on, insured: true });
        if (change.effect === 'lose') {
          effects.push({ op: 'lose', residentId: r.id, date: notBefore(change.date, m.open.acquiredOn), reason: change.reason });
          closing.add(r.id);
        }
        break;
      }
      case 'correction_by_authority': {
        // Only a flip of the flag changes the membership; a corrected name or date of birth does not.
        const before = context.flagsBefore?.get(r.id) ?? m.open !== null;
        if (insuredFlag && !before && !m.open && r.state === 'current' && r.dateOfBirth) {
          const judged = eligibility(circumstancesFromRecord({ dateOfBirth: r.dateOfBirth, state: r.state, foreign: r.foreign ?? null }), event.eventDate);
          if (judged.insured) effects.push({ op: 'acquire', residentId: r.id, date: event.eventDate, reason: 'correction_by_authority', householdId: r.householdId ?? null });
        } else if (!insuredFlag && r.flags && before && m.open) {
          effects.push({ op: 'lose', residentId: r.id, date: notBefore(event.eventDate, m.open.acquiredOn), reason: 'correction_by_authority' });
          closing.add(r.id);
        }
        break;
      }
      case 'move_out_cancelled': {
        // The person never left: the membership the move-out ended carries on, as if it had not ended.
        if (r.state !== 'current' || !insuredFlag || m.open || !m.latest?.lostOn || !UNDONE_BY_CANCELLATION.includes(m.latest.loseReason ?? '')) break;
        effects.push({ op: 'reopen', residentId: r.id, acquiredOn: m.latest.acquiredOn });
        reopened.add(r.id);
        break;
      }
      default:
        break;
    }
  }
  // The household an open membership is kept under follows the register (世帯変更, a move to another household).
  for (const r of event.residents) {
    if (r.state !== 'current' || !r.householdId || closing.has(r.id)) continue;
    const open = stateOf(r.id).open;
    if ((open && open.householdId !== r.householdId) || reopened.has(r.id)) effects.push({ op: 'household', residentId: r.id, householdId: r.householdId });
  }
  return effects;
}

/**
 * The day each membership open after the event ends by age (the 75th
 * birthday: 後期高齢者医療, kept on the membership for the daily pass of
 * ageing.ts), from the date of birth as the event delivers it: so a membership
 * just opened gets its day, and a corrected date of birth moves it.
 */
export function agesOutDates(event: RegisterEventFacts, context: Pick<EffectContext, 'memberships'>, effects: readonly MembershipEffect[]): { residentId: string; on: string }[] {
  const openAfter = new Set<string>();
  for (const [id, m] of context.memberships) if (m.open) openAfter.add(id);
  for (const e of effects) {
    if (e.op === 'acquire' || e.op === 'reopen') openAfter.add(e.residentId);
    else if (e.op === 'lose') openAfter.delete(e.residentId);
  }
  return event.residents.filter((r) => r.dateOfBirth && openAfter.has(r.id)).map((r) => ({ residentId: r.id, on: lateStageElderlyStartDate(r.dateOfBirth!) }));
}
