/**
 * The register's use cases: file a change, read a record (now or as of a
 * date), read a household, a history, search. Each runs in one tenant
 * transaction: it seals and opens personal data with the municipality's keys,
 * passes reads through the leak guard, and records an audit entry before it
 * commits — if the entry cannot be written, nothing is read or changed.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Static } from 'typebox';
import { Problem, type FieldError, fieldError } from '../platform/errors.js';
import { tenantOf, type Platform, type TenantContext } from '../platform/http/server.js';
import { admitResidentViews } from '../security/access/leak-guard.js';
import type { EntryKind } from '../security/audit/catalogue.js';
import { recordAction, type ActionDetails } from '../security/audit/record.js';
import type { MunicipalityKeys } from '../security/keys/index.js';
import { todayInJapan } from './changes.js';
import { applyEffect, emptyState, fold, HistoryError, membersOf, touched, type Effect, type HistoricChange, type RegisterState } from './history.js';
import type { Plan, PlanContext } from './filings.js';
import { cryptoRandom, isValidResidentCode, newResidentCode } from './identifiers.js';
import type { Address, HouseholdRecord, ResidentRecord } from './record.js';
import type { FilingResultSchema } from './schemas.js';
import { searchTermsOf, type SearchTerm } from './search-terms.js';
import {
  CHANGE_PAYLOAD,
  changesTouching,
  HOUSEHOLD_ADDRESS,
  holdHouseholds,
  householdsById,
  insertMoveOutCertificate,
  membersOfHouseholds,
  nextCertificateNumber,
  RESIDENT_RECORD,
  residentsById,
  writeChange,
  type ChangeRow,
  type HouseholdRow,
  type OutboxEvent,
  type ResidentRow,
  type HouseholdState,
  type ResidentState,
} from './store.js';

/**
 * Who changes the register, in which municipality, and how what they do is
 * recorded: a clerk's request, or a batch job of the platform (a migration
 * load, the demo). Filings need no more than this.
 */
export interface RegisterActor {
  readonly platform: Platform;
  readonly tenant: TenantContext;
  /** The account recorded as the operator of each change. */
  readonly operatorId: string;
  /** Records an audit entry; awaited inside the tenant transaction, so no entry means no change. */
  record(kind: EntryKind, details: ActionDetails): Promise<void>;
}

/** A use case acting for a request: who, from where, why, and its tenant transaction. Reads need the request (leak guard, disclosure). */
export interface RegisterRequest extends RegisterActor {
  readonly request: FastifyRequest;
}

export function registerRequest(platform: Platform, request: FastifyRequest): RegisterRequest {
  const principal = request.principal;
  if (!principal) throw new Problem('unauthenticated');
  return {
    platform,
    request,
    tenant: tenantOf(request),
    operatorId: principal.accountId,
    record: (kind, details) => recordAction(platform, request, kind, details),
  };
}

async function openJson<T>(keys: MunicipalityKeys, field: { table: string; column: string; recordId: string }, sealed: Buffer): Promise<T> {
  return JSON.parse(await keys.openText(field, sealed)) as T;
}

export async function openResident(keys: MunicipalityKeys, row: ResidentRow): Promise<ResidentRecord> {
  const record = await openJson<ResidentRecord>(keys, RESIDENT_RECORD.field(row.id), row.recordSealed);
  return { ...record, id: row.id, householdId: row.householdId, state: row.state };
}

async function openHousehold(keys: MunicipalityKeys, row: HouseholdRow): Promise<Omit<HouseholdRecord, 'memberIds'>> {
  const address = await openJson<Address>(keys, HOUSEHOLD_ADDRESS.field(row.id), row.addressSealed);
  return { id: row.id, headId: row.headId, state: row.state, address };
}

export interface ChangePayload {
  readonly effects: readonly Effect[];
  readonly note: string | null;
}

export async function openChange(keys: MunicipalityKeys, row: ChangeRow): Promise<HistoricChange & { row: ChangeRow; note: string | null }> {
  const payload = await openJson<ChangePayload>(keys, CHANGE_PAYLOAD.field(row.id), row.payloadSealed);
  return { seq: row.seq, eventDate: row.eventDate, recordedAt: row.recordedAt, effects: payload.effects, note: payload.note, row };
}

