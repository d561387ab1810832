/**
 * `municloud residential-tax income import` and `municloud residential-tax
 * assess` through the built CLI (npm run build), against this file's own
 * databases on the run's PostgreSQL: the child process opens the same cells,
 * keystore and audit signing key as the platform of the test. A file with a bad
 * line stores nothing; a good one is stored, audited as a job. The assessment
 * shows its progress, stops after the batch in flight on SIGINT (exit 130),
 * and the same command resumes it: everyone on the roster of 1 January is
 * assessed exactly once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { migrateAll, openPlatform, type Databases, type OpenPlatform } from '../../src/platform/runtime.js';
import { ed25519Signer, generateSigner } from '../../src/security/audit/signer.js';
import { LocalKeystore } from '../../src/security/keys/kms/local-keystore.js';
import { CHIYODA } from '../support/api.js';
import { createDatabases } from '../support/platform.js';
import pg from 'pg';

const run = promisify(execFile);
const BIN = path.resolve('bin/municloud.js');
const ORIGIN = 'municloud.test/audit';
const ON_ROSTER = 600;

let dir: string;
let env: NodeJS.ProcessEnv;
let open: OpenPlatform;
let kms: LocalKeystore;
let drop: () => Promise<void>;
let cellUrl: string;
let controlUrl: string;
const residents: string[] = [];
const gone: string[] = [];

async function query<T extends pg.QueryResultRow>(url: string, sql: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, args)).rows;
  } finally {
    await c.end();
  }
}
const count = async (table: string, where = 'true') => Number((await query<{ n: string }>(cellUrl, `SELECT count(*) AS n FROM cell.${table} WHERE ${where}`))[0]!.n);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [BIN, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-tax-cli-'));
  const dbs = await createDatabases(['control', 'cell-a']);
  drop = dbs.drop;
  controlUrl = dbs.urls.get('control')!;
  cellUrl = dbs.urls.get('cell-a')!;
  const { privateKeyPem } = generateSigner(ORIGIN);
  const passphrase = randomBytes(18).toString('base64url');
  env = {
    ...process.env,
    DATABASE_URL: controlUrl,
    MUNICLOUD_CELLS: `cell-a=${cellUrl}`,
    MUNICLOUD_APP_PASSWORD: inject('appPassword'),
    MUNICLOUD_CURSOR_SECRET: randomBytes(32).toString('base64url'),
    MUNICLOUD_DATA_DIR: '/nonexistent',
    MUNICLOUD_KMS: 'local-keystore',
    MUNICLOUD_KEYSTORE_FILE: path.join(dir, 'keystore.json'),
    MUNICLOUD_KEYSTORE_PASSPHRASE: passphrase,
    MUNICLOUD_AUDIT_SIGNING_KEY: privateKeyPem,
    MUNICLOUD_AUDIT_ORIGIN: ORIGIN,
    // Its cell's location is not declared (docs/providers.md).
    MUNICLOUD_PLACEMENT_POLICY: 'development',
    LOG_LEVEL: 'warn',
  };
  // The platform of the test, on the same databases, keystore and audit key as the commands.
  const config = loadConfig(env);
  const databases: Databases = {
    controlAdminUrl: controlUrl,
    cells: config.cells,
    roles: { ownerRole: config.ownerRole, appRole: config.appRole, appPassword: env.MUNICLOUD_APP_PASSWORD! },
    cursorSecret: env.MUNICLOUD_CURSOR_SECRET!,
    embedded: null,
  };
  await migrateAll(databases);
  kms = await LocalKeystore.open({ file: env.MUNICLOUD_KEYSTORE_FILE!, passphrase, scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  const logFile = path.join(inject('logDir'), `${randomBytes(6).toString('hex')}.log`);
  const log = createLogger('info', { write: (line: string) => appendFileSync(logFile, line) });
  open = await openPlatform(config, log, databases, { kms, auditSigner: ed25519Signer(ORIGIN, privateKeyPem) });
  await open.platform.cells.place(CHIYODA, 'cell-a', null);
  // The municipality's keys exist before the commands start (they share the keystore file).
  await open.platform.keys.forMunicipality(CHIYODA);

  // The roster, as the feed would leave it (the feed has its own test): resident since 2020, and some gone on 1 January.
  for (let i = 0; i < ON_ROSTER; i++) residents.push(randomUUID());
  for (let i = 0; i < 10; i++) gone.push(randomUUID());
  await query(
    cellUrl,
    `INSERT INTO cell.residential_tax_roster (municipality_code, resident_id, resident_from, left_on, left_reason, household_id, date_of_birth, relationship, last_event_id)
     SELECT $1, id, '2020-04-01', left_on, CASE WHEN left_on IS NULL THEN NULL ELSE 'moved_out' END, gen_random_uuid(), '1980-06-15', '世帯主', gen_random_uuid()
       FROM unnest($2::uuid[], $3::date[]) AS x(id, left_on)`,
    [CHIYODA, [...residents, ...gone], [...residents.map(() => null), ...gone.map(() => '2026-01-01')]],
  );
}, 120_000);

afterAll(async () => {
  await open?.close();
  await kms?.close();
  await drop?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const line = (residentId: string, i: number) => JSON.stringify({ residentId, source: 'salary_report', income: { salary: 2_000_000 + i * 1000 }, deductions: { socialInsurance: 300_000 } });

describe('municloud residential-tax', () => {
  it('income import stores nothing from a file with a bad line, and a good file as an audited job', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    await writeFile(bad, [line(residents[0]!, 0), '{"residentId": ', JSON.stringify({ residentId: residents[1], source: 'salary_report', income: { salary: -5 } }), line(gone[0]!, 3), line(residents[0]!, 4)].join('\n'));
    const refused = await cli(['residential-tax', 'income', 'import', '--municipality', CHIYODA, '--fiscal-year', '2026', '--file', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/residential_tax_income_rejected/);
    expect(refused.stderr).toMatch(/line\/2: is not well-formed JSON/);
    expect(refused.stderr).toMatch(/line\/3\/income\/salary:/);
    expect(refused.stderr).toMatch(/line\/4\/residentId: was not resident here on 1 January/);
    expect(refused.stderr).toMatch(/line\/5\/residentId: the same resident and fiscal year appear again/);
    expect(refused.stderr).not.toMatch(/2000000|-5/);
    expect(await count('residential_tax_income_records')).toBe(0);

    // Every resident but the last 60 (who will be unreported).
    const good = path.join(dir, 'good.jsonl');
    await writeFile(good, residents.slice(0, ON_ROSTER - 60).map(line).join('\n') + '\n');
    const stored = await cli(['residential-tax', 'income', 'import', '--municipality', CHIYODA, '--fiscal-year', '2026', '--file', good]);
    expect(stored.code, stored.stderr).toBe(0);
    expect(stored.stderr).toMatch(/540 \/ 540 income records stored/);
    expect(stored.stderr).toMatch(/done: 540 income records stored \(0 replaced an earlier one\); audit run id [0-9a-f-]{36}/);
    expect(await count('residential_tax_income_records', 'import_run_id IS NOT NULL AND entered_by IS NULL')).toBe(540);

    const ofAnotherYear = path.join(dir, 'other-year.jsonl');
    await writeFile(ofAnotherYear, JSON.stringify({ ...JSON.parse(line(residents[0]!, 0)), fiscalYear: 2026 }) + '\n');
    const other = await cli(['residential-tax', 'income', 'import', '--municipality', CHIYODA, '--fiscal-year', '2025', '--file', ofAnotherYear]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/line\/1\/fiscalYear: differs from --fiscal-year 2025/);
    expect((await cli(['residential-tax', 'income', 'import', '--municipality', CHIYODA, '--fiscal-year', '2026', '--file', path.join(dir, 'none.jsonl')])).stderr).toMatch(/cannot read/);
    expect(await count('residential_tax_income_records')).toBe(540);
  }, 120_000);

  it('assess shows progress, stops after the batch in flight on SIGINT, and the same command resumes: everyone once', async () => {
    const args = ['residential-tax', 'assess', '--municipality', CHIYODA, '--fiscal-year', '2026', '--living-cost-class', '1', '--batch', '3'];
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let signalled = false;
    child.stderr!.on('data', (d) => {
      stderr += d;
      if (!signalled && /%\s+\d+ \/ 600 residents/.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/stopping after the batch in flight/);
    const stoppedMatch = /stopped at ([\d,]+) of 600 residents; run the same command to resume/.exec(stderr);
    expect(stoppedMatch, stderr).not.toBeNull();
    const stoppedAt = Number(/stopped at ([\d,]+) of 600 residents; run the same command to resume/.exec(stderr)![1]!.replaceAll(',', ''));
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(ON_ROSTER);
    expect(await count('residential_tax_assessments')).toBe(stoppedAt);

    const resumed = await cli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`done: run 1 of fiscal year 2026, 600 residents: 540 assessed, 60 without an income record, 0 refused by the rules \\(resumed at ${stoppedAt}\\)`));
    expect(await count('residential_tax_assessments')).toBe(ON_ROSTER);
    const perResident = await query<{ resident_id: string; n: string }>(cellUrl, 'SELECT resident_id, count(*) AS n FROM cell.residential_tax_assessments GROUP BY resident_id');
    expect(perResident.map((r) => r.resident_id).sort()).toEqual([...residents].sort());
    expect(perResident.every((r) => r.n === '1')).toBe(true);

    const again = await cli(args);
    expect(again.stderr).toMatch(/fiscal year 2026 was assessed by run 1 .*nothing to do/);
    expect(await count('residential_tax_assessments')).toBe(ON_ROSTER);

    // The job is on record: the residents it assessed, as the platform's job.
    const leaves = await query<{ leaf: Buffer }>(controlUrl, 'SELECT leaf FROM control.audit_entries ORDER BY seq');
    const entries = leaves.map((l) => JSON.parse(l.leaf.toString('utf8')).entry as { kind: string; actor: { account: string | null }; records: { resource: string; ids: string[] }[] });
    const assessed = new Set(
      entries
        .filter((e) => e.kind === 'personal_data_change' && e.actor.account === null && e.records.some((r) => r.resource === 'residential_tax_runs'))
        .flatMap((e) => e.records.filter((r) => r.resource === 'residents').flatMap((r) => r.ids)),
    );
    expect(assessed).toEqual(new Set(residents));

    const bad = await cli(['residential-tax', 'assess', '--municipality', CHIYODA, '--fiscal-year', 'next']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fiscal-year must be a whole number/);
  }, 180_000);
});
