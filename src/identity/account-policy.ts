/** Who may manage which accounts. Pure. */
import type { Principal, Role } from './roles.js';

/**
 * The organization whose accounts a principal may see and manage: the platform
 * operator any organization's, an admin their own organization's; null for a
 * principal who manages no accounts.
 */
export function accountScope(principal: Principal): { organizationCode: string | 'any' } | null {
  if (principal.roles.includes('platform_operator')) return { organizationCode: 'any' };
  if (principal.roles.includes('municipal_admin') || principal.roles.includes('prefecture_security_admin')) {
    return { organizationCode: principal.organizationCode };
  }
  return null;
}

export function mayManageAccountsOf(principal: Principal, organizationCode: string): boolean {
  const scope = accountScope(principal);
  return scope !== null && (scope.organizationCode === 'any' || scope.organizationCode === organizationCode);
}

/**
 * An admin may grant only roles of their own kind of organization; the
 * operator, any role that fits. The platform's roles (platform_operator,
 * provider_assessor) are therefore granted by the operator alone.
 */
export function mayGrantRoles(principal: Principal, roles: readonly Role[]): boolean {
  if (principal.roles.includes('platform_operator')) return true;
  const grantable: Role[] = [];
  if (principal.roles.includes('municipal_admin')) grantable.push('clerk', 'municipal_admin', 'auditor', 'support_measure_officer', 'linkage_subscriber');
  if (principal.roles.includes('prefecture_security_admin')) grantable.push('prefecture_security_admin');
  return roles.every((r) => grantable.includes(r));
}
