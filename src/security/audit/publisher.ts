/**
 * The checkpoint publisher: signs and stores a checkpoint of the whole log at
 * least every `intervalMs` while there are new entries.
 *
 * Each round, under its own advisory lock (one publisher at a time across all
 * processes), it
 * 1. reads the latest checkpoint and checks it: signed by our key (or a
 *    previous one we were told to trust), and its stored frontier folds to its
 *    signed root. A checkpoint we would extend must be one we signed, or the
 *    new one could be inconsistent with what the world has already seen;
 * 2. checks that the last signed entry is still the one signed (an inclusion
 *    proof from the stored tree against the signed root), then reads only the
 *    entries added since, and checks each before vouching for it: envelope and
 *    entry well-formed, at its own index, linked to the leaf before it, and
 *    its stored hash (which proofs are served from) the hash of its leaf;
 * 3. extends the frontier, keeps the completed level-8k subtree hashes (for
 *    proofs), signs the new checkpoint and stores all of it in one transaction.
 * Any failed check stops publication and is logged as an integrity failure:
 * entries were changed in the database, and signing over them would launder it.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { decodeLeaf, GENESIS_PREV } from './leaf.js';
import { Frontier, leafHash, verifyInclusion, type Hash, type Subtree } from './merkle.js';
import { NoteError, openCheckpoint, type Checkpoint, type VerifierKey } from './note.js';
import { AuditIntegrityError, inclusionProof, TILE_HEIGHT } from './proofs.js';
import { signCheckpoint, verifierKeyOf, type CheckpointSigner } from './signer.js';
import { insertCheckpoint, insertNodes, latestCheckpoint, logSize, PUBLISH_LOCK, readLeaves, readLeavesWithHashes, type StoredCheckpoint } from './store.js';

export interface PublisherOptions {
  /** The log's origin line; the signer's name by default (and it should be). */
  readonly origin?: string;
  /** Longest time between checkpoints while the log grows (default 1,000 ms). */
  readonly intervalMs?: number;
  /** Entries read per query (default 10,000). */
  readonly readChunk?: number;
  /** Most entries one checkpoint adds; a backlog is signed over several rounds, a checkpoint each (default 200,000: a few seconds). */
  readonly maxEntriesPerCheckpoint?: number;
  /** Keys whose checkpoints may be extended besides the signer's own: the keys it replaced. */
  readonly previousKeys?: readonly VerifierKey[];
  readonly log?: Logger;
}

export interface PublishedCheckpoint extends Checkpoint {
  readonly note: string;
}