/** The ids a filing names, found in its fields, so that their households can be locked first. */
export interface NamedIds {
  readonly residentIds: readonly string[];
  readonly householdIds: readonly string[];
}

/** What a filing returns: the change, and the residents and households it touched with their new state and versions. */
export type FilingResult = Static<typeof FilingResultSchema>;

export interface ExpectedVersion {
  readonly householdId: string;
  readonly version: number;
}

/**
 * The state of the named residents and households and every current member of
 * those households, with the households locked until the filing commits.
 */
async function lockedState(db: pg.ClientBase, keys: MunicipalityKeys, named: NamedIds) {
  const residents = await residentsById(db, named.residentIds);
  const householdIds = [...new Set([...named.householdIds, ...residents.map((r) => r.householdId)])];
  await holdHouseholds(db, householdIds);
  const households = await householdsById(db, householdIds, { lock: true });
  const members = await membersOfHouseholds(db, householdIds);
  const state = emptyState();
  for (const row of [...residents, ...members]) if (!state.persons.has(row.id)) state.persons.set(row.id, await openResident(keys, row));
  for (const row of households) state.households.set(row.id, await openHousehold(keys, row));
  return { state, households: new Map(households.map((h) => [h.id, h])) };
}

function planContext(state: RegisterState): PlanContext {
  return {
    state,
    newId: randomUUID,
    newResidentCode: () => newResidentCode(cryptoRandom),
    rules: { today: todayInJapan(), isValidResidentCode: (c) => isValidResidentCode(c) },
  };
}

/** Translates a unique-index violation on the current records into the filing's error. */
export function duplicateOf(err: unknown): Problem | null {
  const e = err as { code?: string; constraint?: string };
  if (e.code !== '23505') return null;
  const fields: FieldError[] = [];
  if (e.constraint === 'residents_current_my_number') {
    fields.push(fieldError('body', 'duplicate_my_number', { ja: 'この個人番号の住民が既に記録されています。', en: 'a current resident already has this My Number' }));
  } else if (e.constraint === 'residents_current_resident_code') {
    fields.push(fieldError('body', 'duplicate_resident_code', { ja: 'この住民票コードの住民が既に記録されています。', en: 'a current resident already has this resident code' }));
  } else return null;
  return new Problem('filing_rejected', fields);
}

/**
 * Files a change: locks the households it names, plans it against their
 * current state, checks the versions the clerk read, and writes the change,
 * the new current state, search terms, the outbox event and the audit entry in
 * one transaction.
 */
