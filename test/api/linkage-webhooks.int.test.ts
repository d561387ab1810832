/**
 * Webhook delivery on real PostgreSQL, to real HTTP receivers on this machine:
 * signed, in order, retried with back-off, dead letters that hold a resident's
 * later events back and go out again on replay, a poison event, a hanging
 * endpoint that holds up no one else, and personal data only to the My Number zone.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryPolicy } from '../../src/linkage/delivery-policy.js';
import { signDelivery, verifyDelivery } from '../../src/linkage/webhook-signature.js';
import { deliverDueWebhooks } from '../../src/linkage/webhooks.js';
import { CHIYODA, newSession, placeInMyNumberZone, SAPPORO, YOKOHAMA, type Reply, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';

const FAST: DeliveryPolicy = { firstDelayMs: 1, maxDelayMs: 5, maxAttempts: 3, maxRefusedAttempts: 2, timeoutMs: 300 };

interface Received {
  eventId: string;
  signature: string;
  body: string;
  event: { id: string; topic: string; data: { residentIds: string[]; residents?: Record<string, unknown>[] } };
}

/** A receiving system on this machine: records what it takes; `answer` decides the status (or null: never answer). */
class Receiver {
  received: Received[] = [];
  answer: (eventId: string) => number | null = () => 200;
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const eventId = String(req.headers['municloud-event-id']);
      const status = this.answer(eventId);
      if (status === null) return; // hang
      if (status >= 200 && status < 300) this.received.push({ eventId, signature: String(req.headers['municloud-signature']), body, event: JSON.parse(body) });
      res.writeHead(status).end();
    });
  });
  url = '';
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/municloud-events`;
    return this;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
  ids(): string[] {
    return this.received.map((r) => r.eventId);
  }
}

let tp: TestPlatform;
const sessions = new Map<string, { admin: Session; clerk: Session; consumerId: string }>();
const receivers: Receiver[] = [];

async function staffOf(code: string) {
  let s = sessions.get(code);
  if (!s) {
    const admin = await newSession(tp, code, ['municipal_admin']);
    const clerk = await newSession(tp, code, ['clerk']);
    const consumer = await newSession(tp, code, ['linkage_subscriber']);
    s = { admin, clerk, consumerId: (await consumer.call('GET', '/v1/auth/me')).body.id };
    sessions.set(code, s);
  }
  return s;
}

async function webhookSubscription(code: string, url: string, fields: string[] = ['dateOfBirth', 'householdId'], startAt: 'first_event' | 'now' = 'now'): Promise<{ id: string; secret: string }> {
  const { admin, consumerId } = await staffOf(code);
  const res = await admin.call('POST', '/v1/linkage/subscriptions', {
    name: '国保システム',
    operation: 'national_health_insurance',
    purpose: 'nhi_premium',
    topics: ['resident_register.move_in', 'resident_register.move_within', 'resident_register.death'],
    fields,
    consumerAccountId: consumerId,
    webhook: { url, startAt },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, secret: res.body.webhookSecret };
}

async function moveIn(code: string): Promise<Reply> {
  const { clerk } = await staffOf(code);
  const res = await clerk.call(
    'POST',
    '/v1/resident-changes/move-in',
    { eventDate: '2026-04-01', filedOn: '2026-04-02', previousResidence: SAPPORO_ADDRESS, household: { kind: 'new', address: HOME }, persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主')] },
    { 'municloud-purpose': 'residency_change' },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res;
}

async function moveWithin(code: string, filed: Reply): Promise<Reply> {
  const { clerk } = await staffOf(code);
  const res = await clerk.call(
    'POST',
    '/v1/resident-changes/move-within',
    {
      eventDate: '2026-05-01',
      residentIds: filed.body.residents.map((r: { id: string }) => r.id),
      householdVersions: filed.body.households.map((h: { id: string; version: number }) => ({ householdId: h.id, version: h.version })),
      destination: { kind: 'same_household', address: { ...HOME, block: '9番9号' } },
    },
    { 'municloud-purpose': 'residency_change' },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res;
}

/** Runs delivery passes until `done` holds (events may wait a moment for other transactions on the server to end). */
async function passUntil(done: () => boolean | Promise<boolean>, policy: DeliveryPolicy = FAST): Promise<void> {
  for (let i = 0; i < 200 && !(await done()); i++) {
    await deliverDueWebhooks(tp.platform, { policy, concurrency: 4 });
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(await done()).toBe(true);
}

const status = async (code: string, id: string) => (await (await staffOf(code)).admin.call('GET', `/v1/linkage/subscriptions/${id}/delivery`)).body;
const dead = async (code: string, id: string, all = false) => (await (await staffOf(code)).admin.call('GET', `/v1/linkage/subscriptions/${id}/dead-letters${all ? '?all=true' : ''}`)).body.items;

beforeAll(async () => {
  tp = await createTestPlatform({});
  for (const code of [CHIYODA, SAPPORO, YOKOHAMA]) await tp.platform.cells.place(code, 'cell-a', null);
  await placeInMyNumberZone(tp, CHIYODA);
  await placeInMyNumberZone(tp, SAPPORO);
});
afterAll(async () => {
  for (const r of receivers) await r.stop();
  await tp?.close();
});

const receiver = async () => {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
};

describe('webhook delivery', () => {
  it('posts each event once, in order, signed, with the entitled fields, and records the export', async () => {
    const r = await receiver();
    const sub = await webhookSubscription(CHIYODA, r.url, ['dateOfBirth', 'householdId'], 'first_event');
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const shown = await (await staffOf(CHIYODA)).admin.call('GET', `/v1/linkage/subscriptions/${sub.id}`);
    expect(shown.body).toMatchObject({ delivery: 'webhook', webhookUrl: r.url });
    expect(JSON.stringify(shown.body)).not.toContain(sub.secret);

    const filed = [await moveIn(CHIYODA), await moveIn(CHIYODA), await moveIn(CHIYODA)];
    const ids = filed.map((f) => f.body.change.id as string);
    await passUntil(() => ids.every((id) => r.ids().includes(id)));
    expect(r.ids()).toEqual(ids);
    for (const x of r.received) {
      expect(verifyDelivery(Buffer.from(sub.secret), x.signature, x.body, Math.floor(Date.now() / 1000))).toBe(true);
      expect(verifyDelivery(Buffer.from(sub.secret), x.signature, x.body.replace('1975', '1976'), Math.floor(Date.now() / 1000))).toBe(false);
      expect(x.event.data.residents![0]).toMatchObject({ dateOfBirth: '1975-03-03', restricted: false });
      expect(x.event.data.residents![0]!.name).toBeUndefined();
    }
    expect(await status(CHIYODA, sub.id)).toMatchObject({ delivery: 'webhook', delivered: 3, attempts: 0, deadLetters: 0 });
    // Nothing more to send: another pass sends nothing again.
    await deliverDueWebhooks(tp.platform, { policy: FAST });
    expect(r.ids()).toEqual(ids);

    const exports = (await readAuditEntries<{ kind: string; actor: { account: string; roles: string[] }; source: { zone: string }; records: { resource: string; ids: string[] }[] }>(tp)).filter(
      (e) => e.kind === 'personal_data_export' && e.records.some((x) => x.resource === 'linkage_subscriptions' && x.ids.includes(sub.id)),
    );
    expect(exports.length).toBeGreaterThanOrEqual(3);
    expect(exports[0]).toMatchObject({ actor: { account: (await staffOf(CHIYODA)).consumerId, roles: ['linkage_subscriber'] }, source: { zone: 'my_number' } });
  });

  it('retries a receiver that is down, then sets the event aside, holds back that resident’s later events, delivers the others, and replays in order', async () => {
    const r = await receiver();
    const sub = await webhookSubscription(CHIYODA, r.url, []);
    const start = r.ids().length;
    let down = true;
    r.answer = () => (down ? 503 : 200);
    const first = await moveIn(CHIYODA);
    await passUntil(async () => (await dead(CHIYODA, sub.id)).length === 1);
    const [failed] = await dead(CHIYODA, sub.id);
    expect(failed).toMatchObject({ eventId: first.body.change.id, reason: 'failed', attempts: 3, lastStatus: 503, lastError: 'HTTP 503', state: 'dead' });

    // The receiver is back. The same resident's next change waits behind the dead letter; another resident's goes out.
    down = false;
    const later = await moveWithin(CHIYODA, first);
    const other = await moveIn(CHIYODA);
    await passUntil(() => r.ids().includes(other.body.change.id));
    await passUntil(async () => (await dead(CHIYODA, sub.id)).length === 2);
    expect(r.ids().slice(start)).toEqual([other.body.change.id]);
    expect((await dead(CHIYODA, sub.id)).map((d: { eventId: string; reason: string }) => [d.eventId, d.reason])).toEqual([
      [first.body.change.id, 'failed'],
      [later.body.change.id, 'held'],
    ]);

    // Replay: both go out, in the order they happened.
    const replay = await (await staffOf(CHIYODA)).admin.call('POST', `/v1/linkage/subscriptions/${sub.id}/dead-letters/replay`, {});
    expect(replay.body).toEqual({ replaying: 2 });
    await passUntil(() => r.ids().includes(later.body.change.id));
    expect(r.ids().slice(start)).toEqual([other.body.change.id, first.body.change.id, later.body.change.id]);
    expect(await dead(CHIYODA, sub.id)).toEqual([]);
    expect((await dead(CHIYODA, sub.id, true)).every((d: { state: string }) => d.state === 'delivered')).toBe(true);
    // A resident with nothing set aside flows again.
    const again = await moveWithin(CHIYODA, later);
    await passUntil(() => r.ids().includes(again.body.change.id));
  });

  it('sets a poison event aside after a few refusals and goes on with the rest', async () => {
    const r = await receiver();
    const sub = await webhookSubscription(CHIYODA, r.url, []);
    const poison = await moveIn(CHIYODA);
    r.answer = (id) => (id === poison.body.change.id ? 422 : 200);
    const next = await moveIn(CHIYODA);
    await passUntil(() => r.ids().includes(next.body.change.id));
    expect(r.ids()).not.toContain(poison.body.change.id);
    expect(await dead(CHIYODA, sub.id)).toEqual([expect.objectContaining({ eventId: poison.body.change.id, reason: 'failed', attempts: FAST.maxRefusedAttempts, lastStatus: 422 })]);
  });

  it('lets a hanging endpoint hold up no one else, and sends nothing outside the My Number zone', async () => {
    const hanging = await receiver();
    hanging.answer = () => null;
    const healthy = await receiver();
    const stuck = await webhookSubscription(CHIYODA, hanging.url, []);
    const fine = await webhookSubscription(SAPPORO, healthy.url, []);
    // 横浜市 has no My Number zone: its receiver on this machine gets nothing.
    const outside = await receiver();
    const refused = await webhookSubscription(YOKOHAMA, outside.url, []);
    await moveIn(CHIYODA);
    const sapporo = await moveIn(SAPPORO);
    // 横浜市's clerks cannot file from outside its zone either; its outbox gets an event written directly.
    await tp.platform.cells.poolFor(YOKOHAMA);
    const { withAdminClient } = await import('../support/platform.js');
    await withAdminClient(tp, 'cell-a', (c) =>
      c.query(`INSERT INTO cell.outbox (municipality_code, id, topic, payload) VALUES ($1, $2, 'resident_register.death', '{"residentIds": []}')`, [YOKOHAMA, randomUUID()]),
    );
    await passUntil(() => healthy.ids().includes(sapporo.body.change.id));
    await passUntil(async () => (await status(CHIYODA, stuck.id)).lastError === 'timeout');
    await passUntil(async () => (await status(YOKOHAMA, refused.id)).lastError === 'zone_refused');
    expect(outside.received).toEqual([]);
    expect(await status(SAPPORO, fine.id)).toMatchObject({ attempts: 0, lastError: null });
  });

  it('refuses a webhook URL that is not https (but to this machine), or that carries credentials', async () => {
    const { admin, consumerId } = await staffOf(CHIYODA);
    const base = { name: 'x', operation: 'child_allowance', purpose: 'child_allowance_eligibility', topics: ['resident_register.birth'], fields: [], consumerAccountId: consumerId };
    for (const [url, rule] of [
      ['http://example.lg.jp/hook', 'https_required'],
      ['https://user:pw@example.lg.jp/hook', 'credentials_in_url'],
      ['not a url', 'not_a_url'],
      ['ftp://example.lg.jp/', 'https_required'],
    ] as const) {
      const res = await admin.call('POST', '/v1/linkage/subscriptions', { ...base, webhook: { url } });
      expect(res.status, url).toBe(422);
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'body/webhook/url', rule }));
    }
    expect((await admin.call('POST', '/v1/linkage/subscriptions', { ...base, webhook: { url: 'https://nhi.example.lg.jp/hook' } })).status).toBe(201);
  });
});

describe('rotating the signing secret', () => {
  const DAY_MS = 24 * 60 * 60 * 1000;
  const rotate = async (code: string, id: string) => (await staffOf(code)).admin.call('POST', `/v1/linkage/subscriptions/${id}/webhook-secret`);
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const rotations = async (id: string) =>
    (await readAuditEntries<{ kind: string; municipality: string; outcome: { result: string }; records: { resource: string; ids: string[] }[] }>(tp)).filter(
      (e) => e.kind === 'webhook_secret_rotated' && e.records.some((x) => x.resource === 'linkage_subscriptions' && x.ids.includes(id)),
    );

  it('signs with the new and the old secret for 24 hours, then with the new alone; the position is kept and the new secret shown once', async () => {
    const r = await receiver();
    const sub = await webhookSubscription(CHIYODA, r.url, []);
    const { admin } = await staffOf(CHIYODA);
    const before = await moveIn(CHIYODA);
    await passUntil(() => r.ids().includes(before.body.change.id));
    const deliveryBefore = await status(CHIYODA, sub.id);
    const shownBefore = (await admin.call('GET', `/v1/linkage/subscriptions/${sub.id}`)).body;

    const asked = Date.now();
    const rotated = await rotate(CHIYODA, sub.id);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const secret: string = rotated.body.webhookSecret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(secret).not.toBe(sub.secret);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const until = Date.parse(rotated.body.previousSecretValidUntil);
    expect(until).toBeGreaterThanOrEqual(asked + DAY_MS - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + DAY_MS + 1000);
    // The answer is the subscription as it was, with the new secret; nothing else about it changed.
    const { webhookSecret: _s, previousSecretValidUntil: _u, ...rest } = rotated.body;
    expect(rest).toEqual(shownBefore);
    const shown = await admin.call('GET', `/v1/linkage/subscriptions/${sub.id}`);
    expect(shown.body).toEqual(shownBefore);
    const listed = await admin.call('GET', '/v1/linkage/subscriptions?limit=1000');
    for (const text of [JSON.stringify(shown.body), JSON.stringify(listed.body)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(sub.secret);
    }
    expect(await status(CHIYODA, sub.id)).toEqual(deliveryBefore);

    // Audited, naming the subscription (and never the secret).
    const entries = await rotations(sub.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ municipality: CHIYODA, outcome: { result: 'success' } });
    expect(JSON.stringify(entries)).not.toContain(secret);

    // Within the window: the next event (and only it: nothing lost, nothing sent again) carries both signatures, the new first.
    const within = await moveIn(CHIYODA);
    await passUntil(() => r.ids().includes(within.body.change.id));
    expect(r.ids()).toEqual([before.body.change.id, within.body.change.id]);
    const both = r.received.at(-1)!;
    expect(both.signature).toMatch(/^t=[0-9]+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    const t = Number(both.signature.slice(2, both.signature.indexOf(',')));
    expect(both.signature).toBe(signDelivery([Buffer.from(secret), Buffer.from(sub.secret)], t, both.body));
    expect(verifyDelivery(Buffer.from(secret), both.signature, both.body, nowSeconds())).toBe(true);
    expect(verifyDelivery(Buffer.from(sub.secret), both.signature, both.body, nowSeconds())).toBe(true);
    expect(verifyDelivery(Buffer.from('whsec_someone-else'), both.signature, both.body, nowSeconds())).toBe(false);
    expect((await status(CHIYODA, sub.id)).delivered).toBe(deliveryBefore.delivered + 1);

    // After the window (its end moved into the past): the new secret alone.
    await adminQuery(tp, 'cell-a', `UPDATE cell.linkage_subscriptions SET webhook_previous_secret_until = now() - interval '1 second' WHERE id = $1`, [sub.id]);
    const after = await moveIn(CHIYODA);
    await passUntil(() => r.ids().includes(after.body.change.id));
    const alone = r.received.at(-1)!;
    expect(alone.signature).toMatch(/^t=[0-9]+,v1=[0-9a-f]{64}$/);
    expect(verifyDelivery(Buffer.from(secret), alone.signature, alone.body, nowSeconds())).toBe(true);
    expect(verifyDelivery(Buffer.from(sub.secret), alone.signature, alone.body, nowSeconds())).toBe(false);
    expect(r.ids()).toEqual([before.body.change.id, within.body.change.id, after.body.change.id]);
  });

  it('keeps one previous secret: a second rotation within the window replaces it with the secret it rotates out', async () => {
    const r = await receiver();
    const sub = await webhookSubscription(CHIYODA, r.url, []);
    const second = (await rotate(CHIYODA, sub.id)).body.webhookSecret as string;
    const third = (await rotate(CHIYODA, sub.id)).body.webhookSecret as string;
    expect(new Set([sub.secret, second, third]).size).toBe(3);
    expect(await rotations(sub.id)).toHaveLength(2);
    const filed = await moveIn(CHIYODA);
    await passUntil(() => r.ids().includes(filed.body.change.id));
    const x = r.received.at(-1)!;
    const t = Number(x.signature.slice(2, x.signature.indexOf(',')));
    expect(x.signature).toBe(signDelivery([Buffer.from(third), Buffer.from(second)], t, x.body));
    expect(verifyDelivery(Buffer.from(sub.secret), x.signature, x.body, nowSeconds())).toBe(false);
  });

  it("refuses a pull subscription, a revoked one, another municipality's, and anyone but its admin", async () => {
    const { admin, clerk, consumerId } = await staffOf(CHIYODA);
    const pull = await admin.call('POST', '/v1/linkage/subscriptions', {
      name: '国保システム',
      operation: 'national_health_insurance',
      purpose: 'nhi_premium',
      topics: ['resident_register.move_in'],
      fields: [],
      consumerAccountId: consumerId,
    });
    expect(pull.status).toBe(201);
    const refused = await rotate(CHIYODA, pull.body.id);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('subscription_not_webhook');

    const r = await receiver();
    const revoked = await webhookSubscription(CHIYODA, r.url, []);
    expect((await admin.call('POST', `/v1/linkage/subscriptions/${revoked.id}/revocation`)).status).toBe(200);
    const gone = await rotate(CHIYODA, revoked.id);
    expect(gone.status).toBe(410);
    expect(gone.body.code).toBe('subscription_revoked');

    const live = await webhookSubscription(CHIYODA, r.url, []);
    const foreign = await rotate(SAPPORO, live.id);
    const missing = await rotate(SAPPORO, randomUUID());
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, requestId: undefined }).toEqual({ ...missing.body, requestId: undefined });
    expect((await clerk.call('POST', `/v1/linkage/subscriptions/${live.id}/webhook-secret`)).status).toBe(403);
    for (const id of [pull.body.id, revoked.id, live.id]) expect((await rotations(id)).filter((e) => e.outcome.result === 'success')).toEqual([]);
  });
});
