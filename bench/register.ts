/**
 * Benchmark: the resident register (住民基本台帳).
 *
 * 1. Move-in filings per second through the API (a household of 2: sealed
 *    records, blind indexes, history, outbox and audit entry) with N concurrent
 *    clients, against single-row INSERT + COMMIT of a similar payload on the
 *    same PostgreSQL with as many connections, in interleaved rounds; the
 *    ratio filings/s ÷ inserts/s (target ≥ 0.5). POST /v1/offices, the
 *    platform's simplest authenticated write, runs in the same rounds for
 *    reference. Again after part 3's load, into the cell that holds it.
 *    What a filing sends is counted on a probe, and the CPU of this process
 *    and of PostgreSQL is reported per operation.
 * 2. Certificate PDFs per second: the pure pipeline (content → Ed25519
 *    signature → PDF) for a household copy of 4 and an individual copy, in
 *    this thread and on worker threads, against a one-page PDFKit document
 *    with the same embedded font (./register-pdf.ts).
 * 3. Search at BENCH_RESIDENTS residents (default 1,000,000) in one
 *    municipality: the synthetic population loaded through the real bulk path
 *    (its residents/s reported), then seven query mixes through the API with
 *    concurrency 4, p50/p99 each, against GET /v1/residents/:id (the same
 *    plumbing, no search terms) in interleaved rounds (target: p99 < 20 ms);
 *    EXPLAIN ANALYZE of each mix for BENCH_PLAN_SAMPLES people as the
 *    application role; the leak guard with a prefilled hour (informational).
 * Before them: one statement round trip, the floor under every request.
 *
 * Figures are ratios to baselines measured in the same run: the machine is
 * shared and noisy. Exits non-zero only on errors (setup, a check, any
 * unexpected HTTP status), never on a missed target. Creates its own
 * databases and roles (mcbench_<random>_*) and drops them at the end, also on
 * Ctrl-C; with BENCH_KEEP_DATA_DIR the loaded population is kept for the next
 * run instead (see bench/RESULTS.md, "Resident register").
 *
 * Tuning (environment), with defaults:
 *   BENCH_PARTS=pdf,filings,search,filings-loaded
 *   BENCH_FILING_CONCURRENCY=8 BENCH_FILING_ROUNDS=10 BENCH_FILING_ROUND_MS=1500
 *   BENCH_PDF_ROUNDS=6 BENCH_PDF_ROUND_MS=1000 BENCH_PDF_WORKERS=<cores>
 *   BENCH_RESIDENTS=1000000 BENCH_LOAD_BATCH=2000 BENCH_SEARCH_CONCURRENCY=4
 *   BENCH_SEARCH_ROUNDS=8 BENCH_SEARCH_ROUND_MS=1000 BENCH_SEARCH_SAMPLES=2000
 *   BENCH_PLAN_SAMPLES=10 BENCH_VIEWS_PREFILL=20000 (0: off) BENCH_WARMUP_MS=2000
 *   BENCH_KEEP_DATA_DIR (unset)
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createAccount } from '../src/identity/accounts.js';
import { provisionActiveTotp } from '../src/identity/mfa.js';
import { totpAt } from '../src/identity/totp.js';
import { inTenantTransaction, inTransaction } from '../src/platform/database.js';
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.js';
import type { Platform } from '../src/platform/http/server.js';
import { createLogger } from '../src/platform/logger.js';
import { todayInJapan } from '../src/resident-register/changes.js';
import { loadSyntheticPopulation, type LoadReport } from '../src/resident-register/population-load.js';
import type { Address, PersonInput } from '../src/resident-register/record.js';
import { searchCriteria, type SearchCriteria } from '../src/resident-register/search.js';
import { searchByTerms } from '../src/resident-register/store.js';
import { generatePopulation, MAX_POPULATION } from '../src/resident-register/synthetic/index.js';
import { replaceZones } from '../src/security/access/network-zones.js';
import { RECORD_AND_COUNT_VIEWS, setLimits } from '../src/security/access/leak-guard.js';
import { ed25519Signer, generateSigner } from '../src/security/audit/signer.js';
import { LocalKeystore } from '../src/security/keys/kms/local-keystore.js';
import { benchServer, databaseUrl, intEnv, migratedPlatformDatabases, out, prng, request, runWithCleanup, servePlatform, step, withAdmin, type Cleanups } from './harness.js';
import { benchCertificates, reportCertificates, type PdfReport } from './register-pdf.js';
import { cpuSnapshot, stopping, watchDatabases, watchPostgresOf, whenIdle, expectStatus, fmt, median, ms, Pooled, range, roundOrder, runTimed, type Timed } from './register-support.js';

// ---------------------------------------------------------------------------
// Settings

const PARTS = new Set((process.env.BENCH_PARTS || 'pdf,filings,search,filings-loaded').split(',').map((s) => s.trim()));
const WARMUP_MS = intEnv('BENCH_WARMUP_MS', 2000);
const FILING_CONCURRENCY = intEnv('BENCH_FILING_CONCURRENCY', 8);
const FILING_ROUNDS = intEnv('BENCH_FILING_ROUNDS', 10);
const FILING_ROUND_MS = intEnv('BENCH_FILING_ROUND_MS', 1500);
const PDF_ROUNDS = intEnv('BENCH_PDF_ROUNDS', 6);
const PDF_ROUND_MS = intEnv('BENCH_PDF_ROUND_MS', 1000);
const PDF_WORKERS = intEnv('BENCH_PDF_WORKERS', os.availableParallelism());
const RESIDENTS = intEnv('BENCH_RESIDENTS', 1_000_000);
const LOAD_BATCH = intEnv('BENCH_LOAD_BATCH', 2000);
const SEARCH_CONCURRENCY = intEnv('BENCH_SEARCH_CONCURRENCY', 4);
const SEARCH_ROUNDS = intEnv('BENCH_SEARCH_ROUNDS', 8);
const SEARCH_ROUND_MS = intEnv('BENCH_SEARCH_ROUND_MS', 1000);
const SEARCH_SAMPLES = intEnv('BENCH_SEARCH_SAMPLES', 2000);
const PLAN_SAMPLES = intEnv('BENCH_PLAN_SAMPLES', 10);
/** 0 switches the leak-guard runs off. */
const VIEWS_PREFILL = process.env.BENCH_VIEWS_PREFILL === '0' ? 0 : intEnv('BENCH_VIEWS_PREFILL', 20_000);
const KEEP_DIR = process.env.BENCH_KEEP_DATA_DIR ? path.resolve(process.env.BENCH_KEEP_DATA_DIR) : null;
const MAX_OPS = 10_000_000;
const CORES = os.availableParallelism();

const FILING_TARGET = 0.5;
const SEARCH_P99_TARGET_MS = 20;

/** Where each part's municipality lives. */
const FILINGS_CODE = '131016'; // 千代田区, on its own fresh cell
const SEARCH_CODE = '011002'; // 札幌市, the loaded population
const LOADED_FILINGS_CODE = '141003'; // 横浜市, filing into the loaded cell
const CELLS = { filings: 'cell-filings', search: 'cell-search' } as const;

const POPULATION_SEED = 'municloud-bench-register';
/** A fixed date, so that a kept load resumes and the samples regenerate the same people. */
const POPULATION_AS_OF = '2026-04-01';
const PREVIOUS_RESIDENCE = { kind: 'domestic', address: { postalCode: null, prefecture: '北海道', municipality: '札幌市中央区', town: '北一条西二丁目', block: '1番地', building: null } };

if (RESIDENTS > MAX_POPULATION) throw new Error(`BENCH_RESIDENTS is at most ${MAX_POPULATION}`);

/** Runs and adds a run to `pooled` with the CPU this process and PostgreSQL used meanwhile. */
async function measure(pooled: Pooled, run: () => Promise<Timed>): Promise<Timed> {
  const before = cpuSnapshot();
  const t = await run();
  pooled.add(t, { before, after: cpuSnapshot() });
  return t;
}

// ---------------------------------------------------------------------------
// The server and databases

