/** Accounts and credentials (sessions, API tokens) in the control database. */
import type pg from 'pg';
import { inTransaction } from '../platform/database.js';
import { Problem } from '../platform/errors.js';
import type { OrganizationKind } from '../organizations/organization.js';
import { lockSecondsAfter } from './lockout.js';
import { decoyHash, hashPassword, verifyPassword } from './password.js';
import type { Principal, Role } from './roles.js';
import { newToken, isTokenShaped, tokenHash, type CredentialKind } from './tokens.js';

export interface Account {
  readonly id: string;
  readonly organizationCode: string;
  readonly loginName: string;
  readonly displayName: string;
  readonly roles: Role[];
  readonly disabled: boolean;
  readonly createdAt: string;
}

interface AccountRow {
  id: string;
  organization_code: string;
  login_name: string;
  display_name: string;
  roles: Role[];
  disabled_at: Date | null;
  created_at: Date;
}

const ACCOUNT_COLUMNS = 'id, organization_code, login_name, display_name, roles, disabled_at, created_at';

function accountFrom(r: AccountRow): Account {
  return {
    id: r.id,
    organizationCode: r.organization_code,
    loginName: r.login_name,
    displayName: r.display_name,
    roles: r.roles,
    disabled: r.disabled_at !== null,
    createdAt: r.created_at.toISOString(),
  };
}

export interface NewAccount {
  organizationCode: string;
  loginName: string;
  displayName: string;
  roles: Role[];
  password: string;
}

export async function createAccount(db: pg.Pool, input: NewAccount): Promise<Account> {
  const hash = await hashPassword(input.password);
  try {
    const { rows } = await db.query<AccountRow>(
      `INSERT INTO control.accounts (organization_code, login_name, display_name, roles, password_hash)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${ACCOUNT_COLUMNS}`,
      [input.organizationCode, input.loginName, input.displayName, input.roles, hash],
    );
    return accountFrom(rows[0]!);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new Problem('already_exists');
    throw err;
  }
}

/** The account of this login name in the organization, if any. */
export async function findAccountByLogin(db: pg.Pool, organizationCode: string, loginName: string): Promise<Account | null> {
  const { rows } = await db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM control.accounts WHERE organization_code = $1 AND login_name = $2`, [organizationCode, loginName]);
  return rows[0] ? accountFrom(rows[0]) : null;
}

export async function findAccount(db: pg.Pool, id: string): Promise<Account | null> {
  const { rows } = await db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM control.accounts WHERE id = $1`, [id]);
  return rows[0] ? accountFrom(rows[0]) : null;
}

export async function listAccounts(
  db: pg.Pool,
  filter: { organizationCode?: string },
  page: { limit: number; after?: { loginName: string; organizationCode: string } },
): Promise<{ items: Account[]; total: number }> {
  const args: unknown[] = [filter.organizationCode ?? null];
  const scope = '($1::text IS NULL OR organization_code = $1)';
  const total = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM control.accounts WHERE ${scope}`, args);
  let after = '';
  if (page.after) {
    args.push(page.after.organizationCode, page.after.loginName);
    after = 'AND (organization_code, login_name) > ($2, $3)';
  }
  args.push(page.limit);
  const { rows } = await db.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM control.accounts WHERE ${scope} ${after}
     ORDER BY organization_code, login_name LIMIT $${args.length}`,
    args,
  );
  return { items: rows.map(accountFrom), total: Number(total.rows[0]!.n) };
}

