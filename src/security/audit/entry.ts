/**
 * An audit entry: who did what to which records, for which municipality and
 * purpose, when, from where, and with what outcome. Pure.
 *
 * Entries hold identifiers and codes, never contents. The grammar enforces it:
 * every string is a UUID, a code, an identifier, an IP address or a timestamp,
 * all ASCII, none free text, so a name, an address or a search term cannot be
 * written into the log by mistake. Long all-digit identifiers are refused too:
 * a My Number (12 digits) or a resident code (住民票コード, 11 digits) is
 * personal data, and records are named by the platform's own ids instead.
 */
import { isIP } from 'node:net';
import { ROLES, type Role } from '../../identity/roles.js';
import { isWellFormedCode } from '../../organizations/local-government-code.js';
import { ENTRY_KINDS, isEntryKind, NETWORK_ZONES, OUTCOMES, type EntryKind, type NetworkZone, type Outcome } from './catalogue.js';

export const ENTRY_VERSION = 1;

export interface Actor {
  /** The account, or null when there is none (a failed login of an unknown name, the platform itself). */
  readonly account: string | null;
  readonly roles: readonly Role[];
  readonly organization: string | null;
}

export interface RecordRef {
  /** Table or resource name: `residents`, `cell.offices`, `accounts`. */
  readonly resource: string;
  readonly ids: readonly string[];
}

export interface Source {
  readonly zone: NetworkZone;
  readonly address: string | null;
}

export interface EntryOutcome {
  readonly result: Outcome;
  /** A reason code; required unless the result is success. */
  readonly reason: string | null;
}

export interface AuditEntry {
  readonly v: typeof ENTRY_VERSION;
  readonly kind: EntryKind;
  /** ISO 8601, UTC, milliseconds: 2026-11-21T09:30:00.000Z. */
  readonly at: string;
  readonly actor: Actor;
  /** The municipality whose data or settings were concerned; null for platform-wide actions. */
  readonly municipality: string | null;
  /** The declared purpose code (利用目的), or null where none is declared. */
  readonly purpose: string | null;
  readonly records: readonly RecordRef[];
  readonly source: Source;
  readonly outcome: EntryOutcome;
  /** The request id (x-request-id), to find the request in the service logs. */
  readonly request: string | null;
}

/** What a caller supplies; the rest has defaults. */
export interface AuditEntryInput {
  readonly kind: EntryKind;
  readonly actor: Actor;
  readonly municipality: string | null;
  readonly source: Source;
  readonly outcome: EntryOutcome;
  readonly at?: Date | string;
  readonly purpose?: string | null;
  readonly records?: readonly RecordRef[];
  readonly request?: string | null;
}

export class AuditEntryError extends Error {
  constructor(
    /** Where in the entry: `actor.account`, `records[0].ids[3]`. */
    readonly field: string,
    readonly rule: string,
  ) {
    super(`audit entry field ${field} breaks rule ${rule}`);
  }
}

export const LIMITS = { recordGroups: 16, ids: 1000 } as const;

const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const LONG_DIGITS = /^[0-9]{11,}$/;
const RESOURCE = /^[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,31})?$/;
const PURPOSE = /^[a-z][a-z0-9_.-]{0,63}$/;
const REASON = /^[a-z][a-z0-9_]{0,63}$/;
const TIMESTAMP = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.[0-9]{3}Z$/;

