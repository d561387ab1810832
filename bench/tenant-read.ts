/**
 * Benchmark: what row-level security costs an authenticated tenant-scoped read.
 *
 * Requests per second and p50/p99 latency of the office read routes, with the
 * full organization catalogue loaded (1,788 prefectures and municipalities; the
 * catalogue also lists the six Northern Territories villages, so it counts 1,794),
 * against the same server, code, SQL and data with the row-level security
 * policy switched off on the cell table, in the same run. Figures are reported
 * as ratios to that baseline (the machine is shared and noisy): a ratio above 1
 * is what isolation costs.
 *
 * Databases (all fresh, dropped at the end):
 * - control: the catalogue, accounts, placements;
 * - cell-rls / cell-norls: the target municipality plus 49 others, 200 offices
 *   each, identical rows (same ids, same contents); cell-norls has its policy
 *   disabled (`DISABLE` + `NO FORCE ROW LEVEL SECURITY`);
 * - list-rls / list-norls: the target's 200 offices only, so the listing
 *   (which counts and pages whatever the transaction can see) returns the same
 *   page and total with the policy on or off.
 *
 * Server: $DATABASE_URL (an administrative URL) when set, otherwise an embedded
 * PostgreSQL started in a temporary directory and removed afterwards.
 *
 * Tuning (environment): BENCH_CONCURRENCY (8), BENCH_ROUNDS (24),
 * BENCH_ROUND_MS (625), BENCH_WARMUP_MS (2000), BENCH_ROUND_MAX_REQUESTS (200000),
 * BENCH_OFFICES (200 per municipality), BENCH_TENANTS (50 per shared cell).
 * Exits non-zero only on errors, never on missing the target.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createAccount } from '../src/identity/accounts.js';
import { provisionActiveTotp } from '../src/identity/mfa.js';
import { totpAt } from '../src/identity/totp.js';
import { inTenantTransaction } from '../src/platform/database.js';
import { createLogger } from '../src/platform/logger.js';
import { benchServer, databaseUrl, intEnv, migratedPlatformDatabases, out, prng, request, runWithCleanup, servePlatform, step, withAdmin, type Cleanups } from './harness.js';

// ---------------------------------------------------------------------------
// Settings


const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 8);
const ROUNDS = intEnv('BENCH_ROUNDS', 24);
const ROUND_MS = intEnv('BENCH_ROUND_MS', 625);
const WARMUP_MS = intEnv('BENCH_WARMUP_MS', 2000);
const ROUND_MAX_REQUESTS = intEnv('BENCH_ROUND_MAX_REQUESTS', 200_000);
const OFFICES_PER_MUNICIPALITY = intEnv('BENCH_OFFICES', 200);
const TENANTS_PER_CELL = intEnv('BENCH_TENANTS', 50);
const TARGET_COST = 0.1;

/** Real municipalities: the principals whose reads are measured, one per cell. */
const TARGETS = { rls: '131016', norls: '011002', listRls: '141003', listNorls: '271004' } as const;
const CELLS = { rls: 'cell-rls', norls: 'cell-norls', listRls: 'list-rls', listNorls: 'list-norls' } as const;
const MUNICIPALITY_KINDS = ['designated_city', 'city', 'town', 'village', 'special_ward'];
/** Where the target's rows sit among the shared cell's municipalities (same slot in both cells). */
/**
 * The catalogue also lists the six villages of the Northern Territories (北方領土), which have
 * codes but no administration: they are counted in the catalogue but never hold data here.
 */
const NORTHERN_TERRITORIES = ['016951', '016969', '016977', '016985', '016993', '017001'];
const TARGET_SLOT = Math.floor(TENANTS_PER_CELL / 2);
/** One timestamp for every row, so responses are byte-identical across cells. */
const FIXED_TIME = '2026-04-01T00:00:00.000Z';


// ---------------------------------------------------------------------------
// Deterministic generated data


const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

