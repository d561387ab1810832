/**
 * The linkage daily file on real PostgreSQL: days closed at recorded horizons
 * partition the feed (a transaction open across a boundary lands in the next
 * day's file, once), the rows are the feed's events as CSV, every page is
 * audited, the access rules are the feed's, concurrent recorders give one
 * boundary, and a file that fails half way is cut off, not ended cleanly.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDays, recordDayBoundaries } from '../../src/linkage/daily-files.js';
import { dailyFileHeader, dailyFileRows } from '../../src/linkage/daily-file-columns.js';
import type { ResidentField } from '../../src/linkage/entitlements.js';
import type { DeliveredEvent } from '../../src/linkage/feed.js';
import { startLinkageWorker } from '../../src/linkage/worker.js';
import { inTenantTransaction } from '../../src/platform/database.js';
import { loadSyntheticPopulation } from '../../src/resident-register/population-load.js';
import { csvRecord, parseCsv } from '../../src/security/exports/csv.js';
import { CHIYODA, newSession, placeInMyNumberZone, SAPPORO, YOKOHAMA, type Reply, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, withAdminClient, type TestPlatform } from '../support/platform.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';

const FILING = { 'municloud-purpose': 'residency_change' };
const FIELDS: ResidentField[] = ['name', 'dateOfBirth', 'address', 'state', 'flags', 'previousResidence'];
const TOPICS = ['resident_register.move_in', 'resident_register.move_within', 'resident_register.birth'];

/** An instant given in Japan Standard Time. */
const jst = (text: string) => new Date(`${text}+09:00`);

let tp: TestPlatform;

interface Town {
  code: string;
  admin: Session;
  clerk: Session;
  consumer: Session;
  consumerId: string;
}
const towns = new Map<string, Town>();

const accountId = async (s: Session) => (await s.call('GET', '/v1/auth/me')).body.id as string;

async function town(code: string): Promise<Town> {
  const consumer = await newSession(tp, code, ['linkage_subscriber']);
  return { code, admin: await newSession(tp, code, ['municipal_admin']), clerk: await newSession(tp, code, ['clerk']), consumer, consumerId: await accountId(consumer) };
}

