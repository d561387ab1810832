/**
 * Filings (届出) and recordings (職権) turned into changes: each planner checks
 * a filing against the register's current state and returns the change's
 * effects, or refuses it. Pure: the service loads the state, supplies new ids
 * and resident codes, and writes what comes out.
 *
 * Invariants kept here (and checked again by ./invariants.ts in tests):
 * every current household has exactly one head, who is a current member with
 * the relationship 世帯主; every current resident belongs to exactly one
 * current household; relationships are relative to the head.
 */
import { Problem } from '../platform/errors.js';
import { CHANGE_KINDS, isLate, type ChangeKind } from './changes.js';
import { membersOf, type AmendableFields, type Effect, type RegisterState } from './history.js';
import { Findings } from './findings.js';
import { address, date, personInput, placeOfResidence, relationship, text, type PersonRules } from './person.js';
import { HEAD, type Address, type PersonInput, type PlaceOfResidence, type Relationship, type ResidentRecord } from './record.js';

export interface FilingCommon {
  readonly eventDate: string;
  /** Defaults to today (in Japan). */
  readonly filedOn?: string;
  readonly reasonCode?: string;
  readonly note?: string;
}

export interface MemberRelationship {
  readonly residentId: string;
  readonly relationship: Relationship;
}

/** How the members who stay are arranged when the head leaves (or dies, or is removed). */
export interface Regrouping {
  readonly headId: string;
  /** Every other member who stays, with the relationship to the new head. */
  readonly members: readonly MemberRelationship[];
}

export type HouseholdTarget = { readonly kind: 'new'; readonly address: Address } | { readonly kind: 'join'; readonly householdId: string };

export interface EnrolmentFiling extends FilingCommon {
  readonly previousResidence: PlaceOfResidence | null;
  readonly household: HouseholdTarget;
  readonly persons: readonly PersonInput[];
}

export interface MoveWithinFiling extends FilingCommon {
  readonly residentIds: readonly string[];
  readonly destination:
    | { readonly kind: 'same_household'; readonly address: Address }
    | { readonly kind: 'new_household'; readonly address: Address; readonly headId: string; readonly members: readonly MemberRelationship[] }
    | { readonly kind: 'join'; readonly householdId: string; readonly members: readonly MemberRelationship[] };
  readonly remaining?: Regrouping;
}

export interface DepartureFiling extends FilingCommon {
  readonly residentIds: readonly string[];
  readonly destination: PlaceOfResidence | null;
  readonly remaining?: Regrouping;
}

export type HouseholdChangeFiling = FilingCommon &
  (
    | { readonly reasonCode: 'change_of_head'; readonly householdId: string; readonly headId: string; readonly members: readonly MemberRelationship[] }
    | {
        readonly reasonCode: 'split';
        readonly householdId: string;
        readonly headId: string;
        readonly members: readonly MemberRelationship[];
        readonly remaining?: Regrouping;
      }
    | { readonly reasonCode: 'merge'; readonly householdId: string; readonly intoHouseholdId: string; readonly members: readonly MemberRelationship[] }
  );

export interface BirthFiling extends FilingCommon {
  readonly householdId: string;
  readonly person: PersonInput;
}

export interface CorrectionFiling extends FilingCommon {
  readonly residentId: string;
  readonly fields: AmendableFields & { readonly relationship?: Relationship };
}

export interface PlanContext {
  /** The current state of every person and household the filing names (and their households' members). */
  readonly state: RegisterState;
  readonly newId: () => string;
  readonly newResidentCode: () => string;
  readonly rules: PersonRules;
}

export interface Plan {
  readonly kind: ChangeKind;
  readonly reasonCode: string;
  readonly eventDate: string;
  readonly filedOn: string;
  readonly late: boolean;
  readonly note: string | null;
  readonly effects: Effect[];
  /** A move-in filed from another municipality's move-out record: that municipality is notified (linkage/moves.ts). */
  readonly transferFrom?: { readonly municipalityCode: string; readonly certificateNumber: string };
}

/**
 * Where effects go when a filing names a household that is not there: the
 * filing is refused for that before any effect is used, and planning carries
 * on only to report every other error in the same answer.
 */
