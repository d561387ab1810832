/**
 * The register's tables in a cell. Every function takes a client from a tenant
 * transaction: row-level security confines it to one municipality, and rows
 * are written with the transaction's own municipality (current_municipality()).
 * Sealed columns hold ciphertext only; ./service.ts seals and opens them.
 */
import type pg from 'pg';
import { ENCRYPTED_COLUMNS } from '../security/keys/index.js';
import type { ChangeKind } from './changes.js';

export const RESIDENT_RECORD = ENCRYPTED_COLUMNS.register({ table: 'cell.residents', column: 'record_sealed' });
export const HOUSEHOLD_ADDRESS = ENCRYPTED_COLUMNS.register({ table: 'cell.households', column: 'address_sealed' });
export const CHANGE_PAYLOAD = ENCRYPTED_COLUMNS.register({ table: 'cell.resident_changes', column: 'payload_sealed' });

export interface ResidentRow {
  readonly id: string;
  readonly householdId: string;
  readonly state: 'current' | 'closed';
  readonly recordSealed: Buffer;
  readonly supportMeasure: boolean;
}

export interface HouseholdRow {
  readonly id: string;
  readonly headId: string;
  readonly state: 'current' | 'closed';
  readonly addressSealed: Buffer;
  readonly version: number;
}

export interface ChangeRow {
  readonly id: string;
  readonly seq: number;
  readonly kind: ChangeKind;
  readonly eventDate: string;
  readonly filedOn: string;
  readonly reasonCode: string;
  readonly late: boolean;
  readonly operatorId: string;
  readonly residentIds: readonly string[];
  readonly householdIds: readonly string[];
  readonly payloadSealed: Buffer;
  readonly recordedAt: string;
}

const RESIDENT_COLUMNS = 'id, household_id, state, record_sealed, support_measure';
const residentFrom = (r: { id: string; household_id: string; state: 'current' | 'closed'; record_sealed: Buffer; support_measure: boolean }): ResidentRow => ({
  id: r.id,
  householdId: r.household_id,
  state: r.state,
  recordSealed: r.record_sealed,
  supportMeasure: r.support_measure,
});

export async function residentsById(db: pg.ClientBase, ids: readonly string[]): Promise<ResidentRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query(`SELECT ${RESIDENT_COLUMNS} FROM cell.residents WHERE id = ANY($1::uuid[])`, [ids]);
  return rows.map(residentFrom);
}

/** Current members of the households. */
export async function membersOfHouseholds(db: pg.ClientBase, householdIds: readonly string[]): Promise<ResidentRow[]> {
  if (householdIds.length === 0) return [];
  const { rows } = await db.query(
    `SELECT ${RESIDENT_COLUMNS} FROM cell.residents WHERE household_id = ANY($1::uuid[]) AND state = 'current'`,
    [householdIds],
  );
  return rows.map(residentFrom);
}

const householdFrom = (r: { id: string; head_id: string; state: 'current' | 'closed'; address_sealed: Buffer; version: number }): HouseholdRow => ({
  id: r.id,
  headId: r.head_id,
  state: r.state,
  addressSealed: r.address_sealed,
  version: r.version,
});

/** The advisory-lock class of households (the other key is a hash of the household's id). */
const HOUSEHOLD_LOCK_CLASS = 4_812;

/**
 * Waits until no other transaction works on these households, then holds them
 * until this one ends. Taken before the transaction writes anything, so
 * before it has a transaction id: of two changes to one household, the one
 * that waited gets the later id, and the linkage feed, which orders events by
 * transaction id (cell migration 0009), delivers them in the order they
 * committed. (A row lock would give the waiting transaction its id before it
 * waits.) In hash order, so that two filings never deadlock.
 */
export async function holdHouseholds(db: pg.ClientBase, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `SELECT pg_advisory_xact_lock(${HOUSEHOLD_LOCK_CLASS}, k)
       FROM (SELECT DISTINCT hashtext(id::text) AS k FROM unnest($1::uuid[]) AS id ORDER BY k) AS keys`,
    [ids],
  );
}

/**
 * Households by id; with `lock`, locked for the rest of the transaction, in id
 * order so that two filings never deadlock.
 */
