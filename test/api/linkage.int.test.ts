/**
 * Linkage end to end on real PostgreSQL: the event catalogue, subscriptions
 * checked against entitlements, pull feeds in commit-safe order with only the
 * entitled fields, audited; revoked, foreign and out-of-zone reads refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Reply, type Session } from '../support/api.js';
import { createTestPlatform, withAdminClient, type TestPlatform } from '../support/platform.js';
import { holdHouseholds } from '../../src/resident-register/store.js';
import { loadSyntheticPopulation } from '../../src/resident-register/population-load.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';

const FILING = { 'municloud-purpose': 'residency_change' };

let tp: TestPlatform;
let admin: Session;
let clerk: Session;
let consumer: Session;
let consumerId: string;
let other: Session;
let otherId: string;

const accountId = async (s: Session) => (await s.call('GET', '/v1/auth/me')).body.id as string;

async function moveIn(s: Session = clerk, given = '一郎'): Promise<Reply> {
  const res = await s.call(
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

async function subscribe(body: Record<string, unknown>, as: Session = admin): Promise<Reply> {
  return as.call('POST', '/v1/linkage/subscriptions', {
    name: '国保システム',
    operation: 'national_health_insurance',
    purpose: 'nhi_premium',
    topics: ['resident_register.move_in', 'resident_register.move_within', 'resident_register.birth'],
    fields: ['dateOfBirth', 'householdId', 'relationship', 'state', 'flags'],
    consumerAccountId: consumerId,
    ...body,
  });
}

type Page = { items: { id: string; topic: string; cursor: string; data: Record<string, unknown> & { residents?: Record<string, unknown>[] } }[]; nextCursor: string };

/**
 * Reads a feed until it holds at least `n` events. The feed stops below the
 * oldest transaction running anywhere on the server, and other test files
 * write to the same server at the same time: an event may take a moment.
 */
async function readAtLeast(s: Session, subscription: string, n: number, after?: string, limit = 100): Promise<Page> {
  const url = `/v1/linkage/feeds/${subscription}?limit=${limit}${after ? `&after=${after}` : ''}`;
  for (let i = 0; ; i++) {
    const res = await s.call('GET', url);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (res.body.items.length >= n || i === 100) return res.body as Page;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  tp = await createTestPlatform({});
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-a', null);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  consumer = await newSession(tp, CHIYODA, ['linkage_subscriber']);
  other = await newSession(tp, CHIYODA, ['linkage_subscriber']);
  consumerId = await accountId(consumer);
  otherId = await accountId(other);
  await placeInMyNumberZone(tp, CHIYODA);
});
afterAll(async () => tp?.close());

describe('the event catalogue', () => {
  it('lists every register change as a versioned topic, with its JSON Schema, to anyone', async () => {
    const { call } = await import('../support/api.js');
    const catalogue = await call(tp.app, 'GET', '/v1/linkage/catalogue');
    expect(catalogue.status).toBe(200);
    const topics = catalogue.body.events.map((e: { topic: string }) => e.topic);
    for (const kind of ['move_in', 'move_out', 'move_within', 'birth', 'death', 'household_change', 'correction_by_authority', 'move_out_cancelled']) {
      expect(topics).toContain(`resident_register.${kind}`);
    }
    expect(catalogue.body.entitlements).toContainEqual({ operation: 'national_health_insurance', purpose: 'nhi_premium', fields: ['dateOfBirth', 'householdId', 'relationship', 'state', 'flags'] });
    const schema = await call(tp.app, 'GET', '/v1/linkage/catalogue/resident_register.move_in');
    expect(schema.status).toBe(200);
    expect(schema.body.schema.$id).toBe('urn:municloud:event:resident_register.move_in:v1');
    expect(schema.body.schema.properties.data.properties.residentIds.type).toBe('array');
    expect((await call(tp.app, 'GET', '/v1/linkage/catalogue/resident_register.nothing')).status).toBe(404);
  });
});

