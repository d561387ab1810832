/**
 * The leaf: the exact bytes the Merkle tree hashes for one entry. Pure.
 *
 *   {"entry":<canonical entry>,"prev":"<base64 leaf hash of the previous leaf>","seq":<index>}
 *
 * That is itself canonical JSON (keys entry < prev < seq, no whitespace), and
 * ASCII, since every entry string is. Two fields beyond the entry make a bad
 * entry nameable by a verifier that holds only the exported leaves and a
 * signed checkpoint (the tree root alone says that something differs, not
 * what):
 * - `seq`, the leaf's own index: a removed, reordered or inserted row leaves a
 *   leaf whose seq is not its position;
 * - `prev`, the previous leaf's hash (32 zero bytes for leaf 0): a row altered
 *   in place no longer hashes to what its successor recorded.
 * Both are known only once the appender holds the log's lock, so the envelope
 * is put around an already serialized entry there, by string concatenation.
 */
import { validateEntry, type AuditEntry } from './entry.js';
import { hash as oneShotHash } from 'node:crypto';
import { HASH_SIZE, type Hash } from './merkle.js';

const sha256 = (data: Uint8Array) => oneShotHash('sha256', data, 'buffer') as unknown as Hash;

/** `prev` of leaf 0. */
export const GENESIS_PREV: Hash = Buffer.alloc(HASH_SIZE);

const PREFIX = Buffer.from('{"entry":');
const PREV_MARK = Buffer.from(',"prev":"');
const SEQ_MARK = Buffer.from('","seq":');
const B64_LENGTH = 44;
const MAX_SEQ_DIGITS = 16;

/** Strings JSON writes as they are: printable ASCII without quotes or backslashes (what entry.ts admits). */
const VERBATIM = /^[\u0020-\u0021\u0023-\u005b\u005d-\u007e]*$/;
const str = (s: string | null): string => (s === null ? 'null' : VERBATIM.test(s) ? `"${s}"` : JSON.stringify(s));

/**
 * The entry's canonical JSON, written field by field in sorted key order:
 * what canonicalJson would write (unit tests hold the two equal, whatever the
 * order of the entry's keys) at a fraction of the cost and garbage, since this
 * runs for every entry appended.
 */
export function entryJson(e: AuditEntry): string {
  let roles = '';
  for (let i = 0; i < e.actor.roles.length; i++) roles += (i > 0 ? ',' : '') + str(e.actor.roles[i]!);
  let records = '';
  for (let i = 0; i < e.records.length; i++) {
    const r = e.records[i]!;
    let ids = '';
    for (let j = 0; j < r.ids.length; j++) ids += (j > 0 ? ',' : '') + str(r.ids[j]!);
    records += `${i > 0 ? ',' : ''}{"ids":[${ids}],"resource":${str(r.resource)}}`;
  }
  return (
    `{"actor":{"account":${str(e.actor.account)},"organization":${str(e.actor.organization)},"roles":[${roles}]},` +
    `"at":${str(e.at)},"kind":${str(e.kind)},"municipality":${str(e.municipality)},` +
    `"outcome":{"reason":${str(e.outcome.reason)},"result":${str(e.outcome.result)}},"purpose":${str(e.purpose)},` +
    `"records":[${records}],"request":${str(e.request)},"source":{"address":${str(e.source.address)},"zone":${str(e.source.zone)}},"v":${e.v}}`
  );
}

export function leafText(entryJsonText: string, prev: Hash, seq: number): string {
  return `{"entry":${entryJsonText},"prev":"${prev.toString('base64')}","seq":${seq}}`;
}

/**
 * The leaf for an entry already in bytes, and its hash, with one allocation:
 * the buffer holds 0x00 || leaf, so the leaf hash is the hash of the whole
 * buffer and the leaf is the rest of it. This runs inside the append lock.
 */
export function hashedLeaf(entryBytes: Uint8Array, prev: Hash, seq: number): { leaf: Buffer; hash: Hash } {
  const tail = `","seq":${seq}}`;
  const size = 1 + PREFIX.length + entryBytes.length + PREV_MARK.length + B64_LENGTH + tail.length;
  const buf = Buffer.allocUnsafe(size);
  buf[0] = 0x00;
  let o = 1;
  o += PREFIX.copy(buf, o);
  buf.set(entryBytes, o);
  o += entryBytes.length;
  o += PREV_MARK.copy(buf, o);
  o += buf.write(prev.toString('base64'), o, 'latin1');
  buf.write(tail, o, 'latin1');
  return { leaf: buf.subarray(1), hash: sha256(buf) };
}

