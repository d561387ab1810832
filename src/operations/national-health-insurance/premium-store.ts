/**
 * What NHI premiums read and write in a cell (cell migration 0018): the
 * municipality's rate table, versioned; the people the feed named (head of
 * household, date of birth); a household's memberships; and, read only, each
 * person's income as the residential tax assessed it. Every function takes a
 * client from a tenant transaction: row-level security confines it to one
 * municipality. Dates are read as text (YYYY-MM-DD): a JavaScript Date would
 * shift them by the server's time zone.
 */
import type pg from 'pg';
import { HEAD } from '../../resident-register/record.js';
import type { MunicipalityKeys } from '../../security/keys/service.js';
import { latestAssessment, openAssessedFigures, openIncomeFigures } from '../residential-tax/store.js';
import type { HouseholdMembership, IncomeEvidence, KnownPerson } from './premium-household.js';
import type { RateEntry } from './premium.js';
import type { DeliveredResident } from './register-events.js';

// ─── The rate table ─────────────────────────────────────────────────────────

export interface StoredRateTable {
  readonly version: number;
  readonly levy: 'premium' | 'tax';
  readonly entries: RateEntry[];
  readonly setBy: string | null;
  readonly setAt: string;
}

type RateRowDb = { version: number; levy: 'premium' | 'tax'; entries: RateEntry[]; set_by: string | null; set_at: Date };
const rateTableOf = (r: RateRowDb): StoredRateTable => ({ version: r.version, levy: r.levy, entries: r.entries, setBy: r.set_by, setAt: r.set_at.toISOString() });

/** The table in force: the latest version, if the admin ever set one. */
export async function latestRateTable(db: pg.ClientBase): Promise<StoredRateTable | null> {
  const { rows } = await db.query<RateRowDb>('SELECT version, levy, entries, set_by, set_at FROM cell.nhi_premium_rates ORDER BY version DESC LIMIT 1');
  return rows[0] ? rateTableOf(rows[0]) : null;
}

/**
 * Stores a whole table as the next version (the earlier ones stay, as the
 * record of what past premiums used). Two admins saving at once: the second
 * meets the first's version (unique key, 23505) and nothing of it is stored.
 */
export async function insertRateTable(db: pg.ClientBase, table: { levy: 'premium' | 'tax'; entries: readonly RateEntry[] }, setBy: string): Promise<StoredRateTable> {
  const { rows } = await db.query<RateRowDb>(
    `INSERT INTO cell.nhi_premium_rates (municipality_code, version, levy, entries, set_by)
     SELECT cell.current_municipality(), coalesce(max(version), 0) + 1, $1, $2::jsonb, $3 FROM cell.nhi_premium_rates
     RETURNING version, levy, entries, set_by, set_at`,
    [table.levy, JSON.stringify(table.entries), setBy],
  );
  return rateTableOf(rows[0]!);
}

// ─── The people the feed named ──────────────────────────────────────────────

/**
 * Keeps each delivered resident as the event shows them (their record right
 * after it): household, date of birth, head or not, current or not. Events are
 * applied in feed order, so the row ends as the register now stands; applying
 * again (a cursor set back) ends the same way. Writes only a change.
 */
export async function recordPeople(db: pg.ClientBase, eventId: string, residents: readonly DeliveredResident[]): Promise<void> {
  // The last mention of a resident in the event wins; ON CONFLICT may touch a row only once per statement.
  const byId = new Map(residents.map((r) => [r.id, r]));
  if (byId.size === 0) return;
  const list = [...byId.values()];
  await db.query(
    `INSERT INTO cell.nhi_people (municipality_code, resident_id, household_id, date_of_birth, head_of_household, is_current, last_event_id)
     SELECT cell.current_municipality(), x.resident_id, x.household_id, x.date_of_birth, x.head, x.is_current, $6
       FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::boolean[], $5::boolean[]) AS x(resident_id, household_id, date_of_birth, head, is_current)
     ON CONFLICT (municipality_code, resident_id) DO UPDATE
        SET household_id = EXCLUDED.household_id, date_of_birth = EXCLUDED.date_of_birth, head_of_household = EXCLUDED.head_of_household,
            is_current = EXCLUDED.is_current, last_event_id = EXCLUDED.last_event_id, updated_at = now()
      WHERE (nhi_people.household_id, nhi_people.date_of_birth, nhi_people.head_of_household, nhi_people.is_current)
            IS DISTINCT FROM (EXCLUDED.household_id, EXCLUDED.date_of_birth, EXCLUDED.head_of_household, EXCLUDED.is_current)`,
    [
      list.map((r) => r.id),
      list.map((r) => r.householdId ?? null),
      list.map((r) => r.dateOfBirth ?? null),
      list.map((r) => r.relationship === HEAD),
      list.map((r) => r.state === 'current'),
      eventId,
    ],
  );
}