export class CheckpointPublisher {
  readonly origin: string;
  private readonly key: VerifierKey;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private started = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly signer: CheckpointSigner,
    private readonly options: PublisherOptions = {},
  ) {
    this.origin = options.origin ?? signer.name;
    this.key = verifierKeyOf(signer);
  }

  /** Publishes now, then keeps publishing every intervalMs until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.tick();
  }

  /** Whether a round is running or a timer is set. */
  get scheduled(): boolean {
    return this.timer !== null || this.running !== null;
  }

  /** Stops the schedule and waits for a round in progress; no timer is left behind. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private tick(): void {
    this.timer = null;
    if (!this.started) return;
    this.running = this.publishAll()
      .catch((err: unknown) => {
        const integrity = err instanceof AuditIntegrityError;
        this.options.log?.error({ err: { name: (err as Error).name, message: integrity ? (err as Error).message : undefined } }, integrity ? 'audit log integrity failure: checkpoint not signed' : 'audit checkpoint could not be published');
      })
      .finally(() => {
        this.running = null;
        if (this.started) {
          this.timer = setTimeout(() => this.tick(), this.options.intervalMs ?? 1000);
          // The publisher never keeps a process alive on its own; whoever started it stops it.
          this.timer.unref();
        }
      });
  }

  /** Rounds until the latest checkpoint covers the whole log (a backlog takes several). */
  private async publishAll(): Promise<void> {
    while (this.started && (await this.publish())?.more) {
      // keep going
    }
  }

  /** One round: a new checkpoint if the log grew (or none exists yet), otherwise null. */
  async publish(): Promise<(PublishedCheckpoint & { more: boolean }) | null> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
      const published = await this.extend(client);
      await client.query('COMMIT');
      return published;
    } catch (err) {
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private async extend(client: pg.PoolClient): Promise<(PublishedCheckpoint & { more: boolean }) | null> {
    const latest = await latestCheckpoint(client);
    const frontier = latest ? this.trustedFrontier(latest) : new Frontier();
    const size = await logSize(client);
    if (size < frontier.size) throw new AuditIntegrityError(`the log has ${size} entries but checkpoint ${frontier.size} was signed: entries were removed`);
    if (latest && size === frontier.size) return null;
    const target = Math.min(size, frontier.size + (this.options.maxEntriesPerCheckpoint ?? 200_000));

    let prev: Hash = GENESIS_PREV;
    if (frontier.size > 0) {
      // The new entries link to the last signed one, so it must still be the one that was signed.
      const n = frontier.size;
      const [last] = await readLeaves(client, n - 1, n);
      if (!last) throw new AuditIntegrityError(`entry ${n - 1} is missing`);
      prev = leafHash(last.leaf);
      if (!verifyInclusion(prev, n - 1, n, await inclusionProof(client, n - 1, n), frontier.root())) {
        throw new AuditIntegrityError(`entry ${n - 1} no longer matches the checkpoint at tree size ${n}`);
      }
    }
    const nodes: { subtree: Subtree; hash: Hash }[] = [];
    const keep = (subtree: Subtree, hash: Hash) => {
      if (subtree.level % TILE_HEIGHT === 0) nodes.push({ subtree, hash });
    };
    const chunk = this.options.readChunk ?? 10_000;
    for (let from = frontier.size; from < target; from += chunk) {
      const rows = await readLeavesWithHashes(client, from, Math.min(from + chunk, target));
      rows.forEach((row, i) => {
        const expected = from + i;
        if (row.seq !== expected) throw new AuditIntegrityError(`entry ${expected} is missing`);
        let decoded;
        try {
          decoded = decodeLeaf(row.leaf);
        } catch {
          throw new AuditIntegrityError(`entry ${expected} is malformed`);
        }
        if (decoded.seq !== expected) throw new AuditIntegrityError(`entry ${expected} carries index ${decoded.seq}`);
        if (!decoded.prev.equals(prev)) throw new AuditIntegrityError(`entry ${expected} does not link to entry ${expected - 1}`);
        prev = leafHash(row.leaf);
        // Proofs are served from the stored hashes: vouch for them too.
        if (!row.leafHash.equals(prev)) throw new AuditIntegrityError(`entry ${expected} has a stored hash that is not its leaf's`);
        frontier.push(prev, keep);
      });
      if (rows.length < Math.min(chunk, target - from)) throw new AuditIntegrityError(`entry ${from + rows.length} is missing`);
    }
    const rootHash = frontier.root();
    const note = await signCheckpoint({ origin: this.origin, treeSize: target, rootHash }, this.signer);
    await insertNodes(client, nodes);
    await insertCheckpoint(client, { treeSize: target, rootHash, note, frontier: frontier.hashes() });
    return { origin: this.origin, treeSize: target, rootHash, extensions: [], note, more: target < size };
  }

  /** The latest checkpoint's frontier, once its signature and its root prove it ours and intact. */
  private trustedFrontier(latest: StoredCheckpoint): Frontier {
    const keys = [this.key, ...(this.options.previousKeys ?? [])];
    let checkpoint: Checkpoint | undefined;
    for (const key of keys) {
      try {
        checkpoint = openCheckpoint(latest.note, key, this.origin);
        break;
      } catch (err) {
        if (!(err instanceof NoteError)) throw err;
      }
    }
    if (!checkpoint) throw new AuditIntegrityError(`checkpoint ${latest.treeSize} is not signed by this log's key`);
    let frontier: Frontier;
    try {
      frontier = Frontier.from(latest.treeSize, latest.frontier);
    } catch {
      throw new AuditIntegrityError(`checkpoint ${latest.treeSize} has a malformed frontier`);
    }
    if (checkpoint.treeSize !== latest.treeSize || !checkpoint.rootHash.equals(latest.rootHash) || !frontier.root().equals(checkpoint.rootHash)) {
      throw new AuditIntegrityError(`checkpoint ${latest.treeSize} does not match its stored frontier`);
    }
    return frontier;
  }
}
