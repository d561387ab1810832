/** Roles, and which kind of organization may hold each. Pure. */
import type { OrganizationKind } from '../organizations/organization.js';
import { isMunicipalityKind } from '../organizations/organization.js';

export const ROLES = [
  'clerk', // 窓口・業務担当職員: reads and records the municipality's data
  'municipal_admin', // 団体管理者: manages the municipality's accounts and settings
  'auditor', // 監査担当: reads records and evidence, changes nothing
  'support_measure_officer', // 支援措置担当: may disclose or certify the records of DV and similar victims, giving a reason
  'linkage_subscriber', // 連携先業務システム: a system that reads its own linkage subscriptions' feeds, nothing else
  'platform_operator', // デジタル庁 (platform operator): organizations, accounts, placement; no municipal data
  /**
   * 評価者: a person of an approved audit firm assessing cloud services
   * (docs/assessments.md). Records findings and reads what assessing needs
   * (component definitions, findings, assessment results); submits nothing for
   * providers and decides no certification (separation of duties). Held in the
   * platform operator's organization (000001): municloud has no organization
   * kind for audit firms yet, so an assessor signs in to the Digital Agency's.
   */
  'provider_assessor',
  'prefecture_security_admin', // 都道府県セキュリティ管理者 (security cloud)
] as const;
export type Role = (typeof ROLES)[number];

export const MUNICIPAL_ROLES: readonly Role[] = ['clerk', 'municipal_admin', 'auditor', 'support_measure_officer', 'linkage_subscriber'];

/** Whether an organization of this kind may hold the role. */
export function roleFitsOrganization(role: Role, kind: OrganizationKind): boolean {
  switch (role) {
    case 'clerk':
    case 'municipal_admin':
    case 'auditor':
    case 'support_measure_officer':
    case 'linkage_subscriber':
      return isMunicipalityKind(kind);
    case 'platform_operator':
    case 'provider_assessor':
      // No organization kind for audit firms yet: assessors sign in to the operator's organization.
      return kind === 'digital_agency';
    case 'prefecture_security_admin':
      return kind === 'prefecture';
  }
}

/**
 * Roles that can see My Number (特定個人情報) must log in with a second factor:
 * the municipality's staff. The operator, prefecture admins and assessors
 * never see it: an assessor (provider_assessor) sees providers' security
 * evidence (component definitions, findings), no personal data, so by this
 * rule is not required to use one either.
 */
export const MFA_REQUIRED_ROLES: readonly Role[] = MUNICIPAL_ROLES;

export function requiresMfa(roles: readonly Role[]): boolean {
  return roles.some((r) => MFA_REQUIRED_ROLES.includes(r));
}

/** What a request acts as, once authenticated. */
export interface Principal {
  readonly accountId: string;
  readonly credentialId: string;
  readonly organizationCode: string;
  readonly organizationKind: OrganizationKind;
  readonly roles: readonly Role[];
  /** Whether the credential was issued after a second factor. */
  readonly mfa: boolean;
  /** Set by the leak guard: the account may not read personal data until an admin lifts the block. */
  readonly readsBlocked?: boolean;
}

export function hasAnyRole(principal: Principal, admitted: readonly Role[]): boolean {
  return principal.roles.some((r) => admitted.includes(r));
}
