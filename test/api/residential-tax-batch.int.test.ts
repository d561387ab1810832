/**
 * The batch assessment of a municipality, on real PostgreSQL: a crash after a
 * batch loses that batch only and the run resumes; Ctrl-C (the signal) stops
 * after the batch in flight; every resident on the roster of 1 January is
 * assessed exactly once per run with the figures `assess` gives on the same
 * input, the others not at all; a second process on the same year is
 * refused while one runs; a finished year is left alone unless reassessed.
 *
 * The roster is written here as the administrator (the feed that normally
 * fills it has its own test, residential-tax.int.test.ts); the income records
 * go through the same function as the API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTenantTransaction } from '../../src/platform/database.js';
import { assess, installments, type AssessmentContext } from '../../src/operations/residential-tax/assessment.js';
import { AssessmentRunError, assessMunicipality, type RunProgress } from '../../src/operations/residential-tax/batch.js';
import { collectionOf, figuresOf, taxpayerOf, type IncomeRecordInput } from '../../src/operations/residential-tax/income.js';
import { assessedFigures } from '../../src/operations/residential-tax/notice.js';
import { submitIncomeRecords } from '../../src/operations/residential-tax/records.js';
import { insertIncomeRecords, openAssessedFigures } from '../../src/operations/residential-tax/store.js';
import { CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';

const FY = 2026;
const CONTEXT: AssessmentContext = { fiscalYear: FY, designatedCity: false, livingCostClass: 2 };
const ON_ROSTER = 230;

let tp: TestPlatform;
let clerk: Session;

interface Person {
  id: string;
  dateOfBirth: string;
  record: IncomeRecordInput | null;
}
const people: Person[] = [];
/** Residents that are on the roster but not of 1 January 2026: gone on 1 January, come on 2 January. */
const notOnRoster: string[] = [];
let rejectedId = '';

/** mulberry32, so that every run of the file sees the same people. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function recordFor(id: string, dateOfBirth: string, random: () => number): IncomeRecordInput | null {
  const kind = Math.floor(random() * 10);
  if (kind === 0) return null; // no income record: unreported
  const yen = (max: number) => Math.floor(random() * max);
  if (dateOfBirth < '1960-01-01') return { residentId: id, fiscalYear: FY, source: 'pension_report', income: { publicPension: yen(4_000_000) }, deductions: { socialInsurance: yen(200_000) } };
  if (kind < 7) {
    return {
      residentId: id,
      fiscalYear: FY,
      source: 'salary_report',
      income: { salary: yen(12_000_000) },
      deductions: { socialInsurance: yen(1_500_000), other: yen(100_000) },
      ...(kind < 3 ? { spouse: { totalIncome: yen(1_000_000), aged70OrOver: false }, dependants: { under16: kind, general: kind % 2 } } : {}),
    };
  }
  return { residentId: id, fiscalYear: FY, source: 'tax_return', income: { other: yen(8_000_000) }, deductions: { socialInsurance: yen(800_000) }, ...(kind === 9 ? { status: { singleParent: 'mother' as const } } : {}) };
}

const pool = () => tp.platform.cells.poolFor(CHIYODA);
const runRows = () =>
  adminQuery<{ id: string; number: number; processed: number; assessed: number; unreported: number; rejected: number; finished: boolean; after: string | null }>(
    tp,
    'cell-a',
    `SELECT id, number, processed, assessed, unreported, rejected, finished_at IS NOT NULL AS finished, after_resident_id AS after
       FROM cell.residential_tax_runs WHERE municipality_code = $1 ORDER BY number`,
    [CHIYODA],
  );
const assessmentsOf = (runNumber: number) =>
  adminQuery<{ id: string; resident_id: string; outcome: string; rejected_field: string | null; rejected_rule: string | null; sealed: Buffer | null }>(
    tp,
    'cell-a',
    `SELECT id, resident_id, outcome, rejected_field, rejected_rule, assessment_sealed AS sealed FROM cell.residential_tax_assessments
      WHERE municipality_code = $1 AND run_number = $2 ORDER BY resident_id`,
    [CHIYODA, runNumber],
  );

/** Every resident of 1 January in the run exactly once, nobody else, each with the figures the rules give on the same input. */
async function expectWholeRun(runNumber: number): Promise<void> {
  const rows = await assessmentsOf(runNumber);
  expect(rows.map((r) => r.resident_id)).toEqual(people.map((p) => p.id).sort());
  expect(rows.some((r) => notOnRoster.includes(r.resident_id))).toBe(false);
  const keys = await tp.platform.keys.forMunicipality(CHIYODA);
  for (const row of rows) {
    const p = people.find((x) => x.id === row.resident_id)!;
    if (p.id === rejectedId) {
      expect(row).toMatchObject({ outcome: 'rejected', rejected_field: 'disabledFamilyMembers', rejected_rule: 'more_than_family', sealed: null });
    } else if (!p.record) {
      expect(row).toMatchObject({ outcome: 'unreported', sealed: null });
    } else {
      expect(row.outcome).toBe('assessed');
      const figures = figuresOf(p.record);
      const a = assess(taxpayerOf(figures, p.dateOfBirth), CONTEXT);
      const method = collectionOf(figures);
      const expected = assessedFigures(a, method, a.totalTax > 0 ? installments(a.totalTax, method, { fiscalYear: FY }) : []);
      expect(await openAssessedFigures(keys, row.id, row.sealed!)).toEqual(JSON.parse(JSON.stringify(expected)));
    }
  }
}