const KANA = [...'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワガギグゲゴザジズゼゾダデドバビブベボパピプペポ'];
const PLACE = ['本町', '北', '南', '東', '西', '中央', '駅前', '山手', '川口', '田原', '港', '新田', '大原', '小松', '上野', '下川', '緑ヶ丘', '桜台', '若葉', '日の出'];
const KIND_NAMES = { main: ['本庁舎', 'ホンチョウシャ'], branch: ['支所', 'シショ'], counter: ['出張所', 'シュッチョウジョ'] } as const;

interface OfficeRow {
  id: string;
  kind: 'main' | 'branch' | 'counter';
  name: string;
  nameKana: string;
  postalCode: string;
  address: string;
  phone: string;
}

function generateOffices(slot: number, count: number): OfficeRow[] {
  const rand = prng(0x5eed + slot);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  return Array.from({ length: count }, (_, i) => {
    const kind = i === 0 ? 'main' : rand() < 0.3 ? 'branch' : 'counter';
    const [suffix, suffixKana] = KIND_NAMES[kind];
    const reading = Array.from({ length: 3 + Math.floor(rand() * 5) }, () => pick(rand, KANA)).join('');
    return {
      id: randomUUID(),
      kind,
      name: `${pick(rand, PLACE)}${pick(rand, PLACE)}第${i + 1}${suffix}`,
      nameKana: `${reading}${suffixKana}`,
      postalCode: `${digits(3)}-${digits(4)}`,
      address: `${pick(rand, PLACE)}${1 + Math.floor(rand() * 9)}丁目${1 + Math.floor(rand() * 30)}番${1 + Math.floor(rand() * 20)}号`,
      phone: `0${digits(1)}-${digits(4)}-${digits(4)}`,
    };
  });
}

async function insertOffices(db: pg.ClientBase, municipalityCode: string, rows: readonly OfficeRow[]): Promise<void> {
  await db.query(
    `INSERT INTO cell.offices (municipality_code, id, kind, name, name_kana, postal_code, address, phone, created_at, updated_at)
     SELECT $1, u.id, u.kind, u.name, u.name_kana, u.postal_code, u.address, u.phone, $9::timestamptz, $9::timestamptz
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            AS u (id, kind, name, name_kana, postal_code, address, phone)`,
    [
      municipalityCode,
      rows.map((r) => r.id),
      rows.map((r) => r.kind),
      rows.map((r) => r.name),
      rows.map((r) => r.nameKana),
      rows.map((r) => r.postalCode),
      rows.map((r) => r.address),
      rows.map((r) => r.phone),
      FIXED_TIME,
    ],
  );
}

// ---------------------------------------------------------------------------
// ---------------------------------------------------------------------------
// Load generation

interface Variant {
  readonly name: string;
  readonly description: string;
  readonly token: string;
  /** The i-th request path of a run; the same sequence for every variant of a workload. */
  readonly pathFor: (rand: () => number) => string;
  /** Set when the variant's data differ from the baseline's: its ratio is shown but not judged. */
  readonly informational?: string;
}

interface Workload {
  readonly name: string;
  readonly title: string;
  /** variants[0] is the baseline (policy off). */
  readonly variants: readonly Variant[];
}

interface RunResult {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  errors: number;
  firstError: string | undefined;
}

