/**
 * Assessments' use cases over the control database: a service's component
 * definition submitted (validated as OSCAL, then against the catalog and the
 * registry), assessors' findings recorded, the certification decided from
 * what the registry holds and recorded (recordCertification), the assessor's
 * findings published as OSCAL assessment results, and proposals compared for
 * procurement. Each write checks its input in full first and writes in one
 * transaction; auditing is the caller's (recordAction for a request,
 * recordJobAction for a CLI command). `at` names a field where the caller took
 * it from (`body/…` for the API, `--…` for the CLI).
 */
import type pg from 'pg';
import { inTransaction } from '../../platform/database.js';
import { fieldError, type FieldError, type Message, Problem } from '../../platform/errors.js';
import { DATA_CLASSES, type DataClass, isDataClass, profileRequirementIds } from '../catalog/profiles.js';
import { REQUIREMENTS } from '../catalog/requirements.js';
import { MAX_REPORTED_PROBLEMS, oscalProblem } from '../oscal/problems.js';
import { OscalInvalid, validateOscal } from '../oscal/validate.js';
import { certificationOn } from '../placement/policy.js';
import { listCertifications, recordCertification } from '../registry/certifications.js';
import { isDay, todayInJapan } from '../days.js';
import type { Certification, CertificationFacts, Service } from '../registry/model.js';
import { inForceUntil, type RegistrationFacts, serviceRegistrationOn, validUntil } from '../registry/registration.js';
import { requireService } from '../registry/service.js';
import * as registry from '../registry/store.js';
import { assessorAssessmentResults, type AssessmentResultsDocument } from './assessment-results.js';
import { AssessmentResultsRefused, readAssessmentResultsFindings, type ReadFindings } from './assessment-results-import.js';
import { type CertificationDecision, decideCertification, type PartnerStanding } from './certification.js';
import { type Claim, ComponentDefinitionRefused, readComponentDefinition } from './component-definition.js';
import { currentFindings, findingProblems, type Finding, type FindingState } from './findings.js';
import { isOurProp, PROP } from './oscal-common.js';
import { type Comparison, compareProposals, type Proposal } from './procurement.js';
import type { Registration } from './registration.js';
import * as store from './store.js';
import type { StoredComponentDefinition, StoredFinding } from './store.js';