export async function householdsById(db: pg.ClientBase, ids: readonly string[], options: { lock?: boolean } = {}): Promise<HouseholdRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query(
    `SELECT id, head_id, state, address_sealed, version FROM cell.households WHERE id = ANY($1::uuid[])${options.lock ? ' ORDER BY id FOR UPDATE' : ''}`,
    [[...new Set(ids)]],
  );
  return rows.map(householdFrom);
}

/**
 * Many new changes at once (a bulk load), in the order given; returns each
 * change's position in the history by id.
 */
export async function insertChanges(db: pg.ClientBase, changes: readonly Omit<ChangeRow, 'seq' | 'recordedAt'>[]): Promise<Map<string, number>> {
  if (changes.length === 0) return new Map();
  const col = <K extends keyof Omit<ChangeRow, 'seq' | 'recordedAt'>>(k: K) => changes.map((c) => c[k]);
  // Arrays of arrays of different lengths cannot be unnested: the id lists travel as comma-separated text.
  const { rows } = await db.query<{ id: string; seq: string }>(
    `INSERT INTO cell.resident_changes (municipality_code, id, kind, event_date, filed_on, reason_code, late, operator_id,
                                        resident_ids, household_ids, payload_sealed)
     SELECT cell.current_municipality(), id, kind, event_date, filed_on, reason_code, late, operator_id,
            string_to_array(resident_ids, ',')::uuid[], string_to_array(household_ids, ',')::uuid[], payload_sealed
       FROM unnest($1::uuid[], $2::text[], $3::date[], $4::date[], $5::text[], $6::boolean[], $7::uuid[], $8::text[], $9::text[], $10::bytea[])
            WITH ORDINALITY AS c(id, kind, event_date, filed_on, reason_code, late, operator_id, resident_ids, household_ids, payload_sealed, n)
      ORDER BY n
     RETURNING id, seq`,
    [
      col('id'),
      col('kind'),
      col('eventDate'),
      col('filedOn'),
      col('reasonCode'),
      col('late'),
      col('operatorId'),
      changes.map((c) => c.residentIds.join(',')),
      changes.map((c) => c.householdIds.join(',')),
      col('payloadSealed'),
    ],
  );
  return new Map(rows.map((r) => [r.id, Number(r.seq)]));
}

/** A resident's current-state row as written: sealed record and the blind indexes that must stay unique. */
export interface ResidentWrite {
  readonly id: string;
  readonly householdId: string;
  readonly state: string;
  readonly recordSealed: Buffer;
  readonly myNumberIndex: Buffer | null;
  readonly residentCodeIndex: Buffer;
  readonly seq: number;
}

/** Many residents new to the register at once (a bulk load). */
export async function insertResidents(db: pg.ClientBase, residents: readonly ResidentWrite[]): Promise<void> {
  if (residents.length === 0) return;
  const col = <K extends keyof ResidentWrite>(k: K) => residents.map((r) => r[k]);
  await db.query(
    `INSERT INTO cell.residents (municipality_code, id, household_id, state, record_sealed, my_number_index, resident_code_index, last_change_seq)
     SELECT cell.current_municipality(), * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[], $5::bytea[], $6::bytea[], $7::bigint[])`,
    [col('id'), col('householdId'), col('state'), col('recordSealed'), col('myNumberIndex'), col('residentCodeIndex'), col('seq')],
  );
}

/** Many households new to the register at once (a bulk load), at version 1. */
export async function insertHouseholds(db: pg.ClientBase, households: readonly HouseholdState[]): Promise<void> {
  if (households.length === 0) return;
  await db.query(
    `INSERT INTO cell.households (municipality_code, id, head_id, state, address_sealed)
     SELECT cell.current_municipality(), * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[])`,
    [households.map((h) => h.id), households.map((h) => h.headId), households.map((h) => h.state), households.map((h) => h.addressSealed)],
  );
}

/** Search terms of residents new to the register (a bulk load). */
export async function insertSearchTerms(db: pg.ClientBase, terms: readonly { residentId: string; kind: string; term: Buffer }[]): Promise<void> {
  if (terms.length === 0) return;
  await db.query(
    `INSERT INTO cell.resident_search_terms (municipality_code, kind, term, resident_id)
     SELECT cell.current_municipality(), k, t, r FROM unnest($1::text[], $2::bytea[], $3::uuid[]) AS x(k, t, r) ON CONFLICT DO NOTHING`,
    [terms.map((t) => t.kind), terms.map((t) => t.term), terms.map((t) => t.residentId)],
  );
}