export function encodeLeaf(entryJsonText: string, prev: Hash, seq: number): Buffer {
  return hashedLeaf(Buffer.from(entryJsonText, 'latin1'), prev, seq).leaf;
}

/** Where a leaf's fields sit in its bytes. */
export interface LeafTail {
  readonly seq: number;
  /** Offsets of the base64 `prev` value. */
  readonly prevStart: number;
  /** Offsets of the entry JSON. */
  readonly entryStart: number;
  readonly entryEnd: number;
}

function matchesAt(buf: Uint8Array, offset: number, mark: Buffer): boolean {
  if (offset < 0 || offset + mark.length > buf.length) return false;
  for (let i = 0; i < mark.length; i++) if (buf[offset + i] !== mark[i]) return false;
  return true;
}

/**
 * Reads seq and the position of prev from the end of a leaf, without parsing
 * the entry: the verifier does this for every leaf of the log, and a JSON parse
 * would cost more than the two hashes per leaf that are the real work. Returns
 * null when the bytes are not a leaf's envelope.
 */
export function readLeafTail(leaf: Uint8Array, start = 0, end = leaf.length): LeafTail | null {
  if (end - start < PREFIX.length + 2 + PREV_MARK.length + B64_LENGTH + SEQ_MARK.length + 2) return null;
  if (leaf[end - 1] !== 0x7d /* } */ || !matchesAt(leaf, start, PREFIX)) return null;
  let p = end - 2;
  let seq = 0;
  let scale = 1;
  while (p >= start && leaf[p]! >= 0x30 && leaf[p]! <= 0x39) {
    seq += (leaf[p]! - 0x30) * scale;
    scale *= 10;
    p--;
  }
  const digits = end - 2 - p;
  if (digits === 0 || digits > MAX_SEQ_DIGITS || (digits > 1 && leaf[p + 1] === 0x30) || !Number.isSafeInteger(seq)) return null;
  const seqMarkAt = p + 1 - SEQ_MARK.length;
  const prevStart = seqMarkAt - B64_LENGTH;
  const prevMarkAt = prevStart - PREV_MARK.length;
  if (!matchesAt(leaf, seqMarkAt, SEQ_MARK) || !matchesAt(leaf, prevMarkAt, PREV_MARK)) return null;
  const entryStart = start + PREFIX.length;
  if (prevMarkAt <= entryStart) return null;
  return { seq, prevStart, entryStart, entryEnd: prevMarkAt };
}

export class LeafError extends Error {
  constructor(
    readonly rule: 'envelope' | 'json' | 'canonical' | 'entry',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface DecodedLeaf {
  readonly seq: number;
  readonly prev: Hash;
  readonly entry: AuditEntry;
}

/**
 * The whole leaf, checked: envelope, canonical form, and the entry against the
 * catalogue. The publisher runs this on every new leaf before it signs a
 * checkpoint over it, so a signed checkpoint vouches for well-formed entries.
 */
export function decodeLeaf(leaf: Uint8Array): DecodedLeaf {
  const tail = readLeafTail(leaf);
  if (!tail) throw new LeafError('envelope', 'not an audit leaf envelope');
  const text = Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength).toString('latin1');
  // Latin-1 maps bytes 1:1; a canonical leaf is ASCII, and anything else fails the canonical check below.
  let parsed: { entry?: unknown; prev?: unknown; seq?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new LeafError('json', 'the leaf is not JSON');
  }
  let entry: AuditEntry;
  try {
    entry = validateEntry(parsed.entry);
  } catch (err) {
    const field = (err as { field?: string }).field;
    throw new LeafError('entry', `the entry breaks the catalogue's rules${field ? ` at ${field}` : ''}`, field);
  }
  const prev = typeof parsed.prev === 'string' ? Buffer.from(parsed.prev, 'base64') : Buffer.alloc(0);
  // entryJson writes the canonical form of a valid entry (leaf.test.ts holds it equal to canonicalJson's), faster.
  if (prev.length !== HASH_SIZE || parsed.seq !== tail.seq || leafText(entryJson(entry), prev, tail.seq) !== text) {
    throw new LeafError('canonical', 'the leaf is not in canonical form');
  }
  return { seq: tail.seq, prev, entry };
}
