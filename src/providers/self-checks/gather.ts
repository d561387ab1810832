/**
 * The gatherers of the platform's self-checks: they fill PlatformObservations
 * (providers/assessment/self-checks.ts, which judges them) from a running
 * platform. Each reads as little as it can and no personal data: counts,
 * kinds, role names, cell ids, municipality codes and catalog rows
 * (docs/assessments.md, "Platform self-checks").
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { MFA_REQUIRED_ROLES, type Role } from '../../identity/roles.js';
import { assertLeastPrivilege, inTenantTransaction, LeastPrivilegeViolation } from '../../platform/database.js';
import type { RegisteredRoute } from '../../platform/http/access.js';
import type { Platform } from '../../platform/http/server.js';
import { exportAuditLog, ExportInputError } from '../../security/audit/export.js';
import { auditSignerKind } from '../../security/audit/service.js';
import { latestCheckpoint } from '../../security/audit/store.js';
import { VerifyInputError } from '../../security/audit/verifier.js';
import { verifyExportFile } from '../../security/audit/verify-file.js';
import { FORMAT_AES256GCM_V1, MIN_SEALED_LENGTH } from '../../security/keys/format.js';
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from '../../security/keys/registry.js';
import type { PlatformObservations } from '../assessment/self-checks.js';
import { CONTROL_STORE_ID, dataStoreLocations } from '../placement/data-stores.js';
import { regionInJapan } from '../placement/policy.js';
import { todayInJapan } from '../days.js';
import type { RegionFacts } from '../registry/model.js';
import { serviceRegistrationOn } from '../registry/registration.js';
import { cellLocations, listRegistrations } from '../registry/store.js';

/** Values read per encrypted column and municipality at most (the first ones the table yields): a bound for huge tables. */
export const DEFAULT_SAMPLE_LIMIT = 1_000_000;

export interface GatherOptions {
  /** The server's registered routes (`app.municloudRoutes`): their declared access says which roles reach My Number. */
  readonly routes: readonly RegisteredRoute[];
  /** The clock (tests inject one). */
  readonly now?: () => Date;
  /** Values read per encrypted column and municipality at most; DEFAULT_SAMPLE_LIMIT by default. */
  readonly sampleLimit?: number;
  /** Where the checkpoint key lives; from MUNICLOUD_AUDIT_SIGNER by default, as the server loaded it. */
  readonly auditSigner?: 'pkcs11' | 'software';
}

type Placements = readonly { readonly municipalityCode: string; readonly cellId: string }[];

/** Every observation of one run. */
export async function gatherObservations(platform: Platform, options: GatherOptions): Promise<PlatformObservations> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const placements = await platform.cells.placements();
  const today = todayInJapan(now());
  const encryptedColumns = await gatherEncryptedColumns(platform, placements, options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT);
  const auditLog = await gatherAuditLog(platform);
  const mfa = await gatherMfa(platform.control, options.routes);
  const dataLocations = await gatherDataLocations(platform);
  const servicesInUse = await gatherServicesInUse(platform.control, placements, today);
  const networkZones = await gatherNetworkZones(platform.control, placements);
  const databaseIsolation = await gatherDatabaseIsolation(platform);
  const leakGuard = await gatherLeakGuard(platform.control, placements);
  return {
    deploymentId: platform.audit.origin,
    startedAt,
    finishedAt: now().toISOString(),
    encryptedColumns,
    kms: gatherKms(platform),
    auditSigner: options.auditSigner ?? auditSignerKind(process.env),
    auditLog,
    mfa,
    dataLocations,
    ...(servicesInUse.length > 0 ? { servicesInUse } : {}),
    networkZones,
    databaseIsolation,
    leakGuard,
  };
}

/** The KMS holding the key-encryption keys: PKCS#11 (a software token when it is SoftHSM2) or the local keystore. */
export function gatherKms(platform: Platform): PlatformObservations['kms'] {
  const d = platform.keys.kms.describe();
  if (d.kind === 'pkcs11') return { kind: 'pkcs11', softwareToken: !d.production };
  // Only two KMSs exist; any other (none yet) is judged as what it is not: an HSM.
  return { kind: 'local-keystore', softwareToken: false };
}

function qualified(table: string): string {
  return table.split('.').map((part) => pg.escapeIdentifier(part)).join('.');
}