/** A resident's state after a change, the change's position still unknown. */
export type ResidentState = Omit<ResidentWrite, 'seq'>;

/** A household's state after a change. */
export interface HouseholdState {
  readonly id: string;
  readonly headId: string;
  readonly state: string;
  readonly addressSealed: Buffer;
}

/**
 * Everything one filed change writes, in one statement (one round trip, where
 * a statement per row took ten and more): the change, its residents' new
 * state (each stamped with the change's position), their search terms, its
 * households (an existing one gets version + 1) and its outbox events.
 *
 * Search terms are brought to the new set rather than deleted and inserted
 * again: those no longer true are deleted, the new ones inserted, and the ones
 * that stay are not touched (no row is changed twice in the statement, and a
 * move within rewrites only its address terms). Residents and households must
 * each be named once.
 */
export async function writeChange(
  db: pg.ClientBase,
  c: Omit<ChangeRow, 'seq' | 'recordedAt'>,
  written: {
    residents: readonly ResidentState[];
    terms: readonly { residentId: string; kind: string; term: Buffer }[];
    households: readonly HouseholdState[];
    events: readonly OutboxEvent[];
  },
): Promise<{ seq: number; recordedAt: string; householdVersions: Map<string, number> }> {
  const { residents, terms, households, events } = written;
  const { rows } = await db.query<{ seq: string; recorded_at: Date; households: [string, number][] }>(
    `WITH change AS (
       INSERT INTO cell.resident_changes (municipality_code, id, kind, event_date, filed_on, reason_code, late, operator_id,
                                          resident_ids, household_ids, payload_sealed)
       VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6, $7, $8::uuid[], $9::uuid[], $10)
       RETURNING seq, recorded_at
     ), residents AS (
       INSERT INTO cell.residents (municipality_code, id, household_id, state, record_sealed, my_number_index, resident_code_index, last_change_seq)
       SELECT cell.current_municipality(), r.*, (SELECT seq FROM change)
         FROM unnest($11::uuid[], $12::uuid[], $13::text[], $14::bytea[], $15::bytea[], $16::bytea[]) AS r
       ON CONFLICT (municipality_code, id) DO UPDATE SET household_id = EXCLUDED.household_id, state = EXCLUDED.state,
         record_sealed = EXCLUDED.record_sealed, my_number_index = EXCLUDED.my_number_index,
         resident_code_index = EXCLUDED.resident_code_index, last_change_seq = EXCLUDED.last_change_seq, updated_at = now()
       RETURNING 1
     ), terms AS (
       SELECT * FROM unnest($17::text[], $18::bytea[], $19::uuid[]) AS x(kind, term, resident_id)
     ), stale_terms AS (
       DELETE FROM cell.resident_search_terms t
        WHERE t.resident_id = ANY($11::uuid[])
          AND NOT EXISTS (SELECT 1 FROM terms n WHERE n.kind = t.kind AND n.term = t.term AND n.resident_id = t.resident_id)
       RETURNING 1
     ), new_terms AS (
       INSERT INTO cell.resident_search_terms (municipality_code, kind, term, resident_id)
       SELECT cell.current_municipality(), kind, term, resident_id FROM terms ON CONFLICT DO NOTHING
       RETURNING 1
     ), households AS (
       INSERT INTO cell.households (municipality_code, id, head_id, state, address_sealed)
       SELECT cell.current_municipality(), h.* FROM unnest($20::uuid[], $21::uuid[], $22::text[], $23::bytea[]) AS h
       ON CONFLICT (municipality_code, id) DO UPDATE SET head_id = EXCLUDED.head_id, state = EXCLUDED.state,
         address_sealed = EXCLUDED.address_sealed, version = cell.households.version + 1, updated_at = now()
       RETURNING id, version
     ), events AS (
       INSERT INTO cell.outbox (municipality_code, id, topic, payload)
       SELECT cell.current_municipality(), id, topic, payload
         FROM unnest($24::uuid[], $25::text[], $26::jsonb[]) WITH ORDINALITY AS e(id, topic, payload, n) ORDER BY n
       RETURNING 1
     ), woken AS (
       -- Delivered at commit (only then): wakes the linkage workers instead of their waiting for the next poll.
       SELECT pg_notify('${OUTBOX_CHANNEL}', cell.current_municipality()) WHERE EXISTS (SELECT 1 FROM events)
     )
     SELECT seq, recorded_at, (SELECT coalesce(json_agg(json_build_array(id, version)), '[]') FROM households) AS households,
            (SELECT count(*) FROM woken) AS woken
       FROM change`,
    [
      c.id,
      c.kind,
      c.eventDate,
      c.filedOn,
      c.reasonCode,
      c.late,
      c.operatorId,
      c.residentIds,
      c.householdIds,
      c.payloadSealed,
      residents.map((r) => r.id),
      residents.map((r) => r.householdId),
      residents.map((r) => r.state),
      residents.map((r) => r.recordSealed),
      residents.map((r) => r.myNumberIndex),
      residents.map((r) => r.residentCodeIndex),
      terms.map((t) => t.kind),
      terms.map((t) => t.term),
      terms.map((t) => t.residentId),
      households.map((h) => h.id),
      households.map((h) => h.headId),
      households.map((h) => h.state),
      households.map((h) => h.addressSealed),
      events.map((e) => e.id),
      events.map((e) => e.topic),
      events.map((e) => JSON.stringify(e.payload)),
    ],
  );
  const row = rows[0]!;
  return { seq: Number(row.seq), recordedAt: row.recorded_at.toISOString(), householdVersions: new Map(row.households) };
}

