/**
 * Rotation without downtime: after a record-key rotation, new writes use the
 * new version at once, old fields still open, and the rewrap job moves every
 * old field onto the new version in batches — stoppable, resumable after a
 * crash, leaving fields that do not open as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTenantTransaction } from '../../src/platform/database.js';
import { rewrap, type RewrapEvent } from '../../src/security/keys/rewrap.js';
import { rotateDataKey } from '../../src/security/keys/rotation.js';
import type { KeyService } from '../../src/security/keys/service.js';
import { CHIYODA, SAPPORO, YOKOHAMA } from '../support/api.js';
import { keysHarness, SECRETS, type KeysHarness } from './setup.js';

let h: KeysHarness;
let keys: KeyService;
const N = 57;

beforeAll(async () => {
  h = await keysHarness('local');
  for (const code of [CHIYODA, SAPPORO]) await h.tp.platform.cells.place(code, 'cell-a', null);
  // settle 0: the job need not wait for other processes' refresh period here.
  keys = h.service({ refreshMs: 50 });
});
afterAll(async () => h?.close());

async function seed(code: string, count: number): Promise<Map<string, string>> {
  const crypto = await keys.forMunicipality(code);
  const pool = await h.tp.platform.cells.poolFor(code);
  const values = new Map<string, string>();
  await inTenantTransaction(pool, code, async (client) => {
    for (let i = 0; i < count; i++) {
      const { rows } = await client.query<{ id: string }>('INSERT INTO cell.test_secrets (municipality_code) VALUES ($1) RETURNING id::text', [code]);
      const id = rows[0]!.id;
      const value = `${code} resident ${i} 山田`;
      await client.query('UPDATE cell.test_secrets SET secret = $2 WHERE id = $1', [id, await crypto.seal(SECRETS.field(id), value)]);
      values.set(id, value);
    }
    // A row without a sealed value is skipped, not an error.
    await client.query('INSERT INTO cell.test_secrets (municipality_code) VALUES ($1)', [code]);
  });
  return values;
}

async function versions(code: string): Promise<Map<number, number>> {
  const rows = await h.admin<{ v: number; n: string }>(
    'cell-a',
    `SELECT ('x' || encode(substring(secret FROM 2 FOR 4), 'hex'))::bit(32)::int AS v, count(*) AS n FROM cell.test_secrets
      WHERE municipality_code = $1 AND secret IS NOT NULL GROUP BY 1`,
    [code],
  );
  return new Map(rows.map((r) => [r.v, Number(r.n)]));
}

async function allOpen(code: string, expected: Map<string, string>): Promise<void> {
  const crypto = await keys.forMunicipality(code);
  const rows = await h.admin<{ id: string; secret: Buffer }>('cell-a', 'SELECT id::text, secret FROM cell.test_secrets WHERE municipality_code = $1 AND secret IS NOT NULL', [code]);
  for (const r of rows) {
    if (!expected.has(r.id)) continue;
    expect(await crypto.openText(SECRETS.field(r.id), r.secret)).toBe(expected.get(r.id));
  }
}

const deps = () => ({ control: h.tp.platform.control, keys, poolFor: (c: string) => h.tp.platform.cells.poolFor(c), columns: [SECRETS] });

describe('rewrap job', () => {
  it('rotation: new writes use the new version at once, old fields still open, then the job moves them all', async () => {
    const values = await seed(CHIYODA, N);
    expect(await versions(CHIYODA)).toEqual(new Map([[1, N]]));
    const rotation = await rotateDataKey(keys.deps, CHIYODA);
    expect(rotation.to).toBe(2);
    const crypto = await keys.forMunicipality(CHIYODA, { fresh: true });
    expect((await crypto.seal(SECRETS.field('new'), 'x')).readUInt32BE(1)).toBe(2);
    await allOpen(CHIYODA, values);

    const events: RewrapEvent[] = [];
    const report = await rewrap(deps(), { municipalityCode: CHIYODA, batchSize: 10, settleMs: 0, onProgress: (e) => events.push(e) });
    expect(report.stopped).toBe(false);
    expect(report.columns).toEqual([expect.objectContaining({ column: 'cell.test_secrets.secret', targetVersion: 2, rowsSeen: N, rowsRewrapped: N, rowsFailed: 0, finished: true })]);
    expect(events.filter((e) => e.kind === 'batch')).toHaveLength(Math.ceil(N / 10) + (N % 10 === 0 ? 1 : 0));
    expect(events.at(-1)).toMatchObject({ kind: 'batch', total: N, rowsSeen: N });
    expect(await versions(CHIYODA)).toEqual(new Map([[2, N]]));
    await allOpen(CHIYODA, values);
    // Finished: a second run has nothing to do.
    expect((await rewrap(deps(), { municipalityCode: CHIYODA, settleMs: 0 })).columns).toEqual([]);
  });

  it('stops between batches on a signal and resumes from its saved position, also after a "crash"', async () => {
    const values = await seed(SAPPORO, N);
    await rotateDataKey(keys.deps, SAPPORO);
    await keys.forMunicipality(SAPPORO, { fresh: true });
    const controller = new AbortController();
    let batches = 0;
    const first = await rewrap(deps(), {
      municipalityCode: SAPPORO,
      batchSize: 10,
      settleMs: 0,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.kind === 'batch' && ++batches === 2) controller.abort();
      },
    });
    expect(first.stopped).toBe(true);
    expect(first.columns[0]).toMatchObject({ rowsSeen: 20, rowsRewrapped: 20, finished: false });
    const saved = await h.admin<{ last_id: string; rows_seen: string; finished_at: Date | null }>('control', 'SELECT last_id, rows_seen, finished_at FROM control.key_rewrap_progress WHERE municipality_code = $1', [SAPPORO]);
    expect(saved[0]).toMatchObject({ rows_seen: '20', finished_at: null });
    expect(await versions(SAPPORO)).toEqual(new Map([[1, N - 20], [2, 20]]));

    // A crash after a batch committed but before its position was saved: the saved position is behind.
    const ids = [...values.keys()].sort();
    await h.admin('control', `UPDATE control.key_rewrap_progress SET last_id = $2, rows_seen = 10, rows_rewrapped = 10 WHERE municipality_code = $1`, [SAPPORO, ids[9]]);
    const resumed = await rewrap(deps(), { municipalityCode: SAPPORO, batchSize: 10, settleMs: 0 });
    expect(resumed.columns[0]).toMatchObject({ resumedAfter: ids[9], finished: true, rowsSeen: N, rowsFailed: 0 });
    // The re-read batch was already at version 2: only the rest was re-encrypted.
    expect(resumed.columns[0]!.rowsRewrapped).toBe(10 + (N - 20));
    expect(await versions(SAPPORO)).toEqual(new Map([[2, N]]));
    await allOpen(SAPPORO, values);
  });

  it('leaves a field that does not open as it was, reports its id, and goes on', async () => {
    await rotateDataKey(keys.deps, CHIYODA);
    await keys.forMunicipality(CHIYODA, { fresh: true });
    const [victim] = await h.admin<{ id: string; secret: Buffer }>('cell-a', `SELECT id::text, secret FROM cell.test_secrets WHERE municipality_code = $1 AND secret IS NOT NULL ORDER BY id LIMIT 1`, [CHIYODA]);
    const tampered = Buffer.from(victim!.secret);
    tampered[tampered.length - 1]! ^= 1;
    await h.admin('cell-a', 'UPDATE cell.test_secrets SET secret = $1 WHERE id = $2', [tampered, victim!.id]);
    const report = await rewrap(deps(), { municipalityCode: CHIYODA, batchSize: 25, settleMs: 0 });
    expect(report.columns[0]).toMatchObject({ rowsFailed: 1, failedIds: [victim!.id], finished: true, targetVersion: 3 });
    const [after] = await h.admin<{ secret: Buffer }>('cell-a', 'SELECT secret FROM cell.test_secrets WHERE id = $1', [victim!.id]);
    expect(after!.secret.equals(tampered)).toBe(true);
  });

  it('waits for writers to see a fresh rotation before a pass, and a stop during the wait is honoured', async () => {
    await rotateDataKey(keys.deps, CHIYODA);
    const controller = new AbortController();
    const events: RewrapEvent[] = [];
    const started = Date.now();
    const pending = rewrap(deps(), { municipalityCode: CHIYODA, settleMs: 60_000, signal: controller.signal, onProgress: (e) => events.push(e) });
    setTimeout(() => controller.abort(), 200);
    const report = await pending;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report.stopped).toBe(true);
    expect(events[0]).toMatchObject({ kind: 'waiting', municipalityCode: CHIYODA });
  });

  it('goes over every municipality with keys, skipping ones not placed on a cell', async () => {
    await keys.forMunicipality(YOKOHAMA); // keys, but no placement
    const report = await rewrap(deps(), { settleMs: 0 });
    expect(report.skipped).toEqual([{ municipalityCode: YOKOHAMA, reason: 'not placed on a cell' }]);
    expect(report.stopped).toBe(false);
  });
});
