/**
 * The second factor in the control database: a TOTP authenticator per account
 * and single-use recovery codes. Verification advances the account's last used
 * time step atomically, so two concurrent logins cannot both spend one code.
 *
 * The authenticator's secret is stored sealed (`secret_sealed`, AES-256-GCM)
 * under the record key of the account's organization, bound to the table,
 * column and account id (docs/keys.md): the database, its backups and its
 * administrators hold no usable secret, a sealed secret copied onto another
 * account does not open, and crypto-shredding the organization makes its
 * authenticators unverifiable. Rows written in plaintext before migration
 * 0009 are sealed when the platform starts (`sealPlaintextTotpSecrets`) and,
 * failing that, when first used.
 *
 * The functions take the control pool and the key service (`{ control, keys }`;
 * a Platform is one), or just the control pool of a platform opened by
 * `openPlatform`, which binds its key service to it (`bindTotpKeys`).
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { inTransaction } from '../platform/database.js';
import { Problem } from '../platform/errors.js';
import { KeyError } from '../security/keys/errors.js';
import { ENCRYPTED_COLUMNS } from '../security/keys/registry.js';
import type { KeyService } from '../security/keys/service.js';
import { base32Encode, matchTotp, newTotpSecret } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;

/** The sealed TOTP secret: one control table for every organization, sealed under the account's organization's key. */
export const TOTP_SECRET = ENCRYPTED_COLUMNS.register({
  table: 'control.mfa_totp',
  column: 'secret_sealed',
  idColumn: 'account_id',
  municipalityColumn: 'organization_code',
});

/** What sealing needs: the control database's request pool and the key service. */
export interface MfaStore {
  readonly control: pg.Pool;
  readonly keys: KeyService;
}

export type MfaDb = pg.Pool | MfaStore;

const boundKeys = new WeakMap<pg.Pool, KeyService>();

/** Lets callers that hold only the control pool (routes, the demo, tests, benchmarks) seal with the platform's key service. */
export function bindTotpKeys(control: pg.Pool, keys: KeyService): void {
  boundKeys.set(control, keys);
}

export function unbindTotpKeys(control: pg.Pool): void {
  boundKeys.delete(control);
}

function storeOf(db: MfaDb): MfaStore {
  if ('keys' in db && 'control' in db) return db;
  const pool = db as pg.Pool;
  const keys = boundKeys.get(pool);
  // Fail closed: without keys a secret could only be stored in plaintext.
  if (!keys) throw new Error('TOTP secrets are sealed at rest, and no key service is bound to this pool: pass { control, keys } or open the platform with openPlatform');
  return { control: pool, keys };
}

async function sealSecret(keys: KeyService, organizationCode: string, accountId: string, secret: Buffer): Promise<Buffer> {
  return (await keys.forMunicipality(organizationCode)).seal(TOTP_SECRET.field(accountId), secret);
}

/** A new secret for the account, and the same sealed under its organization's key. */
async function newSealedSecret({ control, keys }: MfaStore, accountId: string): Promise<{ organizationCode: string; secret: Buffer; sealed: Buffer }> {
  const { rows } = await control.query<{ organization_code: string }>('SELECT organization_code FROM control.accounts WHERE id = $1', [accountId]);
  if (!rows[0]) throw new Problem('not_found');
  const organizationCode = rows[0].organization_code;
  const secret = newTotpSecret();
  return { organizationCode, secret, sealed: await sealSecret(keys, organizationCode, accountId, secret) };
}

/**
 * Seals a secret still stored in plaintext (a row from before migration 0009)
 * and clears the plaintext; false when another process sealed it first.
 */
async function sealPlaintextSecret(db: pg.Pool | pg.ClientBase, keys: KeyService, accountId: string, organizationCode: string, secret: Buffer): Promise<boolean> {
  const sealed = await sealSecret(keys, organizationCode, accountId, secret);
  const { rowCount } = await db.query('UPDATE control.mfa_totp SET secret_sealed = $2, secret = NULL WHERE account_id = $1 AND secret IS NOT NULL', [accountId, sealed]);
  return rowCount === 1;
}

