import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeEntry } from './entry.js';
import { checkpointLine, headerLine } from './export-format.js';
import { encodeLeaf, entryJson, GENESIS_PREV } from './leaf.js';
import { decompose, Frontier, leafHash, subtreeEnd, subtreeStart, type Hash } from './merkle.js';
import { openCheckpoint } from './note.js';
import { sampleEntry } from './sample.js';
import { generateSigner, signCheckpoint, verifierKeyOf, type CheckpointSigner } from './signer.js';
import { feedLine, LogVerifier, VerifyInputError, type VerifyResult } from './verifier.js';

const ORIGIN = 'municloud.test/audit';
const N = 50;
const EVERY = 10;

interface Log {
  leaves: Buffer[];
  hashes: Hash[];
  notes: Map<number, string>;
}

let signer: CheckpointSigner;
let log: Log;

async function buildLog(n: number): Promise<Log> {
  const leaves: Buffer[] = [];
  const hashes: Hash[] = [];
  const notes = new Map<number, string>();
  const f = new Frontier();
  let prev = GENESIS_PREV;
  notes.set(0, await signCheckpoint({ origin: ORIGIN, treeSize: 0, rootHash: f.root() }, signer));
  for (let i = 0; i < n; i++) {
    const leaf = encodeLeaf(entryJson(normalizeEntry(sampleEntry(i))), prev, i);
    prev = leafHash(leaf);
    f.push(prev);
    leaves.push(leaf);
    hashes.push(prev);
    if ((i + 1) % EVERY === 0) notes.set(i + 1, await signCheckpoint({ origin: ORIGIN, treeSize: i + 1, rootHash: f.root() }, signer));
  }
  return { leaves, hashes, notes };
}

/** What `audit export` writes, from an in-memory log. */
function exportText(leaves: readonly Buffer[], hashes: readonly Hash[], from: number, to: number, treeSize: number): Buffer {
  const mth = (s: { level: number; index: number }) => {
    const f = new Frontier();
    for (const h of hashes.slice(subtreeStart(s), subtreeEnd(s))) f.push(h);
    return f.root();
  };
  const parts: Buffer[] = [];
  if (from > 0) {
    parts.push(Buffer.from(headerLine(from, decompose(0, from).map(mth))));
    if (log.notes.has(from)) parts.push(Buffer.from(checkpointLine(log.notes.get(from)!)));
  }
  for (let i = from; i < to; i++) {
    parts.push(leaves[i]!, Buffer.from('\n'));
    if (log.notes.has(i + 1)) parts.push(Buffer.from(checkpointLine(log.notes.get(i + 1)!)));
  }
  if (to < treeSize) parts.push(Buffer.from(checkpointLine(log.notes.get(treeSize)!, decompose(to, treeSize).map(mth))));
  return Buffer.concat(parts);
}

function verify(text: Buffer, treeSize = N, key = verifierKeyOf(signer)): VerifyResult {
  const v = new LogVerifier(key, openCheckpoint(log.notes.get(treeSize)!, key));
  let line = 0;
  let pos = 0;
  for (let nl = text.indexOf(10); nl >= 0; nl = text.indexOf(10, pos)) {
    feedLine(v, text, pos, nl, ++line);
    pos = nl + 1;
  }
  return v.finish();
}

