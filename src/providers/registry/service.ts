/**
 * The registry's use cases: each checks its input in full (the API's schemas
 * check shapes; the CLI sends text), writes in one transaction, and returns
 * what it wrote. Auditing is the caller's (recordAction for a request,
 * recordJobAction for a CLI command). `at` names a field where the caller
 * took it from: `body/name` for the API, `--name` for the CLI.
 */
import type pg from 'pg';
import { inTransaction } from '../../platform/database.js';
import { fieldError, Problem, type FieldError, type Message } from '../../platform/errors.js';
import { normalizeText } from '../../text/japanese.js';
import { requirementById } from '../catalog/requirements.js';
import { listCertifications } from './certifications.js';
import { corporateNumberProblem } from './corporate-number.js';
import { isDay, todayInJapan } from '../days.js';
import { SERVICE_MODELS, type Certification, type JointProposal, type Provider, type Region, type Registration, type Service, type ServiceModel } from './model.js';
import { isCountryCode, JAPAN, prefectureCode } from './places.js';
import { inForceUntil, registrationDateProblems, registrationStatus, serviceRegistrationOn, validUntil } from './registration.js';
import * as store from './store.js';
import { OscalInvalid, validateOscal } from '../oscal/validate.js';
import { registryComponentDefinition, type RegistryComponentDefinition } from './oscal-registry.js';
import type { StoredRegistration } from './store.js';

export type FieldName = (name: string) => string;
export const bodyField: FieldName = (name) => `body/${name}`;

const TEXT_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\ue000-\uf8ff\u{f0000}-\u{10ffff}]/u;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Requirement ids: OSCAL control ids (tokens). */
export const REQUIREMENT_ID = /^[A-Za-z_][A-Za-z0-9._-]{0,63}$/;

const m = (ja: string, en: string): Message => ({ ja, en });

class Checks {
  readonly errors: FieldError[] = [];
  constructor(private readonly at: FieldName) {}
  fail(name: string, rule: string, message: Message): void {
    this.errors.push(fieldError(this.at(name), rule, message));
  }
  text(name: string, value: unknown, max: number): string {
    if (typeof value !== 'string' || TEXT_FORBIDDEN.test(value)) {
      this.fail(name, 'text', m('文字列で入力してください（制御文字・外字は使えません）。', 'must be text without control or private-use characters'));
      return '';
    }
    const text = normalizeText(value);
    if (text.length < 1 || text.length > max) this.fail(name, 'length', m(`1〜${max} 文字で入力してください。`, `must have 1 to ${max} characters`));
    return text;
  }
  day(name: string, value: unknown): string {
    if (!isDay(value)) this.fail(name, 'date', m('日付（YYYY-MM-DD）で入力してください。', 'must be a date (YYYY-MM-DD)'));
    return String(value);
  }
  uuid(name: string, value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value.toLowerCase())) this.fail(name, 'uuid', m('UUID で入力してください。', 'must be a UUID'));
    return String(value).toLowerCase();
  }
  country(name: string, value: unknown): string {
    const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
    if (!isCountryCode(code)) this.fail(name, 'country', m('ISO 3166-1 の2文字の国コード（例 JP）で入力してください。', 'must be an ISO 3166-1 alpha-2 country code such as JP'));
    return code;
  }
  unknown(name: string, what: Message): void {
    this.fail(name, 'known', what);
  }
  throwIfAny(code: 'validation_failed' | 'registration_refused' | 'joint_proposal_refused' = 'validation_failed'): void {
    if (this.errors.length > 0) throw new Problem(code, this.errors);
  }
}

// --- providers, services, regions ---------------------------------------------

export interface ProviderDetails extends Provider {
  readonly services: Service[];
  readonly regions: Region[];
}

export async function createProvider(
  db: pg.Pool,
  input: { name: unknown; corporateNumber: unknown; headquartersCountry: unknown },
  by: string | null,
  at: FieldName = bodyField,
): Promise<Provider> {
  const c = new Checks(at);
  const name = c.text('name', input.name, 200);
  const corporateNumber = typeof input.corporateNumber === 'string' ? input.corporateNumber.normalize('NFKC').trim() : '';
  const problem = corporateNumberProblem(corporateNumber);
  if (problem === 'format') c.fail('corporateNumber', 'format', m('法人番号は13桁の数字です。', 'must be a corporate number (法人番号) of 13 digits'));
  if (problem === 'check_digit') c.fail('corporateNumber', 'check_digit', m('法人番号の検査数字が正しくありません。', 'has a wrong check digit'));
  const headquartersCountry = c.country('headquartersCountry', input.headquartersCountry);
  c.throwIfAny();
  return store.insertProvider(db, { name, corporateNumber, headquartersCountry }, by);
}

