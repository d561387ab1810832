/**
 * Child allowance fed only by linkage, on real PostgreSQL: the admin sets the
 * subscription the module reads with; a clerk records a claim for a parent the
 * roster knows; the register's filings (births, a child's move-out, the
 * claimant's move-out and its cancellation, a death, a corrected date of
 * birth) revise the claim's amounts from the months the rules give, each with
 * the change that caused it; a batch that crashes half-way leaves nothing, the
 * next applies everything once, and applying again changes nothing; another
 * municipality sees none of it; the audit log names ids only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChildAllowanceEvents } from '../../src/operations/child-allowance/consumer.js';
import { CHILD_ALLOWANCE_REQUIRED_FIELDS, CHILD_ALLOWANCE_REQUIRED_TOPICS } from '../../src/operations/child-allowance/register-events.js';
import { call, CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Reply, type Session } from '../support/api.js';
import { applyUntil as applyUntilDone, expectFeedSettingsRules, Filings } from '../support/fed-operations.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';

const FILING = { 'municloud-purpose': 'residency_change' };
const CA = { 'municloud-purpose': 'child_allowance_eligibility' };
const CONSUMER = 'child_allowance';

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
    name: '児童手当システム',
    operation: 'child_allowance',
    purpose: 'child_allowance_eligibility',
    topics: CHILD_ALLOWANCE_REQUIRED_TOPICS,
    fields: CHILD_ALLOWANCE_REQUIRED_FIELDS,
    consumerAccountId: consumerId,
    ...over,
  });
}

const filings = new Filings(() => clerk);
const file = (path: string, body: Record<string, unknown>, s?: Session) => filings.file(path, body, s);
const versionsOf = (...householdIds: string[]) => filings.versionsOf(...householdIds);

/** What the cell holds, looked at past row-level security (the times left out). */
const table = (name: string, order: string, municipality = CHIYODA) =>
  adminQuery(tp, 'cell-a', `SELECT * FROM cell.${name} WHERE municipality_code = $1 ORDER BY ${order}`, [municipality]).then((rows) =>
    rows.map(({ updated_at: _u, recorded_at: _r, applied_at: _a, ...r }) => r),
  );
const roster = (municipality = CHIYODA) => table('child_allowance_residents', 'resident_id', municipality);
const everything = async () => ({
  roster: await roster(),
  claims: await table('child_allowance_claims', 'id'),
  children: await table('child_allowance_claim_children', 'claim_id, child_id, from_month'),
  revisions: await table('child_allowance_revisions', 'claim_id, change_id'),
});
const cursor = async () =>
  (
    await adminQuery<{ at: string }>(tp, 'cell-a', `SELECT after_txid::text || '.' || after_seq AS at FROM cell.linkage_internal_cursors WHERE municipality_code = $1 AND consumer = $2`, [
      CHIYODA,
      CONSUMER,
    ])
  )[0]?.at ?? null;

const applyUntil = (done: () => Promise<boolean>) => applyUntilDone([() => applyChildAllowanceEvents(tp.platform)], done, 'the child-allowance consumer');

const claimOf = (id: string, query = '') => clerk.call('GET', `/v1/child-allowance/claims/${id}${query}`, undefined, CA);
const monthTotals = (body: { months: { month: string; total: number }[] }) => Object.fromEntries(body.months.map((m) => [m.month, m.total]));

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

// The 髙橋 family: 一郎 (head, the claimant), 花子 (his wife), 太郎 (8), and the children born later.
const ids = { head: '', wife: '', taro: '', household: '', jiro: '', saburo: '', claim: '' };
const changes = { jiroBirth: '', saburoBirth: '', taroOut: '', headOut: '', cancelled: '' };

describe('child allowance settings', () => {
  it('take only a live pull subscription for child_allowance_eligibility with the fields and topics the rules need, set by the admin and audited', async () => {
    subscriptionId = await expectFeedSettingsRules({
      path: '/v1/child-allowance/settings',
      problemCode: 'child_allowance_subscription_unfit',
      settingsResource: 'child_allowance_settings',
      municipality: CHIYODA,
      admin,
      clerk,
      auditor,
      subscribe,
      auditEntries: () => readAuditEntries(tp),
      // NHI's subscription, for the same topics.
      wrongPurpose: { name: '国保', operation: 'national_health_insurance', purpose: 'nhi_eligibility', fields: ['dateOfBirth', 'householdId', 'relationship', 'state'] },
      fewFields: { fields: ['dateOfBirth', 'householdId', 'state'] },
      fewTopics: { topics: CHILD_ALLOWANCE_REQUIRED_TOPICS.filter((t) => t !== 'resident_register.household_change') },
    });
  });
});