export async function fileChange(
  r: RegisterActor,
  named: NamedIds,
  expected: readonly ExpectedVersion[],
  plan: (ctx: PlanContext, db: pg.ClientBase, keys: MunicipalityKeys) => Promise<Plan> | Plan,
): Promise<FilingResult> {
  const { operatorId } = r;
  try {
    return await r.tenant.run(async (db) => {
      const keys = await r.platform.keys.forMunicipality(r.tenant.municipalityCode);
      const { state, households } = await lockedState(db, keys, named);
      const p = await plan(planContext(state), db, keys);
      const ids = withMembersHouseholds(touched(p.effects), state);
      checkVersions(ids.householdIds, households, expected);

      const after: RegisterState = { persons: new Map(state.persons), households: new Map(state.households) };
      try {
        for (const e of p.effects) applyEffect(after, e);
      } catch (err) {
        if (err instanceof HistoryError) throw new Problem('filing_rejected', [fieldError('body', 'inconsistent', { ja: '記録と整合しない届出です。', en: 'does not fit the register' })]);
        throw err;
      }

      const changeId = randomUUID();
      const residents: FilingResult['residents'][number][] = [];
      const residentStates: ResidentState[] = [];
      const terms: { residentId: string; kind: string; term: Buffer }[] = [];
      for (const id of ids.residentIds) {
        const record = after.persons.get(id)!;
        const { row, terms: own } = await residentWrite(keys, record);
        residentStates.push(row);
        for (const t of own) terms.push({ residentId: id, kind: t.kind, term: t.term });
        residents.push({ id, residentCode: record.residentCode, state: record.state, householdId: record.householdId });
      }
      // A household named only as someone's previous one, unchanged, is not written.
      const changedHouseholds = ids.householdIds.flatMap((id) => after.households.get(id) ?? []);
      const householdStates: HouseholdState[] = await Promise.all(
        changedHouseholds.map(async (h) => ({ id: h.id, headId: h.headId, state: h.state, addressSealed: await keys.seal(HOUSEHOLD_ADDRESS.field(h.id), JSON.stringify(h.address)) })),
      );
      const { recordedAt, householdVersions: versions } = await writeChange(db, await sealedChange(keys, changeId, p, ids, operatorId), {
        residents: residentStates,
        terms,
        households: householdStates,
        events: [changeEvent(changeId, p, ids)],
      });
      const householdVersions = changedHouseholds.map((h) => ({ id: h.id, version: versions.get(h.id)!, state: h.state }));

      let certificate: string | null = null;
      if (p.kind === 'move_out') {
        certificate = await nextCertificateNumber(db, 'T', Number(p.filedOn.slice(0, 4)));
        const closed = p.effects.flatMap((e) => (e.op === 'close' ? [e.personId] : []));
        await insertMoveOutCertificate(db, { number: certificate, changeId, residentIds: closed, issuedOn: p.filedOn });
      }

      await r.record('personal_data_change', {
        purpose: r.tenant.purpose,
        records: [
          { resource: 'resident_changes', ids: [changeId] },
          { resource: 'residents', ids: ids.residentIds },
          { resource: 'households', ids: ids.householdIds },
        ],
      });
      return {
        change: { id: changeId, kind: p.kind, reasonCode: p.reasonCode, eventDate: p.eventDate, filedOn: p.filedOn, late: p.late, recordedAt },
        residents,
        households: householdVersions,
        moveOutCertificateNumber: certificate,
      };
    });
  } catch (err) {
    throw duplicateOf(err) ?? err;
  }
}

/**
 * A change to a member (a death, a correction of the name) changes the
 * household it belongs to as well: what a household read showed is no longer
 * so, so its version moves and the filing must name the version it read.
 */
function withMembersHouseholds(ids: { residentIds: string[]; householdIds: string[] }, before: RegisterState): { residentIds: string[]; householdIds: string[] } {
  const households = new Set(ids.householdIds);
  for (const id of ids.residentIds) {
    const household = before.persons.get(id)?.householdId;
    if (household) households.add(household);
  }
  return { residentIds: ids.residentIds, householdIds: [...households] };
}

/** Every existing household the change touches must have been read at its current version. */
function checkVersions(touchedHouseholds: readonly string[], locked: ReadonlyMap<string, HouseholdRow>, expected: readonly ExpectedVersion[]): void {
  let unnamed = false;
  for (const id of touchedHouseholds) {
    const row = locked.get(id);
    if (!row) continue; // founded by this change
    const e = expected.find((x) => x.householdId === id);
    if (!e) unnamed = true;
    else if (e.version !== row.version) {
      throw new Problem('conflict', [], {
        ja: '他の職員が同じ世帯を変更しました。最新の記録を読み直してから再度届け出てください。',
        en: 'Someone else changed this household meanwhile: read it again and retry.',
      });
    }
  }
  if (unnamed) {
    throw new Problem('filing_rejected', [
      fieldError('body/householdVersions', 'version_required', {
        ja: '変更する世帯の版（version）を指定してください。',
        en: 'must give the version you read of every household the change touches',
      }),
    ]);
  }
}

/** The change's row, its effects and note sealed. */
export async function sealedChange(keys: MunicipalityKeys, changeId: string, p: Plan, ids: NamedIds, operatorId: string): Promise<Omit<ChangeRow, 'seq' | 'recordedAt'>> {
  const payload: ChangePayload = { effects: p.effects, note: p.note };
  return {
    id: changeId,
    kind: p.kind,
    eventDate: p.eventDate,
    filedOn: p.filedOn,
    reasonCode: p.reasonCode,
    late: p.late,
    operatorId,
    residentIds: ids.residentIds,
    householdIds: ids.householdIds,
    payloadSealed: await keys.seal(CHANGE_PAYLOAD.field(changeId), JSON.stringify(payload)),
  };
}