describe('subscriptions', () => {
  it('are declared by the admin within the purpose’s entitlements, for a receiving system of the municipality', async () => {
    const created = await subscribe({});
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ operation: 'national_health_insurance', purpose: 'nhi_premium', consumerAccountId: consumerId, revokedAt: null });

    const refused: [Record<string, unknown>, string, string][] = [
      [{ purpose: 'tax_assessment' }, 'body/purpose', 'not_of_operation'],
      [{ fields: ['dateOfBirth', 'name'] }, 'body/fields/1', 'not_entitled'],
      [{ fields: ['dateOfBirth', 'dateOfBirth'] }, 'body/fields/1', 'repeated'],
      [{ consumerAccountId: await accountId(clerk) }, 'body/consumerAccountId', 'not_a_subscriber'],
      [{ consumerAccountId: randomUUID() }, 'body/consumerAccountId', 'not_a_subscriber'],
    ];
    const before = (await admin.call('GET', '/v1/linkage/subscriptions')).body.total;
    for (const [body, at, rule] of refused) {
      const res = await subscribe(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.code).toBe('subscription_rejected');
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field: at, rule }));
    }
    expect((await subscribe({ operation: 'resident_registry', purpose: 'record_inquiry' })).status).toBe(400);
    expect((await subscribe({ topics: ['resident_register.nothing'] })).status).toBe(400);
    expect((await subscribe({}, clerk)).status).toBe(403);
    expect((await admin.call('GET', '/v1/linkage/subscriptions')).body.total).toBe(before);

    // A receiving system sees its own subscriptions only.
    expect((await other.call('GET', '/v1/linkage/subscriptions')).body.items).toEqual([]);
    expect((await other.call('GET', `/v1/linkage/subscriptions/${created.body.id}`)).status).toBe(404);
    expect((await consumer.call('GET', `/v1/linkage/subscriptions/${created.body.id}`)).body.id).toBe(created.body.id);
  });
});

