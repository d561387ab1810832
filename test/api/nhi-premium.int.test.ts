/**
 * NHI household premiums over the API, on real PostgreSQL: households move in
 * through the register and reach NHI (memberships, the head, dates of birth)
 * and the residential tax (the roster of 1 January) by linkage; clerks enter
 * incomes and the tax batch assesses them; the municipal admin sets the rate
 * table; the premium a clerk reads is `householdPremium` of the same input,
 * computed here by hand: a deemed head (擬制世帯主), members who joined
 * mid-year, incomes unreported. Missing rates, unknown years and heads answer
 * 422, another municipality's household 404, bad input 400; the audit log names
 * ids only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessMunicipality } from '../../src/operations/residential-tax/batch.js';
import { applyResidentialTaxEvents } from '../../src/operations/residential-tax/consumer.js';
import { RESIDENTIAL_TAX_REQUIRED_FIELDS, RESIDENTIAL_TAX_REQUIRED_TOPICS } from '../../src/operations/residential-tax/roster-events.js';
import { applyNhiEvents } from '../../src/operations/national-health-insurance/consumer.js';
import { EXAMPLE_RATE_TABLE, householdPremium, type Household, type MunicipalRateTable } from '../../src/operations/national-health-insurance/premium.js';
import { NHI_REQUIRED_FIELDS, NHI_REQUIRED_TOPICS } from '../../src/operations/national-health-insurance/register-events.js';
import { CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Reply, type Session } from '../support/api.js';
import { applyUntil as applyUntilDone, Filings } from '../support/fed-operations.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { FLAGS, HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';

const TAX = { 'municloud-purpose': 'tax_assessment' };
const PREMIUM = { 'municloud-purpose': 'nhi_premium' };
const NO_NHI = { ...FLAGS, nationalHealthInsurance: false };
const FY = 2025;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
/** The example rates (not a real municipality's): FY2024, then FY2025 on. */
const RATES = { levy: 'premium', entries: EXAMPLE_RATE_TABLE.entries };
const table: MunicipalRateTable = { ...EXAMPLE_RATE_TABLE, municipalityCode: CHIYODA, name: CHIYODA };

let tp: TestPlatform;
let admin: Session;
let clerk: Session;
let auditor: Session;
let sapporoClerk: Session;

const accountId = async (s: Session) => (await s.call('GET', '/v1/auth/me')).body.id as string;

const filings = new Filings(() => clerk);
const file = (path: string, body: Record<string, unknown>, s?: Session) => filings.file(path, body, s);
const versionsOf = (...householdIds: string[]) => filings.versionsOf(...householdIds);

const applyUntil = (done: () => Promise<boolean>) => applyUntilDone([() => applyNhiEvents(tp.platform), () => applyResidentialTaxEvents(tp.platform)], done, 'the consumers');

interface PersonRow {
  resident_id: string;
  household_id: string;
  date_of_birth: string;
  head_of_household: boolean;
  is_current: boolean;
  last_event_id: string;
}
const people = () =>
  adminQuery<PersonRow>(
    tp,
    'cell-a',
    `SELECT resident_id, household_id, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth, head_of_household, is_current, last_event_id
       FROM cell.nhi_people WHERE municipality_code = $1 ORDER BY resident_id`,
    [CHIYODA],
  );
const premiumOf = (household: string, fiscalYear: number | string = FY, s: Session = clerk, headers: Record<string, string> = PREMIUM) =>
  s.call('GET', `/v1/nhi/households/${household}/premium?fiscalYear=${fiscalYear}`, undefined, headers);

beforeAll(async () => {
  tp = await createTestPlatform({});
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-a', null);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  auditor = await newSession(tp, CHIYODA, ['auditor']);
  sapporoClerk = await newSession(tp, SAPPORO, ['clerk']);
  await placeInMyNumberZone(tp, CHIYODA);
  await placeInMyNumberZone(tp, SAPPORO);

  // NHI and the residential tax each read the register through the subscription the admin declared and set for it.
  for (const [operation, purpose, topics, fields, path] of [
    ['national_health_insurance', 'nhi_eligibility', NHI_REQUIRED_TOPICS, NHI_REQUIRED_FIELDS, '/v1/nhi/settings'],
    ['residential_tax', 'tax_assessment', RESIDENTIAL_TAX_REQUIRED_TOPICS, RESIDENTIAL_TAX_REQUIRED_FIELDS, '/v1/residential-tax/settings'],
  ] as const) {
    const consumerAccountId = await accountId(await newSession(tp, CHIYODA, ['linkage_subscriber']));
    const sub = await admin.call('POST', '/v1/linkage/subscriptions', { name: `${operation}（保険料）`, operation, purpose, topics, fields, consumerAccountId });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    expect((await admin.call('PUT', path, { subscriptionId: sub.body.id })).status).toBe(200);
  }
});
afterAll(async () => tp?.close());

