/**
 * Boot: start the embedded database (or use the configured ones), migrate the
 * control database and every cell, open request pools as the application role,
 * and check that they cannot bypass row-level security.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { loadCatalogue } from '../organizations/catalogue.js';
import { syncCatalogue } from '../organizations/store.js';
import { CellDirectory } from './cells.js';
import { placementGuard } from '../providers/placement/guard.js';
import type { CellConfig, Config } from './config.js';
import { applicationUrl, assertLeastPrivilege, createPool, inTransaction, type Roles } from './database.js';
import { loadOrCreateLocalSecrets, startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres.js';
import { CursorCodec } from './http/cursor.js';
import type { Platform } from './http/server.js';
import { migrate, type MigrationProgress } from './migrations.js';
import { openKmsFromEnv } from '../security/keys/kms/from-env.js';
import type { Kms } from '../security/keys/kms/kms.js';
import { KeyService } from '../security/keys/service.js';
import { AuditLog, openAuditLogFromEnv } from '../security/audit/service.js';
import { bindTotpKeys, sealPlaintextTotpSecrets, unbindTotpKeys } from '../identity/mfa.js';
import type { CheckpointSigner } from '../security/audit/signer.js';

/** Where the databases are, once the embedded server (if any) is up. */
export interface Databases {
  readonly controlAdminUrl: string;
  readonly cells: readonly CellConfig[];
  readonly roles: Roles;
  readonly cursorSecret: string | undefined;
  readonly embedded: EmbeddedServer | null;
}

export const EMBEDDED_CONTROL_DB = 'municloud_control';
export const embeddedCellDb = (cellId: string) => `municloud_${cellId.replace(/-/g, '_')}`;

export async function locateDatabases(config: Config, log: Logger): Promise<Databases> {
  const rolesFrom = (appPassword: string | undefined): Roles => ({ ownerRole: config.ownerRole, appRole: config.appRole, appPassword });
  if (config.mode === 'external') {
    return { controlAdminUrl: config.controlAdminUrl!, cells: config.cells, roles: rolesFrom(config.appPassword), cursorSecret: config.cursorSecret, embedded: null };
  }
  const secrets = await loadOrCreateLocalSecrets(config.dataDir);
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, superuserPassword: secrets.superuserPassword, log });
  try {
    await embedded.ensureDatabase(EMBEDDED_CONTROL_DB);
    const cellId = config.defaultCellId;
    await embedded.ensureDatabase(embeddedCellDb(cellId));
    return {
      controlAdminUrl: embedded.adminUrl(EMBEDDED_CONTROL_DB),
      cells: [{ id: cellId, adminUrl: embedded.adminUrl(embeddedCellDb(cellId)) }],
      roles: rolesFrom(config.appPassword ?? secrets.appPassword),
      cursorSecret: config.cursorSecret ?? secrets.cursorSecret,
      embedded,
    };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

/** Migrates the control database, loads the organization catalogue, registers the cells and migrates each. */
export async function migrateAll(dbs: Databases, onProgress?: MigrationProgress): Promise<{ applied: number; organizations: number }> {
  let applied = (await migrate(dbs.controlAdminUrl, 'control', dbs.roles, { onProgress })).applied.length;
  const admin = new pg.Pool({ connectionString: dbs.controlAdminUrl, max: 1 });
  let organizations = 0;
  try {
    await inTransaction(admin, async (client) => {
      await client.query(`SET LOCAL ROLE ${pg.escapeIdentifier(dbs.roles.ownerRole)}`);
      organizations = await syncCatalogue(client, loadCatalogue());
      for (const cell of dbs.cells) await client.query('INSERT INTO control.cells (id) VALUES ($1) ON CONFLICT DO NOTHING', [cell.id]);
    });
  } finally {
    await admin.end();
  }
  for (const cell of dbs.cells) applied += (await migrate(cell.adminUrl, 'cell', dbs.roles, { onProgress })).applied.length;
  return { applied, organizations };
}

export interface OpenPlatform {
  readonly platform: Platform;
  readonly databases: Databases;
  close(): Promise<void>;
}

/**
 * Opens the request pools (application role), refusing any that could bypass
 * row-level security, the key service on the configured KMS (or the one
 * given, which its owner then closes), sealing any TOTP secret still stored in
 * plaintext, and the audit log with its checkpoint publisher (signed in the
 * HSM when MUNICLOUD_AUDIT_SIGNER=pkcs11).
 */
export async function openPlatform(
  config: Config,
  log: Logger,
  dbs: Databases,
  options: { kms?: Kms; auditSigner?: CheckpointSigner } = {},
): Promise<OpenPlatform> {
  const control = createPool(applicationUrl(dbs.controlAdminUrl, dbs.roles));
  const pools = new Map(dbs.cells.map((c) => [c.id, createPool(applicationUrl(c.adminUrl, dbs.roles))] as const));
  const cells = new CellDirectory(control, pools, config.defaultCellId, placementGuard({ control, policy: config.placementPolicy, log }));
  let kms: Kms | undefined;
  let keys: KeyService | undefined;
  let audit: AuditLog | undefined;
  const close = async () => {
    await audit?.close();
    unbindTotpKeys(control);
    keys?.close();
    if (kms && !options.kms) await kms.close();
    await cells.close();
    await control.end();
  };
  try {
    await assertLeastPrivilege(control);
    for (const pool of pools.values()) await assertLeastPrivilege(pool);
    kms = options.kms ?? (await openKmsFromEnv(process.env, { mode: config.mode, dataDir: config.dataDir }));
    keys = KeyService.start(control, kms, { log });
    // TOTP secrets are sealed with the key service (identity/mfa.ts), also by callers that hold only the control pool.
    bindTotpKeys(control, keys);
    await sealPlaintextTotpSecrets({ control, keys }, log);
    audit = options.auditSigner
      ? await AuditLog.open({ pool: control, signer: options.auditSigner, log })
      : await openAuditLogFromEnv(control, { mode: config.mode, dataDir: config.dataDir, log, kms });
  } catch (err) {
    await close();
    throw err;
  }
  let cursorSecret = dbs.cursorSecret;
  if (!cursorSecret) {
    log.warn('MUNICLOUD_CURSOR_SECRET is not set: pagination cursors work only within this process');
    cursorSecret = randomBytes(32).toString('base64url');
  }
  const platform: Platform = { config, log, control, cells, keys, audit: audit!, cursors: new CursorCodec(Buffer.from(cursorSecret)) };
  return { platform, databases: dbs, close };
}