/**
 * Ids of residents matching every group of terms (each group matches if any
 * of its terms does), optionally current only, in id order after `after`.
 *
 * One group drives the scan, the others are checked per candidate. A group of
 * a single term is preferred to drive: its index entries (kind, term,
 * resident_id) come in resident-id order, so a page stops after `limit` rows
 * instead of collecting and sorting every match (a common family name has
 * thousands in a large municipality).
 */
/** Beyond this many alternatives in the driving group, one scan collects and sorts all its matches. */
const MAX_MERGED_TERMS = 16;

export async function searchByTerms(
  db: pg.ClientBase,
  groups: readonly (readonly { kind: string; term: Buffer }[])[],
  options: { includeClosed: boolean; after?: string; limit: number },
): Promise<string[]> {
  if (groups.length === 0) throw new TypeError('a search needs at least one group of terms');
  const args: unknown[] = [];
  const param = (value: unknown, type: string) => {
    args.push(value);
    return `$${args.length}::${type}`;
  };
  // The smallest group drives: a single term best (see above).
  const drivingIndex = groups.reduce((best, g, i) => (g.length < groups[best]!.length ? i : best), 0);
  const driving = groups[drivingIndex]!;
  const others = groups.filter((_, i) => i !== drivingIndex);
  const limit = param(options.limit, 'integer');
  const after = options.after !== undefined ? param(options.after, 'uuid') : null;
  const alsoMatches = others.map(
    (group) => `EXISTS (SELECT 1 FROM cell.resident_search_terms x
                         JOIN unnest(${param(group.map((x) => x.kind), 'text[]')}, ${param(group.map((x) => x.term), 'bytea[]')}) AS q(kind, term)
                           ON x.kind = q.kind AND x.term = q.term
                        WHERE x.resident_id = t.resident_id)`,
  );
  const shared = [...(after ? [`t.resident_id > ${after}`] : []), ...(options.includeClosed ? [] : ["r.state = 'current'"]), ...alsoMatches];
  /** The first `limit` residents, in id order, whose terms match `matches`: an ordered index scan that stops there. */
  const page = (matches: string) =>
    `SELECT t.resident_id AS id
       FROM cell.resident_search_terms t JOIN cell.residents r ON r.id = t.resident_id
      WHERE ${[matches, ...shared].join('\n        AND ')}
      ORDER BY t.resident_id LIMIT ${limit}`;
  const termMatch = (x: { kind: string; term: Buffer }) => `t.kind = ${param(x.kind, 'text')} AND t.term = ${param(x.term, 'bytea')}`;
  let sql: string;
  if (driving.length === 1) sql = page(termMatch(driving[0]!));
  else if (driving.length <= MAX_MERGED_TERMS) {
    // Each term's first page, merged: the page of the whole group is among them (a resident matching
    // several terms appears once). Collecting every match of a common family name and sorting it
    // instead took 2,000 rows at 1,000,000 residents.
    sql = `SELECT DISTINCT id FROM (${driving.map((x) => `(${page(termMatch(x))})`).join(' UNION ALL ')}) AS pages ORDER BY id LIMIT ${limit}`;
  } else {
    const matches = `(t.kind, t.term) IN (SELECT * FROM unnest(${param(driving.map((x) => x.kind), 'text[]')}, ${param(driving.map((x) => x.term), 'bytea[]')}))`;
    sql = `SELECT DISTINCT t.resident_id AS id
             FROM cell.resident_search_terms t JOIN cell.residents r ON r.id = t.resident_id
            WHERE ${[matches, ...shared].join('\n        AND ')}
            ORDER BY t.resident_id LIMIT ${limit}`;
  }
  const { rows } = await db.query<{ id: string }>(sql, args);
  return rows.map((r) => r.id);
}