// 髙橋 household (A): 一郎 (head) and 花子, insured since October 2024; 太郎 (5, no income record); 次郎 born in October 2025.
// 佐藤 household (B): 三郎 (head, on his employer's insurance, so not insured: 擬制世帯主), 良子 insured; 四郎 joins in July 2025.
const ids = { a: '', ichiro: '', hanako: '', taro: '', jiro: '', b: '', saburo: '', yoshiko: '', shiro: '' };

describe('NHI premiums', () => {
  it('households reach NHI by linkage: the head, each date of birth and the memberships', async () => {
    const a = await file('/v1/resident-changes/move-in', {
      eventDate: '2024-10-01',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主'), person('花子', 'ハナコ', '1977-08-08', '妻', { sex: 'female' }), person('太郎', 'タロウ', '2019-06-01', '子')],
    });
    [ids.ichiro, ids.hanako, ids.taro] = a.body.residents.map((r: { id: string }) => r.id);
    ids.a = a.body.households[0].id;
    const b = await file('/v1/resident-changes/move-in', {
      eventDate: '2024-10-01',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('三郎', 'サブロウ', '1960-05-05', '世帯主', { flags: NO_NHI }), person('良子', 'ヨシコ', '1962-02-02', '妻', { sex: 'female' })],
    });
    [ids.saburo, ids.yoshiko] = b.body.residents.map((r: { id: string }) => r.id);
    ids.b = b.body.households[0].id;
    const birth = await file('/v1/resident-changes/birth', {
      eventDate: '2025-10-15',
      householdId: ids.a,
      householdVersions: versionsOf(ids.a),
      person: person('次郎', 'ジロウ', '2025-10-15', '子'),
    });
    ids.jiro = birth.body.residents[0].id;
    const joiner = await file('/v1/resident-changes/move-in', {
      eventDate: '2025-07-10',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'join', householdId: ids.b },
      householdVersions: versionsOf(ids.b),
      persons: [person('四郎', 'シロウ', '1990-01-01', '子')],
    });
    ids.shiro = joiner.body.residents[0].id;

    await applyUntil(async () => (await people()).length === 7);
    const byId = new Map((await people()).map((p) => [p.resident_id, p]));
    expect(byId.get(ids.ichiro)).toMatchObject({ household_id: ids.a, date_of_birth: '1975-03-03', head_of_household: true, is_current: true });
    expect(byId.get(ids.hanako)).toMatchObject({ household_id: ids.a, head_of_household: false });
    expect(byId.get(ids.saburo)).toMatchObject({ household_id: ids.b, head_of_household: true });
    expect(byId.get(ids.jiro)).toMatchObject({ date_of_birth: '2025-10-15', last_event_id: birth.body.change.id });

    // Applying the whole feed again (the cursor set back) leaves the same people.
    const before = await people();
    await adminQuery(tp, 'cell-a', `DELETE FROM cell.linkage_internal_cursors WHERE municipality_code = $1 AND consumer = 'national_health_insurance'`, [CHIYODA]);
    await applyUntil(async () => (await adminQuery(tp, 'cell-a', `SELECT 1 FROM cell.linkage_internal_cursors WHERE consumer = 'national_health_insurance' AND municipality_code = $1`, [CHIYODA])).length === 1);
    expect(await people()).toEqual(before);
  });

  it('without a rate table the premium is refused 422, naming the missing rates', async () => {
    const res = await premiumOf(ids.a);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.code).toBe('nhi_premium_rates_missing');
    expect(res.body.message.ja).toBeTruthy();
    expect((await clerk.call('GET', '/v1/nhi/premium-rates')).body).toEqual({ version: null, levy: null, entries: [], setBy: null, setAt: null });
  });

  it('the admin replaces the rate table, checked at the edge and audited; every version is kept', async () => {
    const [e2024, e2025] = EXAMPLE_RATE_TABLE.entries;
    const overlapping = await admin.call('PUT', '/v1/nhi/premium-rates', { levy: 'premium', entries: [e2024, { ...e2025!, fromFiscalYear: 2024 }] });
    expect(overlapping.status).toBe(422);
    expect(overlapping.body.code).toBe('nhi_premium_rates_invalid');
    expect(overlapping.body.errors).toEqual([expect.objectContaining({ field: 'body/entries/1', rule: 'overlap' })]);
    const backwards = await admin.call('PUT', '/v1/nhi/premium-rates', { levy: 'premium', entries: [{ ...e2024!, untilFiscalYear: 2023 }] });
    expect(backwards.body.errors).toEqual([expect.objectContaining({ field: 'body/entries/0/untilFiscalYear', rule: 'until_before_from' })]);
    const tooHigh = await admin.call('PUT', '/v1/nhi/premium-rates', { levy: 'premium', entries: [{ ...e2024!, medical: { ...e2024!.medical, incomeRateBp: 10_001 } }] });
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body.errors[0].field).toBe('body/entries/0/medical/incomeRateBp');
    expect((await clerk.call('PUT', '/v1/nhi/premium-rates', RATES)).status).toBe(403);

    // A first table with FY2025 only, then the whole example table.
    const first = await admin.call('PUT', '/v1/nhi/premium-rates', { levy: 'tax', entries: [e2025] });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ version: 1, levy: 'tax', setBy: await accountId(admin) });
    const set = await admin.call('PUT', '/v1/nhi/premium-rates', RATES);
    expect(set.body).toMatchObject({ version: 2, levy: 'premium', entries: EXAMPLE_RATE_TABLE.entries });
    for (const reader of [clerk, auditor, admin]) expect((await reader.call('GET', '/v1/nhi/premium-rates')).body).toEqual(set.body);
    expect((await adminQuery(tp, 'cell-a', 'SELECT version FROM cell.nhi_premium_rates WHERE municipality_code = $1 ORDER BY version', [CHIYODA])).map((r) => r.version)).toEqual([1, 2]);

    const entries = await readAuditEntries<{ kind: string; municipality: string; records: { resource: string; ids: string[] }[] }>(tp);
    expect(entries.filter((e) => e.kind === 'settings_changed' && e.records.some((r) => r.resource === 'nhi_premium_rates'))).toEqual([
      expect.objectContaining({ municipality: CHIYODA, records: [{ resource: 'nhi_premium_rates', ids: [CHIYODA] }] }),
      expect.objectContaining({ municipality: CHIYODA, records: [{ resource: 'nhi_premium_rates', ids: [CHIYODA] }] }),
    ]);
  });

  it('without incomes assessed, everyone counts 0 and is flagged unreported', async () => {
    const res = await premiumOf(ids.b);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.incomeComplete).toBe(false);
    expect(res.body.incomes.map((i: { source: string }) => i.source)).toEqual(['not_assessed_here', 'not_assessed_here', 'not_assessed_here']);
  });

  it("is the pure rules' premium of the household, incomes from the residential tax's assessment", async () => {
    // Incomes of 2024, entered for FY2025 by the tax clerks; 太郎 (5) has no record.
    const records = [
      { residentId: ids.ichiro, fiscalYear: FY, source: 'salary_report', income: { salary: 4_000_000 } },
      { residentId: ids.hanako, fiscalYear: FY, source: 'salary_report', income: { salary: 1_000_000 } },
      { residentId: ids.saburo, fiscalYear: FY, source: 'salary_report', income: { salary: 6_000_000 } },
      { residentId: ids.yoshiko, fiscalYear: FY, source: 'pension_report', income: { publicPension: 1_500_000 } },
    ];
    const entered = await clerk.call('POST', '/v1/residential-tax/income-records', { records }, TAX);
    expect(entered.status, JSON.stringify(entered.body)).toBe(201);
    const run = await assessMunicipality(tp.platform, { municipalityCode: CHIYODA, fiscalYear: FY, livingCostClass: 1 });
    expect(run).toMatchObject({ finished: true, number: 1, assessed: 4, unreported: 1 });

    // 給与所得 (2024 table): 4,000,000 → 4,000,000 × 80 % − 440,000 = 2,760,000; 1,000,000 → − 550,000 = 450,000;
    // 6,000,000 → × 80 % − 440,000 = 4,360,000. 公的年金等 under 65: 1,500,000 × 75 % − 275,000 = 850,000.
    for (const [id, total] of [
      [ids.ichiro, 2_760_000],
      [ids.hanako, 450_000],
      [ids.saburo, 4_360_000],
      [ids.yoshiko, 850_000],
    ] as const) {
      expect((await clerk.call('GET', `/v1/residential-tax/assessments/${id}?fiscalYear=${FY}`, undefined, TAX)).body.figures.income.total).toBe(total);
    }

    // A: 一郎 and 花子 earn wages over 55万円; 太郎 counts 0 (no record: flagged); 次郎 was born after 2024 (nothing to declare).
    const householdA: Household = {
      head: { id: ids.ichiro, dateOfBirth: '1975-03-03', income: 2_760_000, earner: true, insured: [{ from: '2024-10-01', until: null }] },
      members: [
        { id: ids.hanako, dateOfBirth: '1977-08-08', income: 450_000, earner: true, insured: [{ from: '2024-10-01', until: null }] },
        { id: ids.taro, dateOfBirth: '2019-06-01', income: 0, earner: false, insured: [{ from: '2024-10-01', until: null }] },
        { id: ids.jiro, dateOfBirth: '2025-10-15', income: 0, earner: false, insured: [{ from: '2025-10-15', until: null }] },
      ].sort((x, y) => (x.id < y.id ? -1 : 1)),
    };
    const a = await premiumOf(ids.a);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    const expectedA = householdPremium(householdA, FY, table);
    expect(a.body).toMatchObject({ ...JSON.parse(JSON.stringify(expectedA)), householdId: ids.a, levy: 'premium', ratesVersion: 2 });
    expect(a.body).toMatchObject({ assessee: ids.ichiro, deemedHead: false });
    // 次郎 counts from October, the month of his birth, to March: 6 months.
    expect(a.body.members.find((m: { id: string }) => m.id === ids.jiro)).toMatchObject({ insuredMonths: ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03'], preschool: true });
    const incomesA = new Map(a.body.incomes.map((i: { residentId: string }) => [i.residentId, i]));
    expect(incomesA.get(ids.ichiro)).toEqual({ residentId: ids.ichiro, income: 2_760_000, incomeForReduction: 2_760_000, earner: true, incomeUnreported: false, source: 'residential_tax', runNumber: 1 });
    expect(incomesA.get(ids.taro)).toMatchObject({ income: 0, incomeUnreported: true, source: 'residential_tax_unreported', runNumber: 1 });
    expect(incomesA.get(ids.jiro)).toMatchObject({ income: 0, incomeUnreported: false, source: 'born_after_income_year', runNumber: null });
    expect(a.body.incomeComplete).toBe(false);

    // B, by hand (FY2025 example rates: medical 7.20 % ¥31,000 ¥25,000; support 2.60 % ¥10,000 ¥8,000; care 2.00 % ¥12,000).
    // The head 三郎 is not insured (擬制世帯主): no 所得割 or 均等割 of his, but his income counts in the judgement:
    // on 1 April only 良子 is insured; 4,360,000 + 850,000 is over the 2割 line 530,000 + 560,000 × 1: no reduction.
    // 良子's base: 850,000 − 430,000 = 420,000. 四郎 (no income here) joins on 10 July: July to March, 9 months.
    //   medical: Apr–Jun 30,240 + 31,000 + 25,000 = 86,240; Jul–Mar 30,240 + 62,000 + 25,000 = 117,240;
    //            (3 × 86,240 + 9 × 117,240) / 12 = 109,490 → 109,400
    //   support: (3 × (10,920 + 10,000 + 8,000) + 9 × (10,920 + 20,000 + 8,000)) / 12 = 36,420 → 36,400
    //   care (良子 only, 63): 8,400 + 12,000 = 20,400
    //   total 166,200
    const householdB: Household = {
      head: { id: ids.saburo, dateOfBirth: '1960-05-05', income: 4_360_000, earner: true, insured: [] },
      members: [
        { id: ids.yoshiko, dateOfBirth: '1962-02-02', income: 850_000, earner: true, insured: [{ from: '2024-10-01', until: null }] },
        { id: ids.shiro, dateOfBirth: '1990-01-01', income: 0, earner: false, insured: [{ from: '2025-07-10', until: null }] },
      ].sort((x, y) => (x.id < y.id ? -1 : 1)),
    };
    const b = await premiumOf(ids.b);
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(b.body).toMatchObject(JSON.parse(JSON.stringify(householdPremium(householdB, FY, table))));
    expect(b.body).toMatchObject({ assessee: ids.saburo, deemedHead: true, total: 166_200, reduction: { tenths: 0, members: 1, earners: 2, income: 5_210_000 } });
    expect(b.body.parts.medical.amount).toBe(109_400);
    expect(b.body.parts.support.amount).toBe(36_400);
    expect(b.body.parts.care.amount).toBe(20_400);
    expect(b.body.members.find((m: { id: string }) => m.id === ids.saburo)).toMatchObject({ isHead: true, insuredMonths: [] });
    expect(b.body.members.find((m: { id: string }) => m.id === ids.shiro).insuredMonths).toHaveLength(9);
    const incomesB = new Map(b.body.incomes.map((i: { residentId: string }) => [i.residentId, i]));
    expect(incomesB.get(ids.shiro)).toMatchObject({ incomeUnreported: true, source: 'not_assessed_here' });
    // 良子's public pension 1,500,000 is over 60万円 (she is under 65): an earner.
    expect(incomesB.get(ids.yoshiko)).toMatchObject({ earner: true, income: 850_000, source: 'residential_tax' });

    // The auditor reads it too, under the eligibility purpose as well.
    expect((await premiumOf(ids.b, FY, auditor, { 'municloud-purpose': 'nhi_eligibility' })).body.total).toBe(166_200);
  });

  it('is audited with ids only: the residents and the assessments read', async () => {
    const entries = await readAuditEntries<{ kind: string; purpose: string | null; records: { resource: string; ids: string[] }[] }>(tp);
    const reads = entries.filter((e) => e.kind === 'personal_data_read' && e.purpose === 'nhi_premium');
    const ofA = reads.filter((e) => e.records.some((r) => r.resource === 'residents' && r.ids.includes(ids.jiro)));
    expect(ofA.length).toBeGreaterThan(0);
    const last = ofA.at(-1)!;
    expect(last.records.find((r) => r.resource === 'residents')!.ids.sort()).toEqual([ids.ichiro, ids.hanako, ids.taro, ids.jiro].sort());
    expect(last.records.find((r) => r.resource === 'residential_tax_assessments')!.ids).toHaveLength(3);
    expect(last.records.find((r) => r.resource === 'residential_tax_income_records')!.ids).toHaveLength(2);
    const text = JSON.stringify(reads);
    for (const value of ['2760000', '4360000', '166200', '1975-03-03', '髙橋', '一郎']) expect(text).not.toContain(value);
  });

  it('years without rates or national figures are refused 422, naming the year', async () => {
    await admin.call('PUT', '/v1/nhi/premium-rates', { levy: 'premium', entries: [{ ...EXAMPLE_RATE_TABLE.entries[1]!, untilFiscalYear: null }] });
    // FY2024 (A was insured from October 2024): no entry of the table covers it.
    const old = await premiumOf(ids.a, 2024);
    expect(old.status).toBe(422);
    expect(old.body.code).toBe('nhi_premium_rates_missing');
    expect(old.body.errors).toEqual([expect.objectContaining({ field: 'querystring/fiscalYear', rule: 'no_entry' })]);
    // FY2026: rates, but no national caps and thresholds yet.
    const next = await premiumOf(ids.a, 2026);
    expect(next.status).toBe(422);
    expect(next.body.code).toBe('nhi_premium_unassessable');
    expect(next.body.errors).toEqual([expect.objectContaining({ field: 'querystring/fiscalYear', rule: 'no_national_figures' })]);
    expect(next.body.message.ja).toBeTruthy();
  });

  it("answers 404 for another municipality's household, an unknown one, and a year nobody was insured", async () => {
    const foreign = await premiumOf(ids.a, FY, sapporoClerk);
    const unknown = await premiumOf(UNKNOWN, FY, sapporoClerk);
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, requestId: undefined }).toEqual({ ...unknown.body, requestId: undefined });
    expect((await premiumOf(UNKNOWN)).status).toBe(404);
    expect((await premiumOf(ids.a, 2023)).status).toBe(404);
  });

  it('refuses bad input with 400 naming the parameter, a missing purpose and other roles with 403', async () => {
    for (const [q, field] of [
      ['1999', 'querystring/fiscalYear'],
      ['2101', 'querystring/fiscalYear'],
      ['abc', 'querystring/fiscalYear'],
      ['2025.5', 'querystring/fiscalYear'],
    ]) {
      const res = await premiumOf(ids.a, q);
      expect(res.status, q).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    }
    const none = await clerk.call('GET', `/v1/nhi/households/${ids.a}/premium`, undefined, PREMIUM);
    expect(none.status).toBe(400);
    const malformed = await premiumOf('not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('params/householdId');
    expect((await premiumOf(ids.a, FY, clerk, {})).body.code).toBe('purpose_not_allowed');
    expect((await premiumOf(ids.a, FY, clerk, TAX)).body.code).toBe('purpose_not_allowed');
    expect((await premiumOf(ids.a, FY, admin)).status).toBe(403);
  });

  it('a head NHI has not heard of is refused 422, naming what is missing', async () => {
    // As for a household whose head came onto the platform before NHI kept people: no row for 三郎.
    await adminQuery(tp, 'cell-a', 'DELETE FROM cell.nhi_people WHERE municipality_code = $1 AND resident_id = $2', [CHIYODA, ids.saburo]);
    const res = await premiumOf(ids.b);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('nhi_premium_household_incomplete');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'household/head', rule: 'unknown' })]);
  });
});
