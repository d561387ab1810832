/** The audit log on a real PostgreSQL: appends, concurrency, fail closed, transactions, checkpoints. */
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationUrl, createPool } from '../../src/platform/database.js';
import type { App, Platform } from '../../src/platform/http/server.js';
import { appendInTransaction, AuditAppender, AuditUnavailableError } from '../../src/security/audit/appender.js';
import { decodeLeaf, GENESIS_PREV } from '../../src/security/audit/leaf.js';
import { Frontier, leafHash, verifyConsistency, verifyInclusion } from '../../src/security/audit/merkle.js';
import { openCheckpoint } from '../../src/security/audit/note.js';
import { consistencyProof, inclusionProof } from '../../src/security/audit/proofs.js';
import { CheckpointPublisher } from '../../src/security/audit/publisher.js';
import { recordOrRefuse, requestContext } from '../../src/security/audit/request.js';
import { sampleEntry } from '../../src/security/audit/sample.js';
import { verifierKeyOf } from '../../src/security/audit/signer.js';
import { checkpointAt, latestCheckpoint, logSize, readLeaves } from '../../src/security/audit/store.js';
import { call, CHIYODA, newSession } from '../support/api.js';
import { createAuditTestPlatform, type AuditTestPlatform } from './support.js';

/** A route that records an entry and answers only once it is written: what every personal-data route will do. */
function probeRoutes(app: App, platform: Platform): void {
  app.post(
    '/v1/test/audited',
    { config: { access: { roles: ['clerk'] } }, schema: { body: Type.Object({}, { additionalProperties: false }) } },
    async (request) => {
      const { seq } = await recordOrRefuse(platform, {
        ...requestContext(request),
        kind: 'personal_data_read',
        municipality: CHIYODA,
        records: [{ resource: 'residents', ids: ['00000000-0000-4000-8000-000000000001'] }],
        outcome: { result: 'success', reason: null },
      });
      return { seq };
    },
  );
}

let t: AuditTestPlatform;
beforeAll(async () => {
  t = await createAuditTestPlatform({ extraModules: [probeRoutes] });
});
afterAll(async () => t?.close());

/** Every committed leaf in order: indices gapless, each linked to the one before. */
async function checkChain(): Promise<number> {
  const size = await logSize(t.audit.pool);
  const rows = await readLeaves(t.audit.pool, 0, size);
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: size }, (_, i) => i));
  let prev = GENESIS_PREV;
  for (const r of rows) {
    const d = decodeLeaf(r.leaf);
    expect(d.seq).toBe(r.seq);
    expect(d.prev.equals(prev)).toBe(true);
    prev = leafHash(r.leaf);
  }
  return size;
}

