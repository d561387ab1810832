/**
 * Benchmark: the audit log (issue 3, "Audit log (evidence)").
 *
 * (a) Append throughput, batched: entries per second through AuditAppender
 *     (the path every request takes: normalize + canonical JSON, then a batch
 *     under the append lock: leaves chained and hashed, one multi-row INSERT,
 *     COMMIT), with many concurrent callers each awaiting its own entry, as
 *     requests do. Target: 50,000 entries/s or more. Measured with one
 *     appender (one server process) and with two appenders on two pools (two
 *     processes contending for the same lock). The checkpoint publisher is
 *     not running meanwhile; it is measured on its own in (b).
 * (b) For information: the publisher signing a checkpoint over the backlog
 *     (every new leaf decoded and checked before it signs), and the export.
 * (c) Full verification rate: `municloud audit verify`'s code path on the
 *     exported log (the file read, every leaf hashed, positions and links
 *     checked, the tree folded, every checkpoint in the export compared, the
 *     trusted one included), against the raw SHA-256 rate of 200-byte inputs
 *     (node:crypto, one call per input) in the same process, in alternating
 *     rounds (AB, BA, …). Target: verification ≥ 0.4 × the SHA-256 rate.
 *     Reported with the default worker threads and with none.
 *
 * Server: $DATABASE_URL (an administrative URL) when set, otherwise an embedded
 * PostgreSQL started in a temporary directory and removed afterwards. The
 * database and roles are the bench's own (mcbench_<random>_*), dropped at the
 * end, also on Ctrl-C.
 *
 * Tuning (environment): BENCH_AUDIT_ENTRIES (100000 per round),
 * BENCH_AUDIT_ROUNDS (5), BENCH_AUDIT_CALLERS (10000 concurrent callers),
 * BENCH_AUDIT_BATCH (5000, the appender's maxBatch), BENCH_VERIFY_ROUNDS (7),
 * BENCH_SHA_INPUTS (500000 per round).
 * Exits non-zero only on errors, never on missing a target.
 */