/** Starts (or restarts) enrolment; refused while an active authenticator exists. */
export async function startTotpEnrolment(db: MfaDb, accountId: string): Promise<Buffer> {
  const store = storeOf(db);
  const { organizationCode, secret, sealed } = await newSealedSecret(store, accountId);
  const { rowCount } = await store.control.query(
    `INSERT INTO control.mfa_totp (account_id, organization_code, secret_sealed) VALUES ($1, $2, $3)
     ON CONFLICT (account_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, secret = NULL, last_counter = -1, created_at = now()
       WHERE NOT control.mfa_totp.active`,
    [accountId, organizationCode, sealed],
  );
  if (rowCount === 0) throw new Problem('already_exists');
  return secret;
}

/**
 * Gives an account an authenticator that is active at once, skipping the
 * activation code: for provisioning by the platform itself (the demo, tests,
 * benchmarks), never for a person enrolling through the API.
 */
export async function provisionActiveTotp(db: MfaDb, accountId: string): Promise<Buffer> {
  const store = storeOf(db);
  const { organizationCode, secret, sealed } = await newSealedSecret(store, accountId);
  await store.control.query(
    'INSERT INTO control.mfa_totp (account_id, organization_code, secret_sealed, active, activated_at) VALUES ($1, $2, $3, true, now())',
    [accountId, organizationCode, sealed],
  );
  return secret;
}

interface TotpRow {
  secret: Buffer | null;
  secret_sealed: Buffer | null;
  organization_code: string;
  last_counter: string;
}

/**
 * The secret of a row, opened; null when the organization's keys were
 * destroyed (its authenticators verify nothing any more). A row still in
 * plaintext (from before migration 0009) is sealed on the way.
 */
async function openSecret(db: pg.Pool | pg.ClientBase, keys: KeyService, accountId: string, row: TotpRow): Promise<Buffer | null> {
  try {
    if (row.secret_sealed) return await (await keys.forMunicipality(row.organization_code)).open(TOTP_SECRET.field(accountId), row.secret_sealed);
    const secret = row.secret!;
    await sealPlaintextSecret(db, keys, accountId, row.organization_code, secret);
    return secret;
  } catch (err) {
    if (err instanceof KeyError && err.code === 'keys_destroyed') return null;
    throw err;
  }
}

/** Spends a code of the account's pending or active authenticator if it is valid and newer than any spent before; returns whether it was. */
async function spendTotp(
  db: pg.Pool | pg.ClientBase,
  keys: KeyService,
  accountId: string,
  authenticator: 'pending' | 'active',
  code: string,
  now: number,
): Promise<boolean> {
  const { rows } = await db.query<TotpRow>(
    'SELECT secret, secret_sealed, organization_code, last_counter FROM control.mfa_totp WHERE account_id = $1 AND active = $2',
    [accountId, authenticator === 'active'],
  );
  const row = rows[0];
  if (!row) return false;
  const secret = await openSecret(db, keys, accountId, row);
  if (!secret) return false;
  let counter: number | null;
  try {
    counter = matchTotp(secret, code, now, Number(row.last_counter));
  } finally {
    secret.fill(0);
  }
  if (counter === null) return false;
  const spent = await db.query('UPDATE control.mfa_totp SET last_counter = $2 WHERE account_id = $1 AND last_counter < $2', [accountId, counter]);
  return spent.rowCount === 1;
}

/** Activates the pending authenticator with a first code; returns fresh recovery codes (shown once). */
export async function activateTotp(db: MfaDb, accountId: string, code: string, now = Date.now()): Promise<string[] | null> {
  const { control, keys } = storeOf(db);
  return inTransaction(control, async (client) => {
    if (!(await spendTotp(client, keys, accountId, 'pending', code, now))) return null;
    await client.query('UPDATE control.mfa_totp SET active = true, activated_at = now() WHERE account_id = $1', [accountId]);
    return replaceRecoveryCodes(client, accountId);
  });
}

/**
 * Whether the code is the account's current one and not spent before. An
 * organization whose keys were destroyed has no verifiable authenticator
 * (false); a sealed secret that does not open where it is (altered, copied
 * from another account) throws a KeyError rather than pass for a wrong code.
 */
