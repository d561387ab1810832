/**
 * The residential tax fed only by linkage, on real PostgreSQL: the admin sets
 * the subscription it reads with; the register's filings (move-in, birth,
 * move-outs around 1 January, death, a cancelled move-out) become the
 * residence roster, so "lived here on 1 January" is what the batch asks;
 * clerks enter income records, refused whole (nothing written) when one names
 * someone not on the roster of 1 January or breaks the rules, a newer record
 * replacing the earlier; the batch assesses the roster and the notice data is
 * read under the tax purpose from the My Number zone, audited with ids only;
 * another municipality sees none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assess } from '../../src/operations/residential-tax/assessment.js';
import { assessMunicipality } from '../../src/operations/residential-tax/batch.js';
import { applyResidentialTaxEvents } from '../../src/operations/residential-tax/consumer.js';
import { figuresOf, taxpayerOf, type IncomeRecordInput } from '../../src/operations/residential-tax/income.js';
import { RESIDENTIAL_TAX_REQUIRED_FIELDS, RESIDENTIAL_TAX_REQUIRED_TOPICS } from '../../src/operations/residential-tax/roster-events.js';
import { call, CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Reply, type Session } from '../support/api.js';
import { applyUntil as applyUntilDone, expectFeedSettingsRules, Filings } from '../support/fed-operations.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';

const TAX = { 'municloud-purpose': 'tax_assessment' };
const FY = 2026;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

let tp: TestPlatform;
let admin: Session;
let clerk: Session;
let auditor: Session;
let sapporoClerk: Session;
let consumerId: string;

const accountId = async (s: Session) => (await s.call('GET', '/v1/auth/me')).body.id as string;

function subscribe(over: Record<string, unknown> = {}): Promise<Reply> {
  return admin.call('POST', '/v1/linkage/subscriptions', {
    name: '税務システム（個人住民税）',
    operation: 'residential_tax',
    purpose: 'tax_assessment',
    topics: RESIDENTIAL_TAX_REQUIRED_TOPICS,
    fields: RESIDENTIAL_TAX_REQUIRED_FIELDS,
    consumerAccountId: consumerId,
    ...over,
  });
}

const filings = new Filings(() => clerk);
const file = (path: string, body: Record<string, unknown>, s?: Session) => filings.file(path, body, s);
const versionsOf = (...householdIds: string[]) => filings.versionsOf(...householdIds);

/** A person moving in alone on a date: their id and household. */
async function moveInAlone(given: string, kana: string, dateOfBirth: string, eventDate: string): Promise<{ id: string; household: string }> {
  const res = await file('/v1/resident-changes/move-in', {
    eventDate,
    previousResidence: SAPPORO_ADDRESS,
    household: { kind: 'new', address: HOME },
    persons: [person(given, kana, dateOfBirth, '世帯主')],
  });
  return { id: res.body.residents[0].id, household: res.body.households[0].id };
}
async function moveOut(p: { id: string; household: string }, eventDate: string): Promise<Reply> {
  return file('/v1/resident-changes/move-out', { eventDate, residentIds: [p.id], destination: SAPPORO_ADDRESS, householdVersions: versionsOf(p.household) });
}

interface RosterRow {
  resident_id: string;
  resident_from: string;
  left_on: string | null;
  left_reason: string | null;
  household_id: string | null;
  date_of_birth: string | null;
  relationship: string | null;
}
const roster = (municipality = CHIYODA) =>
  adminQuery<RosterRow>(
    tp,
    'cell-a',
    `SELECT resident_id, to_char(resident_from, 'YYYY-MM-DD') AS resident_from, to_char(left_on, 'YYYY-MM-DD') AS left_on, left_reason,
            household_id, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth, relationship
       FROM cell.residential_tax_roster WHERE municipality_code = $1 ORDER BY resident_id, resident_from`,
    [municipality],
  );
/** Who the roster has on 1 January of the year, by the same rule as the batch's query. */
const onRosterOf = async (fiscalYear: number) =>
  (
    await adminQuery<{ resident_id: string }>(
      tp,
      'cell-a',
      `SELECT DISTINCT resident_id FROM cell.residential_tax_roster
        WHERE municipality_code = $1 AND resident_from <= $2::date AND (left_on IS NULL OR $2::date < left_on)`,
      [CHIYODA, `${fiscalYear}-01-01`],
    )
  )
    .map((r) => r.resident_id)
    .sort();