const fail = (field: string, rule: string): never => {
  throw new AuditEntryError(field, rule);
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Exactly these keys: an extra key is how free text would get in. */
function exactKeys(v: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  onlyKeys(v, field, keys);
  for (const k of keys) if (!(k in (v as object))) fail(field ? `${field}.${k}` : k, 'required');
  return v as Record<string, unknown>;
}

function onlyKeys(v: unknown, field: string, keys: readonly string[]): void {
  if (!isPlainObject(v)) return void fail(field, 'object');
  for (const k in v) if (!keys.includes(k)) fail(field ? `${field}.${k}` : k, 'unknown_field');
}

/**
 * A rule: the name of the rule a value breaks, or null. Field names are built
 * only when something fails; validation runs for every entry appended.
 */
type Rule = (v: unknown) => string | null;

function check(v: unknown, field: string, rule: Rule): void {
  const broken = rule(v);
  if (broken) fail(field, broken);
}

const nullable =
  (rule: Rule): Rule =>
  (v) =>
    v === null ? null : rule(v);

const matching =
  (pattern: RegExp, name: string): Rule =>
  (v) =>
    typeof v === 'string' && pattern.test(v) ? null : name;

const oneOf =
  (values: readonly string[], name: string): Rule =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? null : name;

/** A lower-case UUID, by character codes: three of them are checked per entry appended. */
const uuid: Rule = (v) => {
  if (typeof v !== 'string' || v.length !== 36) return 'uuid';
  for (let i = 0; i < 36; i++) {
    const c = v.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return 'uuid';
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return 'uuid';
  }
  return null;
};
const purposeCode = matching(PURPOSE, 'purpose_code');
const reasonCode = matching(REASON, 'reason_code');
const resourceName = matching(RESOURCE, 'resource_name');
const role = oneOf(ROLES, 'role');
const zone = oneOf(NETWORK_ZONES, 'network_zone');
const result = oneOf(OUTCOMES, 'outcome');
const organizationCode: Rule = (v) => (typeof v === 'string' && isWellFormedCode(v) ? null : 'organization_code');
const optionalUuid = nullable(uuid);
const optionalOrganization = nullable(organizationCode);
const optionalPurpose = nullable(purposeCode);
const optionalReason = nullable(reasonCode);
const recordId: Rule = (v) => (typeof v !== 'string' || !RECORD_ID.test(v) ? 'record_id' : LONG_DIGITS.test(v) ? 'not_personal_number' : null);
const address: Rule = (v) => (typeof v === 'string' && v.length <= 45 && isIP(v) !== 0 && v === v.toLowerCase() ? null : 'ip_address');
const optionalAddress = nullable(address);

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real UTC instant in toISOString's exact form; checked field by field, as a Date round trip costs more. */
const timestamp: Rule = (v) => {
  const m = typeof v === 'string' ? TIMESTAMP.exec(v) : null;
  if (!m) return 'timestamp';
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  return days !== undefined && day >= 1 && day <= days && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60 ? null : 'timestamp';
};

function checkList(v: unknown, field: string, max: number, rule: Rule): unknown[] {
  if (!Array.isArray(v)) return fail(field, 'array');
  if (v.length > max) fail(field, 'max_items');
  for (let i = 0; i < v.length; i++) {
    const broken = rule(v[i]);
    if (broken) fail(`${field}[${i}]`, broken);
  }
  return v;
}

const TOP_KEYS = ['v', 'kind', 'at', 'actor', 'municipality', 'purpose', 'records', 'source', 'outcome', 'request'];
const ACTOR_KEYS = ['account', 'roles', 'organization'];
const RECORD_KEYS = ['resource', 'ids'];
const SOURCE_KEYS = ['zone', 'address'];
const OUTCOME_KEYS = ['result', 'reason'];

/**
 * Checks a complete entry (e.g. one parsed back from a leaf) and returns it
 * typed. Throws AuditEntryError naming the first field that breaks a rule.
 */
export function validateEntry(value: unknown): AuditEntry {
  const e = exactKeys(value, '', TOP_KEYS);
  exactKeys(e.actor, 'actor', ACTOR_KEYS);
  exactKeys(e.source, 'source', SOURCE_KEYS);
  exactKeys(e.outcome, 'outcome', OUTCOME_KEYS);
  if (Array.isArray(e.records)) e.records.forEach((r, i) => exactKeys(r, `records[${i}]`, RECORD_KEYS));
  return checkValues(e as unknown as AuditEntry, false);
}

/** Every value against its rule, for an entry whose key sets are already known to be right. */
function checkValues(e: AuditEntry, atFromDate: boolean): AuditEntry {
  if (e.v !== ENTRY_VERSION) fail('v', 'version');
  if (typeof e.kind !== 'string' || !isEntryKind(e.kind)) return fail('kind', 'entry_kind');
  const spec = ENTRY_KINDS[e.kind];
  // toISOString's output needs no second look.
  if (!atFromDate) check(e.at, 'at', timestamp);

  check(e.actor.account, 'actor.account', optionalUuid);
  const roles = checkList(e.actor.roles, 'actor.roles', ROLES.length, role) as string[];
  for (let i = 1; i < roles.length; i++) if (roles[i]! <= roles[i - 1]!) fail('actor.roles', 'sorted_unique');
  check(e.actor.organization, 'actor.organization', optionalOrganization);

  check(e.municipality, 'municipality', optionalOrganization);
  if (e.municipality === null && spec.municipality === 'required') fail('municipality', 'required_for_kind');
  check(e.purpose, 'purpose', optionalPurpose);

  const records = checkList(e.records, 'records', LIMITS.recordGroups, (r) => (isPlainObject(r) ? null : 'object')) as RecordRef[];
  let ids = 0;
  for (let i = 0; i < records.length; i++) {
    check(records[i]!.resource, `records[${i}].resource`, resourceName);
    ids += checkList(records[i]!.ids, `records[${i}].ids`, LIMITS.ids, recordId).length;
  }
  if (ids > LIMITS.ids) fail('records', 'max_ids');
  if (records.length === 0 && spec.records === 'required') fail('records', 'required_for_kind');

  check(e.source.zone, 'source.zone', zone);
  check(e.source.address, 'source.address', optionalAddress);

  check(e.outcome.result, 'outcome.result', result);
  check(e.outcome.reason, 'outcome.reason', optionalReason);
  if (e.outcome.result !== 'success' && e.outcome.reason === null) fail('outcome.reason', 'required_unless_success');

  check(e.request, 'request', optionalUuid);
  return e;
}

const lower = (s: string | null | undefined) => (typeof s === 'string' ? s.toLowerCase() : (s ?? null));
const ANY_CASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** UUIDs in lower case, so one record has one id; other ids are case-sensitive and kept. */
const canonicalId = (id: unknown) => (typeof id === 'string' && ANY_CASE_UUID.test(id) ? id.toLowerCase() : id);

/**
 * Builds the stored form of an entry from what a caller supplies: defaults
 * filled in, roles sorted, ids and addresses in their canonical case. Then
 * validates it, so an entry that would be refused later is refused now, while
 * the caller can still fail its request.
 */
export function normalizeEntry(input: AuditEntryInput, now: () => Date = () => new Date()): AuditEntry {
  // Refuse fields the entry has no place for rather than drop them: a caller passing one believes it is recorded.
  onlyKeys(input, '', ['kind', 'actor', 'municipality', 'source', 'outcome', 'at', 'purpose', 'records', 'request']);
  onlyKeys(input.actor, 'actor', ACTOR_KEYS);
  onlyKeys(input.source, 'source', SOURCE_KEYS);
  onlyKeys(input.outcome, 'outcome', OUTCOME_KEYS);
  (input.records ?? []).forEach((r, i) => onlyKeys(r, `records[${i}]`, RECORD_KEYS));
  const at = input.at === undefined ? now().toISOString() : input.at instanceof Date ? input.at.toISOString() : input.at;
  const roles = input.actor?.roles;
  const entry = {
    v: ENTRY_VERSION,
    kind: input.kind,
    at,
    actor: {
      account: lower(input.actor?.account),
      roles: Array.isArray(roles) ? (roles.length < 2 ? [...roles] : [...new Set(roles)].sort()) : roles,
      organization: input.actor?.organization ?? null,
    },
    municipality: input.municipality ?? null,
    purpose: input.purpose ?? null,
    records: (input.records ?? []).map((r) => (isPlainObject(r) && Array.isArray(r.ids) ? { resource: r.resource, ids: r.ids.map(canonicalId) } : r)),
    source: { zone: input.source?.zone, address: lower(input.source?.address) },
    outcome: { result: input.outcome?.result, reason: input.outcome?.reason ?? null },
    request: lower(input.request),
  };
  // The key sets are this literal's, so only the values need checking.
  return checkValues(entry as unknown as AuditEntry, input.at === undefined || input.at instanceof Date);
}
