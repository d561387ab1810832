/**
 * Benchmark: the residential tax's batch assessment of a whole municipality
 * (docs/residential-tax.md, "Fed by linkage, and the batch").
 *
 * A municipality (札幌市, a designated city: 8 % + 2 %) gets a roster of
 * `--size` residents (default 1,000,000) on 1 January 2026, plus 2 % who are
 * not on it (gone in December, come in January), and an income record for
 * every resident on it, sealed under its keys: salaries, pensions, business
 * income and zero declarations by age, from a seeded generator. Both are
 * written here in bulk SQL: the roster normally comes from the register's
 * feed, and filling it that way is what the linkage benchmark measures.
 *
 * Then, in the same run:
 * (a) a plain SQL scan of the same rows: the roster of 1 January joined with
 *     the income record in force, every column, in resident order, fetched to
 *     this process through a cursor (10,000 rows a fetch) as the application
 *     role in a tenant transaction; once to warm up, then measured before and
 *     after the batch;
 * (b) the batch assessment, exactly as `municloud residential-tax assess`
 *     runs it: per batch, the roster and records read, each record opened,
 *     assessed and its figures and installments sealed, the rows written, the
 *     run's progress advanced and the job audited, one transaction a batch.
 * It reports rows/s of each, the ratio batch ÷ scan, and the CPU this process
 * and PostgreSQL spent per resident.
 *
 * Usage: npm run build && node dist/bench/residential-tax.js [--size N] [--batch N]
 * (or BENCH_TAX_SIZE, BENCH_TAX_BATCH). The server is DATABASE_URL's, else an
 * embedded one in a temp dir. Creates its own databases and roles and drops
 * them at the end, also on Ctrl-C. Exits non-zero only on errors.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { assessMunicipality, DEFAULT_BATCH, MAX_BATCH, type RunProgress } from '../src/operations/residential-tax/batch.js';
import type { IncomeFigures } from '../src/operations/residential-tax/income.js';
import { INCOME_RECORD } from '../src/operations/residential-tax/store.js';
import { inTenantTransaction } from '../src/platform/database.js';
import { createLogger } from '../src/platform/logger.js';
import { openPlatform } from '../src/platform/runtime.js';
import { generateSigner } from '../src/security/audit/signer.js';
import { LocalKeystore } from '../src/security/keys/kms/local-keystore.js';
import { benchServer, databaseUrl, intEnv, migratedPlatformDatabases, out, prng, runWithCleanup, step, withAdmin, type Cleanups } from './harness.js';
import { cpuSnapshot, fmt, pgCpuDelta, watchDatabases, watchPostgresOf, type CpuSnapshot } from './register-support.js';

// ---------------------------------------------------------------------------
// Settings

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const raw = (process.argv[i + 1] ?? '').replaceAll(/[_,]/g, '');
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
  return n;
}

const SIZE = argument('size', intEnv('BENCH_TAX_SIZE', 1_000_000));
const BATCH = argument('batch', intEnv('BENCH_TAX_BATCH', DEFAULT_BATCH));
if (BATCH > MAX_BATCH) throw new Error(`--batch is at most ${MAX_BATCH}`);
const CODE = '011002'; // 札幌市
const FY = 2026;
const DAY = '2026-01-01';
/** Rows per statement while filling, and per FETCH while scanning. */
const CHUNK = 10_000;

// ---------------------------------------------------------------------------
// The synthetic taxpayers