const UNKNOWN_ADDRESS: Address = { postalCode: null, prefecture: '', municipality: '', town: '', block: '', building: null };

/** A filing's dates, reason and note, normalized; errors into f. */
function common(f: Findings, kind: ChangeKind, filing: FilingCommon, today: string) {
  const eventDate = date(f, 'eventDate', filing.eventDate);
  const filedOn = filing.filedOn === undefined ? today : date(f, 'filedOn', filing.filedOn, today);
  const reasons: readonly string[] = CHANGE_KINDS[kind].reasons;
  const reasonCode = filing.reasonCode ?? reasons[0]!;
  if (!reasons.includes(reasonCode)) f.add('reasonCode', 'enum', '事由コードが正しくありません。', `must be one of ${reasons.join(', ')}`);
  const note = filing.note === undefined ? null : text(f, 'note', filing.note, 1000, false) || null;
  return { eventDate, filedOn, reasonCode, note };
}

function finish(f: Findings, kind: ChangeKind, c: ReturnType<typeof common>, effects: Effect[]): Plan {
  f.throwIfAny();
  return { kind, ...c, late: isLate(kind, c.eventDate, c.filedOn), effects };
}

/** A current resident named by the filing, or an error at path. */
function currentPerson(f: Findings, path: string, state: RegisterState, id: string): ResidentRecord | null {
  const p = state.persons.get(id);
  if (!p || p.state !== 'current') {
    f.refuse(path, 'not_current', '現に記録されている住民ではありません。', 'is not a current resident');
    return null;
  }
  return p;
}

function currentHousehold(f: Findings, path: string, state: RegisterState, id: string) {
  const h = state.households.get(id);
  if (!h || h.state !== 'current') {
    f.refuse(path, 'not_current', '現に存在する世帯ではありません。', 'is not a current household');
    return null;
  }
  return h;
}

/** The residents named, all current and all of one household; returns that household's id. */
function oneHousehold(f: Findings, state: RegisterState, ids: readonly string[]): string | null {
  if (ids.length === 0) f.refuse('residentIds', 'minItems', '対象者を指定してください。', 'must name at least one resident');
  if (new Set(ids).size !== ids.length) f.refuse('residentIds', 'unique', '同じ住民が重複しています。', 'names a resident twice');
  const households = new Set<string>();
  ids.forEach((id, i) => {
    const p = currentPerson(f, `residentIds/${i}`, state, id);
    if (p) households.add(p.householdId);
  });
  if (households.size > 1) f.refuse('residentIds', 'one_household', '対象者は同一世帯の住民に限ります。', 'must all belong to one household');
  return households.size === 1 ? [...households][0]! : null;
}

function assign(state: RegisterState, personId: string, householdId: string, rel: Relationship): Effect {
  const p = state.persons.get(personId);
  return { op: 'assign', personId, householdId, relationship: rel, previous: p ? { householdId: p.householdId, relationship: p.relationship } : null };
}

/**
 * Arranges a group under a head: the head becomes 世帯主, each listed member
 * takes the given relationship; the list must name exactly `expected` (less the head).
 */
function arrange(f: Findings, path: string, state: RegisterState, householdId: string, headId: string, members: readonly MemberRelationship[], expected: ReadonlySet<string>): Effect[] {
  const pf = f.at(path);
  if (!expected.has(headId)) pf.refuse('headId', 'head_not_member', '世帯主は世帯員の中から指定してください。', 'must be one of the household’s members');
  const named = new Set<string>();
  members.forEach((m, i) => {
    if (m.residentId === headId || !expected.has(m.residentId) || named.has(m.residentId)) {
      pf.refuse(`members/${i}/residentId`, 'member', '世帯員の指定が正しくありません。', 'is not one of the other members, or is named twice');
    }
    if (m.relationship === HEAD) pf.refuse(`members/${i}/relationship`, 'one_head', '世帯主は一人です。', 'a household has exactly one head');
    relationship(pf, `members/${i}/relationship`, m.relationship);
    named.add(m.residentId);
  });
  for (const id of expected) {
    if (id !== headId && !named.has(id)) pf.refuse('members', 'all_members', '世帯員全員の続柄を指定してください。', 'must give every other member’s relationship to the head');
  }
  return [assign(state, headId, householdId, HEAD), ...members.map((m) => assign(state, m.residentId, householdId, m.relationship))];
}

