/**
 * The register's history: every change (異動) is a dated list of effects on
 * persons and households, and a record is whatever the effects so far make of
 * it. The current record and the record "as of date D" are both folds over the
 * same history, by this one function; a correction is one more change, so the
 * past is never rewritten. Pure.
 *
 * Order: effects apply in recording order (seq). "As of D" keeps the changes
 * whose event date is on or before D; "as known on T" (optional) also drops
 * those recorded after T, so an earlier answer can be reproduced exactly.
 */
import type {
  Address,
  ClosingReason,
  HouseholdRecord,
  PersonInput,
  PlaceOfResidence,
  Relationship,
  ResidentRecord,
} from './record.js';

/** Fields a correction (職権修正) or an update of flags may set. */
export type AmendableFields = Partial<
  Pick<PersonInput, 'name' | 'dateOfBirth' | 'sex' | 'domicile' | 'myNumber' | 'flags' | 'foreign'> & {
    residentSince: string;
    addressSince: string;
    previousResidence: PlaceOfResidence | null;
  }
>;

export type Effect =
  | {
      readonly op: 'enrol';
      readonly personId: string;
      readonly person: PersonInput & { readonly residentCode: string };
      readonly householdId: string;
      readonly address: Address;
      readonly since: string;
      readonly previousResidence: PlaceOfResidence | null;
      readonly moveInFiledOn: string | null;
    }
  | { readonly op: 'relocate'; readonly personId: string; readonly address: Address; readonly since: string }
  | {
      readonly op: 'assign';
      readonly personId: string;
      readonly householdId: string;
      readonly relationship: Relationship;
      /** What it replaced, so that a cancellation can put it back. */
      readonly previous: { readonly householdId: string; readonly relationship: Relationship } | null;
    }
  | { readonly op: 'close'; readonly personId: string; readonly reason: ClosingReason; readonly on: string; readonly destination: PlaceOfResidence | null }
  | { readonly op: 'reopen'; readonly personId: string }
  | { readonly op: 'amend'; readonly personId: string; readonly fields: AmendableFields }
  | { readonly op: 'found'; readonly householdId: string; readonly headId: string; readonly address: Address }
  | { readonly op: 'rehead'; readonly householdId: string; readonly headId: string; readonly previousHeadId: string }
  | { readonly op: 'readdress'; readonly householdId: string; readonly address: Address }
  | { readonly op: 'dissolve'; readonly householdId: string }
  | { readonly op: 'reinstate'; readonly householdId: string };

export type EffectOp = Effect['op'];

/** The state a fold produces: persons and households by id (households without members; see membersOf). */
export interface RegisterState {
  readonly persons: Map<string, ResidentRecord>;
  readonly households: Map<string, Omit<HouseholdRecord, 'memberIds'>>;
}

export function emptyState(): RegisterState {
  return { persons: new Map(), households: new Map() };
}

export class HistoryError extends Error {
  constructor(readonly effect: EffectOp, message: string) {
    super(message);
    this.name = 'HistoryError';
  }
}

function person(state: RegisterState, e: { op: EffectOp; personId: string }): ResidentRecord {
  const p = state.persons.get(e.personId);
  if (!p) throw new HistoryError(e.op, `${e.op}: no such person in the history`);
  return p;
}

function household(state: RegisterState, e: { op: EffectOp; householdId: string }) {
  const h = state.households.get(e.householdId);
  if (!h) throw new HistoryError(e.op, `${e.op}: no such household in the history`);
  return h;
}

