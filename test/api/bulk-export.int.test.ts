/**
 * Four-eyes bulk exports end to end, on real PostgreSQL: request → approval by
 * a second admin → download by the requester → offline decryption gives the
 * CSV; and every way it must refuse: self-approval, another municipality,
 * clerks, anyone but the requester downloading, too many downloads, expiry,
 * rejection, blocked readers, a wrong key or an altered file, bad input. Every
 * step leaves an audit entry. The datasets are registered here, as an
 * operation would register its own.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOffices } from '../../src/offices/store.js';
import { parseCsv } from '../../src/security/exports/csv.js';
import { cursorRows, EXPORT_DATASETS } from '../../src/security/exports/datasets.js';
import { ExportCliError, registerExportCommands, runDecrypt, type ExportCliIo } from '../../src/security/exports/cli.js';
import { decryptExport } from '../../src/security/exports/file-format.js';
import { EXPORT_KEY_SEALED, EXPORT_REASON_SEALED } from '../../src/security/exports/store.js';
import { sealedKeyVersion } from '../../src/security/keys/format.js';
import { rewrap } from '../../src/security/keys/rewrap.js';
import { rotateDataKey } from '../../src/security/keys/rotation.js';
import { CHIYODA, newSession, SAPPORO, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';

// Real tenant data, read through the offices module's own function (keyset pages), confined by RLS.
EXPORT_DATASETS.register({
  name: 'test_offices',
  ja: '庁舎一覧（試験用）',
  en: 'Offices (test)',
  resource: 'offices',
  columns: [
    { name: 'office_id', ja: 'ID' },
    { name: 'name', ja: '名称' },
    { name: 'name_kana', ja: 'カナ' },
    { name: 'address', ja: '住所' },
  ],
  filterSchema: Type.Object({ kind: Type.Optional(Type.Enum(['main', 'branch', 'counter'])) }, { additionalProperties: false }),
  async *rows({ db, filter }) {
    const { kind } = filter as { kind?: 'main' | 'branch' | 'counter' };
    let after: { nameKana: string; id: string } | undefined;
    for (;;) {
      const { items } = await listOffices(db, { ...(kind ? { kind } : {}) }, { limit: 2, ...(after ? { after } : {}) });
      for (const o of items) yield { id: o.id, values: [o.id, o.name, o.nameKana, o.address] };
      if (items.length < 2) return;
      after = { nameKana: items.at(-1)!.nameKana, id: items.at(-1)!.id };
    }
  },
});

// Values CSV must quote or defuse, many rows (several chunks and parts), ids repeated, read through a cursor.
const TRICKY = ['=SUM(A1:A9)', '+81-3-1234-5678', '-5', '@cmd', '\tTAB', 'a,b', 'say "hi"', 'two\r\nlines', '山田　太郎', '', null];
const SYNTHETIC_IDS = Array.from({ length: 50 }, () => randomUUID());
EXPORT_DATASETS.register({
  name: 'test_synthetic',
  ja: '合成データ（試験用）',
  en: 'Synthetic rows (test)',
  resource: 'synthetic',
  columns: [
    { name: 'n', ja: '番号' },
    { name: 'value', ja: '値' },
    { name: 'padding', ja: '詰め物' },
  ],
  filterSchema: Type.Object({ rows: Type.Integer({ minimum: 0, maximum: 100_000 }), wide: Type.Boolean({ default: false }) }, { additionalProperties: false }),
  async *rows({ db, filter, keys }) {
    const { rows, wide } = filter as { rows: number; wide: boolean };
    // A sealed value opened with the municipality's keys, as a real dataset would.
    const field = { table: 'cell.test_synthetic', column: 'value', recordId: SYNTHETIC_IDS[0]! };
    const opened = await keys.openText(field, await keys.seal(field, '封印された値'));
    for await (const r of cursorRows<{ n: number }>(db, 'SELECT g AS n FROM generate_series(1, $1::int) AS g', [rows], 300)) {
      const value = r.n === 1 ? opened : TRICKY[r.n % TRICKY.length]!;
      yield { id: SYNTHETIC_IDS[r.n % SYNTHETIC_IDS.length]!, values: [String(r.n), value, wide ? `行${r.n}`.padEnd(120, '＊') : null] };
    }
  },
});

let tp: TestPlatform;
let alice: Session; // requester
let bob: Session; // approver
let auditor: Session;
let clerk: Session;
let sapporoAdmin: Session;
let dir: string;

const quiet: ExportCliIo = { err: () => undefined, stdout: new PassThrough() };

interface Entry {
  kind: string;
  actor: { account: string | null };
  municipality: string | null;
  purpose: string | null;
  records: { resource: string; ids: string[] }[];
  outcome: { result: string; reason: string | null };
}

async function entries(): Promise<{ entry: Entry; text: string }[]> {
  const rows = await adminQuery<{ leaf: Buffer }>(tp, 'control', 'SELECT leaf FROM control.audit_entries ORDER BY seq');
  return rows.map((r) => ({ text: r.leaf.toString('utf8'), entry: (JSON.parse(r.leaf.toString('utf8')) as { entry: Entry }).entry }));
}

async function entriesAbout(exportId: string): Promise<Entry[]> {
  return (await entries()).map((e) => e.entry).filter((e) => e.records.some((r) => r.resource === 'bulk_exports' && r.ids.includes(exportId)));
}

/** A GET whose body is bytes or exact text (session.call would parse it). */
function rawGet(session: Session, url: string) {
  return tp.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${session.token}` } });
}

async function download(session: Session, id: string) {
  const res = await rawGet(session, `/v1/exports/${id}/file`);
  return { status: res.statusCode, headers: res.headers, bytes: res.rawPayload, json: () => JSON.parse(res.body) };
}

/** Whether the server has erased its sealed copy of the export key. */
async function sealedKeyErased(id: string): Promise<boolean> {
  return (await adminQuery(tp, 'cell-a', 'SELECT 1 FROM cell.bulk_exports WHERE id = $1 AND export_key_sealed IS NULL', [id])).length === 1;
}

/** Moves an export past its expiry, as time would. */
async function pastExpiry(id: string): Promise<void> {
  await adminQuery(tp, 'cell-a', "UPDATE cell.bulk_exports SET expires_at = now() - interval '1 second' WHERE id = $1", [id]);
}

/** Runs `fn` while the leak guard blocks the session's reads. */
async function whileReadsBlocked(session: Session, fn: () => Promise<void>): Promise<void> {
  const accountId = (await session.call('GET', '/v1/auth/me')).body.id;
  await tp.platform.control.query('UPDATE control.accounts SET reads_blocked_at = now() WHERE id = $1', [accountId]);
  try {
    await fn();
  } finally {
    await tp.platform.control.query('UPDATE control.accounts SET reads_blocked_at = NULL WHERE id = $1', [accountId]);
  }
}

async function requestExport(session: Session, body: Record<string, unknown>) {
  const res = await session.call('POST', '/v1/exports', { purpose: 'statistics', reason: '年次統計のため（担当：統計係）', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; exportKey: string; version: number; state: string };
}

async function approved(body: Record<string, unknown>) {
  const req = await requestExport(alice, body);
  const res = await bob.call('POST', `/v1/exports/${req.id}/approve`, { version: req.version });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { ...req, approved: res.body };
}

beforeAll(async () => {
  tp = await createTestPlatform();
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-a', null);
  alice = await newSession(tp, CHIYODA, ['municipal_admin']);
  bob = await newSession(tp, CHIYODA, ['municipal_admin']);
  auditor = await newSession(tp, CHIYODA, ['auditor']);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  sapporoAdmin = await newSession(tp, SAPPORO, ['municipal_admin']);
  for (const [who, name, kana, address] of [
    [alice, '千代田区役所', 'チヨダクヤクショ', '東京都千代田区九段南1-2-1'],
    [alice, '富士見出張所', 'フジミシュッチョウジョ', '東京都千代田区富士見1-6-7'],
    [alice, '神保町出張所', 'ジンボウチョウシュッチョウジョ', null],
    [sapporoAdmin, '札幌市役所', 'サッポロシヤクショ', '札幌市中央区北1条西2丁目'],
  ] as const) {
    const res = await who.call('POST', '/v1/offices', { kind: 'counter', name, nameKana: kana, address });
    expect(res.status).toBe(201);
  }
  dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-export-'));
});

afterAll(async () => {
  await tp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a four-eyes bulk export', () => {
  it('is requested, approved by a second admin, downloaded by the requester and decrypted offline into the CSV', async () => {
    const req = await requestExport(alice, { dataset: 'test_offices' });
    expect(req.state).toBe('requested');
    expect(req.exportKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The key is shown once: never again, to anyone.
    const shown = await alice.call('GET', `/v1/exports/${req.id}`);
    expect(shown.body).toMatchObject({ id: req.id, state: 'requested', reason: '年次統計のため（担当：統計係）', requestedBy: expect.any(String), fileSha256: null });
    expect(JSON.stringify(shown.body)).not.toContain(req.exportKey);
    expect(JSON.stringify((await auditor.call('GET', '/v1/exports')).body)).not.toContain(req.exportKey);
    // At rest the key and the reason are sealed, never in the clear.
    const [row] = await adminQuery<{ export_key_sealed: Buffer; reason_sealed: Buffer }>(tp, 'cell-a', 'SELECT export_key_sealed, reason_sealed FROM cell.bulk_exports WHERE id = $1', [req.id]);
    expect(row!.export_key_sealed.includes(Buffer.from(req.exportKey, 'base64url'))).toBe(false);
    expect(row!.reason_sealed.toString('utf8')).not.toContain('年次統計');

    const approve = await bob.call('POST', `/v1/exports/${req.id}/approve`, { version: req.version });
    expect(approve.status, JSON.stringify(approve.body)).toBe(200);
    expect(approve.body).toMatchObject({ state: 'approved', rowCount: 3, recordCount: 3, downloads: 0, maxDownloads: 3, version: 2 });
    expect(approve.body.decidedBy).not.toBe(approve.body.requestedBy);
    // Once decided, the server no longer holds the key: only the requester can decrypt the file.
    expect(await sealedKeyErased(req.id)).toBe(true);

    const file = await download(alice, req.id);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="test_offices-${req.id}.csv.mcx"`);
    expect(file.headers['cache-control']).toBe('no-store');
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(approve.body.fileSha256);
    expect(file.headers['repr-digest']).toBe(`sha-256=:${Buffer.from(approve.body.fileSha256, 'hex').toString('base64')}:`);
    expect(file.bytes.subarray(0, 4).toString('latin1')).toBe('MCX1');
    expect(file.bytes.includes(Buffer.from('千代田区役所'))).toBe(false);

    const input = path.join(dir, 'offices.mcx');
    const output = path.join(dir, 'offices.csv');
    await writeFile(input, file.bytes);
    expect(await runDecrypt({ key: req.exportKey, input, output }, quiet)).toBe(0);
    const csv = await readFile(output, 'utf8');
    const records = parseCsv(csv);
    expect(records[0]).toEqual(['office_id', 'name', 'name_kana', 'address']);
    expect(records.slice(1).map((r) => r[1]).sort()).toEqual(['千代田区役所', '富士見出張所', '神保町出張所'].sort());
    // Row-level security confined the dataset: 札幌市's office is not in 千代田区's export.
    expect(csv).not.toContain('札幌');

    // The evidence: the ids of what left, whose digest the export and the signed audit entry carry.
    const ids = records.slice(1).map((r) => r[0]!).sort();
    const listing = await rawGet(auditor, `/v1/exports/${req.id}/record-ids`);
    expect(listing.statusCode).toBe(200);
    expect(listing.body).toBe(ids.map((id) => `${id}\n`).join(''));
    expect(createHash('sha256').update(listing.body).digest('hex')).toBe(approve.body.recordIdsSha256);

    const trail = await entriesAbout(req.id);
    expect(trail.map((e) => [e.kind, e.outcome.result])).toEqual([
      ['export_requested', 'success'],
      ['export_approved', 'success'],
      ['export_downloaded', 'success'],
    ]);
    for (const e of trail) expect(e).toMatchObject({ municipality: CHIYODA, purpose: 'statistics' });
    const approval = trail[1]!;
    expect(approval.records).toEqual([
      { resource: 'bulk_exports', ids: [req.id] },
      { resource: 'bulk_export_record_ids_sha256', ids: [approve.body.recordIdsSha256] },
      { resource: 'bulk_export_file_sha256', ids: [approve.body.fileSha256] },
    ]);
    const texts = (await entries()).map((e) => e.text).join('\n');
    for (const secret of [req.exportKey, '年次統計', '千代田区役所']) expect(texts).not.toContain(secret);

    const after = await alice.call('GET', `/v1/exports/${req.id}`);
    expect(after.body).toMatchObject({ downloads: 1, state: 'approved' });
  });

  it('writes CSV that quotes and defuses what it must, across many chunks and parts, counting each record once', async () => {
    const rows = 12_000;
    const { id, exportKey, approved: a } = await approved({ dataset: 'test_synthetic', filter: { rows, wide: true } });
    expect(a).toMatchObject({ rowCount: rows, recordCount: SYNTHETIC_IDS.length });
    expect(a.fileSize).toBeGreaterThan(2 * 1024 * 1024);
    const parts = await adminQuery<{ n: string }>(tp, 'cell-a', 'SELECT count(*) AS n FROM cell.bulk_export_file_parts WHERE export_id = $1', [id]);
    expect(Number(parts[0]!.n)).toBeGreaterThan(2);
    const file = await download(alice, id);
    expect(file.bytes.length).toBe(a.fileSize);
    const { plaintext, info } = decryptExport(Buffer.from(exportKey, 'base64url'), file.bytes);
    expect(info.exportId).toBe(id);
    const records = parseCsv(plaintext.toString('utf8'));
    expect(records).toHaveLength(rows + 1);
    expect(records[0]).toEqual(['n', 'value', 'padding']);
    expect(records[1]![1]).toBe('封印された値');
    const byValue = new Map(records.slice(2, 2 + TRICKY.length).map((r) => [TRICKY[Number(r[0]) % TRICKY.length], r[1]]));
    expect(byValue.get('=SUM(A1:A9)')).toBe("'=SUM(A1:A9)");
    expect(byValue.get('+81-3-1234-5678')).toBe("'+81-3-1234-5678");
    expect(byValue.get('-5')).toBe("'-5");
    expect(byValue.get('@cmd')).toBe("'@cmd");
    expect(byValue.get('\tTAB')).toBe("'\tTAB");
    expect(byValue.get('a,b')).toBe('a,b');
    expect(byValue.get('say "hi"')).toBe('say "hi"');
    expect(byValue.get('two\r\nlines')).toBe('two\r\nlines');
    expect(byValue.get(null)).toBe('');
    const evidence = await rawGet(bob, `/v1/exports/${id}/record-ids`);
    expect(evidence.body.trimEnd().split('\n').sort()).toEqual([...SYNTHETIC_IDS].sort());
  });

  it('is not held back by the leak guard: the four-eyes approval is the control', async () => {
    expect((await alice.call('PUT', '/v1/leak-guard/limits', { perAccountPerHour: 1, perMunicipalityPerHour: 1 })).status).toBe(200);
    try {
      const { id } = await approved({ dataset: 'test_synthetic', filter: { rows: 200 } });
      expect((await download(alice, id)).status).toBe(200);
    } finally {
      await alice.call('PUT', '/v1/leak-guard/limits', { perAccountPerHour: 300, perMunicipalityPerHour: 20_000 });
    }
  });
});