const CHANGE_COLUMNS = `id, seq, kind, to_char(event_date, 'YYYY-MM-DD') AS event_date, to_char(filed_on, 'YYYY-MM-DD') AS filed_on,
  reason_code, late, operator_id, resident_ids, household_ids, payload_sealed, recorded_at`;
interface ChangeSqlRow {
  id: string;
  seq: string;
  kind: ChangeKind;
  event_date: string;
  filed_on: string;
  reason_code: string;
  late: boolean;
  operator_id: string;
  resident_ids: string[];
  household_ids: string[];
  payload_sealed: Buffer;
  recorded_at: Date;
}
const changeFrom = (r: ChangeSqlRow): ChangeRow => ({
  id: r.id,
  seq: Number(r.seq),
  kind: r.kind,
  eventDate: r.event_date,
  filedOn: r.filed_on,
  reasonCode: r.reason_code,
  late: r.late,
  operatorId: r.operator_id,
  residentIds: r.resident_ids,
  householdIds: r.household_ids,
  payloadSealed: r.payload_sealed,
  recordedAt: r.recorded_at.toISOString(),
});

/** Changes that touch any of the residents or households, in recording order. */
export async function changesTouching(db: pg.ClientBase, residentIds: readonly string[], householdIds: readonly string[]): Promise<ChangeRow[]> {
  const { rows } = await db.query<ChangeSqlRow>(
    `SELECT ${CHANGE_COLUMNS} FROM cell.resident_changes
      WHERE resident_ids && $1::uuid[] OR household_ids && $2::uuid[] ORDER BY seq`,
    [residentIds, householdIds],
  );
  return rows.map(changeFrom);
}

export async function changeById(db: pg.ClientBase, id: string): Promise<ChangeRow | null> {
  const { rows } = await db.query<ChangeSqlRow>(`SELECT ${CHANGE_COLUMNS} FROM cell.resident_changes WHERE id = $1`, [id]);
  return rows[0] ? changeFrom(rows[0]) : null;
}