/**
 * What happens to a household when `leaving` go: dissolved when nobody stays;
 * regrouped under a new head when the head goes; otherwise nothing (and a
 * regrouping given anyway is refused, so a filing never says more than it does).
 */
function afterDeparture(f: Findings, state: RegisterState, householdId: string, leaving: ReadonlySet<string>, remaining: Regrouping | undefined): Effect[] {
  const h = state.households.get(householdId)!;
  const staying = new Set(membersOf(state, householdId).map((p) => p.id).filter((id) => !leaving.has(id)));
  if (staying.size === 0) {
    if (remaining) f.refuse('remaining', 'nobody_remains', '残る世帯員がいません。', 'nobody remains in the household');
    return [{ op: 'dissolve', householdId }];
  }
  if (!leaving.has(h.headId)) {
    if (remaining) f.refuse('remaining', 'head_stays', '世帯主は転出等をしないため、指定は不要です。', 'the head stays; no regrouping is needed');
    return [];
  }
  if (!remaining) {
    f.refuse('remaining', 'head_leaves', '世帯主が抜けるため、残る世帯員の新しい世帯主と続柄を指定してください。', 'the head leaves: name the new head and the relationships of those who stay');
    return [];
  }
  return [
    { op: 'rehead', householdId, headId: remaining.headId, previousHeadId: h.headId },
    ...arrange(f, 'remaining', state, householdId, remaining.headId, remaining.members, staying),
  ];
}

/** 転入・国外からの転入・職権記載: persons join the register, in a new household or an existing one. */
export function planEnrolment(kind: 'move_in' | 'return_from_abroad' | 'entry_by_authority', filing: EnrolmentFiling, ctx: PlanContext): Plan {
  const f = new Findings('body');
  const c = common(f, kind, filing, ctx.rules.today);
  if (c.eventDate && c.filedOn && kind !== 'entry_by_authority' && c.eventDate > c.filedOn) {
    f.refuse('eventDate', 'after_filing', '転入の届出は転入した日以後に行います。', 'a move-in is filed on or after the day of moving in');
  }
  let previous: PlaceOfResidence | null = null;
  if (filing.previousResidence) previous = placeOfResidence(f.at('previousResidence'), filing.previousResidence);
  if (kind === 'move_in' && previous?.kind !== 'domestic') f.refuse('previousResidence', 'domestic', '転入前の住所（国内）を入力してください。', 'must be the previous address in Japan');
  if (kind === 'return_from_abroad' && previous?.kind !== 'abroad') f.refuse('previousResidence', 'abroad', '転入前の国外の住所を入力してください。', 'must be the previous address abroad');
  if (filing.persons.length === 0) f.refuse('persons', 'minItems', '一人以上を入力してください。', 'must name at least one person');
  const persons = filing.persons.map((p, i) => personInput(f.at(`persons/${i}`), p, ctx.rules));
  persons.forEach((p, i) => {
    if (p.dateOfBirth && c.eventDate && p.dateOfBirth > c.eventDate) f.refuse(`persons/${i}/dateOfBirth`, 'born_after_event', '生年月日が異動日より後です。', 'is after the date of the change');
  });
  const heads = persons.filter((p) => p.relationship === HEAD).length;
  let householdId: string;
  let addr: Address;
  const effects: Effect[] = [];
  const personIds = persons.map(() => ctx.newId());
  if (filing.household.kind === 'new') {
    addr = address(f.at('household/address'), filing.household.address);
    if (heads !== 1) f.refuse('persons', 'one_head', '新しい世帯には世帯主を一人指定してください。', 'a new household needs exactly one head (世帯主)');
    householdId = ctx.newId();
    const headIndex = Math.max(0, persons.findIndex((p) => p.relationship === HEAD));
    effects.push({ op: 'found', householdId, headId: personIds[headIndex]!, address: addr });
  } else {
    const h = currentHousehold(f, 'household/householdId', ctx.state, filing.household.householdId);
    if (heads !== 0) f.refuse('persons', 'one_head', '既存の世帯には世帯主がいます。', 'the household already has its head');
    householdId = filing.household.householdId;
    addr = h?.address ?? UNKNOWN_ADDRESS;
  }
  persons.forEach((p, i) => {
    effects.push({
      op: 'enrol',
      personId: personIds[i]!,
      person: { ...p, residentCode: p.residentCode ?? ctx.newResidentCode() },
      householdId,
      address: addr,
      since: c.eventDate,
      previousResidence: previous,
      moveInFiledOn: kind === 'entry_by_authority' ? null : c.filedOn,
    });
  });
  return finish(f, kind, c, effects);
}