type PersonRowDb = { resident_id: string; household_id: string | null; date_of_birth: string | null; head_of_household: boolean; is_current: boolean };
const PERSON_COLUMNS = "resident_id, household_id, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth, head_of_household, is_current";
const personOf = (r: PersonRowDb): KnownPerson => ({
  residentId: r.resident_id,
  householdId: r.household_id,
  dateOfBirth: r.date_of_birth,
  head: r.head_of_household,
  current: r.is_current,
});

export async function peopleByIds(db: pg.ClientBase, residentIds: readonly string[]): Promise<Map<string, KnownPerson>> {
  const out = new Map<string, KnownPerson>();
  if (residentIds.length === 0) return out;
  const { rows } = await db.query<PersonRowDb>(`SELECT ${PERSON_COLUMNS} FROM cell.nhi_people WHERE resident_id = ANY($1::uuid[])`, [[...new Set(residentIds)]]);
  for (const r of rows) out.set(r.resident_id, personOf(r));
  return out;
}

/**
 * The household's head as the register now has it. When nobody current heads
 * it (everyone has left), the last head NHI heard of: the premium of a year
 * already past is still assessed on someone.
 */
export async function headOf(db: pg.ClientBase, householdId: string): Promise<KnownPerson | null> {
  const { rows } = await db.query<PersonRowDb>(
    `SELECT ${PERSON_COLUMNS} FROM cell.nhi_people WHERE household_id = $1 AND head_of_household
      ORDER BY is_current DESC, updated_at DESC, resident_id LIMIT 1`,
    [householdId],
  );
  return rows[0] ? personOf(rows[0]) : null;
}

// ─── The household's memberships ───────────────────────────────────────────

/**
 * The memberships kept under the household that matter for a fiscal year:
 * those with a day in it, and those that ended at 75 before its end (their
 * holders may count as 特定同一世帯所属者).
 */
export async function householdMemberships(db: pg.ClientBase, householdId: string, fiscalYear: number): Promise<HouseholdMembership[]> {
  const { rows } = await db.query<{ resident_id: string; acquired_on: string; lost_on: string | null; lose_reason: string | null }>(
    `SELECT resident_id, to_char(acquired_on, 'YYYY-MM-DD') AS acquired_on, to_char(lost_on, 'YYYY-MM-DD') AS lost_on, lose_reason
       FROM cell.nhi_members
      WHERE household_id = $1
        AND ((acquired_on < $3::date AND (lost_on IS NULL OR (lost_on > $2::date AND lost_on > acquired_on)))
             OR (lose_reason = 'late_stage_elderly' AND lost_on < $3::date))
      ORDER BY resident_id, acquired_on`,
    [householdId, `${fiscalYear}-04-01`, `${fiscalYear + 1}-04-01`],
  );
  return rows.map((r) => ({ residentId: r.resident_id, acquiredOn: r.acquired_on, lostOn: r.lost_on, loseReason: r.lose_reason }));
}

// ─── Income, as the residential tax assessed it ─────────────────────────────

export interface ReadIncome {
  readonly evidence: IncomeEvidence | null;
  /** The income record opened for the gross amounts (for the audit). */
  readonly incomeRecordId: string | null;
}

/**
 * What the residential tax's latest run of the fiscal year decided for a
 * resident: the assessed figures (総所得金額等 and the pension income), and
 * the gross wages and pensions of the income record that assessment used,
 * which the earner rule is written in. Read only; both are sealed under the
 * municipality's keys.
 */
export async function incomeEvidence(db: pg.ClientBase, keys: () => Promise<MunicipalityKeys>, residentId: string, fiscalYear: number): Promise<ReadIncome> {
  const found = await latestAssessment(db, residentId, fiscalYear);
  if (!found) return { evidence: null, incomeRecordId: null };
  const { row } = found;
  if (row.outcome !== 'assessed') return { evidence: { outcome: row.outcome, assessmentId: row.id, runNumber: row.runNumber }, incomeRecordId: null };
  // An assessed row always holds its figures (the table's CHECK).
  const figures = await openAssessedFigures(await keys(), row.id, found.sealed!);
  let gross = { salary: 0, publicPension: 0 };
  if (row.incomeRecordId) {
    const { rows } = await db.query<{ record_sealed: Buffer }>('SELECT record_sealed FROM cell.residential_tax_income_records WHERE id = $1', [row.incomeRecordId]);
    if (rows[0]) {
      const record = await openIncomeFigures(await keys(), row.incomeRecordId, rows[0].record_sealed);
      gross = { salary: record.income.salary ?? 0, publicPension: record.income.publicPension ?? 0 };
    }
  }
  return {
    evidence: {
      outcome: 'assessed',
      assessmentId: row.id,
      runNumber: row.runNumber,
      totalIncome: figures.assessment.income.total,
      pensionIncome: figures.assessment.income.publicPension,
      grossSalary: gross.salary,
      grossPension: gross.publicPension,
    },
    incomeRecordId: row.incomeRecordId,
  };
}
