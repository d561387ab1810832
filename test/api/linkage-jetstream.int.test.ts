/**
 * The JetStream relay on real PostgreSQL and a real nats-server (started here,
 * one per file): every municipality's feed published in feed order with ids
 * only, a batch published again after an interruption kept once, events behind
 * an open transaction held back, one municipality's backlog delaying no other,
 * and a subscription consumed from the stream enriched, audited, in order, with
 * a failed handler's event coming again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredEvent } from '../../src/linkage/feed.js';
import {
  consumeSubscriptionFromJetStream,
  durableName,
  ensureStream,
  EVENT_STREAM,
  relayToJetStream,
  startJetStreamRelay,
  type RelayOptions,
  type RelayReport,
} from '../../src/linkage/jetstream.js';
import { findFreePort } from '../../src/platform/embedded-postgres.js';
import { myNumberFrom } from '../../src/resident-register/identifiers.js';
import { CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Reply, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, withAdminClient, type TestPlatform } from '../support/platform.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';
import { leaksIn } from '../support/sensitive.js';

const FILING = { 'municloud-purpose': 'residency_change' };

let tp: TestPlatform;
let natsServer: ChildProcess;
let natsDir: string;
let natsUrl: string;
let nc: NatsConnection;
let jsm: JetStreamManager;
let js: JetStreamClient;
let chiyoda: Session;
let sapporo: Session;
let admin: Session;
let consumerId: string;

/** nats-server from PATH, or where Debian puts it (/usr/sbin, not on every user's PATH). */
function natsServerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];
  const found = dirs.map((d) => path.join(d, 'nats-server')).find((p) => existsSync(p));
  if (!found) throw new Error('nats-server is not installed (scripts/ensure-test-tools.sh installs it)');
  return found;
}