/** 出生: a newborn joins a household (recorded on the family-register notice). */
export function planBirth(filing: BirthFiling, ctx: PlanContext): Plan {
  const f = new Findings('body');
  const c = common(f, 'birth', filing, ctx.rules.today);
  const person = personInput(f.at('person'), filing.person, ctx.rules);
  if (person.dateOfBirth && c.eventDate && person.dateOfBirth !== c.eventDate) f.refuse('person/dateOfBirth', 'birth_date', '出生の異動日は生年月日です。', 'must be the date of the change (the birth)');
  if (person.relationship === HEAD) f.refuse('person/relationship', 'newborn_head', '出生子は世帯主になりません。', 'a newborn is not the head of a household');
  const h = currentHousehold(f, 'householdId', ctx.state, filing.householdId);
  const personId = ctx.newId();
  const effects: Effect[] = h
    ? [
        {
          op: 'enrol',
          personId,
          person: { ...person, residentCode: person.residentCode ?? ctx.newResidentCode() },
          householdId: h.id,
          address: h.address,
          since: c.eventDate,
          previousResidence: null,
          moveInFiledOn: null,
        },
      ]
    : [];
  return finish(f, 'birth', c, effects);
}

/** 転居: some or all members of a household move to another address in the municipality. */
export function planMoveWithin(filing: MoveWithinFiling, ctx: PlanContext): Plan {
  const f = new Findings('body');
  const c = common(f, 'move_within', filing, ctx.rules.today);
  const from = oneHousehold(f, ctx.state, filing.residentIds);
  const moving = new Set(filing.residentIds);
  const effects: Effect[] = [];
  const d = filing.destination;
  if (from) {
    const all = membersOf(ctx.state, from).every((p) => moving.has(p.id));
    if (d.kind === 'same_household') {
      if (!all) f.refuse('destination', 'whole_household', '世帯の一部が転居する場合は新しい世帯または既存の世帯を指定してください。', 'only a whole household keeps its household; name a new or existing household');
      const addr = address(f.at('destination/address'), d.address);
      effects.push({ op: 'readdress', householdId: from, address: addr }, ...filing.residentIds.map((personId): Effect => ({ op: 'relocate', personId, address: addr, since: c.eventDate })));
    } else {
      let target: string;
      let addr: Address;
      if (d.kind === 'new_household') {
        target = ctx.newId();
        addr = address(f.at('destination/address'), d.address);
        effects.push({ op: 'found', householdId: target, headId: d.headId, address: addr });
        effects.push(...arrange(f, 'destination', ctx.state, target, d.headId, d.members, moving));
      } else {
        const h = currentHousehold(f, 'destination/householdId', ctx.state, d.householdId);
        if (d.householdId === from) f.refuse('destination/householdId', 'same_household', '転居先の世帯が転居前と同じです。', 'is the household they are in');
        target = d.householdId;
        addr = h?.address ?? UNKNOWN_ADDRESS;
        d.members.forEach((m, i) => {
          if (!moving.has(m.residentId)) f.refuse(`destination/members/${i}/residentId`, 'member', '転居する住民を指定してください。', 'must be one of the residents moving');
          if (m.relationship === HEAD) f.refuse(`destination/members/${i}/relationship`, 'one_head', '世帯主は一人です。', 'a household has exactly one head');
          relationship(f, `destination/members/${i}/relationship`, m.relationship);
        });
        if (d.members.length !== moving.size) f.refuse('destination/members', 'all_members', '転居する全員の続柄を指定してください。', 'must give every moving resident’s relationship to the head');
        effects.push(...d.members.map((m) => assign(ctx.state, m.residentId, target, m.relationship)));
      }
      effects.push(...filing.residentIds.map((personId): Effect => ({ op: 'relocate', personId, address: addr, since: c.eventDate })));
      effects.push(...afterDeparture(f, ctx.state, from, moving, filing.remaining));
    }
  }
  return finish(f, 'move_within', c, effects);
}