describe('four eyes', () => {
  it('refuses self-approval and self-rejection, and records the attempt', async () => {
    const req = await requestExport(alice, { dataset: 'test_offices' });
    const self = await alice.call('POST', `/v1/exports/${req.id}/approve`, { version: 1 });
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('four_eyes_required');
    expect((await alice.call('POST', `/v1/exports/${req.id}/reject`, { version: 1 })).body.code).toBe('four_eyes_required');
    expect((await alice.call('GET', `/v1/exports/${req.id}`)).body).toMatchObject({ state: 'requested', version: 1 });
    expect((await adminQuery(tp, 'cell-a', 'SELECT 1 FROM cell.bulk_export_file_parts WHERE export_id = $1', [req.id])).length).toBe(0);
    const trail = await entriesAbout(req.id);
    expect(trail.map((e) => [e.kind, e.outcome.result, e.outcome.reason])).toEqual([
      ['export_requested', 'success', null],
      ['export_approved', 'refused', 'four_eyes_required'],
      ['export_rejected', 'refused', 'four_eyes_required'],
    ]);
  });

  it("cannot be approved, rejected, read or downloaded from another municipality: its ids do not exist there", async () => {
    const req = await requestExport(alice, { dataset: 'test_offices' });
    const missing = randomUUID();
    for (const [method, suffix, body] of [
      ['POST', '/approve', { version: 1 }],
      ['POST', '/reject', { version: 1 }],
      ['GET', '', undefined],
      ['GET', '/file', undefined],
      ['GET', '/record-ids', undefined],
    ] as const) {
      const foreign = await sapporoAdmin.call(method, `/v1/exports/${req.id}${suffix}`, body);
      const none = await sapporoAdmin.call(method, `/v1/exports/${missing}${suffix}`, body);
      expect(foreign.status, `${method} ${suffix}`).toBe(404);
      expect({ ...foreign.body, requestId: 0 }).toEqual({ ...none.body, requestId: 0 });
    }
    expect((await sapporoAdmin.call('GET', '/v1/exports')).body.items.map((e: { id: string }) => e.id)).not.toContain(req.id);
    expect((await alice.call('GET', `/v1/exports/${req.id}`)).body).toMatchObject({ state: 'requested', version: 1 });
  });

  it('admits no clerk; auditors read but neither request, decide nor download', async () => {
    const req = await requestExport(alice, { dataset: 'test_offices' });
    for (const [method, url, body] of [
      ['POST', '/v1/exports', { dataset: 'test_offices', purpose: 'statistics', reason: '調査' }],
      ['GET', '/v1/exports', undefined],
      ['GET', `/v1/exports/${req.id}`, undefined],
      ['POST', `/v1/exports/${req.id}/approve`, { version: 1 }],
      ['GET', `/v1/exports/${req.id}/file`, undefined],
      ['GET', '/v1/exports/datasets', undefined],
    ] as const) {
      expect((await clerk.call(method, url, body)).status, `clerk ${method} ${url}`).toBe(403);
    }
    expect((await auditor.call('POST', '/v1/exports', { dataset: 'test_offices', purpose: 'statistics', reason: '調査' })).status).toBe(403);
    expect((await auditor.call('POST', `/v1/exports/${req.id}/approve`, { version: 1 })).status).toBe(403);
    expect((await auditor.call('GET', `/v1/exports/${req.id}/file`)).status).toBe(403);
    expect((await auditor.call('GET', `/v1/exports/${req.id}`)).status).toBe(200);
    const datasets = await auditor.call('GET', '/v1/exports/datasets');
    expect(datasets.body.items.map((d: { name: string }) => d.name)).toEqual(expect.arrayContaining(['test_offices', 'test_synthetic']));
    expect(datasets.body.purposes.map((p: { code: string }) => p.code)).toContain('statistics');
  });

  it('refuses a requester or an approver whose reads are blocked', async () => {
    const req = await requestExport(alice, { dataset: 'test_offices' });
    await whileReadsBlocked(bob, async () => {
      const blocked = await bob.call('POST', `/v1/exports/${req.id}/approve`, { version: 1 });
      expect(blocked.status).toBe(403);
      expect(blocked.body.code).toBe('reads_blocked');
      const asRequester = await bob.call('POST', '/v1/exports', { dataset: 'test_offices', purpose: 'statistics', reason: '調査' });
      expect(asRequester.body.code).toBe('reads_blocked');
    });
    const { id } = await approved({ dataset: 'test_offices' });
    await whileReadsBlocked(alice, async () => {
      expect((await download(alice, id)).json().code).toBe('reads_blocked');
    });
    expect((await download(alice, id)).status).toBe(200);
  });
});

