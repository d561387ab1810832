/**
 * OSCAL assessment results (1.2.1): from an assessor's findings on a service
 * against a data class's profile, and from the platform's self-checks. Pure:
 * every date-time and UUID comes from the inputs, so the same inputs give
 * the same document, byte for byte (docs/assessments.md, "OSCAL outputs").
 *
 * Shape of both:
 * - `import-ap` points to an assessment plan at a relative href
 *   (`assessment-plans/<…>.json`). The schema requires it; municloud does not
 *   publish assessment plans yet, so it is a placeholder that says so in its
 *   remarks, and names where a plan would sit beside the results in an export.
 * - one result, whose `reviewed-controls` lists the requirement ids assessed;
 * - an observation per piece of evidence (an assessor's finding record, a
 *   self-check's figures) and a finding per requirement, whose target is the
 *   requirement as an objective (`objective-id`, the requirement id) with
 *   state `satisfied` or `not-satisfied`, linked to its observations;
 * - the service or deployment assessed is a component in the result's local
 *   definitions, the subject of every observation.
 */
import type { DataClass } from '../catalog/profiles.js';
import { addDays, isDateTime, isDay, startOfDayInJapan } from '../days.js';
import { currentFindings, type Finding, type FindingState } from './findings.js';
import { derivedUuid, MUNICLOUD_NS, OSCAL_VERSION, type OscalProp, oscalString, PROP, prop, TOKEN_PATTERN } from './oscal-common.js';
import { type SelfCheckId, type SelfCheckResult, SELF_CHECKS, SELF_CHECK_IDS, evaluateSelfChecks, type PlatformObservations } from './self-checks.js';

type Json = Record<string, unknown>;
export type AssessmentResultsDocument = { 'assessment-results': Json };

export type AssessmentMethod = 'examine' | 'interview' | 'test';

const ASSESSOR_ROLE = 'assessor';

export interface AssessorResultsInput {
  readonly serviceId: string;
  readonly serviceTitle: string;
  readonly dataClass: DataClass;
  /** The profile's requirement ids: what was under review. */
  readonly requirementIds: readonly string[];
  /** The assessor's findings on the service (its history; those current on `on` are reported). */
  readonly findings: Iterable<Finding>;
  /** The day the results stand for. */
  readonly on: string;
  /** When the document is produced (date-time with offset): its last-modified. */
  readonly producedAt: string;
  /** How each requirement is assessed (the catalog's `assessment.method`); `examine` when not given. */
  readonly methods?: ReadonlyMap<string, AssessmentMethod>;
  /** The document's version; producedAt when not given. */
  readonly version?: string;
  /**
   * The certification decision in force on the day for the data class, if
   * any: stated as the operator's attestation on the result, so the results
   * say what they led to.
   */
  readonly certification?: CertificationStatement | null;
}

export interface CertificationStatement {
  readonly id: string;
  readonly status: 'certified' | 'not_certified' | 'withdrawn';
  readonly decidedOn: string;
  readonly expiresOn: string | null;
}

function certificationAttestation(c: CertificationStatement, serviceTitle: string, dataClass: DataClass): Json {
  const what =
    c.status === 'certified'
      ? `certified for ${dataClass} until ${c.expiresOn}`
      : c.status === 'not_certified'
        ? `not certified for ${dataClass}`
        : `its certification for ${dataClass} withdrawn`;
  return {
    parts: [
      {
        name: 'certification-decision',
        ns: MUNICLOUD_NS,
        title: 'Certification decision',
        props: [
          prop(PROP.certificationStatus, c.status),
          prop(PROP.certificationId, c.id),
          ...(c.expiresOn ? [prop(PROP.expiresOn, c.expiresOn)] : []),
        ],
        prose: `On ${c.decidedOn} the platform operator decided ${oscalString(serviceTitle)}: ${what} (certification ${c.id}).`,
      },
    ],
  };
}