/** 転出・国外転出・死亡・職権消除: residents leave the register; their records are closed (除票) and kept. */
export function planDeparture(kind: 'move_out' | 'move_abroad' | 'death' | 'removal_by_authority', filing: DepartureFiling, ctx: PlanContext): Plan {
  const f = new Findings('body');
  const c = common(f, kind, filing, ctx.rules.today);
  const from = oneHousehold(f, ctx.state, filing.residentIds);
  let destination: PlaceOfResidence | null = null;
  if (kind === 'move_out' || kind === 'move_abroad') {
    if (!filing.destination) f.refuse('destination', 'required', '転出先を入力してください。', 'is required');
    else {
      destination = placeOfResidence(f.at('destination'), filing.destination);
      if (kind === 'move_out' && destination.kind !== 'domestic') f.refuse('destination', 'domestic', '国外への転出は国外転出として届け出てください。', 'a move abroad is filed as move_abroad');
      if (kind === 'move_abroad' && destination.kind !== 'abroad') f.refuse('destination', 'abroad', '国外の転出先を入力してください。', 'must be an address abroad');
    }
  } else if (filing.destination) f.refuse('destination', 'not_applicable', '転出先は指定できません。', 'does not apply to this change');
  if (kind === 'death' && filing.residentIds.length !== 1) f.refuse('residentIds', 'one_person', '死亡は一人ずつ記録します。', 'a death is recorded for one person');
  const reason = kind === 'move_out' ? 'moved_out' : kind === 'move_abroad' ? 'moved_abroad' : kind === 'death' ? 'died' : 'removed_by_authority';
  const effects: Effect[] = filing.residentIds.map((personId) => ({ op: 'close', personId, reason, on: c.eventDate, destination }));
  if (from) effects.push(...afterDeparture(f, ctx.state, from, new Set(filing.residentIds), filing.remaining));
  return finish(f, kind, c, effects);
}

/** 世帯変更: change of head, split, merge. */
export function planHouseholdChange(filing: HouseholdChangeFiling, ctx: PlanContext): Plan {
  const f = new Findings('body');
  const c = common(f, 'household_change', filing, ctx.rules.today);
  const h = currentHousehold(f, 'householdId', ctx.state, filing.householdId);
  const effects: Effect[] = [];
  if (h) {
    const members = new Set(membersOf(ctx.state, h.id).map((p) => p.id));
    if (filing.reasonCode === 'change_of_head') {
      if (filing.headId === h.headId) f.refuse('headId', 'same_head', '現在の世帯主と同じです。', 'is already the head');
      effects.push({ op: 'rehead', householdId: h.id, headId: filing.headId, previousHeadId: h.headId });
      effects.push(...arrange(f, '', ctx.state, h.id, filing.headId, filing.members, members));
    } else if (filing.reasonCode === 'split') {
      const leaving = new Set([filing.headId, ...filing.members.map((m) => m.residentId)]);
      for (const id of leaving) if (!members.has(id)) f.refuse('members', 'member', '分離する住民は世帯員から指定してください。', 'those who split off must be members of the household');
      if ([...members].every((id) => leaving.has(id))) f.refuse('members', 'whole_household', '世帯全員の分離はできません。', 'a split leaves someone behind');
      const target = ctx.newId();
      effects.push({ op: 'found', householdId: target, headId: filing.headId, address: h.address });
      effects.push(...arrange(f, '', ctx.state, target, filing.headId, filing.members, leaving));
      effects.push(...afterDeparture(f, ctx.state, h.id, leaving, filing.remaining));
    } else {
      const into = currentHousehold(f, 'intoHouseholdId', ctx.state, filing.intoHouseholdId);
      if (filing.intoHouseholdId === h.id) f.refuse('intoHouseholdId', 'same_household', '同じ世帯です。', 'is the same household');
      if (into && JSON.stringify(into.address) !== JSON.stringify(h.address)) {
        f.refuse('intoHouseholdId', 'same_address', '世帯合併は同じ住所の世帯に限ります。', 'households merge only at the same address');
      }
      const named = new Set(filing.members.map((m) => m.residentId));
      if (named.size !== members.size || [...members].some((id) => !named.has(id))) {
        f.refuse('members', 'all_members', '合併する世帯の全員の続柄を指定してください。', 'must give every member’s relationship to the new head');
      }
      filing.members.forEach((m, i) => {
        if (m.relationship === HEAD) f.refuse(`members/${i}/relationship`, 'one_head', '世帯主は一人です。', 'a household has exactly one head');
        relationship(f, `members/${i}/relationship`, m.relationship);
      });
      effects.push(...filing.members.map((m) => assign(ctx.state, m.residentId, filing.intoHouseholdId, m.relationship)), { op: 'dissolve', householdId: h.id });
    }
  }
  return finish(f, 'household_change', c, effects);
}