async function startNatsServer(): Promise<{ server: ChildProcess; url: string }> {
  const port = await findFreePort();
  const server = spawn(natsServerBinary(), ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', natsDir], { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const probe = await connect({ servers: url, reconnect: false });
      await probe.close();
      return { server, url };
    } catch (err) {
      if (i === 100 || server.exitCode !== null) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function moveIn(s: Session, persons: unknown[], address: unknown, from: unknown): Promise<Reply> {
  const res = await s.call('POST', '/v1/resident-changes/move-in', { eventDate: '2026-04-01', filedOn: '2026-04-02', previousResidence: from, household: { kind: 'new', address }, persons }, FILING);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res;
}
const chiyodaMoveIn = (given: string, kana: string, extra: Record<string, unknown> = {}) =>
  moveIn(chiyoda, [person(given, kana, '1975-03-03', '世帯主', extra), person('花子', 'ハナコ', '1977-08-08', '妻', { sex: 'female' })], HOME, SAPPORO_ADDRESS);
const sapporoMoveIn = () => moveIn(sapporo, [person('三郎', 'サブロウ', '1980-01-01', '世帯主')], SAPPORO_ADDRESS.address, { kind: 'domestic', address: HOME });
const changeId = (r: Reply) => r.body.change.id as string;

interface StreamMessage {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly raw: string;
  readonly body: Record<string, unknown> & { id: string; municipalityCode: string; cursor: string; data: Record<string, unknown> };
}

/** Every message the stream holds, as stored (the raw bytes too). */
async function streamMessages(): Promise<StreamMessage[]> {
  const { state } = await jsm.streams.info(EVENT_STREAM);
  const out: StreamMessage[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(EVENT_STREAM, { seq });
    const raw = new TextDecoder().decode(m.data);
    out.push({ seq, subject: m.subject, msgId: m.header.get('Nats-Msg-Id') || undefined, raw, body: JSON.parse(raw) });
  }
  return out;
}

/** How many stored messages carry each of these event ids. */
async function copiesOf(ids: readonly string[]): Promise<number[]> {
  const messages = await streamMessages();
  return ids.map((id) => messages.filter((m) => m.msgId === id).length);
}

/**
 * Relay passes until `done` holds. The feed stops below the oldest transaction
 * running anywhere on the server, and other test files write to the same server
 * at the same time: an event may take a moment to be final.
 */
async function relayUntil(done: (reports: RelayReport[]) => Promise<boolean>, options: RelayOptions = {}, via: JetStreamClient = js): Promise<RelayReport[]> {
  const reports: RelayReport[] = [];
  for (let i = 0; ; i++) {
    reports.push(await relayToJetStream(tp.platform, via, options));
    if (await done(reports)) return reports;
    if (i === 200) throw new Error('the relay did not get there');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const relayed = (ids: readonly string[]) => async () => (await copiesOf(ids)).every((n) => n > 0);

const position = (cursor: string) => cursor.split('.').map((n) => BigInt(n)) as [bigint, bigint];
const before = (a: string, b: string) => {
  const [at, as] = position(a);
  const [bt, bs] = position(b);
  return at < bt || (at === bt && as < bs);
};

beforeAll(async () => {
  natsDir = await mkdtemp(path.join(os.tmpdir(), 'municloud-nats-'));
  const started = await startNatsServer();
  natsServer = started.server;
  natsUrl = started.url;
  nc = await connect({ servers: started.url });
  jsm = await nc.jetstreamManager();
  await ensureStream(jsm);
  js = nc.jetstream();

  tp = await createTestPlatform({ cells: ['cell-a', 'cell-b'] });
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-b', null);
  await placeInMyNumberZone(tp, CHIYODA);
  await placeInMyNumberZone(tp, SAPPORO);
  chiyoda = await newSession(tp, CHIYODA, ['clerk']);
  sapporo = await newSession(tp, SAPPORO, ['clerk']);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  const consumer = await newSession(tp, CHIYODA, ['linkage_subscriber']);
  consumerId = (await consumer.call('GET', '/v1/auth/me')).body.id as string;
});

afterAll(async () => {
  await nc?.close();
  if (natsServer && natsServer.exitCode === null) {
    const exited = new Promise((r) => natsServer.once('exit', r));
    natsServer.kill('SIGTERM');
    await exited;
  }
  if (natsDir) await rm(natsDir, { recursive: true, force: true });
  await tp?.close();
});

describe('the JetStream relay', () => {
  it('publishes every municipality’s events in feed order, by subject, with ids only', async () => {
    await ensureStream(jsm); // a second time: brings the stream to its settings, changes nothing
    const first = await chiyodaMoveIn('一郎', 'イチロウ', { myNumber: myNumberFrom('73521876095') });
    const second = await chiyodaMoveIn('次郎', 'ジロウ');
    const third = await sapporoMoveIn();
    const ids = [changeId(first), changeId(second), changeId(third)];
    await relayUntil(relayed(ids));

    const messages = await streamMessages();
    for (const m of messages) {
      // The broker holds the envelope and ids: no name, reading, address, date of birth or My Number.
      expect(leaksIn(m.raw)).toEqual([]);
      expect(m.raw).not.toMatch(/千代田一丁目|北一条西|1975-03-03|1977-08-08|1980-01-01/);
      expect(Object.keys(m.body).sort()).toEqual(['cursor', 'data', 'id', 'municipalityCode', 'recordedAt', 'topic', 'version']);
      expect(m.body.data).not.toHaveProperty('residents');
      expect(m.msgId).toBe(m.body.id);
      expect(m.subject).toBe(`municloud.events.${m.body.municipalityCode}.${m.body.topic}`);
    }
    const ours = ids.map((id) => messages.find((m) => m.msgId === id)!);
    expect(ours.map((m) => m.subject)).toEqual([
      `municloud.events.${CHIYODA}.resident_register.move_in`,
      `municloud.events.${CHIYODA}.resident_register.move_in`,
      `municloud.events.${SAPPORO}.resident_register.move_in`,
    ]);
    expect(ours[0]!.body).toMatchObject({ version: 1, municipalityCode: CHIYODA, data: { changeId: ids[0], kind: 'move_in', residentIds: first.body.residents.map((r: { id: string }) => r.id) } });
    // Each municipality's messages in the stream in its feed's order.
    for (const code of [CHIYODA, SAPPORO]) {
      const cursors = messages.filter((m) => m.body.municipalityCode === code).map((m) => m.body.cursor);
      for (let i = 1; i < cursors.length; i++) expect(before(cursors[i - 1]!, cursors[i]!)).toBe(true);
    }
    expect(ours[0]!.seq).toBeLessThan(ours[1]!.seq);
  });

  it('publishes a batch again after an interruption, and JetStream keeps one copy', async () => {
    const events = [await chiyodaMoveIn('一郎', 'イチロウ'), await chiyodaMoveIn('次郎', 'ジロウ'), await chiyodaMoveIn('三郎', 'サブロウ')].map(changeId);
    // The broker goes away after the first two of the batch were stored: the pass fails for this municipality.
    const flaky = {
      publish: (subject: string, data: string, opts: { msgID: string }) => {
        if (opts.msgID === events[2]) return Promise.reject(new Error('connection lost'));
        return js.publish(subject, data, opts);
      },
    } as unknown as JetStreamClient;
    // Until the pass that reaches the third event: an event is read only once every older transaction on the
    // server has ended, and other test files write meanwhile, so an earlier pass may have seen the first two only.
    const failing = await relayUntil(async (reports) => reports.at(-1)!.failed.includes(CHIYODA), {}, flaky);
    expect(failing.at(-1)!.failed).toContain(CHIYODA);
    expect(await copiesOf(events)).toEqual([1, 1, 0]);

    // The cursor moved past what was acknowledged: the next pass publishes the rest only.
    const resumed = await relayUntil(relayed(events));
    expect(resumed.reduce((n, r) => n + r.duplicates, 0)).toBe(0);
    expect(await copiesOf(events)).toEqual([1, 1, 1]);

    // A crash after publishing, before the cursor moved (here: the cursor set back): the next pass publishes
    // everything again, with the same Nats-Msg-Id, and the stream still holds one copy of each.
    const count = (await jsm.streams.info(EVENT_STREAM)).state.messages;
    await adminQuery(tp, 'cell-a', `UPDATE cell.linkage_internal_cursors SET after_txid = '0', after_seq = 0 WHERE municipality_code = $1 AND consumer = 'jetstream'`, [CHIYODA]);
    const again = await relayUntil(async (reports) => reports.at(-1)!.duplicates === 0 && reports.at(-1)!.waiting.length === 0);
    expect(again.reduce((n, r) => n + r.duplicates, 0)).toBeGreaterThanOrEqual(5);
    expect(again.reduce((n, r) => n + r.published, 0)).toBe(0);
    expect((await jsm.streams.info(EVENT_STREAM)).state.messages).toBe(count);
    expect(await copiesOf(events)).toEqual([1, 1, 1]);
  });

  it('never passes an event that commits after a later one (it waits for older transactions, like the feed)', async () => {
    await withAdminClient(tp, 'cell-a', async (c) => {
      // An older transaction writes its event and stays open...
      await c.query('BEGIN');
      const held = randomUUID();
      await c.query(`INSERT INTO cell.outbox (municipality_code, id, topic, payload) VALUES ($1, $2, 'resident_register.birth', '{"residentIds": []}')`, [CHIYODA, held]);
      // ...while a filing commits its event after it.
      const later = changeId(await chiyodaMoveIn('一郎', 'イチロウ'));
      for (let i = 0; i < 3; i++) await relayToJetStream(tp.platform, js);
      expect(await copiesOf([held, later])).toEqual([0, 0]);
      await c.query('COMMIT');
      await relayUntil(relayed([held, later]));
      const messages = await streamMessages();
      expect(messages.findIndex((m) => m.msgId === held)).toBeLessThan(messages.findIndex((m) => m.msgId === later));
    });
  });

  it('relays each municipality a batch at a time: a backlog of 300 events delays no other municipality', async () => {
    const backlog = (
      await adminQuery<{ id: string }>(
        tp,
        'cell-a',
        `INSERT INTO cell.outbox (municipality_code, id, topic, payload)
         SELECT $1, gen_random_uuid(), 'resident_register.entry_by_authority', '{"residentIds": []}' FROM generate_series(1, 300) RETURNING id`,
        [CHIYODA],
      )
    ).map((r) => r.id);
    const single = changeId(await sapporoMoveIn());
    const reports = await relayUntil(relayed([single]), { batch: 50 });
    // In the pass that relayed Sapporo's event, Chiyoda still had most of its backlog waiting.
    expect(reports.at(-1)!.waiting).toContain(CHIYODA);
    expect((await copiesOf(backlog)).filter((n) => n > 0).length).toBeLessThan(300);
    await relayUntil(relayed(backlog), { batch: 50 });
    const messages = await streamMessages();
    expect(messages.filter((m) => backlog.includes(m.msgId!)).map((m) => m.msgId)).toEqual(backlog);
    // Everything this file relayed, across batches, interruptions and replays: each municipality's events once, in feed order.
    for (const code of [CHIYODA, SAPPORO]) {
      const cursors = messages.filter((m) => m.body.municipalityCode === code).map((m) => m.body.cursor);
      expect(new Set(cursors).size).toBe(cursors.length);
      for (let i = 1; i < cursors.length; i++) expect(before(cursors[i - 1]!, cursors[i]!)).toBe(true);
    }
  });

  it('runs in the background until stopped', async () => {
    const relay = startJetStreamRelay(tp.platform, tp.platform.log, { url: natsUrl, idleMs: 50 });
    try {
      const event = changeId(await sapporoMoveIn());
      for (let i = 0; (await copiesOf([event]))[0] === 0; i++) {
        if (i === 200) throw new Error('the background relay did not publish');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await relay.stop();
    }
  });
});

describe('consuming a subscription from JetStream', () => {
  it('hands over its events only, enriched as the feed delivers them, in order, audited, and again after a failed handler', async () => {
    const declared = await admin.call('POST', '/v1/linkage/subscriptions', {
      name: '国保システム',
      operation: 'national_health_insurance',
      purpose: 'nhi_premium',
      topics: ['resident_register.move_in', 'resident_register.birth'],
      fields: ['dateOfBirth', 'householdId', 'relationship', 'state', 'flags'],
      consumerAccountId: consumerId,
    });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const sub = declared.body.id as string;

    const received: DeliveredEvent[] = [];
    const handled: string[] = [];
    let failOnce: string | null = null;
    const consumer = await consumeSubscriptionFromJetStream(
      tp.platform,
      nc,
      { municipalityCode: CHIYODA, subscriptionId: sub },
      async (event) => {
        received.push(event);
        if (event.id === failOnce) {
          failOnce = null;
          throw new Error('the operation’s database is down');
        }
        handled.push(event.id);
      },
      { startAt: 'now', retryDelayMs: 100 },
    );
    try {
      const first = await chiyodaMoveIn('一郎', 'イチロウ');
      failOnce = changeId(first);
      // Not for this subscription: another topic of the municipality, and another municipality.
      const otherTopic = randomUUID();
      await adminQuery(tp, 'cell-a', `INSERT INTO cell.outbox (municipality_code, id, topic, payload) VALUES ($1, $2, 'resident_register.death', '{"residentIds": []}')`, [CHIYODA, otherTopic]);
      const elsewhere = changeId(await sapporoMoveIn());
      const second = await chiyodaMoveIn('次郎', 'ジロウ');
      const ids = [changeId(first), changeId(second)];
      await relayUntil(relayed([...ids, otherTopic, elsewhere]));

      for (let i = 0; handled.length < 2; i++) {
        if (i === 200) throw new Error(`handled ${handled.length} of 2`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The failed event came again before the next one; nothing else came.
      expect(received.map((e) => e.id)).toEqual([ids[0], ids[0], ids[1]]);
      expect(handled).toEqual(ids);
      const event = received[2]!;
      expect(event).toMatchObject({ topic: 'resident_register.move_in', version: 1, municipalityCode: CHIYODA, data: { changeId: ids[1], kind: 'move_in' } });
      expect(before(received[0]!.cursor, event.cursor)).toBe(true);
      const residents = event.data.residents as Record<string, unknown>[];
      expect(residents).toHaveLength(2);
      expect(residents[0]).toMatchObject({ dateOfBirth: '1975-03-03', relationship: '世帯主', state: 'current', restricted: false });
      expect(Object.keys(residents[0]!).sort()).toEqual(['closed', 'dateOfBirth', 'flags', 'householdId', 'id', 'relationship', 'residentSince', 'restricted', 'state']);
      expect(leaksIn(JSON.stringify(received))).toEqual([]);

      // Every hand-over is an export to the receiving system's account, for the subscription's purpose.
      type Entry = { kind: string; purpose: string; actor: { account: string }; municipality: string; records: { resource: string; ids: string[] }[] };
      const exports = (await readAuditEntries<Entry>(tp)).filter(
        (e) => e.kind === 'personal_data_export' && e.records.some((r) => r.resource === 'linkage_subscriptions' && r.ids.includes(sub)),
      );
      expect(exports).toHaveLength(3);
      for (const e of exports) expect(e).toMatchObject({ purpose: 'nhi_premium', municipality: CHIYODA, actor: { account: consumerId } });
      expect(exports[2]!.records).toContainEqual({ resource: 'residents', ids: second.body.residents.map((r: { id: string }) => r.id) });

      // All acknowledged: nothing waits in the durable consumer.
      const info = await jsm.consumers.info(EVENT_STREAM, durableName(sub));
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_pending).toBe(0);
    } finally {
      await consumer.stop();
    }
    expect(await consumer.finished).toBe('stopped');

    // Revoked while a consumer runs: it hands nothing more over and stops by itself; a new one is refused.
    const after: string[] = [];
    const running = await consumeSubscriptionFromJetStream(tp.platform, nc, { municipalityCode: CHIYODA, subscriptionId: sub }, async (e) => {
      after.push(e.id);
    });
    expect((await admin.call('POST', `/v1/linkage/subscriptions/${sub}/revocation`)).body.revokedAt).toEqual(expect.any(String));
    const late = changeId(await chiyodaMoveIn('一郎', 'イチロウ'));
    await relayUntil(relayed([late]));
    expect(await running.finished).toBe('revoked');
    expect(after).toEqual([]);
    await expect(consumeSubscriptionFromJetStream(tp.platform, nc, { municipalityCode: CHIYODA, subscriptionId: sub }, async () => undefined)).rejects.toMatchObject({ code: 'subscription_revoked' });
    await expect(consumeSubscriptionFromJetStream(tp.platform, nc, { municipalityCode: SAPPORO, subscriptionId: sub }, async () => undefined)).rejects.toMatchObject({ code: 'not_found' });
  });
});
