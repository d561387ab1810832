/**
 * The demo's operations, brought up to date and given something to show: the
 * operations fed by linkage read the demo's register to its end (the NHI
 * membership, the child allowance and residential tax rosters), the residents
 * on the residential tax roster of 1 January get synthetic income records
 * (salaries for most working-age adults, pensions from 65), and the year is
 * assessed, so that a clerk can read notice data at once. Idempotent: a second
 * run finds the records and the finished run and adds nothing.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyFedEvents } from '../operations/fed-by-linkage.js';
import { FED_OPERATIONS } from '../operations/fed-operations.js';
import { assessMunicipality } from '../operations/residential-tax/batch.js';
import { importIncomeRecords } from '../operations/residential-tax/cli.js';
import type { IncomeRecordInput } from '../operations/residential-tax/income.js';
import { nextRosterEntries } from '../operations/residential-tax/store.js';
import { inTenantTransaction } from '../platform/database.js';
import type { Platform } from '../platform/http/server.js';

/** The fiscal year the demo assesses: its roster is of 1 January 2026. */
export const DEMO_TAX_YEAR = 2026;
/** 千代田区 and 札幌市 are both 1級地 for the per-capita non-taxable line. */
const DEMO_LIVING_COST_CLASS = 1;

export async function seedDemoOperations(platform: Platform, municipalityCode: string, onProgress: (message: string) => void): Promise<void> {
  const events = await catchUpFedOperations(platform, municipalityCode);
  if (events > 0) onProgress(`  operations fed by linkage read ${events.toLocaleString('en')} events`);
  const stored = await seedIncomeRecords(platform, municipalityCode);
  if (stored > 0) onProgress(`  ${stored.toLocaleString('en')} synthetic income records for fiscal year ${DEMO_TAX_YEAR}`);
  const run = await assessMunicipality(platform, { municipalityCode, fiscalYear: DEMO_TAX_YEAR, livingCostClass: DEMO_LIVING_COST_CLASS });
  onProgress(`  residential tax ${DEMO_TAX_YEAR}: ${run.assessed.toLocaleString('en')} assessed, ${run.unreported.toLocaleString('en')} without income records`);
}

/** Passes of every operation fed by linkage over this municipality until none has anything left; the events read. */
async function catchUpFedOperations(platform: Platform, municipalityCode: string): Promise<number> {
  let total = 0;
  for (;;) {
    let applied = 0;
    for (const op of FED_OPERATIONS) {
      const report = await applyFedEvents(platform, op, { scope: new Set([municipalityCode]), batch: 500 });
      if (report.failed > 0) throw new Error(`the demo's ${op.consumer} could not read ${municipalityCode}'s register (see the log)`);
      applied += report.applied;
    }
    if (applied === 0) return total;
    total += applied;
  }
}

/**
 * Synthetic income for the roster of 1 January, unless the year has records:
 * stored through the residential tax's own import (checked, sealed, audited as
 * a platform job). Each figure is derived from the resident id (not drawn at
 * random), so the same residents always get the same income.
 */
async function seedIncomeRecords(platform: Platform, municipalityCode: string): Promise<number> {
  const pool = await platform.cells.poolFor(municipalityCode);
  const records: IncomeRecordInput[] = [];
  await inTenantTransaction(pool, municipalityCode, async (db) => {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM cell.residential_tax_income_records WHERE fiscal_year = $1', [DEMO_TAX_YEAR]);
    if (Number(rows[0]!.n) > 0) return;
    for (let after: string | null = null; ; ) {
      const page = await nextRosterEntries(db, DEMO_TAX_YEAR, after, 1000);
      if (page.length === 0) break;
      for (const entry of page) {
        const record = entry.dateOfBirth ? syntheticIncome(entry.residentId, entry.dateOfBirth) : null;
        if (record) records.push(record);
      }
      after = page.at(-1)!.residentId;
    }
  });
  if (records.length === 0) return 0;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-demo-income-'));
  try {
    const file = path.join(dir, 'income.jsonl');
    await writeFile(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n', { mode: 0o600 });
    return (await importIncomeRecords(platform, { municipalityCode, fiscalYear: DEMO_TAX_YEAR, file })).stored;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A made-up income record for someone on the roster: none under 18 (or for a quarter of working age), a salary to 64, a pension from 65. */
export function syntheticIncome(residentId: string, dateOfBirth: string): IncomeRecordInput | null {
  const age = ageOn(dateOfBirth, `${DEMO_TAX_YEAR}-01-01`);
  const h = createHash('sha256').update(residentId).digest().readUInt32BE(0);
  if (age < 18) return null;
  if (age >= 65) return { residentId, fiscalYear: DEMO_TAX_YEAR, source: 'pension_report', income: { publicPension: 1_200_000 + (h % 20) * 100_000 } };
  if (h % 4 === 0) return null;
  const salary = 2_000_000 + (h % 60) * 100_000;
  return { residentId, fiscalYear: DEMO_TAX_YEAR, source: 'salary_report', income: { salary }, deductions: { socialInsurance: Math.floor(salary * 0.15) } };
}

function ageOn(dateOfBirth: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return day.slice(5) < dateOfBirth.slice(5) ? years - 1 : years;
}