describe('pull feeds', () => {
  it('deliver each change once, in order, with only the entitled fields, from any cursor, audited', async () => {
    const sub = (await subscribe({})).body.id as string;
    const first = await moveIn();
    const [head, wife] = first.body.residents.map((r: { id: string }) => r.id);
    const page1 = await readAtLeast(consumer, sub, 1);
    const ours = page1.items.filter((e) => e.id === first.body.change.id);
    expect(ours).toHaveLength(1);
    const event = ours[0]!;
    expect(event.topic).toBe('resident_register.move_in');
    expect(event.data).toMatchObject({ changeId: first.body.change.id, kind: 'move_in', residentIds: [head, wife] });
    expect(event.data.residents).toHaveLength(2);
    const delivered = event.data.residents![0]!;
    expect(delivered).toMatchObject({ id: head, dateOfBirth: '1975-03-03', relationship: '世帯主', state: 'current', restricted: false });
    expect(Object.keys(delivered).sort()).toEqual(['closed', 'dateOfBirth', 'flags', 'householdId', 'id', 'relationship', 'residentSince', 'restricted', 'state']);
    expect(JSON.stringify(page1)).not.toMatch(/一郎|花子|イチロウ|千代田/);

    // The next change, after the cursor; reading again from the same cursor gives the same events.
    const moved = await clerk.call(
      'POST',
      '/v1/resident-changes/move-within',
      {
        eventDate: '2026-05-01',
        residentIds: [head, wife],
        householdVersions: first.body.households.map((h: { id: string; version: number }) => ({ householdId: h.id, version: h.version })),
        destination: { kind: 'same_household', address: { ...HOME, block: '2番2号' } },
      },
      FILING,
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    const page2 = await readAtLeast(consumer, sub, 1, page1.nextCursor);
    expect(page2.items.map((e) => e.id)).toEqual([moved.body.change.id]);
    const again = await readAtLeast(consumer, sub, 1, page1.nextCursor);
    expect(again.items).toEqual(page2.items);
    const fromStart = await readAtLeast(consumer, sub, 2);
    const ids = fromStart.items.map((e) => e.id);
    expect(ids.indexOf(first.body.change.id)).toBeLessThan(ids.indexOf(moved.body.change.id));
    // Up to date: the cursor stays.
    const empty = await consumer.call('GET', `/v1/linkage/feeds/${sub}?after=${page2.nextCursor}`);
    expect(empty.body).toEqual({ items: [], nextCursor: page2.nextCursor });

    const entries = (await readAuditEntries<{ kind: string; purpose: string; records: { resource: string; ids: string[] }[] }>(tp)).filter((e) => e.kind === 'personal_data_export');
    expect(entries.at(-1)).toMatchObject({ purpose: 'nhi_premium' });
    expect(entries.some((e) => e.records.some((r) => r.resource === 'residents' && r.ids.includes(head)) && e.records.some((r) => r.resource === 'linkage_subscriptions' && r.ids.includes(sub)))).toBe(true);
  });

  it('deliver a child’s death after the head moved out: each event folds its own residents’ effects only', async () => {
    // The head's move-out re-heads the household and so touches the child born later; the child's death names the
    // child only, and the head who left (whose move-in is not among the child's changes) must not break the page.
    const sub = (await subscribe({ topics: ['resident_register.move_out', 'resident_register.death'] })).body.id as string;
    const start = (await readAtLeast(consumer, sub, 0, undefined, 500)).nextCursor;
    const family = await moveIn();
    const [head, wife] = family.body.residents.map((r: { id: string }) => r.id);
    const householdId = family.body.households[0].id as string;
    const file = async (path: string, body: Record<string, unknown>) => {
      const res = await clerk.call('POST', path, body, FILING);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res;
    };
    const born = await file('/v1/resident-changes/birth', { eventDate: '2026-05-10', householdId, householdVersions: [{ householdId, version: 1 }], person: person('三郎', 'サブロウ', '2026-05-10', '子') });
    const child = born.body.residents[0].id as string;
    await file('/v1/resident-changes/move-out', {
      eventDate: '2026-09-01',
      residentIds: [head],
      destination: SAPPORO_ADDRESS,
      householdVersions: [{ householdId, version: 2 }],
      remaining: { headId: wife, members: [{ residentId: child, relationship: '子' }] },
    });
    const died = await file('/v1/resident-changes/death', { eventDate: '2026-10-31', residentIds: [child], householdVersions: [{ householdId, version: 3 }] });
    const page = await readAtLeast(consumer, sub, 2, start);
    const death = page.items.find((e) => e.id === died.body.change.id)!;
    expect(death.data.residents).toEqual([expect.objectContaining({ id: child, relationship: '子', state: 'closed', closed: { reason: 'died', on: '2026-10-31', destination: null } })]);
  });

  it('never skips an event that commits after a later one (the feed waits for older transactions)', async () => {
    const sub = (await subscribe({ topics: ['resident_register.move_in', 'resident_register.birth'], fields: [] })).body.id as string;
    const start = (await readAtLeast(consumer, sub, 0)).nextCursor;
    const caughtUp = async () => {
      let cursor = start;
      for (;;) {
        const page = (await consumer.call('GET', `/v1/linkage/feeds/${sub}?after=${cursor}`)).body as Page;
        if (page.items.length === 0) return cursor;
        cursor = page.nextCursor;
      }
    };
    await withAdminClient(tp, 'cell-a', async (c) => {
      // An older transaction writes its event (a lower seq) and stays open...
      await c.query('BEGIN');
      const held = randomUUID();
      await c.query(`INSERT INTO cell.outbox (municipality_code, id, topic, payload) VALUES ($1, $2, 'resident_register.birth', '{"residentIds": []}')`, [CHIYODA, held]);
      // ...while a filing commits its event after it.
      const later = await moveIn();
      const seen = await consumer.call('GET', `/v1/linkage/feeds/${sub}?after=${start}`);
      expect(seen.body.items.map((e: { id: string }) => e.id)).not.toContain(later.body.change.id);
      await c.query('COMMIT');
      const page = await readAtLeast(consumer, sub, 2, start);
      const ids = page.items.map((e) => e.id);
      expect(ids.indexOf(held)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(held)).toBeLessThan(ids.indexOf(later.body.change.id));
      expect(page.items.find((e) => e.id === later.body.change.id)!.data.residents).toBeUndefined();
    });
    expect(await caughtUp()).toMatch(/^[0-9]+\.[0-9]+$/);
  });

  it('orders two changes of one household as they committed: a filing waits for the household before it has a transaction id', async () => {
    await withAdminClient(tp, 'cell-a', async (c) => {
      await c.query('BEGIN');
      await holdHouseholds(c, [randomUUID(), randomUUID()]);
      // No transaction id yet: the one it gets after waiting is later than that of the change it waited for.
      expect((await c.query('SELECT pg_current_xact_id_if_assigned() AS x')).rows[0].x).toBeNull();
      await c.query('ROLLBACK');
    });
  });

  it('pages through many events of one transaction in number order (seq 10 after 9, not before 2)', async () => {
    const sub = (await subscribe({ topics: ['resident_register.birth'], fields: [] })).body.id as string;
    const start = (await readAtLeast(consumer, sub, 0, undefined, 500)).nextCursor;
    const written = Array.from({ length: 23 }, () => randomUUID());
    await withAdminClient(tp, 'cell-a', async (c) => {
      await c.query('BEGIN');
      for (const id of written) await c.query(`INSERT INTO cell.outbox (municipality_code, id, topic, payload) VALUES ($1, $2, 'resident_register.birth', '{"residentIds": []}')`, [CHIYODA, id]);
      await c.query('COMMIT');
    });
    await readAtLeast(consumer, sub, written.length, start, 500);
    const seen: string[] = [];
    for (let cursor = start; ; ) {
      const page = (await consumer.call('GET', `/v1/linkage/feeds/${sub}?limit=5&after=${cursor}`)).body as Page;
      if (page.items.length === 0) break;
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(written);
  });

  it('publishes nothing for a filing that does not commit', async () => {
    const sub = (await subscribe({ topics: ['resident_register.move_in'], fields: [] })).body.id as string;
    const start = (await readAtLeast(consumer, sub, 0)).nextCursor;
    const outboxBefore = Number((await withAdminClient(tp, 'cell-a', (c) => c.query('SELECT count(*) FROM cell.outbox'))).rows[0].count);
    const refused = await clerk.call('POST', '/v1/resident-changes/move-in', { eventDate: '2026-04-01', filedOn: '2026-04-02', previousResidence: SAPPORO_ADDRESS, household: { kind: 'new', address: HOME }, persons: [person('一郎', 'イチロウ', '1975-03-03', '妻')] }, FILING);
    expect(refused.status).toBe(422);
    expect(Number((await withAdminClient(tp, 'cell-a', (c) => c.query('SELECT count(*) FROM cell.outbox'))).rows[0].count)).toBe(outboxBefore);
    expect((await consumer.call('GET', `/v1/linkage/feeds/${sub}?after=${start}`)).body.items).toEqual([]);
  });

  it('deliver a page of a bulk load (more ids than one audit entry holds), audited in several entries', async () => {
    const sub = (await subscribe({ topics: ['resident_register.entry_by_authority'], fields: ['dateOfBirth'] })).body.id as string;
    await loadSyntheticPopulation(tp.platform, { municipalityCode: CHIYODA, seed: 'linkage-feed-page', size: 1200, asOf: '2026-04-01' });
    const page = await readAtLeast(consumer, sub, 500, undefined, 500);
    expect(page.items).toHaveLength(500);
    const residents = new Set(page.items.flatMap((e) => e.data.residentIds as string[]));
    expect(residents.size).toBeGreaterThan(600);
    const entries = (await readAuditEntries<{ kind: string; records: { resource: string; ids: string[] }[] }>(tp)).filter(
      (e) => e.kind === 'personal_data_export' && e.records.some((r) => r.resource === 'linkage_subscriptions' && r.ids.includes(sub)),
    );
    expect(entries.length).toBeGreaterThan(1);
    for (const e of entries) expect(e.records.reduce((n, r) => n + r.ids.length, 0)).toBeLessThanOrEqual(1000);
    const named = new Set(entries.flatMap((e) => e.records.filter((r) => r.resource === 'residents').flatMap((r) => r.ids)));
    for (const id of residents) expect(named.has(id)).toBe(true);
  });

  it('answer only the consumer, only from the My Number zone, and stop when revoked', async () => {
    const sub = (await subscribe({})).body.id as string;
    expect((await other.call('GET', `/v1/linkage/feeds/${sub}`)).status).toBe(404);
    expect((await other.call('GET', `/v1/linkage/feeds/${randomUUID()}`)).status).toBe(404);
    expect((await clerk.call('GET', `/v1/linkage/feeds/${sub}`)).status).toBe(403);
    expect((await consumer.call('GET', `/v1/linkage/feeds/${sub}?after=x.1`)).body.code).toBe('invalid_cursor');
    expect((await consumer.call('GET', `/v1/linkage/feeds/${sub}?after=1.2.3`)).body.code).toBe('invalid_cursor');
    expect((await consumer.call('GET', `/v1/linkage/feeds/${sub}?after=99999999999999999999`)).body.code).toBe('invalid_cursor');

    // Another municipality's receiving system: its own subscription works only from its own My Number zone.
    const sapporoAdmin = await newSession(tp, SAPPORO, ['municipal_admin']);
    const sapporoConsumer = await newSession(tp, SAPPORO, ['linkage_subscriber']);
    const theirs = (await subscribe({ consumerAccountId: await accountId(sapporoConsumer) }, sapporoAdmin)).body.id as string;
    expect((await sapporoConsumer.call('GET', `/v1/linkage/feeds/${sub}`)).status).toBe(404);
    expect((await sapporoConsumer.call('GET', `/v1/linkage/feeds/${theirs}`)).body.code).toBe('network_zone_refused');
    expect((await subscribe({ consumerAccountId: otherId }, sapporoAdmin)).status).toBe(422);

    expect((await admin.call('POST', `/v1/linkage/subscriptions/${sub}/revocation`)).body.revokedAt).toEqual(expect.any(String));
    expect((await admin.call('POST', `/v1/linkage/subscriptions/${sub}/revocation`)).body.code).toBe('subscription_revoked');
    expect((await consumer.call('GET', `/v1/linkage/feeds/${sub}`)).status).toBe(410);
  });
});