describe('downloads', () => {
  it('are for the requester only, at most three times, and each is audited', async () => {
    const { id } = await approved({ dataset: 'test_offices' });
    const byApprover = await download(bob, id);
    expect(byApprover.status).toBe(403);
    expect(byApprover.json().code).toBe('export_requester_only');
    const other = await newSession(tp, CHIYODA, ['municipal_admin']);
    expect((await download(other, id)).json().code).toBe('export_requester_only');
    for (let i = 0; i < 3; i++) expect((await download(alice, id)).status).toBe(200);
    const fourth = await download(alice, id);
    expect(fourth.status).toBe(410);
    expect(fourth.json().code).toBe('export_download_limit');
    expect((await alice.call('GET', `/v1/exports/${id}`)).body.downloads).toBe(3);
    const downloads = (await entriesAbout(id)).filter((e) => e.kind === 'export_downloaded').map((e) => `${e.outcome.result}:${e.outcome.reason}`);
    expect(downloads).toEqual([
      'refused:export_requester_only',
      'refused:export_requester_only',
      'success:null',
      'success:null',
      'success:null',
      'refused:export_download_limit',
    ]);
  });

  it('end at expiry: the file is deleted, the evidence of what left is kept', async () => {
    const { id, approved: a } = await approved({ dataset: 'test_offices' });
    expect(new Date(a.expiresAt).getTime() - new Date(a.decidedAt).getTime()).toBe(24 * 3600 * 1000);
    await pastExpiry(id);
    // Reads show the state as of now, before anything has marked it.
    const shown = await auditor.call('GET', `/v1/exports/${id}`);
    expect(shown.body).toMatchObject({ state: 'expired', decidedBy: a.decidedBy, recordIdsSha256: a.recordIdsSha256 });
    expect((await auditor.call('GET', '/v1/exports?state=expired')).body.items.map((e: { id: string }) => e.id)).toContain(id);
    expect((await auditor.call('GET', '/v1/exports?state=approved')).body.items.map((e: { id: string }) => e.id)).not.toContain(id);
    const late = await download(alice, id);
    expect(late.status).toBe(410);
    expect(late.json().code).toBe('export_expired');
    expect((await adminQuery(tp, 'cell-a', 'SELECT 1 FROM cell.bulk_export_file_parts WHERE export_id = $1', [id])).length).toBe(0);
    expect((await adminQuery(tp, 'cell-a', 'SELECT 1 FROM cell.bulk_export_records WHERE export_id = $1', [id])).length).toBe(3);
    expect((await entriesAbout(id)).at(-1)).toMatchObject({ kind: 'export_downloaded', outcome: { result: 'refused', reason: 'export_expired' } });
  });

  it('are refused before approval; an undecided request expires with its sealed key erased', async () => {
    const req = await requestExport(alice, { dataset: 'test_offices' });
    expect((await download(alice, req.id)).json().code).toBe('export_not_approved');
    await pastExpiry(req.id);
    const late = await bob.call('POST', `/v1/exports/${req.id}/approve`, { version: 1 });
    expect(late.status).toBe(410);
    expect(late.body.code).toBe('export_expired');
    expect((await bob.call('GET', `/v1/exports/${req.id}`)).body).toMatchObject({ state: 'expired', decidedBy: null });
    expect(await sealedKeyErased(req.id)).toBe(true);
  });
});