const whole = () => exportText(log.leaves, log.hashes, 0, N, N);
/** The entry JSON of leaf i with one record id changed, as an administrator's UPDATE would leave it. */
const altered = (i: number) => Buffer.from(log.leaves[i]!.toString('latin1').replace(/"ids":\["([0-9a-f])/, (_m, c: string) => `"ids":["${c === 'a' ? 'b' : 'a'}`), 'latin1');

beforeAll(async () => {
  signer = generateSigner(ORIGIN).signer;
  log = await buildLog(N);
});

describe('verifying an export', () => {
  it('accepts the whole log and checks every checkpoint in it', () => {
    const r = verify(whole());
    expect(r).toMatchObject({ ok: true, start: 0, end: N, checkpointsChecked: N / EVERY + 1 });
  });

  it('accepts a prefix against an earlier checkpoint, and reports entries past it as uncovered', () => {
    expect(verify(whole(), 30)).toMatchObject({ ok: true, end: N });
  });

  it('accepts a range with its boundary hashes, against the checkpoint it was exported with', () => {
    expect(verify(exportText(log.leaves, log.hashes, 23, 37, N))).toMatchObject({ ok: true, start: 23, end: 37 });
    expect(verify(exportText(log.leaves, log.hashes, 20, 50, N))).toMatchObject({ ok: true, start: 20, end: 50 });
    expect(verify(exportText(log.leaves, log.hashes, 0, 7, N))).toMatchObject({ ok: true, start: 0, end: 7 });
  });

  it('refuses to judge an export that does not reach the checkpoint', () => {
    const short = Buffer.concat(log.leaves.slice(0, 25).flatMap((l) => [l, Buffer.from('\n')]));
    expect(() => verify(short)).toThrow(VerifyInputError);
  });

  it('names an entry altered in place', () => {
    for (const i of [0, 7, 25, 48]) {
      const leaves = [...log.leaves];
      leaves[i] = altered(i);
      expect(verify(exportText(leaves, log.hashes, 0, N, N)).failure, `entry ${i}`).toMatchObject({ reason: 'altered', index: i });
    }
  });

  it('narrows an altered last entry down to the range since the last matching checkpoint', () => {
    const leaves = [...log.leaves];
    leaves[N - 1] = altered(N - 1);
    expect(verify(exportText(leaves, log.hashes, 0, N, N)).failure).toMatchObject({ reason: 'root_mismatch', range: [40, 49] });
    // An entry right after a checkpoint and before the next one's size: pinned exactly.
    const leaves2 = [...log.leaves];
    leaves2[29] = altered(29);
    expect(verify(exportText(leaves2, log.hashes, 0, 30, 30), 30).failure).toMatchObject({ reason: 'root_mismatch', range: [20, 29] });
  });

  it('names a removed entry', () => {
    const leaves = log.leaves.filter((_, i) => i !== 17);
    expect(verify(exportText(leaves, log.hashes, 0, N - 1, N - 1 + 1)).failure).toMatchObject({ reason: 'out_of_place', index: 17 });
  });

  it('names the first of two swapped entries', () => {
    const leaves = [...log.leaves];
    [leaves[12], leaves[31]] = [leaves[31]!, leaves[12]!];
    expect(verify(exportText(leaves, log.hashes, 0, N, N)).failure).toMatchObject({ reason: 'out_of_place', index: 12 });
  });

  it('names an inserted entry, even one forged with the right index and link', () => {
    const forged = encodeLeaf(entryJson(normalizeEntry(sampleEntry(999))), log.hashes[21]!, 22);
    const leaves = [...log.leaves.slice(0, 22), forged, ...log.leaves.slice(22)];
    expect(verify(exportText(leaves, log.hashes, 0, N + 1, N)).failure).toMatchObject({ reason: 'inserted', index: 22 });
    const careless = [...log.leaves.slice(0, 22), Buffer.from(log.leaves[5]!), ...log.leaves.slice(22)];
    expect(verify(exportText(careless, log.hashes, 0, N + 1, N)).failure).toMatchObject({ reason: 'out_of_place', index: 22 });
  });

  it('catches a rewrite that re-links every later entry, between two checkpoints', () => {
    const leaves = [...log.leaves];
    let prev = log.hashes[33]!;
    for (let i = 34; i < N; i++) {
      leaves[i] = encodeLeaf(entryJson(normalizeEntry(sampleEntry(i + 1000))), prev, i);
      prev = leafHash(leaves[i]!);
    }
    expect(verify(exportText(leaves, log.hashes, 0, N, N)).failure).toMatchObject({ reason: 'root_mismatch', range: [30, 39] });
  });

  it('refuses a forged checkpoint in the export, a corrupted boundary, garbage and CRLF line ends', () => {
    const other = generateSigner(ORIGIN).signer;
    const text = whole().toString('utf8');
    const forgedNote = text.replace(/\{"checkpoint":"[^"]*"\}/, () => checkpointLine('x\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— ' + other.name + ' AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n').trimEnd());
    expect(verify(Buffer.from(forgedNote, 'utf8')).failure).toMatchObject({ reason: 'checkpoint_signature' });
    const range = exportText(log.leaves, log.hashes, 23, 37, N).toString('latin1');
    const badLeft = range.replace(/"left":\["./, (m) => m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A'));
    expect(verify(Buffer.from(badLeft, 'latin1')).failure).toMatchObject({ reason: 'root_mismatch' });
    expect(verify(Buffer.from(text.replace('\n', '\nhello\n'), 'utf8')).failure).toMatchObject({ reason: 'malformed', index: 1 });
    expect(verify(Buffer.from(text.replaceAll('\n', '\r\n'), 'utf8')).failure).toMatchObject({ reason: 'malformed', index: 0 });
  });
});
