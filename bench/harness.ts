/**
 * What every benchmark shares: cleanup on exit or Ctrl-C, a PostgreSQL server
 * (the machine's through DATABASE_URL, or an embedded one in a temp dir), and
 * small administrative helpers.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig, type Config } from '../src/platform/config.js';
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.js';
import { createLogger } from '../src/platform/logger.js';
import { migrateAll, openPlatform, type Databases } from '../src/platform/runtime.js';
import { buildServer, type Platform } from '../src/platform/http/server.js';
import type { Logger } from 'pino';
import { ROUTE_MODULES } from '../src/routes.js';
import { generateSigner, type CheckpointSigner } from '../src/security/audit/signer.js';
import { LocalKeystore } from '../src/security/keys/kms/local-keystore.js';
import type { Kms } from '../src/security/keys/kms/kms.js';

export type Cleanups = (() => Promise<void>)[];

/** A positive integer setting from the environment (BENCH_…), or its default. */
export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
}

export const out = (line = '') => process.stdout.write(`${line}\n`);
const started = performance.now();
export const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
/** A progress line with the seconds since start. */
export const step = (what: string) => out(`[${elapsed()}] ${what}`);


/** Runs a benchmark; whatever it registered in `cleanups` runs afterwards, in reverse, also on SIGINT/SIGTERM. */
export async function runWithCleanup(run: (cleanups: Cleanups) => Promise<void>, step: (what: string) => void): Promise<void> {
  const cleanups: Cleanups = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`cleanup: ${(err as Error).message}\n`);
      }
    }
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('interrupted: cleaning up\n');
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await run(cleanups);
  } finally {
    step('cleaning up');
    await cleanup();
    step('done');
  }
}

/** mulberry32: a small seeded PRNG, so every variant and run sees the same generated data and requests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The server to measure on: DATABASE_URL's, or an embedded one started (and stopped) here. */
export async function benchServer(
  cleanups: Cleanups,
  step: (what: string) => void,
  dataDir?: string,
): Promise<{ adminUrl: string; kind: string }> {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, kind: 'external (DATABASE_URL)' };
  step('starting an embedded PostgreSQL');
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'municloud-bench-')));
  if (dataDir) await mkdir(dir, { recursive: true });
  else cleanups.push(() => rm(dir, { recursive: true, force: true }));
  // As root the server runs as the postgres OS user, which must reach its directory.
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: dir, superuserPassword: randomBytes(18).toString('base64url'), log: createLogger('error') });
  cleanups.push(() => embedded.stop());
  return { adminUrl: embedded.adminUrl('postgres'), kind: 'embedded (embedded-postgres)' };
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request to the bench's own server on 127.0.0.1, over the given keep-alive agent. */
export function request(agent: http.Agent, port: number, method: string, urlPath: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The platform's configuration over databases the bench created (control and
 * cells, by administrative URL) with its own roles, migrated as `municloud
 * migrate` would; returns what migrateAll reports.
 */
export async function migratedPlatformDatabases(options: {
  controlUrl: string;
  cells: Readonly<Record<string, string>>;
  defaultCell: string;
  roles: { ownerRole: string; appRole: string };
}): Promise<{ config: Config; databases: Databases; migrated: Awaited<ReturnType<typeof migrateAll>> }> {
  const env = {
    DATABASE_URL: options.controlUrl,
    MUNICLOUD_CELLS: Object.entries(options.cells).map(([id, url]) => `${id}=${url}`).join(','),
    MUNICLOUD_DEFAULT_CELL: options.defaultCell,
    MUNICLOUD_OWNER_ROLE: options.roles.ownerRole,
    MUNICLOUD_APP_ROLE: options.roles.appRole,
    MUNICLOUD_APP_PASSWORD: randomBytes(18).toString('base64url'),
    MUNICLOUD_CURSOR_SECRET: randomBytes(32).toString('base64url'),
    MUNICLOUD_DATA_DIR: '/nonexistent',
    // The bench's cells have no declared location (docs/providers.md).
    MUNICLOUD_PLACEMENT_POLICY: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
  };
  const config = loadConfig(env);
  const databases: Databases = {
    controlAdminUrl: env.DATABASE_URL,
    cells: config.cells,
    roles: { ...options.roles, appPassword: env.MUNICLOUD_APP_PASSWORD },
    cursorSecret: env.MUNICLOUD_CURSOR_SECRET,
    embedded: null,
  };
  return { config, databases, migrated: await migrateAll(databases) };
}

/**
 * The platform exactly as `municloud serve` builds it, on the bench's databases, listening on
 * loopback, with a keep-alive HTTP client. A throwaway local keystore and audit signing key unless
 * the bench brings its own (a kept population needs the same keys on the next run).
 */
export async function servePlatform(
  cleanups: Cleanups,
  config: Config,
  databases: Databases,
  log: Logger,
  options: { maxSockets: number; kms?: Kms; auditSigner?: CheckpointSigner },
): Promise<{ platform: Platform; port: number; agent: http.Agent }> {
  let kms = options.kms;
  if (!kms) {
    const keystoreDir = await mkdtemp(path.join(os.tmpdir(), 'municloud-bench-kms-'));
    cleanups.push(() => rm(keystoreDir, { recursive: true, force: true }));
    const keystore = await LocalKeystore.open({ file: path.join(keystoreDir, 'keystore.json'), passphrase: 'bench keystore passphrase', scrypt: { N: 2 ** 14, r: 8, p: 1 } });
    cleanups.push(() => keystore.close());
    kms = keystore;
  }
  const open = await openPlatform(config, log, databases, { kms, auditSigner: options.auditSigner ?? generateSigner('municloud.bench/audit').signer });
  cleanups.push(() => open.close());
  const app = await buildServer(open.platform, ROUTE_MODULES);
  cleanups.push(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  cleanups.push(async () => agent.destroy());
  return { platform: open.platform, port: address.port, agent };
}