/** Whether any change after seq touches these residents or households. */
export async function touchedSince(db: pg.ClientBase, seq: number, residentIds: readonly string[], householdIds: readonly string[]): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM cell.resident_changes WHERE seq > $1 AND (resident_ids && $2::uuid[] OR household_ids && $3::uuid[]) LIMIT 1`,
    [seq, residentIds, householdIds],
  );
  return rows.length > 0;
}

/** The next number of a certificate series for the year, e.g. T2026-000123 (T: move-out). */
export async function nextCertificateNumber(db: pg.ClientBase, series: string, year: number): Promise<string> {
  if (!/^[A-Z]$/.test(series)) throw new TypeError('a certificate series is one capital letter');
  const { rows } = await db.query<{ n: number }>(
    `INSERT INTO cell.certificate_counters (municipality_code, series, year, next) VALUES (cell.current_municipality(), $1, $2, 2)
     ON CONFLICT (municipality_code, series, year) DO UPDATE SET next = cell.certificate_counters.next + 1
     RETURNING next - 1 AS n`,
    [series, year],
  );
  return `${series}${year}-${String(rows[0]!.n).padStart(6, '0')}`;
}

export async function insertMoveOutCertificate(db: pg.ClientBase, c: { number: string; changeId: string; residentIds: readonly string[]; issuedOn: string }): Promise<void> {
  await db.query(
    `INSERT INTO cell.move_out_certificates (municipality_code, number, change_id, resident_ids, issued_on)
     VALUES (cell.current_municipality(), $1, $2, $3::uuid[], $4)`,
    [c.number, c.changeId, c.residentIds, c.issuedOn],
  );
}

export interface MoveOutCertificateRow {
  readonly number: string;
  readonly changeId: string;
  readonly residentIds: string[];
  readonly issuedOn: string;
  readonly cancelled: boolean;
  /** The move-in notice from the municipality moved to (転入通知), once received. */
  readonly movedIn: { readonly municipalityCode: string; readonly changeId: string; readonly on: string } | null;
}

type MoveOutSqlRow = { number: string; change_id: string; resident_ids: string[]; issued_on: string; cancelled: boolean; moved_in_municipality: string | null; moved_in_change_id: string | null; moved_in_on: string | null };
const MOVE_OUT_COLUMNS = `number, change_id, resident_ids, to_char(issued_on, 'YYYY-MM-DD') AS issued_on, cancelled,
  moved_in_municipality, moved_in_change_id, to_char(moved_in_on, 'YYYY-MM-DD') AS moved_in_on`;
const moveOutFrom = (r: MoveOutSqlRow): MoveOutCertificateRow => ({
  number: r.number,
  changeId: r.change_id,
  residentIds: r.resident_ids,
  issuedOn: r.issued_on,
  cancelled: r.cancelled,
  movedIn: r.moved_in_municipality && r.moved_in_change_id && r.moved_in_on ? { municipalityCode: r.moved_in_municipality, changeId: r.moved_in_change_id, on: r.moved_in_on } : null,
});

export async function moveOutCertificate(db: pg.ClientBase, number: string): Promise<MoveOutCertificateRow | null> {
  const { rows } = await db.query<MoveOutSqlRow>(`SELECT ${MOVE_OUT_COLUMNS} FROM cell.move_out_certificates WHERE number = $1`, [number]);
  return rows[0] ? moveOutFrom(rows[0]) : null;
}

/** The latest standing move-out certificate of the resident with this resident-code blind index, if any. */
export async function moveOutCertificateOfResidentCode(db: pg.ClientBase, residentCodeIndex: Buffer): Promise<MoveOutCertificateRow | null> {
  const { rows } = await db.query<MoveOutSqlRow>(
    `SELECT ${MOVE_OUT_COLUMNS} FROM cell.move_out_certificates
      WHERE NOT cancelled AND resident_ids && ARRAY(SELECT id FROM cell.residents WHERE resident_code_index = $1)
      ORDER BY issued_on DESC, number DESC LIMIT 1`,
    [residentCodeIndex],
  );
  return rows[0] ? moveOutFrom(rows[0]) : null;
}

/** Records the move-in notice on the move-out certificate; false when one was already recorded (the notice came twice). */
export async function noticeMoveIn(db: pg.ClientBase, number: string, n: { municipalityCode: string; changeId: string; on: string }): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE cell.move_out_certificates SET moved_in_municipality = $2, moved_in_change_id = $3, moved_in_on = $4, noticed_at = now()
      WHERE number = $1 AND moved_in_change_id IS NULL`,
    [number, n.municipalityCode, n.changeId, n.on],
  );
  return rowCount === 1;
}