describe('rejection', () => {
  it('ends the request without a file, erases the key, and is audited', async () => {
    const req = await requestExport(alice, { dataset: 'test_offices', purpose: 'system_migration' });
    const rejected = await bob.call('POST', `/v1/exports/${req.id}/reject`, { version: 1 });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ state: 'rejected', version: 2, fileSha256: null, rowCount: null });
    expect((await download(alice, req.id)).json().code).toBe('export_not_approved');
    expect((await bob.call('POST', `/v1/exports/${req.id}/approve`, { version: 1 })).body.code).toBe('conflict');
    expect((await bob.call('POST', `/v1/exports/${req.id}/approve`, { version: 2 })).body.code).toBe('export_not_pending');
    expect(await sealedKeyErased(req.id)).toBe(true);
    const trail = await entriesAbout(req.id);
    expect(trail.map((e) => `${e.kind}:${e.outcome.result}`)).toEqual(['export_requested:success', 'export_rejected:success', 'export_downloaded:refused']);
    expect(trail[1]).toMatchObject({ purpose: 'system_migration', outcome: { result: 'success' } });
    const list = await auditor.call('GET', '/v1/exports?state=rejected');
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain(req.id);
  });
});

describe('keys', () => {
  it('the sealed export key and reason are registered columns: a key rotation and rewrap re-seal them, and the export still works', async () => {
    expect(EXPORT_KEY_SEALED.name).toBe('cell.bulk_exports.export_key_sealed');
    const req = await requestExport(alice, { dataset: 'test_offices' });
    const before = await adminQuery<{ k: Buffer; r: Buffer }>(tp, 'cell-a', 'SELECT export_key_sealed AS k, reason_sealed AS r FROM cell.bulk_exports WHERE id = $1', [req.id]);
    const rotation = await rotateDataKey(tp.platform.keys.deps, CHIYODA);
    const report = await rewrap(
      { control: tp.platform.control, keys: tp.platform.keys, poolFor: (code) => tp.platform.cells.poolFor(code), columns: [EXPORT_KEY_SEALED, EXPORT_REASON_SEALED] },
      { municipalityCode: CHIYODA, settleMs: 0 },
    );
    expect(report.columns.every((c) => c.finished && c.rowsFailed === 0)).toBe(true);
    const after = await adminQuery<{ k: Buffer; r: Buffer }>(tp, 'cell-a', 'SELECT export_key_sealed AS k, reason_sealed AS r FROM cell.bulk_exports WHERE id = $1', [req.id]);
    expect(sealedKeyVersion(before[0]!.k)).toBeLessThan(rotation.to);
    expect(sealedKeyVersion(after[0]!.k)).toBe(rotation.to);
    expect(sealedKeyVersion(after[0]!.r)).toBe(rotation.to);
    await tp.platform.keys.forMunicipality(CHIYODA, { fresh: true });
    expect((await bob.call('GET', `/v1/exports/${req.id}`)).body.reason).toBe('年次統計のため（担当：統計係）');
    expect((await bob.call('POST', `/v1/exports/${req.id}/approve`, { version: 1 })).status).toBe(200);
    const { bytes } = await download(alice, req.id);
    expect(decryptExport(Buffer.from(req.exportKey, 'base64url'), bytes).plaintext.toString('utf8')).toMatch(/^office_id,/);
  });
});