/** 職権修正: corrects a person's items from a date; the earlier state stays in the history. */
export function planCorrection(filing: CorrectionFiling, ctx: PlanContext): Plan {
  const f = new Findings('body');
  const c = common(f, 'correction_by_authority', filing, ctx.rules.today);
  const p = ctx.state.persons.get(filing.residentId);
  if (!p) f.refuse('residentId', 'not_found', '該当する住民がいません。', 'no such resident');
  const { relationship: rel, ...fields } = filing.fields;
  if (Object.keys(filing.fields).length === 0) f.refuse('fields', 'minProperties', '修正する項目を指定してください。', 'must name at least one item to correct');
  const ff = f.at('fields');
  const effects: Effect[] = [];
  if (p) {
    // Check the corrected person as a whole, so that a correction cannot make a record invalid.
    const merged = personInput(ff, { ...p, ...fields, relationship: rel ?? p.relationship, residentCode: p.residentCode }, ctx.rules);
    const normalized: Record<string, unknown> = {};
    for (const key of Object.keys(fields) as (keyof typeof fields)[]) {
      if (key === 'residentSince' || key === 'addressSince') normalized[key] = date(ff, key, fields[key]!, ctx.rules.today);
      else if (key === 'previousResidence') normalized[key] = fields.previousResidence ? placeOfResidence(ff.at(key), fields.previousResidence) : null;
      else normalized[key] = merged[key as keyof PersonInput];
    }
    if (Object.keys(normalized).length > 0) effects.push({ op: 'amend', personId: p.id, fields: normalized as AmendableFields });
    if (rel !== undefined && rel !== p.relationship) {
      const h = ctx.state.households.get(p.householdId);
      if ((rel === HEAD) !== (h?.headId === p.id)) f.refuse('fields/relationship', 'one_head', '世帯主の変更は世帯変更として届け出てください。', 'a change of head is filed as a household change');
      effects.push(assign(ctx.state, p.id, p.householdId, rel));
    }
  }
  return finish(f, 'correction_by_authority', c, effects);
}

/**
 * 転出取消: undoes a move-out (or move abroad) that nothing has touched since —
 * the service checks that — by inverting its effects in reverse order.
 */
export function planMoveOutCancellation(filing: FilingCommon, moveOut: readonly Effect[], ctx: PlanContext): Plan {
  const f = new Findings('body');
  const c = common(f, 'move_out_cancelled', filing, ctx.rules.today);
  const effects: Effect[] = [];
  for (const e of [...moveOut].reverse()) {
    switch (e.op) {
      case 'close':
        effects.push({ op: 'reopen', personId: e.personId });
        break;
      case 'dissolve':
        effects.push({ op: 'reinstate', householdId: e.householdId });
        break;
      case 'rehead':
        effects.push({ op: 'rehead', householdId: e.householdId, headId: e.previousHeadId, previousHeadId: e.headId });
        break;
      case 'assign':
        if (e.previous) effects.push(assign(ctx.state, e.personId, e.previous.householdId, e.previous.relationship));
        break;
      default:
        throw new Problem('filing_rejected', [], { ja: '取り消せる転出ではありません。', en: 'This change is not a move-out that can be cancelled.' });
    }
  }
  return finish(f, 'move_out_cancelled', c, effects);
}
