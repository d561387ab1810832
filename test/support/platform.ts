/**
 * A complete platform for one test file: a control database and N cells, each
 * a fresh database on the run's server, migrated, opened as the application
 * role, and an HTTP server built from every route module.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { buildServer, type App, type Platform, type RouteModule } from '../../src/platform/http/server.js';
import { createLogger } from '../../src/platform/logger.js';
import { migrateAll, openPlatform, type Databases } from '../../src/platform/runtime.js';
import { ROUTE_MODULES } from '../../src/routes.js';
import type { Kms } from '../../src/security/keys/kms/kms.js';
import { LocalKeystore } from '../../src/security/keys/kms/local-keystore.js';
import { generateSigner } from '../../src/security/audit/signer.js';

export interface TestPlatform {
  readonly app: App;
  readonly platform: Platform;
  readonly databases: Databases;
  readonly config: Config;
  /** Administrative URL of a database by name ('control', 'cell-a', ...). */
  adminUrl(name: string): string;
  close(): Promise<void>;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createDatabases(names: readonly string[]): Promise<{ urls: Map<string, string>; drop: () => Promise<void> }> {
  const adminUrl = inject('adminUrl');
  const prefix = `mct_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl(adminUrl, 'postgres') });
  await admin.connect();
  const urls = new Map<string, string>();
  try {
    for (const name of names) {
      const db = `${prefix}_${name.replace(/-/g, '_')}`;
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(db)} ENCODING 'UTF8' TEMPLATE template0`);
      urls.set(name, databaseUrl(adminUrl, db));
    }
  } finally {
    await admin.end();
  }
  return {
    urls,
    async drop() {
      const c = new pg.Client({ connectionString: databaseUrl(adminUrl, 'postgres') });
      await c.connect();
      try {
        for (const url of urls.values()) {
          await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(new URL(url).pathname.slice(1))} WITH (FORCE)`);
        }
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Runs fn on a connection of the server's administrator to one of the
 * platform's databases ('control', 'cell-a', ...): how a test looks past the
 * application role and row-level security at what was stored, or arranges
 * what the API would refuse. The connection is closed whatever fn does.
 */
export async function withAdminClient<T>(tp: TestPlatform, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: tp.adminUrl(database) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** One statement as the administrator (see withAdminClient), answering its rows. */
export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(tp: TestPlatform, database: string, sql: string, args: unknown[] = []): Promise<T[]> {
  return withAdminClient(tp, database, async (c) => (await c.query<T>(sql, args)).rows);
}

export async function createTestPlatform(
  options: {
    cells?: readonly string[];
    logLines?: string[];
    modules?: readonly RouteModule[];
    kms?: Kms;
    /** The placement policy (docs/providers.md); development by default, so suites place municipalities on undeclared cells. */
    placementPolicy?: 'enforce' | 'development';
  } = {},
): Promise<TestPlatform> {
  const cellIds = options.cells ?? ['cell-a'];
  const { urls, drop } = await createDatabases(['control', ...cellIds]);
  const env = {
    DATABASE_URL: urls.get('control')!,
    MUNICLOUD_CELLS: cellIds.map((id) => `${id}=${urls.get(id)!}`).join(','),
    MUNICLOUD_APP_PASSWORD: inject('appPassword'),
    MUNICLOUD_CURSOR_SECRET: randomBytes(32).toString('base64url'),
    MUNICLOUD_DATA_DIR: '/nonexistent',
    LOG_LEVEL: 'warn',
    MUNICLOUD_PLACEMENT_POLICY: options.placementPolicy ?? 'development',
  };
  const config = loadConfig(env);
  const lines = options.logLines;
  // Every platform logs (at info, or TEST_LOG_LEVEL) to a file of the run's log directory; the
  // global teardown scans them all for test residents' personal data.
  const logFile = path.join(inject('logDir'), `${randomBytes(6).toString('hex')}.log`);
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'info', {
    write: (line: string) => {
      lines?.push(line);
      appendFileSync(logFile, line);
    },
  });
  const databases: Databases = {
    controlAdminUrl: env.DATABASE_URL,
    cells: config.cells,
    roles: { ownerRole: config.ownerRole, appRole: config.appRole, appPassword: env.MUNICLOUD_APP_PASSWORD },
    cursorSecret: env.MUNICLOUD_CURSOR_SECRET,
    embedded: null,
  };
  await migrateAll(databases);
  // A throwaway local keystore unless the test brings its own KMS (fast scrypt: test-only).
  const keystoreDir = options.kms ? null : await mkdtemp(path.join(os.tmpdir(), 'municloud-kms-'));
  const kms =
    options.kms ??
    (await LocalKeystore.open({ file: path.join(keystoreDir!, 'keystore.json'), passphrase: 'test keystore', scrypt: { N: 2 ** 14, r: 8, p: 1 } }));
  const open = await openPlatform(config, log, databases, { kms, auditSigner: generateSigner('municloud.test/audit').signer });
  const app = await buildServer(open.platform, options.modules ?? ROUTE_MODULES);
  await app.ready();
  return {
    app,
    platform: open.platform,
    databases,
    config,
    adminUrl: (name) => urls.get(name)!,
    async close() {
      await app.close();
      await open.close();
      if (keystoreDir) {
        await kms.close();
        await rm(keystoreDir, { recursive: true, force: true });
      }
      await drop();
    },
  };
}
