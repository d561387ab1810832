/**
 * Tampering with the audit log directly in the database, as an administrator
 * who can bypass every trigger and grant, is detected by verifying an export
 * against a signed checkpoint, and the first bad entry is named.
 *
 * Each case changes the log inside a transaction, exports from that same
 * transaction (so the export sees the tampered rows), verifies the file, and
 * rolls back: every case starts from the same intact log.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditAppender } from '../../src/security/audit/appender.js';
import { runVerify } from '../../src/security/audit/cli.js';
import { exportAuditLog } from '../../src/security/audit/export.js';
import { encodeLeaf, entryJson } from '../../src/security/audit/leaf.js';
import { leafHash } from '../../src/security/audit/merkle.js';
import { normalizeEntry } from '../../src/security/audit/entry.js';
import { AuditIntegrityError } from '../../src/security/audit/proofs.js';
import { sampleEntry } from '../../src/security/audit/sample.js';
import { generateSigner, signCheckpoint, verifierKeyOf } from '../../src/security/audit/signer.js';
import { latestCheckpoint } from '../../src/security/audit/store.js';
import { verifyExportFile } from '../../src/security/audit/verify-file.js';
import type { VerifyResult } from '../../src/security/audit/verifier.js';
import { createAuditTestPlatform, type AuditTestPlatform } from './support.js';

const SIZE = 300;
const EVERY = 50;

let t: AuditTestPlatform;
let dir: string;
let vkey: string;
let trusted: string;

beforeAll(async () => {
  t = await createAuditTestPlatform();
  dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-audit-'));
  vkey = verifierKeyOf(t.signer).text;
  // Three "processes" appending at once, a checkpoint every 50 entries.
  const appenders = [t.appPool(2), t.appPool(2), t.appPool(2)].map((pool) => new AuditAppender(pool, { maxBatch: 16 }));
  for (let round = 0; round < SIZE / EVERY; round++) {
    await Promise.all(Array.from({ length: EVERY }, (_, i) => appenders[i % 3]!.append(sampleEntry(round * EVERY + i))));
    await t.audit.publisher.publish();
  }
  await Promise.all(appenders.map((a) => a.close()));
  trusted = path.join(dir, 'trusted.checkpoint');
  await writeFile(trusted, (await latestCheckpoint(t.audit.pool))!.note);
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** Tampers as the superuser with triggers off, exports in the same transaction, rolls back, verifies. */
async function tamperAndVerify(tamper: (c: pg.Client) => Promise<void>, threads?: number): Promise<VerifyResult> {
  const file = path.join(dir, `export-${++n}.jsonl`);
  await t.asAdmin(async (c) => {
    await c.query('BEGIN');
    await c.query("SET LOCAL session_replication_role = 'replica'");
    try {
      await tamper(c);
      await exportAuditLog(c, { out: file });
    } finally {
      await c.query('ROLLBACK');
    }
  });
  return verifyExportFile({ entriesPath: file, key: vkey, checkpointPath: trusted, ...(threads !== undefined ? { threads } : {}) });
}

