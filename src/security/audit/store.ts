/**
 * The audit log's tables in the control database: every SQL statement of the
 * module lives here. Append-only: the application role can INSERT and SELECT
 * (migrations/control/0004_audit.sql).
 */
import type pg from 'pg';
import { GENESIS_PREV, hashedLeaf } from './leaf.js';
import { HASH_SIZE, type Hash, type Subtree } from './merkle.js';
import { byteaArray, int2Array, int8Array, textArray } from './pg-binary.js';

export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** Advisory lock keys (constant, like the migrator's): appends, and checkpoint publication. */
export const APPEND_LOCK = 7_413_290_201;
export const PUBLISH_LOCK = 7_413_290_202;

/** A leaf's content before it has a position: the canonical entry JSON, in bytes. */
export interface PreparedEntry {
  readonly entryBytes: Buffer;
  readonly municipality: string | null;
}

export class AuditStoreError extends Error {}

const num = (v: string | number) => Number(v);

/** A batch's leaves, numbered and chained from a given point, and its INSERT parameters. */
export interface BuiltBatch {
  readonly first: number;
  readonly prev: Hash;
  /** The last leaf's hash: where the next batch chains from. */
  readonly last: Hash;
  readonly leavesParam: Buffer;
  readonly hashesParam: Buffer;
  readonly municipalitiesParam: Buffer;
}

/** Numbers and chains a batch after the leaf (first − 1, prev). Pure; the appender may run it ahead of the lock. */
export function buildBatch(entries: readonly PreparedEntry[], first: number, prev: Hash): BuiltBatch {
  const leaves: Buffer[] = new Array(entries.length);
  const hashes: Buffer[] = new Array(entries.length);
  let last = prev;
  for (let i = 0; i < entries.length; i++) {
    const built = hashedLeaf(entries[i]!.entryBytes, last, first + i);
    leaves[i] = built.leaf;
    hashes[i] = last = built.hash;
  }
  return {
    first,
    prev,
    last,
    leavesParam: byteaArray(leaves),
    hashesParam: byteaArray(hashes),
    municipalitiesParam: textArray(entries.map((e) => e.municipality)),
  };
}

/**
 * Appends entries in the caller's open transaction (or opens one, with
 * `begin`): takes the append lock, reads the last leaf, numbers the batch
 * after it, chains each leaf to the one before, and inserts all rows in one
 * statement. The lock is held until the transaction ends, so batches get
 * gapless numbers in commit order across every process; the reads after it
 * must see every earlier batch, which only READ COMMITTED guarantees (a
 * snapshot taken before the lock would miss them).
 *
 * `prebuilt` is the batch built ahead on a guess of where the log would end;
 * it is used when the guess was right (nobody else appended meanwhile), and
 * rebuilt under the lock otherwise.
 */
export async function appendEntries(
  client: pg.ClientBase,
  entries: readonly PreparedEntry[],
  options: {
    begin?: boolean;
    /** Read once the lock is held, so a guess made meanwhile still counts. */
    prebuilt?: () => BuiltBatch | undefined;
    /** Called once the batch's numbering is known, before its INSERT completes. */
    onNumbered?: (first: number, last: Hash) => void;
    /** Called once the INSERT is on its way to the server. */
    onInsertSent?: () => void;
  } = {},
): Promise<{ first: number; last: Hash }> {
  if (entries.length === 0) throw new AuditStoreError('nothing to append');
  // One round trip; in READ COMMITTED each statement takes its own snapshot, so the read comes after the lock.
  const results = (await client.query(
    `${options.begin ? 'BEGIN;' : ''}
     SELECT pg_advisory_xact_lock(${APPEND_LOCK});
     SELECT current_setting('transaction_isolation') AS isolation;
     SELECT seq, leaf_hash FROM control.audit_entries ORDER BY seq DESC LIMIT 1`,
  )) as unknown as pg.QueryResult[];
  const offset = options.begin ? 1 : 0;
  const isolation = (results[offset + 1]?.rows[0] as { isolation?: string } | undefined)?.isolation;
  if (isolation !== 'read committed') throw new AuditStoreError(`audit appends need a READ COMMITTED transaction, not ${isolation}`);
  const last = results[offset + 2]?.rows[0] as { seq: string; leaf_hash: Buffer } | undefined;
  const first = last ? num(last.seq) + 1 : 0;
  const prev: Hash = last ? last.leaf_hash : GENESIS_PREV;
  const p = options.prebuilt?.();
  const batch = p && p.first === first && p.prev.equals(prev) ? p : buildBatch(entries, first, prev);
  options.onNumbered?.(first, batch.last);
  const inserted = client.query(
    `INSERT INTO control.audit_entries (seq, leaf, leaf_hash, municipality_code)
     SELECT $1::bigint + u.ord - 1, u.leaf, u.leaf_hash, u.municipality
       FROM unnest($2::bytea[], $3::bytea[], $4::text[]) WITH ORDINALITY AS u (leaf, leaf_hash, municipality, ord)`,
    [first, batch.leavesParam, batch.hashesParam, batch.municipalitiesParam],
  );
  options.onInsertSent?.();
  await inserted;
  return { first, last: batch.last };
}

/** The number of committed entries (the next seq). */
export async function logSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string | null }>('SELECT max(seq) + 1 AS n FROM control.audit_entries');
  return rows[0]?.n === null || rows[0]?.n === undefined ? 0 : num(rows[0].n);
}

export interface StoredLeaf {
  readonly seq: number;
  readonly leaf: Buffer;
}

