/**
 * Benchmark: linkage (docs/linkage.md).
 *
 * 1. Events per second out of the outbox: a backlog of events (a synthetic
 *    load of BENCH_LINKAGE_RESIDENTS residents entered in bulk, one event per
 *    household) read to the end through the pull feed API in pages of 500,
 *    ids only and with a purpose's entitled fields (each resident decrypted
 *    and folded as of the change), against a plain SQL scan of the same
 *    outbox rows in pages of 500 as the application role, in alternating
 *    rounds of the same run (ratio).
 * 2. Commit-to-consumer latency: move-in filings at a steady rate through the
 *    API for BENCH_LINKAGE_SECONDS; each event goes (a) by webhook, the
 *    platform's worker woken by the commit's notification, to a receiver in
 *    this process, and (b) through NATS JetStream (the relay, woken the same
 *    way, then a durable consumer of the subscription), when a nats-server is
 *    on this machine. Latency = receipt − the filing's HTTP response (which
 *    comes after its commit, so the figure slightly understates). p50/p99;
 *    target p99 < 200 ms.
 *
 * Exits non-zero only on errors. Creates its own databases and roles and
 * drops them at the end, also on Ctrl-C.
 *
 * Tuning (environment), with defaults:
 *   BENCH_LINKAGE_RESIDENTS=20000 BENCH_LINKAGE_ROUNDS=4
 *   BENCH_LINKAGE_RATE=5 (filings per second: a busy counter, not a saturating load) BENCH_LINKAGE_SECONDS=20
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from 'nats';
import pg from 'pg';
import { createAccount } from '../src/identity/accounts.js';
import { provisionActiveTotp } from '../src/identity/mfa.js';
import { totpAt } from '../src/identity/totp.js';
import { consumeSubscriptionFromJetStream, ensureStream, EVENT_STREAM, startJetStreamRelay } from '../src/linkage/jetstream.js';
import { startLinkageWorker } from '../src/linkage/worker.js';
import { inTenantTransaction, inTransaction } from '../src/platform/database.js';
import { findFreePort } from '../src/platform/embedded-postgres.js';
import { createLogger } from '../src/platform/logger.js';
import { loadSyntheticPopulation } from '../src/resident-register/population-load.js';
import { replaceZones } from '../src/security/access/network-zones.js';
import { benchServer, databaseUrl, intEnv, migratedPlatformDatabases, out, request, runWithCleanup, servePlatform, step, withAdmin, type Cleanups } from './harness.js';
import { expectStatus, fmt } from './register-support.js';

const RESIDENTS = intEnv('BENCH_LINKAGE_RESIDENTS', 20_000);
const ROUNDS = intEnv('BENCH_LINKAGE_ROUNDS', 4);
const RATE = intEnv('BENCH_LINKAGE_RATE', 5);
const SECONDS = intEnv('BENCH_LINKAGE_SECONDS', 20);
const CODE = '131016';
const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));

const pct = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

async function main(cleanups: Cleanups): Promise<void> {
  const log = createLogger(process.env.LOG_LEVEL || 'warn');
  const server = await benchServer(cleanups, step);
  const tag = randomBytes(4).toString('hex');
  const names = { control: `mcbench_${tag}_control`, cell: `mcbench_${tag}_cell` };
  const ownerRole = `mcbench_${tag}_owner`;
  const appRole = `mcbench_${tag}_app`;
  cleanups.push(() =>
    withAdmin(server.adminUrl, async (c) => {
      for (const db of Object.values(names)) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`);
      for (const role of [appRole, ownerRole]) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    }),
  );
  const serverVersion = await withAdmin(server.adminUrl, async (c) => {
    for (const db of Object.values(names)) await c.query(`CREATE DATABASE ${pg.escapeIdentifier(db)} ENCODING 'UTF8' TEMPLATE template0`);
    return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  });
  step(`migrating on ${server.kind}, PostgreSQL ${serverVersion}`);
  const { config, databases } = await migratedPlatformDatabases({
    controlUrl: databaseUrl(server.adminUrl, names.control),
    cells: { 'cell-1': databaseUrl(server.adminUrl, names.cell) },
    defaultCell: 'cell-1',
    roles: { ownerRole, appRole },
  });
  const { platform, port, agent } = await servePlatform(cleanups, config, databases, log, { maxSockets: 16 });

  await platform.cells.place(CODE, 'cell-1', null);
  await inTransaction(platform.control, (client) => replaceZones(client, CODE, [{ zone: 'my_number', cidr: '127.0.0.0/8' }]));
  const login = async (role: 'clerk' | 'municipal_admin' | 'linkage_subscriber') => {
    const loginName = `bench-${tag}-${role}`;
    const password = randomBytes(18).toString('base64url');
    const account = await createAccount(platform.control, { organizationCode: CODE, loginName, displayName: 'ベンチマーク', roles: [role], password });
    const secret = await provisionActiveTotp(platform.control, account.id);
    const json = { 'content-type': 'application/json' };
    const first = await expectStatus(agent, port, 200, 'POST', '/v1/auth/login', json, JSON.stringify({ organizationCode: CODE, loginName, password }));
    const done = await expectStatus(agent, port, 200, 'POST', '/v1/auth/login/mfa', json, JSON.stringify({ challenge: JSON.parse(first.body).challenge, code: totpAt(secret, Date.now()) }));
    return { token: JSON.parse(done.body).token as string, accountId: account.id };
  };
  const admin = await login('municipal_admin');
  const clerk = await login('clerk');
  const consumer = await login('linkage_subscriber');
  const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
  const subscribe = async (body: Record<string, unknown>) =>
    JSON.parse(
      (
        await expectStatus(agent, port, 201, 'POST', '/v1/linkage/subscriptions', auth(admin.token), JSON.stringify({
          name: 'bench',
          operation: 'national_health_insurance',
          purpose: 'nhi_eligibility',
          topics: ['resident_register.entry_by_authority', 'resident_register.move_in'],
          consumerAccountId: consumer.accountId,
          ...body,
        }))
      ).body,
    ) as { id: string; webhookSecret?: string };

  // 1. The backlog.
  step(`events per second: entering ${fmt(RESIDENTS)} synthetic residents in bulk`);
  const loaded = await loadSyntheticPopulation(platform, { municipalityCode: CODE, seed: `bench-linkage-${tag}`, size: RESIDENTS, asOf: '2026-04-01' });
  const events = loaded.households;
  const idsOnly = await subscribe({ fields: [] });
  const withFields = await subscribe({ fields: ['name', 'dateOfBirth', 'householdId', 'relationship', 'address', 'state', 'flags'] });
  const cellPool = platform.cells.cellPool('cell-1');
  const readFeed = async (subscription: string) => {
    let cursor: string | undefined;
    let n = 0;
    for (;;) {
      const res = await request(agent, port, 'GET', `/v1/linkage/feeds/${subscription}?limit=500${cursor ? `&after=${cursor}` : ''}`, auth(consumer.token));
      if (res.status !== 200) throw new Error(`feed answered ${res.status}`);
      const page = JSON.parse(res.body) as { items: unknown[]; nextCursor: string };
      if (page.items.length === 0) return n;
      n += page.items.length;
      cursor = page.nextCursor;
    }
  };
  const scanSql = async () => {
    let after = { txid: '0', seq: '0' };
    let n = 0;
    for (;;) {
      const rows = await inTenantTransaction(cellPool, CODE, async (db) =>
        (await db.query<{ txid: string; seq: string }>(
          `SELECT o.txid::text AS txid, o.seq::text AS seq, o.id, o.topic, o.payload, o.created_at FROM cell.outbox o
            WHERE (o.txid, o.seq) > ($1::xid8, $2::bigint) ORDER BY o.txid, o.seq LIMIT 500`,
          [after.txid, after.seq],
        )).rows,
      );
      if (rows.length === 0) return n;
      n += rows.length;
      after = rows.at(-1)!;
    }
  };
  const variants: { name: string; run: () => Promise<number>; seconds: number[] }[] = [
    { name: 'plain SQL scan of the outbox (baseline)', run: scanSql, seconds: [] },
    { name: 'pull feed, ids only', run: () => readFeed(idsOnly.id), seconds: [] },
    { name: 'pull feed, with entitled fields', run: () => readFeed(withFields.id), seconds: [] },
  ];
  for (const v of variants) await v.run(); // warm
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of round % 2 ? [...variants].reverse() : variants) {
      const t0 = performance.now();
      const n = await v.run();
      if (n !== events) throw new Error(`${v.name} read ${n} events, expected ${events}`);
      v.seconds.push((performance.now() - t0) / 1000);
    }
    step(`  round ${round + 1}/${ROUNDS}: ${variants.map((v) => `${v.name.split(' (')[0]} ${fmt(Math.round(events / v.seconds.at(-1)!))}/s`).join(', ')}`);
  }

  // 2. Commit-to-consumer latency.
  const received = new Map<string, number>();
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.set(String(req.headers['municloud-event-id']), performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => receiver.close(() => resolve())));
  await subscribe({ fields: ['dateOfBirth', 'householdId'], topics: ['resident_register.move_in'], webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, startAt: 'now' } });
  const worker = startLinkageWorker(platform, log);
  cleanups.push(() => worker.stop());

  let jetstream: { received: Map<string, number>; stop: () => Promise<void> } | null = null;
  let relayRate = NaN;
  if (NATS_SERVER) {
    const natsPort = await findFreePort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-bench-nats-'));
    const nats = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(natsPort), '-sd', dir], { stdio: 'ignore' });
    cleanups.push(async () => {
      nats.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    });
    const url = `nats://127.0.0.1:${natsPort}`;
    let nc;
    for (let i = 0; ; i++) {
      try {
        nc = await connect({ servers: url });
        break;
      } catch (err) {
        if (i > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // The relay first catches up with the backlog of part 1 (its rate is reported); the latency is measured after.
    const relayStarted = performance.now();
    const relay = startJetStreamRelay(platform, log, { url });
    const jsm = await nc.jetstreamManager();
    for (;;) {
      const info = await jsm.streams.info(EVENT_STREAM).catch(() => null);
      if (info && info.state.messages >= events) break;
      if (performance.now() - relayStarted > 300_000) throw new Error('the relay did not catch up with the backlog in 5 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    relayRate = events / ((performance.now() - relayStarted) / 1000);
    step(`  JetStream relay caught up with the backlog: ${fmt(Math.round(relayRate))} events/s`);
    const pull = await subscribe({ fields: ['dateOfBirth', 'householdId'], topics: ['resident_register.move_in'] });
    const got = new Map<string, number>();
    await ensureStream(await nc.jetstreamManager(), {});
    const consuming = await consumeSubscriptionFromJetStream(platform, nc, { municipalityCode: CODE, subscriptionId: pull.id }, async (e) => {
      got.set(e.id, performance.now());
    }, { startAt: 'now' });
    jetstream = {
      received: got,
      stop: async () => {
        await consuming.stop();
        await relay.stop();
        await nc.drain();
      },
    };
    cleanups.push(() => jetstream!.stop());
  }

  step(`latency: ${RATE} move-in filings per second for ${SECONDS} s${jetstream ? ', by webhook and through JetStream' : ', by webhook (no nats-server here)'}`);
  const committed = new Map<string, number>();
  const filing = (i: number) =>
    JSON.stringify({
      eventDate: '2026-04-01',
      previousResidence: { kind: 'domestic', address: { postalCode: null, prefecture: '北海道', municipality: '札幌市中央区', town: '北一条西二丁目', block: '1番地', building: null } },
      household: { kind: 'new', address: { postalCode: '1000001', prefecture: '東京都', municipality: '千代田区', town: '千代田一丁目', block: `${1 + (i % 9)}番1号`, building: null } },
      persons: [
        {
          name: { family: '見本', given: '一郎', familyKana: 'ミホン', givenKana: 'イチロウ' },
          dateOfBirth: '1980-01-01',
          sex: 'male',
          relationship: '世帯主',
          domicile: null,
          myNumber: null,
          residentCode: null,
          flags: { nationalHealthInsurance: true, lateStageElderlyMedical: false, longTermCare: false, nationalPension: true, childAllowance: false, electoralRoll: true },
          foreign: null,
        },
      ],
    });
  const fileAtRate = async (count: number) => {
    const inFlight: Promise<void>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(
        request(agent, port, 'POST', '/v1/resident-changes/move-in', { ...auth(clerk.token), 'municloud-purpose': 'residency_change' }, filing(i)).then((res) => {
          if (res.status !== 201) throw new Error(`filing answered ${res.status}`);
          committed.set(JSON.parse(res.body).change.id, performance.now());
        }),
      );
    }
    await Promise.all(inFlight);
  };
  // Warm-up (not counted): the consumers' first fetches and connections.
  await fileAtRate(Math.min(RATE * 2, 20));
  await new Promise((r) => setTimeout(r, 2000));
  committed.clear();
  await fileAtRate(RATE * SECONDS);
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline && ([...committed.keys()].some((id) => !received.has(id)) || (jetstream && [...committed.keys()].some((id) => !jetstream!.received.has(id))))) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const latencies = (seen: Map<string, number>) => [...committed].flatMap(([id, t]) => (seen.has(id) ? [Math.max(0, seen.get(id)! - t)] : []));

  // Report.
  const now = new Date().toISOString();
  const cpus = os.cpus();
  out();
  out(`# linkage benchmark — ${now}`);
  out(`node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, PostgreSQL ${serverVersion} ${server.kind}`);
  out();
  out(`## Events per second out of the outbox (${fmt(events)} events of a bulk load, ${fmt(RESIDENTS)} residents; ${ROUNDS} rounds each, alternating)`);
  out();
  out('| reader | events/s (pooled) | per round [min–max] | ÷ plain SQL scan |');
  out('|---|---:|---:|---:|');
  const base = (events * ROUNDS) / variants[0]!.seconds.reduce((a, b) => a + b, 0);
  for (const v of variants) {
    const rate = (events * ROUNDS) / v.seconds.reduce((a, b) => a + b, 0);
    const rounds = v.seconds.map((s) => events / s);
    out(`| ${v.name} | ${fmt(Math.round(rate))} | ${fmt(Math.round(Math.min(...rounds)))}–${fmt(Math.round(Math.max(...rounds)))} | ${(rate / base).toFixed(3)} |`);
  }
  if (Number.isFinite(relayRate)) out(`| JetStream relay catching up with the same backlog (publish, await ack, one at a time) | ${fmt(Math.round(relayRate))} | one run | ${(relayRate / base).toFixed(3)} |`);
  out();
  out(`## Commit-to-consumer latency (${fmt(committed.size)} move-ins at ${RATE}/s; from the filing's response to receipt)`);
  out();
  out('| path | received | p50 ms | p99 ms | max ms | p99 < 200 ms |');
  out('|---|---:|---:|---:|---:|---|');
  for (const [path, seen] of [['webhook (worker woken at commit)', received], ...(jetstream ? [['JetStream (relay woken at commit, durable consumer)', jetstream.received] as const] : [])] as const) {
    const l = latencies(seen);
    out(`| ${path} | ${fmt(l.length)}/${fmt(committed.size)} | ${ms(pct(l, 50))} | ${ms(pct(l, 99))} | ${ms(Math.max(...l))} | ${pct(l, 99) < 200 && l.length === committed.size ? 'met' : 'MISSED'} |`);
  }
  if (received.size < committed.size || (jetstream && jetstream.received.size < committed.size)) throw new Error('not every event reached its consumer within 30 s');
}

await runWithCleanup(main, step);
