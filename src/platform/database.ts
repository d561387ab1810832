/**
 * Database roles, pools and transactions.
 *
 * Two roles, created by the administrative connection:
 * - the migration role (NOLOGIN) owns every table, view and function;
 * - the application role logs in for request handling, owns nothing, cannot
 *   bypass row-level security and is granted only what the migrations grant it.
 * The platform refuses to serve if its request pool turns out to be a superuser,
 * a role with BYPASSRLS, or the owner of any relation (fail closed).
 */
import pg from 'pg';

export type DatabaseKind = 'control' | 'cell';
/** Each kind keeps its tables in a schema of its own, so one database can hold both. */
export const SCHEMA: Record<DatabaseKind, string> = { control: 'control', cell: 'cell' };

export interface Roles {
  readonly ownerRole: string;
  readonly appRole: string;
  readonly appPassword: string | undefined;
}

const lit = (s: string) => pg.escapeLiteral(s);
const ident = (s: string) => pg.escapeIdentifier(s);

/**
 * Creates the two roles and the kind's schema if they do not exist. Roles are
 * cluster-wide and several processes may bootstrap at once, so a role created
 * by someone else in the meantime is not an error.
 */
export async function bootstrapRolesAndSchema(admin: pg.ClientBase, kind: DatabaseKind, roles: Roles): Promise<void> {
  // Role rows are shared by the whole cluster: two migrators of different
  // databases may update one at the same moment ("tuple concurrently updated").
  for (let attempt = 1; ; attempt++) {
    try {
      return await bootstrapOnce(admin, kind, roles);
    } catch (err) {
      if (attempt >= 5 || !/concurrently/.test(String((err as Error).message))) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function bootstrapOnce(admin: pg.ClientBase, kind: DatabaseKind, roles: Roles): Promise<void> {
  const { ownerRole, appRole, appPassword } = roles;
  const password = appPassword === undefined ? '' : ` PASSWORD ${lit(appPassword)}`;
  await admin.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${lit(ownerRole)}) THEN
      CREATE ROLE ${ident(ownerRole)} NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  await admin.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${lit(appRole)}) THEN
      CREATE ROLE ${ident(appRole)} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT${password};
    END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  if (appPassword !== undefined) await admin.query(`ALTER ROLE ${ident(appRole)} PASSWORD ${lit(appPassword)}`);
  // A non-superuser administrator needs membership to create objects as the owner.
  const me = await admin.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  if (!me.rows[0]?.rolsuper) {
    await admin.query(`GRANT ${ident(ownerRole)} TO current_user`).catch(() => undefined);
  }
  const schema = SCHEMA[kind];
  await admin.query(`DO $$ BEGIN
    CREATE SCHEMA IF NOT EXISTS ${ident(schema)} AUTHORIZATION ${ident(ownerRole)};
  EXCEPTION WHEN duplicate_schema OR unique_violation THEN NULL; END $$`);
  await admin.query(`REVOKE ALL ON SCHEMA ${ident(schema)} FROM PUBLIC`);
  await admin.query(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${ident(appRole)}`);
  const db = await admin.query<{ db: string }>('SELECT current_database() AS db');
  await admin.query(`GRANT CONNECT ON DATABASE ${ident(db.rows[0]!.db)} TO ${ident(appRole)}`);
}

/** The application role's URL: the administrative URL with another user and password. */
export function applicationUrl(adminUrl: string, roles: Roles): string {
  const url = new URL(adminUrl);
  url.username = roles.appRole;
  url.password = roles.appPassword ?? '';
  return url.toString();
}

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, application_name: 'municloud' });
  // An idle client losing its server must not crash the process; the next checkout reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export class LeastPrivilegeViolation extends Error {}

/** Refuses a request pool that could bypass row-level security. */
export async function assertLeastPrivilege(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; owned: string }>(
    `SELECT r.rolname, r.rolsuper, r.rolbypassrls,
            (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace IN
               (SELECT oid FROM pg_namespace WHERE nspname IN ('control', 'cell')))::text AS owned
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const me = rows[0];
  if (!me) throw new LeastPrivilegeViolation('cannot read the request role');
  if (me.rolsuper || me.rolbypassrls || me.owned !== '0') {
    throw new LeastPrivilegeViolation(
      `request role "${me.rolname}" must not be a superuser, bypass row-level security or own tables`,
    );
  }
}

/** Runs fn in a transaction (opened by `begin`, which may set the transaction up too); rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The transaction-local setting every tenant table's row-level security policy reads. */
export const TENANT_SETTING = 'municloud.municipality_code';

/**
 * Runs fn in a transaction scoped to one municipality: row-level security then
 * shows and accepts only that municipality's rows. The setting is transaction
 * local, so a pooled connection never carries it into another request.
 */
export async function inTenantTransaction<T>(
  pool: pg.Pool,
  municipalityCode: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  // BEGIN and the tenant setting in one round trip (every tenant request pays it). The code is
  // spliced into the text, so it must be exactly six digits: anything else never reaches SQL.
  if (!/^[0-9]{6}$/.test(municipalityCode)) throw new TypeError('a municipality code is six digits');
  return inTransaction(pool, fn, `BEGIN; SELECT set_config('${TENANT_SETTING}', '${municipalityCode}', true)`);
}