/** Leaves [from, to) in order, as stored. */
export async function readLeaves(db: Queryable, from: number, to: number): Promise<StoredLeaf[]> {
  const { rows } = await db.query<{ seq: string; leaf: Buffer }>('SELECT seq, leaf FROM control.audit_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq', [from, to]);
  return rows.map((r) => ({ seq: num(r.seq), leaf: r.leaf }));
}

/** Leaves [from, to) with their stored hashes. */
export async function readLeavesWithHashes(db: Queryable, from: number, to: number): Promise<(StoredLeaf & { leafHash: Buffer })[]> {
  const { rows } = await db.query<{ seq: string; leaf: Buffer; leaf_hash: Buffer }>(
    'SELECT seq, leaf, leaf_hash FROM control.audit_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq',
    [from, to],
  );
  return rows.map((r) => ({ seq: num(r.seq), leaf: r.leaf, leafHash: r.leaf_hash }));
}

/** Leaves [from, to) of one municipality, at most limit of them. */
export async function readMunicipalityLeaves(db: Queryable, municipality: string, from: number, to: number, limit: number): Promise<StoredLeaf[]> {
  const { rows } = await db.query<{ seq: string; leaf: Buffer }>(
    `SELECT seq, leaf FROM control.audit_entries
      WHERE municipality_code = $1 AND seq >= $2 AND seq < $3 ORDER BY seq LIMIT $4`,
    [municipality, from, to, limit],
  );
  return rows.map((r) => ({ seq: num(r.seq), leaf: r.leaf }));
}

export async function readLeafHashes(db: Queryable, seqs: readonly number[]): Promise<Map<number, Hash>> {
  if (seqs.length === 0) return new Map();
  const { rows } = await db.query<{ seq: string; leaf_hash: Buffer }>(
    'SELECT seq, leaf_hash FROM control.audit_entries WHERE seq = ANY($1::bigint[])',
    [int8Array(seqs)],
  );
  return new Map(rows.map((r) => [num(r.seq), r.leaf_hash]));
}

const nodeKey = (level: number, index: number) => `${level}:${index}`;

export async function readNodes(db: Queryable, subtrees: readonly Subtree[]): Promise<Map<string, Hash>> {
  if (subtrees.length === 0) return new Map();
  const { rows } = await db.query<{ level: number; idx: string; hash: Buffer }>(
    `SELECT n.level, n.idx, n.hash FROM control.audit_nodes n
       JOIN unnest($1::int2[], $2::bigint[]) AS k (level, idx) ON n.level = k.level AND n.idx = k.idx`,
    [int2Array(subtrees.map((s) => s.level)), int8Array(subtrees.map((s) => s.index))],
  );
  return new Map(rows.map((r) => [nodeKey(r.level, num(r.idx)), r.hash]));
}

export { nodeKey };

export async function insertNodes(client: pg.ClientBase, nodes: readonly { subtree: Subtree; hash: Hash }[]): Promise<void> {
  if (nodes.length === 0) return;
  await client.query(
    `INSERT INTO control.audit_nodes (level, idx, hash)
     SELECT * FROM unnest($1::int2[], $2::bigint[], $3::bytea[])`,
    [int2Array(nodes.map((n) => n.subtree.level)), int8Array(nodes.map((n) => n.subtree.index)), byteaArray(nodes.map((n) => n.hash))],
  );
}

export interface StoredCheckpoint {
  readonly treeSize: number;
  readonly rootHash: Hash;
  readonly note: string;
  /** Hashes of the perfect subtrees covering [0, treeSize), largest first. */
  readonly frontier: Hash[];
  readonly createdAt: string;
}

interface CheckpointRow {
  tree_size: string;
  root_hash: Buffer;
  note: string;
  frontier: Buffer;
  created_at: Date;
}

function toCheckpoint(r: CheckpointRow): StoredCheckpoint {
  const frontier: Hash[] = [];
  for (let o = 0; o < r.frontier.length; o += HASH_SIZE) frontier.push(r.frontier.subarray(o, o + HASH_SIZE));
  return { treeSize: num(r.tree_size), rootHash: r.root_hash, note: r.note, frontier, createdAt: r.created_at.toISOString() };
}

const CHECKPOINT_COLUMNS = 'tree_size, root_hash, note, frontier, created_at';

export async function latestCheckpoint(db: Queryable): Promise<StoredCheckpoint | null> {
  const { rows } = await db.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM control.audit_checkpoints ORDER BY tree_size DESC LIMIT 1`);
  return rows[0] ? toCheckpoint(rows[0]) : null;
}

export async function checkpointAt(db: Queryable, treeSize: number): Promise<StoredCheckpoint | null> {
  const { rows } = await db.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM control.audit_checkpoints WHERE tree_size = $1`, [treeSize]);
  return rows[0] ? toCheckpoint(rows[0]) : null;
}

/** Checkpoints with from ≤ tree size ≤ to, smallest first. */
export async function checkpointsBetween(db: Queryable, from: number, to: number): Promise<StoredCheckpoint[]> {
  const { rows } = await db.query<CheckpointRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM control.audit_checkpoints WHERE tree_size BETWEEN $1 AND $2 ORDER BY tree_size`,
    [from, to],
  );
  return rows.map(toCheckpoint);
}

export async function insertCheckpoint(client: pg.ClientBase, c: { treeSize: number; rootHash: Hash; note: string; frontier: readonly Hash[] }): Promise<void> {
  await client.query('INSERT INTO control.audit_checkpoints (tree_size, root_hash, note, frontier) VALUES ($1, $2, $3, $4)', [
    c.treeSize,
    c.rootHash,
    c.note,
    Buffer.concat(c.frontier),
  ]);
}
