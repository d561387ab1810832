/**
 * National Health Insurance fed only by linkage, on real PostgreSQL: the admin
 * sets the subscription NHI reads with; the register's filings (move-in,
 * birth, correction, move-out and its cancellation, return from abroad, move
 * abroad, death) become memberships with the dates the rules give; a batch
 * that crashes half-way leaves nothing, the next applies everything once, and
 * applying again changes nothing; clerks read the membership under the NHI
 * purpose from the My Number zone; another municipality sees none; the audit
 * log names the subscription and the residents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLinkageWorker } from '../../src/linkage/worker.js';
import { ageOutNhiMembers } from '../../src/operations/national-health-insurance/ageing.js';
import { applyNhiEvents } from '../../src/operations/national-health-insurance/consumer.js';
import { NHI_REQUIRED_FIELDS, NHI_REQUIRED_TOPICS } from '../../src/operations/national-health-insurance/register-events.js';
import { call, CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Reply, type Session } from '../support/api.js';
import { applyUntil as applyUntilDone, expectFeedSettingsRules, Filings } from '../support/fed-operations.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { FLAGS, HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';

const FILING = { 'municloud-purpose': 'residency_change' };
const NHI = { 'municloud-purpose': 'nhi_eligibility' };
const NO_NHI = { ...FLAGS, nationalHealthInsurance: false };
const MINATO = { kind: 'domestic', address: { postalCode: null, prefecture: '東京都', municipality: '港区', town: '芝公園四丁目', block: '2番8号', building: null } };
const SEATTLE = { kind: 'abroad', country: 'US', text: 'Seattle' };

let tp: TestPlatform;
let admin: Session;
let clerk: Session;
let auditor: Session;
let sapporoClerk: Session;
let consumerId: string;
let subscriptionId: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const accountId = async (s: Session) => (await s.call('GET', '/v1/auth/me')).body.id as string;

function subscribe(over: Record<string, unknown> = {}): Promise<Reply> {
  return admin.call('POST', '/v1/linkage/subscriptions', {
    name: '国保システム（資格）',
    operation: 'national_health_insurance',
    purpose: 'nhi_eligibility',
    topics: NHI_REQUIRED_TOPICS,
    fields: NHI_REQUIRED_FIELDS,
    consumerAccountId: consumerId,
    ...over,
  });
}

const filings = new Filings(() => clerk);
const file = (path: string, body: Record<string, unknown>, s?: Session) => filings.file(path, body, s);
const versionsOf = (...householdIds: string[]) => filings.versionsOf(...householdIds);

interface MemberRow {
  resident_id: string;
  acquired_on: string;
  acquire_reason: string;
  lost_on: string | null;
  lose_reason: string | null;
  household_id: string | null;
  last_event_id: string;
  updated_at: Date;
}
/** What the cell holds, looked at past row-level security. */
const members = (municipality = CHIYODA) =>
  adminQuery<MemberRow>(
    tp,
    'cell-a',
    `SELECT resident_id, to_char(acquired_on, 'YYYY-MM-DD') AS acquired_on, acquire_reason, to_char(lost_on, 'YYYY-MM-DD') AS lost_on, lose_reason,
            household_id, last_event_id, updated_at
       FROM cell.nhi_members WHERE municipality_code = $1 ORDER BY resident_id, acquired_on`,
    [municipality],
  );
const cursor = async () =>
  (
    await adminQuery<{ at: string }>(tp, 'cell-a', `SELECT after_txid::text || '.' || after_seq AS at FROM cell.linkage_internal_cursors WHERE municipality_code = $1 AND consumer = 'national_health_insurance'`, [
      CHIYODA,
    ])
  )[0]?.at ?? null;
const withoutTimes = (rows: MemberRow[]) => rows.map(({ updated_at: _, ...r }) => r);

const applyUntil = (done: () => Promise<boolean>) => applyUntilDone([() => applyNhiEvents(tp.platform)], done, 'the NHI consumer');

beforeAll(async () => {
  tp = await createTestPlatform({});
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-a', null);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  auditor = await newSession(tp, CHIYODA, ['auditor']);
  sapporoClerk = await newSession(tp, SAPPORO, ['clerk']);
  consumerId = await accountId(await newSession(tp, CHIYODA, ['linkage_subscriber']));
  await placeInMyNumberZone(tp, CHIYODA);
  await placeInMyNumberZone(tp, SAPPORO);
});
afterAll(async () => tp?.close());