const incomeCount = async () => Number((await adminQuery<{ n: string }>(tp, 'cell-a', 'SELECT count(*) AS n FROM cell.residential_tax_income_records'))[0]!.n);

const applyUntil = (done: () => Promise<boolean>) => applyUntilDone([() => applyResidentialTaxEvents(tp.platform)], done, 'the residential tax consumer');

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

// Everyone of the file, by what happens to them around 1 January 2026 (the assessment date of FY2026).
const ids = {
  head: { id: '', household: '' },
  wife: '',
  child: '',
  movedOut15Jan: { id: '', household: '' },
  movedOut1Jan: { id: '', household: '' },
  movedOut2Jan: { id: '', household: '' },
  movedIn2Jan: { id: '', household: '' },
  diedDecember: { id: '', household: '' },
  cancelled: { id: '', household: '' },
};

describe('residential tax settings', () => {
  it('take only a live pull subscription for tax_assessment with the fields and topics the roster needs, set by the admin and audited', async () => {
    await expectFeedSettingsRules({
      path: '/v1/residential-tax/settings',
      problemCode: 'residential_tax_subscription_unfit',
      settingsResource: 'residential_tax_settings',
      municipality: CHIYODA,
      admin,
      clerk,
      auditor,
      subscribe,
      auditEntries: () => readAuditEntries(tp),
      // NHI's subscription, for the same topics.
      wrongPurpose: { name: '国保', operation: 'national_health_insurance', purpose: 'nhi_premium', fields: ['dateOfBirth', 'householdId', 'relationship', 'state'] },
      fewFields: { fields: ['dateOfBirth', 'state'] },
      fewTopics: { topics: ['resident_register.move_in', 'resident_register.move_out'] },
    });
  });
});