/** How many values of a column (up to `limit`) are not a well-formed sealed value: format byte 0x01, header and tag long. */
async function countColumn(db: pg.ClientBase | pg.Pool, column: EncryptedColumn, limit: number): Promise<{ values: number; unsealed: number }> {
  const col = pg.escapeIdentifier(column.column);
  const { rows } = await db.query<{ values: number; unsealed: number }>(
    `SELECT count(*)::int AS values,
            count(*) FILTER (WHERE CASE WHEN octet_length(v) < $1 THEN true ELSE get_byte(v, 0) <> $2 END)::int AS unsealed
       FROM (SELECT ${col} AS v FROM ${qualified(column.table)} WHERE ${col} IS NOT NULL LIMIT $3) s`,
    [MIN_SEALED_LENGTH, FORMAT_AES256GCM_V1, limit],
  );
  return rows[0] ?? { values: 0, unsealed: 0 };
}

/**
 * Every registered encrypted column in every cell and the control database.
 * Tenant tables are read one municipality at a time, inside its tenant
 * transaction (row-level security shows the request role nothing else); at
 * most `limit` values per column and municipality, only their length and
 * first byte.
 */
export async function gatherEncryptedColumns(platform: Platform, placements: Placements, limit: number): Promise<PlatformObservations['encryptedColumns']> {
  const columns = ENCRYPTED_COLUMNS.list();
  const out: { database: string; table: string; column: string; values: number; unsealed: number }[] = [];
  for (const column of columns.filter((c) => c.database === 'control')) {
    const counts = await countColumn(platform.control, column, limit);
    out.push({ database: 'control', table: column.table, column: column.column, ...counts });
  }
  const cellColumns = columns.filter((c) => c.database === 'cell');
  for (const cellId of platform.cells.cellIds().sort()) {
    const totals = new Map(cellColumns.map((c) => [c.name, { values: 0, unsealed: 0 }]));
    const pool = platform.cells.cellPool(cellId);
    for (const p of placements.filter((pl) => pl.cellId === cellId)) {
      await inTenantTransaction(pool, p.municipalityCode, async (client) => {
        for (const column of cellColumns) {
          const counts = await countColumn(client, column, limit);
          const t = totals.get(column.name)!;
          t.values += counts.values;
          t.unsealed += counts.unsealed;
        }
      });
    }
    for (const column of cellColumns) out.push({ database: cellId, table: column.table, column: column.column, ...totals.get(column.name)! });
  }
  return out;
}

/**
 * The audit log verified from its first entry to its latest signed
 * checkpoint with `municloud audit verify`'s verifier: exported to a
 * temporary file (removed after) and checked against the checkpoint and the
 * log's verifier key.
 */
