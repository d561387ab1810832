/**
 * The requirements catalog (要件カタログ) as data: what a cloud provider, and
 * the platform running on it, must meet to hold municipalities' data on the
 * Government Cloud. The texts are the project's own, written from public
 * principles (ISMAP's governance, management and control standards, ISO/IEC
 * 27001/27002/27017, the My Number Act and the Act on the Protection of
 * Personal Information, the Government Cloud's published aims); each
 * rationale names the principle it rests on. Clause references are a working
 * summary: check them against the current editions before relying on them.
 *
 * The catalog is exported to and imported from OSCAL (oscal-catalog.ts); the
 * profiles per data class are in profiles.ts. Ids are stable: a requirement
 * that is withdrawn keeps its id retired, it is never reused.
 */
import type { DataClass } from './profiles.js';
import { DATA_MANAGEMENT } from './requirements/data-management.js';
import { LEGAL } from './requirements/legal.js';
import { OPERATIONS } from './requirements/operations.js';
import { SECURITY } from './requirements/security.js';

export const REQUIREMENT_GROUPS = ['security', 'legal', 'data_management', 'operations'] as const;
export type RequirementGroup = (typeof REQUIREMENT_GROUPS)[number];

/** Each group's id prefix and title; an id is `<prefix>-<two or three digits>`. */
export const GROUP_INFO: Readonly<Record<RequirementGroup, { readonly prefix: string; readonly title: { readonly ja: string; readonly en: string } }>> = {
  security: { prefix: 'sec', title: { ja: 'セキュリティ', en: 'Security' } },
  legal: { prefix: 'leg', title: { ja: '法務・契約', en: 'Legal and contractual' } },
  data_management: { prefix: 'dat', title: { ja: 'データ管理', en: 'Data management' } },
  operations: { prefix: 'ops', title: { ja: '運用', en: 'Operations' } },
};

export const REQUIREMENT_ID = /^(sec|leg|dat|ops)-[0-9]{2,3}$/;

/** How an assessor establishes that a requirement is met (NIST SP 800-53A's three methods, as OSCAL uses them). */
export const ASSESSMENT_METHODS = ['examine', 'interview', 'test'] as const;
export type AssessmentMethod = (typeof ASSESSMENT_METHODS)[number];

/**
 * Self-checks: requirements the platform can observe on its own, without an
 * assessor. Each id names a check the assessment module runs; the text says
 * what that check has to establish.
 */
export const AUTOMATED_CHECKS = {
  'data-in-japan': 'every region holding the municipality’s cells, replicas and backups is in Japan',
  'provider-certified': 'the provider’s ISMAP registration for the services in use is current',
  'keys-in-hsm': 'the key service in use is the PKCS#11 HSM adapter, and key-encryption keys are non-extractable',
  'records-encrypted': 'personal-data fields are stored only sealed under the municipality’s record keys',
  'audit-log-verifies': 'the audit log verifies against its latest signed checkpoint',
  'mfa-for-my-number-roles': 'every account holding a role that can see My Number has a second factor enrolled',
  'network-zones-configured': 'the municipality has its My Number network zone configured, so My Number routes answer only from it',
  'database-isolation': 'the application role owns no table, cannot bypass row-level security, and every tenant table forces it',
  'leak-guard-active': 'the bulk-read limits of the leak guard are in force for the municipality',
} as const;
export type AutomatedCheck = keyof typeof AUTOMATED_CHECKS;

export interface Requirement {
  /** e.g. 'sec-01': stable, lower case, an OSCAL token; the prefix names the group. */
  readonly id: string;
  readonly group: RequirementGroup;
  readonly title: { readonly ja: string; readonly en: string };
  readonly statement: { readonly ja: string; readonly en: string };
  /** Why, in English, citing the public principle (ISMAP, ISO/IEC 27002/27017, statute, the Government Cloud's aims). */
  readonly rationale: string;
  readonly assessment: {
    readonly method: AssessmentMethod;
    /** What the assessor examines, asks or tests, and what counts as met. */
    readonly text: string;
    /** The platform's self-check for this requirement, when it can observe it itself. */
    readonly automated?: AutomatedCheck;
  };
  /** The data-class profiles that include this requirement; 'my_number' is always one of them. */
  readonly dataClasses: readonly DataClass[];
}

/** A requirement as written in its group's file, which supplies the group. */
export type RequirementDraft = Omit<Requirement, 'group'>;

function inGroup(group: RequirementGroup, drafts: readonly RequirementDraft[]): Requirement[] {
  return drafts.map((d) => ({ id: d.id, group, title: d.title, statement: d.statement, rationale: d.rationale, assessment: d.assessment, dataClasses: d.dataClasses }));
}

export const REQUIREMENTS: readonly Requirement[] = Object.freeze([
  ...inGroup('security', SECURITY),
  ...inGroup('legal', LEGAL),
  ...inGroup('data_management', DATA_MANAGEMENT),
  ...inGroup('operations', OPERATIONS),
]);

/** The catalog's own version and the date its content last changed (what an export's metadata carries by default). */
export const CATALOG_VERSION = '1.0.0';
export const CATALOG_LAST_MODIFIED = '2026-11-21T00:00:00Z';

const BY_ID = new Map(REQUIREMENTS.map((r) => [r.id, r]));

export function requirementById(id: string): Requirement | undefined {
  return BY_ID.get(id);
}