/** An income record's figures for a person born on a date, as a municipality would receive them. */
function figuresFor(dateOfBirth: string, random: () => number): IncomeFigures {
  const year = Number(dateOfBirth.slice(0, 4));
  const age = FY - 1 - year;
  const yen = (min: number, max: number) => Math.floor((min + random() * (max - min)) / 1000) * 1000;
  if (age < 18) return random() < 0.05 ? { source: 'salary_report', collection: 'ordinary', income: { salary: yen(300_000, 1_300_000) } } : { source: 'declaration', income: {} };
  if (age >= 65) {
    const pension = yen(600_000, 3_600_000);
    return random() < 0.25
      ? { source: 'tax_return', income: { publicPension: pension, other: yen(200_000, 3_000_000) }, deductions: { socialInsurance: yen(100_000, 400_000), other: yen(0, 200_000) } }
      : { source: 'pension_report', income: { publicPension: pension }, deductions: { socialInsurance: yen(80_000, 300_000) } };
  }
  const r = random();
  if (r < 0.78) {
    const salary = yen(1_000_000, 9_000_000) + (random() < 0.1 ? yen(0, 8_000_000) : 0);
    const family = random();
    return {
      source: 'salary_report',
      income: { salary, highSalaryAdjustmentEligible: family < 0.3 },
      deductions: { socialInsurance: Math.floor(salary * 0.15), other: yen(0, 120_000) },
      ...(family < 0.45 ? { spouse: { totalIncome: yen(0, 1_500_000), aged70OrOver: false } } : {}),
      ...(family < 0.3 ? { dependants: { under16: Math.floor(random() * 3), specified: random() < 0.2 ? 1 : 0 } } : {}),
    };
  }
  if (r < 0.93) return { source: 'tax_return', income: { other: yen(300_000, 12_000_000) }, deductions: { socialInsurance: yen(150_000, 900_000), other: yen(0, 300_000) } };
  return { source: 'declaration', income: {}, ...(random() < 0.2 ? { status: { singleParent: 'mother' as const } } : {}) };
}

// ---------------------------------------------------------------------------

interface CpuUse {
  nodeMs: number;
  pgMs: number;
}
function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  return { nodeMs: after.node - before.node, pgMs: [...pgCpuDelta(before, after).values()].reduce((a, b) => a + b, 0) };
}