export async function providerDetails(db: pg.Pool, providerId?: string): Promise<ProviderDetails[]> {
  const providers = providerId ? [await requireProvider(db, providerId)] : await store.listProviders(db);
  const services = await store.listServices(db, providerId ? { providerId } : {});
  const regions = await store.listRegions(db, providerId ? { providerId } : {});
  return providers.map((p) => ({ ...p, services: services.filter((s) => s.providerId === p.id), regions: regions.filter((r) => r.providerId === p.id) }));
}

export async function requireProvider(db: pg.Pool, id: string): Promise<Provider> {
  const provider = UUID.test(id) ? await store.findProvider(db, id) : null;
  if (!provider) throw new Problem('not_found');
  return provider;
}

export async function addService(db: pg.Pool, providerId: string, input: { name: unknown; model: unknown }, by: string | null, at: FieldName = bodyField): Promise<Service> {
  await requireProvider(db, providerId);
  const c = new Checks(at);
  const name = c.text('name', input.name, 200);
  if (!SERVICE_MODELS.includes(input.model as ServiceModel)) c.fail('model', 'model', m('IaaS・PaaS・SaaS のいずれかです。', 'must be IaaS, PaaS or SaaS'));
  c.throwIfAny();
  return store.insertService(db, { providerId, name, model: input.model as ServiceModel }, by);
}

export async function addRegion(
  db: pg.Pool,
  providerId: string,
  input: { code: unknown; name: unknown; country: unknown; jurisdiction: unknown; locations: unknown },
  by: string | null,
  at: FieldName = bodyField,
): Promise<Region> {
  await requireProvider(db, providerId);
  const c = new Checks(at);
  const code = typeof input.code === 'string' ? input.code.trim() : '';
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(code)) c.fail('code', 'region_code', m('英小文字・数字・ハイフンで入力してください（例 ap-northeast-1）。', 'must be lower-case letters, digits and hyphens, e.g. ap-northeast-1'));
  const name = c.text('name', input.name, 200);
  const country = c.country('country', input.country);
  const jurisdiction = c.country('jurisdiction', input.jurisdiction);
  const locations: string[] = [];
  if (!Array.isArray(input.locations) || input.locations.length < 1 || input.locations.length > 47) {
    c.fail('locations', 'items', m('データセンターの所在地を1〜47件指定してください。', 'must list 1 to 47 data-centre locations'));
  } else {
    input.locations.forEach((place, i) => {
      if (country === JAPAN) {
        const prefecture = typeof place === 'string' ? prefectureCode(place) : undefined;
        if (prefecture === undefined) c.fail(`locations/${i}`, 'prefecture', m('都道府県コード（例 13）または都道府県名（例 東京都）で入力してください。', 'must be a prefecture code (e.g. 13) or name (e.g. 東京都)'));
        else locations.push(prefecture);
      } else locations.push(c.text(`locations/${i}`, place, 100));
    });
  }
  c.throwIfAny();
  return store.insertRegion(db, { providerId, code, name, country, jurisdiction, locations: [...new Set(locations)] }, by);
}

// --- registrations -------------------------------------------------------------

/** A stored registration with what the rules say of it on the day. */
export function registrationView(r: StoredRegistration, on: string): Registration {
  return { ...r, validUntil: validUntil(r.auditPeriodEnd), inForceUntil: inForceUntil(r), on, status: registrationStatus(r, on) };
}

export async function requireService(db: pg.Pool, id: string): Promise<Service> {
  const service = UUID.test(id) ? await store.findService(db, id) : null;
  if (!service) throw new Problem('not_found');
  return service;
}

async function requireRegistration(client: pg.ClientBase, id: string): Promise<StoredRegistration> {
  const r = UUID.test(id) ? await store.lockRegistration(client, id) : null;
  if (!r) throw new Problem('not_found');
  return r;
}

const DATE_REFUSALS: Record<string, Message> = {
  after_start: m('監査対象期間の終了日は開始日以降です。', 'must not be before the start of the audited period'),
  audit_period_too_long: m('監査対象期間は1年以内です。', 'the audited period is at most one year long'),
  after_audit_period: m('登録日は監査対象期間の終了後です。', 'must be after the audited period ends'),
  not_in_future: m('登録日が将来の日付です。', 'must not be in the future'),
  registration_lapsed: m(
    'この監査対象期間による登録は有効期間（終了日の1年4か月後まで）を過ぎています。',
    'a registration on this audited period has already lapsed (valid until 1 year 4 months after its end)',
  ),
};