/** The population load, so that Ctrl-C can stop it after its batch and wait for it. */
const loadControl = new AbortController();
let loadInFlight: Promise<unknown> = Promise.resolve();

interface Setup {
  platform: Platform;
  port: number;
  agent: http.Agent;
  serverKind: string;
  serverVersion: string;
  adminUrl: (db: 'control' | 'filings' | 'search' | 'baseline') => string;
  /** Database names, for the statement counts. */
  dbNames: { control: string; filings: string; search: string };
  login: (organizationCode: string, role?: 'clerk' | 'municipal_admin') => Promise<{ token: string; accountId: string }>;
}

interface KeepSecrets {
  superuserPassword: string;
  keystorePassphrase: string;
  auditKeyPem: string;
}

async function keepSecrets(dir: string): Promise<KeepSecrets> {
  const file = path.join(dir, 'bench-secrets.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as KeepSecrets;
  } catch (err) {
    // Only a new directory gets new secrets: the kept server and keystore need the old ones.
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
    const secrets: KeepSecrets = {
      superuserPassword: randomBytes(18).toString('base64url'),
      keystorePassphrase: randomBytes(18).toString('base64url'),
      auditKeyPem: generateSigner('municloud.bench/audit').privateKeyPem,
    };
    await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
    return secrets;
  }
}

