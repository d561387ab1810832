import { describe, expect, it } from 'vitest';
import { ORGANIZATION_KINDS, type OrganizationKind } from '../organizations/organization.js';
import { hasAnyRole, MFA_REQUIRED_ROLES, MUNICIPAL_ROLES, requiresMfa, roleFitsOrganization, ROLES, type Principal, type Role } from './roles.js';

/** Which kinds each role fits, spelled out in full. */
const FITS: Record<Role, Record<OrganizationKind, boolean>> = {
  clerk: { digital_agency: false, prefecture: false, designated_city: true, city: true, town: true, village: true, special_ward: true, ward: false },
  municipal_admin: { digital_agency: false, prefecture: false, designated_city: true, city: true, town: true, village: true, special_ward: true, ward: false },
  auditor: { digital_agency: false, prefecture: false, designated_city: true, city: true, town: true, village: true, special_ward: true, ward: false },
  support_measure_officer: { digital_agency: false, prefecture: false, designated_city: true, city: true, town: true, village: true, special_ward: true, ward: false },
  linkage_subscriber: { digital_agency: false, prefecture: false, designated_city: true, city: true, town: true, village: true, special_ward: true, ward: false },
  platform_operator: { digital_agency: true, prefecture: false, designated_city: false, city: false, town: false, village: false, special_ward: false, ward: false },
  // No organization kind for audit firms yet: assessors sign in to the operator's organization.
  provider_assessor: { digital_agency: true, prefecture: false, designated_city: false, city: false, town: false, village: false, special_ward: false, ward: false },
  prefecture_security_admin: { digital_agency: false, prefecture: true, designated_city: false, city: false, town: false, village: false, special_ward: false, ward: false },
};

describe('roleFitsOrganization', () => {
  it('covers every role and every kind in the table', () => {
    expect(Object.keys(FITS).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) expect(Object.keys(FITS[role]).sort()).toEqual([...ORGANIZATION_KINDS].sort());
  });

  const cases = ROLES.flatMap((role) => ORGANIZATION_KINDS.map((kind) => [role, kind, FITS[role][kind]] as const));
  it.each(cases)('%s on %s: %s', (role, kind, expected) => {
    expect(roleFitsOrganization(role, kind)).toBe(expected);
  });

  it('gives every kind but ward at least one role', () => {
    for (const kind of ORGANIZATION_KINDS) {
      expect(ROLES.some((r) => roleFitsOrganization(r, kind)), kind).toBe(kind !== 'ward');
    }
  });

  it('MUNICIPAL_ROLES are the roles that fit a city', () => {
    expect([...MUNICIPAL_ROLES].sort()).toEqual(ROLES.filter((r) => roleFitsOrganization(r, 'city')).sort());
  });
});

describe('requiresMfa', () => {
  it('is required of the roles that may see My Number (the municipal ones), and of no other', () => {
    expect([...MFA_REQUIRED_ROLES].sort()).toEqual([...MUNICIPAL_ROLES].sort());
    for (const role of ROLES) expect(requiresMfa([role]), role).toBe(MUNICIPAL_ROLES.includes(role));
  });

  it('is not required of an assessor, who sees providers\' evidence and no personal data', () => {
    expect(requiresMfa(['provider_assessor'])).toBe(false);
    expect(requiresMfa(['provider_assessor', 'clerk'])).toBe(true);
  });
});

describe('hasAnyRole', () => {
  const principal = (roles: Role[]): Principal => ({
    accountId: 'a',
    credentialId: 'c',
    organizationCode: '131016',
    organizationKind: 'special_ward',
    roles,
    mfa: true,
  });

  it('is true when one of the roles is admitted', () => {
    expect(hasAnyRole(principal(['clerk']), ['clerk', 'auditor'])).toBe(true);
    expect(hasAnyRole(principal(['auditor', 'municipal_admin']), ['municipal_admin'])).toBe(true);
  });

  it('is false when none is, or either list is empty', () => {
    expect(hasAnyRole(principal(['clerk']), ['municipal_admin'])).toBe(false);
    expect(hasAnyRole(principal([]), ['clerk'])).toBe(false);
    expect(hasAnyRole(principal(['clerk']), [])).toBe(false);
  });
});