async function subscribe(t: Town, body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.admin.call('POST', '/v1/linkage/subscriptions', {
    name: '国保システム',
    operation: 'national_health_insurance',
    purpose: 'nhi_eligibility',
    topics: TOPICS,
    fields: FIELDS,
    consumerAccountId: t.consumerId,
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function moveIn(t: Town, given: string): Promise<Reply> {
  const res = await t.clerk.call(
    'POST',
    '/v1/resident-changes/move-in',
    {
      eventDate: '2026-04-01',
      filedOn: '2026-04-02',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person(given, 'イチロウ', '1975-03-03', '世帯主'), person('花子', 'ハナコ', '1977-08-08', '妻', { sex: 'female' })],
    },
    FILING,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res;
}

type FeedEvent = DeliveredEvent;

/** The whole feed from the start, once it holds every one of `ids` (other test files' transactions may hold it back a moment). */
async function feedHolding(s: Session, sub: string, ids: readonly string[]): Promise<FeedEvent[]> {
  for (let attempt = 0; ; attempt++) {
    const events: FeedEvent[] = [];
    for (let cursor: string | null = null; ; ) {
      const res = await s.call('GET', `/v1/linkage/feeds/${sub}?limit=500${cursor ? `&after=${cursor}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      if (res.body.items.length === 0) break;
      events.push(...res.body.items);
      cursor = res.body.nextCursor;
    }
    if (ids.every((id) => events.some((e) => e.id === id)) || attempt === 200) return events;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Closes a municipality's ended days as the worker would, at an instant given in Japan time. */
async function close(code: string, at: string): Promise<{ added: number; latest: string }> {
  const pool = await tp.platform.cells.poolFor(code);
  return inTenantTransaction(pool, code, (db) => closeDays(db, jst(at)));
}

async function boundaries(code: string): Promise<{ day: string; horizon: string }[]> {
  return adminQuery(tp, 'cell-a', `SELECT to_char(day, 'YYYY-MM-DD') AS day, horizon::text AS horizon FROM cell.linkage_day_boundaries WHERE municipality_code = $1 ORDER BY day`, [code]);
}

interface File {
  reply: Reply;
  records: string[][];
  /** The event ids, once each, in file order. */
  events: string[];
}

async function download(s: Session, sub: string, day: string): Promise<File> {
  const reply = await s.call('GET', `/v1/linkage/feeds/${sub}/daily-files/${day}`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  const records = parseCsv(reply.body as string);
  const events = [...new Set(records.slice(1).map((r) => r[0]!))];
  expect(Number(reply.headers['municloud-event-count'])).toBe(events.length);
  expect(Number(reply.headers['municloud-row-count'])).toBe(records.length - 1);
  return { reply, records, events };
}

beforeAll(async () => {
  tp = await createTestPlatform({});
  for (const code of [CHIYODA, SAPPORO, YOKOHAMA]) await tp.platform.cells.place(code, 'cell-a', null);
  // SAPPORO stays outside: its receiving system asks from no My Number zone.
  await placeInMyNumberZone(tp, CHIYODA);
  await placeInMyNumberZone(tp, YOKOHAMA);
  for (const code of [CHIYODA, SAPPORO, YOKOHAMA]) towns.set(code, await town(code));
});
afterAll(async () => tp?.close());

describe('daily files', () => {
  let sub: string;
  const filed = { a: '', b: '', held: '', c: '', moved: '', d: '' };

  it('partition the feed: each event in exactly one day, an open transaction in the next day’s file', async () => {
    const t = towns.get(CHIYODA)!;
    sub = await subscribe(t);

    // A move-in, then the municipality's first day is closed: 03-31, the day just ended. Its file holds the feed from the start.
    const a = await moveIn(t, '一郎');
    filed.a = a.body.change.id;
    await feedHolding(t.consumer, sub, [filed.a]);
    expect(await close(CHIYODA, '2026-04-01T00:00:05')).toEqual({ added: 1, latest: '2026-03-31' });
    // 04-01 has not ended a second before midnight.
    expect(await close(CHIYODA, '2026-04-01T23:59:59')).toEqual({ added: 0, latest: '2026-03-31' });
    const b = await moveIn(t, '二郎');
    filed.b = b.body.change.id;
    await feedHolding(t.consumer, sub, [filed.b]);

    // A transaction that writes an event and stays open across the next midnight...
    await withAdminClient(tp, 'cell-a', async (held) => {
      await held.query('BEGIN');
      filed.held = randomUUID();
      await held.query(`INSERT INTO cell.outbox (municipality_code, id, topic, payload) VALUES ($1, $2, 'resident_register.birth', '{"residentIds": []}')`, [CHIYODA, filed.held]);
      // ...and a filing that commits after it began.
      filed.c = (await moveIn(t, '三郎')).body.change.id;
      expect(await close(CHIYODA, '2026-04-02T00:00:05')).toEqual({ added: 1, latest: '2026-04-01' });
      await held.query('COMMIT');
    });

    // 2026-04-02: a move within, then midnight.
    const moved = await t.clerk.call(
      'POST',
      '/v1/resident-changes/move-within',
      {
        eventDate: '2026-04-02',
        residentIds: a.body.residents.map((r: { id: string }) => r.id),
        householdVersions: a.body.households.map((h: { id: string; version: number }) => ({ householdId: h.id, version: h.version })),
        destination: { kind: 'same_household', address: { ...HOME, block: '2番2号' } },
      },
      FILING,
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    filed.moved = moved.body.change.id;
    await feedHolding(t.consumer, sub, [filed.held, filed.c, filed.moved]);
    expect(await close(CHIYODA, '2026-04-03T00:00:02')).toEqual({ added: 1, latest: '2026-04-02' });

    // Nobody closed 04-03 and 04-04; on 04-06 a move-in, and the days are closed just after midnight of 04-07.
    filed.d = (await moveIn(t, '四郎')).body.change.id;
    const feed = await feedHolding(t.consumer, sub, [filed.d]);
    expect(await close(CHIYODA, '2026-04-07T00:00:10')).toEqual({ added: 4, latest: '2026-04-06' });

    const days = await boundaries(CHIYODA);
    expect(days.map((d) => d.day)).toEqual(['2026-03-31', '2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06']);
    // Missed days keep the horizon before them (empty files); horizons never go down.
    expect(days[3]!.horizon).toBe(days[2]!.horizon);
    expect(days[5]!.horizon).toBe(days[2]!.horizon);
    for (let i = 1; i < days.length; i++) expect(BigInt(days[i]!.horizon)).toBeGreaterThanOrEqual(BigInt(days[i - 1]!.horizon));

    const files = new Map<string, File>();
    for (const d of days) files.set(d.day, await download(t.consumer, sub, d.day));
    expect(files.get('2026-03-31')!.events).toEqual([filed.a]);
    expect(files.get('2026-04-01')!.events).toEqual([filed.b]);
    // Not in 04-01's file, which closed while it was open: in the next one, before the filing that committed after it began.
    expect(files.get('2026-04-02')!.events).toEqual([filed.held, filed.c, filed.moved]);
    for (const day of ['2026-04-03', '2026-04-04', '2026-04-05']) {
      expect(files.get(day)!.records).toEqual([dailyFileHeader(FIELDS)]);
      expect(files.get(day)!.reply.headers['municloud-event-count']).toBe('0');
    }
    expect(files.get('2026-04-06')!.events).toEqual([filed.d]);

    // The files one after another are the feed from its start up to the last horizon, each event once.
    const last = BigInt(days.at(-1)!.horizon);
    const upToLast = feed.filter((e) => BigInt(e.cursor.split('.')[0]!) < last);
    const concatenated = [...files.values()].flatMap((f) => f.events);
    expect(concatenated).toEqual(upToLast.map((e) => e.id));
    expect(new Set(concatenated).size).toBe(concatenated.length);
    expect(concatenated).toEqual(expect.arrayContaining(Object.values(filed)));

    // Each row is the feed's event as the column table writes it.
    const expected = [dailyFileHeader(FIELDS), ...upToLast.flatMap((e) => dailyFileRows(e, FIELDS))].map(csvRecord).join('');
    expect([...files.values()].map((f) => f.reply.body as string).map((text, i) => (i === 0 ? text : text.slice(text.indexOf('\r\n') + 2))).join('')).toBe(expected);
  });

  it('are CSV files in UTF-8 with documented columns, named after the municipality, subscription and day', async () => {
    const t = towns.get(CHIYODA)!;
    const file = await download(t.consumer, sub, '2026-03-31');
    expect(file.reply.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.reply.headers['content-disposition']).toBe(`attachment; filename="municloud-${CHIYODA}-${sub.slice(0, 8)}-2026-03-31.csv"`);
    expect(file.reply.headers['cache-control']).toBe('no-store');
    expect(file.reply.headers['municloud-day-closed-at']).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const [header, ...rows] = file.records;
    expect(header).toEqual(dailyFileHeader(FIELDS));
    expect((file.reply.body as string).charCodeAt(0)).not.toBe(0xfeff);
    const named = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
    expect(named).toHaveLength(2);
    expect(named[0]).toMatchObject({ topic: 'resident_register.move_in', kind: 'move_in', event_date: '2026-04-01', restricted: 'false', family_name: '髙橋', given_name: '一郎',
      given_name_kana: 'イチロウ', date_of_birth: '1975-03-03', address_municipality: '千代田区', state: 'current', previous_residence_kind: 'domestic',
      previous_residence_municipality: '札幌市中央区', flag_national_health_insurance: 'true', flag_long_term_care: 'false' });
    expect(named[1]).toMatchObject({ given_name: '花子', event_id: named[0]!.event_id, position: named[0]!.position });
    // No field the subscription does not name.
    expect(header).not.toContain('my_number');
    expect(header).not.toContain('domicile_place');

    // The held event named no resident: one row, resident columns empty.
    const held = (await download(t.consumer, sub, '2026-04-02')).records.slice(1).filter((r) => r[0] === filed.held);
    expect(held).toHaveLength(1);
    expect(held[0]!.slice(7)).toEqual(held[0]!.slice(7).map(() => ''));
  });

  it('are listed newest first with their event counts, page by page', async () => {
    const t = towns.get(CHIYODA)!;
    const all = await t.consumer.call('GET', `/v1/linkage/feeds/${sub}/daily-files`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((d: { day: string; events: number }) => [d.day, d.events])).toEqual([
      ['2026-04-06', 1], ['2026-04-05', 0], ['2026-04-04', 0], ['2026-04-03', 0], ['2026-04-02', 3], ['2026-04-01', 1], ['2026-03-31', 1],
    ]);
    expect(all.body.nextBefore).toBeNull();
    const first = await t.consumer.call('GET', `/v1/linkage/feeds/${sub}/daily-files?limit=2`);
    expect(first.body.items.map((d: { day: string }) => d.day)).toEqual(['2026-04-06', '2026-04-05']);
    expect(first.body.nextBefore).toBe('2026-04-05');
    const next = await t.consumer.call('GET', `/v1/linkage/feeds/${sub}/daily-files?limit=2&before=${first.body.nextBefore}`);
    expect(next.body.items.map((d: { day: string }) => d.day)).toEqual(['2026-04-04', '2026-04-03']);
    // Counted with the subscription's topics: one that takes births only sees the held event alone.
    const births = await subscribe(t, { topics: ['resident_register.birth'], fields: [] });
    const listed = await t.consumer.call('GET', `/v1/linkage/feeds/${births}/daily-files?limit=5`);
    expect(listed.body.items.find((d: { day: string }) => d.day === '2026-04-02').events).toBe(1);
    const idsOnly = await download(t.consumer, births, '2026-04-02');
    expect(idsOnly.events).toEqual([filed.held]);
    expect(idsOnly.records[0]).toEqual(dailyFileHeader([]));
  });

  it('answer 404 for a day not closed yet or before the first, 400 for a day that is not one', async () => {
    const t = towns.get(CHIYODA)!;
    const notYet = await t.consumer.call('GET', `/v1/linkage/feeds/${sub}/daily-files/2026-04-07`);
    expect(notYet.status).toBe(404);
    expect(notYet.body.code).toBe('daily_file_unavailable');
    expect(notYet.body.message.en).toMatch(/not been closed yet/);
    const before = await t.consumer.call('GET', `/v1/linkage/feeds/${sub}/daily-files/2026-03-30`);
    expect(before.status).toBe(404);
    expect(before.body.code).toBe('daily_file_unavailable');
    expect(before.body.message.en).toMatch(/before the first day/);
    for (const bad of ['2026-02-30', '20260401', '2026-4-1', 'yesterday']) {
      const res = await t.consumer.call('GET', `/v1/linkage/feeds/${sub}/daily-files/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors[0].field).toBe('params/day');
    }
    expect((await t.consumer.call('GET', `/v1/linkage/feeds/${sub}/daily-files?before=2026-13-01`)).status).toBe(400);
  });

  it('are recorded in the audit log page by page as exports, with ids only', async () => {
    const t = towns.get(CHIYODA)!;
    const before = (await readAuditEntries(tp)).length;
    await download(t.consumer, sub, '2026-03-31');
    const entries = (await readAuditEntries<{ kind: string; purpose: string; actor: { account: string }; records: { resource: string; ids: string[] }[] }>(tp)).slice(before);
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({ kind: 'personal_data_export', purpose: 'nhi_eligibility', actor: { account: t.consumerId } });
    const records = Object.fromEntries(entry!.records.map((r) => [r.resource, r.ids]));
    expect(records.linkage_subscriptions).toEqual([sub]);
    expect(records.linkage_daily_files).toEqual(['2026-03-31']);
    expect(records.resident_changes).toEqual([filed.a]);
    expect(records.residents).toHaveLength(2);
    expect(JSON.stringify(entries)).not.toMatch(/髙橋|一郎|イチロウ|千代田/);
    // An empty day delivers nothing and records nothing.
    const quiet = (await readAuditEntries(tp)).length;
    await download(t.consumer, sub, '2026-04-04');
    expect((await readAuditEntries(tp)).length).toBe(quiet);
  });

  it('answer only the consumer, only from the My Number zone, only while the subscription stands', async () => {
    const t = towns.get(CHIYODA)!;
    const other = await newSession(tp, CHIYODA, ['linkage_subscriber']);
    for (const path of ['/daily-files', '/daily-files/2026-03-31']) {
      expect((await other.call('GET', `/v1/linkage/feeds/${sub}${path}`)).status).toBe(404);
      expect((await t.consumer.call('GET', `/v1/linkage/feeds/${randomUUID()}${path}`)).status).toBe(404);
      expect((await t.clerk.call('GET', `/v1/linkage/feeds/${sub}${path}`)).status).toBe(403);
      expect((await t.admin.call('GET', `/v1/linkage/feeds/${sub}${path}`)).status).toBe(403);
    }
    // Another municipality's system: not our subscription; its own only from its own My Number zone.
    const sapporo = towns.get(SAPPORO)!;
    expect((await sapporo.consumer.call('GET', `/v1/linkage/feeds/${sub}/daily-files/2026-03-31`)).status).toBe(404);
    const theirs = await subscribe(sapporo);
    await close(SAPPORO, '2026-04-02T00:00:01');
    const auditBefore = (await readAuditEntries(tp)).length;
    for (const path of ['/daily-files', '/daily-files/2026-04-01']) {
      const refused = await sapporo.consumer.call('GET', `/v1/linkage/feeds/${theirs}${path}`);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('network_zone_refused');
    }
    const refusals = (await readAuditEntries<{ kind: string; municipality: string }>(tp)).slice(auditBefore);
    expect(refusals.map((e) => [e.kind, e.municipality])).toEqual([['access_refused', SAPPORO], ['access_refused', SAPPORO]]);

    // A webhook subscription's receiving system may take the file too: the same declared data, another channel.
    const hooked = await subscribe(t, { webhook: { url: 'https://nhi.example.lg.jp/municloud-events', startAt: 'now' } });
    expect((await download(t.consumer, hooked, '2026-03-31')).events).toEqual([filed.a]);

    // Revoked: gone, like the feed.
    for (const s of [hooked, sub]) expect((await t.admin.call('POST', `/v1/linkage/subscriptions/${s}/revocation`)).status).toBe(200);
    for (const path of ['/daily-files', '/daily-files/2026-03-31']) {
      const gone = await t.consumer.call('GET', `/v1/linkage/feeds/${sub}${path}`);
      expect(gone.status).toBe(410);
      expect(gone.body.code).toBe('subscription_revoked');
    }
  });
});

describe('closing days', () => {
  it('gives one boundary per day however many recorders run at once', async () => {
    const at = (text: string) => Array.from({ length: 8 }, () => close(SAPPORO, text));
    const first = await Promise.all([...at('2026-05-02T00:00:01'), ...at('2026-05-02T09:00:00')]);
    expect(first.map((r) => r.latest)).toEqual(first.map(() => '2026-05-01'));
    // The first recorder closed 05-01 (SAPPORO already had 04-01: 04-02 to 04-30 missed), the others found it closed.
    expect(first.reduce((n, r) => n + r.added, 0)).toBe(30);
    const second = await Promise.all([...at('2026-05-05T00:00:01'), ...at('2026-05-05T00:00:02')]);
    expect(second.reduce((n, r) => n + r.added, 0)).toBe(3);
    const days = await boundaries(SAPPORO);
    expect(days.map((d) => d.day)).toEqual(Array.from({ length: 34 }, (_, i) => new Date(Date.UTC(2026, 3, 1 + i)).toISOString().slice(0, 10)));
    for (let i = 1; i < days.length; i++) expect(BigInt(days[i]!.horizon)).toBeGreaterThanOrEqual(BigInt(days[i - 1]!.horizon));
  });

  it('is done by the worker on its sweeps, for every placed municipality', async () => {
    // Only sweeps close days: the news of one municipality's outbox does not.
    expect(await recordDayBoundaries(tp.platform, { scope: new Set([YOKOHAMA]), now: () => jst('2026-06-02T00:00:01') })).toEqual({ recorded: 0 });
    expect(await boundaries(YOKOHAMA)).toEqual([]);
    const worker = startLinkageWorker(tp.platform, tp.platform.log, { now: () => jst('2026-06-02T00:00:01'), idleMs: 50 });
    try {
      for (let i = 0; i < 200 && (await boundaries(YOKOHAMA)).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await worker.stop();
    }
    expect((await boundaries(YOKOHAMA)).map((d) => d.day)).toEqual(['2026-06-01']);
    expect((await boundaries(CHIYODA)).at(-1)!.day).toBe('2026-06-01');
    expect((await boundaries(SAPPORO)).at(-1)!.day).toBe('2026-06-01');
    // Nothing more to close that day.
    expect(await recordDayBoundaries(tp.platform, { now: () => jst('2026-06-02T23:00:00') })).toEqual({ recorded: 0 });
  });
});

describe('a file that fails half way', () => {
  it('is cut off after the pages sent, never ended as if complete', async () => {
    const t = towns.get(YOKOHAMA)!;
    const sub = await subscribe(t, { operation: 'child_allowance', purpose: 'child_allowance_eligibility', topics: ['resident_register.entry_by_authority'], fields: ['dateOfBirth'] });
    await loadSyntheticPopulation(tp.platform, { municipalityCode: YOKOHAMA, seed: 'daily-file-pages', size: 1500, asOf: '2026-04-01' });
    const loaded = await adminQuery<{ id: string; payload: { changeId: string } }>(tp, 'cell-a', 'SELECT id, payload FROM cell.outbox WHERE municipality_code = $1 ORDER BY txid, seq', [YOKOHAMA]);
    expect(loaded.length).toBeGreaterThan(500);
    await feedHolding(t.consumer, sub, [loaded.at(-1)!.id]);
    await close(YOKOHAMA, '2026-06-03T00:00:01');

    // Whole: several pages, every event once, in order.
    const whole = await download(t.consumer, sub, '2026-06-02');
    expect(whole.events).toEqual(loaded.map((e) => e.id));

    // An event of the second page whose change cannot be opened: the first page goes out, then the transfer is cut.
    await adminQuery(tp, 'cell-a', `UPDATE cell.resident_changes SET payload_sealed = '\\x00' WHERE municipality_code = $1 AND id = $2`, [YOKOHAMA, loaded.at(-1)!.payload.changeId]);
    await tp.app.listen({ port: 0, host: '127.0.0.1' });
    const address = tp.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const res = await fetch(`http://127.0.0.1:${port}/v1/linkage/feeds/${sub}/daily-files/2026-06-02`, { headers: { authorization: `Bearer ${t.consumer.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('municloud-event-count')).toBe(String(loaded.length));
    let received = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) received += decoder.decode(chunk, { stream: true });
    })();
    await expect(reading).rejects.toThrow();
    const rows = received.split('\r\n').length - 2;
    expect(rows).toBeGreaterThanOrEqual(500);
    expect(rows).toBeLessThan(Number(res.headers.get('municloud-row-count')));
  });
});