/** The assessor's findings on a service as of a day, as OSCAL assessment results. */
export function assessorAssessmentResults(input: AssessorResultsInput): AssessmentResultsDocument {
  if (!isDay(input.on)) throw new TypeError('on must be a day (YYYY-MM-DD)');
  if (!isDateTime(input.producedAt)) throw new TypeError('producedAt must be a date-time with an offset');
  const requirementIds = checkedRequirementIds(input.requirementIds);
  const inProfile = new Set(requirementIds);
  const current = [...currentFindings(input.findings, input.serviceId, input.on).values()]
    .filter((f) => inProfile.has(f.requirementId))
    .sort((a, b) => requirementIds.indexOf(a.requirementId) - requirementIds.indexOf(b.requirementId));

  const documentUuid = derivedUuid('assessment-results', 'assessor', input.serviceId, input.dataClass);
  const resultUuid = derivedUuid('result', documentUuid, input.on);
  const componentUuid = derivedUuid('component', input.serviceId);
  const assessors = [...new Set(current.map((f) => f.assessor))].sort();
  const partyUuid = (assessor: string) => derivedUuid('party', assessor);

  const observations: Json[] = [];
  const findings: Json[] = [];
  for (const f of current) {
    const origins = [{ actors: [{ type: 'party', 'actor-uuid': partyUuid(f.assessor), 'role-id': ASSESSOR_ROLE }] }];
    const observationUuid = derivedUuid('observation', input.serviceId, f.requirementId, f.assessedOn, f.assessor, f.state);
    observations.push({
      uuid: observationUuid,
      title: `${f.requirementId}: ${f.state}`,
      description: f.reason ?? `The assessor found requirement ${f.requirementId} ${STATE_WORDS[f.state]}.`,
      props: [prop(PROP.findingState, f.state)],
      methods: [(input.methods?.get(f.requirementId) ?? 'examine').toUpperCase()],
      types: ['control-objective'],
      origins,
      subjects: [{ 'subject-uuid': componentUuid, type: 'component' }],
      collected: startOfDayInJapan(f.assessedOn),
    });
    findings.push({
      uuid: derivedUuid('finding', resultUuid, f.requirementId),
      title: `${f.requirementId}: ${f.state === 'not_satisfied' ? 'not satisfied' : 'satisfied'}`,
      description: `Requirement ${f.requirementId} is ${STATE_WORDS[f.state]} for ${oscalString(input.serviceTitle)} (${input.dataClass}), assessed on ${f.assessedOn}.`,
      origins,
      target: objectiveTarget(f.requirementId, f.state, f.reason),
      'related-observations': [{ 'observation-uuid': observationUuid }],
    });
  }

  // Collection ran from the first finding's day to the end of the last one's
  // (or the day itself when there is none yet).
  const days = current.map((f) => f.assessedOn).sort();
  const start = startOfDayInJapan(days[0] ?? input.on);
  const end = startOfDayInJapan(addDays(days[days.length - 1] ?? input.on, 1));

  const result: Json = {
    uuid: resultUuid,
    title: `Assessment of ${oscalString(input.serviceTitle)} for ${input.dataClass} as of ${input.on}`,
    description: `The assessor's findings current on ${input.on} on service ${input.serviceId} against the ${input.dataClass} profile (${requirementIds.length} requirements, ${current.length} with a finding).`,
    start,
    end,
    props: [prop(PROP.serviceId, input.serviceId), prop(PROP.dataClass, input.dataClass)],
    'local-definitions': {
      components: [
        {
          uuid: componentUuid,
          type: 'service',
          title: oscalString(input.serviceTitle),
          description: `Cloud service ${input.serviceId}.`,
          props: [prop(PROP.serviceId, input.serviceId)],
          status: { state: 'operational' },
        },
      ],
    },
    'reviewed-controls': { 'control-selections': [{ 'include-controls': requirementIds.map((id) => ({ 'control-id': id })) }] },
    ...(input.certification ? { attestations: [certificationAttestation(input.certification, input.serviceTitle, input.dataClass)] } : {}),
    ...(observations.length > 0 ? { observations, findings } : {}),
  };

  return document({
    uuid: documentUuid,
    title: `Assessment results: ${oscalString(input.serviceTitle)} (${input.dataClass})`,
    producedAt: input.producedAt,
    version: input.version ?? input.producedAt,
    importAp: `assessment-plans/${encodeURIComponent(input.serviceId)}-${input.dataClass}.json`,
    parties: assessors.map((a) => ({ uuid: partyUuid(a), type: 'person', name: oscalString(a) })),
    result,
  });
}