export async function verifyTotp(db: MfaDb, accountId: string, code: string, now = Date.now()): Promise<boolean> {
  const { control, keys } = storeOf(db);
  return spendTotp(control, keys, accountId, 'active', code, now);
}

/**
 * Seals every TOTP secret still stored in plaintext (rows from before
 * migration 0009) and clears the plaintext; run by openPlatform at start.
 * Rows that cannot be sealed now (the KMS is unavailable, the organization's
 * keys were destroyed) are left for the next start or their first use, logged
 * and counted; the platform starts anyway. Once nothing is left in plaintext
 * this is a single query, which the partial index mfa_totp_plaintext
 * (migration 0009) answers, so it costs next to nothing at every start.
 */
export async function sealPlaintextTotpSecrets(db: MfaDb, log?: Logger): Promise<{ sealed: number; failed: number }> {
  const { control, keys } = storeOf(db);
  const { rows } = await control.query<{ account_id: string; organization_code: string; secret: Buffer }>(
    'SELECT account_id, organization_code, secret FROM control.mfa_totp WHERE secret IS NOT NULL',
  );
  let sealed = 0;
  let failed = 0;
  for (const row of rows) {
    try {
      if (await sealPlaintextSecret(control, keys, row.account_id, row.organization_code, row.secret)) sealed++;
    } catch (err) {
      // Best effort: the platform starts anyway, and the row is sealed on its first use or at the next start.
      failed++;
      const reason = err instanceof KeyError ? err.code : err instanceof Error ? err.name : 'error';
      log?.warn({ accountId: row.account_id, organizationCode: row.organization_code, reason }, 'a TOTP secret stored in plaintext could not be sealed yet');
    } finally {
      row.secret.fill(0);
    }
  }
  if (sealed > 0) log?.info({ sealed }, 'sealed TOTP secrets stored in plaintext before migration 0009');
  return { sealed, failed };
}

export async function hasActiveTotp(db: pg.Pool, accountId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM control.mfa_totp WHERE account_id = $1 AND active', [accountId]);
  return rowCount === 1;
}

const hashCode = (code: string) => createHash('sha256').update(code.replace(/-/g, '').toUpperCase()).digest();

/** Ten new codes of 80 random bits each, replacing any earlier ones. */
export async function replaceRecoveryCodes(db: pg.ClientBase, accountId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => base32Encode(randomBytes(10)).replace(/(.{4})(?=.)/g, '$1-'));
  await db.query('DELETE FROM control.mfa_recovery_codes WHERE account_id = $1', [accountId]);
  await db.query('INSERT INTO control.mfa_recovery_codes (account_id, code_hash) SELECT $1, unnest($2::bytea[])', [accountId, codes.map(hashCode)]);
  return codes;
}

export async function spendRecoveryCode(db: pg.Pool, accountId: string, code: string): Promise<boolean> {
  if (!/^[A-Za-z2-7-]{16,19}$/.test(code)) return false;
  const { rowCount } = await db.query(
    'UPDATE control.mfa_recovery_codes SET used_at = now() WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL',
    [accountId, hashCode(code)],
  );
  return rowCount === 1;
}

/** An admin's reset for a lost authenticator: factor and codes go, and every session of the account ends. */
export async function resetMfa(db: pg.Pool, accountId: string): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query('DELETE FROM control.mfa_totp WHERE account_id = $1', [accountId]);
    await client.query('DELETE FROM control.mfa_recovery_codes WHERE account_id = $1', [accountId]);
    await client.query(`UPDATE control.credentials SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL AND kind <> 'api_token'`, [accountId]);
  });
}

/** The account a live login challenge belongs to, or null. */
export async function challengeAccount(db: pg.Pool, challengeHash: Buffer): Promise<{ id: string; accountId: string } | null> {
  const { rows } = await db.query<{ id: string; account_id: string }>(
    `SELECT c.id, c.account_id FROM control.credentials c JOIN control.accounts a ON a.id = c.account_id
      WHERE c.token_hash = $1 AND c.kind = 'mfa_challenge' AND c.revoked_at IS NULL AND c.expires_at > now() AND a.disabled_at IS NULL`,
    [challengeHash],
  );
  return rows[0] ? { id: rows[0].id, accountId: rows[0].account_id } : null;
}
