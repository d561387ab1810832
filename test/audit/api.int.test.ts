/** The audit API: checkpoints, the key, proofs, and who may see which entries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRoute } from '../../src/platform/http/access.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/security/audit/merkle.js';
import { openCheckpoint, parseVerifierKey } from '../../src/security/audit/note.js';
import { sampleEntry } from '../../src/security/audit/sample.js';
import { call, CHIYODA, newSession, SAPPORO, type Session } from '../support/api.js';
import { logSize } from '../../src/security/audit/store.js';
import { createAuditTestPlatform, type AuditTestPlatform } from './support.js';

let t: AuditTestPlatform;
let operator: Session;
let chiyodaAuditor: Session;
let sapporoAuditor: Session;
let prefecture: Session;
let clerk: Session;
let firstSize = 0;
/** The log's size before this file's entries (a wired runtime may record logins, too). */
let base = 0;
const N = 150;

const b = (s: string) => Buffer.from(s, 'base64');

beforeAll(async () => {
  t = await createAuditTestPlatform();
  [operator, chiyodaAuditor, sapporoAuditor, prefecture, clerk] = await Promise.all([
    newSession(t.tp, '000001', ['platform_operator']),
    newSession(t.tp, CHIYODA, ['auditor']),
    newSession(t.tp, SAPPORO, ['auditor']),
    newSession(t.tp, '130001', ['prefecture_security_admin']),
    newSession(t.tp, CHIYODA, ['clerk']),
  ]);
  // 千代田区, 札幌市 and platform-wide entries, interleaved; a checkpoint in the middle and at the end.
  await t.audit.appender.flush();
  base = await logSize(t.audit.pool);
  const municipalities = [CHIYODA, SAPPORO, null];
  for (let i = 0; i < N; i++) {
    const m = municipalities[i % 3]!;
    await t.audit.append(sampleEntry(i, { kind: m ? 'personal_data_read' : 'login', municipality: m }));
    if (i === 59) firstSize = (await t.audit.publisher.publish())!.treeSize;
  }
  await t.audit.publisher.publish();
});
afterAll(async () => t?.close());

describe('checkpoints and the key', () => {
  it('serve the verifier key and a checkpoint that opens with it', async () => {
    const key = await prefecture.call('GET', '/v1/audit/key');
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ name: t.audit.origin, algorithm: 'Ed25519' });
    const vkey = parseVerifierKey(key.body.vkey);
    const latest = await chiyodaAuditor.call('GET', '/v1/audit/checkpoint');
    expect(latest.status).toBe(200);
    const c = openCheckpoint(latest.body.note, vkey);
    expect(c).toMatchObject({ origin: t.audit.origin, treeSize: base + N });
    expect(latest.body).toMatchObject({ origin: t.audit.origin, treeSize: base + N, rootHash: c.rootHash.toString('base64') });
    const older = await operator.call('GET', `/v1/audit/checkpoint?treeSize=${firstSize}`);
    expect(openCheckpoint(older.body.note, vkey).treeSize).toBe(firstSize);
    expect((await operator.call('GET', `/v1/audit/checkpoint?treeSize=${firstSize + 1}`)).status).toBe(404);
  });

  it('serve a consistency proof from an older checkpoint to the latest that verifies', async () => {
    const vkey = parseVerifierKey((await operator.call('GET', '/v1/audit/key')).body.vkey);
    const older = openCheckpoint((await operator.call('GET', `/v1/audit/checkpoint?treeSize=${firstSize}`)).body.note, vkey);
    const latest = openCheckpoint((await operator.call('GET', '/v1/audit/checkpoint')).body.note, vkey);
    const proof = await prefecture.call('GET', `/v1/audit/proofs/consistency?first=${firstSize}`);
    expect(proof.status).toBe(200);
    expect(proof.body).toMatchObject({ first: firstSize, second: base + N });
    expect(verifyConsistency(firstSize, base + N, older.rootHash, latest.rootHash, proof.body.proof.map(b))).toBe(true);
    expect(verifyConsistency(firstSize, base + N, latest.rootHash, latest.rootHash, proof.body.proof.map(b))).toBe(false);
  });
});