describe('appending', () => {
  it('numbers entries from 0 without gaps and links each to the one before', async () => {
    const before = await logSize(t.audit.pool);
    const seqs = await Promise.all(Array.from({ length: 25 }, (_, i) => t.audit.append(sampleEntry(i)).then((r) => r.seq)));
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => before + i));
    await checkChain();
  });

  it('stores leaves in the control schema, where the application role can insert and read but not change or remove', async () => {
    const app = t.tp.platform.control;
    for (const sql of ['UPDATE control.audit_entries SET created_at = now()', 'DELETE FROM control.audit_entries', 'TRUNCATE control.audit_entries', 'UPDATE control.audit_checkpoints SET note = note', 'DELETE FROM control.audit_nodes']) {
      await expect(app.query(sql), sql).rejects.toMatchObject({ code: '42501' });
    }
    // Even the owner role, which could grant itself anything, is stopped by the append-only triggers.
    await t.asAdmin(async (c) => {
      await c.query('BEGIN');
      await c.query(`SET LOCAL ROLE ${t.tp.databases.roles.ownerRole}`);
      await expect(c.query('UPDATE control.audit_entries SET created_at = now() WHERE seq = 0')).rejects.toThrow(/append-only/);
      await c.query('ROLLBACK');
    });
  });

  it('stays gapless and in commit order with several appenders in several processes (pools) at once', async () => {
    const before = await logSize(t.audit.pool);
    const processes = [t.appPool(3), t.appPool(3), t.appPool(3)].map((pool, p) => new AuditAppender(pool, { maxBatch: 7 + p * 13, flushMs: 1 + p }));
    const inTransaction = async (i: number) => {
      const client = await t.tp.platform.control.connect();
      try {
        await client.query('BEGIN');
        const [r] = await appendInTransaction(client, sampleEntry(10_000 + i));
        await client.query('COMMIT');
        return r!.seq;
      } finally {
        client.release();
      }
    };
    const seqs = await Promise.all([
      ...Array.from({ length: 600 }, (_, i) => processes[i % 3]!.append(sampleEntry(1000 + i)).then((r) => r.seq)),
      ...Array.from({ length: 20 }, (_, i) => inTransaction(i)),
    ]);
    await Promise.all(processes.map((p) => p.close()));
    expect(new Set(seqs).size).toBe(620);
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 620 }, (_, i) => before + i));
    expect(await checkChain()).toBe(before + 620);
    // And all of it signs and verifies.
    const published = await t.audit.publisher.publish();
    expect(published?.treeSize).toBe(before + 620);
  });

  it('commits or rolls back with the caller\'s transaction, and refuses a snapshot older than its lock', async () => {
    const before = await logSize(t.audit.pool);
    const client = await t.tp.platform.control.connect();
    try {
      await client.query('BEGIN');
      await appendInTransaction(client, [sampleEntry(1), sampleEntry(2)]);
      await client.query('ROLLBACK');
      expect(await logSize(t.audit.pool)).toBe(before);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await expect(appendInTransaction(client, sampleEntry(3))).rejects.toThrow(/READ COMMITTED/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    // The rolled-back entries left no gap: the next one takes their place.
    const again = await t.tp.platform.control.connect();
    let r: { seq: number } | undefined;
    try {
      await again.query('BEGIN');
      [r] = await t.audit.appendInTransaction(again, sampleEntry(4));
      await again.query('COMMIT');
    } finally {
      again.release();
    }
    expect(r!.seq).toBe(before);
  });

  it('refuses an entry that breaks the catalogue before anything is written', async () => {
    await expect(t.audit.append({ ...sampleEntry(1), records: [{ resource: 'residents', ids: ['山田太郎'] }] })).rejects.toMatchObject({ field: 'records[0].ids[0]' });
  });
});