const STATE_WORDS: Record<FindingState, string> = { satisfied: 'satisfied', not_satisfied: 'not satisfied', not_applicable: 'not applicable' };

/**
 * The finding's target: the requirement as an objective. OSCAL's objective
 * status has two states; a requirement found not applicable (with its reason)
 * does not count against the service, so it is `satisfied` with reason
 * `other`, and its implementation status says `not-applicable`.
 */
function objectiveTarget(requirementId: string, state: FindingState, reason: string | undefined): Json {
  const status: Json =
    state === 'satisfied' ? { state: 'satisfied', reason: 'pass' } : state === 'not_satisfied' ? { state: 'not-satisfied', reason: 'fail' } : { state: 'satisfied', reason: 'other' };
  return {
    type: 'objective-id',
    'target-id': requirementId,
    status,
    ...(state === 'not_applicable' ? { 'implementation-status': { state: 'not-applicable', ...(reason ? { remarks: reason } : {}) } } : {}),
  };
}

export interface SelfCheckResultsInput {
  readonly observations: PlatformObservations;
  /** Which requirements each check bears on (requirementsBySelfCheck over the catalog). */
  readonly requirementsByCheck: ReadonlyMap<SelfCheckId, readonly string[]>;
  /**
   * When the observations go stale: the next scheduled run. Each observation
   * then carries it as `expires`, so a reader can tell evidence that is no
   * longer current from a run that failed to happen.
   */
  readonly expires?: string;
  /** The document's version; the observations' finishedAt when not given. */
  readonly version?: string;
}

/**
 * The platform's self-checks as OSCAL assessment results: an observation per
 * check (its figures as props), a finding per requirement the checks bear on,
 * satisfied iff every check bearing on it is.
 */