beforeAll(async () => {
  tp = await createTestPlatform({});
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-a', null);
  await placeInMyNumberZone(tp, CHIYODA);
  clerk = await newSession(tp, CHIYODA, ['clerk']);

  const random = prng(20260101);
  for (let i = 0; i < ON_ROSTER; i++) {
    const id = randomUUID();
    const dateOfBirth = `${1935 + Math.floor(random() * 70)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    people.push({ id, dateOfBirth, record: recordFor(id, dateOfBirth, random) });
  }
  for (let i = 0; i < 20; i++) notOnRoster.push(randomUUID());
  // The roster as the feed would leave it: most resident since 2020; some gone on 1 January, some come on 2 January.
  await adminQuery(
    tp,
    'cell-a',
    `INSERT INTO cell.residential_tax_roster (municipality_code, resident_id, resident_from, left_on, left_reason, household_id, date_of_birth, relationship, last_event_id)
     SELECT $1, id, from_day, left_on, CASE WHEN left_on IS NULL THEN NULL ELSE 'moved_out' END, gen_random_uuid(), dob, '世帯主', gen_random_uuid()
       FROM unnest($2::uuid[], $3::date[], $4::date[], $5::date[]) AS x(id, from_day, left_on, dob)`,
    [
      CHIYODA,
      [...people.map((p) => p.id), ...notOnRoster],
      [...people.map(() => '2020-04-01'), ...notOnRoster.map((_, i) => (i % 2 ? '2026-01-02' : '2020-04-01'))],
      [...people.map(() => null), ...notOnRoster.map((_, i) => (i % 2 ? null : '2026-01-01'))],
      [...people.map((p) => p.dateOfBirth), ...notOnRoster.map(() => '1980-01-01')],
    ],
  );
  // Income records as the API takes them, in batches; one that the rules refuse slipped in past them.
  const keys = await tp.platform.keys.forMunicipality(CHIYODA);
  const withRecords = people.filter((p) => p.record);
  rejectedId = withRecords[7]!.id;
  withRecords[7]!.record = { ...withRecords[7]!.record!, disabledFamilyMembers: { special: 1 } };
  const accepted = withRecords.filter((p) => p.id !== rejectedId).map((p) => p.record!);
  for (let i = 0; i < accepted.length; i += 100) {
    await inTenantTransaction(await pool(), CHIYODA, (db) => submitIncomeRecords(db, keys, accepted.slice(i, i + 100), { enteredBy: null, importRunId: null, at: (n) => `records/${n}` }));
  }
  const bad = withRecords[7]!.record!;
  await inTenantTransaction(await pool(), CHIYODA, (db) => insertIncomeRecords(db, keys, [{ residentId: bad.residentId, fiscalYear: FY, figures: figuresOf(bad) }], { enteredBy: null, importRunId: null }));
}, 120_000);
afterAll(async () => tp?.close());

describe('the batch assessment', () => {
  it('refuses what it cannot do before writing anything', async () => {
    const base = { municipalityCode: CHIYODA, fiscalYear: FY, livingCostClass: 2 as const };
    await expect(assessMunicipality(tp.platform, { ...base, livingCostClass: undefined })).rejects.toThrow(/living-cost class/);
    await expect(assessMunicipality(tp.platform, { ...base, fiscalYear: 2099 })).rejects.toThrow(/before its assessment date/);
    await expect(assessMunicipality(tp.platform, { ...base, fiscalYear: 2020 })).rejects.toThrow(/no rate set/);
    await expect(assessMunicipality(tp.platform, { ...base, batch: 0 })).rejects.toThrow(/batch/);
    await expect(assessMunicipality(tp.platform, { ...base, municipalityCode: '141003' })).rejects.toMatchObject({ code: 'not_placed' });
    expect(await runRows()).toEqual([]);
  });

  it('loses only the batch in flight to a crash; resumed, it assesses everyone of 1 January once, with the figures of the rules', async () => {
    const seen: RunProgress[] = [];
    await expect(
      assessMunicipality(tp.platform, {
        municipalityCode: CHIYODA,
        fiscalYear: FY,
        livingCostClass: 2,
        batch: 40,
        onProgress: (p) => seen.push(p),
        afterBatch: (_db, p) => {
          // The third batch's writes are in its transaction: the crash comes before it commits.
          if (p.processed > 80) throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    expect(seen.map((p) => p.processed)).toEqual([40, 80]);
    expect(await runRows()).toEqual([expect.objectContaining({ number: 1, processed: 80, finished: false })]);
    expect(await assessmentsOf(1)).toHaveLength(80);

    // Resuming with another 級地 than the run was started with is refused; without it, the run goes on.
    await expect(assessMunicipality(tp.platform, { municipalityCode: CHIYODA, fiscalYear: FY, livingCostClass: 1 })).rejects.toMatchObject({ code: 'options_differ' });
    const resumed = await assessMunicipality(tp.platform, { municipalityCode: CHIYODA, fiscalYear: FY, batch: 55 });
    const unreported = people.filter((p) => !p.record).length;
    expect(resumed).toMatchObject({ finished: true, number: 1, resumedAt: 80, rosterTotal: ON_ROSTER, processed: ON_ROSTER, unreported, rejected: 1, assessed: ON_ROSTER - unreported - 1 });
    await expectWholeRun(1);
  });

  it('leaves a finished year alone; reassessed, a new run that Ctrl-C stops after its batch and the same command resumes', async () => {
    const again = await assessMunicipality(tp.platform, { municipalityCode: CHIYODA, fiscalYear: FY });
    expect(again).toMatchObject({ alreadyFinished: true, finished: true, number: 1 });
    expect(await runRows()).toHaveLength(1);

    const controller = new AbortController();
    const stopped = await assessMunicipality(tp.platform, {
      municipalityCode: CHIYODA,
      fiscalYear: FY,
      reassess: true,
      batch: 50,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(stopped).toMatchObject({ finished: false, number: 2, processed: 50 });
    expect(await assessmentsOf(2)).toHaveLength(50);
    const done = await assessMunicipality(tp.platform, { municipalityCode: CHIYODA, fiscalYear: FY, batch: 50 });
    expect(done).toMatchObject({ finished: true, number: 2, resumedAt: 50, processed: ON_ROSTER });
    await expectWholeRun(2);
    // The notice data is the latest run's.
    const one = await clerk.call('GET', `/v1/residential-tax/assessments/${people[0]!.id}?fiscalYear=${FY}`, undefined, { 'municloud-purpose': 'tax_assessment' });
    expect(one.body.runNumber).toBe(2);
  });

  it('refuses a second process on the same year while one runs', async () => {
    let reached!: () => void;
    const atGate = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = assessMunicipality(tp.platform, {
      municipalityCode: CHIYODA,
      fiscalYear: FY,
      reassess: true,
      batch: 100,
      afterBatch: async (_db, p) => {
        if (p.processed === 100) {
          reached();
          await gate;
        }
      },
    });
    await atGate;
    const second = assessMunicipality(tp.platform, { municipalityCode: CHIYODA, fiscalYear: FY, reassess: true });
    await expect(second).rejects.toBeInstanceOf(AssessmentRunError);
    await expect(second).rejects.toMatchObject({ code: 'concurrent_run' });
    release();
    expect(await first).toMatchObject({ finished: true, number: 3, processed: ON_ROSTER });
    await expectWholeRun(3);
    expect((await runRows()).map((r) => [r.number, r.finished])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
  });
});