describe('the roster from the register’s events', () => {
  it('has whoever lived here on 1 January: a move-out on 2 or 15 January is taxed here, one on 1 January is not; deaths, births and a cancelled move-out count', async () => {
    const family = await file('/v1/resident-changes/move-in', {
      eventDate: '2025-04-01',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主'), person('花子', 'ハナコ', '1977-08-08', '妻', { sex: 'female' })],
    });
    ids.head = { id: family.body.residents[0].id, household: family.body.households[0].id };
    ids.wife = family.body.residents[1].id;
    const birth = await file('/v1/resident-changes/birth', {
      eventDate: '2025-10-10',
      householdId: ids.head.household,
      householdVersions: versionsOf(ids.head.household),
      person: person('三郎', 'サブロウ', '2025-10-10', '子'),
    });
    ids.child = birth.body.residents[0].id;

    ids.movedOut15Jan = await moveInAlone('次郎', 'ジロウ', '1955-05-05', '2025-06-01');
    await moveOut(ids.movedOut15Jan, '2026-01-15');
    ids.movedOut1Jan = await moveInAlone('次郎', 'ジロウ', '1981-01-01', '2025-06-01');
    await moveOut(ids.movedOut1Jan, '2026-01-01');
    ids.movedOut2Jan = await moveInAlone('次郎', 'ジロウ', '1982-02-02', '2025-06-01');
    await moveOut(ids.movedOut2Jan, '2026-01-02');
    ids.movedIn2Jan = await moveInAlone('次郎', 'ジロウ', '1983-03-03', '2026-01-02');
    ids.diedDecember = await moveInAlone('次郎', 'ジロウ', '1940-04-04', '2025-06-01');
    await file('/v1/resident-changes/death', { eventDate: '2025-12-20', residentIds: [ids.diedDecember.id], householdVersions: versionsOf(ids.diedDecember.household) });
    ids.cancelled = await moveInAlone('次郎', 'ジロウ', '1990-09-09', '2025-06-01');
    const out = await moveOut(ids.cancelled, '2025-12-15');
    await file(`/v1/move-out-certificates/${out.body.moveOutCertificateNumber}/cancellation`, { eventDate: '2025-12-16', householdVersions: versionsOf(ids.cancelled.household) });

    await applyUntil(async () => (await roster()).length === 9);
    const rows = await roster();
    const of = (id: string) => rows.filter((r) => r.resident_id === id).map(({ resident_id: _, ...r }) => r);
    expect(of(ids.head.id)).toEqual([{ resident_from: '2025-04-01', left_on: null, left_reason: null, household_id: ids.head.household, date_of_birth: '1975-03-03', relationship: '世帯主' }]);
    expect(of(ids.child)).toEqual([{ resident_from: '2025-10-10', left_on: null, left_reason: null, household_id: ids.head.household, date_of_birth: '2025-10-10', relationship: '子' }]);
    expect(of(ids.movedOut15Jan.id)).toMatchObject([{ resident_from: '2025-06-01', left_on: '2026-01-15', left_reason: 'moved_out' }]);
    expect(of(ids.movedOut1Jan.id)).toMatchObject([{ left_on: '2026-01-01', left_reason: 'moved_out' }]);
    expect(of(ids.diedDecember.id)).toMatchObject([{ left_on: '2025-12-20', left_reason: 'died' }]);
    // The cancelled move-out: resident again, as if never gone.
    expect(of(ids.cancelled.id)).toMatchObject([{ resident_from: '2025-06-01', left_on: null, left_reason: null }]);

    expect(await onRosterOf(FY)).toEqual(
      [ids.head.id, ids.wife, ids.child, ids.movedOut15Jan.id, ids.movedOut2Jan.id, ids.cancelled.id].sort(),
    );
    // FY2025 (1 January 2025): nobody yet.
    expect(await onRosterOf(2025)).toEqual([]);

    // More passes change nothing; every event applied a second time (the cursor set back) leaves the same roster.
    for (let i = 0; i < 3; i++) expect((await applyResidentialTaxEvents(tp.platform)).applied).toBe(0);
    await adminQuery(tp, 'cell-a', `DELETE FROM cell.linkage_internal_cursors WHERE municipality_code = $1 AND consumer = 'residential_tax'`, [CHIYODA]);
    await applyUntil(async () => (await adminQuery(tp, 'cell-a', `SELECT 1 FROM cell.linkage_internal_cursors WHERE consumer = 'residential_tax'`)).length === 1);
    expect((await roster()).map(({ resident_id, resident_from, left_on }) => ({ resident_id, resident_from, left_on }))).toEqual(
      rows.map(({ resident_id, resident_from, left_on }) => ({ resident_id, resident_from, left_on })),
    );
    expect(await roster(SAPPORO)).toEqual([]);
  });
});

const records = () => ({
  head: {
    residentId: ids.head.id,
    fiscalYear: FY,
    source: 'salary_report',
    income: { salary: 5_000_000 },
    deductions: { socialInsurance: 750_000 },
    spouse: { totalIncome: 0, aged70OrOver: false },
    dependants: { under16: 1 },
  },
  wife: { residentId: ids.wife, fiscalYear: FY, source: 'declaration', income: {} },
  pensioner: { residentId: ids.movedOut15Jan.id, fiscalYear: FY, source: 'pension_report', income: { publicPension: 2_400_000 }, deductions: { socialInsurance: 150_000 } },
  trader: { residentId: ids.movedOut2Jan.id, fiscalYear: FY, source: 'tax_return', income: { other: 3_000_000 }, deductions: { socialInsurance: 400_000, other: 50_000 } },
  partTimer: { residentId: ids.cancelled.id, fiscalYear: FY, source: 'salary_report', collection: 'ordinary', income: { salary: 1_500_000 } },
}) satisfies Record<string, IncomeRecordInput>;
const post = (body: unknown, s: Session = clerk) => s.call('POST', '/v1/residential-tax/income-records', body, TAX);