describe('the roster fed by linkage', () => {
  it('a batch that fails half-way leaves nothing applied and the cursor unmoved; the next pass applies it once', async () => {
    const family = await file('/v1/resident-changes/move-in', {
      eventDate: '2026-04-01',
      filedOn: '2026-04-02',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('一郎', 'イチロウ', '1985-03-03', '世帯主'), person('花子', 'ハナコ', '1987-08-08', '妻', { sex: 'female' }), person('太郎', 'タロウ', '2018-06-15', '子')],
    });
    [ids.head, ids.wife, ids.taro] = family.body.residents.map((r: { id: string }) => r.id) as [string, string, string];
    ids.household = family.body.households[0].id;

    let seenInside: number | null = null;
    for (let i = 0; i < 400 && seenInside === null; i++) {
      const report = await applyChildAllowanceEvents(tp.platform, {
        afterEvent: async (_event, db) => {
          seenInside = Number((await db.query('SELECT count(*) AS n FROM cell.child_allowance_residents')).rows[0].n);
          throw new Error('crash');
        },
      });
      if (seenInside === null) await sleep(50);
      else expect(report).toMatchObject({ applied: 0, residents: 0, failed: 1 });
    }
    expect(seenInside).toBe(3);
    expect(await roster()).toEqual([]);
    expect(await table('child_allowance_applied_events', 'event_id')).toEqual([]);
    expect(await cursor()).toBeNull();

    await applyUntil(async () => (await roster()).length === 3);
    expect(await roster()).toEqual(
      [
        { resident_id: ids.head, relationship: '世帯主', date_of_birth: '1985-03-03' },
        { resident_id: ids.wife, relationship: '妻', date_of_birth: '1987-08-08' },
        { resident_id: ids.taro, relationship: '子', date_of_birth: '2018-06-15' },
      ]
        .map((r) => ({ municipality_code: CHIYODA, ...r, household_id: ids.household, resident_since: '2026-04-01', closed_on: null, closed_reason: null, last_event_id: family.body.change.id }))
        .sort((a, b) => a.resident_id.localeCompare(b.resident_id))
        .map((r) => expect.objectContaining({ ...r, date_of_birth: expect.anything(), resident_since: expect.anything() })),
    );
    expect(await cursor()).not.toBeNull();
  });
});

