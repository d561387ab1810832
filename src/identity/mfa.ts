/**
 * The second factor in the control database: a TOTP authenticator per account
 * and single-use recovery codes. Verification advances the account's last used
 * time step atomically, so two concurrent logins cannot both spend one code.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../platform/database.js';
import { Problem } from '../platform/errors.js';
import { base32Encode, matchTotp, newTotpSecret } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;

/** Starts (or restarts) enrolment; refused while an active authenticator exists. */
export async function startTotpEnrolment(db: pg.Pool, accountId: string): Promise<Buffer> {
  const secret = newTotpSecret();
  const { rowCount } = await db.query(
    `INSERT INTO control.mfa_totp (account_id, secret) VALUES ($1, $2)
     ON CONFLICT (account_id) DO UPDATE SET secret = EXCLUDED.secret, last_counter = -1, created_at = now()
       WHERE NOT control.mfa_totp.active`,
    [accountId, secret],
  );
  if (rowCount === 0) throw new Problem('already_exists');
  return secret;
}

/**
 * Gives an account an authenticator that is active at once, skipping the
 * activation code: for provisioning by the platform itself (the demo, tests,
 * benchmarks), never for a person enrolling through the API.
 */
export async function provisionActiveTotp(db: pg.Pool, accountId: string): Promise<Buffer> {
  const secret = newTotpSecret();
  await db.query('INSERT INTO control.mfa_totp (account_id, secret, active, activated_at) VALUES ($1, $2, true, now())', [accountId, secret]);
  return secret;
}

/** Spends a code if it is valid and newer than any spent before; returns whether it was. */
async function spendTotp(db: pg.Pool | pg.ClientBase, accountId: string, code: string, active: boolean, now: number): Promise<boolean> {
  const { rows } = await db.query<{ secret: Buffer; last_counter: string }>(
    'SELECT secret, last_counter FROM control.mfa_totp WHERE account_id = $1 AND active = $2',
    [accountId, active],
  );
  const row = rows[0];
  if (!row) return false;
  const counter = matchTotp(row.secret, code, now, Number(row.last_counter));
  if (counter === null) return false;
  const spent = await db.query('UPDATE control.mfa_totp SET last_counter = $2 WHERE account_id = $1 AND last_counter < $2', [accountId, counter]);
  return spent.rowCount === 1;
}

/** Activates the pending authenticator with a first code; returns fresh recovery codes (shown once). */
export async function activateTotp(db: pg.Pool, accountId: string, code: string, now = Date.now()): Promise<string[] | null> {
  return inTransaction(db, async (client) => {
    if (!(await spendTotp(client, accountId, code, false, now))) return null;
    await client.query('UPDATE control.mfa_totp SET active = true, activated_at = now() WHERE account_id = $1', [accountId]);
    return replaceRecoveryCodes(client, accountId);
  });
}

export async function verifyTotp(db: pg.Pool, accountId: string, code: string, now = Date.now()): Promise<boolean> {
  return spendTotp(db, accountId, code, true, now);
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