async function setUp(cleanups: Cleanups): Promise<Setup> {
  const log = createLogger(process.env.LOG_LEVEL || 'warn');
  const secrets = KEEP_DIR ? (await mkdir(KEEP_DIR, { recursive: true }), await chmod(KEEP_DIR, 0o755), await keepSecrets(KEEP_DIR)) : null;

  let serverAdminUrl: string;
  let serverKind: string;
  if (KEEP_DIR && !process.env.DATABASE_URL) {
    step(`starting the embedded PostgreSQL kept in ${KEEP_DIR}`);
    const embedded = await startEmbeddedPostgres({ dataDir: KEEP_DIR, superuserPassword: secrets!.superuserPassword, log: createLogger('error') });
    cleanups.push(() => embedded.stop());
    serverAdminUrl = embedded.adminUrl('postgres');
    serverKind = `embedded (embedded-postgres), kept in ${KEEP_DIR}`;
  } else {
    ({ adminUrl: serverAdminUrl, kind: serverKind } = await benchServer(cleanups, step));
  }
  const serverVersion = await withAdmin(serverAdminUrl, async (c) => {
    watchPostgresOf((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  });

  // Kept: the control database, the loaded cell and the roles. Always fresh: the filings cell and the baseline database.
  // A kept directory's databases are named after it: another directory (other keys) never meets them.
  const keepTag = KEEP_DIR ? `keep${createHash('sha256').update(KEEP_DIR).digest('hex').slice(0, 8)}` : randomBytes(4).toString('hex');
  const freshTag = KEEP_DIR ? randomBytes(4).toString('hex') : keepTag;
  const ownerRole = `mcbench_${keepTag}_owner`;
  const appRole = `mcbench_${keepTag}_app`;
  const names = {
    control: `mcbench_${keepTag}_control`,
    search: `mcbench_${keepTag}_search`,
    filings: `mcbench_${freshTag}_filings`,
    baseline: `mcbench_${freshTag}_baseline`,
  };
  const kept = new Set(KEEP_DIR ? [names.control, names.search] : []);
  watchDatabases(Object.values(names));
  const created: string[] = [];
  cleanups.push(() =>
    withAdmin(serverAdminUrl, async (c) => {
      for (const db of created) if (!kept.has(db)) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`);
      if (!KEEP_DIR) for (const role of [appRole, ownerRole]) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    }),
  );
  await withAdmin(serverAdminUrl, async (c) => {
    for (const db of Object.values(names)) {
      const exists = (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db])).rowCount === 1;
      if (exists && !kept.has(db)) throw new Error(`database ${db} exists already`);
      if (!exists) await c.query(`CREATE DATABASE ${pg.escapeIdentifier(db)} ENCODING 'UTF8' TEMPLATE template0`);
      created.push(db);
    }
  });
  const adminUrl = (db: keyof typeof names) => databaseUrl(serverAdminUrl, names[db]);

  step(`migrating control + 2 cells on ${serverKind}, PostgreSQL ${serverVersion}`);
  const { config, databases } = await migratedPlatformDatabases({
    controlUrl: adminUrl('control'),
    cells: { [CELLS.filings]: adminUrl('filings'), [CELLS.search]: adminUrl('search') },
    defaultCell: CELLS.filings,
    roles: { ownerRole, appRole },
  });

  // The platform, exactly as `municloud serve` builds it, with a local keystore for the municipalities' keys.
  let keystoreFile: string;
  let passphrase: string;
  if (KEEP_DIR) {
    keystoreFile = path.join(KEEP_DIR, 'keystore.json');
    passphrase = secrets!.keystorePassphrase;
  } else {
    const keystoreDir = await mkdtemp(path.join(os.tmpdir(), 'municloud-bench-kms-'));
    cleanups.push(() => rm(keystoreDir, { recursive: true, force: true }));
    keystoreFile = path.join(keystoreDir, 'keystore.json');
    passphrase = 'bench keystore passphrase';
  }
  const kms = await LocalKeystore.open({ file: keystoreFile, passphrase, scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  cleanups.push(() => kms.close());
  const auditSigner = KEEP_DIR ? ed25519Signer('municloud.bench/audit', secrets!.auditKeyPem) : generateSigner('municloud.bench/audit').signer;
  const { platform, port, agent } = await servePlatform(cleanups, config, databases, log, { maxSockets: Math.max(FILING_CONCURRENCY, SEARCH_CONCURRENCY), kms, auditSigner });

  // Runs first on Ctrl-C: no new requests, the load stops after its batch, and what is in flight ends
  // before the platform closes and the databases are dropped.
  cleanups.push(async () => {
    stopping.requested = true;
    loadControl.abort();
    await whenIdle(10_000);
    await loadInFlight.catch(() => undefined);
  });

  const runTag = randomBytes(3).toString('hex');
  const login = async (organizationCode: string, role: 'clerk' | 'municipal_admin' = 'clerk'): Promise<{ token: string; accountId: string }> => {
    const loginName = `bench-${runTag}-${organizationCode}-${role}`;
    const password = randomBytes(18).toString('base64url');
    const account = await createAccount(platform.control, { organizationCode, loginName, displayName: 'ベンチマーク職員', roles: [role], password });
    // Clerks log in with a second factor: give the account an authenticator and answer the challenge.
    const secret = await provisionActiveTotp(platform.control, account.id);
    const json = { 'content-type': 'application/json' };
    const res = await expectStatus(agent, port, 200, 'POST', '/v1/auth/login', json, JSON.stringify({ organizationCode, loginName, password }));
    const { challenge } = JSON.parse(res.body) as { challenge: string };
    const done = await expectStatus(agent, port, 200, 'POST', '/v1/auth/login/mfa', json, JSON.stringify({ challenge, code: totpAt(secret, Date.now()) }));
    return { token: (JSON.parse(done.body) as { token: string }).token, accountId: account.id };
  };

  return { platform, port, agent, serverKind, serverVersion, adminUrl, dbNames: names, login };
}

/** Places the municipality on the cell and this machine (127.0.0.0/8, ::1) in its My Number zone. */
async function prepareMunicipality(platform: Platform, code: string, cell: string): Promise<void> {
  await platform.cells.place(code, cell, null);
  await inTransaction(platform.control, (client) =>
    replaceZones(client, code, [
      { zone: 'my_number', cidr: '127.0.0.0/8' },
      { zone: 'my_number', cidr: '::1/128' },
    ]),
  );
}

// ---------------------------------------------------------------------------
// Statement counts (a probe, not the measured rounds): every query a pg client sends, by database.

interface Counts {
  statements: number;
  commits: number;
}
/** Per database: statements and commits; per statement (database and first words): count and wall time from send to result. */
const counting = { on: false, byDb: new Map<string, Counts>(), byStatement: new Map<string, { n: number; ms: number }>() };
{
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown; connectionParameters?: { database?: string } };
  const original = proto.query;
  proto.query = function (this: { connectionParameters?: { database?: string } }, ...args: unknown[]) {
    if (!counting.on) return original.apply(this, args);
    // pg.Pool#query passes a callback; everything else here awaits the promise.
    const t0 = performance.now();
    let done: (() => void) | undefined;
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last] as (...a: unknown[]) => void;
      args[last] = (...a: unknown[]) => {
        done?.();
        cb(...a);
      };
    }
    const result = original.apply(this, args);
    {
      const db = this.connectionParameters?.database ?? '?';
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '');
      const c = counting.byDb.get(db) ?? { statements: 0, commits: 0 };
      if (/^\s*COMMIT\b/i.test(text)) c.commits++;
      else if (!/^\s*(BEGIN|ROLLBACK)\b/i.test(text)) c.statements++;
      counting.byDb.set(db, c);
      const key = `${db.replace(/^mcbench_(keep)?[0-9a-f]+_/, '')}: ${text.replace(/\s+/g, ' ').trim().slice(0, 70)}`;
      done = () => {
        const s = counting.byStatement.get(key) ?? { n: 0, ms: 0 };
        s.n++;
        s.ms += performance.now() - t0;
        counting.byStatement.set(key, s);
      };
      if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, () => undefined);
    }
    return result;
  };
}

interface Probe {
  readonly ops: number;
  perOp(db: string): Counts;
  readonly auditEntriesPerControlCommit: number | null;
  /** The statements sent per operation, most time first: count, mean wall time from send to result. */
  readonly listing: string;
}

/** Runs `op` for 2 s at `concurrency` with every statement counted and timed (the probe is not part of the figures). */
async function probeStatements(s: Setup, concurrency: number, op: () => Promise<void>): Promise<Probe> {
  await s.platform.audit.appender.flush();
  const entriesBefore = await auditEntryCount(s);
  counting.byDb.clear();
  counting.byStatement.clear();
  counting.on = true;
  const t = await runTimed(concurrency, 2000, MAX_OPS, op);
  counting.on = false;
  await s.platform.audit.appender.flush();
  const entriesAfter = await auditEntryCount(s);
  if (t.errors > 0) throw new Error(`probe: ${t.errors} failed, first: ${t.firstError}`);
  const ops = t.ops;
  const controlCommits = counting.byDb.get(s.dbNames.control)?.commits ?? 0;
  const lines = [...counting.byStatement]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([key, v]) => `    ${(v.n / ops).toFixed(2).padStart(5)}× ${(v.ms / v.n).toFixed(2).padStart(6)} ms  ${key}`);
  const mean = t.latenciesMs.reduce((a, b) => a + b, 0) / t.latenciesMs.length;
  return {
    ops,
    perOp: (db) => {
      const c = counting.byDb.get(db);
      return { statements: (c?.statements ?? 0) / ops, commits: (c?.commits ?? 0) / ops };
    },
    auditEntriesPerControlCommit: controlCommits > 0 ? (entriesAfter - entriesBefore) / controlCommits : null,
    listing: [`    per operation (probe: ${ops} operations at concurrency ${concurrency}, mean latency ${mean.toFixed(1)} ms): count, mean ms from send to result, statement`, ...lines].join('\n'),
  };
}

// ---------------------------------------------------------------------------
// Part 1: move-in filings against single-row INSERT + COMMIT

interface FilingsReport {
  readonly label: string;
  readonly filings: Pooled;
  readonly inserts: Pooled;
  readonly officeWrites: Pooled;
  readonly payloadBytes: number;
  readonly perFiling: { cell: Counts; control: Counts; auditEntriesPerCommit: number | null };
  readonly listing: string;
  readonly cellResidentsBefore: number;
  readonly cellDb: string;
  readonly controlDb: string;
}

/** Move-in bodies: households of exactly two from the synthetic generator (unique My Numbers and resident codes), as JSON. */
function moveInBodies(municipalityCode: string, seed: string): () => string {
  const filedOn = todayInJapan();
  const eventDate = new Date(Date.parse(`${filedOn}T00:00:00Z`) - 5 * 86_400_000).toISOString().slice(0, 10);
  const households = generatePopulation({ seed, municipalityCode, size: MAX_POPULATION, asOf: eventDate });
  return () => {
    for (;;) {
      const next = households.next();
      if (next.done) throw new Error('out of synthetic households for filings');
      const h = next.value;
      if (h.members.length !== 2) continue;
      return JSON.stringify({ eventDate, filedOn, previousResidence: PREVIOUS_RESIDENCE, household: { kind: 'new', address: h.address }, persons: h.members });
    }
  };
}

async function benchFilings(s: Setup, label: string, municipalityCode: string, cell: 'filings' | 'search', seed: string): Promise<FilingsReport> {
  const { platform, agent, port } = s;
  await prepareMunicipality(platform, municipalityCode, cell === 'filings' ? CELLS.filings : CELLS.search);
  const { token } = await s.login(municipalityCode);
  // Informational: the platform's simplest authenticated write through the same server (POST /v1/offices:
  // token, tenant transaction, one INSERT; no My Number zone, purpose, sealing, blind indexes, outbox or audit entry).
  const admin = await s.login(municipalityCode, 'municipal_admin');
  const officeHeaders = { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' };
  let offices = 0;
  const office = async () => {
    const n = ++offices;
    const body = JSON.stringify({ kind: 'counter', name: `ベンチ第${n}出張所`, nameKana: 'ベンチシュッチョウジョ', postalCode: '100-0001', address: `千代田区千代田${n}`, phone: '03-0000-0000' });
    const res = await request(agent, port, 'POST', '/v1/offices', officeHeaders, body);
    if (res.status !== 201) throw new Error(`POST /v1/offices → ${res.status} ${res.body.slice(0, 300)}`);
  };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'municloud-purpose': 'residency_change' };
  const cellResidentsBefore = await withAdmin(s.adminUrl(cell), async (c) => Number((await c.query('SELECT count(*) FROM cell.residents')).rows[0].count));

  // Bodies are made before the clock runs (generating costs CPU on the same cores as the server).
  const nextBody = moveInBodies(municipalityCode, seed);
  const bodies: string[] = [];
  let used = 0;
  const topUp = (n: number) => {
    while (bodies.length - used < n) bodies.push(nextBody());
  };
  const file = async () => {
    if (used >= bodies.length) topUp(100);
    const body = bodies[used++]!;
    const res = await request(agent, port, 'POST', '/v1/resident-changes/move-in', headers, body);
    if (res.status !== 201) throw new Error(`move-in → ${res.status} ${res.body.slice(0, 300)}`);
  };

  step(`filings [${label}]: ${fmt(cellResidentsBefore)} residents in the cell; warm-up ${WARMUP_MS} ms at concurrency ${FILING_CONCURRENCY}`);
  topUp(3000);
  const warm = await runTimed(FILING_CONCURRENCY, WARMUP_MS, MAX_OPS, file);
  if (warm.errors > 0) throw new Error(`filings warm-up: ${warm.errors} failed, first: ${warm.firstError}`);

  // The baseline's payload: as many bytes as a filing seals (its change, two records, the household's address).
  const payloadBytes = await withAdmin(s.adminUrl(cell), async (c) => {
    const { rows } = await c.query<{ n: string }>(
      `SELECT round((SELECT avg(octet_length(payload_sealed)) FROM cell.resident_changes WHERE kind = 'move_in')
                  + 2 * (SELECT avg(octet_length(r.record_sealed)) FROM cell.residents r JOIN cell.resident_changes ch ON r.last_change_seq = ch.seq AND ch.kind = 'move_in')
                  + (SELECT avg(octet_length(address_sealed)) FROM cell.households h WHERE h.version = 1))::text AS n`,
    );
    return Number(rows[0]!.n);
  });
  const payloads = Array.from({ length: 64 }, () => randomBytes(payloadBytes));
  const clients = await Promise.all(
    Array.from({ length: FILING_CONCURRENCY }, async () => {
      const c = new pg.Client({ connectionString: s.adminUrl('baseline'), application_name: 'mcbench-baseline' });
      c.on('error', () => undefined); // dropped at cleanup (also on Ctrl-C): the next query fails instead
      await c.connect();
      return c;
    }),
  );
  try {
    await clients[0]!.query('CREATE TABLE IF NOT EXISTS bench_inserts (id uuid PRIMARY KEY, payload bytea NOT NULL)');
    const insert = async (w: number, i: number) => {
      await clients[w]!.query('INSERT INTO bench_inserts (id, payload) VALUES ($1, $2)', [randomUUID(), payloads[i % payloads.length]]);
    };
    const warmIns = await runTimed(FILING_CONCURRENCY, WARMUP_MS, MAX_OPS, insert);
    if (warmIns.errors > 0) throw new Error(`baseline warm-up: ${warmIns.errors} failed, first: ${warmIns.firstError}`);
    const warmOffice = await runTimed(FILING_CONCURRENCY, WARMUP_MS / 2, MAX_OPS, office);
    if (warmOffice.errors > 0) throw new Error(`office writes warm-up: ${warmOffice.errors} failed, first: ${warmOffice.firstError}`);

    // What one filing sends, counted on a short probe (not the measured rounds).
    topUp(5000);
    const probed = await probeStatements(s, FILING_CONCURRENCY, file);
    const perFiling = {
      cell: probed.perOp(cell === 'filings' ? s.dbNames.filings : s.dbNames.search),
      control: probed.perOp(s.dbNames.control),
      auditEntriesPerCommit: probed.auditEntriesPerControlCommit,
    };
    step(
      `  per filing: cell ${perFiling.cell.statements.toFixed(1)} statements + ${perFiling.cell.commits.toFixed(2)} commits; ` +
        `control ${perFiling.control.statements.toFixed(2)} statements + ${perFiling.control.commits.toFixed(2)} commits ` +
        `(audit entries per control commit ≈ ${perFiling.auditEntriesPerCommit?.toFixed(1) ?? '?'}); baseline payload ${payloadBytes} bytes`,
    );
    out(probed.listing);
    step(`filings [${label}]: ${FILING_ROUNDS} rounds × ${FILING_ROUND_MS} ms per variant, alternating`);
    const filings = new Pooled();
    const inserts = new Pooled();
    const officeWrites = new Pooled();
    for (let round = 0; round < FILING_ROUNDS; round++) {
      topUp(Math.max(5000, 3 * Math.max(0, ...filings.roundRates) * (FILING_ROUND_MS / 1000)));
      for (const i of roundOrder(3, round)) {
        if (i === 0) await measure(inserts, () => runTimed(FILING_CONCURRENCY, FILING_ROUND_MS, MAX_OPS, insert));
        else if (i === 1) await measure(filings, () => runTimed(FILING_CONCURRENCY, FILING_ROUND_MS, MAX_OPS, file));
        else await measure(officeWrites, () => runTimed(FILING_CONCURRENCY, FILING_ROUND_MS, MAX_OPS, office));
      }
      step(`  round ${round + 1}/${FILING_ROUNDS}: inserts ${fmt(inserts.roundRates.at(-1)!)}/s, filings ${fmt(filings.roundRates.at(-1)!)}/s, office writes ${fmt(officeWrites.roundRates.at(-1)!)}/s`);
    }
    for (const [name, p] of [['filings', filings], ['inserts', inserts], ['office writes', officeWrites]] as const) {
      if (p.errors > 0) throw new Error(`${name}: ${p.errors} failed, first: ${p.firstError}`);
    }
    return { label, filings, inserts, officeWrites, payloadBytes, perFiling, listing: probed.listing, cellResidentsBefore, cellDb: cell === 'filings' ? s.dbNames.filings : s.dbNames.search, controlDb: s.dbNames.control };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function auditEntryCount(s: Setup): Promise<number> {
  return withAdmin(s.adminUrl('control'), async (c) => Number((await c.query('SELECT count(*) FROM control.audit_entries')).rows[0].count));
}

function reportFilings(reports: readonly FilingsReport[]): void {
  out(`## Move-in filings (household of 2) vs single-row INSERT + COMMIT, ${FILING_CONCURRENCY} concurrent clients`);
  out();
  out('| cell | residents in cell before | filings/s | residents/s | filing p50 / p99 ms | inserts/s | insert p50 / p99 ms | **filings/s ÷ inserts/s (pooled)** | per round: median [min–max] | target ≥ 0.5 |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of reports) {
    const ratio = r.filings.rate / r.inserts.rate;
    const perRound = r.filings.roundRates.map((f, i) => f / r.inserts.roundRates[i]!);
    out(
      `| ${r.label} | ${fmt(r.cellResidentsBefore)} | ${fmt(r.filings.rate)} | ${fmt(2 * r.filings.rate)} | ${ms(r.filings.p(50))} / ${ms(r.filings.p(99))} | ` +
        `${fmt(r.inserts.rate)} | ${ms(r.inserts.p(50))} / ${ms(r.inserts.p(99))} | **${ratio.toFixed(3)}** | ${median(perRound).toFixed(3)} [${range(perRound, 3)}] | ${ratio >= FILING_TARGET ? 'met' : 'missed'} |`,
    );
  }
  out();
  out('Informational, the same plumbing without the register: `POST /v1/offices` (token, tenant transaction, one INSERT, no audit entry), same clients, same rounds:');
  out();
  out('| cell | office writes/s | p50 / p99 ms | CPU ms node / PostgreSQL | filings/s ÷ office writes/s (pooled) | per round: median [min–max] |');
  out('|---|---:|---:|---:|---:|---:|');
  for (const r of reports) {
    const o = r.officeWrites.cpu(CORES);
    const perRound = r.filings.roundRates.map((f, i) => f / r.officeWrites.roundRates[i]!);
    out(
      `| ${r.label} | ${fmt(r.officeWrites.rate)} | ${ms(r.officeWrites.p(50))} / ${ms(r.officeWrites.p(99))} | ${o.node.toFixed(2)} / ${o.pg.toFixed(2)} | ` +
        `${(r.filings.rate / r.officeWrites.rate).toFixed(3)} | ${median(perRound).toFixed(3)} [${range(perRound, 3)}] |`,
    );
  }
  out();
  out(`CPU per operation during the rounds (this process, i.e. server + load generator, and all PostgreSQL processes; ${CORES} cores):`);
  out();
  out('| cell | filing: node ms (kernel) | filing: PostgreSQL ms (cell / control / server processes) | cores busy | insert: node ms (kernel) | insert: PostgreSQL ms | cores busy |');
  out('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of reports) {
    const f = r.filings.cpu(CORES);
    const b = r.inserts.cpu(CORES);
    const by = (db: string) => ((r.filings.pgCpuByDb.get(db) ?? 0) / r.filings.ops).toFixed(2);
    out(
      `| ${r.label} | ${f.node.toFixed(2)} (${f.nodeSystem.toFixed(2)}) | ${f.pg.toFixed(2)} (${by(r.cellDb)} / ${by(r.controlDb)} / ${by('background')}) | ${fmt(100 * f.busy)}% | ` +
        `${b.node.toFixed(3)} (${b.nodeSystem.toFixed(3)}) | ${b.pg.toFixed(3)} | ${fmt(100 * b.busy)}% |`,
    );
  }
  out();
  for (const r of reports) {
    out(
      `${r.label}: per filing (probe, ${FILING_CONCURRENCY} clients) the cell received ${r.perFiling.cell.statements.toFixed(1)} statements in ${r.perFiling.cell.commits.toFixed(2)} transactions, ` +
        `the control database ${r.perFiling.control.statements.toFixed(2)} statements and ${r.perFiling.control.commits.toFixed(2)} commits ` +
        `(≈ ${r.perFiling.auditEntriesPerCommit?.toFixed(1) ?? '?'} audit entries per audit commit); baseline payload ${r.payloadBytes} bytes per row.`,
    );
    out('```');
    out(r.listing);
    out('```');
  }
  out();
}

/**
 * The floor of any request here: one statement round trip through node-pg (unnamed extended protocol, as the
 * platform sends them), `SELECT set_config($1, $2, true)` on the cell, at the given concurrency.
 */
async function roundTripFloor(s: Setup, concurrency: number): Promise<Pooled> {
  const clients = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = new pg.Client({ connectionString: s.adminUrl('filings'), application_name: 'mcbench-floor' });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    }),
  );
  try {
    const op = (w: number) => clients[w]!.query('SELECT set_config($1, $2, true)', ['municloud.municipality_code', FILINGS_CODE]).then(() => undefined);
    await runTimed(concurrency, 500, MAX_OPS, op);
    const p = new Pooled();
    for (let round = 0; round < 3; round++) await measure(p, () => runTimed(concurrency, 1000, MAX_OPS, op));
    if (p.errors > 0) throw new Error(`round trips: ${p.firstError}`);
    return p;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

function reportFloor(floors: readonly { concurrency: number; pooled: Pooled }[]): void {
  out('## One statement round trip (the floor under every request)');
  out();
  out('`SELECT set_config($1, $2, true)` through node-pg (unnamed extended protocol, like every platform query), as the administrator, on the same server:');
  out();
  out('| concurrency | statements/s | p50 / p99 ms | CPU µs per statement: node / PostgreSQL | cores busy |');
  out('|---:|---:|---:|---:|---:|');
  for (const f of floors) {
    const c = f.pooled.cpu(CORES);
    out(`| ${f.concurrency} | ${fmt(f.pooled.rate)} | ${ms(f.pooled.p(50))} / ${ms(f.pooled.p(99))} | ${fmt(1000 * c.node)} (kernel ${fmt(1000 * c.nodeSystem)}) / ${fmt(1000 * c.pg)} | ${fmt(100 * c.busy)}% |`);
  }
  out();
}

// ---------------------------------------------------------------------------
// Part 3: search at scale

interface Sample {
  readonly index: number;
  readonly person: PersonInput;
  readonly address: Address;
}

interface Mix {
  readonly name: string;
  readonly title: string;
  readonly criteria: (s: Sample) => SearchCriteria & { limit?: number };
}

const MIXES: readonly Mix[] = [
  { name: 'kana', title: 'kana full name', criteria: (s) => ({ kana: `${s.person.name.familyKana}${s.person.name.givenKana}` }) },
  { name: 'kana+dob', title: 'kana full name + date of birth', criteria: (s) => ({ kana: `${s.person.name.familyKana}${s.person.name.givenKana}`, dateOfBirth: s.person.dateOfBirth }) },
  { name: 'kanji', title: 'kanji full name', criteria: (s) => ({ name: `${s.person.name.family}${s.person.name.given}` }) },
  { name: 'family-kana', title: 'family-name kana only (many hits, limit 20)', criteria: (s) => ({ kana: s.person.name.familyKana, limit: 20 }) },
  { name: 'my-number', title: 'My Number', criteria: (s) => ({ myNumber: s.person.myNumber! }) },
  { name: 'resident-code', title: 'resident code', criteria: (s) => ({ residentCode: s.person.residentCode! }) },
  { name: 'town+block', title: 'town + block', criteria: (s) => ({ town: s.address.town, block: s.address.block }) },
];

interface MixResult {
  readonly name: string;
  readonly title: string;
  readonly pooled: Pooled;
  hits: number;
  zeroHits: number;
  fullPages: number;
}

interface SearchReport {
  readonly load: { report: LoadReport; seconds: number; rate: number; resumed: boolean; analyzeSeconds: number; cpu: Pooled };
  readonly probes: { name: string; listing: string; cell: Counts; control: Counts }[];
  readonly single: { name: string; pooled: Pooled }[];
  readonly sizes: { residents: number; terms: number; dbBytes: number };
  readonly mixes: MixResult[];
  readonly byId: Pooled;
  readonly all: Pooled;
  readonly plans: { mix: string; ms: number; maxMs: number; matched: number; maxMatched: number; indexes: string[]; seqScans: string[]; text: string }[];
  readonly prefill: { byIdOff: Pooled; byIdOn: Pooled; searchOff: Pooled; searchOn: Pooled; countPlan: string } | null;
}

async function benchSearch(s: Setup): Promise<SearchReport> {
  const { platform, agent, port } = s;
  await prepareMunicipality(platform, SEARCH_CODE, CELLS.search);
  // The leak guard would (rightly) block a clerk after 300 residents an hour: the bench reads thousands a second.
  await setLimits(platform.control, SEARCH_CODE, { perAccountPerHour: 2_000_000_000, perMunicipalityPerHour: 2_000_000_000 });

  // The population, loaded through the real bulk path (resumes a kept load).
  step(`search: loading ${fmt(RESIDENTS)} synthetic residents into ${SEARCH_CODE} (batches of ${LOAD_BATCH}); df: ${await diskFree()}`);
  let lastShown = 0;
  const t0 = performance.now();
  const cpuBefore = cpuSnapshot();
  const loading = loadSyntheticPopulation(platform, {
    signal: loadControl.signal,
    municipalityCode: SEARCH_CODE,
    seed: POPULATION_SEED,
    size: RESIDENTS,
    asOf: POPULATION_AS_OF,
    batchResidents: LOAD_BATCH,
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastShown < 10_000 && p.residents < p.size) return;
      lastShown = now;
      const rate = (p.residents - p.resumedAt) / ((now - t0) / 1000);
      const left = rate > 0 ? Math.round((p.size - p.residents) / rate) : 0;
      step(`  ${((100 * p.residents) / p.size).toFixed(1)}%  ${fmt(p.residents)} residents, ${fmt(p.households)} households, ${fmt(rate)}/s, about ${left} s left; rss ${fmt(process.memoryUsage().rss / 2 ** 20)} MiB`);
    },
  });
  loadInFlight = loading;
  const report = await loading;
  if (!report.finished) throw new Error('the load was interrupted');
  const loadSeconds = (performance.now() - t0) / 1000;
  const loadCpu = new Pooled();
  const loaded = report.residents - report.resumedAt;
  loadCpu.add({ ops: Math.max(1, loaded), seconds: loadSeconds, latenciesMs: [], errors: 0, firstError: undefined }, { before: cpuBefore, after: cpuSnapshot() });
  const resumed = report.resumedAt > 0 || loaded === 0;
  step(`  loaded ${fmt(loaded)} residents in ${loadSeconds.toFixed(1)} s (${fmt(loaded / loadSeconds)}/s)${resumed ? `, resumed at ${fmt(report.resumedAt)}` : ''}`);
  const ta = performance.now();
  await withAdmin(s.adminUrl('search'), async (c) => {
    await c.query('VACUUM (ANALYZE) cell.residents, cell.resident_search_terms, cell.households, cell.resident_changes, cell.resident_views');
  });
  const analyzeSeconds = (performance.now() - ta) / 1000;
  const sizes = await withAdmin(s.adminUrl('search'), async (c) => {
    const { rows } = await c.query<{ residents: string; terms: string; db: string }>(
      `SELECT (SELECT count(*) FROM cell.residents WHERE municipality_code = $1)::text AS residents,
              (SELECT count(*) FROM cell.resident_search_terms WHERE municipality_code = $1)::text AS terms,
              pg_database_size(current_database())::text AS db`,
      [SEARCH_CODE],
    );
    return { residents: Number(rows[0]!.residents), terms: Number(rows[0]!.terms), dbBytes: Number(rows[0]!.db) };
  });
  step(`  VACUUM ANALYZE ${analyzeSeconds.toFixed(1)} s; ${fmt(sizes.residents)} residents, ${fmt(sizes.terms)} search terms, database ${fmt(sizes.dbBytes / 2 ** 30, 2)} GiB; df: ${await diskFree()}`);

  // People to look for: the same population regenerated (deterministic for the seed), sampled with the bench's PRNG.
  const rand = prng(0x5ea6c4);
  const wanted = new Set<number>();
  while (wanted.size < Math.min(SEARCH_SAMPLES, RESIDENTS)) wanted.add(Math.floor(rand() * RESIDENTS));
  const samples: Sample[] = [];
  let index = 0;
  for (const h of generatePopulation({ seed: POPULATION_SEED, municipalityCode: SEARCH_CODE, size: RESIDENTS, asOf: POPULATION_AS_OF })) {
    for (const p of h.members) {
      if (wanted.has(index)) samples.push({ index, person: p, address: h.address });
      index++;
    }
  }
  // A fixed shuffle, so that consecutive requests look for unrelated people.
  for (let i = samples.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [samples[i], samples[j]] = [samples[j]!, samples[i]!];
  }
  const withNumbers = samples.filter((x) => x.person.myNumber !== null && x.person.residentCode !== null);
  step(`  ${samples.length} sampled residents (${withNumbers.length} with My Number and resident code)`);

  const { token, accountId } = await s.login(SEARCH_CODE);
  const headers = { authorization: `Bearer ${token}`, 'municloud-purpose': 'record_inquiry' };
  const postHeaders = { ...headers, 'content-type': 'application/json' };

  // Checks: every mix finds its sampled person; the ids for the read-by-id baseline come from My Number searches.
  const ids: string[] = [];
  for (const x of withNumbers.slice(0, 500)) {
    const res = await expectStatus(agent, port, 200, 'POST', '/v1/residents/search', postHeaders, JSON.stringify({ myNumber: x.person.myNumber }));
    const items = (JSON.parse(res.body) as { items: { id: string }[] }).items;
    if (items.length !== 1) throw new Error(`a My Number search found ${items.length} residents, expected 1`);
    ids.push(items[0]!.id);
  }
  for (const mix of MIXES) {
    for (const [k, x] of withNumbers.slice(0, 50).entries()) {
      const res = await expectStatus(agent, port, 200, 'POST', '/v1/residents/search', postHeaders, JSON.stringify(mix.criteria(x)));
      const items = (JSON.parse(res.body) as { items: { id: string }[] }).items;
      if (items.length === 0) throw new Error(`mix ${mix.name}: no hit for a sampled resident`);
      // The person itself is among the hits unless the page is full of others (family name, town + block).
      if (items.length < 20 && !items.some((it) => it.id === ids[k])) throw new Error(`mix ${mix.name}: the sampled resident is not among ${items.length} hits`);
    }
  }
  step(`  checks passed: each mix finds the sampled residents; ${ids.length} ids for GET /v1/residents/:id`);

  // Plans of one query per mix, as the application role in a tenant transaction (row-level security on),
  // with the search's own SQL (searchByTerms) run under EXPLAIN ANALYZE.
  // Each mix for PLAN_SAMPLES people, each query twice (the second, warm, is kept); the slowest plan is shown.
  const plans: SearchReport['plans'] = [];
  const keys = await platform.keys.forMunicipality(SEARCH_CODE);
  const explain = async (criteria: SearchCriteria & { limit?: number }): Promise<string> => {
    const { groups } = searchCriteria(keys, criteria);
    let text = '';
    await inTenantTransaction(platform.cells.cellPool(CELLS.search), SEARCH_CODE, async (db) => {
      const explaining = {
        query: async (sql: string, args: unknown[]) => {
          const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, args);
          text = rows.map((r) => r['QUERY PLAN']).join('\n');
          return { rows: [] };
        },
      } as unknown as pg.ClientBase;
      await searchByTerms(explaining, groups, { includeClosed: false, limit: criteria.limit ?? 20 });
    });
    return text;
  };
  for (const mix of MIXES) {
    const runs: { ms: number; matched: number; text: string }[] = [];
    for (const x of withNumbers.slice(0, PLAN_SAMPLES)) {
      await explain(mix.criteria(x));
      const text = await explain(mix.criteria(x));
      // Residents looked up before the sort and limit: the rows of the outermost join.
      // Residents joined: the probes of the residents' primary key, summed over the plan's branches (a merged group has one per term).
      const probes = [...text.matchAll(/Index Scan using residents_pkey on residents \S+ .*actual time=[\d.]+\.\.[\d.]+ rows=\d+ loops=(\d+)/g)];
      const matched = probes.length > 0 ? probes.reduce((n, m) => n + Number(m[1]), 0) : NaN;
      runs.push({ ms: Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? NaN), matched, text });
    }
    const slowest = runs.reduce((a, b) => (b.ms > a.ms ? b : a));
    const all = runs.map((r) => r.text).join('\n');
    const indexes = [...new Set([...all.matchAll(/(?:Index|Index Only|Bitmap Index) Scan (?:Backward )?(?:using|on) (\S+)/g)].map((m) => m[1]!))];
    const seqScans = [...new Set([...all.matchAll(/Seq Scan on (\S+)/g)].map((m) => m[1]!))];
    plans.push({
      mix: mix.name,
      ms: median(runs.map((r) => r.ms)),
      maxMs: slowest.ms,
      matched: median(runs.map((r) => r.matched)),
      maxMatched: Math.max(...runs.map((r) => r.matched)),
      indexes,
      seqScans,
      text: slowest.text,
    });
    out(`  plan ${mix.name}: median ${plans.at(-1)!.ms.toFixed(2)} ms, slowest ${slowest.ms.toFixed(2)} ms; indexes ${indexes.join(', ') || 'none'}${seqScans.length ? `, SEQ SCAN ${seqScans.join(', ')}` : ''}`);
  }

  // Views of the leak guard: reset before every run, so each run starts from the same state.
  const cellAdmin = new pg.Client({ connectionString: s.adminUrl('search') });
  cellAdmin.on('error', () => undefined);
  await cellAdmin.connect();
  try {
    // The bench's clerk is the only reader of 札幌市, so its hour is cleared whole (views and the counts kept of them).
    const resetViews = async () => {
      for (const table of ['resident_views', 'resident_view_residents', 'resident_view_counts']) {
        await cellAdmin.query(`DELETE FROM cell.${table} WHERE municipality_code = $1`, [SEARCH_CODE]);
      }
    };
    const counters = MIXES.map((m) => ({ name: m.name, title: m.title, pooled: new Pooled(), hits: 0, zeroHits: 0, fullPages: 0 }) satisfies MixResult);
    const byId = new Pooled();
    const all = new Pooled();
    const searchOp = (mix: Mix, counter: MixResult, seed: number) => {
      const r = prng(seed);
      return async () => {
        const x = withNumbers[Math.floor(r() * withNumbers.length)]!;
        const criteria = mix.criteria(x);
        const res = await request(agent, port, 'POST', '/v1/residents/search', postHeaders, JSON.stringify(criteria));
        if (res.status !== 200) throw new Error(`search ${mix.name} → ${res.status} ${res.body.slice(0, 300)}`);
        const n = (JSON.parse(res.body) as { items: unknown[] }).items.length;
        counter.hits += n;
        if (n === 0) counter.zeroHits++;
        if (n === (criteria.limit ?? 20)) counter.fullPages++;
      };
    };
    const byIdOp = (seed: number) => {
      const r = prng(seed);
      return async () => {
        const id = ids[Math.floor(r() * ids.length)]!;
        const res = await request(agent, port, 'GET', `/v1/residents/${id}`, headers);
        if (res.status !== 200) throw new Error(`GET /v1/residents/:id → ${res.status} ${res.body.slice(0, 300)}`);
      };
    };
    type Variant = { name: string; run: (ms: number, seed: number) => Promise<ReturnType<typeof runTimed> extends Promise<infer T> ? T : never>; pooled: Pooled };
    const variants: Variant[] = [
      { name: 'by-id', pooled: byId, run: (t, seed) => runTimed(SEARCH_CONCURRENCY, t, MAX_OPS, byIdOp(seed)) },
      ...MIXES.map((mix, i) => ({ name: mix.name, pooled: counters[i]!.pooled, run: (t: number, seed: number) => runTimed(SEARCH_CONCURRENCY, t, MAX_OPS, searchOp(mix, counters[i]!, seed)) })),
    ];

    step(`search: warm-up ${WARMUP_MS} ms per variant, then ${SEARCH_ROUNDS} rounds × ${SEARCH_ROUND_MS} ms per variant at concurrency ${SEARCH_CONCURRENCY}`);
    for (const v of variants) {
      await resetViews();
      const w = await v.run(WARMUP_MS / 2, 1);
      if (w.errors > 0) throw new Error(`search warm-up ${v.name}: ${w.errors} failed, first: ${w.firstError}`);
    }
    for (const c of counters) Object.assign(c, { hits: 0, zeroHits: 0, fullPages: 0 });
    for (let round = 0; round < SEARCH_ROUNDS; round++) {
      for (const i of roundOrder(variants.length, round)) {
        const v = variants[i]!;
        await resetViews();
        const t = await measure(v.pooled, () => v.run(SEARCH_ROUND_MS, 1000 + round * 100 + i));
        if (i > 0) all.add(t);
      }
      step(`  round ${round + 1}/${SEARCH_ROUNDS}: p99 ${variants.map((v) => `${v.name} ${ms(v.pooled.roundP99.at(-1)!)}`).join(', ')} ms`);
    }
    for (const v of variants) if (v.pooled.errors > 0) throw new Error(`search ${v.name}: ${v.pooled.errors} failed, first: ${v.pooled.firstError}`);

    // What a read and a search send (a probe each), and latency without concurrency (informational).
    const probes: SearchReport['probes'] = [];
    for (const [name, op] of [
      ['GET /v1/residents/:id', byIdOp(77)],
      ['search, kana full name', searchOp(MIXES[0]!, { name: '', title: '', pooled: new Pooled(), hits: 0, zeroHits: 0, fullPages: 0 }, 78)],
      ['search, family-name kana', searchOp(MIXES[3]!, { name: '', title: '', pooled: new Pooled(), hits: 0, zeroHits: 0, fullPages: 0 }, 79)],
    ] as const) {
      await resetViews();
      const p = await probeStatements(s, SEARCH_CONCURRENCY, op);
      probes.push({ name, listing: p.listing, cell: p.perOp(s.dbNames.search), control: p.perOp(s.dbNames.control) });
    }
    const single: SearchReport['single'] = [];
    step('search: concurrency 1, by id and the family-name mix, 2 rounds each');
    const singleVariants = [
      { name: 'GET /v1/residents/:id', pooled: new Pooled(), run: (t: number, seed: number) => runTimed(1, t, MAX_OPS, byIdOp(seed)) },
      { name: 'search, kana full name', pooled: new Pooled(), run: (t: number, seed: number) => runTimed(1, t, MAX_OPS, searchOp(MIXES[0]!, { name: '', title: '', pooled: new Pooled(), hits: 0, zeroHits: 0, fullPages: 0 }, seed)) },
      { name: 'search, family-name kana', pooled: new Pooled(), run: (t: number, seed: number) => runTimed(1, t, MAX_OPS, searchOp(MIXES[3]!, { name: '', title: '', pooled: new Pooled(), hits: 0, zeroHits: 0, fullPages: 0 }, seed)) },
    ];
    for (let round = 0; round < 2; round++) {
      for (const i of roundOrder(singleVariants.length, round)) {
        await resetViews();
        await measure(singleVariants[i]!.pooled, () => singleVariants[i]!.run(SEARCH_ROUND_MS, 9000 + round * 10 + i));
      }
    }
    for (const v of singleVariants) single.push({ name: v.name, pooled: v.pooled });

    // Informational: the leak guard with the hour already busy (its counts must not grow with it).
    let prefill: SearchReport['prefill'] = null;
    if (VIEWS_PREFILL > 0) {
      step(`search: the same reads with ${fmt(VIEWS_PREFILL)} other views already recorded this hour (the default municipality limit is 20,000), ${Math.max(2, SEARCH_ROUNDS / 2)} rounds`);
      const other = randomUUID();
      const fill = async () => {
        const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
        // As the leak guard records them: the views, each resident once for the hour, and the count (one slot).
        await cellAdmin.query(
          `WITH viewed AS (
             INSERT INTO cell.resident_views (municipality_code, hour, account_id, resident_id)
             SELECT municipality_code, $2, $3, id FROM cell.residents WHERE municipality_code = $1 LIMIT $4 ON CONFLICT DO NOTHING
             RETURNING resident_id
           ), first_this_hour AS (
             INSERT INTO cell.resident_view_residents (municipality_code, hour, resident_id)
             SELECT $1, $2, resident_id FROM viewed ON CONFLICT DO NOTHING RETURNING 1
           )
           INSERT INTO cell.resident_view_counts (municipality_code, hour, slot, residents)
           SELECT $1, $2, 63, count(*) FROM first_this_hour
           ON CONFLICT (municipality_code, hour, slot) DO UPDATE SET residents = cell.resident_view_counts.residents + EXCLUDED.residents`,
          [SEARCH_CODE, hour, other, VIEWS_PREFILL],
        );
      };
      const unfill = resetViews;
      const p = { byIdOff: new Pooled(), byIdOn: new Pooled(), searchOff: new Pooled(), searchOn: new Pooled() };
      const kana = MIXES[0]!;
      const kanaCounter = { name: 'kana', title: '', pooled: new Pooled(), hits: 0, zeroHits: 0, fullPages: 0 };
      const runs: [Pooled, boolean, (t: number, seed: number) => ReturnType<typeof runTimed>][] = [
        [p.byIdOff, false, (t, seed) => runTimed(SEARCH_CONCURRENCY, t, MAX_OPS, byIdOp(seed))],
        [p.byIdOn, true, (t, seed) => runTimed(SEARCH_CONCURRENCY, t, MAX_OPS, byIdOp(seed))],
        [p.searchOff, false, (t, seed) => runTimed(SEARCH_CONCURRENCY, t, MAX_OPS, searchOp(kana, kanaCounter, seed))],
        [p.searchOn, true, (t, seed) => runTimed(SEARCH_CONCURRENCY, t, MAX_OPS, searchOp(kana, kanaCounter, seed))],
      ];
      for (let round = 0; round < Math.max(2, SEARCH_ROUNDS / 2); round++) {
        for (const i of roundOrder(runs.length, round)) {
          const [pooled, filled, run] = runs[i]!;
          await resetViews();
          if (filled) await fill();
          pooled.add(await run(SEARCH_ROUND_MS, 5000 + round * 10 + i));
          if (filled) await unfill();
        }
      }
      for (const x of Object.values(p)) if (x.errors > 0) throw new Error(`prefill runs: ${x.errors} failed, first: ${x.firstError}`);
      // The leak guard's statement with the prefill, as the application role, for one new resident; rolled back.
      await fill();
      const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
      const rolledBack = new Error('plan only');
      let countPlan = '';
      await inTenantTransaction(platform.cells.cellPool(CELLS.search), SEARCH_CODE, async (db) => {
        const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${RECORD_AND_COUNT_VIEWS}`, [hour, randomUUID(), [randomUUID()]]);
        countPlan = rows.map((r) => r['QUERY PLAN']).join('\n');
        throw rolledBack;
      }).catch((err: unknown) => {
        if (err !== rolledBack) throw err;
      });
      await unfill();
      prefill = { ...p, countPlan };
    }
    await resetViews();
    return {
      load: { report, seconds: loadSeconds, rate: loaded / loadSeconds, resumed, analyzeSeconds, cpu: loadCpu },
      probes,
      single,
      sizes,
      mixes: counters,
      byId,
      all,
      plans,
      prefill,
    };
  } finally {
    await cellAdmin.end();
  }
}

async function diskFree(): Promise<string> {
  const { statfs } = await import('node:fs/promises');
  const st = await statfs(KEEP_DIR ?? os.tmpdir());
  return `${fmt((st.bavail * st.bsize) / 2 ** 30, 1)} GiB free`;
}

function reportSearch(r: SearchReport): void {
  out(`## Search at ${fmt(r.sizes.residents)} residents in one municipality, ${SEARCH_CONCURRENCY} concurrent clients`);
  out();
  out(
    `Load: ${fmt(r.load.report.residents - r.load.report.resumedAt)} residents in ${r.load.seconds.toFixed(1)} s = **${fmt(r.load.rate)} residents/s**` +
      `${r.load.resumed ? ` (resumed or kept: ${fmt(r.load.report.resumedAt)} were there before)` : ''}; ` +
      `${fmt(r.load.report.households)} households; VACUUM ANALYZE ${r.load.analyzeSeconds.toFixed(1)} s; ` +
      `${fmt(r.sizes.terms)} search terms; cell database ${fmt(r.sizes.dbBytes / 2 ** 30, 2)} GiB.`,
  );
  out();
  const base = r.byId;
  const cpu = (p: Pooled) => {
    const c = p.cpu(CORES);
    return `${c.node.toFixed(2)} (${c.nodeSystem.toFixed(2)}) / ${c.pg.toFixed(2)} (${fmt(100 * c.busy)}%)`;
  };
  out('| request | requests/s | p50 ms | p99 ms | p99 per round [min–max] | hits/request | zero-hit | full pages | CPU ms node (kernel) / PostgreSQL (cores busy) | **p99 ÷ read-by-id p99** | p99 < 20 ms |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  out(`| GET /v1/residents/:id (baseline) | ${fmt(base.rate)} | ${ms(base.p(50))} | ${ms(base.p(99))} | ${range(base.roundP99, 1)} | 1 | | | ${cpu(base)} | 1 | ${base.p(99) < SEARCH_P99_TARGET_MS ? 'yes' : 'no'} |`);
  for (const m of r.mixes) {
    const n = m.pooled.ops || 1;
    out(
      `| ${m.title} | ${fmt(m.pooled.rate)} | ${ms(m.pooled.p(50))} | ${ms(m.pooled.p(99))} | ${range(m.pooled.roundP99, 1)} | ${(m.hits / n).toFixed(2)} | ${fmt((100 * m.zeroHits) / n, 1)}% | ${fmt((100 * m.fullPages) / n, 1)}% | ` +
        `${cpu(m.pooled)} | **${(m.pooled.p(99) / base.p(99)).toFixed(2)}** | ${m.pooled.p(99) < SEARCH_P99_TARGET_MS ? 'yes' : 'NO'} |`,
    );
  }
  out(
    `| all mixes together | ${fmt(r.all.rate)} | ${ms(r.all.p(50))} | ${ms(r.all.p(99))} | ${range(r.all.roundP99, 1)} | | | | | **${(r.all.p(99) / base.p(99)).toFixed(2)}** | ${r.all.p(99) < SEARCH_P99_TARGET_MS ? 'yes' : 'NO'} |`,
  );
  out();
  if (r.load.report.residents > r.load.report.resumedAt) {
    const lc = r.load.cpu.cpu(CORES);
    out(`Load CPU per resident: node ${lc.node.toFixed(2)} ms (of which ${lc.nodeSystem.toFixed(2)} ms in the kernel), PostgreSQL ${lc.pg.toFixed(2)} ms (cores busy ${fmt(100 * lc.busy)}%).`);
    out();
  }
  out('Concurrency 1 (informational):');
  out();
  out('| request | requests/s | p50 ms | p99 ms | CPU ms node (kernel) / PostgreSQL (cores busy) |');
  out('|---|---:|---:|---:|---:|');
  for (const v of r.single) out(`| ${v.name} | ${fmt(v.pooled.rate)} | ${ms(v.pooled.p(50))} | ${ms(v.pooled.p(99))} | ${cpu(v.pooled)} |`);
  out();
  for (const p of r.probes) {
    out(`${p.name}: the cell received ${p.cell.statements.toFixed(1)} statements in ${p.cell.commits.toFixed(2)} transactions, the control database ${p.control.statements.toFixed(2)} statements and ${p.control.commits.toFixed(2)} commits per request.`);
    out('```');
    out(p.listing);
    out('```');
  }
  out();
  out(`Plans (EXPLAIN ANALYZE of searchByTerms as the application role in a tenant transaction, ${PLAN_SAMPLES} sampled people per mix, each run twice, the warm run kept):`);
  out();
  out('| mix | execution ms: median / slowest | residents probed: median / most | indexes used | sequential scans |');
  out('|---|---:|---:|---|---|');
  for (const p of r.plans) out(`| ${p.mix} | ${p.ms.toFixed(2)} / ${p.maxMs.toFixed(2)} | ${fmt(p.matched)} / ${fmt(p.maxMatched)} | ${p.indexes.join(', ')} | ${p.seqScans.join(', ') || 'none'} |`);
  out();
  if (r.prefill) {
    const p = r.prefill;
    out(`Leak guard: the same reads with ${fmt(VIEWS_PREFILL)} views by another account already recorded in this hour:`);
    out();
    out('| request | p50 ms (empty hour) | p99 ms (empty hour) | p50 ms (prefilled) | p99 ms (prefilled) | requests/s empty → prefilled |');
    out('|---|---:|---:|---:|---:|---:|');
    out(`| GET /v1/residents/:id | ${ms(p.byIdOff.p(50))} | ${ms(p.byIdOff.p(99))} | ${ms(p.byIdOn.p(50))} | ${ms(p.byIdOn.p(99))} | ${fmt(p.byIdOff.rate)} → ${fmt(p.byIdOn.rate)} |`);
    out(`| search, kana full name | ${ms(p.searchOff.p(50))} | ${ms(p.searchOff.p(99))} | ${ms(p.searchOn.p(50))} | ${ms(p.searchOn.p(99))} | ${fmt(p.searchOff.rate)} → ${fmt(p.searchOn.rate)} |`);
    out();
    out("Plan of the leak guard's statement (record one view and count), prefilled:");
    out('```');
    out(p.countPlan);
    out('```');
    out();
  }
  out('Slowest plan of each mix:');
  for (const p of r.plans) {
    out(`### ${p.mix}`);
    out('```');
    out(p.text);
    out('```');
  }
  out();
}

// ---------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  // embedded-postgres stops its servers on SIGINT/SIGTERM by itself (async-exit-hook), racing the cleanup below:
  // connections in use die, and the process exits before the temp dir is removed. The cleanup stops the server itself.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) for (const listener of process.listeners(signal)) process.off(signal, listener);
  await runWithCleanup(run, step);
}

async function run(cleanups: Cleanups): Promise<void> {
  const started = performance.now();
  let pdf: PdfReport | null = null;
  if (PARTS.has('pdf')) pdf = await benchCertificates({ rounds: PDF_ROUNDS, roundMs: PDF_ROUND_MS, workers: PDF_WORKERS });

  const filingReports: FilingsReport[] = [];
  let search: SearchReport | null = null;
  let setup: Setup | null = null;
  const floors: { concurrency: number; pooled: Pooled }[] = [];
  if (PARTS.has('filings') || PARTS.has('search') || PARTS.has('filings-loaded')) {
    setup = await setUp(cleanups);
    step('one statement round trip, concurrency 1 and 4');
    for (const concurrency of [1, SEARCH_CONCURRENCY]) floors.push({ concurrency, pooled: await roundTripFloor(setup, concurrency) });
    if (PARTS.has('filings')) filingReports.push(await benchFilings(setup, 'own cell, empty register', FILINGS_CODE, 'filings', 'bench-filings'));
    if (PARTS.has('search')) search = await benchSearch(setup);
    if (PARTS.has('filings-loaded')) {
      filingReports.push(await benchFilings(setup, `cell with the ${fmt(RESIDENTS)}-resident load`, LOADED_FILINGS_CODE, 'search', `bench-filings-${randomBytes(4).toString('hex')}`));
    }
  }

  out();
  out(`# resident register benchmark — ${new Date().toISOString()}`);
  out(
    `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${os.release()}` +
      (setup ? `, PostgreSQL ${setup.serverVersion} ${setup.serverKind}` : ''),
  );
  out(`run time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  out();
  if (floors.length > 0) reportFloor(floors);
  if (filingReports.length > 0) reportFilings(filingReports);
  if (pdf) reportCertificates(pdf);
  if (search) reportSearch(search);
}

// Interrupted: the signal handler exits once the cleanup is done.
main().then(
  () => stopping.requested || process.exit(0),
  (err: unknown) => {
    if (stopping.requested) return;
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
