/** Schemas and helpers shared by the identity routes. */
import { Type } from 'typebox';
import { fieldError, Problem } from '../platform/errors.js';
import type { Platform } from '../platform/http/server.js';
import { Uuid } from '../platform/http/schemas.js';
import { mayManageAccountsOf } from './account-policy.js';
import { findAccount, type Account } from './accounts.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from './password.js';
import { ROLES, type Principal } from './roles.js';

export const ANY_ROLE = ROLES;
export const RoleSchema = Type.Enum(ROLES);
export const LoginName = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{2,63}$', description: 'Lower-case letters, digits, . _ -' });
export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });

export const AccountSchema = Type.Object({
  id: Uuid,
  organizationCode: Type.String(),
  loginName: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(RoleSchema),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const CredentialSchema = Type.Object({
  id: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  expiresAt: Type.String(),
});

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

/** The schema counts characters as sent; the rule counts them after composition, so か+゛ typed apart counts once. */
export function requireGoodPassword(password: string, field: string): void {
  const problem = passwordProblem(password);
  if (!problem) return;
  throw new Problem('validation_failed', [
    fieldError(field, 'password_length', {
      ja: `パスワードは${PASSWORD_MIN_LENGTH}文字以上${PASSWORD_MAX_LENGTH}文字以下にしてください。`,
      en: `must have ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    }),
  ]);
}

export function principalOf(request: { principal: Principal | null }): Principal {
  if (!request.principal) throw new Problem('unauthenticated');
  return request.principal;
}

/** An account the principal may see; any other is reported as not found, exactly like one that does not exist. */
export async function visibleAccount(platform: Platform, principal: Principal, id: string): Promise<Account> {
  const account = await findAccount(platform.control, id);
  if (!account || !mayManageAccountsOf(principal, account.organizationCode)) throw new Problem('not_found');
  return account;
}