/**
 * Lists a registration of a service. A registration listed for a service
 * decides the renewals pending on its earlier ones (they end on its listing
 * day); their ids are returned for the audit entry.
 */
export async function addRegistration(
  db: pg.Pool,
  serviceId: string,
  input: { registrationNumber: unknown; auditPeriodStart: unknown; auditPeriodEnd: unknown; listedOn: unknown },
  by: string | null,
  options: { at?: FieldName; today?: string } = {},
): Promise<{ registration: Registration; renewalsEnded: string[] }> {
  const today = options.today ?? todayInJapan();
  await requireService(db, serviceId);
  const c = new Checks(options.at ?? bodyField);
  const registrationNumber = typeof input.registrationNumber === 'string' ? input.registrationNumber.normalize('NFKC').trim() : '';
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/.test(registrationNumber)) {
    c.fail('registrationNumber', 'registration_number', m('登録番号は英数字とハイフンで入力してください（例 C21-0001-1）。', 'must be letters, digits and hyphens, e.g. C21-0001-1'));
  }
  const dates = { auditPeriodStart: c.day('auditPeriodStart', input.auditPeriodStart), auditPeriodEnd: c.day('auditPeriodEnd', input.auditPeriodEnd), listedOn: c.day('listedOn', input.listedOn) };
  c.throwIfAny();
  const refusals = new Checks(options.at ?? bodyField);
  for (const p of registrationDateProblems(dates, today)) refusals.fail(p.field, p.rule, DATE_REFUSALS[p.rule]!);
  refusals.throwIfAny('registration_refused');
  return inTransaction(db, async (client) => {
    const stored = await store.insertRegistration(client, { serviceId, registrationNumber, ...dates }, by);
    const renewalsEnded = await store.endPendingRenewalsOf(client, serviceId, stored.id, stored.listedOn);
    return { registration: registrationView(stored, today), renewalsEnded };
  });
}

export async function listRegistrationViews(db: pg.Pool, on: string, filter: { serviceIds?: readonly string[] } = {}): Promise<Registration[]> {
  return (await store.listRegistrations(db, filter)).map((r) => registrationView(r, on));
}

/**
 * A renewal applied for (pending: true) or decided without a successor
 * (pending: false, e.g. refused). Applying keeps the registration valid while
 * pending, so it must come before the registration lapses. One renewal per
 * registration: its success is a new registration of the service.
 */
export async function setRenewal(
  db: pg.Pool,
  registrationId: string,
  input: { pending: unknown; on: unknown },
  options: { at?: FieldName; today?: string } = {},
): Promise<Registration> {
  const today = options.today ?? todayInJapan();
  const at = options.at ?? bodyField;
  const c = new Checks(at);
  if (typeof input.pending !== 'boolean') c.fail('pending', 'boolean', m('true または false です。', 'must be true or false'));
  const on = c.day('on', input.on);
  c.throwIfAny();
  return inTransaction(db, async (client) => {
    const r = await requireRegistration(client, registrationId);
    const refuse = (rule: string, message: Message, code: 'registration_refused' | 'conflict' = 'registration_refused') => {
      throw new Problem(code, [fieldError(at('on'), rule, message)], code === 'conflict' ? message : undefined);
    };
    if (on > today) refuse('not_in_future', m('将来の日付は指定できません。', 'must not be in the future'));
    if (r.withdrawnOn !== null) refuse('registration_withdrawn', m('取り消された登録です。', 'the registration has been withdrawn'));
    if (input.pending) {
      if (r.renewalPendingSince !== null) refuse('renewal_exists', m('この登録の更新は既に申請されています。', 'a renewal of this registration was already applied for'), 'conflict');
      if (on < r.listedOn) refuse('after_listing', m('登録日より前の日付です。', 'must not be before the registration was listed'));
      if (on > validUntil(r.auditPeriodEnd)) {
        refuse(
          'registration_lapsed',
          m('有効期間を過ぎた登録は更新できません（新たに申請してください）。', 'a registration cannot be renewed after it has lapsed: the provider applies anew'),
        );
      }
      await store.setRenewalPending(client, r.id, on);
      return registrationView({ ...r, renewalPendingSince: on }, today);
    }
    if (r.renewalPendingSince === null || r.renewalEndedOn !== null) refuse('renewal_not_pending', m('更新申請中ではありません。', 'no renewal of this registration is pending'), 'conflict');
    if (on < r.renewalPendingSince!) refuse('after_application', m('更新申請日より前の日付です。', 'must not be before the renewal was applied for'));
    await store.endRenewal(client, r.id, on);
    return registrationView({ ...r, renewalEndedOn: on }, today);
  });
}