import { hash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { applicationUrl, createPool } from '../src/platform/database.js';
import { migrate } from '../src/platform/migrations.js';
import { AuditAppender } from '../src/security/audit/appender.js';
import type { AuditEntryInput } from '../src/security/audit/entry.js';
import { exportAuditLog } from '../src/security/audit/export.js';
import { CheckpointPublisher } from '../src/security/audit/publisher.js';
import { sampleEntry } from '../src/security/audit/sample.js';
import { generateSigner, verifierKeyOf } from '../src/security/audit/signer.js';
import { logSize } from '../src/security/audit/store.js';
import { verifyExportFile } from '../src/security/audit/verify-file.js';
import { benchServer, databaseUrl, intEnv, out, runWithCleanup, step, withAdmin, type Cleanups } from './harness.js';

// ---------------------------------------------------------------------------
// Settings


const ENTRIES = intEnv('BENCH_AUDIT_ENTRIES', 100_000);
const ROUNDS = intEnv('BENCH_AUDIT_ROUNDS', 5);
const CALLERS = intEnv('BENCH_AUDIT_CALLERS', 10_000);
const BATCH = intEnv('BENCH_AUDIT_BATCH', 5000);
const VERIFY_ROUNDS = intEnv('BENCH_VERIFY_ROUNDS', 7);
const SHA_INPUTS = intEnv('BENCH_SHA_INPUTS', 500_000);
const APPEND_TARGET = 50_000;
const VERIFY_TARGET = 0.4;
const ORIGIN = 'bench.municloud.test/audit';


const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const range = (xs: readonly number[], digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');



// ---------------------------------------------------------------------------
// Workloads

/** `callers` concurrent callers, each appending and awaiting its entry, until all inputs are written. */
async function appendAll(appenders: readonly AuditAppender[], inputs: readonly AuditEntryInput[], callers: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const caller = async (c: number) => {
    const appender = appenders[c % appenders.length]!;
    while (next < inputs.length) await appender.append(inputs[next++]!);
  };
  await Promise.all(Array.from({ length: callers }, (_, c) => caller(c)));
  return inputs.length / ((performance.now() - t0) / 1000);
}

/** Raw SHA-256 of 200-byte inputs: one node:crypto call each, distinct inputs. */
function shaRate(inputs: readonly Buffer[]): number {
  const t0 = performance.now();
  for (let i = 0; i < SHA_INPUTS; i++) hash('sha256', inputs[i % inputs.length]!, 'buffer');
  return SHA_INPUTS / ((performance.now() - t0) / 1000);
}

// ---------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  await runWithCleanup(run, step);
}

async function run(cleanups: Cleanups): Promise<void> {
  const { adminUrl: serverAdminUrl, kind: serverKind } = await benchServer(cleanups, step);
  const serverVersion = await withAdmin(serverAdminUrl, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version);

  // A fresh control database and roles of our own.
  const tag = randomBytes(4).toString('hex');
  const database = `mcbench_${tag}_control`;
  const roles = { ownerRole: `mcbench_${tag}_owner`, appRole: `mcbench_${tag}_app`, appPassword: randomBytes(18).toString('base64url') };
  const url = databaseUrl(serverAdminUrl, database);
  cleanups.push(() =>
    withAdmin(serverAdminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
      for (const role of [roles.appRole, roles.ownerRole]) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    }),
  );
  await withAdmin(serverAdminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} ENCODING 'UTF8' TEMPLATE template0`));
  step(`migrating the control database on ${serverKind}, PostgreSQL ${serverVersion}`);
  await migrate(url, 'control', roles);
  const pools = [createPool(applicationUrl(url, roles), 4), createPool(applicationUrl(url, roles), 4)];
  cleanups.push(async () => {
    for (const p of pools) await p.end();
  });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'municloud-bench-audit-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));

  // (a) Appends. The inputs exist before the clock starts: making them is the caller's work, not the log's.
  const inputs = Array.from({ length: ENTRIES }, (_, i) => sampleEntry(i));
  step(`warm-up: ${Math.min(ENTRIES, 20_000)} entries`);
  {
    const warm = new AuditAppender(pools[0]!, { maxBatch: BATCH });
    await appendAll([warm], inputs.slice(0, 20_000), CALLERS);
    await warm.close();
  }
  const one: number[] = [];
  const two: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order (AB, BA, ...) so a drift in the machine's speed falls on both alike.
    const variants = round % 2 === 0 ? ['one', 'two'] : ['two', 'one'];
    for (const v of variants) {
      const appenders = (v === 'one' ? [pools[0]!] : pools).map((p) => new AuditAppender(p, { maxBatch: BATCH }));
      const rate = await appendAll(appenders, inputs, CALLERS);
      await Promise.all(appenders.map((a) => a.close()));
      (v === 'one' ? one : two).push(rate);
    }
    step(`  round ${round + 1}/${ROUNDS}: one appender ${fmt(one.at(-1)!)}/s, two appenders ${fmt(two.at(-1)!)}/s`);
  }
  const size = await logSize(pools[0]!);
  const batches = await withAdmin(url, (c) => c.query<{ n: number }>('SELECT count(DISTINCT created_at)::int AS n FROM control.audit_entries'));

  // (b) Checkpoint over the whole backlog, then the export.
  const { signer } = generateSigner(ORIGIN);
  const publisher = new CheckpointPublisher(pools[0]!, signer, { maxEntriesPerCheckpoint: 100_000 });
  step(`publishing checkpoints over ${fmt(size)} entries`);
  let t0 = performance.now();
  while ((await publisher.publish())?.more);
  const publishRate = size / ((performance.now() - t0) / 1000);
  const file = path.join(tmp, 'audit.jsonl');
  const checkpointFile = path.join(tmp, 'audit.checkpoint');
  step('exporting');
  t0 = performance.now();
  const exported = await exportAuditLog(pools[0]!, { out: file });
  const exportRate = size / ((performance.now() - t0) / 1000);
  await writeFile(checkpointFile, exported.checkpoint.note);
  const bytes = (await stat(file)).size;
  const key = verifierKeyOf(signer).text;

  // (c) Verification against raw SHA-256, alternating.
  const shaInputs = Array.from({ length: 4096 }, () => randomBytes(200));
  const verify = async (threads?: number) => {
    const t = performance.now();
    const r = await verifyExportFile({ entriesPath: file, key, checkpointPath: checkpointFile, ...(threads !== undefined ? { threads } : {}) });
    if (!r.ok || r.end !== size) throw new Error(`verification failed: ${JSON.stringify(r.failure)}`);
    return size / ((performance.now() - t) / 1000);
  };
  step(`verification: ${VERIFY_ROUNDS} rounds of SHA-256 × ${fmt(SHA_INPUTS)}, verify (default threads), verify (no workers)`);
  shaRate(shaInputs);
  await verify();
  const sha: number[] = [];
  const ver: number[] = [];
  const ver0: number[] = [];
  for (let round = 0; round < VERIFY_ROUNDS; round++) {
    const order = round % 2 === 0 ? ['sha', 'v', 'v0'] : ['v0', 'v', 'sha'];
    for (const o of order) {
      if (o === 'sha') sha.push(shaRate(shaInputs));
      else if (o === 'v') ver.push(await verify());
      else ver0.push(await verify(0));
    }
    step(`  round ${round + 1}/${VERIFY_ROUNDS}: SHA-256 ${fmt(sha.at(-1)!)}/s, verify ${fmt(ver.at(-1)!)}/s (${(ver.at(-1)! / sha.at(-1)!).toFixed(3)}), no workers ${fmt(ver0.at(-1)!)}/s (${(ver0.at(-1)! / sha.at(-1)!).toFixed(3)})`);
  }

  // Report
  const ratios = ver.map((v, i) => v / sha[i]!);
  const ratios0 = ver0.map((v, i) => v / sha[i]!);
  const workers = Math.min(4, Math.max(0, availableParallelism() - 1));
  out();
  out(`## Results (${fmt(size)} entries, ${(bytes / size).toFixed(0)} bytes per exported leaf line, ${os.cpus().length} CPUs, PostgreSQL ${serverVersion}, ${serverKind})`);
  out();
  out('| measure | median | range over rounds | target |');
  out('|---|---:|---:|---|');
  out(`| append, one appender (entries/s) | ${fmt(median(one))} | ${fmt(Math.min(...one))}–${fmt(Math.max(...one))} | ≥ ${fmt(APPEND_TARGET)}: ${median(one) >= APPEND_TARGET ? 'met' : 'MISSED'} |`);
  out(`| append, two appenders on two pools (entries/s) | ${fmt(median(two))} | ${fmt(Math.min(...two))}–${fmt(Math.max(...two))} | ≥ ${fmt(APPEND_TARGET)}: ${median(two) >= APPEND_TARGET ? 'met' : 'MISSED'} |`);
  out(`| raw SHA-256, 200-byte inputs (hashes/s) | ${fmt(median(sha))} | ${fmt(Math.min(...sha))}–${fmt(Math.max(...sha))} | baseline |`);
  out(`| verify, ${workers} worker thread(s) (entries/s) | ${fmt(median(ver))} | ${fmt(Math.min(...ver))}–${fmt(Math.max(...ver))} | |`);
  out(`| verify / SHA-256, per round | ${median(ratios).toFixed(3)} | ${range(ratios, 3)} | ≥ ${VERIFY_TARGET}: ${median(ratios) >= VERIFY_TARGET ? 'met' : 'MISSED'} |`);
  out(`| verify, no worker threads (entries/s) | ${fmt(median(ver0))} | ${fmt(Math.min(...ver0))}–${fmt(Math.max(...ver0))} | |`);
  out(`| verify (no workers) / SHA-256, per round | ${median(ratios0).toFixed(3)} | ${range(ratios0, 3)} | for information |`);
  out(`| publisher: checkpoint over the backlog (entries/s) | ${fmt(publishRate)} | one run | for information |`);
  out(`| export to a file (entries/s) | ${fmt(exportRate)} | one run | for information |`);
  out();
  out(`Appends: ${fmt(size)} entries in ${fmt(batches.rows[0]!.n)} transactions (about ${fmt(size / batches.rows[0]!.n)} per batch), ${CALLERS} concurrent callers, maxBatch ${BATCH}.`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