/** A move-out record released to another municipality (its side of the exchange). */
export async function recordMoveOutRelease(db: pg.ClientBase, r: { number: string; releasedTo: string; requestedBy: string }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO cell.move_out_releases (municipality_code, id, certificate_number, released_to, requested_by)
     VALUES (cell.current_municipality(), gen_random_uuid(), $1, $2, $3) RETURNING id`,
    [r.number, r.releasedTo, r.requestedBy],
  );
  return rows[0]!.id;
}

/** A move-out record received from another municipality, which one move-in may use; returns its id. */
export async function recordMoveInTransfer(db: pg.ClientBase, t: { fromMunicipality: string; number: string; requestedBy: string }): Promise<{ id: string; used: boolean }> {
  const { rows } = await db.query<{ id: string; used: boolean }>(
    `INSERT INTO cell.move_in_transfers (municipality_code, id, from_municipality, certificate_number, requested_by)
     VALUES (cell.current_municipality(), gen_random_uuid(), $1, $2, $3)
     ON CONFLICT (municipality_code, from_municipality, certificate_number) DO UPDATE SET requested_by = EXCLUDED.requested_by, requested_at = now()
     RETURNING id, used_at IS NOT NULL AS used`,
    [t.fromMunicipality, t.number, t.requestedBy],
  );
  return rows[0]!;
}

/** Marks a received move-out record used by a move-in; false when there is none unused. */
export async function claimMoveInTransfer(db: pg.ClientBase, fromMunicipality: string, number: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE cell.move_in_transfers SET used_at = now() WHERE from_municipality = $1 AND certificate_number = $2 AND used_at IS NULL',
    [fromMunicipality, number],
  );
  return rowCount === 1;
}

export async function cancelMoveOutCertificates(db: pg.ClientBase, changeId: string): Promise<void> {
  await db.query('UPDATE cell.move_out_certificates SET cancelled = true WHERE change_id = $1', [changeId]);
}

export interface OutboxEvent {
  readonly id: string;
  readonly topic: string;
  readonly payload: unknown;
}

/** Events for linkage, in the changes' transaction, in the order given; ids only. */
/** The channel on which a cell announces, at commit, that a municipality's outbox has new events (the payload is its code). */
export const OUTBOX_CHANNEL = 'municloud_outbox';

export async function appendOutbox(db: pg.ClientBase, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `WITH events AS (
       INSERT INTO cell.outbox (municipality_code, id, topic, payload)
       SELECT cell.current_municipality(), id, topic, payload FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS e(id, topic, payload, n) ORDER BY n
       RETURNING 1
     )
     SELECT pg_notify('${OUTBOX_CHANNEL}', cell.current_municipality()) WHERE EXISTS (SELECT 1 FROM events)`,
    [events.map((e) => e.id), events.map((e) => e.topic), events.map((e) => JSON.stringify(e.payload))],
  );
}

export async function setSupportMeasureFlag(db: pg.ClientBase, residentId: string, on: boolean): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE cell.residents SET support_measure = $2 WHERE id = $1', [residentId, on]);
  return rowCount === 1;
}

export interface SupportMeasureRow {
  readonly id: string;
  readonly residentId: string;
  readonly since: string;
  readonly until: string | null;
  readonly decidedBy: string;
  readonly endedAt: string | null;
}

export async function openSupportMeasure(db: pg.ClientBase, residentId: string): Promise<SupportMeasureRow | null> {
  const { rows } = await db.query(
    `SELECT id, resident_id, to_char(since, 'YYYY-MM-DD') AS since, to_char(until, 'YYYY-MM-DD') AS until, decided_by, ended_at
       FROM cell.support_measures WHERE resident_id = $1 AND ended_at IS NULL`,
    [residentId],
  );
  const r = rows[0];
  return r ? { id: r.id, residentId: r.resident_id, since: r.since, until: r.until, decidedBy: r.decided_by, endedAt: r.ended_at?.toISOString() ?? null } : null;
}

export async function insertSupportMeasure(db: pg.ClientBase, m: { residentId: string; since: string; until: string | null; decidedBy: string }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO cell.support_measures (municipality_code, resident_id, since, until, decided_by)
     VALUES (cell.current_municipality(), $1, $2, $3, $4) RETURNING id`,
    [m.residentId, m.since, m.until, m.decidedBy],
  );
  return rows[0]!.id;
}

export async function endSupportMeasure(db: pg.ClientBase, residentId: string, endedBy: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE cell.support_measures SET ended_at = now(), ended_by = $2 WHERE resident_id = $1 AND ended_at IS NULL',
    [residentId, endedBy],
  );
  return rowCount === 1;
}

/** Changes, newest first, after a position (seq) and a filter on non-personal columns. */
export async function listChanges(
  db: pg.ClientBase,
  filter: { kind: string | null; late: boolean | null; recordedFrom: string | null },
  page: { limit: number; beforeSeq?: number },
): Promise<{ items: ChangeRow[]; total: number }> {
  const args: unknown[] = [filter.kind, filter.late, filter.recordedFrom];
  const where = `($1::text IS NULL OR kind = $1) AND ($2::boolean IS NULL OR late = $2) AND ($3::timestamptz IS NULL OR recorded_at >= $3)`;
  const total = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM cell.resident_changes WHERE ${where}`, args);
  args.push(page.beforeSeq ?? null, page.limit);
  const { rows } = await db.query<ChangeSqlRow>(
    `SELECT ${CHANGE_COLUMNS} FROM cell.resident_changes WHERE ${where} AND ($4::bigint IS NULL OR seq < $4) ORDER BY seq DESC LIMIT $5`,
    args,
  );
  return { items: rows.map(changeFrom), total: Number(total.rows[0]!.n) };
}
