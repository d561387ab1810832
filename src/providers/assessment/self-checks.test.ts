import { describe, expect, it } from 'vitest';
import type { AutomatedCheck } from '../catalog/requirements.js';
import { evaluateSelfChecks, type PlatformObservations, requirementsBySelfCheck, SELF_CHECK_IDS, type SelfCheckId, UnknownSelfCheck } from './self-checks.js';
import { FIXTURE_REQUIREMENTS, goodObservations } from './test-fixtures.js';

// The catalog's `assessment.automated` names exactly the checks this module
// runs: a check added to either side without the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameChecks: Same<SelfCheckId, AutomatedCheck> = true;

function judge(change: (o: PlatformObservations) => PlatformObservations) {
  return new Map(evaluateSelfChecks(change(goodObservations())).map((r) => [r.checkId, r]));
}

describe('evaluateSelfChecks', () => {
  it('judges every check, in a fixed order, all satisfied on a sound deployment', () => {
    expect(sameChecks).toBe(true);
    const results = evaluateSelfChecks(goodObservations());
    expect(results.map((r) => r.checkId)).toEqual([...SELF_CHECK_IDS]);
    expect(results.filter((r) => r.state !== 'satisfied')).toEqual([]);
    expect(results[0]!.evidence).toEqual({ columns: 2, values: 1212, unsealed: 0 });
    expect(results[0]!.reason.en).toBe('All 1212 value(s) in 2 column(s) are sealed.');
  });

  it('records-encrypted: an unsealed value, or no column observed at all', () => {
    const unsealed = judge((o) => ({ ...o, encryptedColumns: [{ database: 'cell-1', table: 'cell.residents', column: 'name_sealed', values: 10, unsealed: 2 }] })).get('records-encrypted')!;
    expect(unsealed.state).toBe('not_satisfied');
    expect(unsealed.evidence.columnsWithUnsealed).toBe('cell-1:cell.residents.name_sealed');
    expect(judge((o) => ({ ...o, encryptedColumns: [] })).get('records-encrypted')!.state).toBe('not_satisfied');
  });

  it('keys-in-hsm: the local keystore, a software token, or an audit signer outside the HSM', () => {
    expect(judge((o) => ({ ...o, kms: { kind: 'local-keystore', softwareToken: false } })).get('keys-in-hsm')!.reason.en).toMatch(/local keystore/);
    expect(judge((o) => ({ ...o, kms: { kind: 'pkcs11', softwareToken: true } })).get('keys-in-hsm')!.reason.en).toMatch(/SoftHSM2/);
    expect(judge((o) => ({ ...o, auditSigner: 'software' })).get('keys-in-hsm')!.state).toBe('not_satisfied');
  });

  it('audit-log-verifies: a failed verification names the entry; an empty log is no evidence', () => {
    const failed = judge((o) => ({ ...o, auditLog: { verifies: false, checkpointSize: 1234, firstBadEntry: 700, failure: 'altered' } })).get('audit-log-verifies')!;
    expect(failed.state).toBe('not_satisfied');
    expect(failed.reason.en).toBe('The audit log does not verify against its signed checkpoint (entry 700: altered).');
    expect(failed.evidence).toMatchObject({ firstBadEntry: 700, failure: 'altered' });
    expect(judge((o) => ({ ...o, auditLog: { verifies: true, checkpointSize: 0 } })).get('audit-log-verifies')!.state).toBe('not_satisfied');
  });

  it('mfa-for-my-number-roles: a role without the requirement, or a credential issued without a second factor', () => {
    const uncovered = judge((o) => ({ ...o, mfa: { ...o.mfa, myNumberRoles: ['clerk', 'platform_operator'] } })).get('mfa-for-my-number-roles')!;
    expect(uncovered.state).toBe('not_satisfied');
    expect(uncovered.evidence.rolesWithoutMfaRequirement).toBe('platform_operator');
    expect(judge((o) => ({ ...o, mfa: { ...o.mfa, credentialsWithoutMfa: 3 } })).get('mfa-for-my-number-roles')!.reason.en).toMatch(/^3 live credential/);
    // A clerk still enrolling an authenticator holds a session confined to enrolment: evidence, not a failure.
    const enrolling = judge((o) => ({ ...o, mfa: { ...o.mfa, enrolmentCredentials: 2 } })).get('mfa-for-my-number-roles')!;
    expect(enrolling.state).toBe('satisfied');
    expect(enrolling.evidence).toMatchObject({ enrolmentCredentials: 2, credentialsWithoutMfa: 0 });
    expect(judge((o) => ({ ...o, mfa: { ...o.mfa, myNumberRoles: [] } })).get('mfa-for-my-number-roles')!.state).toBe('not_satisfied');
  });

  it('data-in-japan: a location abroad or unknown, or no cell at all', () => {
    const abroad = judge((o) => ({ ...o, dataLocations: [...o.dataLocations, { id: 'backup-1', kind: 'backup', country: 'SG' }, { id: 'cell-2', kind: 'cell', country: null }] })).get('data-in-japan')!;
    expect(abroad.state).toBe('not_satisfied');
    expect(abroad.evidence.outsideJapan).toBe('backup:backup-1=SG cell:cell-2=unknown');
    expect(judge((o) => ({ ...o, dataLocations: [{ id: 'control', kind: 'control', country: 'JP' }] })).get('data-in-japan')!.state).toBe('not_satisfied');
  });

  it('data-in-japan: every cell, the control database and every backup in Japan, backups counted', () => {
    const ok = judge((o) => o).get('data-in-japan')!;
    expect(ok.state).toBe('satisfied');
    expect(ok.evidence).toEqual({ locations: 3, backups: 1 });
    expect(ok.reason.en).toBe('All 3 data location(s), 1 backup(s) among them, are in Japan.');
    const abroad = judge((o) => ({ ...o, dataLocations: [...o.dataLocations, { id: 'backup-singapore', kind: 'backup', country: 'SG' }] })).get('data-in-japan')!;
    expect(abroad.state).toBe('not_satisfied');
    expect(abroad.evidence).toEqual({ locations: 4, backups: 2, outsideJapan: 'backup:backup-singapore=SG' });
    expect(abroad.reason.en).toBe('Data locations not confirmed in Japan: backup:backup-singapore=SG.');
  });

  it('data-in-japan: no backup declared is not satisfied (fail closed: backups unobserved), said in the reason and the evidence', () => {
    const noBackup = judge((o) => ({ ...o, dataLocations: o.dataLocations.filter((l) => l.kind !== 'backup') })).get('data-in-japan')!;
    expect(noBackup.state).toBe('not_satisfied');
    expect(noBackup.evidence).toEqual({ locations: 2, backups: 0 });
    expect(noBackup.reason.en).toMatch(/^No backup location is declared \(backups unobserved\)\. The 2 location\(s\) observed are in Japan/);
    expect(noBackup.reason.ja).toMatch(/^バックアップの保管場所が宣言されていません/);
    // Another failure's reason says it too.
    const both = judge((o) => ({ ...o, dataLocations: [{ id: 'cell-1', kind: 'cell', country: 'SG' }] })).get('data-in-japan')!;
    expect(both.evidence).toEqual({ locations: 1, backups: 0, outsideJapan: 'cell:cell-1=SG' });
    expect(both.reason.en).toBe('Data locations not confirmed in Japan: cell:cell-1=SG. No backup location is declared (backups unobserved).');
  });

  it('the later checks: not satisfied when not observed, or when something falls short', () => {
    const unobserved = judge(({ servicesInUse: _s, networkZones: _n, databaseIsolation: _d, leakGuard: _l, ...o }) => o);
    for (const id of ['provider-certified', 'network-zones-configured', 'database-isolation', 'leak-guard-active'] as const) {
      expect(unobserved.get(id)!.state).toBe('not_satisfied');
      expect(unobserved.get(id)!.reason.en).toBe('Not observed.');
    }
    const short = judge((o) => ({
      ...o,
      servicesInUse: [{ serviceId: 'x', registered: false }],
      networkZones: { municipalities: 2, withoutMyNumberZone: ['011002'] },
      databaseIsolation: { checked: 3, violations: ['cell-1:cell.offices no forced RLS'] },
      leakGuard: { municipalities: 2, withoutLimits: ['131016'] },
    }));
    expect(['provider-certified', 'network-zones-configured', 'database-isolation', 'leak-guard-active'].map((id) => short.get(id as SelfCheckId)!.state)).toEqual([
      'not_satisfied',
      'not_satisfied',
      'not_satisfied',
      'not_satisfied',
    ]);
  });

  it('refuses observation times without an offset', () => {
    expect(() => evaluateSelfChecks({ ...goodObservations(), finishedAt: '2026-04-01 12:00' })).toThrow(TypeError);
  });
});

describe('requirementsBySelfCheck', () => {
  it("maps each check to the requirements whose assessment names it", () => {
    const map = requirementsBySelfCheck(FIXTURE_REQUIREMENTS);
    expect(map.get('keys-in-hsm')).toEqual(['sec-01']);
    expect(map.get('records-encrypted')).toEqual(['sec-02']);
    expect(map.get('data-in-japan')).toEqual(['dat-01']);
    expect(map.get('audit-log-verifies')).toEqual([]);
  });

  it('refuses a requirement that names an unknown check, with its path', () => {
    try {
      requirementsBySelfCheck([...FIXTURE_REQUIREMENTS, { id: 'ops-02', assessment: { automated: 'keys-in-hms' } }]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UnknownSelfCheck);
      expect((e as UnknownSelfCheck).problems.map((p) => [p.path, p.rule])).toEqual([['/5/assessment/automated', 'unknown_self_check']]);
    }
  });
});