const leafOf = async (c: pg.Client, seq: number) => (await c.query<{ leaf: Buffer }>('SELECT leaf FROM control.audit_entries WHERE seq = $1', [seq])).rows[0]!.leaf;
const setLeaf = (c: pg.Client, seq: number, leaf: Buffer) => c.query('UPDATE control.audit_entries SET leaf = $2 WHERE seq = $1', [seq, leaf]);
/** What an administrator hiding a read would do: point the entry at another record. */
const withOtherRecord = (leaf: Buffer) => Buffer.from(leaf.toString('latin1').replace(/"ids":\["(.)/, (_m, ch: string) => `"ids":["${ch === 'a' ? 'b' : 'a'}`), 'latin1');
/** Moves entries [from, ∞) by delta, in two steps so the primary key never collides on the way. */
async function shift(c: pg.Client, from: number, delta: number): Promise<void> {
  await c.query('UPDATE control.audit_entries SET seq = seq + 1000000 WHERE seq >= $1', [from]);
  await c.query('UPDATE control.audit_entries SET seq = seq - 1000000 + $1::bigint WHERE seq >= 1000000', [delta]);
}

describe('an intact log', () => {
  it('verifies: written concurrently, every entry at its index, every checkpoint matching', async () => {
    // With leaves hashed on the main thread, on one worker, or on several: the same verdict.
    for (const threads of [0, 1, 3]) {
      const r = await tamperAndVerify(async () => undefined, threads);
      expect(r, `${threads} threads`).toMatchObject({ ok: true, start: 0, end: SIZE, checkpointsChecked: SIZE / EVERY + 1 });
    }
  });
});

describe('tampering with entries', () => {
  it('an entry altered in place is named', async () => {
    for (const [seq, threads] of [[0, 0], [123, 1], [250, 3]] as const) {
      const r = await tamperAndVerify(async (c) => void (await setLeaf(c, seq, withOtherRecord(await leafOf(c, seq)))), threads);
      expect(r.failure, `entry ${seq}`).toMatchObject({ reason: 'altered', index: seq });
    }
  });

  it('the newest entry altered is found between the last two checkpoints', async () => {
    const r = await tamperAndVerify(async (c) => void (await setLeaf(c, SIZE - 1, withOtherRecord(await leafOf(c, SIZE - 1)))));
    expect(r.failure).toMatchObject({ reason: 'root_mismatch', range: [SIZE - EVERY, SIZE - 1] });
  });

  it('an entry deleted and the rest renumbered to close the gap is named', async () => {
    const r = await tamperAndVerify(async (c) => {
      await c.query('DELETE FROM control.audit_entries WHERE seq = 77');
      await shift(c, 78, -1);
    });
    expect(r.failure).toMatchObject({ reason: 'out_of_place', index: 77 });
  });

  it('an entry deleted, leaving its gap, is named; the newest entries cut off are found missing', async () => {
    const gap = await tamperAndVerify(async (c) => void (await c.query('DELETE FROM control.audit_entries WHERE seq = 77')));
    expect(gap.failure).toMatchObject({ reason: 'out_of_place', index: 77 });
    const cut = await tamperAndVerify(async (c) => void (await c.query(`DELETE FROM control.audit_entries WHERE seq >= ${SIZE - 10}`)));
    expect(cut.failure).toMatchObject({ reason: 'missing', index: SIZE - 10 });
  });

  it('two entries swapped are named at the first', async () => {
    const r = await tamperAndVerify(async (c) => {
      const [a, b] = [await leafOf(c, 40), await leafOf(c, 41)];
      await setLeaf(c, 40, b);
      await setLeaf(c, 41, a);
    });
    expect(r.failure).toMatchObject({ reason: 'out_of_place', index: 40 });
  });

  it('an inserted entry is named, even forged with the right index and link', async () => {
    const r = await tamperAndVerify(async (c) => {
      const prevHash = (await c.query<{ h: Buffer }>('SELECT leaf_hash AS h FROM control.audit_entries WHERE seq = 149')).rows[0]!.h;
      await shift(c, 150, 1);
      const forged = encodeLeaf(entryJson(normalizeEntry(sampleEntry(99_999))), prevHash, 150);
      await c.query("INSERT INTO control.audit_entries (seq, leaf, leaf_hash, municipality_code) VALUES (150, $1, $2, '131016')", [forged, leafHash(forged)]);
    });
    expect(r.failure).toMatchObject({ reason: 'inserted', index: 150 });
  });

  it('a rewrite that re-links every later entry is found between two checkpoints', async () => {
    const r = await tamperAndVerify(async (c) => {
      let prev = (await c.query<{ h: Buffer }>('SELECT leaf_hash AS h FROM control.audit_entries WHERE seq = 209')).rows[0]!.h;
      for (let seq = 210; seq < SIZE; seq++) {
        const leaf = encodeLeaf(entryJson(normalizeEntry(sampleEntry(seq + 5000))), prev, seq);
        prev = leafHash(leaf);
        await c.query('UPDATE control.audit_entries SET leaf = $2, leaf_hash = $3 WHERE seq = $1', [seq, leaf, prev]);
      }
    });
    expect(r.failure).toMatchObject({ reason: 'root_mismatch', range: [200, 249] });
  });
});

describe('tampering with checkpoints', () => {
  it('a checkpoint re-signed by another key is refused, in the export and as the trusted one', async () => {
    const forger = generateSigner(t.audit.origin).signer;
    let forgedNote = '';
    const r = await tamperAndVerify(async (c) => {
      const latest = (await latestCheckpoint(c))!;
      forgedNote = await signCheckpoint({ origin: t.audit.origin, treeSize: latest.treeSize, rootHash: latest.rootHash }, forger);
      await c.query('UPDATE control.audit_checkpoints SET note = $2 WHERE tree_size = $1', [latest.treeSize, forgedNote]);
    });
    expect(r.failure).toMatchObject({ reason: 'checkpoint_signature' });
    const forged = path.join(dir, 'forged.checkpoint');
    await writeFile(forged, forgedNote);
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: () => undefined };
    const intact = path.join(dir, 'intact.jsonl');
    await exportAuditLog(t.audit.pool, { out: intact });
    expect(await runVerify({ entries: intact, key: vkey, checkpoint: forged }, io)).toBe(1);
    expect(out.join('')).toMatch(/FAILED: no entry could be checked \(checkpoint_signature\)\nthe checkpoint is refused: .*no signature by the given key/);
  });

  it('a corrupted checkpoint is refused: a changed root fails its signature, a mangled note is bad input', async () => {
    const intact = path.join(dir, 'intact2.jsonl');
    await exportAuditLog(t.audit.pool, { out: intact });
    const note = await readFile(trusted, 'utf8');
    const lines = note.split('\n');
    lines[2] = lines[2]!.startsWith('A') ? `B${lines[2]!.slice(1)}` : `A${lines[2]!.slice(1)}`;
    const corrupted = path.join(dir, 'corrupted.checkpoint');
    await writeFile(corrupted, lines.join('\n'));
    const io = { out: () => undefined, err: () => undefined };
    expect(await runVerify({ entries: intact, key: vkey, checkpoint: corrupted }, io)).toBe(1);
    await writeFile(corrupted, note.slice(0, note.length - 10));
    await expect(runVerify({ entries: intact, key: vkey, checkpoint: corrupted }, io)).rejects.toThrow(/--checkpoint: malformed signed note/);
    expect(await runVerify({ entries: intact, key: vkey, checkpoint: trusted }, io)).toBe(0);
  });

  it('the publisher refuses to sign over a signed entry changed since', async () => {
    await t.asAdmin(async (c) => {
      await c.query("SET session_replication_role = 'replica'");
      await setLeaf(c, SIZE - 1, withOtherRecord(await leafOf(c, SIZE - 1)));
    });
    await t.audit.append(sampleEntry(1));
    await expect(t.audit.publisher.publish()).rejects.toThrow(AuditIntegrityError);
    await expect(t.audit.publisher.publish()).rejects.toThrow(`entry ${SIZE - 1} no longer matches the checkpoint at tree size ${SIZE}`);
  });
});