async function main(cleanups: Cleanups): Promise<void> {
  const log = createLogger(process.env.LOG_LEVEL || 'warn');
  const server = await benchServer(cleanups, step);
  const tag = randomBytes(4).toString('hex');
  const names = { control: `mcbench_${tag}_control`, cell: `mcbench_${tag}_cell` };
  const ownerRole = `mcbench_${tag}_owner`;
  const appRole = `mcbench_${tag}_app`;
  watchDatabases(Object.values(names));
  cleanups.push(() =>
    withAdmin(server.adminUrl, async (c) => {
      for (const db of Object.values(names)) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`);
      for (const role of [appRole, ownerRole]) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    }),
  );
  const serverVersion = await withAdmin(server.adminUrl, async (c) => {
    watchPostgresOf((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    for (const db of Object.values(names)) await c.query(`CREATE DATABASE ${pg.escapeIdentifier(db)} ENCODING 'UTF8' TEMPLATE template0`);
    return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  });
  step(`migrating on ${server.kind}, PostgreSQL ${serverVersion}`);
  const cellAdminUrl = databaseUrl(server.adminUrl, names.cell);
  const { config, databases } = await migratedPlatformDatabases({
    controlUrl: databaseUrl(server.adminUrl, names.control),
    cells: { 'cell-1': cellAdminUrl },
    defaultCell: 'cell-1',
    roles: { ownerRole, appRole },
  });
  const keystoreDir = await mkdtemp(path.join(os.tmpdir(), 'municloud-bench-kms-'));
  cleanups.push(() => rm(keystoreDir, { recursive: true, force: true }));
  const kms = await LocalKeystore.open({ file: path.join(keystoreDir, 'keystore.json'), passphrase: 'bench keystore passphrase', scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  cleanups.push(() => kms.close());
  const open = await openPlatform(config, log, databases, { kms, auditSigner: generateSigner('municloud.bench/audit').signer });
  cleanups.push(() => open.close());
  const platform = open.platform;
  await platform.cells.place(CODE, 'cell-1', null);
  const keys = await platform.keys.forMunicipality(CODE);

  // The roster (as the feed would leave it) and the income records, in bulk.
  const offRoster = Math.ceil(SIZE * 0.02);
  step(`filling the roster: ${fmt(SIZE)} residents of 1 January ${FY.toString()} and ${fmt(offRoster)} who are not`);
  const fillStarted = performance.now();
  await withAdmin(cellAdminUrl, async (c) => {
    // Born 1930–2025; resident since 2000–2025. Those off the roster left on 1 December 2025 or came on 2 January 2026.
    await c.query(
      `INSERT INTO cell.residential_tax_roster (municipality_code, resident_id, resident_from, left_on, left_reason, household_id, date_of_birth, relationship, last_event_id)
       SELECT $1, gen_random_uuid(), GREATEST(dob, '2000-04-01'::date + (random() * 9000)::int), NULL, NULL, gen_random_uuid(), dob, '世帯主', gen_random_uuid()
         FROM (SELECT '1930-01-01'::date + (random() * 35060)::int AS dob FROM generate_series(1, $2)) AS p`,
      [CODE, SIZE],
    );
    await c.query(
      `INSERT INTO cell.residential_tax_roster (municipality_code, resident_id, resident_from, left_on, left_reason, household_id, date_of_birth, relationship, last_event_id)
       SELECT $1, gen_random_uuid(), CASE WHEN n % 2 = 0 THEN '2010-04-01'::date ELSE '2026-01-02'::date END,
              CASE WHEN n % 2 = 0 THEN '2025-12-01'::date END, CASE WHEN n % 2 = 0 THEN 'moved_out' END, gen_random_uuid(), '1980-01-01', '世帯主', gen_random_uuid()
         FROM generate_series(1, $2) AS n`,
      [CODE, offRoster],
    );
  });
  step(`sealing and writing ${fmt(SIZE)} income records`);
  const random = prng(2026);
  await withAdmin(cellAdminUrl, async (c) => {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await c.query<{ resident_id: string; dob: string }>(
        `SELECT resident_id, to_char(date_of_birth, 'YYYY-MM-DD') AS dob FROM cell.residential_tax_roster
          WHERE municipality_code = $1 AND resident_from <= $2::date AND (left_on IS NULL OR $2::date < left_on) AND resident_id > $3
          ORDER BY resident_id LIMIT $4`,
        [CODE, DAY, after, CHUNK],
      );
      if (rows.length === 0) break;
      const ids = rows.map(() => randomUUID());
      const sealed = await Promise.all(rows.map((r, i) => keys.seal(INCOME_RECORD.field(ids[i]!), JSON.stringify(figuresFor(r.dob, random)))));
      await c.query(
        `INSERT INTO cell.residential_tax_income_records (municipality_code, id, resident_id, fiscal_year, version, record_sealed)
         SELECT $1, id, resident_id, $2, 1, sealed FROM unnest($3::uuid[], $4::uuid[], $5::bytea[]) AS x(id, resident_id, sealed)`,
        [CODE, FY, ids, rows.map((r) => r.resident_id), sealed],
      );
      after = rows.at(-1)!.resident_id;
    }
    await c.query('VACUUM (ANALYZE) cell.residential_tax_roster, cell.residential_tax_income_records');
  });
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  step(`filled in ${fillSeconds.toFixed(0)} s`);

  // (a) The plain SQL scan of the same rows, as the application role, through a cursor.
  const pool = await platform.cells.poolFor(CODE);
  const scan = async (): Promise<{ rows: number; seconds: number; cpu: CpuUse }> => {
    const before = cpuSnapshot();
    const t0 = performance.now();
    const rows = await inTenantTransaction(pool, CODE, async (db) => {
      await db.query(
        `DECLARE roster_scan NO SCROLL CURSOR FOR
         SELECT r.*, i.* FROM cell.residential_tax_roster r
           LEFT JOIN cell.residential_tax_income_records i ON i.fiscal_year = $2 AND i.resident_id = r.resident_id AND i.superseded_at IS NULL
          WHERE r.resident_from <= $1::date AND (r.left_on IS NULL OR $1::date < r.left_on)
          ORDER BY r.resident_id`,
        [DAY, FY],
      );
      let n = 0;
      for (;;) {
        const { rowCount } = await db.query(`FETCH ${CHUNK} FROM roster_scan`);
        if (!rowCount) return n;
        n += rowCount;
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    return { rows, seconds, cpu: cpuBetween(before, cpuSnapshot()) };
  };
  step('plain SQL scan: warming up');
  const warm = await scan();
  if (warm.rows !== SIZE) throw new Error(`the scan read ${warm.rows} rows, expected ${SIZE}`);
  const scanBefore = await scan();
  step(`plain SQL scan: ${fmt(scanBefore.rows / scanBefore.seconds)} rows/s`);

  // (b) The batch, as the CLI runs it.
  step(`batch assessment of fiscal year ${FY}, ${fmt(BATCH)} residents a batch`);
  const batchBefore = cpuSnapshot();
  const t0 = performance.now();
  let nextReport = 0.1;
  const report = await assessMunicipality(platform, {
    municipalityCode: CODE,
    fiscalYear: FY,
    livingCostClass: 1,
    batch: BATCH,
    onProgress: (p: RunProgress) => {
      if (p.processed / p.rosterTotal >= nextReport) {
        while (p.processed / p.rosterTotal >= nextReport) nextReport += 0.1;
        step(`  ${((100 * p.processed) / p.rosterTotal).toFixed(0)}%: ${fmt(p.processed)} residents, ${fmt(p.processed / ((performance.now() - t0) / 1000))}/s`);
      }
    },
  });
  const batchSeconds = (performance.now() - t0) / 1000;
  const batchCpu = cpuBetween(batchBefore, cpuSnapshot());
  if (!report.finished || report.processed !== SIZE) throw new Error(`the batch processed ${report.processed} of ${SIZE}`);
  const scanAfter = await scan();
  step(`plain SQL scan again: ${fmt(scanAfter.rows / scanAfter.seconds)} rows/s`);

  const sizes = await withAdmin(cellAdminUrl, async (c) =>
    (
      await c.query<{ table: string; bytes: string }>(
        `SELECT relname AS table, pg_total_relation_size(c.oid)::text AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'cell' AND relname IN ('residential_tax_roster', 'residential_tax_income_records', 'residential_tax_assessments') ORDER BY relname`,
      )
    ).rows,
  );
  const audit = await withAdmin(databaseUrl(server.adminUrl, names.control), async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM control.audit_entries')).rows[0]!.n));

  // Report.
  const scanRate = (scanBefore.rows + scanAfter.rows) / (scanBefore.seconds + scanAfter.seconds);
  const batchRate = SIZE / batchSeconds;
  const perRow = (cpu: CpuUse, rows: number) => `${((cpu.nodeMs * 1000) / rows).toFixed(1)} / ${((cpu.pgMs * 1000) / rows).toFixed(1)}`;
  const cpus = os.cpus();
  out();
  out(`# residential tax batch benchmark — ${new Date().toISOString()}`);
  out(`node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, PostgreSQL ${serverVersion} ${server.kind}`);
  out();
  out(`${fmt(SIZE)} residents on the roster of 1 January ${FY} (of ${fmt(SIZE + offRoster)} rows), an income record each; batches of ${fmt(BATCH)}; roster and records filled in ${fillSeconds.toFixed(0)} s`);
  out();
  out('| | rows | seconds | rows/s | ÷ plain SQL scan | CPU µs/row: Node.js / PostgreSQL |');
  out('|---|---:|---:|---:|---:|---:|');
  out(`| plain SQL scan (cursor, all columns), before the batch | ${fmt(scanBefore.rows)} | ${scanBefore.seconds.toFixed(1)} | ${fmt(scanBefore.rows / scanBefore.seconds)} | | ${perRow(scanBefore.cpu, scanBefore.rows)} |`);
  out(`| plain SQL scan, after the batch | ${fmt(scanAfter.rows)} | ${scanAfter.seconds.toFixed(1)} | ${fmt(scanAfter.rows / scanAfter.seconds)} | | ${perRow(scanAfter.cpu, scanAfter.rows)} |`);
  out(`| **batch assessment** (open, assess, seal, write, audit) | ${fmt(report.processed)} | ${batchSeconds.toFixed(1)} | ${fmt(batchRate)} | **${(batchRate / scanRate).toFixed(4)}** | ${perRow(batchCpu, report.processed)} |`);
  out();
  out(`Outcomes: ${fmt(report.assessed)} assessed, ${fmt(report.unreported)} unreported, ${fmt(report.rejected)} rejected. Audit entries written in all: ${fmt(audit)}.`);
  out(`Table sizes after the batch: ${sizes.map((s) => `${s.table} ${(Number(s.bytes) / 2 ** 20).toFixed(0)} MiB`).join(', ')}.`);
  out(`The batch would assess ${fmt(SIZE)} residents in ${(batchSeconds / 60).toFixed(1)} min; the scan of the same rows takes ${(SIZE / scanRate).toFixed(1)} s.`);
}

await runWithCleanup(main, step);
