import { describe, expect, it } from 'vitest';
import type { OrganizationKind } from '../organizations/organization.js';
import { accountScope, mayGrantRoles, mayManageAccountsOf } from './account-policy.js';
import { ROLES, type Principal, type Role } from './roles.js';

const principal = (organizationCode: string, organizationKind: OrganizationKind, roles: Role[]): Principal => ({
  accountId: '00000000-0000-4000-8000-000000000001',
  credentialId: '00000000-0000-4000-8000-000000000002',
  organizationCode,
  organizationKind,
  roles,
  mfa: true,
});

const operator = principal('000001', 'digital_agency', ['platform_operator']);
const chiyodaAdmin = principal('131016', 'special_ward', ['municipal_admin']);
const chiyodaClerk = principal('131016', 'special_ward', ['clerk']);
const chiyodaAuditor = principal('131016', 'special_ward', ['auditor']);
const tokyoSecurity = principal('130001', 'prefecture', ['prefecture_security_admin']);
const assessor = principal('000001', 'digital_agency', ['provider_assessor']);
const nobody = principal('131016', 'special_ward', []);

describe('accountScope', () => {
  it('gives the platform operator every organization', () => {
    expect(accountScope(operator)).toEqual({ organizationCode: 'any' });
  });

  it('gives admins their own organization', () => {
    expect(accountScope(chiyodaAdmin)).toEqual({ organizationCode: '131016' });
    expect(accountScope(tokyoSecurity)).toEqual({ organizationCode: '130001' });
    expect(accountScope(principal('131016', 'special_ward', ['clerk', 'municipal_admin']))).toEqual({ organizationCode: '131016' });
  });

  it.each([
    ['clerk', chiyodaClerk],
    ['auditor', chiyodaAuditor],
    ['no role', nobody],
    ['clerk + auditor', principal('131016', 'special_ward', ['clerk', 'auditor'])],
    ['provider assessor (in the operator\'s organization)', assessor],
  ])('gives a %s no scope', (_, p) => {
    expect(accountScope(p)).toBeNull();
  });
});

describe('mayManageAccountsOf', () => {
  it('lets the operator manage any organization', () => {
    for (const code of ['000001', '130001', '131016', '011002']) expect(mayManageAccountsOf(operator, code)).toBe(true);
  });

  it('lets an admin manage only their own organization', () => {
    expect(mayManageAccountsOf(chiyodaAdmin, '131016')).toBe(true);
    expect(mayManageAccountsOf(chiyodaAdmin, '131024')).toBe(false);
    expect(mayManageAccountsOf(chiyodaAdmin, '130001')).toBe(false);
    expect(mayManageAccountsOf(chiyodaAdmin, 'any')).toBe(false);
    expect(mayManageAccountsOf(tokyoSecurity, '130001')).toBe(true);
    // The prefecture's security admin does not manage its municipalities' accounts.
    expect(mayManageAccountsOf(tokyoSecurity, '131016')).toBe(false);
  });

  it('lets clerks, auditors, assessors and role-less principals manage nothing, not even their own', () => {
    for (const p of [chiyodaClerk, chiyodaAuditor, assessor, nobody]) {
      expect(mayManageAccountsOf(p, '131016')).toBe(false);
      expect(mayManageAccountsOf(p, 'any')).toBe(false);
    }
  });
});

describe('mayGrantRoles', () => {
  it('lets the operator grant any role', () => {
    expect(mayGrantRoles(operator, [...ROLES])).toBe(true);
    for (const r of ROLES) expect(mayGrantRoles(operator, [r])).toBe(true);
  });

  it('lets only the operator grant the assessor role', () => {
    expect(mayGrantRoles(operator, ['provider_assessor'])).toBe(true);
    for (const p of [chiyodaAdmin, tokyoSecurity, assessor, chiyodaClerk, nobody]) expect(mayGrantRoles(p, ['provider_assessor'])).toBe(false);
  });

  it('lets a municipal admin grant the municipal roles only', () => {
    expect(mayGrantRoles(chiyodaAdmin, ['clerk', 'municipal_admin', 'auditor'])).toBe(true);
    expect(mayGrantRoles(chiyodaAdmin, ['platform_operator'])).toBe(false);
    expect(mayGrantRoles(chiyodaAdmin, ['prefecture_security_admin'])).toBe(false);
    expect(mayGrantRoles(chiyodaAdmin, ['clerk', 'platform_operator'])).toBe(false);
  });

  it('lets a prefecture security admin grant only that role', () => {
    expect(mayGrantRoles(tokyoSecurity, ['prefecture_security_admin'])).toBe(true);
    for (const r of ['clerk', 'municipal_admin', 'auditor', 'platform_operator'] as const) expect(mayGrantRoles(tokyoSecurity, [r])).toBe(false);
  });

  it('lets clerks, auditors and assessors grant no role', () => {
    for (const p of [chiyodaClerk, chiyodaAuditor, assessor, nobody]) {
      for (const r of ROLES) expect(mayGrantRoles(p, [r])).toBe(false);
    }
  });

  it('admits an empty role list for anyone (account management is checked separately)', () => {
    expect(mayGrantRoles(chiyodaClerk, [])).toBe(true);
    expect(mayManageAccountsOf(chiyodaClerk, '131016')).toBe(false);
  });
});
