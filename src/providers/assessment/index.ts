/**
 * Assessments of cloud services against the requirements catalog
 * (docs/assessments.md): component definitions in, findings, the
 * certification decision, the platform's self-checks, OSCAL assessment
 * results out, and the procurement comparison. Every module here is pure;
 * storage, routes, the CLI and the gatherers of the self-checks' observations
 * sit outside.
 */
export {
  type Claim,
  type ComponentDefinitionClaims,
  type ComponentDefinitionInput,
  ComponentDefinitionRefused,
  readComponentDefinition,
  type ReadOptions,
  type ServiceClaims,
  toComponentDefinition,
} from './component-definition.js';
export { admitFinding, currentFindings, type Finding, FindingRefused, findingProblems, FINDING_STATES, type FindingState } from './findings.js';
export { type Registration, registrationStanding, type RegistrationStanding } from './registration.js';
export {
  type CertificationDecision,
  type CertificationInput,
  certifyServices,
  decideCertification,
  type Gap,
  type GapKind,
  GAP_KINDS,
  type PartnerStanding,
  type RequirementStanding,
  type ServiceDossier,
} from './certification.js';
export {
  evaluateSelfChecks,
  type PlatformObservations,
  requirementsBySelfCheck,
  SELF_CHECK_IDS,
  SELF_CHECKS,
  type SelfCheckId,
  type SelfCheckResult,
  UnknownSelfCheck,
} from './self-checks.js';
export {
  type AssessmentMethod,
  type AssessmentResultsDocument,
  assessorAssessmentResults,
  type AssessorResultsInput,
  selfCheckAssessmentResults,
  type SelfCheckResultsInput,
} from './assessment-results.js';
export {
  type Cell,
  CELL_VALUES,
  cellText,
  type CellValue,
  type Comparison,
  type ComparisonInput,
  comparisonCsv,
  comparisonJson,
  compareProposals,
  type Proposal,
  type ProposalSummary,
  SUMMARY_ROWS,
} from './procurement.js';
export { type AssessmentProblem, MUNICLOUD_NS, PROP } from './oscal-common.js';