describe('failing closed', () => {
  it('rejects every waiting append when its batch cannot be written', async () => {
    // A pool on a database without the audit tables: every batch fails.
    const broken = createPool(applicationUrl(t.tp.databases.cells[0]!.adminUrl, t.tp.databases.roles), 2);
    const appender = new AuditAppender(broken, { maxBatch: 5 });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => appender.append(sampleEntry(i))));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof AuditUnavailableError)).toBe(true);
    await appender.close();
    await expect(appender.append(sampleEntry(1))).rejects.toBeInstanceOf(AuditUnavailableError);
    await broken.end();
  });

  it('fails the request whose entry could not be written, and serves again once it can', async () => {
    const clerk = await newSession(t.tp, CHIYODA, ['clerk']);
    const ok = await clerk.call('POST', '/v1/test/audited', {});
    expect(ok.status).toBe(200);
    const [row] = await readLeaves(t.audit.pool, ok.body.seq, ok.body.seq + 1);
    const entry = decodeLeaf(row!.leaf).entry;
    expect(entry).toMatchObject({ kind: 'personal_data_read', municipality: CHIYODA, actor: { roles: ['clerk'], organization: CHIYODA }, source: { zone: 'unknown', address: '127.0.0.1' } });
    expect(entry.request).toBe(ok.headers['x-request-id']);

    // The appender's pool loses its database: the request fails with 503 and says why.
    const original = t.audit.appender;
    const dead = createPool('postgres://nobody:x@127.0.0.1:1/none', 1);
    Object.assign(t.audit, { appender: new AuditAppender(dead) });
    try {
      const refused = await clerk.call('POST', '/v1/test/audited', {});
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('audit_unavailable');
      expect(refused.body.message.en).toMatch(/audit log could not record/);
    } finally {
      Object.assign(t.audit, { appender: original });
      await dead.end();
    }
    expect((await clerk.call('POST', '/v1/test/audited', {})).status).toBe(200);
    expect((await call(t.tp.app, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('checkpoints', () => {
  it('are signed by the log key, cover the whole log, and keep the frontier and level-8 subtrees', async () => {
    await t.audit.appender.flush();
    while ((await logSize(t.audit.pool)) < 700) await Promise.all(Array.from({ length: 100 }, (_, i) => t.audit.append(sampleEntry(i))));
    await t.audit.publisher.publish();
    const size = await logSize(t.audit.pool);
    const latest = (await latestCheckpoint(t.audit.pool))!;
    expect(latest.treeSize).toBe(size);
    const checkpoint = openCheckpoint(latest.note, verifierKeyOf(t.signer));
    expect(checkpoint.treeSize).toBe(size);
    const f = new Frontier();
    for (const r of await readLeaves(t.audit.pool, 0, size)) f.push(leafHash(r.leaf));
    expect(f.root().equals(checkpoint.rootHash)).toBe(true);
    expect(Buffer.concat(latest.frontier).equals(Buffer.concat(f.hashes()))).toBe(true);
    const nodes = await t.asAdmin((c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM control.audit_nodes WHERE level = 8'));
    expect(nodes.rows[0]!.n).toBe(Math.floor(size / 256));
    expect(await t.audit.publisher.publish()).toBeNull();
  });

  it('serve inclusion and consistency proofs from stored subtrees that verify against signed roots', async () => {
    const latest = (await latestCheckpoint(t.audit.pool))!;
    const sizes = (await t.asAdmin((c) => c.query<{ tree_size: string }>('SELECT tree_size FROM control.audit_checkpoints ORDER BY tree_size'))).rows.map((r) => Number(r.tree_size));
    for (const index of [0, 1, 255, 256, 257, 511, 600, latest.treeSize - 1]) {
      const [leaf] = await readLeaves(t.audit.pool, index, index + 1);
      const proof = await inclusionProof(t.audit.pool, index, latest.treeSize);
      expect(verifyInclusion(leafHash(leaf!.leaf), index, latest.treeSize, proof, latest.rootHash), `leaf ${index}`).toBe(true);
    }
    for (const first of sizes) {
      const older = (await checkpointAt(t.audit.pool, first))!;
      const proof = await consistencyProof(t.audit.pool, first, latest.treeSize);
      expect(verifyConsistency(first, latest.treeSize, older.rootHash, latest.rootHash, proof), `${first} → ${latest.treeSize}`).toBe(true);
    }
  });

  it('are published on a schedule while entries arrive, and nothing runs after stop', async () => {
    const publisher = new CheckpointPublisher(t.appPool(2), t.signer, { intervalMs: 50 });
    publisher.start();
    expect(publisher.scheduled).toBe(true);
    await t.audit.append(sampleEntry(1));
    const target = await logSize(t.audit.pool);
    const deadline = Date.now() + 5000;
    while (((await latestCheckpoint(t.audit.pool))?.treeSize ?? 0) < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await latestCheckpoint(t.audit.pool))!.treeSize).toBe(target);
    await publisher.stop();
    expect(publisher.scheduled).toBe(false);
    await t.audit.append(sampleEntry(2));
    await new Promise((r) => setTimeout(r, 200));
    expect((await latestCheckpoint(t.audit.pool))!.treeSize).toBe(target);
  });
});