describe('income records', () => {
  it('are checked at the edge: schema, roster of 1 January and the rules; one bad item refuses the batch and nothing is written', async () => {
    const r = records();
    const before = await incomeCount();

    const negative = await post({ records: [{ ...r.head, income: { salary: -1 } }] });
    expect(negative.status).toBe(400);
    expect(negative.body.errors).toContainEqual(expect.objectContaining({ field: 'body/records/0/income/salary', rule: 'minimum' }));
    const unknownField = await post({ records: [{ ...r.head, bonus: 1 }] });
    expect(unknownField.body.errors).toContainEqual(expect.objectContaining({ field: 'body/records/0/bonus', rule: 'unknown_field' }));
    expect((await post({ records: [] })).status).toBe(400);
    // More than 1,000 at once: refused by the schema (the route takes bodies of up to 1 MiB, so the body itself gets through).
    const tooMany = await post({ records: Array.from({ length: 1001 }, () => r.head) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toContainEqual(expect.objectContaining({ field: 'body/records', rule: 'maxItems' }));

    const refused = await post({
      records: [
        r.head,
        { ...r.wife, residentId: ids.movedOut1Jan.id },
        { ...r.wife, residentId: ids.movedIn2Jan.id },
        { ...r.wife, residentId: UNKNOWN },
        { ...r.wife, disabledFamilyMembers: { special: 2 } },
        { ...r.trader, fiscalYear: 2022 },
        r.head,
      ],
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.code).toBe('residential_tax_income_rejected');
    expect(refused.body.errors.map((e: { field: string; rule: string }) => [e.field, e.rule])).toEqual([
      ['body/records/1/residentId', 'not_resident_on_assessment_date'],
      ['body/records/2/residentId', 'not_resident_on_assessment_date'],
      ['body/records/3/residentId', 'unknown_resident'],
      ['body/records/4/disabledFamilyMembers', 'more_than_family'],
      ['body/records/5/fiscalYear', 'no_rate_set'],
      ['body/records/6/residentId', 'repeated'],
    ]);
    for (const e of refused.body.errors) expect(e.message.ja && e.message.en).toBeTruthy();
    // The values sent are never repeated.
    expect(JSON.stringify(refused.body)).not.toMatch(/5000000|3000000/);
    // Another municipality's clerk: Chiyoda's residents are unknown there.
    const elsewhere = await post({ records: [r.head] }, sapporoClerk);
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.errors).toEqual([expect.objectContaining({ field: 'body/records/0/residentId', rule: 'unknown_resident' })]);
    // Without the tax purpose, or as an auditor: refused.
    expect((await clerk.call('POST', '/v1/residential-tax/income-records', { records: [r.head] })).body.code).toBe('purpose_not_allowed');
    expect((await post({ records: [r.head] }, auditor)).status).toBe(403);
    expect(await incomeCount()).toBe(before);
  });

  it('are stored sealed, a newer record of a resident and year replacing the earlier one, audited with ids', async () => {
    const r = records();
    const first = await post({ records: [r.head, r.wife, r.pensioner, r.trader, r.partTimer] });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.items.map((i: { residentId: string; version: number; replaced: boolean }) => [i.residentId, i.version, i.replaced])).toEqual([
      [ids.head.id, 1, false],
      [ids.wife, 1, false],
      [ids.movedOut15Jan.id, 1, false],
      [ids.movedOut2Jan.id, 1, false],
      [ids.cancelled.id, 1, false],
    ]);
    // The head's employer sends a corrected report: it replaces the first.
    const corrected = await post({ records: [{ ...r.head, income: { salary: 6_000_000 } }] });
    expect(corrected.status).toBe(201);
    expect(corrected.body.items[0]).toMatchObject({ residentId: ids.head.id, version: 2, replaced: true });

    const stored = await adminQuery<{ resident_id: string; version: number; superseded: boolean; sealed: Buffer; entered_by: string }>(
      tp,
      'cell-a',
      'SELECT resident_id, version, superseded_at IS NOT NULL AS superseded, record_sealed AS sealed, entered_by FROM cell.residential_tax_income_records WHERE resident_id = $1 ORDER BY version',
      [ids.head.id],
    );
    expect(stored.map((s) => [s.version, s.superseded])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(stored[1]!.entered_by).toBe(await accountId(clerk));
    // Sealed: neither the figures nor the source are in the clear.
    for (const s of stored) expect(s.sealed.toString('latin1')).not.toMatch(/salary|6000000|5000000/);

    const entries = await readAuditEntries<{ kind: string; municipality: string; purpose: string; records: { resource: string; ids: string[] }[] }>(tp);
    const changes = entries.filter((e) => e.kind === 'personal_data_change' && e.municipality === CHIYODA && e.purpose === 'tax_assessment');
    expect(changes).toHaveLength(2);
    expect(changes[1]!.records).toEqual([
      { resource: 'residents', ids: [ids.head.id] },
      { resource: 'residential_tax_income_records', ids: [corrected.body.items[0].id] },
    ]);
  });
});

describe('the batch and the notice data', () => {
  it('assesses the roster of 1 January from the records in force; the notice data equals the rules’ answer, read under the tax purpose and audited with ids only', async () => {
    const report = await assessMunicipality(tp.platform, { municipalityCode: CHIYODA, fiscalYear: FY, livingCostClass: 1, batch: 4 });
    expect(report).toMatchObject({ finished: true, alreadyFinished: false, number: 1, rosterTotal: 6, processed: 6, assessed: 5, unreported: 1, rejected: 0 });

    const r = records();
    const context = { fiscalYear: FY, designatedCity: false, livingCostClass: 1 } as const;
    const head = await clerk.call('GET', `/v1/residential-tax/assessments/${ids.head.id}?fiscalYear=${FY}`, undefined, TAX);
    expect(head.status, JSON.stringify(head.body)).toBe(200);
    // The corrected report (version 2) is the one assessed.
    const expected = assess(taxpayerOf(figuresOf({ ...r.head, income: { salary: 6_000_000 } }), '1975-03-03'), context);
    const { nonTaxable: _, fiscalYear: __, ...figures } = expected;
    expect(head.body).toMatchObject({ residentId: ids.head.id, fiscalYear: FY, outcome: 'assessed', runNumber: 1, rejected: null, figures: { ...figures, nonTaxable: null, collection: 'special' } });
    expect(head.body.figures.totalTax).toBeGreaterThan(0);
    expect(head.body.figures.installments).toHaveLength(12);
    expect(head.body.figures.installments.reduce((s: number, i: { amount: number }) => s + i.amount, 0)).toBe(expected.totalTax);
    expect(head.body.figures.installments[0]).toMatchObject({ number: 1, month: '2026-06', dueDate: '2026-07-10' });

    // The wife declared no income: below the per-capita line, nothing due, no installments.
    const wife = await auditor.call('GET', `/v1/residential-tax/assessments/${ids.wife}?fiscalYear=${FY}`, undefined, TAX);
    expect(wife.body.figures).toMatchObject({ totalTax: 0, nonTaxable: { scope: 'all', reason: 'per_capita_income_limit' }, installments: [] });
    const partTimer = await clerk.call('GET', `/v1/residential-tax/assessments/${ids.cancelled.id}?fiscalYear=${FY}`, undefined, TAX);
    const expectedPartTimer = assess(taxpayerOf(figuresOf(r.partTimer), '1990-09-09'), context);
    expect(partTimer.body.figures).toMatchObject({ totalTax: expectedPartTimer.totalTax, collection: 'ordinary' });
    expect(partTimer.body.figures.installments.map((i: { dueDate: string }) => i.dueDate)).toEqual(['2026-06-30', '2026-08-31', '2026-11-02', '2027-02-01']);
    // The child has no income record: not assessed, no figures invented.
    const child = await clerk.call('GET', `/v1/residential-tax/assessments/${ids.child}?fiscalYear=${FY}`, undefined, TAX);
    expect(child.body).toMatchObject({ outcome: 'unreported', figures: null });
    // Moved out on 1 January: taxed where they went, nothing here.
    expect((await clerk.call('GET', `/v1/residential-tax/assessments/${ids.movedOut1Jan.id}?fiscalYear=${FY}`, undefined, TAX)).status).toBe(404);

    const list = await clerk.call('GET', `/v1/residential-tax/assessments?fiscalYear=${FY}&limit=4`, undefined, TAX);
    expect(list.body.total).toBe(6);
    expect(list.body.items).toHaveLength(4);
    expect(Object.keys(list.body.items[0]).sort()).toEqual(['assessedAt', 'fiscalYear', 'outcome', 'rejected', 'residentId', 'runNumber']);
    const rest = await clerk.call('GET', `/v1/residential-tax/assessments?fiscalYear=${FY}&limit=4&cursor=${encodeURIComponent(list.body.nextCursor)}`, undefined, TAX);
    expect([...list.body.items, ...rest.body.items].map((i: { residentId: string }) => i.residentId)).toEqual(
      [ids.head.id, ids.wife, ids.child, ids.movedOut15Jan.id, ids.movedOut2Jan.id, ids.cancelled.id].sort(),
    );
    expect((await clerk.call('GET', `/v1/residential-tax/assessments?outcome=unreported`, undefined, TAX)).body.items.map((i: { residentId: string }) => i.residentId)).toEqual([ids.child]);

    const runs = await admin.call('GET', `/v1/residential-tax/assessment-runs?fiscalYear=${FY}`);
    expect(runs.status).toBe(200);
    expect(runs.body.items).toEqual([expect.objectContaining({ fiscalYear: FY, number: 1, livingCostClass: 1, designatedCity: false, rateSetFrom: 2026, processed: 6, assessed: 5, unreported: 1 })]);
    expect(runs.body.items[0].finishedAt).not.toBeNull();

    // Without the purpose, from outside the zone, or as the admin: refused.
    expect((await clerk.call('GET', `/v1/residential-tax/assessments/${ids.head.id}?fiscalYear=${FY}`)).body.code).toBe('purpose_not_allowed');
    const outside = await call(tp.app, 'GET', `/v1/residential-tax/assessments/${ids.head.id}?fiscalYear=${FY}`, { token: clerk.token, headers: TAX, remoteAddress: '10.9.9.9' });
    expect(outside.body.code).toBe('network_zone_refused');
    expect((await admin.call('GET', `/v1/residential-tax/assessments/${ids.head.id}?fiscalYear=${FY}`, undefined, TAX)).status).toBe(403);

    // Another municipality: none of it, a Chiyoda taxpayer answered like an unknown id.
    const foreign = await sapporoClerk.call('GET', `/v1/residential-tax/assessments/${ids.head.id}?fiscalYear=${FY}`, undefined, TAX);
    const missing = await sapporoClerk.call('GET', `/v1/residential-tax/assessments/${UNKNOWN}?fiscalYear=${FY}`, undefined, TAX);
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, requestId: undefined }).toEqual({ ...missing.body, requestId: undefined });
    expect((await sapporoClerk.call('GET', '/v1/residential-tax/assessments', undefined, TAX)).body).toMatchObject({ items: [], total: 0 });
    expect((await (await newSession(tp, SAPPORO, ['municipal_admin'])).call('GET', '/v1/residential-tax/assessment-runs')).body.items).toEqual([]);

    type Entry = { kind: string; municipality: string; purpose: string | null; actor: { account: string | null; roles: string[] }; source: { zone: string }; records: { resource: string; ids: string[] }[] };
    const entries = await readAuditEntries<Entry>(tp);
    const read = entries.filter((e) => e.kind === 'personal_data_read' && e.municipality === CHIYODA && e.records.some((r) => r.resource === 'residential_tax_assessments'));
    expect(read[0]).toMatchObject({ purpose: 'tax_assessment', records: [{ resource: 'residents', ids: [ids.head.id] }, { resource: 'residential_tax_assessments', ids: [expect.any(String)] }] });
    // The batch: a platform job naming every resident it assessed and its run.
    const batch = entries.filter((e) => e.kind === 'personal_data_change' && e.actor.account === null && e.municipality === CHIYODA);
    expect(batch.length).toBeGreaterThan(0);
    for (const e of batch) expect(e).toMatchObject({ purpose: 'tax_assessment', actor: { roles: ['platform_operator'] }, source: { zone: 'operator' } });
    expect(new Set(batch.flatMap((e) => e.records.filter((r) => r.resource === 'residents').flatMap((r) => r.ids)))).toEqual(new Set(await onRosterOf(FY)));
    // Ids only: no amount, name or reason anywhere in the log.
    const text = JSON.stringify(entries);
    expect(text).not.toMatch(/6000000|per_capita_income_limit|髙橋|一郎/);
    for (const e of [...read, ...batch]) for (const r of e.records) for (const id of r.ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