describe('entries', () => {
  it("show an auditor only their municipality's entries, each provable against the signed checkpoint", async () => {
    const vkey = parseVerifierKey((await chiyodaAuditor.call('GET', '/v1/audit/key')).body.vkey);
    const checkpoint = openCheckpoint((await chiyodaAuditor.call('GET', '/v1/audit/checkpoint')).body.note, vkey);
    const seen: number[] = [];
    let from = 0;
    for (;;) {
      const page = await chiyodaAuditor.call('GET', `/v1/audit/entries?from=${from}&limit=7`);
      expect(page.status).toBe(200);
      for (const item of page.body.items) {
        expect(item.entry.municipality).toBe(CHIYODA);
        expect(JSON.parse(item.leaf).entry).toEqual(item.entry);
        expect(leafHash(Buffer.from(item.leaf)).toString('base64')).toBe(item.leafHash);
        seen.push(item.index);
      }
      if (page.body.nextFrom === null) break;
      from = page.body.nextFrom;
    }
    const ours = Array.from({ length: N / 3 }, (_, i) => base + i * 3);
    expect(seen).toEqual(expect.arrayContaining(ours));
    for (const index of [ours[0]!, ours[17]!, ours.at(-1)!]) {
      const item = (await chiyodaAuditor.call('GET', `/v1/audit/entries?from=${index}&limit=1`)).body.items[0];
      const proof = await chiyodaAuditor.call('GET', `/v1/audit/proofs/inclusion?index=${index}`);
      expect(proof.body).toMatchObject({ index, treeSize: base + N, leafHash: item.leafHash });
      expect(verifyInclusion(b(item.leafHash), index, base + N, proof.body.proof.map(b), checkpoint.rootHash)).toBe(true);
    }
    const sapporo = await sapporoAuditor.call('GET', `/v1/audit/entries?from=${base}&limit=1000`);
    expect(sapporo.body.items.every((i: { entry: { municipality: string } }) => i.entry.municipality === SAPPORO)).toBe(true);
    expect(sapporo.body.items.map((i: { index: number }) => i.index)).toEqual(Array.from({ length: N / 3 }, (_, i) => base + i * 3 + 1));
  });

  it('show the operator every entry, platform-wide ones included, page by page', async () => {
    const first = await operator.call('GET', `/v1/audit/entries?from=${base}&limit=100`);
    expect(first.body.items).toHaveLength(100);
    expect(first.body.nextFrom).toBe(base + 100);
    const rest = await operator.call('GET', `/v1/audit/entries?from=${base + 100}&limit=100`);
    expect(rest.body.items.map((i: { index: number }) => i.index)).toEqual(Array.from({ length: 50 }, (_, i) => base + 100 + i));
    expect(rest.body.nextFrom).toBeNull();
    expect(first.body.items[2].entry).toMatchObject({ kind: 'login', municipality: null });
  });

  it('do not go past the latest checkpoint', async () => {
    await t.audit.append(sampleEntry(1, { municipality: CHIYODA }));
    const page = await operator.call('GET', `/v1/audit/entries?from=${base + 140}&limit=100`);
    expect(page.body.treeSize).toBe(base + N);
    expect(page.body.items.at(-1).index).toBe(base + N - 1);
  });
});

describe('access and bad input', () => {
  it('admit the roles that check the log, and no one else', async () => {
    expect((await clerk.call('GET', '/v1/audit/checkpoint')).status).toBe(403);
    expect((await prefecture.call('GET', '/v1/audit/entries')).status).toBe(403);
    for (const r of t.tp.app.municloudRoutes.filter((r) => r.url.startsWith('/v1/audit'))) {
      expect(r.access?.roles, describeRoute(r)).not.toBe('public');
      expect(r.access?.tenant, describeRoute(r)).toBeFalsy();
      expect((await call(t.tp.app, r.method, r.url)).status, describeRoute(r)).toBe(401);
    }
  });

  it('refuse unknown fields and out-of-range numbers with the field and the rule', async () => {
    const cases: [string, string, string][] = [
      ['/v1/audit/entries?municipality=011002', 'querystring/municipality', 'unknown_field'],
      ['/v1/audit/entries?limit=1001', 'querystring/limit', 'maximum'],
      ['/v1/audit/proofs/inclusion', 'querystring/index', 'required'],
      ['/v1/audit/proofs/inclusion?index=-1', 'querystring/index', 'minimum'],
      [`/v1/audit/proofs/inclusion?index=${base + N}`, 'querystring/index', 'within_tree'],
      [`/v1/audit/proofs/inclusion?index=1&treeSize=${base + N + 1}`, 'querystring/treeSize', 'published_tree_size'],
      [`/v1/audit/proofs/consistency?first=${base + N}&second=${base + N - 1}`, 'querystring/first', 'not_after_second'],
      ['/v1/audit/proofs/consistency?first=1&second=9999', 'querystring/second', 'published_tree_size'],
      ['/v1/audit/checkpoint?size=3', 'querystring/size', 'unknown_field'],
    ];
    for (const [url, field, rule] of cases) {
      const res = await operator.call('GET', url);
      expect(res.status, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors[0], url).toMatchObject({ field, rule });
    }
  });

  it('answer 503 while no audit log is configured', async () => {
    const audit = t.tp.platform.audit;
    Object.assign(t.tp.platform, { audit: undefined });
    try {
      const res = await operator.call('GET', '/v1/audit/checkpoint');
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('audit_unavailable');
      expect(res.body.message.en).toMatch(/not configured/);
    } finally {
      Object.assign(t.tp.platform, { audit });
    }
  });

  it('refuse to serve a proof that does not match the signed root once the stored log was changed', async () => {
    await t.asAdmin(async (c) => {
      await c.query("SET session_replication_role = 'replica'");
      // Entry base + 5's leaf altered (its stored hash left as it was), and entry base + 8's stored hash altered.
      await c.query(`UPDATE control.audit_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '"v":1', '"v":1 '), 'UTF8') WHERE seq = $1`, [base + 5]);
      await c.query('UPDATE control.audit_entries SET leaf_hash = sha256(leaf_hash) WHERE seq = $1', [base + 8]);
    });
    for (const index of [base + 5, base + 9, base + 140]) {
      const proof = await chiyodaAuditor.call('GET', `/v1/audit/proofs/inclusion?index=${index}`);
      expect(proof.status, `leaf ${index}`).toBe(500);
      expect(proof.body.message.en).toMatch(/integrity/);
    }
    // (Every other proof of the tree folds in a subtree holding one of them too.) The server keeps serving.
    expect((await call(t.tp.app, 'GET', '/healthz')).status).toBe(200);
  });
});
