/**
 * Loads a synthetic population (./synthetic) into a municipality's register:
 * the demo's residents and the benchmarks' million. The generator is
 * deterministic for a seed, so a load is identified by its seed and resumes
 * after the last batch that committed: each batch is entered (./bulk-entry.ts)
 * and the load's progress advanced in the same tenant transaction. An
 * interrupted load (Ctrl-C, a crash) loses nothing and enters nobody twice.
 *
 * The loader is a job of the platform, not a clerk: its changes carry the
 * batch operator id and its audit entries the platform operator acting from
 * the operator's network, with the run's id in place of a request id.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTenantTransaction } from '../platform/database.js';
import type { Platform } from '../platform/http/server.js';
import { recordJobAction, type JobContext, operatorJob } from '../security/audit/record.js';
import { todayInJapan } from './changes.js';
import { enterHouseholds } from './bulk-entry.js';
import type { EnrolmentFiling } from './filings.js';
import { Findings } from './findings.js';
import { date } from './person.js';
import type { RegisterActor } from './service.js';
import { generatePopulation, MAX_POPULATION, type SyntheticHousehold } from './synthetic/index.js';

/** The operator id of changes entered by a platform job (who ran it is in the audit log, under the run id). */
export const BATCH_OPERATOR_ID = '00000000-0000-0000-0000-000000000000';

/** The legal purpose the load's audit entries carry: entering residents is residency work. */
const LOAD_PURPOSE = 'residency_change';

export interface PopulationLoadOptions {
  readonly municipalityCode: string;
  readonly seed: string;
  /** Residents in all. */
  readonly size: number;
  /** The date the population is as of (default: today in Japan); no later than today. */
  readonly asOf?: string;
  /** Residents per transaction (default 2,000; a household is never split). */
  readonly batchResidents?: number;
  /** Stops after the batch in flight; the load resumes from there when run again. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: LoadProgress) => void;
}

export interface LoadProgress {
  readonly loadId: string;
  readonly residents: number;
  readonly households: number;
  readonly size: number;
  /** Residents already entered by an earlier run of this load when this one started. */
  readonly resumedAt: number;
}

export interface LoadReport extends LoadProgress {
  readonly finished: boolean;
  readonly runId: string;
}

/** A load that cannot start or go on, with a message for the operator (no personal data). */
export class PopulationLoadError extends Error {
  constructor(
    message: string,
    /** `seed_used`: the seed was loaded before with another size or date. */
    readonly code: 'invalid_option' | 'not_placed' | 'seed_used' | 'concurrent_run' = 'invalid_option',
  ) {
    super(message);
  }
}

interface LoadRow {
  id: string;
  size: number;
  as_of: string;
  households_entered: number;
  residents_entered: number;
  finished: boolean;
}

