/**
 * `municloud audit verify`: an exported log file checked against a signed
 * checkpoint and the log's public key, with nothing from the server. Reads the
 * file in large chunks and hands each line's bytes to the verifier unchanged,
 * so the bytes hashed are exactly the bytes exported.
 */
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { LeafHasher, type HashedChunk } from './leaf-hasher.js';
import { NoteError, openCheckpoint, parseVerifierKey, type VerifierKey } from './note.js';
import { feedLine, LogVerifier, VerifyInputError, type VerifyResult } from './verifier.js';

export interface VerifyFileOptions {
  readonly entriesPath: string;
  /** A verifier key (`name+hash+key`), or a file holding one. */
  readonly key: string;
  readonly checkpointPath: string;
  /** When given, the export must cover [from, to). */
  readonly from?: number;
  readonly to?: number;
  readonly onProgress?: (entries: number) => void;
  /** Worker threads hashing leaves (default: the cores but one, at most 4; 0 hashes on the main thread). */
  readonly threads?: number;
}

const CHUNK_BYTES = 1 << 20;

/**
 * The file in chunks of whole lines (in shared memory when workers hash them),
 * with the offsets of its lines. A line longer than a chunk just makes a
 * bigger chunk.
 */
async function* lineChunks(path: string, shared: boolean): AsyncGenerator<{ bytes: Buffer; offsets: Uint32Array; cutOff: boolean }> {
  const fh = await open(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    for (;;) {
      const size = carry.length + CHUNK_BYTES;
      const buf = Buffer.from(shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
      carry.copy(buf, 0);
      const { bytesRead } = await fh.read(buf, carry.length, CHUNK_BYTES, null);
      const filled = carry.length + bytesRead;
      const offsets: number[] = [];
      let pos = 0;
      for (let nl = buf.indexOf(10, 0); nl >= 0 && nl < filled; nl = buf.indexOf(10, pos)) {
        offsets.push(pos, nl);
        pos = nl + 1;
      }
      carry = Buffer.from(buf.subarray(pos, filled));
      if (bytesRead === 0) {
        yield { bytes: buf, offsets: new Uint32Array(offsets), cutOff: carry.length > 0 };
        return;
      }
      yield { bytes: buf, offsets: new Uint32Array(offsets), cutOff: false };
    }
  } finally {
    await fh.close();
  }
}

export async function loadVerifierKey(keyOrPath: string): Promise<VerifierKey> {
  let text = keyOrPath;
  if (!/^[^\s+]+\+[0-9a-f]{8}\+/.test(keyOrPath.trim())) {
    if (!existsSync(keyOrPath)) throw new VerifyInputError('--key must be a verifier key (name+hash+key) or a file holding one');
    text = await readFile(keyOrPath, 'utf8');
  }
  try {
    return parseVerifierKey(text);
  } catch (err) {
    throw new VerifyInputError(`--key: ${(err as Error).message}`);
  }
}

async function readUtf8(path: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new VerifyInputError(`${what}: cannot read ${path}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new VerifyInputError(`${what}: not UTF-8 text`);
  }
}

export async function verifyExportFile(options: VerifyFileOptions): Promise<VerifyResult> {
  const key = await loadVerifierKey(options.key);
  const note = await readUtf8(options.checkpointPath, '--checkpoint');
  let trusted;
  try {
    trusted = openCheckpoint(note, key);
  } catch (err) {
    if (!(err instanceof NoteError)) throw err;
    if (err.reason === 'malformed_note' || err.reason === 'malformed_checkpoint') throw new VerifyInputError(`--checkpoint: ${err.message}`);
    return { ok: false, start: 0, end: 0, checkpoint: null, checkpointsChecked: 0, failure: { reason: 'checkpoint_signature', index: null, message: `the checkpoint is refused: ${err.message}` } };
  }
  if (!existsSync(options.entriesPath)) throw new VerifyInputError(`--entries: cannot read ${options.entriesPath}`);

  const verifier = new LogVerifier(key, trusted);
  const threads = options.threads ?? Math.min(4, Math.max(0, availableParallelism() - 1));
  const hasher = threads > 0 ? new LeafHasher(threads) : null;
  let line = 0;
  let lastProgress = 0;
  const feed = (chunk: HashedChunk | { bytes: Buffer; offsets: Uint32Array; hashes: null }) => {
    const { bytes, offsets, hashes } = chunk;
    for (let i = 0; i < offsets.length && !verifier.failed; i += 2) {
      feedLine(verifier, bytes, offsets[i]!, offsets[i + 1]!, ++line, hashes ? hashes.subarray(i * 16, i * 16 + 32) : undefined);
    }
    if (options.onProgress && verifier.size - lastProgress >= 100_000) {
      lastProgress = verifier.size;
      options.onProgress(verifier.size);
    }
  };
  try {
    // Chunks are hashed ahead on the workers while the main thread checks the ones before, in order.
    const inFlight: Promise<HashedChunk | { bytes: Buffer; offsets: Uint32Array; hashes: null }>[] = [];
    let cutOff = false;
    for await (const chunk of lineChunks(options.entriesPath, hasher !== null)) {
      if (chunk.cutOff) cutOff = true;
      if (chunk.offsets.length === 0) continue;
      inFlight.push(hasher ? hasher.hash(chunk.bytes, chunk.offsets) : Promise.resolve({ bytes: chunk.bytes, offsets: chunk.offsets, hashes: null }));
      if (inFlight.length > 2 * threads) feed(await inFlight.shift()!);
      if (verifier.failed) break;
    }
    while (inFlight.length > 0 && !verifier.failed) feed(await inFlight.shift()!);
    // A last line without its newline was cut off mid-write.
    if (cutOff && !verifier.failed) verifier.badLine(line + 1);
  } finally {
    await hasher?.close();
  }
  const result = verifier.finish();
  if (result.ok && options.from !== undefined && options.to !== undefined && (options.from < result.start || options.to > result.end)) {
    throw new VerifyInputError(`the export holds entries ${result.start} to ${result.end - 1}, not all of ${options.from} to ${options.to - 1}`);
  }
  return result;
}