describe('offline decryption', () => {
  it('fails clearly on a wrong key, an altered, a truncated or a foreign file, and writes nothing', async () => {
    const { id, exportKey } = await approved({ dataset: 'test_synthetic', filter: { rows: 3000, wide: true } });
    const { bytes } = await download(alice, id);
    expect(bytes.length).toBeGreaterThan(3 * 65536);
    const other = await approved({ dataset: 'test_offices' });
    const cases: [string, Buffer, string, string][] = [
      ['wrong key', bytes, other.exportKey, 'wrong_key'],
      ['altered', Buffer.from(bytes.map((b, i) => (i === 100 ? b ^ 1 : b))), exportKey, 'altered'],
      ['truncated', bytes.subarray(0, 48 + 65536 + 16), exportKey, 'truncated'],
      ['cut inside a chunk', bytes.subarray(0, bytes.length - 10), exportKey, 'altered'],
      ['not an export', Buffer.from('n,value\r\n1,2\r\n'), exportKey, 'malformed'],
    ];
    for (const [name, file, key, reason] of cases) {
      const input = path.join(dir, `${name}.mcx`);
      const output = path.join(dir, `${name}.csv`);
      await writeFile(input, file);
      const messages: string[] = [];
      const code = await runDecrypt({ key, input, output }, { err: (t) => void messages.push(t), stdout: new PassThrough() });
      expect(code, name).toBe(1);
      expect(messages.join(''), name).toContain(`FAILED (${reason})`);
      await expect(access(output), name).rejects.toThrow();
    }
    const input = path.join(dir, 'good.mcx');
    await writeFile(input, bytes);
    await expect(runDecrypt({ key: 'not-a-key', input }, quiet)).rejects.toThrow(ExportCliError);
    await expect(runDecrypt({ key: exportKey, input: path.join(dir, 'missing.mcx') }, quiet)).rejects.toThrow(ExportCliError);
    await writeFile(path.join(dir, 'taken.csv'), 'x');
    await expect(runDecrypt({ key: exportKey, input, output: path.join(dir, 'taken.csv') }, quiet)).rejects.toThrow(ExportCliError);
  });

  it('`municloud export decrypt` writes the CSV (with --key-file and --bom), exit code 0', async () => {
    const { id, exportKey } = await approved({ dataset: 'test_offices' });
    const { bytes } = await download(alice, id);
    const input = path.join(dir, 'cli.mcx');
    const keyFile = path.join(dir, 'cli.key');
    const output = path.join(dir, 'cli.csv');
    await writeFile(input, bytes);
    await writeFile(keyFile, `${exportKey}\n`);
    const program = new Command('municloud').exitOverride();
    registerExportCommands(program, quiet);
    const before = process.exitCode;
    await program.parseAsync(['node', 'municloud', 'export', 'decrypt', '--key-file', keyFile, '--bom', input, output]);
    expect(process.exitCode).toBe(before);
    const csv = await readFile(output);
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.subarray(3).toString('utf8')).toMatch(/^office_id,name,name_kana,address\r\n/);

    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    expect(await runDecrypt({ key: exportKey, input }, { err: () => undefined, stdout })).toBe(0);
    expect(Buffer.concat(chunks).toString('utf8')).toMatch(/^office_id,/);
  });
});