export async function withdrawRegistration(
  db: pg.Pool,
  registrationId: string,
  input: { on: unknown; reason: unknown },
  by: string | null,
  options: { at?: FieldName; today?: string } = {},
): Promise<Registration> {
  const today = options.today ?? todayInJapan();
  const at = options.at ?? bodyField;
  const c = new Checks(at);
  const on = c.day('on', input.on);
  const reason = c.text('reason', input.reason, 500);
  c.throwIfAny();
  return inTransaction(db, async (client) => {
    const r = await requireRegistration(client, registrationId);
    if (r.withdrawnOn !== null) {
      const message = m('この登録は既に取り消されています。', 'This registration has already been withdrawn.');
      throw new Problem('conflict', [], message);
    }
    if (on < r.listedOn) throw new Problem('registration_refused', [fieldError(at('on'), 'after_listing', m('登録日より前の日付です。', 'must not be before the registration was listed'))]);
    await store.withdrawRegistration(client, r.id, { on, reason }, by);
    return registrationView({ ...r, withdrawnOn: on, withdrawalReason: reason }, today);
  });
}

// --- joint proposals ---------------------------------------------------------

const STANDING_REFUSALS: Record<'missing' | 'expired' | 'withdrawn', { rule: string; message: Message }> = {
  missing: { rule: 'registration_missing', message: m('このサービスには ISMAP 登録がありません。', 'this service has no ISMAP registration') },
  expired: { rule: 'registration_expired', message: m('このサービスの ISMAP 登録は有効期間を過ぎています。', "this service's ISMAP registration has expired") },
  withdrawn: { rule: 'registration_withdrawn', message: m('このサービスの ISMAP 登録は取り消されています。', "this service's ISMAP registration has been withdrawn") },
};

/**
 * A joint proposal: a lead provider answers for services of several providers,
 * each of which must hold a registration in force today; each requirement is
 * assigned to one of them, each a requirement of the requirements catalogue
 * (src/providers/catalog; `knownRequirement` replaces that check in tests).
 */
export async function createJointProposal(
  db: pg.Pool,
  input: { name: unknown; leadProviderId: unknown; serviceIds: unknown; assignments: unknown },
  by: string | null,
  options: { at?: FieldName; today?: string; knownRequirement?: (id: string) => boolean } = {},
): Promise<JointProposal> {
  const knownRequirement = options.knownRequirement ?? ((id: string) => requirementById(id) !== undefined);
  const today = options.today ?? todayInJapan();
  const c = new Checks(options.at ?? bodyField);
  const name = c.text('name', input.name, 200);
  const leadProviderId = c.uuid('leadProviderId', input.leadProviderId);
  const serviceIds: string[] = [];
  if (!Array.isArray(input.serviceIds) || input.serviceIds.length < 2 || input.serviceIds.length > 50) {
    c.fail('serviceIds', 'items', m('サービスを2〜50件指定してください。', 'must list 2 to 50 services'));
  } else {
    input.serviceIds.forEach((id, i) => {
      const s = c.uuid(`serviceIds/${i}`, id);
      if (serviceIds.includes(s)) c.fail(`serviceIds/${i}`, 'unique', m('同じサービスが重複しています。', 'repeats a service'));
      serviceIds.push(s);
    });
  }
  const assignments: { requirementId: string; serviceId: string }[] = [];
  if (!Array.isArray(input.assignments) || input.assignments.length > 2000) {
    c.fail('assignments', 'items', m('要件の割当ては2000件までです。', 'must list at most 2000 assignments'));
  } else {
    input.assignments.forEach((a: unknown, i) => {
      const { requirementId, serviceId } = (a ?? {}) as { requirementId?: unknown; serviceId?: unknown };
      if (typeof requirementId !== 'string' || !REQUIREMENT_ID.test(requirementId)) {
        c.fail(`assignments/${i}/requirementId`, 'requirement_id', m('要件の ID（例 ac-2）で入力してください。', 'must be a requirement id such as ac-2'));
      } else if (assignments.some((x) => x.requirementId === requirementId)) {
        c.fail(`assignments/${i}/requirementId`, 'unique', m('同じ要件が重複しています。', 'repeats a requirement'));
      }
      const s = c.uuid(`assignments/${i}/serviceId`, serviceId);
      if (!serviceIds.includes(s)) c.fail(`assignments/${i}/serviceId`, 'in_proposal', m('共同提案に含まれないサービスです。', "is not one of the proposal's services"));
      assignments.push({ requirementId: String(requirementId), serviceId: s });
    });
  }
  c.throwIfAny();

  const known = new Checks(options.at ?? bodyField);
  if (!(await store.findProvider(db, leadProviderId))) known.unknown('leadProviderId', m('登録されていない事業者です。', 'is not a registered provider'));
  const services = await store.listServices(db, { ids: serviceIds });
  serviceIds.forEach((id, i) => {
    if (!services.some((s) => s.id === id)) known.unknown(`serviceIds/${i}`, m('登録されていないサービスです。', 'is not a registered service'));
  });
  known.throwIfAny();

  const refusals = new Checks(options.at ?? bodyField);
  assignments.forEach((a, i) => {
    if (!knownRequirement(a.requirementId)) refusals.fail(`assignments/${i}/requirementId`, 'unknown_requirement', m('要件カタログにない要件です。', 'is not in the requirements catalogue'));
  });
  if (!services.some((s) => s.providerId !== leadProviderId)) {
    refusals.fail('serviceIds', 'no_partner', m('代表事業者以外の事業者のサービスが含まれていません。', 'holds no service of a partner (a provider other than the lead)'));
  }
  const registrations = await store.listRegistrations(db, { serviceIds });
  const admitted: { serviceId: string; registrationId: string }[] = [];
  serviceIds.forEach((id, i) => {
    const standing = serviceRegistrationOn(registrations.filter((r) => r.serviceId === id), today);
    if (standing.standing === 'registered') admitted.push({ serviceId: id, registrationId: standing.registration.id });
    else refusals.fail(`serviceIds/${i}`, STANDING_REFUSALS[standing.standing].rule, STANDING_REFUSALS[standing.standing].message);
  });
  refusals.throwIfAny('joint_proposal_refused');

  const id = await inTransaction(db, (client) => store.insertJointProposal(client, { name, leadProviderId, proposedOn: today, services: admitted, assignments }, by));
  return (await store.listJointProposals(db, { id }))[0]!;
}

