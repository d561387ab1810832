/**
 * A small fixture catalog for the assessment tests, so that they do not
 * depend on the real requirements catalog (src/providers/catalog): five
 * requirements in the catalog's id form, two data-class profiles, and the
 * services of a joint proposal.
 */
import type { Message } from '../../platform/errors.js';
import type { Claim } from './component-definition.js';
import type { Finding } from './findings.js';
import type { PlatformObservations } from './self-checks.js';

export const FIXTURE_REQUIREMENTS: readonly {
  id: string;
  title: Message;
  assessment: { method: 'examine' | 'interview' | 'test'; automated?: string };
}[] = [
  { id: 'sec-01', title: { ja: '鍵の保護', en: 'Keys protected' }, assessment: { method: 'test', automated: 'keys-in-hsm' } },
  { id: 'sec-02', title: { ja: '記録の暗号化', en: 'Records encrypted' }, assessment: { method: 'test', automated: 'records-encrypted' } },
  { id: 'leg-01', title: { ja: '準拠法', en: 'Governing law' }, assessment: { method: 'examine' } },
  { id: 'dat-01', title: { ja: '国内保管', en: 'Data in Japan' }, assessment: { method: 'examine', automated: 'data-in-japan' } },
  { id: 'ops-01', title: { ja: '障害対応', en: 'Incident response' }, assessment: { method: 'interview' } },
];

export const KNOWN_IDS: ReadonlySet<string> = new Set(FIXTURE_REQUIREMENTS.map((r) => r.id));
export const TITLES: ReadonlyMap<string, Message> = new Map(FIXTURE_REQUIREMENTS.map((r) => [r.id, r.title]));

/** The My Number profile demands everything; the general profile two requirements. */
export const MY_NUMBER_PROFILE: readonly string[] = ['sec-01', 'sec-02', 'leg-01', 'dat-01', 'ops-01'];
export const GENERAL_PROFILE: readonly string[] = ['sec-02', 'leg-01'];

export const ON = '2026-04-01';

/** The lead service of a joint proposal: SaaS on a partner's IaaS, which meets the physical requirements. */
export const LEAD = 'saas-lead';
export const PARTNER = 'iaas-partner';

export const LEAD_CLAIMS: readonly Claim[] = [
  { requirementId: 'sec-01', description: 'Keys are held in the partner\u2019s HSM service.', inherited: { fromServiceId: PARTNER } },
  { requirementId: 'sec-02', description: 'Every personal-data field is sealed with AES-256-GCM.' },
  { requirementId: 'leg-01', description: 'Contracts are governed by Japanese law.' },
  { requirementId: 'dat-01', description: 'All regions used are in Japan.', inherited: { fromServiceId: PARTNER } },
  { requirementId: 'ops-01', description: 'Incidents are handled under a documented procedure.' },
];

export const PARTNER_CLAIMS: readonly Claim[] = MY_NUMBER_PROFILE.map((requirementId) => ({ requirementId, description: `The IaaS meets ${requirementId}.` }));

export function satisfied(serviceId: string, requirementIds: readonly string[], assessedOn = '2026-03-01', assessor = 'assessor-1'): Finding[] {
  return requirementIds.map((requirementId) => ({ serviceId, requirementId, state: 'satisfied', assessedOn, assessor }));
}

/** Observations of a deployment where every check passes. */
export function goodObservations(): PlatformObservations {
  return {
    deploymentId: 'municloud.example.lg.jp',
    startedAt: '2026-04-01T03:00:00.000Z',
    finishedAt: '2026-04-01T03:00:05.000Z',
    encryptedColumns: [
      { database: 'cell-1', table: 'cell.residents', column: 'name_sealed', values: 1200, unsealed: 0 },
      { database: 'control', table: 'control.mfa_totp', column: 'secret_sealed', values: 12, unsealed: 0 },
    ],
    kms: { kind: 'pkcs11', softwareToken: false },
    auditSigner: 'pkcs11',
    auditLog: { verifies: true, checkpointSize: 1234 },
    mfa: { myNumberRoles: ['clerk', 'support_measure_officer'], rolesRequiringMfa: ['clerk', 'municipal_admin', 'auditor', 'support_measure_officer', 'linkage_subscriber'], credentialsWithoutMfa: 0 },
    dataLocations: [
      { id: 'cell-1', kind: 'cell', country: 'JP' },
      { id: 'control', kind: 'control', country: 'JP' },
      { id: 'backup-osaka', kind: 'backup', country: 'JP' },
    ],
    servicesInUse: [{ serviceId: PARTNER, registered: true }],
    networkZones: { municipalities: 2, withoutMyNumberZone: [] },
    databaseIsolation: { checked: 14, violations: [] },
    leakGuard: { municipalities: 2, withoutLimits: [] },
  };
}