/** Applies one effect, in place. Throws HistoryError if the history is inconsistent (a bug or tampering). */
export function applyEffect(state: RegisterState, e: Effect): void {
  switch (e.op) {
    case 'enrol': {
      if (state.persons.has(e.personId)) throw new HistoryError(e.op, 'enrol: person already in the history');
      state.persons.set(e.personId, {
        ...e.person,
        id: e.personId,
        householdId: e.householdId,
        state: 'current',
        address: e.address,
        addressSince: e.since,
        residentSince: e.since,
        previousResidence: e.previousResidence,
        moveInFiledOn: e.moveInFiledOn,
        closed: null,
        supportMeasure: null,
      });
      return;
    }
    case 'relocate': {
      const p = person(state, e);
      state.persons.set(e.personId, { ...p, address: e.address, addressSince: e.since });
      return;
    }
    case 'assign': {
      const p = person(state, e);
      state.persons.set(e.personId, { ...p, householdId: e.householdId, relationship: e.relationship });
      return;
    }
    case 'close': {
      const p = person(state, e);
      state.persons.set(e.personId, { ...p, state: 'closed', closed: { reason: e.reason, on: e.on, destination: e.destination } });
      return;
    }
    case 'reopen': {
      const p = person(state, e);
      state.persons.set(e.personId, { ...p, state: 'current', closed: null });
      return;
    }
    case 'amend': {
      const p = person(state, e);
      state.persons.set(e.personId, { ...p, ...e.fields });
      return;
    }
    case 'found': {
      if (state.households.has(e.householdId)) throw new HistoryError(e.op, 'found: household already in the history');
      state.households.set(e.householdId, { id: e.householdId, headId: e.headId, address: e.address, state: 'current' });
      return;
    }
    case 'rehead': {
      state.households.set(e.householdId, { ...household(state, e), headId: e.headId });
      return;
    }
    case 'readdress': {
      state.households.set(e.householdId, { ...household(state, e), address: e.address });
      return;
    }
    case 'dissolve': {
      state.households.set(e.householdId, { ...household(state, e), state: 'closed' });
      return;
    }
    case 'reinstate': {
      state.households.set(e.householdId, { ...household(state, e), state: 'current' });
      return;
    }
  }
}

/** A change as the fold needs it. */
export interface HistoricChange {
  readonly seq: number;
  readonly eventDate: string;
  readonly recordedAt: string;
  readonly effects: readonly Effect[];
}

export interface FoldOptions {
  /** Keep changes whose event date is on or before this date (YYYY-MM-DD). */
  readonly asOf?: string;
  /** Keep changes recorded at or before this instant (ISO 8601). */
  readonly knownAt?: string;
}

/** Folds a history into a state. Changes may come in any order; they are applied by seq. */
export function fold(changes: readonly HistoricChange[], options: FoldOptions = {}, state: RegisterState = emptyState()): RegisterState {
  const knownAt = options.knownAt ? Date.parse(options.knownAt) : null;
  const kept = changes
    .filter((c) => (options.asOf === undefined || c.eventDate <= options.asOf) && (knownAt === null || Date.parse(c.recordedAt) <= knownAt))
    .sort((a, b) => a.seq - b.seq);
  for (const c of kept) for (const e of c.effects) applyEffect(state, e);
  return state;
}

/**
 * The records of some persons only, from changes that may touch others too
 * (a move-out that re-heads the household assigns the members who stay): only
 * the effects on these persons are applied, so the others' history and the
 * households' need not be there. A person's record depends on its own effects
 * alone. The state holds no households.
 */
export function foldPersons(changes: readonly HistoricChange[], personIds: ReadonlySet<string>, options: FoldOptions = {}): RegisterState {
  return fold(
    changes.map((c) => ({ ...c, effects: c.effects.filter((e) => 'personId' in e && personIds.has(e.personId)) })),
    options,
  );
}

/** Current members of a household in a state: the head first, then by date of birth. */
export function membersOf(state: RegisterState, householdId: string): ResidentRecord[] {
  const h = state.households.get(householdId);
  const members = [...state.persons.values()].filter((p) => p.householdId === householdId && p.state === 'current');
  return members.sort((a, b) => (a.id === h?.headId ? -1 : b.id === h?.headId ? 1 : a.dateOfBirth.localeCompare(b.dateOfBirth) || a.id.localeCompare(b.id)));
}

/** The ids a list of effects touches (for the change's index columns and the outbox). */
export function touched(effects: readonly Effect[]): { residentIds: string[]; householdIds: string[] } {
  const residents = new Set<string>();
  const households = new Set<string>();
  for (const e of effects) {
    if ('personId' in e) residents.add(e.personId);
    if ('householdId' in e) households.add(e.householdId);
    if (e.op === 'assign' && e.previous) households.add(e.previous.householdId);
  }
  return { residentIds: [...residents], householdIds: [...households] };
}