export type FieldName = (name: string) => string;
export const bodyField: FieldName = (name) => `body/${name}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Control and private-use characters; a reason may span lines (tab, line feed, carriage return allowed). */
const TEXT_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ue000-\uf8ff\u{f0000}-\u{10ffff}]/u;
const m = (ja: string, en: string): Message => ({ ja, en });
const REQUIREMENT_IDS: ReadonlySet<string> = new Set(REQUIREMENTS.map((r) => r.id));
/** Findings recorded in one request at most. */
export const MAX_FINDINGS = 500;
/** Proposals compared side by side at most. */
export const MAX_PROPOSALS = 20;

// --- the registry's view of a service, as the assessment rules take it ---------

/** A service's registration as the assessment rules see it on a day: null when it has none. */
export function assessmentRegistration(registrations: readonly RegistrationFacts[], on: string): { registration: Registration | null; facts: RegistrationFacts | null } {
  const standing = serviceRegistrationOn(registrations, on);
  if (standing.standing === 'missing') return { registration: null, facts: null };
  if (standing.standing === 'registered') return { registration: { validUntil: standing.inForceUntil }, facts: standing.registration };
  // Expired or withdrawn: its last day in force is before the day.
  return { registration: { validUntil: inForceUntil(standing.registration) }, facts: standing.registration };
}

/** A partner's standing for a data class on a day: its registration and its own certification decision in force. */
function partnerStanding(registration: Registration | null, certifications: readonly CertificationFacts[], dataClass: DataClass, on: string): PartnerStanding {
  const c = certificationOn(certifications, dataClass, on);
  const certified = c !== null && c.status === 'certified' && (c.expiresOn === null || c.expiresOn >= on);
  return { registration, certification: certified ? { until: c.expiresOn } : null };
}

interface Dossier {
  readonly service: Service;
  readonly definition: StoredComponentDefinition | null;
  readonly claims: readonly Claim[];
  readonly findings: readonly StoredFinding[];
  readonly registration: Registration | null;
  readonly registrationFacts: RegistrationFacts | null;
  readonly partners: ReadonlyMap<string, PartnerStanding>;
}

/** What the registry holds for deciding each service (every one must exist) for a data class on a day; `extraPartners` adds partners named elsewhere (a joint proposal). */
async function dossiers(db: pg.Pool | pg.ClientBase, services: readonly Service[], dataClass: DataClass, on: string, extraPartners: ReadonlyMap<string, readonly string[]> = new Map()): Promise<Map<string, Dossier>> {
  const ids = services.map((s) => s.id);
  const definitions = await store.latestComponentDefinitions(db, ids);
  const partnerIds = new Set<string>();
  for (const id of ids) {
    for (const c of definitions.get(id)?.claims ?? []) if (c.inherited) partnerIds.add(c.inherited.fromServiceId);
    for (const p of extraPartners.get(id) ?? []) partnerIds.add(p);
  }
  const all = [...new Set([...ids, ...partnerIds])];
  const known = new Set((await registry.listServices(db, { ids: all })).map((s) => s.id));
  const registrations = await registry.listRegistrations(db, { serviceIds: all });
  const certifications = await registry.certificationFacts(db, all);
  const findings = await store.listFindings(db, ids);
  const registrationOf = (id: string) => assessmentRegistration(registrations.filter((r) => r.serviceId === id), on);

  const out = new Map<string, Dossier>();
  for (const service of services) {
    const definition = definitions.get(service.id) ?? null;
    const partners = new Map<string, PartnerStanding>();
    const named = [...(definition?.claims ?? []).flatMap((c) => (c.inherited ? [c.inherited.fromServiceId] : [])), ...(extraPartners.get(service.id) ?? [])];
    for (const p of named) {
      if (!known.has(p) || partners.has(p)) continue;
      partners.set(p, partnerStanding(registrationOf(p).registration, certifications.filter((c) => c.serviceId === p), dataClass, on));
    }
    const own = registrationOf(service.id);
    out.set(service.id, {
      service,
      definition,
      claims: definition?.claims ?? [],
      findings: findings.filter((f) => f.serviceId === service.id),
      registration: own.registration,
      registrationFacts: own.facts,
      partners,
    });
  }
  return out;
}

// --- input checks ----------------------------------------------------------------

function dataClassOf(value: unknown, at: FieldName, name = 'dataClass'): DataClass {
  if (!isDataClass(value)) {
    throw new Problem('validation_failed', [fieldError(at(name), 'data_class', m(`${DATA_CLASSES.join('・')} のいずれかです。`, `must be one of ${DATA_CLASSES.join(', ')}`))]);
  }
  return value;
}

/** A day not after today (default: today). */
function dayOf(value: unknown, today: string, at: FieldName, name = 'on'): string {
  if (value === undefined || value === null) return today;
  if (!isDay(value)) throw new Problem('validation_failed', [fieldError(at(name), 'date', m('日付（YYYY-MM-DD）で入力してください。', 'must be a date (YYYY-MM-DD)'))]);
  if (value > today) throw new Problem('validation_failed', [fieldError(at(name), 'not_in_future', m('将来の日付は指定できません。', 'must not be in the future'))]);
  return value;
}

// --- component definitions ---------------------------------------------------------

/** Every `inherited-from` value in a document, read loosely (before validation) to look the partners up. */
function inheritedFromValues(document: unknown): string[] {
  const values = new Set<string>();
  const root = (document as { 'component-definition'?: { components?: unknown } } | null)?.['component-definition'];
  const components = Array.isArray(root?.components) ? root.components : [];
  for (const component of components) {
    const implementations = (component as { 'control-implementations'?: unknown })?.['control-implementations'];
    for (const implementation of Array.isArray(implementations) ? implementations : []) {
      const requirements = (implementation as { 'implemented-requirements'?: unknown })?.['implemented-requirements'];
      for (const requirement of Array.isArray(requirements) ? requirements : []) {
        const props = (requirement as { props?: unknown })?.props;
        for (const p of Array.isArray(props) ? props : []) {
          if (p && typeof p === 'object' && isOurProp(p as object, PROP.inheritedFrom) && typeof (p as { value?: unknown }).value === 'string') values.add((p as { value: string }).value);
        }
      }
    }
  }
  return [...values];
}

/** A component definition against municloud's rules, as the API answers it: every problem at its pointer under the field. */
export function refusedProblem(err: ComponentDefinitionRefused, field: string): Problem {
  const errors: FieldError[] = err.problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => fieldError(`${field}${p.path}`, p.rule, p.message));
  return new Problem(err.problems.every((p) => p.rule === 'unknown_requirement') ? 'unknown_requirement_ids' : 'component_definition_refused', errors);
}

/**
 * Stores the next version of a service's component definition. The document
 * must be valid OSCAL 1.2.1 (every schema problem answered with its pointer),
 * describe this service only, claim only requirements of the catalog, and
 * inherit only from partner services registered and in force today.
 * `documentText` is the document as the submitter wrote it (the CLI's file),
 * kept byte for byte; else the parsed document is stored as JSON.
 */
export async function submitComponentDefinition(
  db: pg.Pool,
  serviceId: string,
  document: unknown,
  by: string | null,
  options: { field?: string; today?: string; documentText?: string } = {},
): Promise<StoredComponentDefinition> {
  const field = options.field ?? 'body';
  const today = options.today ?? todayInJapan();
  await requireService(db, serviceId);
  const partnerIds = inheritedFromValues(document).filter((id) => UUID.test(id));
  const partners = partnerIds.length > 0 ? await registry.listServices(db, { ids: partnerIds }) : [];
  const registrations = partners.length > 0 ? await registry.listRegistrations(db, { serviceIds: partners.map((p) => p.id) }) : [];
  const partnerRegistrations = new Map(partners.map((p) => [p.id, assessmentRegistration(registrations.filter((r) => r.serviceId === p.id), today).registration]));
  let read;
  try {
    read = readComponentDefinition(document, {
      knownRequirementIds: REQUIREMENT_IDS,
      permittedServiceIds: [serviceId],
      partners: { on: today, registrations: partnerRegistrations },
    });
  } catch (err) {
    if (err instanceof OscalInvalid) throw oscalProblem(err, field);
    if (err instanceof ComponentDefinitionRefused) throw refusedProblem(err, field);
    throw err;
  }
  const own = read.services.find((s) => s.serviceId === serviceId);
  if (!own) throw new Problem('component_definition_refused', [fieldError(field, 'service_missing', m('このサービスの記述がありません。', 'The document does not describe this service.'))]);
  return inTransaction(db, (client) =>
    store.insertComponentDefinition(
      client,
      { serviceId, documentText: options.documentText ?? JSON.stringify(document), documentUuid: read.uuid, title: read.title, metadataVersion: read.version, claims: own.claims },
      by,
    ),
  );
}

export async function componentDefinitionVersions(db: pg.Pool, serviceId: string): Promise<StoredComponentDefinition[]> {
  await requireService(db, serviceId);
  return store.listComponentDefinitions(db, { serviceId });
}

/** The text of a version as submitted (the latest when none is named). */
export async function componentDefinitionText(db: pg.Pool, serviceId: string, version?: number): Promise<{ version: number; text: string }> {
  await requireService(db, serviceId);
  const found = await store.componentDefinitionDocument(db, serviceId, version ?? null);
  if (!found) throw new Problem('not_found');
  return found;
}

// --- findings ------------------------------------------------------------------------

export interface FindingInput {
  readonly requirementId?: unknown;
  readonly state?: unknown;
  readonly reason?: unknown;
  readonly assessedOn?: unknown;
  readonly assessor?: unknown;
}

/**
 * Records an assessor's findings on a service, all or none. Every problem is
 * answered at once: unknown requirement ids (422 unknown_requirement_ids when
 * that is all), else 400 validation_failed (a missing reason, a date in the
 * future, no assessor …). `at(i, name)` names the field of finding i.
 */
export async function recordFindings(
  db: pg.Pool,
  serviceId: string,
  inputs: readonly FindingInput[],
  by: string | null,
  options: { at?: (index: number, name: string) => string; listField?: string; today?: string } = {},
): Promise<StoredFinding[]> {
  const today = options.today ?? todayInJapan();
  const listField = options.listField ?? 'body/findings';
  const at = options.at ?? ((i: number, name: string) => `${listField}/${i}/${name}`);
  await requireService(db, serviceId);
  const errors: FieldError[] = [];
  if (inputs.length < 1 || inputs.length > MAX_FINDINGS) {
    throw new Problem('validation_failed', [fieldError(listField, 'items', m(`判定を1〜${MAX_FINDINGS}件指定してください。`, `must list 1 to ${MAX_FINDINGS} findings`))]);
  }
  const findings: Finding[] = [];
  inputs.forEach((input, i) => {
    const text = (name: string, value: unknown, required: boolean): string | undefined => {
      if (value === undefined || value === null) {
        if (required) errors.push(fieldError(at(i, name), 'required', m('必須です。', 'is required')));
        return undefined;
      }
      if (typeof value !== 'string' || TEXT_FORBIDDEN.test(value)) {
        errors.push(fieldError(at(i, name), 'text', m('文字列で入力してください（制御文字・外字は使えません）。', 'must be text without control or private-use characters')));
        return undefined;
      }
      return value.normalize('NFC');
    };
    const requirementId = text('requirementId', input.requirementId, true) ?? '';
    const state = text('state', input.state, true) ?? 'satisfied';
    const reason = text('reason', input.reason, false);
    const assessedOn = text('assessedOn', input.assessedOn, true) ?? today;
    const assessor = (text('assessor', input.assessor, true) ?? '').trim();
    if (assessor.length > 200) errors.push(fieldError(at(i, 'assessor'), 'length', m('200 文字以内です。', 'must have at most 200 characters')));
    const finding: Finding = { serviceId, requirementId, state: state as FindingState, ...(reason !== undefined ? { reason } : {}), assessedOn, assessor };
    for (const p of findingProblems(finding, REQUIREMENT_IDS, today)) {
      if (p.rule === 'assessor_required' && errors.some((e) => e.field === at(i, 'assessor'))) continue;
      errors.push(fieldError(at(i, p.path.slice(1)), p.rule, p.message));
    }
    const trimmed = reason?.trim();
    findings.push({ serviceId, requirementId, state: state as FindingState, ...(trimmed ? { reason: trimmed } : {}), assessedOn, assessor });
  });
  if (errors.length > 0) throw new Problem(errors.every((e) => e.rule === 'unknown_requirement') ? 'unknown_requirement_ids' : 'validation_failed', errors);
  return inTransaction(db, (client) => store.insertFindings(client, findings, by));
}

/**
 * Records the findings of an assessor's OSCAL assessment results, all or none
 * (assessment-results-import.ts says how each is read). `assessor` is who
 * concluded: the calling assessor's account over the API, the firm named by
 * the operator on the CLI. A problem with a finding is answered at its JSON
 * Pointer in the document, under `field`.
 */
export async function recordAssessmentResultsFindings(
  db: pg.Pool,
  serviceId: string,
  document: unknown,
  assessor: string,
  by: string | null,
  options: { field?: string; assessorField?: string; today?: string } = {},
): Promise<StoredFinding[]> {
  const field = options.field ?? 'body';
  await requireService(db, serviceId);
  let read: ReadFindings;
  try {
    read = readAssessmentResultsFindings(document);
  } catch (err) {
    if (err instanceof OscalInvalid) throw oscalProblem(err, field);
    if (err instanceof AssessmentResultsRefused) {
      throw new Problem('assessment_results_refused', err.problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => fieldError(`${field}${p.path}`, p.rule, p.message)));
    }
    throw err;
  }
  if (read.findings.length > MAX_FINDINGS) {
    throw new Problem('validation_failed', [fieldError(`${field}/assessment-results/results`, 'items', m(`判定は ${MAX_FINDINGS} 件までです。`, `must hold at most ${MAX_FINDINGS} findings`))]);
  }
  return recordFindings(
    db,
    serviceId,
    read.findings.map((f) => ({ ...f, assessor })),
    by,
    {
      at: (i, name) => (name === 'assessor' ? (options.assessorField ?? 'assessor') : `${field}${read.pointers[i]![name as keyof ReadFindings['pointers'][number]] ?? ''}`),
      listField: `${field}/assessment-results/results`,
      ...(options.today ? { today: options.today } : {}),
    },
  );
}

export async function findingsOf(db: pg.Pool, serviceId: string): Promise<StoredFinding[]> {
  await requireService(db, serviceId);
  return store.listFindings(db, [serviceId]);
}

// --- the certification decision --------------------------------------------------------

/**
 * A certification decision refused because the deciding account itself
 * recorded findings the decision rests on (separation of duties): 403
 * `separation_of_duties`, naming the requirements. `findingIds` are those
 * findings, for the audit entry of the refusal.
 */
export class SeparationOfDutiesRefused extends Problem {
  constructor(readonly findingIds: readonly string[], requirementIds: readonly string[]) {
    const shown = requirementIds.slice(0, 20).join(', ') + (requirementIds.length > 20 ? ', …' : '');
    super('separation_of_duties', [], {
      ja: `この判断の根拠となる要件 ${shown} の判定は、あなた自身が記録したものです。判定を記録していない別の運用者が判断してください（職務の分離）。`,
      en: `You recorded the findings on ${shown} that this decision rests on: an operator who recorded none of them must decide (separation of duties).`,
    });
  }
}

/**
 * The findings a decision rests on that `account` recorded: the current
 * finding on the day of each requirement of the profile. None for a platform
 * job (`account` null): a CLI import records findings with no account either,
 * so it cannot be told apart.
 */
export function findingsRecordedBy(findings: readonly StoredFinding[], serviceId: string, requirementIds: readonly string[], on: string, account: string | null): StoredFinding[] {
  if (account === null) return [];
  const current = currentFindings(findings, serviceId, on) as Map<string, StoredFinding>;
  return requirementIds.flatMap((id) => {
    const f = current.get(id);
    return f && f.recordedBy === account ? [f] : [];
  });
}

export interface DecisionOutcome {
  readonly certification: Certification;
  readonly decision: CertificationDecision;
  readonly componentDefinitionVersion: number | null;
}

/**
 * Decides a service's certification for a data class on a day (default
 * today, never later) from what the registry holds: the service's latest
 * component definition, its findings, its registration, and each partner's
 * registration and own certification in force. Records the decision
 * (recordCertification) with what it rested on, in one transaction. A
 * certified decision with no end known (every basis open-ended: a renewal
 * pending) is recorded until the registration's nominal last day, or the day
 * itself if that has passed: the decision is taken again when the renewal is
 * decided. Refused (SeparationOfDutiesRefused, nothing recorded) when the
 * deciding account recorded any of the findings current on the day for the
 * profile's requirements.
 */
export async function decideServiceCertification(
  db: pg.Pool,
  serviceId: string,
  input: { dataClass: unknown; on?: unknown },
  by: string | null,
  options: { at?: FieldName; today?: string } = {},
): Promise<DecisionOutcome> {
  const at = options.at ?? bodyField;
  const today = options.today ?? todayInJapan();
  const service = await requireService(db, serviceId);
  const dataClass = dataClassOf(input.dataClass, at);
  const on = dayOf(input.on, today, at);
  const dossier = (await dossiers(db, [service], dataClass, on)).get(serviceId)!;
  const requirementIds = profileRequirementIds(dataClass);
  const own = findingsRecordedBy(dossier.findings, serviceId, requirementIds, on, by);
  if (own.length > 0) throw new SeparationOfDutiesRefused(own.map((f) => f.id), own.map((f) => f.requirementId));
  const decision = decideCertification({
    serviceId,
    dataClass,
    requirementIds,
    claims: dossier.claims,
    findings: dossier.findings,
    registration: dossier.registration,
    partners: dossier.partners,
    on,
  });
  let expiresOn: string | null = null;
  if (decision.status === 'certified') {
    const nominal = dossier.registrationFacts ? validUntil(dossier.registrationFacts.auditPeriodEnd) : on;
    expiresOn = decision.expiresOn ?? (nominal > on ? nominal : on);
  }
  const version = dossier.definition?.version ?? null;
  const basis =
    `${decision.status} for ${dataClass} on ${on}: ` +
    (version === null ? 'no component definition' : `component definition version ${version}`) +
    `, ${decision.requirements.filter((r) => r.met !== null).length}/${decision.requirements.length} requirements met, ${decision.gaps.length} gap(s)`;
  const usedFindings = decision.requirements.flatMap((r) => (r.finding ? [(r.finding as StoredFinding).id] : [])).filter((id): id is string => typeof id === 'string');
  return inTransaction(db, async (client) => {
    const certification = await recordCertification(client, { serviceId, dataClass, status: decision.status, expiresOn, basis, decidedBy: by });
    await store.insertCertificationBasis(client, { certificationId: certification.id, componentDefinitionId: dossier.definition?.id ?? null, decidedFor: on, findingIds: usedFindings, decision });
    return { certification, decision, componentDefinitionVersion: version };
  });
}

// --- OSCAL assessment results ----------------------------------------------------------

/**
 * The assessor's findings on a service, current on a day (default today),
 * against a data class's profile, as OSCAL 1.2.1 assessment results, checked
 * against the schema before it is answered. Reproducible: last-modified is
 * when the latest finding it reports was recorded (00:00 JST of the day when
 * there is none), so the same records give the same document.
 */
export async function serviceAssessmentResults(db: pg.Pool, serviceId: string, input: { dataClass: unknown; on?: unknown }, options: { at?: FieldName; today?: string } = {}): Promise<AssessmentResultsDocument> {
  const at = options.at ?? ((name: string) => `querystring/${name}`);
  const today = options.today ?? todayInJapan();
  const service = await requireService(db, serviceId);
  const dataClass = dataClassOf(input.dataClass, at);
  const on = dayOf(input.on, today, at);
  const findings = (await store.listFindings(db, [serviceId])).filter((f) => f.assessedOn <= on);
  // The decision in force on the day, which the results led to (stated as the operator's attestation).
  const decisions = await listCertifications(db, { serviceId });
  const inForce = certificationOn(decisions, dataClass, on);
  const decision = inForce ? decisions.find((c) => c.id === inForce.id)! : null;
  const producedAt =
    [...findings.map((f) => f.recordedAt), ...(decision ? [decision.decidedAt] : [])].reduce<string | null>((latest, t) => (latest === null || t > latest ? t : latest), null) ??
    `${on}T00:00:00+09:00`;
  const document = assessorAssessmentResults({
    certification: decision ? { id: decision.id, status: decision.status, decidedOn: decision.decidedOn, expiresOn: decision.expiresOn } : null,
    serviceId,
    serviceTitle: service.name,
    dataClass,
    requirementIds: profileRequirementIds(dataClass),
    findings,
    on,
    producedAt,
    methods: new Map(REQUIREMENTS.map((r) => [r.id, r.assessment.method])),
  });
  const problems = validateOscal('assessment-results', document);
  if (problems.length > 0) throw new OscalInvalid('assessment-results', problems);
  return document;
}

// --- procurement -----------------------------------------------------------------------

/** The partner services (other providers') of the latest joint proposal a service leads, if any. */
async function jointPartners(db: pg.Pool, services: readonly Service[]): Promise<Map<string, string[]>> {
  const proposals = await registry.listJointProposals(db);
  const out = new Map<string, string[]>();
  for (const s of services) {
    const led = proposals.filter((p) => p.leadProviderId === s.providerId && p.services.some((x) => x.serviceId === s.id));
    const latest = led[led.length - 1];
    if (latest) out.set(s.id, latest.services.filter((x) => x.providerId !== latest.leadProviderId).map((x) => x.serviceId));
  }
  return out;
}

/**
 * Proposals compared side by side against a data class's profile on a day: one
 * per service named, in that order (a service leading a joint proposal brings
 * the proposal's partner services, each of which must be certified).
 */
export async function procurementComparison(
  db: pg.Pool,
  input: { dataClass: unknown; serviceIds: unknown; on?: unknown; expiringWithinDays?: unknown },
  options: { at?: FieldName; today?: string } = {},
): Promise<Comparison> {
  const at = options.at ?? ((name: string) => `querystring/${name}`);
  const today = options.today ?? todayInJapan();
  const dataClass = dataClassOf(input.dataClass, at);
  const on = dayOf(input.on, today, at);
  const within = input.expiringWithinDays ?? 90;
  if (typeof within !== 'number' || !Number.isInteger(within) || within < 0 || within > 3660) {
    throw new Problem('validation_failed', [fieldError(at('expiringWithinDays'), 'days', m('0〜3660 の日数です。', 'must be a number of days from 0 to 3660'))]);
  }
  const ids = Array.isArray(input.serviceIds) ? (input.serviceIds as unknown[]) : [];
  const errors: FieldError[] = [];
  if (ids.length < 1 || ids.length > MAX_PROPOSALS) errors.push(fieldError(at('services'), 'items', m(`サービスを1〜${MAX_PROPOSALS}件指定してください。`, `must name 1 to ${MAX_PROPOSALS} services`)));
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || !UUID.test(id)) errors.push(fieldError(`${at('services')}/${i}`, 'uuid', m('UUID で入力してください。', 'must be a UUID')));
    else if (ids.indexOf(id) !== i) errors.push(fieldError(`${at('services')}/${i}`, 'unique', m('同じサービスが重複しています。', 'repeats a service')));
  });
  if (errors.length > 0) throw new Problem('validation_failed', errors);
  const found = await registry.listServices(db, { ids: ids as string[] });
  ids.forEach((id, i) => {
    if (!found.some((s) => s.id === id)) errors.push(fieldError(`${at('services')}/${i}`, 'known', m('登録されていないサービスです。', 'is not a registered service')));
  });
  if (errors.length > 0) throw new Problem('validation_failed', errors);
  const services = (ids as string[]).map((id) => found.find((s) => s.id === id)!);
  const joint = await jointPartners(db, services);
  const byService = await dossiers(db, services, dataClass, on, joint);
  const proposals: Proposal[] = services.map((s) => {
    const d = byService.get(s.id)!;
    const partnerServiceIds = joint.get(s.id);
    return {
      id: s.id,
      title: s.name,
      lead: { serviceId: s.id, claims: d.claims, findings: d.findings, registration: d.registration, partners: d.partners },
      ...(partnerServiceIds ? { partnerServiceIds } : {}),
    };
  });
  return compareProposals({
    dataClass,
    requirementIds: profileRequirementIds(dataClass),
    titles: new Map(REQUIREMENTS.map((r) => [r.id, r.title])),
    proposals,
    on,
    expiringWithinDays: within,
  });
}