/** What a resident's current state is written as after a change: the sealed record, its unique blind indexes and its search terms. */
export async function residentWrite(keys: MunicipalityKeys, record: ResidentRecord): Promise<{ row: ResidentState; terms: SearchTerm[] }> {
  // The support measure lives in its own table; the sealed record never carries it.
  const stored: ResidentRecord = { ...record, supportMeasure: null };
  return {
    row: {
      id: record.id,
      householdId: record.householdId,
      state: record.state,
      recordSealed: await keys.seal(RESIDENT_RECORD.field(record.id), JSON.stringify(stored)),
      myNumberIndex: record.myNumber ? keys.blindIndex('my_number', record.myNumber) : null,
      residentCodeIndex: keys.blindIndex('resident_code', record.residentCode),
    },
    terms: searchTermsOf(keys, record),
  };
}

/** The linkage event of a change: ids, kind and dates, never personal data. */
export function changeEvent(changeId: string, p: Plan, ids: NamedIds): OutboxEvent {
  return {
    id: changeId,
    topic: `resident_register.${p.kind}`,
    payload: {
      changeId,
      kind: p.kind,
      reasonCode: p.reasonCode,
      eventDate: p.eventDate,
      residentIds: ids.residentIds,
      householdIds: ids.householdIds,
      ...(p.transferFrom ? { transferFrom: p.transferFrom } : {}),
    },
  };
}

/** A person as of a date (or as known at an instant), folded from the changes that touch them. */
export async function residentAsOf(db: pg.ClientBase, keys: MunicipalityKeys, id: string, options: { asOf?: string; knownAt?: string }): Promise<ResidentRecord | null> {
  const changes = await Promise.all((await changesTouching(db, [id], [])).map((c) => openChange(keys, c)));
  const state = foldChecked(changes, options);
  return state.persons.get(id) ?? null;
}

export interface HouseholdView {
  readonly household: Omit<HouseholdRecord, 'memberIds'>;
  /** Current members then, head first (see membersOf). */
  readonly members: ResidentRecord[];
}

/** A household as it stands, from the current state (no replay). */
export async function householdNow(db: pg.ClientBase, keys: MunicipalityKeys, row: HouseholdRow): Promise<HouseholdView> {
  const state = emptyState();
  state.households.set(row.id, await openHousehold(keys, row));
  for (const member of await membersOfHouseholds(db, [row.id])) state.persons.set(member.id, await openResident(keys, member));
  return { household: state.households.get(row.id)!, members: membersOf(state, row.id) };
}

/** A household as of a date, with the persons who were its members then, folded from the history. */
export async function householdAsOf(db: pg.ClientBase, keys: MunicipalityKeys, id: string, options: { asOf?: string; knownAt?: string }): Promise<HouseholdView | null> {
  const ofHousehold = await changesTouching(db, [], [id]);
  const personIds = [...new Set(ofHousehold.flatMap((c) => c.residentIds))];
  const changes = await Promise.all((await changesTouching(db, personIds, [id])).map((c) => openChange(keys, c)));
  const state = foldChecked(changes, options);
  const household = state.households.get(id);
  return household ? { household, members: membersOf(state, id) } : null;
}

function foldChecked(changes: readonly HistoricChange[], options: { asOf?: string; knownAt?: string }): RegisterState {
  try {
    return fold(changes, options);
  } catch (err) {
    if (err instanceof HistoryError) throw new Problem('history_inconsistent');
    throw err;
  }
}

/** Admits the read through the leak guard and records it; call inside the reading transaction. */
export async function auditRead(
  r: RegisterRequest,
  db: pg.ClientBase,
  kind: 'personal_data_read' | 'personal_data_search' | 'personal_data_print' | 'support_measure_disclosed',
  residentIds: readonly string[],
  extra: readonly { resource: string; ids: readonly string[] }[] = [],
): Promise<void> {
  await admitResidentViews(r.platform, r.request, db, residentIds);
  await r.record(kind, { purpose: r.tenant.purpose, records: [{ resource: 'residents', ids: residentIds }, ...extra] });
}