describe('claims', () => {
  it('are refused with the rule broken, and nothing is written', async () => {
    const tomorrow = new Date(Date.now() + 9 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    const attempts: [Record<string, unknown>, number, string, string][] = [
      [{ claimantId: ids.head, claimedOn: '2026-02-30' }, 400, 'body/claimedOn', 'date'],
      [{ claimantId: ids.head, claimedOn: '2026-4-1' }, 400, 'body/claimedOn', 'pattern'],
      [{ claimantId: ids.head, claimedOn: tomorrow }, 422, 'body/claimedOn', 'future'],
      [{ claimantId: ids.head, claimedOn: '2026-03-31' }, 422, 'body/claimantId', 'not_resident'],
      [{ claimantId: '00000000-0000-4000-8000-000000000000', claimedOn: '2026-04-10' }, 422, 'body/claimantId', 'not_resident'],
      // 太郎 is the head's child: his own children would be grandchildren (孫), and there are none.
      [{ claimantId: ids.taro, claimedOn: '2026-04-10' }, 422, 'body/claimantId', 'no_eligible_child'],
      [{ claimantId: ids.head, claimedOn: '2026-04-10', olderChildren: [{ residentId: ids.wife }] }, 422, 'body/olderChildren/0/residentId', 'not_household_child'],
      [{ claimantId: ids.head, claimedOn: '2026-04-10', olderChildren: [{ dateOfBirth: '2015-01-01' }] }, 422, 'body/olderChildren/0/dateOfBirth', 'not_older_child'],
    ];
    for (const [body, status, field, rule] of attempts) {
      const res = await clerk.call('POST', '/v1/child-allowance/claims', body, CA);
      expect(res.status, `${field} ${rule}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe(status === 400 ? 'validation_failed' : 'child_allowance_claim_rejected');
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
      expect(res.body.message.ja && res.body.message.en).toBeTruthy();
    }
    // Without the purpose, or as an auditor: refused before anything is read.
    expect((await clerk.call('POST', '/v1/child-allowance/claims', { claimantId: ids.head, claimedOn: '2026-04-10' })).body.code).toBe('purpose_not_allowed');
    expect((await auditor.call('POST', '/v1/child-allowance/claims', { claimantId: ids.head, claimedOn: '2026-04-10' }, CA)).status).toBe(403);
    expect(await table('child_allowance_claims', 'id')).toEqual([]);
  });

  it('are recorded for a parent of the household, from the month after the claim, audited with ids only', async () => {
    const res = await clerk.call('POST', '/v1/child-allowance/claims', { claimantId: ids.head, claimedOn: '2026-04-10' }, CA);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids.claim = res.body.id;
    expect(res.body).toMatchObject({ claimantId: ids.head, householdId: ids.household, claimedOn: '2026-04-10', startMonth: '2026-05', status: 'open', endedMonth: null, revisions: [] });
    expect(res.body.children).toEqual([
      { childId: ids.taro, residentId: ids.taro, dateOfBirth: '2018-06-15', supported: null, fromMonth: '2026-05', untilMonth: null, untilReason: null, addedByChangeId: null, removedByChangeId: null },
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/髙橋|一郎|太郎|タカハシ/);

    // One open claim per household: the wife cannot claim too.
    const again = await clerk.call('POST', '/v1/child-allowance/claims', { claimantId: ids.wife, claimedOn: '2026-04-12' }, CA);
    expect(again.status).toBe(422);
    expect(again.body.errors).toContainEqual(expect.objectContaining({ field: 'body/claimantId', rule: 'open_claim_exists' }));

    const one = await claimOf(ids.claim, '?from=2026-04&to=2026-06');
    expect(monthTotals(one.body)).toEqual({ '2026-04': 0, '2026-05': 10_000, '2026-06': 10_000 });
    expect(one.body.months[0]).toMatchObject({ entitled: false, children: [] });
    expect(one.body.months[1].children).toEqual([{ childId: ids.taro, reason: 'paid', band: 'from_3_to_high_school_age', birthOrder: 1, monthlyAmount: 10_000 }]);
    expect(one.body.payments).toEqual([{ paymentMonth: '2026-06', covers: ['2026-05'], amount: 10_000 }, { paymentMonth: '2026-08', covers: ['2026-06'], amount: 10_000 }]);

    type Entry = { kind: string; municipality: string; purpose: string | null; records: { resource: string; ids: string[] }[] };
    const entries = await readAuditEntries<Entry>(tp);
    const change = entries.filter((e) => e.kind === 'personal_data_change' && e.records.some((r) => r.resource === 'child_allowance_claims'));
    expect(change).toEqual([
      expect.objectContaining({
        municipality: CHIYODA,
        purpose: 'child_allowance_eligibility',
        records: [
          { resource: 'child_allowance_claims', ids: [ids.claim] },
          { resource: 'residents', ids: [ids.head, ids.taro] },
        ],
      }),
    ]);
  });
});

describe('claims fed by linkage', () => {
  it('are revised from the month after each birth, departure and return, with the change that caused it', async () => {
    const jiro = await file('/v1/resident-changes/birth', {
      eventDate: '2026-06-10',
      householdId: ids.household,
      householdVersions: versionsOf(ids.household),
      person: person('二郎', 'ジロウ', '2026-06-10', '子'),
    });
    ids.jiro = jiro.body.residents[0].id;
    changes.jiroBirth = jiro.body.change.id;
    const saburo = await file('/v1/resident-changes/birth', {
      eventDate: '2026-08-20',
      householdId: ids.household,
      householdVersions: versionsOf(ids.household),
      person: person('三郎', 'サブロウ', '2026-08-20', '子'),
    });
    ids.saburo = saburo.body.residents[0].id;
    changes.saburoBirth = saburo.body.change.id;
    // 太郎 goes to live with his grandparents in Sapporo.
    changes.taroOut = (
      await file('/v1/resident-changes/move-out', { eventDate: '2026-10-05', residentIds: [ids.taro], destination: SAPPORO_ADDRESS, householdVersions: versionsOf(ids.household) })
    ).body.change.id;
    // The claimant moves out, and the move-out is cancelled (転出取消).
    const out = await file('/v1/resident-changes/move-out', {
      eventDate: '2026-11-10',
      residentIds: [ids.head],
      destination: SAPPORO_ADDRESS,
      householdVersions: versionsOf(ids.household),
      remaining: {
        headId: ids.wife,
        members: [
          { residentId: ids.jiro, relationship: '子' },
          { residentId: ids.saburo, relationship: '子' },
        ],
      },
    });
    changes.headOut = out.body.change.id;
    changes.cancelled = (
      await file(`/v1/move-out-certificates/${out.body.moveOutCertificateNumber}/cancellation`, { eventDate: '2026-11-12', householdVersions: versionsOf(ids.household) })
    ).body.change.id;

    await applyUntil(async () => (await table('child_allowance_revisions', 'change_id')).length === 5);
    const claim = await claimOf(ids.claim, '?from=2026-05&to=2027-03');
    expect(claim.status, JSON.stringify(claim.body)).toBe(200);
    expect(claim.body.revisions.map(({ recordedAt: _, ...r }: { recordedAt: string }) => r)).toEqual([
      // 二郎 born 10 June: from July, +15,000 (under 3, second child).
      { changeId: changes.jiroBirth, cause: 'birth', effectiveMonth: '2026-07', amountBefore: 10_000, amountAfter: 25_000, childrenPaid: 2, childrenCounted: 2 },
      // 三郎 born 20 August: from September, +30,000 (the third child).
      { changeId: changes.saburoBirth, cause: 'birth', effectiveMonth: '2026-09', amountBefore: 25_000, amountAfter: 55_000, childrenPaid: 3, childrenCounted: 3 },
      // 太郎 left on 5 October: counted through October; from November 二郎 and 三郎 are the first and second child.
      { changeId: changes.taroOut, cause: 'move_out', effectiveMonth: '2026-11', amountBefore: 55_000, amountAfter: 30_000, childrenPaid: 2, childrenCounted: 2 },
      // The claimant left on 10 November: the claim ends with November (消滅).
      { changeId: changes.headOut, cause: 'move_out', effectiveMonth: '2026-12', amountBefore: 30_000, amountAfter: 0, childrenPaid: 0, childrenCounted: 0 },
      // The move-out was cancelled: the claim stands again, as if it had never ended.
      { changeId: changes.cancelled, cause: 'move_out_cancelled', effectiveMonth: '2026-12', amountBefore: 0, amountAfter: 30_000, childrenPaid: 2, childrenCounted: 2 },
    ]);
    expect(claim.body).toMatchObject({ status: 'open', endedMonth: null, endReason: null, householdId: ids.household });
    expect(monthTotals(claim.body)).toEqual({
      '2026-05': 10_000,
      '2026-06': 10_000,
      '2026-07': 25_000,
      '2026-08': 25_000,
      '2026-09': 55_000,
      '2026-10': 55_000,
      '2026-11': 30_000,
      '2026-12': 30_000,
      '2027-01': 30_000,
      '2027-02': 30_000,
      '2027-03': 30_000,
    });
    expect(claim.body.payments).toEqual([
      { paymentMonth: '2026-06', covers: ['2026-05'], amount: 10_000 },
      { paymentMonth: '2026-08', covers: ['2026-06', '2026-07'], amount: 35_000 },
      { paymentMonth: '2026-10', covers: ['2026-08', '2026-09'], amount: 80_000 },
      { paymentMonth: '2026-12', covers: ['2026-10', '2026-11'], amount: 85_000 },
      { paymentMonth: '2027-02', covers: ['2026-12', '2027-01'], amount: 60_000 },
      { paymentMonth: '2027-04', covers: ['2027-02', '2027-03'], amount: 60_000 },
    ]);
    expect(claim.body.children.map((c: Record<string, unknown>) => [c.childId, c.fromMonth, c.untilMonth, c.untilReason, c.addedByChangeId, c.removedByChangeId])).toEqual([
      [ids.taro, '2026-05', '2026-10', 'moved_out', null, changes.taroOut],
      [ids.jiro, '2026-07', null, null, changes.jiroBirth, null],
      [ids.saburo, '2026-09', null, null, changes.saburoBirth, null],
    ]);
    // Turning 3 is the rules' business, not an event's: 二郎 (born 10 June 2026) gets 15,000 through June 2029, 10,000 from July.
    const later = await claimOf(ids.claim, '?from=2029-06&to=2029-07');
    expect(later.body.months.map((m: { children: { childId: string; monthlyAmount: number }[] }) => m.children.find((c) => c.childId === ids.jiro)!.monthlyAmount)).toEqual([15_000, 10_000]);
  });

  it('applies each event once: more passes, and every event read again, change nothing', async () => {
    const now = await everything();
    for (let i = 0; i < 3; i++) expect((await applyChildAllowanceEvents(tp.platform)).applied).toBe(0);
    expect(await everything()).toEqual(now);

    // The cursor set back to the start: every event is read again, and skipped by its id.
    await adminQuery(tp, 'cell-a', 'DELETE FROM cell.linkage_internal_cursors WHERE municipality_code = $1 AND consumer = $2', [CHIYODA, CONSUMER]);
    let duplicates = 0;
    for (let i = 0; i < 400 && (await cursor()) === null; i++) {
      const report = await applyChildAllowanceEvents(tp.platform);
      duplicates += report.duplicates;
      if (report.applied === 0) await sleep(50);
    }
    await applyUntil(async () => true);
    expect(duplicates).toBeGreaterThanOrEqual(6);
    expect(await everything()).toEqual(now);
  });

  it('counts a declared child living elsewhere for birth order, and follows a corrected birth date and a death', async () => {
    // The 佐藤 family: 美咲 (head, mother) with 陽菜 (10) and 蓮 (2); an older daughter studies elsewhere and is supported.
    const family = await file('/v1/resident-changes/move-in', {
      eventDate: '2026-04-01',
      filedOn: '2026-04-02',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [
        person('美咲', 'ミサキ', '1984-01-01', '世帯主', { sex: 'female' }),
        person('陽菜', 'ヒナ', '2016-05-05', '子', { sex: 'female' }),
        person('蓮', 'レン', '2024-02-02', '子'),
      ],
    });
    const [mother, hina, ren] = family.body.residents.map((r: { id: string }) => r.id) as [string, string, string];
    const household = family.body.households[0].id as string;
    await applyUntil(async () => (await roster()).some((r) => r.resident_id === ren));
    const res = await clerk.call('POST', '/v1/child-allowance/claims', { claimantId: mother, claimedOn: '2026-04-15', olderChildren: [{ dateOfBirth: '2005-05-01' }] }, CA);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const claimId = res.body.id as string;
    const elsewhere = res.body.children.find((c: { residentId: string | null }) => c.residentId === null);
    expect(elsewhere).toMatchObject({ dateOfBirth: '2005-05-01', supported: true, fromMonth: '2026-05' });
    // The student is the first child (counted, not paid), 陽菜 the second (10,000), 蓮 the third (30,000).
    expect(monthTotals((await claimOf(claimId, '?from=2026-05&to=2026-05')).body)).toEqual({ '2026-05': 40_000 });

    // 蓮's date of birth is corrected (a year earlier: he is 3 already); then 陽菜 dies.
    const corrected = await file(`/v1/residents/${ren}/corrections`, {
      eventDate: '2026-07-15',
      reasonCode: 'clerical_error',
      householdVersions: versionsOf(household),
      fields: { dateOfBirth: '2023-02-02' },
    });
    const death = await file('/v1/resident-changes/death', { eventDate: '2026-09-30', residentIds: [hina], householdVersions: versionsOf(household) });
    await applyUntil(async () => (await table('child_allowance_revisions', 'change_id')).some((r) => r.change_id === death.body.change.id));

    const claim = await claimOf(claimId, '?from=2026-05&to=2026-11');
    expect(claim.body.revisions.map(({ recordedAt: _, ...r }: { recordedAt: string }) => r)).toEqual([
      // The correction changes no amount for years (蓮 is the third child: 30,000 at any age); the first month it changes is when
      // he passes high-school age a year earlier than before (March 2041 instead of 2042). That is where its revision is dated.
      { changeId: corrected.body.change.id, cause: 'correction_by_authority', effectiveMonth: '2041-04', amountBefore: 10_000, amountAfter: 0, childrenPaid: 0, childrenCounted: 0 },
      // 陽菜 died on 30 September: from October the student is the first child and 蓮, 3 by his corrected birth date, the second (10,000).
      { changeId: death.body.change.id, cause: 'death', effectiveMonth: '2026-10', amountBefore: 40_000, amountAfter: 10_000, childrenPaid: 1, childrenCounted: 2 },
    ]);
    expect(monthTotals(claim.body)).toEqual({
      '2026-05': 40_000,
      '2026-06': 40_000,
      '2026-07': 40_000,
      '2026-08': 40_000,
      '2026-09': 40_000,
      // 陽菜 died on 30 September: paid through September.
      '2026-10': 10_000,
      '2026-11': 10_000,
    });
    const rows = claim.body.children.map((c: Record<string, unknown>) => [c.residentId, c.dateOfBirth, c.fromMonth, c.untilMonth, c.untilReason]);
    expect(rows).toEqual(
      expect.arrayContaining([
        [hina, '2016-05-05', '2026-05', '2026-09', 'died'],
        [ren, '2024-02-02', '2026-05', '2026-07', 'date_of_birth_corrected'],
        [ren, '2023-02-02', '2026-08', null, null],
      ]),
    );
    // The correction's months are its own: the periods say which change split them.
    expect(claim.body.children.find((c: { dateOfBirth: string }) => c.dateOfBirth === '2023-02-02').addedByChangeId).toBe(corrected.body.change.id);
  });
});

describe('a household split', () => {
  it('stops counting the children who leave with the other parent; she may then claim for them', async () => {
    const split = await file('/v1/resident-changes/household-change', {
      eventDate: '2026-11-15',
      reasonCode: 'split',
      householdId: ids.household,
      headId: ids.wife,
      members: [
        { residentId: ids.jiro, relationship: '子' },
        { residentId: ids.saburo, relationship: '子' },
      ],
      householdVersions: versionsOf(ids.household),
    });
    const newHousehold = split.body.households.find((h: { id: string }) => h.id !== ids.household).id as string;
    await applyUntil(async () => (await table('child_allowance_revisions', 'change_id')).some((r) => r.change_id === split.body.change.id));

    const his = await claimOf(ids.claim, '?from=2026-11&to=2026-12');
    expect(his.body.revisions.at(-1)).toMatchObject({ changeId: split.body.change.id, cause: 'household_change', effectiveMonth: '2026-12', amountBefore: 30_000, amountAfter: 0 });
    expect(monthTotals(his.body)).toEqual({ '2026-11': 30_000, '2026-12': 0 });
    expect(his.body.children.filter((c: { untilReason: string | null }) => c.untilReason === 'left_household').map((c: { childId: string }) => c.childId).sort()).toEqual(
      [ids.jiro, ids.saburo].sort(),
    );
    // His claim stands (he is still a resident here): ending it for want of a child is the clerk's decision (消滅届), not the feed's.
    expect(his.body.status).toBe('open');

    const hers = await clerk.call('POST', '/v1/child-allowance/claims', { claimantId: ids.wife, claimedOn: '2026-11-16' }, CA);
    expect(hers.status, JSON.stringify(hers.body)).toBe(201);
    expect(hers.body).toMatchObject({ householdId: newHousehold, startMonth: '2026-12' });
    expect(monthTotals((await claimOf(hers.body.id, '?from=2026-12&to=2026-12')).body)).toEqual({ '2026-12': 30_000 });
  });
});

describe('reading claims', () => {
  it('lists and shows ids, dates and amounts to clerks and auditors under the purpose from the My Number zone, audited; another municipality sees none', async () => {
    const list = await clerk.call('GET', '/v1/child-allowance/claims', undefined, CA);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.total).toBe(3);
    expect(Object.keys(list.body.items[0]).sort()).toEqual(
      ['claimantId', 'claimedOn', 'endChangeId', 'endReason', 'endedMonth', 'endedOn', 'householdId', 'id', 'recordedAt', 'recordedBy', 'startMonth', 'status', 'updatedAt'].sort(),
    );
    expect(list.body.items.map((c: { claimedOn: string }) => c.claimedOn)).toEqual(['2026-04-10', '2026-04-15', '2026-11-16']);
    const household = await auditor.call('GET', `/v1/child-allowance/claims?householdId=${ids.household}&openOnly=true`, undefined, CA);
    expect(household.body.items.map((c: { id: string }) => c.id)).toEqual([ids.claim]);

    const seen: string[] = [];
    let url = '/v1/child-allowance/claims?limit=2';
    for (let i = 0; i < 5; i++) {
      const page = await clerk.call('GET', url, undefined, CA);
      seen.push(...page.body.items.map((c: { id: string }) => c.id));
      if (!page.body.nextCursor) break;
      url = `/v1/child-allowance/claims?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
    expect(seen).toEqual(list.body.items.map((c: { id: string }) => c.id));

    // Bad month ranges are refused, naming the parameter.
    for (const q of ['?from=2026-04', '?from=2026-13&to=2027-01', '?from=2027-04&to=2026-04', '?from=2026-01&to=2029-12']) {
      const res = await clerk.call('GET', `/v1/child-allowance/claims/${ids.claim}${q}`, undefined, CA);
      expect(res.status, q).toBe(400);
      expect(res.body.errors[0].field).toMatch(/^querystring\//);
    }
    // The current fiscal year by default.
    expect((await claimOf(ids.claim)).body.months).toHaveLength(12);

    // Without the purpose, from outside the zone, or in another role: refused.
    expect((await clerk.call('GET', '/v1/child-allowance/claims')).body.code).toBe('purpose_not_allowed');
    expect((await clerk.call('GET', '/v1/child-allowance/claims', undefined, FILING)).body.code).toBe('purpose_not_allowed');
    const outside = await call(tp.app, 'GET', '/v1/child-allowance/claims', { token: clerk.token, headers: CA, remoteAddress: '10.9.9.9' });
    expect(outside.body.code).toBe('network_zone_refused');
    expect((await admin.call('GET', '/v1/child-allowance/claims', undefined, CA)).status).toBe(403);

    // Another municipality sees none of it, and a claim of Chiyoda is to it like one that does not exist.
    expect((await sapporoClerk.call('GET', '/v1/child-allowance/claims', undefined, CA)).body).toMatchObject({ items: [], total: 0 });
    const foreign = await sapporoClerk.call('GET', `/v1/child-allowance/claims/${ids.claim}`, undefined, CA);
    const missing = await sapporoClerk.call('GET', '/v1/child-allowance/claims/00000000-0000-4000-8000-000000000000', undefined, CA);
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, requestId: undefined }).toEqual({ ...missing.body, requestId: undefined });
    // Nor can it claim for Chiyoda's residents: they are not in its roster.
    const theirs = await sapporoClerk.call('POST', '/v1/child-allowance/claims', { claimantId: ids.wife, claimedOn: '2026-11-16' }, CA);
    expect(theirs.status).toBe(422);
    expect(theirs.body.errors).toContainEqual(expect.objectContaining({ field: 'body/claimantId', rule: 'not_resident' }));

    type Entry = { kind: string; municipality: string; purpose: string | null; records: { resource: string; ids: string[] }[] };
    const entries = await readAuditEntries<Entry>(tp);
    const reads = entries.filter((e) => e.kind === 'personal_data_read' && e.municipality === CHIYODA && e.records.some((r) => r.resource === 'child_allowance_claims'));
    expect(reads.length).toBeGreaterThan(0);
    for (const e of reads) expect(e.purpose).toBe('child_allowance_eligibility');
    expect(reads.some((e) => e.records.some((r) => r.resource === 'residents' && r.ids.includes(ids.jiro)))).toBe(true);
    // What the consumer read is on record as the subscription's export, naming the residents; nothing names anyone by name.
    const exports = entries.filter((e) => e.kind === 'personal_data_export' && e.purpose === 'child_allowance_eligibility');
    expect(exports.length).toBeGreaterThan(0);
    for (const e of exports) expect(e.records[0]).toEqual({ resource: 'linkage_subscriptions', ids: [subscriptionId] });
    expect(JSON.stringify(entries)).not.toMatch(/髙橋|一郎|花子|二郎|タカハシ|美咲|陽菜/);

    // Documented with the rest of the API.
    const spec = await clerk.call('GET', '/openapi.json');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/v1/child-allowance/settings', '/v1/child-allowance/claims', '/v1/child-allowance/claims/{id}']),
    );
  });

  it('leaves a municipality without child-allowance settings alone', async () => {
    await file(
      '/v1/resident-changes/move-in',
      { eventDate: '2026-04-01', filedOn: '2026-04-02', previousResidence: SAPPORO_ADDRESS, household: { kind: 'new', address: HOME }, persons: [person('六郎', 'ロクロウ', '1980-01-01', '世帯主')] },
      sapporoClerk,
    );
    for (let i = 0; i < 5; i++) await applyChildAllowanceEvents(tp.platform);
    expect(await roster(SAPPORO)).toEqual([]);
  });
});