// The family of the whole file: 一郎 (head, insured), 花子 (his wife, not insured at first), and who joins and leaves later.
const ids = { head: '', wife: '', household: '', child: '', newcomer: '', returnee: '' };

describe('NHI settings', () => {
  it('take only a live pull subscription for nhi_eligibility with the fields and topics the rules need, set by the admin and audited', async () => {
    subscriptionId = await expectFeedSettingsRules({
      path: '/v1/nhi/settings',
      problemCode: 'nhi_subscription_unfit',
      settingsResource: 'nhi_settings',
      municipality: CHIYODA,
      admin,
      clerk,
      auditor,
      subscribe,
      auditEntries: () => readAuditEntries(tp),
      wrongPurpose: { purpose: 'nhi_premium', fields: ['dateOfBirth', 'householdId', 'state', 'flags'] },
      fewFields: { fields: ['dateOfBirth', 'householdId', 'state', 'flags'] },
      fewTopics: { topics: ['resident_register.move_in', 'resident_register.birth'] },
    });
  });
});

describe('membership fed by linkage', () => {
  it('a batch that fails half-way leaves nothing applied and the cursor unmoved; the next pass applies it once', async () => {
    const family = await file('/v1/resident-changes/move-in', {
      eventDate: '2026-04-01',
      filedOn: '2026-04-02',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主'), person('花子', 'ハナコ', '1977-08-08', '妻', { sex: 'female', flags: NO_NHI })],
    });
    [ids.head, ids.wife] = family.body.residents.map((r: { id: string }) => r.id) as [string, string];
    ids.household = family.body.households[0].id;

    // A crash after the first event's effects, before the commit: inside the transaction the membership was there.
    let seenInside: number | null = null;
    for (let i = 0; i < 400 && seenInside === null; i++) {
      const report = await applyNhiEvents(tp.platform, {
        afterEvent: async (_event, db) => {
          seenInside = Number((await db.query('SELECT count(*) AS n FROM cell.nhi_members')).rows[0].n);
          throw new Error('crash');
        },
      });
      if (seenInside === null) await sleep(50);
      else expect(report).toMatchObject({ applied: 0, acquired: 0, failed: 1 });
    }
    expect(seenInside).toBe(1);
    expect(await members()).toEqual([]);
    expect(await cursor()).toBeNull();

    await applyUntil(async () => (await members()).length === 1);
    expect(withoutTimes(await members())).toEqual([
      { resident_id: ids.head, acquired_on: '2026-04-01', acquire_reason: 'move_in', lost_on: null, lose_reason: null, household_id: ids.household, last_event_id: family.body.change.id },
    ]);
    expect(await cursor()).not.toBeNull();
  });

  it('keeps each membership with the dates the rules give, from birth, correction, moves, return, departure and death', async () => {
    const birth = await file('/v1/resident-changes/birth', {
      eventDate: '2026-05-10',
      householdId: ids.household,
      householdVersions: versionsOf(ids.household),
      person: person('三郎', 'サブロウ', '2026-05-10', '子'),
    });
    ids.child = birth.body.residents[0].id;
    // The register now says 花子 is insured by NHI (e.g. she left her employer's insurance).
    await file(`/v1/residents/${ids.wife}/corrections`, {
      eventDate: '2026-06-01',
      reasonCode: 'eligibility_update',
      householdVersions: versionsOf(ids.household),
      fields: { flags: FLAGS },
    });
    const newcomer = await file('/v1/resident-changes/move-in', {
      eventDate: '2026-07-01',
      filedOn: '2026-07-03',
      previousResidence: MINATO,
      household: { kind: 'new', address: HOME },
      persons: [person('四郎', 'シロウ', '1990-01-01', '世帯主')],
    });
    ids.newcomer = newcomer.body.residents[0].id;
    const newcomerHousehold = newcomer.body.households[0].id;
    const returnee = await file('/v1/resident-changes/return-from-abroad', {
      eventDate: '2026-08-01',
      filedOn: '2026-08-03',
      previousResidence: SEATTLE,
      household: { kind: 'new', address: HOME },
      persons: [person('五郎', 'ゴロウ', '1985-02-02', '世帯主')],
    });
    ids.returnee = returnee.body.residents[0].id;
    const returneeHousehold = returnee.body.households[0].id;
    await file('/v1/resident-changes/move-out', {
      eventDate: '2026-09-01',
      residentIds: [ids.head],
      destination: SAPPORO_ADDRESS,
      householdVersions: versionsOf(ids.household),
      remaining: { headId: ids.wife, members: [{ residentId: ids.child, relationship: '子' }] },
    });
    // 四郎 files a move-out and then stays after all (転出取消).
    const out = await file('/v1/resident-changes/move-out', {
      eventDate: '2026-09-15',
      residentIds: [ids.newcomer],
      destination: SAPPORO_ADDRESS,
      householdVersions: versionsOf(newcomerHousehold),
    });
    const cancelled = await file(`/v1/move-out-certificates/${out.body.moveOutCertificateNumber}/cancellation`, {
      eventDate: '2026-09-16',
      householdVersions: versionsOf(newcomerHousehold),
    });
    await file('/v1/resident-changes/move-abroad', { eventDate: '2026-10-01', residentIds: [ids.returnee], destination: SEATTLE, householdVersions: versionsOf(returneeHousehold) });
    const death = await file('/v1/resident-changes/death', { eventDate: '2026-10-31', residentIds: [ids.child], householdVersions: versionsOf(ids.household) });

    await applyUntil(async () => (await members()).some((m) => m.resident_id === ids.child && m.lost_on !== null));
    const expected = [
      // 転出 to another prefecture: lost on the moving day itself (国保法第8条第1項ただし書).
      { resident_id: ids.head, acquired_on: '2026-04-01', acquire_reason: 'move_in', lost_on: '2026-09-01', lose_reason: 'move_out', household_id: ids.household },
      // The correction that set her flag: insured from its date.
      { resident_id: ids.wife, acquired_on: '2026-06-01', acquire_reason: 'correction_by_authority', lost_on: null, lose_reason: null, household_id: ids.household },
      // Born on 10 May, died on 31 October: insured from the birth, lost the day after death.
      { resident_id: ids.child, acquired_on: '2026-05-10', acquire_reason: 'birth', lost_on: '2026-11-01', lose_reason: 'death', household_id: ids.household },
      // From 港区 (the same prefecture); the move-out was cancelled, so the membership carries on.
      { resident_id: ids.newcomer, acquired_on: '2026-07-01', acquire_reason: 'move_in_within_prefecture', lost_on: null, lose_reason: null, household_id: newcomerHousehold },
      // Back from abroad on 1 August, abroad again on 1 October: lost the day after leaving.
      { resident_id: ids.returnee, acquired_on: '2026-08-01', acquire_reason: 'return_from_abroad', lost_on: '2026-10-02', lose_reason: 'move_abroad', household_id: returneeHousehold },
    ].sort((a, b) => a.resident_id.localeCompare(b.resident_id));
    const now = await members();
    expect(now.map(({ updated_at: _, last_event_id: __, ...r }) => r)).toEqual(expected);
    expect(now.find((m) => m.resident_id === ids.child)!.last_event_id).toBe(death.body.change.id);
    expect(now.find((m) => m.resident_id === ids.newcomer)!.last_event_id).toBe(cancelled.body.change.id);

    // More passes change nothing at all.
    for (let i = 0; i < 3; i++) expect((await applyNhiEvents(tp.platform)).applied).toBe(0);
    expect(await members()).toEqual(now);

    // Every event applied a second time (the cursor set back to the start) leaves the same memberships.
    await adminQuery(tp, 'cell-a', `DELETE FROM cell.linkage_internal_cursors WHERE municipality_code = $1 AND consumer = 'national_health_insurance'`, [CHIYODA]);
    await applyUntil(async () => (await cursor()) !== null);
    expect(withoutTimes(await members())).toEqual(withoutTimes(now));
  });

  it('reads through the API as ids, dates and reasons, to NHI clerks and auditors under an NHI purpose from the My Number zone, audited', async () => {
    const list = await clerk.call('GET', '/v1/nhi/members', undefined, NHI);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.total).toBe(5);
    expect(Object.keys(list.body.items[0]).sort()).toEqual(['acquireReason', 'acquiredOn', 'householdId', 'lastChangeId', 'loseReason', 'lostOn', 'residentId', 'updatedAt']);
    expect(JSON.stringify(list.body)).not.toMatch(/髙橋|一郎|花子|タカハシ/);

    const open = await clerk.call('GET', '/v1/nhi/members?openOnly=true', undefined, NHI);
    expect(open.body.items.map((m: { residentId: string }) => m.residentId).sort()).toEqual([ids.wife, ids.newcomer].sort());
    const household = await auditor.call('GET', `/v1/nhi/members?householdId=${ids.household}`, undefined, NHI);
    expect(household.status).toBe(200);
    expect(household.body.items.map((m: { residentId: string }) => m.residentId).sort()).toEqual([ids.head, ids.wife, ids.child].sort());

    // Pages of two, with signed cursors.
    const seen: string[] = [];
    let url = '/v1/nhi/members?limit=2';
    for (let i = 0; i < 5; i++) {
      const page = await clerk.call('GET', url, undefined, NHI);
      seen.push(...page.body.items.map((m: { residentId: string }) => m.residentId));
      if (!page.body.nextCursor) break;
      url = `/v1/nhi/members?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
    expect(seen).toEqual(list.body.items.map((m: { residentId: string }) => m.residentId));

    const one = await clerk.call('GET', `/v1/nhi/members/${ids.head}`, undefined, NHI);
    expect(one.body).toMatchObject({ residentId: ids.head, insured: false, memberships: [{ acquiredOn: '2026-04-01', lostOn: '2026-09-01', loseReason: 'move_out' }] });
    expect((await clerk.call('GET', `/v1/nhi/members/${ids.wife}`, undefined, NHI)).body.insured).toBe(true);

    // Without the NHI purpose, from outside the zone, or in another role: refused.
    expect((await clerk.call('GET', '/v1/nhi/members')).body.code).toBe('purpose_not_allowed');
    expect((await clerk.call('GET', '/v1/nhi/members', undefined, FILING)).body.code).toBe('purpose_not_allowed');
    const outside = await call(tp.app, 'GET', '/v1/nhi/members', { token: clerk.token, headers: NHI, remoteAddress: '10.9.9.9' });
    expect(outside.body.code).toBe('network_zone_refused');
    expect((await admin.call('GET', '/v1/nhi/members', undefined, NHI)).status).toBe(403);

    // Another municipality sees none of it, and a member of Chiyoda is to it like someone never insured.
    const elsewhere = await sapporoClerk.call('GET', '/v1/nhi/members', undefined, NHI);
    expect(elsewhere.body).toMatchObject({ items: [], total: 0 });
    const foreign = await sapporoClerk.call('GET', `/v1/nhi/members/${ids.head}`, undefined, NHI);
    const missing = await sapporoClerk.call('GET', '/v1/nhi/members/00000000-0000-4000-8000-000000000000', undefined, NHI);
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, requestId: undefined }).toEqual({ ...missing.body, requestId: undefined });

    type Entry = { kind: string; municipality: string; purpose: string | null; actor: { account: string; roles: string[] }; source: { zone: string }; records: { resource: string; ids: string[] }[] };
    const entries = await readAuditEntries<Entry>(tp);
    const reads = entries.filter((e) => e.kind === 'personal_data_read' && e.municipality === CHIYODA);
    expect(reads.some((e) => e.purpose === 'nhi_eligibility' && e.records.some((r) => r.resource === 'residents' && r.ids.includes(ids.head)))).toBe(true);
    // What the consumer read is on record as the subscription's export to its receiving system, naming the residents.
    const exports = entries.filter((e) => e.kind === 'personal_data_export' && e.municipality === CHIYODA);
    expect(exports.length).toBeGreaterThan(0);
    for (const e of exports) {
      expect(e).toMatchObject({ purpose: 'nhi_eligibility', actor: { account: consumerId, roles: ['linkage_subscriber'] }, source: { zone: 'operator' } });
      expect(e.records[0]).toEqual({ resource: 'linkage_subscriptions', ids: [subscriptionId] });
    }
    const exported = new Set(exports.flatMap((e) => e.records.filter((r) => r.resource === 'residents').flatMap((r) => r.ids)));
    for (const id of [ids.head, ids.wife, ids.child, ids.newcomer, ids.returnee]) expect(exported).toContain(id);
  });

  it('leaves a municipality without NHI settings alone', async () => {
    const res = await file(
      '/v1/resident-changes/move-in',
      { eventDate: '2026-04-01', filedOn: '2026-04-02', previousResidence: MINATO, household: { kind: 'new', address: HOME }, persons: [person('六郎', 'ロクロウ', '1980-01-01', '世帯主')] },
      sapporoClerk,
    );
    expect(res.status).toBe(201);
    for (let i = 0; i < 5; i++) await applyNhiEvents(tp.platform);
    expect(await members(SAPPORO)).toEqual([]);
    expect(
      await adminQuery(tp, 'cell-a', `SELECT 1 FROM cell.linkage_internal_cursors WHERE municipality_code = $1 AND consumer = 'national_health_insurance'`, [SAPPORO]),
    ).toEqual([]);
  });

  it('runs in the linkage worker of every server process', async () => {
    const worker = startLinkageWorker(tp.platform, tp.platform.log, { idleMs: 50 });
    try {
      const res = await file('/v1/resident-changes/move-in', {
        eventDate: '2026-11-01',
        filedOn: '2026-11-02',
        previousResidence: SAPPORO_ADDRESS,
        household: { kind: 'new', address: HOME },
        persons: [person('七郎', 'シチロウ', '1992-07-07', '世帯主')],
      });
      const id = res.body.residents[0].id as string;
      for (let i = 0; i < 400 && !(await members()).some((m) => m.resident_id === id); i++) await sleep(50);
      expect((await members()).find((m) => m.resident_id === id)).toMatchObject({ acquired_on: '2026-11-01', acquire_reason: 'move_in', lost_on: null });
    } finally {
      await worker.stop();
    }
  });

  it('stops reading once its subscription is revoked, and goes on from where it stood with the next one set', async () => {
    expect((await admin.call('POST', `/v1/linkage/subscriptions/${subscriptionId}/revocation`)).status).toBe(200);
    const before = await cursor();
    const res = await file('/v1/resident-changes/move-in', {
      eventDate: '2026-11-05',
      filedOn: '2026-11-06',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('八郎', 'ハチロウ', '1993-08-08', '世帯主')],
    });
    const id = res.body.residents[0].id as string;
    for (let i = 0; i < 10; i++) {
      expect((await applyNhiEvents(tp.platform)).applied).toBe(0);
      await sleep(20);
    }
    expect(await cursor()).toBe(before);
    expect((await members()).some((m) => m.resident_id === id)).toBe(false);

    const next = (await subscribe()).body.id as string;
    expect((await admin.call('PUT', '/v1/nhi/settings', { subscriptionId: next })).status).toBe(200);
    await applyUntil(async () => (await members()).some((m) => m.resident_id === id));
    expect((await members()).find((m) => m.resident_id === id)).toMatchObject({ acquired_on: '2026-11-05', acquire_reason: 'move_in' });
    // Nothing read twice for the switch: the earlier memberships are as they were.
    expect((await members()).length).toBe(7);
  });

  it('closes the membership of someone who turns 75 on their birthday, once, and records it', async () => {
    const res = await file('/v1/resident-changes/move-in', {
      eventDate: '2026-11-10',
      filedOn: '2026-11-10',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('九郎', 'クロウ', '1952-03-15', '世帯主')],
    });
    const id = res.body.residents[0].id as string;
    await applyUntil(async () => (await members()).some((m) => m.resident_id === id));
    const agesOut = async () => (await adminQuery<{ on: string }>(tp, 'cell-a', `SELECT to_char(ages_out_on, 'YYYY-MM-DD') AS on FROM cell.nhi_members WHERE resident_id = $1`, [id]))[0]?.on;
    expect(await agesOut()).toBe('2027-03-15');

    // 23:59:59 on 14 March in Japan: not yet.
    expect(await ageOutNhiMembers(tp.platform, { now: new Date('2027-03-14T14:59:59Z') })).toEqual({ closed: 0, failed: 0 });
    expect((await members()).find((m) => m.resident_id === id)).toMatchObject({ lost_on: null });
    // Midnight in Japan: the birthday. 後期高齢者医療 from that day, so NHI is lost on it.
    expect(await ageOutNhiMembers(tp.platform, { now: new Date('2027-03-14T15:00:00Z') })).toEqual({ closed: 1, failed: 0 });
    expect((await members()).find((m) => m.resident_id === id)).toMatchObject({ acquired_on: '2026-11-10', lost_on: '2027-03-15', lose_reason: 'late_stage_elderly' });
    // Once a day; and a pass on a later day finds nothing more to close.
    expect(await ageOutNhiMembers(tp.platform, { now: new Date('2027-03-15T01:00:00Z') })).toEqual({ closed: 0, failed: 0 });
    expect(await ageOutNhiMembers(tp.platform, { now: new Date('2027-03-16T01:00:00Z') })).toEqual({ closed: 0, failed: 0 });

    const changes = (await readAuditEntries<{ kind: string; purpose: string; actor: { roles: string[] }; records: { resource: string; ids: string[] }[] }>(tp)).filter(
      (e) => e.kind === 'personal_data_change' && e.records.some((r) => r.resource === 'nhi_members'),
    );
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ purpose: 'nhi_eligibility', actor: { roles: ['platform_operator'] } });
    expect(changes[0]!.records).toEqual([{ resource: 'nhi_members', ids: [CHIYODA] }, { resource: 'residents', ids: [id] }]);
  });
});