async function runFor(agent: http.Agent, port: number, variant: Variant, ms: number, maxRequests: number, seed: number): Promise<RunResult> {
  const rand = prng(seed);
  const headers = { authorization: `Bearer ${variant.token}`, accept: 'application/json' };
  const latenciesMs: number[] = [];
  let issued = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + ms;
  let last = t0;
  const worker = async () => {
    while (issued < maxRequests && performance.now() < deadline) {
      issued++;
      const urlPath = variant.pathFor(rand);
      const s = performance.now();
      try {
        const res = await request(agent, port, 'GET', urlPath, headers);
        const e = performance.now();
        if (res.status !== 200) {
          errors++;
          firstError ??= `${urlPath} → ${res.status} ${res.body.slice(0, 200)}`;
        }
        latenciesMs.push(e - s);
        last = e;
      } catch (err) {
        errors++;
        firstError ??= `${urlPath} → ${(err as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { requests: latenciesMs.length, seconds: (last - t0) / 1000, latenciesMs, errors, firstError };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

interface VariantSummary {
  readonly variant: Variant;
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly roundRps: number[];
  readonly roundP99: number[];
}

interface WorkloadSummary {
  readonly workload: Workload;
  readonly variants: VariantSummary[];
}

async function runWorkload(agent: http.Agent, port: number, workload: Workload): Promise<WorkloadSummary> {
  step(`workload ${workload.name}: warm-up ${WARMUP_MS} ms per variant`);
  for (const v of workload.variants) {
    const r = await runFor(agent, port, v, WARMUP_MS, ROUND_MAX_REQUESTS, 1);
    if (r.errors > 0) throw new Error(`${workload.name}/${v.name}: ${r.errors} failed requests during warm-up, first: ${r.firstError}`);
  }
  const perVariant = workload.variants.map(() => ({ latencies: [] as number[], requests: 0, seconds: 0, roundRps: [] as number[], roundP99: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order every round (AB BA AB ...): a drift in the machine's speed then
    // falls on every variant alike, and no variant always runs first or last.
    const order = workload.variants.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const v = workload.variants[i]!;
      const r = await runFor(agent, port, v, ROUND_MS, ROUND_MAX_REQUESTS, 1000 + round);
      if (r.errors > 0) throw new Error(`${workload.name}/${v.name}: ${r.errors} failed requests, first: ${r.firstError}`);
      const acc = perVariant[i]!;
      for (const l of r.latenciesMs) acc.latencies.push(l);
      acc.requests += r.requests;
      acc.seconds += r.seconds;
      acc.roundRps.push(r.requests / r.seconds);
      acc.roundP99.push(percentile(Float64Array.from(r.latenciesMs).sort(), 99));
    }
    step(`  round ${round + 1}/${ROUNDS}: ${workload.variants.map((v, i) => `${v.name} ${perVariant[i]!.roundRps.at(-1)!.toFixed(0)} rps`).join(', ')}`);
  }
  return {
    workload,
    variants: workload.variants.map((variant, i) => {
      const acc = perVariant[i]!;
      const sorted = Float64Array.from(acc.latencies).sort();
      return {
        variant,
        requests: acc.requests,
        rps: acc.requests / acc.seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        roundRps: acc.roundRps,
        roundP99: acc.roundP99,
      };
    }),
  };
}

// ---------------------------------------------------------------------------
// Report

const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w, c) => (c === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function report(summaries: readonly WorkloadSummary[]): void {
  out();
  out(`## Results (concurrency ${CONCURRENCY}, ${ROUNDS} rounds × ${ROUND_MS} ms per variant, alternating order)`);
  for (const s of summaries) {
    const base = s.variants[0]!;
    out();
    out(`### ${s.workload.title}`);
    out();
    const rows = [['variant', 'requests', 'rps', 'p50 ms', 'p99 ms', 'rps off/on', 'p99 on/off', 'rps off/on per round: median [min–max]', 'p99 on/off per round: median']];
    for (const v of s.variants) {
      const isBase = v === base;
      const rpsRounds = v.roundRps.map((rps, r) => base.roundRps[r]! / rps);
      const p99Rounds = v.roundP99.map((p99, r) => p99 / base.roundP99[r]!);
      rows.push([
        `${v.variant.name}: ${v.variant.description}`,
        String(v.requests),
        v.rps.toFixed(0),
        v.p50.toFixed(2),
        v.p99.toFixed(2),
        isBase ? 'baseline' : `${(base.rps / v.rps).toFixed(3)} (${pct(base.rps / v.rps)})`,
        isBase ? 'baseline' : `${(v.p99 / base.p99).toFixed(3)} (${pct(v.p99 / base.p99)})`,
        isBase ? '' : `${median(rpsRounds).toFixed(3)} [${Math.min(...rpsRounds).toFixed(3)}–${Math.max(...rpsRounds).toFixed(3)}]`,
        isBase ? '' : median(p99Rounds).toFixed(3),
      ]);
    }
    out(table(rows));
    for (const v of s.variants.slice(1)) {
      const rpsRatio = base.rps / v.rps;
      const p99Ratio = v.p99 / base.p99;
      const rpsPaired = median(v.roundRps.map((rps, r) => base.roundRps[r]! / rps));
      const p99Paired = median(v.roundP99.map((p99, r) => p99 / base.roundP99[r]!));
      const verdict = v.variant.informational
        ? `informational only: ${v.variant.informational}`
        : `${Math.max(rpsRatio, p99Ratio) - 1 < TARGET_COST ? 'within' : 'OUTSIDE'} the ${TARGET_COST * 100}% target (judged on the pooled figures)`;
      out();
      out(
        `isolation cost (${v.variant.name}): throughput ${pct(rpsRatio)} (per-round median ${pct(rpsPaired)}), ` +
          `p99 ${pct(p99Ratio)} (per-round median ${pct(p99Paired)}) — ${verdict}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  await runWithCleanup(run, step);
}

async function run(cleanups: Cleanups): Promise<void> {
  const log = createLogger(process.env.LOG_LEVEL || 'warn');

  // The server: the machine's or an embedded one.
  const { adminUrl: serverAdminUrl, kind: serverKind } = await benchServer(cleanups, step);
  const serverVersion = await withAdmin(serverAdminUrl, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version);

  // Fresh databases and roles of our own: nothing shared with tests running on the same server.
  const tag = randomBytes(4).toString('hex');
  const prefix = `mcbench_${tag}`;
  const ownerRole = `mcbench_${tag}_owner`;
  const appRole = `mcbench_${tag}_app`;
  const names = ['control', ...Object.values(CELLS)];
  const urls = new Map<string, string>();
  cleanups.push(() =>
    withAdmin(serverAdminUrl, async (c) => {
      for (const url of urls.values()) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(new URL(url).pathname.slice(1))} WITH (FORCE)`);
      for (const role of [appRole, ownerRole]) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    }),
  );
  await withAdmin(serverAdminUrl, async (c) => {
    for (const name of names) {
      const db = `${prefix}_${name.replace(/-/g, '_')}`;
      await c.query(`CREATE DATABASE ${pg.escapeIdentifier(db)} ENCODING 'UTF8' TEMPLATE template0`);
      urls.set(name, databaseUrl(serverAdminUrl, db));
    }
  });
  const url = (name: string) => urls.get(name)!;

  step(`migrating control + ${Object.keys(CELLS).length} cells on ${serverKind}, PostgreSQL ${serverVersion}`);
  const { config, databases, migrated } = await migratedPlatformDatabases({
    controlUrl: url('control'),
    cells: Object.fromEntries(Object.values(CELLS).map((id) => [id, url(id)])),
    defaultCell: CELLS.rls,
    roles: { ownerRole, appRole },
  });

  // The catalogue and the municipalities that hold data.
  const { loaded, tenants } = await withAdmin(url('control'), async (c) => {
    const count = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM control.organizations WHERE kind IN ('prefecture', 'designated_city', 'city', 'town', 'village', 'special_ward')`,
    );
    const codes = await c.query<{ code: string }>(
      `SELECT code FROM control.organizations WHERE kind = ANY($1) AND abolished_on IS NULL ORDER BY code`,
      [MUNICIPALITY_KINDS],
    );
    return { loaded: count.rows[0]!.n, tenants: codes.rows.map((r) => r.code) };
  });
  for (const code of Object.values(TARGETS)) {
    if (!tenants.includes(code)) throw new Error(`target municipality ${code} is not in the catalogue`);
  }
  const targetCodes = new Set<string>(Object.values(TARGETS));
  const others = tenants.filter((c) => !targetCodes.has(c) && !NORTHERN_TERRITORIES.includes(c));
  const stride = Math.max(1, Math.floor(others.length / (TENANTS_PER_CELL - 1)));
  const otherCodes = Array.from({ length: TENANTS_PER_CELL - 1 }, (_, i) => others[(i * stride) % others.length]!);
  step(
    `catalogue: ${migrated.organizations} organizations, of which ${loaded} prefectures and municipalities ` +
      `(${loaded - NORTHERN_TERRITORIES.length} + the ${NORTHERN_TERRITORIES.length} Northern Territories villages)`,
  );

  // Identical office sets: slot s holds the same rows in every cell; only the target slot's code differs.
  const slots = Array.from({ length: TENANTS_PER_CELL }, (_, s) => generateOffices(s, OFFICES_PER_MUNICIPALITY));
  const targetRows = slots[TARGET_SLOT]!;
  const codesFor = (target: string) => {
    const codes = [...otherCodes];
    codes.splice(TARGET_SLOT, 0, target);
    return codes;
  };
  const load = async (cell: string, codes: readonly string[], slotIndexes: readonly number[], policyOff: boolean) =>
    withAdmin(url(cell), async (c) => {
      await c.query('BEGIN');
      for (const [i, s] of slotIndexes.entries()) await insertOffices(c, codes[i]!, slots[s]!);
      await c.query('COMMIT');
      if (policyOff) {
        // The "off" path: same table, same indexes, same rows, same SQL; only the policy is gone.
        await c.query('ALTER TABLE cell.offices DISABLE ROW LEVEL SECURITY');
        await c.query('ALTER TABLE cell.offices NO FORCE ROW LEVEL SECURITY');
      }
      await c.query('VACUUM (ANALYZE) cell.offices');
      const n = await c.query<{ n: number; rls: boolean; force: boolean }>(
        `SELECT (SELECT count(*)::int FROM cell.offices) AS n, relrowsecurity AS rls, relforcerowsecurity AS force
           FROM pg_class WHERE oid = 'cell.offices'::regclass`,
      );
      return n.rows[0]!;
    });
  const allSlots = slots.map((_, s) => s);
  const loadedCells = {
    [CELLS.rls]: await load(CELLS.rls, codesFor(TARGETS.rls), allSlots, false),
    [CELLS.norls]: await load(CELLS.norls, codesFor(TARGETS.norls), allSlots, true),
    [CELLS.listRls]: await load(CELLS.listRls, [TARGETS.listRls], [TARGET_SLOT], false),
    [CELLS.listNorls]: await load(CELLS.listNorls, [TARGETS.listNorls], [TARGET_SLOT], true),
  };
  for (const [cell, info] of Object.entries(loadedCells)) {
    step(`  ${cell}: ${info.n} offices, row level security ${info.rls ? 'on' : 'off'}${info.force ? ' (forced)' : ''}`);
  }

  // The platform, exactly as `municloud serve` builds it.
  // Keys are not on this read path; a throwaway local keystore satisfies the platform.
  const { platform, port, agent } = await servePlatform(cleanups, config, databases, log, { maxSockets: CONCURRENCY });

  await platform.cells.place(TARGETS.rls, CELLS.rls, null);
  await platform.cells.place(TARGETS.norls, CELLS.norls, null);
  await platform.cells.place(TARGETS.listRls, CELLS.listRls, null);
  await platform.cells.place(TARGETS.listNorls, CELLS.listNorls, null);

  const login = async (organizationCode: string): Promise<string> => {
    const loginName = `bench-${organizationCode}`;
    const password = randomBytes(18).toString('base64url');
    const account = await createAccount(platform.control, { organizationCode, loginName, displayName: 'ベンチマーク職員', roles: ['clerk'], password });
    // Clerks log in with a second factor: give the account an authenticator and answer the challenge.
    const secret = await provisionActiveTotp(platform.control, account.id);
    const json = { 'content-type': 'application/json' };
    const res = await request(agent, port, 'POST', '/v1/auth/login', json, JSON.stringify({ organizationCode, loginName, password }));
    if (res.status !== 200) throw new Error(`login for ${organizationCode} failed: ${res.status} ${res.body}`);
    const { challenge } = JSON.parse(res.body) as { challenge: string };
    const done = await request(agent, port, 'POST', '/v1/auth/login/mfa', json, JSON.stringify({ challenge, code: totpAt(secret, Date.now()) }));
    if (done.status !== 200) throw new Error(`second factor for ${organizationCode} failed: ${done.status} ${done.body}`);
    return (JSON.parse(done.body) as { token: string }).token;
  };
  const tokens = {
    rls: await login(TARGETS.rls),
    norls: await login(TARGETS.norls),
    listRls: await login(TARGETS.listRls),
    listNorls: await login(TARGETS.listNorls),
  };

  // Checks before measuring: same answers on both paths, and the policy really is on / off.
  const get = (token: string, p: string) => request(agent, port, 'GET', p, { authorization: `Bearer ${token}` });
  const probe = [targetRows[0]!.id, targetRows[targetRows.length - 1]!.id, targetRows[Math.floor(targetRows.length / 2)]!.id];
  for (const id of probe) {
    const on = await get(tokens.rls, `/v1/offices/${id}`);
    const off = await get(tokens.norls, `/v1/offices/${id}`);
    if (on.status !== 200 || off.status !== 200 || on.body !== off.body) {
      throw new Error(`GET /v1/offices/${id} differs: on ${on.status} ${on.body.slice(0, 120)} / off ${off.status} ${off.body.slice(0, 120)}`);
    }
  }
  const foreignId = slots[TARGET_SLOT === 0 ? 1 : 0]![0]!.id;
  const foreignOn = await get(tokens.rls, `/v1/offices/${foreignId}`);
  const foreignOff = await get(tokens.norls, `/v1/offices/${foreignId}`);
  if (foreignOn.status !== 404) throw new Error(`row-level security is not isolating cell-rls: another municipality's office answered ${foreignOn.status}`);
  if (foreignOff.status !== 200) throw new Error(`the policy on cell-norls is not off: another municipality's office answered ${foreignOff.status}`);
  const listPath = '/v1/offices?limit=20';
  const listOn = await get(tokens.listRls, listPath);
  const listOff = await get(tokens.listNorls, listPath);
  const listShared = await get(tokens.rls, listPath);
  const stripCursor = (body: string) => {
    const { nextCursor: _ignored, ...rest } = JSON.parse(body) as { nextCursor: unknown };
    return JSON.stringify(rest);
  };
  // Cursors are bound to the municipality, so they differ; everything else must not.
  if (listOn.status !== 200 || listOff.status !== 200 || stripCursor(listOn.body) !== stripCursor(listOff.body)) {
    throw new Error(`GET ${listPath} differs between list-rls and list-norls`);
  }
  if (listShared.status !== 200 || stripCursor(listShared.body) !== stripCursor(listOn.body)) {
    throw new Error(`GET ${listPath} on the shared cell with row level security differs from the target-only cells`);
  }
  const listTotal = (JSON.parse(listOn.body) as { total: number }).total;
  step(`checks passed: identical responses on and off; policy on hides other municipalities, off exposes them; list total ${listTotal}`);

  // The plans PostgreSQL chooses, as the application role inside a tenant transaction.
  const explain = async (cell: string, municipalityCode: string, sql: string) =>
    inTenantTransaction(platform.cells.cellPool(cell), municipalityCode, async (db) => {
      const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`);
      return rows.map((r) => r['QUERY PLAN'].trim()).join(' / ');
    });
  const showPlans = async () => {
    const byId = `SELECT * FROM cell.offices WHERE id = '${targetRows[7]!.id}'`;
    const count = `SELECT count(*) FROM cell.offices WHERE (NULL::text IS NULL OR kind = NULL) AND (NULL::text IS NULL OR name LIKE NULL OR name_kana LIKE NULL)`;
    out(`  plan by id, ${CELLS.rls}:   ${await explain(CELLS.rls, TARGETS.rls, byId)}`);
    out(`  plan by id, ${CELLS.norls}: ${await explain(CELLS.norls, TARGETS.norls, byId)}`);
    out(`  plan count, ${CELLS.listRls}:   ${await explain(CELLS.listRls, TARGETS.listRls, count)}`);
    out(`  plan count, ${CELLS.listNorls}: ${await explain(CELLS.listNorls, TARGETS.listNorls, count)}`);
    out(`  plan count, ${CELLS.rls}:   ${await explain(CELLS.rls, TARGETS.rls, count)}`);
    const page = `SELECT * FROM cell.offices WHERE (NULL::text IS NULL OR kind = NULL) AND (NULL::text IS NULL OR name LIKE NULL OR name_kana LIKE NULL) ORDER BY name_kana, id LIMIT 20`;
    out(`  plan page, ${CELLS.listRls}:   ${await explain(CELLS.listRls, TARGETS.listRls, page)}`);
    out(`  plan page, ${CELLS.listNorls}: ${await explain(CELLS.listNorls, TARGETS.listNorls, page)}`);
    out(`  plan page, ${CELLS.rls}:   ${await explain(CELLS.rls, TARGETS.rls, page)}`);
  };
  step('query plans (application role, tenant transaction):');
  await showPlans();

  // Workloads.
  const ownIds = targetRows.map((r) => r.id);
  const byId = (rand: () => number) => `/v1/offices/${pick(rand, ownIds)}`;
  const list = () => listPath;
  const byIdWorkload = (name: string, title: string): Workload => ({
    name,
    title,
    variants: [
      { name: 'off', description: `${CELLS.norls} (policy disabled), ${TENANTS_PER_CELL} municipalities`, token: tokens.norls, pathFor: byId },
      { name: 'on', description: `${CELLS.rls} (policy forced), ${TENANTS_PER_CELL} municipalities`, token: tokens.rls, pathFor: byId },
    ],
  });
  const summaries: WorkloadSummary[] = [];
  summaries.push(
    await runWorkload(
      agent,
      port,
      byIdWorkload('get-by-id', `GET /v1/offices/:id — random own office, ${TENANTS_PER_CELL} × ${OFFICES_PER_MUNICIPALITY} offices per cell (headline)`),
    ),
  );
  summaries.push(
    await runWorkload(agent, port, {
      name: 'list',
      title: `GET ${listPath} — count + first page, identical results in every variant`,
      variants: [
        { name: 'off', description: `${CELLS.listNorls} (policy disabled), target only`, token: tokens.listNorls, pathFor: list },
        { name: 'on', description: `${CELLS.listRls} (policy forced), target only`, token: tokens.listRls, pathFor: list },
        {
          name: 'on-shared',
          description: `${CELLS.rls} (policy forced), ${TENANTS_PER_CELL} municipalities`,
          token: tokens.rls,
          pathFor: list,
          informational: `same response, but ${TENANTS_PER_CELL}× the rows in the cell (shared cell vs a cell of one's own)`,
        },
      ],
    }),
  );

  // Supplementary: the same by-id read when both cells also have an index on id alone, so
  // the query without the policy's municipality predicate has an index to use as well.
  step(`supplementary: CREATE INDEX ON cell.offices (id) in ${CELLS.rls} and ${CELLS.norls}`);
  for (const cell of [CELLS.rls, CELLS.norls]) {
    await withAdmin(url(cell), async (c) => {
      await c.query('CREATE INDEX bench_offices_by_id ON cell.offices (id)');
      await c.query('ANALYZE cell.offices');
    });
  }
  out(`  plan by id, ${CELLS.rls}:   ${await explain(CELLS.rls, TARGETS.rls, `SELECT * FROM cell.offices WHERE id = '${targetRows[7]!.id}'`)}`);
  out(`  plan by id, ${CELLS.norls}: ${await explain(CELLS.norls, TARGETS.norls, `SELECT * FROM cell.offices WHERE id = '${targetRows[7]!.id}'`)}`);
  summaries.push(
    await runWorkload(agent, port, byIdWorkload('get-by-id+idx', `GET /v1/offices/:id — as the headline, both cells with an extra index on (id) (supplementary)`)),
  );

  out();
  out(`# tenant-read benchmark — ${new Date().toISOString()}`);
  out(`node ${process.version}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, PostgreSQL ${serverVersion} ${serverKind}`);
  out(`catalogue ${migrated.organizations} organizations (${loaded} prefectures + municipalities); ${TENANTS_PER_CELL} municipalities × ${OFFICES_PER_MUNICIPALITY} offices per shared cell`);
  report(summaries);
  out();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