export async function loadSyntheticPopulation(platform: Platform, options: PopulationLoadOptions): Promise<LoadReport> {
  const { municipalityCode, seed, size } = options;
  const today = todayInJapan();
  const checked = new Findings('options');
  const asOf = options.asOf === undefined ? today : date(checked, 'asOf', options.asOf, today);
  const batchResidents = options.batchResidents ?? 2000;
  if (!Number.isInteger(size) || size < 1 || size > MAX_POPULATION) throw new PopulationLoadError(`the size must be a whole number from 1 to ${MAX_POPULATION}`);
  if (!checked.ok) throw new PopulationLoadError(`the date must be YYYY-MM-DD, no later than today (${today})`);
  if (seed.length < 1 || seed.length > 100) throw new PopulationLoadError('the seed must be 1 to 100 characters');
  if (!Number.isInteger(batchResidents) || batchResidents < 1 || batchResidents > 20_000) throw new PopulationLoadError('the batch must be 1 to 20,000 residents');

  let pool: pg.Pool;
  try {
    pool = await platform.cells.poolFor(municipalityCode);
  } catch {
    throw new PopulationLoadError(`municipality ${municipalityCode} is not placed on a cell (PUT /v1/placements/${municipalityCode}, or the demo)`, 'not_placed');
  }
  const run = <T>(fn: (db: pg.PoolClient) => Promise<T>) => inTenantTransaction(pool, municipalityCode, fn);
  const load = await run((db) => openLoad(db, seed, size, asOf));
  const runId = randomUUID();
  const actor = batchActor(platform, municipalityCode, runId, run);
  const keys = await platform.keys.forMunicipality(municipalityCode);
  let { households_entered: households, residents_entered: residents } = load;
  const resumedAt = residents;
  const report = (finished: boolean): LoadReport => ({ loadId: load.id, residents, households, size, resumedAt, finished, runId });
  if (load.finished) return report(true);

  const generated = generatePopulation({ seed, municipalityCode, size, asOf });
  // The generator is deterministic: the households entered before are generated again and passed over.
  for (let i = 0; i < households; i++) if (generated.next().done) throw new PopulationLoadError('the load has more households than its seed generates');
  let batch: SyntheticHousehold[] = [];
  let batchSize = 0;
  const flush = async () => {
    const [n, m] = [batch.length, batchSize];
    await run(async (db) => {
      // Advanced first: the row lock keeps a second run of the same load out until this batch is decided.
      await advanceLoad(db, load.id, households, n, m);
      await enterHouseholds(actor, db, keys, batch.map((h) => filingOf(h, today)));
    });
    households += n;
    residents += m;
    batch = [];
    batchSize = 0;
    options.onProgress?.({ loadId: load.id, residents, households, size, resumedAt });
  };
  for (const household of generated) {
    batch.push(household);
    batchSize += household.members.length;
    if (batchSize >= batchResidents) {
      await flush();
      if (options.signal?.aborted) return report(false);
    }
  }
  if (batch.length > 0) await flush();
  await run((db) => db.query('UPDATE cell.register_loads SET finished_at = now(), updated_at = now() WHERE id = $1', [load.id]));
  return report(true);
}

/** The load of this seed: started now, or the earlier one to resume (which must be of the same size and date). */
async function openLoad(db: pg.ClientBase, seed: string, size: number, asOf: string): Promise<LoadRow> {
  const columns = `id, size, to_char(as_of, 'YYYY-MM-DD') AS as_of, households_entered, residents_entered, finished_at IS NOT NULL AS finished`;
  await db.query(
    `INSERT INTO cell.register_loads (municipality_code, id, source, seed, size, as_of)
     VALUES (cell.current_municipality(), $1, 'synthetic', $2, $3, $4) ON CONFLICT (municipality_code, source, seed) DO NOTHING`,
    [randomUUID(), seed, size, asOf],
  );
  const { rows } = await db.query<LoadRow>(`SELECT ${columns} FROM cell.register_loads WHERE source = 'synthetic' AND seed = $1`, [seed]);
  const row = rows[0]!;
  if (row.size !== size || row.as_of !== asOf) {
    throw new PopulationLoadError(
      `seed "${seed}" was loaded before with ${row.size} residents as of ${row.as_of}: run it again with those to resume it, or choose another seed`,
      'seed_used',
    );
  }
  return row;
}

/** Advances the load's counts, if no other run advanced them meanwhile. */
async function advanceLoad(db: pg.ClientBase, id: string, householdsBefore: number, households: number, residents: number): Promise<void> {
  const { rowCount } = await db.query(
    `UPDATE cell.register_loads SET households_entered = households_entered + $3, residents_entered = residents_entered + $4, updated_at = now()
      WHERE id = $1 AND households_entered = $2`,
    [id, householdsBefore, households, residents],
  );
  if (rowCount !== 1) throw new PopulationLoadError('another run of this load is entering the same households: let it finish', 'concurrent_run');
}

function batchActor(platform: Platform, municipalityCode: string, runId: string, run: RegisterActor['tenant']['run']): RegisterActor {
  const job: JobContext = operatorJob(runId);
  return {
    platform,
    tenant: { municipalityCode, purpose: LOAD_PURPOSE, run },
    operatorId: BATCH_OPERATOR_ID,
    record: (kind, details) => recordJobAction(platform, job, kind, { municipality: municipalityCode, ...details }),
  };
}

/** A synthetic household as the municipality enters it: on its authority, resident since the household moved in. */
function filingOf(h: SyntheticHousehold, today: string): EnrolmentFiling {
  return { eventDate: h.residentSince, filedOn: today, previousResidence: null, household: { kind: 'new', address: h.address }, persons: h.members };
}
