/**
 * What a resident-register event, as residential tax's subscription delivers
 * it, does to the municipality's residence roster: the bridge between the
 * linkage feed and the question the tax asks, "who lived here on 1 January?"
 * (地方税法 294条・318条: the 賦課期日). Pure: the caller says what the roster
 * holds of each resident before the event, and applies the effects this
 * answers (consumer.ts → store.ts). Documented in docs/residential-tax.md
 * ("Fed by linkage, and the batch").
 *
 * The roster mirrors the register rather than interpreting each kind of
 * change: an event delivers every resident it touched as they stood right
 * after it, so each one's latest period of residence is brought into line with
 * that state (opened at `residentSince`, closed on `closed.on`, reopened when a
 * closure was undone, its household, date of birth and 続柄 kept current).
 * Whatever the kind, a correction included, the roster then says what the
 * register says, and applying an event a second time changes nothing.
 */
import type { ResidentField } from '../../linkage/entitlements.js';
import type { ResidentRecord } from '../../resident-register/record.js';

/** The module's name among the platform's own consumers of a municipality's feed (cell.linkage_internal_cursors). */
export const RESIDENTIAL_TAX_CONSUMER = 'residential_tax';
export const RESIDENTIAL_TAX_OPERATION = 'residential_tax';
/** The legal purpose the module reads the register for (security/access/purposes.ts). */
export const RESIDENTIAL_TAX_PURPOSE = 'tax_assessment';

/**
 * The resident fields the roster and the rules need: the date of birth (the
 * pension deduction's age, minority on 1 January), the household and 続柄 (the
 * family a declaration's spouse and dependants belong to, for the clerk's
 * checks), and the record's state (since when a resident; when, and why, the
 * record was closed). Names, addresses and numbers are not needed here: they
 * stay in the register, and a notice reads them from there.
 */
export const RESIDENTIAL_TAX_REQUIRED_FIELDS: readonly ResidentField[] = ['dateOfBirth', 'householdId', 'relationship', 'state'];

/**
 * Every kind of change that opens or closes a residence, or changes what the
 * roster keeps: without one of them someone would be missing from the roster
 * of 1 January, or on it by mistake, so such a subscription is refused when set.
 * `entry_by_authority` is how a previous system's residents are loaded.
 */
export const RESIDENTIAL_TAX_REQUIRED_TOPICS: readonly string[] = [
  'move_in',
  'return_from_abroad',
  'birth',
  'entry_by_authority',
  'move_out',
  'move_abroad',
  'death',
  'removal_by_authority',
  'move_out_cancelled',
  'correction_by_authority',
  'move_within',
  'household_change',
].map((kind) => `resident_register.${kind}`);

/** A resident as the subscription delivers them: the id and the subscription's fields (any may be absent). */
export type DeliveredResident = { readonly id: string } & Partial<
  Pick<ResidentRecord, 'dateOfBirth' | 'householdId' | 'relationship' | 'state' | 'residentSince' | 'closed'>
>;

/** One period of residence as the roster keeps it: from the first day resident to the first day no longer resident. */
export interface RosterPeriod {
  /** 住民となった日: the first day resident here. */
  readonly residentFrom: string;
  /** The first day no longer resident here (the date of the move-out, the death …); null while resident. */
  readonly leftOn: string | null;
  readonly leftReason: string | null;
  readonly householdId: string | null;
  readonly dateOfBirth: string | null;
  readonly relationship: string | null;
}

/** The facts kept beside a period, as the register has them now. */
export interface RosterFacts {
  readonly householdId: string | null;
  readonly dateOfBirth: string | null;
  readonly relationship: string | null;
}

export type RosterEffect =
  /** A new period of residence, from `from`. */
  | ({ readonly op: 'open'; readonly residentId: string; readonly from: string } & RosterFacts)
  /** The period from `from` ends: `on` is the first day no longer resident. A period already ended on another day is corrected to this one. */
  | { readonly op: 'close'; readonly residentId: string; readonly from: string; readonly on: string; readonly reason: string }
  /** The closure of the period from `from` was undone (転出取消, a removal corrected): resident again, as if never ended. */
  | { readonly op: 'reopen'; readonly residentId: string; readonly from: string }
  /** The register corrected the day the period began (職権修正 of 住民となった日). */
  | { readonly op: 'redate'; readonly residentId: string; readonly from: string; readonly to: string }
  /** Household, date of birth or 続柄 changed (世帯変更, 転居 into another household, a correction). */
  | ({ readonly op: 'facts'; readonly residentId: string; readonly from: string } & RosterFacts);

