/**
 * Versioned plain-SQL migrations: `migrations/<kind>/NNNN_name.sql`.
 *
 * Each file runs in its own transaction as the migration role, so every object
 * it creates is owned by that role and a failing file leaves the schema as it
 * was. An advisory lock serialises concurrent migrators; a file changed after
 * it was applied is refused, because the database would no longer match it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { bootstrapRolesAndSchema, SCHEMA, type DatabaseKind, type Roles } from './database.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationProgress {
  (event: { kind: DatabaseKind; database: string; migration: Migration; index: number; total: number }): void;
}

/** The repository's migrations folder: the nearest ancestor of this file that has one (src/ or dist/src/). */
export function migrationsRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'migrations');
    if (existsSync(path.join(candidate, 'control'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot locate the migrations folder');
    dir = parent;
  }
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export async function loadMigrations(kind: DatabaseKind, root = migrationsRoot()): Promise<Migration[]> {
  const dir = path.join(root, kind);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE.exec(file);
    if (!match) throw new Error(`migration file name ${file} must look like 0001_name.sql`);
    const sql = await readFile(path.join(dir, file), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) throw new Error(`two ${kind} migrations have version ${version}`);
    migrations.push({ version, name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration?: Migration,
  ) {
    super(message);
  }
}

const LOCK_KEY = 7_413_290_113; // arbitrary, constant: "municloud migrations"

export async function migrate(
  adminUrl: string,
  kind: DatabaseKind,
  roles: Roles,
  options: { migrations?: Migration[]; onProgress?: MigrationProgress } = {},
): Promise<{ applied: number[] }> {
  const migrations = options.migrations ?? (await loadMigrations(kind));
  const schema = SCHEMA[kind];
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'municloud-migrate' });
  await client.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await bootstrapRolesAndSchema(client, kind, roles);
    const owner = pg.escapeIdentifier(roles.ownerRole);
    const app = pg.escapeIdentifier(roles.appRole);
    const qSchema = pg.escapeIdentifier(schema);
    await client.query('BEGIN');
    await client.query(`SET LOCAL ROLE ${owner}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${qSchema}.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    await client.query('COMMIT');
    const done = await client.query<{ version: number; checksum: string; name: string }>(
      `SELECT version, checksum, name FROM ${qSchema}.schema_migrations ORDER BY version`,
    );
    const doneByVersion = new Map(done.rows.map((r) => [r.version, r]));
    for (const m of migrations) {
      const prior = doneByVersion.get(m.version);
      if (prior && prior.checksum !== m.checksum) {
        throw new MigrationError(`${kind} migration ${m.version}_${m.name} was changed after it was applied`, m);
      }
    }
    const pending = migrations.filter((m) => !doneByVersion.has(m.version));
    const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    for (const [index, m] of pending.entries()) {
      options.onProgress?.({ kind, database, migration: m, index, total: pending.length });
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL ROLE ${owner}`);
        await client.query(`SET LOCAL search_path = ${qSchema}`);
        // The application role name is a placeholder in the SQL files, so grants follow the configuration.
        await client.query(m.sql.replaceAll(':app_role', app).replaceAll(':owner_role', owner));
        await client.query(`INSERT INTO ${qSchema}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('COMMIT');
        applied.push(m.version);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const reason = err instanceof Error ? err.message : String(err);
        throw new MigrationError(`${kind} migration ${m.version}_${m.name} failed and was rolled back: ${reason}`, m);
      }
    }
    await client.query(`GRANT SELECT ON ${qSchema}.schema_migrations TO ${app}`);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
  return { applied };
}