export function selfCheckAssessmentResults(input: SelfCheckResultsInput): AssessmentResultsDocument {
  const o = input.observations;
  const checks = evaluateSelfChecks(o);
  if (input.expires !== undefined && !isDateTime(input.expires)) throw new TypeError('expires must be a date-time with an offset');

  const documentUuid = derivedUuid('assessment-results', 'self-checks', o.deploymentId);
  const resultUuid = derivedUuid('result', documentUuid, o.finishedAt);
  const componentUuid = derivedUuid('component', 'deployment', o.deploymentId);
  const platformUuid = derivedUuid('assessment-platform', 'municloud-self-checks');
  const origins = [{ actors: [{ type: 'assessment-platform', 'actor-uuid': platformUuid }] }];

  const observationOf = new Map<SelfCheckId, string>();
  const observations = checks.map((check) => {
    const uuid = derivedUuid('observation', resultUuid, check.checkId);
    observationOf.set(check.checkId, uuid);
    const about = SELF_CHECKS[check.checkId];
    return {
      uuid,
      title: `${about.title.en} (${about.title.ja})`,
      description: `${check.state === 'satisfied' ? 'Satisfied' : 'Not satisfied'}: ${check.reason.en}\n\n${check.reason.ja}`,
      props: [prop(PROP.selfCheck, check.checkId), ...evidenceProps(check)],
      methods: [about.method.toUpperCase()],
      types: ['control-objective'],
      origins,
      subjects: [{ 'subject-uuid': componentUuid, type: 'component' }],
      collected: o.finishedAt,
      ...(input.expires === undefined ? {} : { expires: input.expires }),
    };
  });

  // A requirement may be borne on by more than one check: it is satisfied only if all are.
  const checksOf = new Map<string, SelfCheckResult[]>();
  for (const check of checks) {
    for (const requirementId of input.requirementsByCheck.get(check.checkId) ?? []) {
      const list = checksOf.get(requirementId) ?? [];
      list.push(check);
      checksOf.set(requirementId, list);
    }
  }
  const requirementIds = checkedRequirementIds([...checksOf.keys()].sort(), true);
  const findings = requirementIds.map((requirementId) => {
    const bearing = checksOf.get(requirementId)!;
    const failed = bearing.filter((c) => c.state === 'not_satisfied');
    return {
      uuid: derivedUuid('finding', resultUuid, requirementId),
      title: `${requirementId}: ${failed.length === 0 ? 'satisfied' : 'not satisfied'}`,
      description:
        failed.length === 0
          ? `Self-check ${bearing.map((c) => c.checkId).join(', ')} found requirement ${requirementId} satisfied on deployment ${o.deploymentId}.`
          : `Requirement ${requirementId} is not satisfied on deployment ${o.deploymentId}: ${failed.map((c) => `${c.checkId}: ${c.reason.en}`).join(' ')}`,
      origins,
      target: {
        type: 'objective-id',
        'target-id': requirementId,
        status: failed.length === 0 ? { state: 'satisfied', reason: 'pass' } : { state: 'not-satisfied', reason: 'fail' },
      },
      'related-observations': bearing.map((c) => ({ 'observation-uuid': observationOf.get(c.checkId)! })),
    };
  });

  const result: Json = {
    uuid: resultUuid,
    title: `Platform self-checks of ${o.deploymentId} at ${o.finishedAt}`,
    description: `Automated checks of what the platform observes on its own deployment: ${SELF_CHECK_IDS.join(', ')}.`,
    start: o.startedAt,
    end: o.finishedAt,
    props: [prop(PROP.deploymentId, o.deploymentId)],
    'local-definitions': {
      components: [
        {
          uuid: componentUuid,
          type: 'this-system',
          title: `municloud deployment ${o.deploymentId}`,
          description: 'The municloud deployment that checked itself: its cells, control database, KMS and audit log.',
          props: [prop(PROP.deploymentId, o.deploymentId)],
          status: { state: 'operational' },
        },
      ],
      'assessment-assets': { 'assessment-platforms': [{ uuid: platformUuid, title: 'municloud self-checks' }] },
    },
    'reviewed-controls': {
      'control-selections': [
        requirementIds.length > 0
          ? { 'include-controls': requirementIds.map((id) => ({ 'control-id': id })) }
          : // No requirement names a check yet: the checks still report their
            // evidence, against no control in particular.
            { description: 'No requirement of the catalog names a self-check yet.', 'include-all': {} },
      ],
    },
    observations,
    ...(findings.length > 0 ? { findings } : {}),
  };

  return document({
    uuid: documentUuid,
    title: `Platform self-checks: ${o.deploymentId}`,
    producedAt: o.finishedAt,
    version: input.version ?? o.finishedAt,
    importAp: 'assessment-plans/platform-self-checks.json',
    parties: [],
    result,
  });
}

/** A check's figures as props, values as OSCAL strings (non-empty, one line). */
function evidenceProps(check: SelfCheckResult): OscalProp[] {
  return Object.entries(check.evidence)
    .map(([name, value]) => prop(name, oscalString(String(value))))
    .filter((p) => p.value !== '');
}

function checkedRequirementIds(ids: readonly string[], mayBeEmpty = false): string[] {
  const unique = [...new Set(ids)];
  if (!mayBeEmpty && unique.length === 0) throw new TypeError('the profile has no requirement');
  const bad = unique.filter((id) => !TOKEN_PATTERN.test(id));
  if (bad.length > 0) throw new TypeError(`requirement ids must be OSCAL tokens: ${bad.join(', ')}`);
  return unique;
}

function document(d: {
  uuid: string;
  title: string;
  producedAt: string;
  version: string;
  importAp: string;
  parties: readonly Json[];
  result: Json;
}): AssessmentResultsDocument {
  return {
    'assessment-results': {
      uuid: d.uuid,
      metadata: {
        title: d.title,
        'last-modified': d.producedAt,
        version: oscalString(d.version),
        'oscal-version': OSCAL_VERSION,
        ...(d.parties.length > 0 ? { roles: [{ id: ASSESSOR_ROLE, title: 'Assessor' }], parties: d.parties } : {}),
      },
      'import-ap': {
        href: d.importAp,
        remarks: 'Placeholder: municloud does not publish assessment plans yet. The href is relative, where a plan would sit beside these results in an export.',
      },
      results: [d.result],
    },
  };
}
