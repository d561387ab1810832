/**
 * Leaf hashes of an export, computed on worker threads.
 *
 * Verifying costs two SHA-256 calls per entry: the leaf's hash and, on
 * average, one node hash. Node's per-call overhead dominates at these sizes,
 * so a single thread cannot go faster than about 0.4 times the rate of bare
 * 200-byte hashes (bench/RESULTS.md). The leaf hashes are independent of each
 * other, so workers compute them for whole chunks of the file while the main
 * thread checks positions and links and folds the tree, which must stay in
 * order.
 *
 * The worker is a few lines of plain JavaScript passed as source, so it runs
 * the same from the TypeScript sources (tests) and from the build.
 */
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { hash } = require('node:crypto');
const PREFIX = Buffer.from('{"entry":');
let scratch = Buffer.alloc(4096);
parentPort.on('message', ({ id, buf, offsets, out }) => {
  const bytes = Buffer.from(buf);
  const lines = offsets.length / 2;
  const hashes = Buffer.from(out);
  for (let i = 0; i < lines; i++) {
    const s = offsets[2 * i], e = offsets[2 * i + 1];
    if (e - s < PREFIX.length || bytes.compare(PREFIX, 0, PREFIX.length, s, s + PREFIX.length) !== 0) continue;
    if (scratch.length < e - s + 1) scratch = Buffer.alloc(2 * (e - s + 1));
    scratch[0] = 0;
    bytes.copy(scratch, 1, s, e);
    hashes.set(hash('sha256', scratch.subarray(0, e - s + 1), 'buffer'), i * 32);
  }
  parentPort.postMessage(id);
});
`;

export interface HashedChunk {
  /** The chunk's bytes (whole lines only). */
  readonly bytes: Buffer;
  /** Start and end (exclusive, without the newline) of each line. */
  readonly offsets: Uint32Array;
  /** SHA-256(0x00 || line) for each leaf line, 32 bytes per line (zeros for other lines). */
  readonly hashes: Buffer;
}

interface Job {
  readonly chunk: HashedChunk;
  resolve(chunk: HashedChunk): void;
  reject(err: Error): void;
}

export class LeafHasher {
  private readonly workers: Worker[];
  private readonly jobs = new Map<number, Job>();
  private next = 0;

  constructor(threads: number) {
    this.workers = Array.from({ length: Math.max(1, threads) }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (id: number) => {
        const job = this.jobs.get(id);
        this.jobs.delete(id);
        job?.resolve(job.chunk);
      });
      w.on('error', (err) => {
        for (const job of this.jobs.values()) job.reject(err);
        this.jobs.clear();
      });
      return w;
    });
  }

  /**
   * Hashes the leaf lines of a chunk held in shared memory: only the job id
   * crosses between threads, not the megabyte of bytes (copying or even
   * transferring it cost the main thread a fifth of its time).
   */
  hash(bytes: Buffer, offsets: Uint32Array): Promise<HashedChunk> {
    const id = this.next++;
    const out = new SharedArrayBuffer((offsets.length / 2) * 32);
    const chunk: HashedChunk = { bytes, offsets, hashes: Buffer.from(out) };
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { chunk, resolve, reject });
      this.workers[id % this.workers.length]!.postMessage({ id, buf: bytes.buffer, offsets, out });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