export async function requireJointProposal(db: pg.Pool, id: string): Promise<JointProposal> {
  const proposal = UUID.test(id) ? (await store.listJointProposals(db, { id }))[0] : undefined;
  if (!proposal) throw new Problem('not_found');
  return proposal;
}

// --- certifications (read) -----------------------------------------------------

export async function certificationsOf(db: pg.Pool, filter: { serviceId?: string; current?: boolean }): Promise<Certification[]> {
  if (filter.serviceId !== undefined && !UUID.test(filter.serviceId)) throw new Problem('not_found');
  return listCertifications(db, filter);
}

// --- the registry as OSCAL -------------------------------------------------------

/**
 * The whole registry as an OSCAL 1.2.1 component definition (oscal-registry.ts),
 * with statuses on a day (default today in Japan), checked against the schema
 * before it is answered: an export that does not validate is a bug, and throws
 * OscalInvalid. Reproducible: last-modified is the latest time a record was
 * created (or a certification decided), 00:00 JST of the day when the registry
 * is empty, so the same records give the same document. (A renewal or a
 * withdrawal changes a registration without a new record: it changes the
 * document's content and uuid, not its last-modified.)
 */
export async function registryOscal(db: pg.Pool, input: { on?: unknown } = {}, options: { at?: FieldName; today?: string } = {}): Promise<RegistryComponentDefinition> {
  const c = new Checks(options.at ?? ((name) => `querystring/${name}`));
  const on = input.on === undefined ? (options.today ?? todayInJapan()) : c.day('on', input.on);
  c.throwIfAny();
  // One snapshot: a service written between two reads would otherwise be named by a registration but missing from the services.
  const { providers, services, regions, registrations, jointProposals, certifications } = await inTransaction(
    db,
    async (client) => ({
      providers: await store.listProviders(client),
      services: await store.listServices(client),
      regions: await store.listRegions(client),
      registrations: (await store.listRegistrations(client)).map((r) => registrationView(r, on)),
      jointProposals: await store.listJointProposals(client),
      certifications: await listCertifications(client),
    }),
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
  const times = [...providers, ...services, ...regions, ...registrations, ...jointProposals].map((r) => r.createdAt).concat(certifications.map((x) => x.decidedAt));
  const producedAt = times.reduce<string | null>((latest, t) => (latest === null || t > latest ? t : latest), null) ?? `${on}T00:00:00+09:00`;
  const document = registryComponentDefinition({ on, producedAt, providers, services, regions, registrations, jointProposals, certifications });
  const problems = validateOscal('component-definition', document);
  if (problems.length > 0) throw new OscalInvalid('component-definition', problems);
  return document;
}