export async function gatherAuditLog(platform: Platform): Promise<PlatformObservations['auditLog']> {
  const pool = platform.audit.pool;
  const checkpoint = await latestCheckpoint(pool);
  if (!checkpoint) return { verifies: true, checkpointSize: 0 };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-self-check-'));
  try {
    const entriesPath = path.join(dir, 'audit.jsonl');
    const checkpointPath = path.join(dir, 'checkpoint');
    await writeFile(checkpointPath, checkpoint.note, { mode: 0o600 });
    await exportAuditLog(pool, { out: entriesPath, to: checkpoint.treeSize });
    const result = await verifyExportFile({ entriesPath, checkpointPath, key: platform.audit.verifierKey.text });
    if (result.ok) return { verifies: true, checkpointSize: checkpoint.treeSize };
    const f = result.failure!;
    const firstBad = f.index ?? f.range?.[0];
    return { verifies: false, checkpointSize: checkpoint.treeSize, ...(firstBad !== undefined ? { firstBadEntry: firstBad } : {}), failure: f.reason };
  } catch (err) {
    if (err instanceof ExportInputError || err instanceof VerifyInputError) return { verifies: false, checkpointSize: checkpoint.treeSize, failure: 'unverifiable' };
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The roles admitted to My Number routes (their declared access); the roles
 * that must log in with a second factor, less any admitted to a My Number
 * route that exempts them from it; and the live credentials (sessions, API
 * tokens) of enabled accounts holding such a role that were issued without
 * a second factor: those of accounts with an active authenticator, and
 * apart, those of accounts still enrolling one.
 */
export async function gatherMfa(control: pg.Pool, routes: readonly RegisteredRoute[]): Promise<PlatformObservations['mfa']> {
  const myNumber = routes.filter((r) => r.access?.myNumber);
  const rolesOf = (rs: readonly RegisteredRoute[]) => [...new Set(rs.flatMap((r) => (r.access!.roles === 'public' ? ['public'] : [...r.access!.roles])))].sort();
  const myNumberRoles = rolesOf(myNumber);
  const exempt = new Set(rolesOf(myNumber.filter((r) => r.access!.mfaExempt)));
  const rolesRequiringMfa = MFA_REQUIRED_ROLES.filter((r) => !exempt.has(r));
  // A session without a second factor of an account that has no active
  // authenticator yet is the enrolment session: the access layer admits it
  // only to the routes that exempt it (enrol, log out), so it is counted
  // apart. One of an account that has an authenticator was issued around it.
  const { rows } = await control.query<{ enrolling: boolean; n: number }>(
    `SELECT (t.account_id IS NULL) AS enrolling, count(*)::int AS n
       FROM control.credentials c JOIN control.accounts a ON a.id = c.account_id
       LEFT JOIN control.mfa_totp t ON t.account_id = a.id AND t.active
      WHERE c.kind IN ('session', 'api_token') AND NOT c.mfa AND c.revoked_at IS NULL AND c.expires_at > now()
        AND a.disabled_at IS NULL AND a.roles && $1::text[]
      GROUP BY 1`,
    [myNumberRoles.filter((r): r is Role => r !== 'public')],
  );
  const count = (enrolling: boolean) => rows.find((r) => r.enrolling === enrolling)?.n ?? 0;
  return { myNumberRoles, rolesRequiringMfa: [...rolesRequiringMfa], credentialsWithoutMfa: count(false), enrolmentCredentials: count(true) };
}

async function clusterOf(db: pg.Pool): Promise<string | null> {
  try {
    const { rows } = await db.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    return rows[0]?.id ?? null;
  } catch {
    return null;
  }
}

/**
 * Where the data is. Each registered cell's declared region
 * (`/v1/cells/:cellId/location`), and each declared backup store's
 * (`/v1/data-stores/:storeId/location`, kind `backup`): its country when the
 * region is in Japan by the placement policy's test (country, governing law
 * and every data centre), `null` (unconfirmed) for a Japanese country with a
 * foreign law or data centre, else the foreign country; an undeclared cell is
 * `null`. The control database: by the same rule from its declared region
 * (store `control`) when there is one; else where the cells on the same
 * PostgreSQL server (system identifier) are, when they agree, else `null`.
 * Backups are observed only as declared: none declared, none listed, and the
 * judgement says so (not satisfied).
 */
export async function gatherDataLocations(platform: Platform): Promise<PlatformObservations['dataLocations']> {
  const { rows } = await platform.control.query<{ id: string }>('SELECT id FROM control.cells ORDER BY id');
  const cellIds = rows.map((r) => r.id);
  const locations = await cellLocations(platform.control, cellIds);
  const countryOf = (region: RegionFacts | undefined): string | null => (!region ? null : regionInJapan(region) ? 'JP' : region.country === 'JP' ? null : region.country);
  const out: { id: string; kind: 'cell' | 'control' | 'backup'; country: string | null }[] = cellIds.map((id) => ({ id, kind: 'cell', country: countryOf(locations.get(id)?.region) }));
  const stores = await dataStoreLocations(platform.control);
  const declaredControl = stores.find((s) => s.kind === 'control');
  out.push({ id: CONTROL_STORE_ID, kind: 'control', country: declaredControl ? countryOf(declaredControl.region) : await inferredControlCountry(platform, out) });
  for (const backup of stores.filter((s) => s.kind === 'backup')) out.push({ id: backup.storeId, kind: 'backup', country: countryOf(backup.region) });
  return out;
}

/** The control database undeclared: where the cells on its PostgreSQL server (system identifier) are, when they agree, else `null`. */
async function inferredControlCountry(platform: Platform, cells: readonly { id: string; country: string | null }[]): Promise<string | null> {
  const control = await clusterOf(platform.control);
  const sameServer = new Set<string | null>();
  if (control !== null) {
    for (const cell of cells) {
      if (!platform.cells.hasCell(cell.id)) continue;
      if ((await clusterOf(platform.cells.cellPool(cell.id))) === control) sameServer.add(cell.country);
    }
  }
  return sameServer.size === 1 ? [...sameServer][0]! : null;
}

/**
 * The cloud services the cells in use (with a municipality placed) run on,
 * and whether each holds an ISMAP registration in force on the day; a cell
 * in use without a declared location counts as an unregistered service
 * `undeclared:<cell id>`.
 */
export async function gatherServicesInUse(control: pg.Pool, placements: Placements, on: string): Promise<{ serviceId: string; registered: boolean }[]> {
  const cellIds = [...new Set(placements.map((p) => p.cellId))].sort();
  if (cellIds.length === 0) return [];
  const locations = await cellLocations(control, cellIds);
  const serviceIds = [...new Set([...locations.values()].map((l) => l.service.id))];
  const registrations = serviceIds.length > 0 ? await listRegistrations(control, { serviceIds }) : [];
  const out = new Map<string, boolean>();
  for (const cellId of cellIds) {
    const location = locations.get(cellId);
    if (!location) {
      out.set(`undeclared:${cellId}`, false);
      continue;
    }
    const id = location.service.id;
    const standing = serviceRegistrationOn(registrations.filter((r) => r.serviceId === id), on);
    out.set(id, standing.standing === 'registered');
  }
  return [...out].map(([serviceId, registered]) => ({ serviceId, registered }));
}

/** Municipalities placed, and those with no My Number zone range. */
export async function gatherNetworkZones(control: pg.Pool, placements: Placements): Promise<NonNullable<PlatformObservations['networkZones']>> {
  const { rows } = await control.query<{ code: string }>(
    `SELECT p.municipality_code AS code FROM control.placements p
      WHERE NOT EXISTS (SELECT 1 FROM control.network_zones z WHERE z.municipality_code = p.municipality_code AND z.zone = 'my_number')
      ORDER BY 1`,
  );
  return { municipalities: placements.length, withoutMyNumberZone: rows.map((r) => r.code) };
}

/**
 * The least-privilege check of every request pool (the one the server runs
 * at start-up: no superuser, no BYPASSRLS, owns nothing) and, in every cell,
 * each table with a `municipality_code` column: row-level security enabled
 * and forced, with a policy.
 */
export async function gatherDatabaseIsolation(platform: Platform): Promise<NonNullable<PlatformObservations['databaseIsolation']>> {
  let checked = 0;
  const violations: string[] = [];
  const pools: [string, pg.Pool][] = [['control', platform.control], ...platform.cells.cellIds().sort().map((id): [string, pg.Pool] => [id, platform.cells.cellPool(id)])];
  for (const [name, pool] of pools) {
    checked++;
    try {
      await assertLeastPrivilege(pool);
    } catch (err) {
      if (!(err instanceof LeastPrivilegeViolation)) throw err;
      violations.push(`${name}: request role not least-privilege`);
    }
  }
  for (const [name, pool] of pools.slice(1)) {
    const { rows } = await pool.query<{ t: string; rls: boolean; forced: boolean; policy: boolean }>(
      `SELECT n.nspname || '.' || c.relname AS t, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
              EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS policy
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'cell' AND c.relkind IN ('r', 'p')
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'municipality_code' AND NOT a.attisdropped)
        ORDER BY 1`,
    );
    for (const r of rows) {
      checked++;
      if (!r.rls || !r.forced) violations.push(`${name}:${r.t} no forced RLS`);
      if (!r.policy) violations.push(`${name}:${r.t} no tenant policy`);
    }
  }
  return { checked, violations };
}

/**
 * Municipalities placed, and those whose leak-guard limits are not in force.
 * Limits are always in force (the defaults until a municipality sets its own,
 * and the table refuses a limit that is not positive), so the list is empty
 * whenever the table holds what its constraints allow.
 */
export async function gatherLeakGuard(control: pg.Pool, placements: Placements): Promise<NonNullable<PlatformObservations['leakGuard']>> {
  const { rows } = await control.query<{ code: string }>(
    `SELECT municipality_code AS code FROM control.leak_guard_limits WHERE per_account_per_hour <= 0 OR per_municipality_per_hour <= 0 ORDER BY 1`,
  );
  const placed = new Set(placements.map((p) => p.municipalityCode));
  return { municipalities: placements.length, withoutLimits: rows.map((r) => r.code).filter((c) => placed.has(c)) };
}