/** Disables an account and revokes every credential it holds, in one transaction. */
export async function disableAccount(db: pg.Pool, id: string): Promise<Account | null> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<AccountRow>(
      `UPDATE control.accounts SET disabled_at = coalesce(disabled_at, now()), updated_at = now()
       WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
      [id],
    );
    if (!rows[0]) return null;
    await client.query('UPDATE control.credentials SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL', [id]);
    return accountFrom(rows[0]);
  });
}

export async function changePassword(db: pg.Pool, accountId: string, current: string, next: string): Promise<void> {
  const { rows } = await db.query<{ password_hash: string }>('SELECT password_hash FROM control.accounts WHERE id = $1', [accountId]);
  if (!rows[0] || !(await verifyPassword(current, rows[0].password_hash))) throw new Problem('invalid_credentials');
  const hash = await hashPassword(next);
  await inTransaction(db, async (client) => {
    await client.query('UPDATE control.accounts SET password_hash = $2, updated_at = now() WHERE id = $1', [accountId, hash]);
    // Other sessions end with the old password; API tokens are separate grants and stay.
    await client.query(
      `UPDATE control.credentials SET revoked_at = now() WHERE account_id = $1 AND kind = 'session' AND revoked_at IS NULL`,
      [accountId],
    );
  });
}

/** Whole seconds left on an account's lock (null or ≤ 0 when unlocked), in SQL. */
const LOCKED_FOR = 'ceil(extract(epoch FROM locked_until - now()))::int';

export type LoginCheck =
  | { readonly outcome: 'ok'; readonly accountId: string }
  | { readonly outcome: 'failed' }
  | { readonly outcome: 'locked'; readonly retryAfterSeconds: number };

/**
 * Checks a password. Which part of a failed login was wrong is not revealed,
 * and an unknown login name costs as much time as a wrong password. A locked
 * account is not checked at all until its lock expires.
 */
export async function checkLogin(db: pg.Pool, organizationCode: string, loginName: string, password: string): Promise<LoginCheck> {
  const { rows } = await db.query<{ id: string; password_hash: string; disabled_at: Date | null; locked_for: number | null }>(
    `SELECT id, password_hash, disabled_at, ${LOCKED_FOR} AS locked_for
       FROM control.accounts WHERE organization_code = $1 AND login_name = $2`,
    [organizationCode, loginName],
  );
  const row = rows[0];
  if (row?.locked_for && row.locked_for > 0) return { outcome: 'locked', retryAfterSeconds: row.locked_for };
  const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
  if (!row || row.disabled_at !== null) return { outcome: 'failed' };
  if (!ok) {
    await recordLoginFailure(db, row.id);
    return { outcome: 'failed' };
  }
  return { outcome: 'ok', accountId: row.id };
}

/** Seconds until the account's lock expires; 0 when it is not locked. */
export async function lockedForSeconds(db: pg.Pool, accountId: string): Promise<number> {
  const { rows } = await db.query<{ s: number | null }>(
    `SELECT ${LOCKED_FOR} AS s FROM control.accounts WHERE id = $1`,
    [accountId],
  );
  return Math.max(0, rows[0]?.s ?? 0);
}

/** Counts a failed password or second factor; locks the account with backoff (see lockout.ts). */
export async function recordLoginFailure(db: pg.Pool, accountId: string): Promise<void> {
  const { rows } = await db.query<{ failed_attempts: number }>(
    'UPDATE control.accounts SET failed_attempts = failed_attempts + 1 WHERE id = $1 RETURNING failed_attempts',
    [accountId],
  );
  const lockSeconds = lockSecondsAfter(rows[0]?.failed_attempts ?? 0);
  if (lockSeconds > 0) {
    await db.query('UPDATE control.accounts SET locked_until = now() + make_interval(secs => $2) WHERE id = $1', [accountId, lockSeconds]);
  }
}

/** A complete login (every factor it needs) clears the failure count. */
export async function recordLoginSuccess(db: pg.Pool, accountId: string): Promise<void> {
  await db.query('UPDATE control.accounts SET failed_attempts = 0, locked_until = NULL WHERE id = $1 AND failed_attempts > 0', [accountId]);
}

export interface IssuedCredential {
  readonly id: string;
  readonly token: string;
  readonly kind: CredentialKind;
  readonly name: string | null;
  readonly expiresAt: string;
}

export async function issueCredential(
  db: pg.Pool,
  accountId: string,
  kind: CredentialKind,
  ttlSeconds: number,
  options: { name?: string | null; mfa: boolean },
): Promise<IssuedCredential> {
  const token = newToken(kind);
  const name = options.name ?? null;
  const { rows } = await db.query<{ id: string; expires_at: Date }>(
    `INSERT INTO control.credentials (account_id, kind, name, token_hash, expires_at, mfa)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), $6) RETURNING id, expires_at`,
    [accountId, kind, name, tokenHash(token), ttlSeconds, options.mfa],
  );
  return { id: rows[0]!.id, token, kind, name, expiresAt: rows[0]!.expires_at.toISOString() };
}

export interface CredentialInfo {
  readonly id: string;
  readonly kind: CredentialKind;
  readonly name: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revoked: boolean;
}

export async function listCredentials(db: pg.Pool, accountId: string, kind: CredentialKind): Promise<CredentialInfo[]> {
  const { rows } = await db.query<{ id: string; kind: CredentialKind; name: string | null; created_at: Date; expires_at: Date; revoked_at: Date | null }>(
    `SELECT id, kind, name, created_at, expires_at, revoked_at FROM control.credentials
     WHERE account_id = $1 AND kind = $2 AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at`,
    [accountId, kind],
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    revoked: r.revoked_at !== null,
  }));
}

/** Revokes one of the account's own credentials; false when it has no such live credential. */
export async function revokeCredential(db: pg.Pool, accountId: string, credentialId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE control.credentials SET revoked_at = now() WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL',
    [credentialId, accountId],
  );
  return rowCount === 1;
}

/** The principal a bearer token stands for, or null when it is unknown, expired, revoked or its account disabled. */
export async function authenticate(db: pg.Pool, token: string): Promise<Principal | null> {
  if (!isTokenShaped(token)) return null;
  const { rows } = await db.query<{ credential_id: string; account_id: string; organization_code: string; kind: OrganizationKind; roles: Role[]; mfa: boolean; reads_blocked: boolean }>(
    `SELECT c.id AS credential_id, a.id AS account_id, a.organization_code, o.kind, a.roles, c.mfa,
            a.reads_blocked_at IS NOT NULL AS reads_blocked
       FROM control.credentials c
       JOIN control.accounts a ON a.id = c.account_id
       JOIN control.organizations o ON o.code = a.organization_code
      WHERE c.token_hash = $1 AND c.kind IN ('session', 'api_token')
        AND c.revoked_at IS NULL AND c.expires_at > now() AND a.disabled_at IS NULL`,
    [tokenHash(token)],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    credentialId: r.credential_id,
    accountId: r.account_id,
    organizationCode: r.organization_code,
    organizationKind: r.kind,
    roles: r.roles,
    mfa: r.mfa,
    readsBlocked: r.reads_blocked,
  };
}