const factsOf = (r: DeliveredResident): RosterFacts => ({ householdId: r.householdId ?? null, dateOfBirth: r.dateOfBirth ?? null, relationship: r.relationship ?? null });
const sameFacts = (a: RosterFacts, b: RosterFacts) => a.householdId === b.householdId && a.dateOfBirth === b.dateOfBirth && a.relationship === b.relationship;
/** A closure never before the beginning: a back-dated departure ends the period on its first day (a period of no day). */
const notBefore = (date: string, from: string) => (date < from ? from : date);

/**
 * The effects of one event on the roster, in the order to apply them, given
 * each named resident's latest period (by `residentFrom`) before it. Nothing
 * for a resident whose delivered state the roster already says, nor for one
 * delivered without a state (a subscription the settings would have refused).
 */
export function rosterEffects(residents: readonly DeliveredResident[], latest: ReadonlyMap<string, RosterPeriod>): RosterEffect[] {
  const effects: RosterEffect[] = [];
  for (const r of residents) {
    if (!r.state || !r.residentSince) continue;
    const p = latest.get(r.id) ?? null;
    const facts = factsOf(r);
    if (r.state === 'current') {
      if (p && p.leftOn === null) {
        // Resident, and still so: only a corrected first day or changed facts to carry over.
        if (p.residentFrom !== r.residentSince) effects.push({ op: 'redate', residentId: r.id, from: p.residentFrom, to: r.residentSince });
        if (!sameFacts(p, facts)) effects.push({ op: 'facts', residentId: r.id, from: r.residentSince, ...facts });
      } else if (p && p.residentFrom === r.residentSince) {
        // The same residence, closed here, is current again in the register: its closure was undone.
        effects.push({ op: 'reopen', residentId: r.id, from: p.residentFrom });
        if (!sameFacts(p, facts)) effects.push({ op: 'facts', residentId: r.id, from: p.residentFrom, ...facts });
      } else {
        // A newcomer (move-in, birth, return, entry), or someone back after a period that ended.
        effects.push({ op: 'open', residentId: r.id, from: r.residentSince, ...facts });
      }
    } else if (r.closed) {
      const on = notBefore(r.closed.on, r.residentSince);
      if (p && p.residentFrom === r.residentSince) {
        if (p.leftOn !== on || p.leftReason !== r.closed.reason) effects.push({ op: 'close', residentId: r.id, from: p.residentFrom, on, reason: r.closed.reason });
        if (!sameFacts(p, facts)) effects.push({ op: 'facts', residentId: r.id, from: p.residentFrom, ...facts });
      } else if (p && p.leftOn === null) {
        // The open period began on another day than the register now says: the register's is the one that ends.
        effects.push({ op: 'redate', residentId: r.id, from: p.residentFrom, to: r.residentSince });
        effects.push({ op: 'close', residentId: r.id, from: r.residentSince, on, reason: r.closed.reason });
        if (!sameFacts(p, facts)) effects.push({ op: 'facts', residentId: r.id, from: r.residentSince, ...facts });
      } else if (!p || p.residentFrom < r.residentSince) {
        // A residence the roster never saw open (first seen closed): kept as the closed period it was.
        effects.push({ op: 'open', residentId: r.id, from: r.residentSince, ...facts });
        effects.push({ op: 'close', residentId: r.id, from: r.residentSince, on, reason: r.closed.reason });
      }
    }
  }
  return effects;
}

/** 'YYYY-MM-DD' of 1 January of a fiscal year: the 賦課期日. */
export const assessmentDate = (fiscalYear: number) => `${String(fiscalYear).padStart(4, '0')}-01-01`;

/**
 * Whether a period puts the person on the roster of a fiscal year: resident on
 * its 1 January. The day of a move belongs to the new residence (`from` is
 * the move's date, `leftOn` the move-out's), so a person who moved out on
 * 1 January is taxed where they went, and one who moved out on 2 January is
 * taxed here. The batch's SQL says the same (store.ts, `ON_ROSTER`); the tests
 * hold both to `taxingMunicipality` of assessment.ts.
 */
export function onRoster(period: Pick<RosterPeriod, 'residentFrom' | 'leftOn'>, fiscalYear: number): boolean {
  const day = assessmentDate(fiscalYear);
  return period.residentFrom <= day && (period.leftOn === null || day < period.leftOn);
}