describe('bad input', () => {
  it('an unknown dataset, a bad filter or purpose is refused with 400 and nothing is written', async () => {
    const count = async () => Number((await adminQuery<{ n: string }>(tp, 'cell-a', 'SELECT count(*) AS n FROM cell.bulk_exports'))[0]!.n);
    const requested = async () => (await entries()).filter((e) => e.entry.kind === 'export_requested').length;
    const [rows, audited] = [await count(), await requested()];
    const cases: [Record<string, unknown>, string, string][] = [
      [{ dataset: 'residents_everywhere' }, 'body/dataset', 'known_dataset'],
      [{ dataset: 'Bad Name' }, 'body/dataset', 'pattern'],
      [{ dataset: 'test_synthetic', filter: {} }, 'body/filter/rows', 'required'],
      [{ dataset: 'test_synthetic', filter: { rows: 'all' } }, 'body/filter/rows', 'type'],
      [{ dataset: 'test_synthetic', filter: { rows: 1, name: '山田太郎' } }, 'body/filter/name', 'unknown_field'],
      [{ dataset: 'test_synthetic', filter: { rows: 1_000_000 } }, 'body/filter/rows', 'maximum'],
      [{ dataset: 'test_offices', purpose: 'curiosity' }, 'body/purpose', 'enum'],
      [{ dataset: 'test_offices', reason: '' }, 'body/reason', 'minLength'],
      [{ dataset: 'test_offices', reason: '改行\nあり' }, 'body/reason', 'pattern'],
    ];
    for (const [body, field, rule] of cases) {
      const res = await alice.call('POST', '/v1/exports', { purpose: 'statistics', reason: '確認', ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors, JSON.stringify(body)).toContainEqual(expect.objectContaining({ field, rule }));
      expect(JSON.stringify(res.body)).not.toContain('山田太郎');
    }
    expect((await alice.call('POST', `/v1/exports/${randomUUID()}/approve`, { version: 0 })).status).toBe(400);
    expect((await alice.call('GET', '/v1/exports/not-a-uuid')).status).toBe(400);
    expect((await alice.call('GET', '/v1/exports?state=leaked')).status).toBe(400);
    expect(await count()).toBe(rows);
    expect(await requested()).toBe(audited);
  });
});

describe('listing', () => {
  it('pages newest first with cursors, filtered by state and dataset; the OpenAPI document shows the routes', async () => {
    const fresh = [];
    for (let i = 0; i < 3; i++) fresh.push((await requestExport(alice, { dataset: 'test_synthetic', filter: { rows: 1 } })).id);
    const seen: string[] = [];
    let url = '/v1/exports?dataset=test_synthetic&state=requested&limit=2';
    for (;;) {
      const page = await auditor.call('GET', url);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      expect(page.body.items.every((e: { state: string; dataset: string }) => e.state === 'requested' && e.dataset === 'test_synthetic')).toBe(true);
      if (!page.body.nextCursor) break;
      url = `/v1/exports?dataset=test_synthetic&state=requested&limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
    expect(seen.slice(0, 3)).toEqual([...fresh].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const spec = await alice.call('GET', '/openapi.json');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/v1/exports', '/v1/exports/{id}', '/v1/exports/{id}/approve', '/v1/exports/{id}/reject', '/v1/exports/{id}/file', '/v1/exports/{id}/record-ids']),
    );
  });
});
