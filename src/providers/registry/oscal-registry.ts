/**
 * The provider registry as an OSCAL 1.2.1 component definition, as of a day.
 * Pure: every date-time and UUID comes from the inputs (no clock, no random),
 * and the inputs are put in a fixed order first, so the same records give the
 * same document byte for byte whatever order they came in
 * (docs/providers.md, "The registry as OSCAL").
 *
 * Shape:
 * - metadata: one `organization` party per provider (its 法人番号 as an
 *   external id, scheme {@link CORPORATE_NUMBER_SCHEME}; the locations of its
 *   data centres), one location per data centre of each region (the country,
 *   and in Japan the prefecture as `state`), the role `provider`;
 * - one component (type `service`) per service: municloud props (in
 *   urn:municloud:oscal) for the service and provider, the model, each
 *   registration with its status on the day (its props share a `group`), the
 *   provider's regions, the certification decision in force per data class;
 *   `responsible-roles` names the provider's party;
 * - one capability per joint proposal: its services as incorporated
 *   components (the lead's, and each partner's with the registration that
 *   admitted it), and whose service meets which requirement as implemented
 *   requirements (control-id: the requirement id of the catalog).
 *
 * UUIDs are derived from what each object is (provider, region and place,
 * service, proposal, requirement), so an object keeps its UUID across exports;
 * the document's own UUID is derived from its content, so it changes exactly
 * when the content does.
 */
import { CATALOG_PATH } from '../catalog/published.js';
import { certificationOn } from '../placement/policy.js';
import { contentUuid } from '../oscal/uuid.js';
import { derivedUuid, OSCAL_VERSION, type OscalProp, oscalString, PROP, prop, TOKEN_PATTERN } from '../assessment/oscal-common.js';
import { isDateTime, isDay } from '../days.js';
import { DATA_CLASSES } from './data-class.js';
import type { CertificationFacts, JointProposal, Provider, Region, Registration, Service } from './model.js';
import { CORPORATE_NUMBER_SCHEME } from './corporate-number.js';
import { JAPAN, prefectureName } from './places.js';
import { serviceRegistrationOn } from './registration.js';

type Json = Record<string, unknown>;
export type RegistryComponentDefinition = { 'component-definition': Json };

export { CORPORATE_NUMBER_SCHEME };


/** The role every provider's party plays, and that each component's responsible-roles names. */
export const PROVIDER_ROLE = 'provider';

/** Prop names of the registry document (all in MUNICLOUD_NS; OSCAL tokens). */
export const REGISTRY_PROP = {
  /** On the metadata: the day the statuses are for. */
  asOf: 'municloud-as-of',
  /** On a party, a component, a capability: the registry's id of the provider. */
  providerId: 'municloud-provider-id',
  /** On a party: the provider's headquarters country (ISO 3166-1 alpha-2). */
  headquartersCountry: 'municloud-headquarters-country',
  /** On a component: the registry's id of the service (the assessment documents' name). */
  serviceId: PROP.serviceId,
  /** On a component: IaaS, PaaS or SaaS. */
  serviceModel: 'municloud-service-model',
  /** On a component: registered / expired / withdrawn / missing on the day, from all its registrations. */
  registrationStanding: 'municloud-registration-standing',
  /** On a component, grouped per registration (`group`: `registration-<number>`). */
  registrationId: 'municloud-registration-id',
  registrationNumber: 'municloud-registration-number',
  /** valid, renewal_pending, expired, withdrawn or not_yet_listed, on the day. */
  registrationStatus: 'municloud-registration-status',
  auditPeriodStart: 'municloud-audit-period-start',
  auditPeriodEnd: 'municloud-audit-period-end',
  listedOn: 'municloud-listed-on',
  validUntil: 'municloud-valid-until',
  /** Absent while a renewal is pending undecided (no known end). */
  inForceUntil: 'municloud-in-force-until',
  renewalPendingSince: 'municloud-renewal-pending-since',
  renewalEndedOn: 'municloud-renewal-ended-on',
  withdrawnOn: 'municloud-withdrawn-on',
  /** On a component (grouped per region, `region-<code>`) and on a location. */
  regionId: 'municloud-region-id',
  regionCode: 'municloud-region-code',
  regionCountry: 'municloud-region-country',
  /** The country whose law governs (準拠法). */
  regionJurisdiction: 'municloud-region-jurisdiction',
  /** On a location in Japan: the JIS X 0401 code of the prefecture. */
  prefectureCode: 'municloud-prefecture-code',
  /** On a component, grouped per class (`certification-<class>`). */
  dataClass: PROP.dataClass,
  /** certified, expired (certified, past its expiry), not_certified or withdrawn, on the day. */
  certificationStatus: 'municloud-certification-status',
  certificationDecidedOn: 'municloud-certification-decided-on',
  certificationExpiresOn: 'municloud-certification-expires-on',
  /** On a capability. */
  jointProposalId: 'municloud-joint-proposal-id',
  leadProviderId: 'municloud-lead-provider-id',
  proposedOn: 'municloud-proposed-on',
} as const;

export interface RegistryOscalInput {
  /** The day the statuses are for (YYYY-MM-DD). */
  readonly on: string;
  /** When the document is produced (date-time with offset): its last-modified. */
  readonly producedAt: string;
  readonly providers: readonly Provider[];
  readonly services: readonly Service[];
  readonly regions: readonly Region[];
  /** Every registration, with its status on `on` (registrationView). */
  readonly registrations: readonly Registration[];
  readonly jointProposals: readonly JointProposal[];
  /** Certification decisions (all of them: the one in force on `on` per service and class is reported). */
  readonly certifications: readonly CertificationFacts[];
  /** The document's version; producedAt when not given. */
  readonly version?: string;
}

const byText =
  <T>(...keys: ((t: T) => string)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const x = key(a);
      const y = key(b);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

/** A prop in a group of related props (a registration, a region, a class). */
const grouped = (name: string, value: string, group: string): OscalProp & { group: string } => ({ ...prop(name, oscalString(value)), group });

/** A token from text that may not be one (a group name): letters, digits, '.', '-', '_' kept, anything else '_'. */
function token(prefix: string, text: string): string {
  const t = `${prefix}-${text.replace(/[^\p{L}\p{N}._-]/gu, '_')}`;
  if (!TOKEN_PATTERN.test(t)) throw new TypeError(`not an OSCAL token: ${t}`);
  return t;
}

/** Where a data centre is: a prefecture's name in Japan, else the place as given. */
function placeName(region: Region, place: string): string {
  return region.country === JAPAN ? (prefectureName(place) ?? place) : place;
}

/**
 * The registry (its providers, services, regions, registrations with their
 * status on the day, joint proposals and certifications) as an OSCAL 1.2.1
 * component definition. Throws TypeError for inputs that do not hang together
 * (a service of an unknown provider, a registration whose status is for
 * another day, …): the export would describe something that is not there.
 */
export function registryComponentDefinition(input: RegistryOscalInput): RegistryComponentDefinition {
  const { on } = input;
  if (!isDay(on)) throw new TypeError('on must be a day (YYYY-MM-DD)');
  if (!isDateTime(input.producedAt)) throw new TypeError('producedAt must be a date-time with an offset');

  const providers = [...input.providers].sort(byText((p) => p.name, (p) => p.id));
  const providerById = new Map(providers.map((p) => [p.id, p]));
  const services = [...input.services].sort(byText((s) => providerById.get(s.providerId)?.name ?? '', (s) => s.providerId, (s) => s.name, (s) => s.id));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const regions = [...input.regions].sort(byText((r) => r.code, (r) => r.id));
  const registrations = [...input.registrations].sort(byText((r) => r.listedOn, (r) => r.registrationNumber, (r) => r.id));
  const registrationById = new Map(registrations.map((r) => [r.id, r]));
  const proposals = [...input.jointProposals].sort(byText((p) => p.proposedOn, (p) => p.name, (p) => p.id));
  const certifications = [...input.certifications].sort((a, b) => a.seq - b.seq);

  for (const s of services) if (!providerById.has(s.providerId)) throw new TypeError(`service ${s.id} is of an unknown provider ${s.providerId}`);
  for (const r of regions) if (!providerById.has(r.providerId)) throw new TypeError(`region ${r.id} is of an unknown provider ${r.providerId}`);
  for (const r of registrations) {
    if (!serviceById.has(r.serviceId)) throw new TypeError(`registration ${r.id} is of an unknown service ${r.serviceId}`);
    if (r.on !== on) throw new TypeError(`registration ${r.id} has its status for ${r.on}, not ${on}`);
  }
  for (const c of certifications) if (!serviceById.has(c.serviceId)) throw new TypeError(`certification ${c.id} is of an unknown service ${c.serviceId}`);
  for (const p of proposals) {
    if (!providerById.has(p.leadProviderId)) throw new TypeError(`joint proposal ${p.id} is led by an unknown provider ${p.leadProviderId}`);
    for (const s of p.services) {
      if (!serviceById.has(s.serviceId)) throw new TypeError(`joint proposal ${p.id} names an unknown service ${s.serviceId}`);
      if (!registrationById.has(s.registrationId)) throw new TypeError(`joint proposal ${p.id} names an unknown registration ${s.registrationId}`);
    }
    for (const a of p.assignments) {
      if (!TOKEN_PATTERN.test(a.requirementId)) throw new TypeError(`joint proposal ${p.id}: requirement id ${a.requirementId} is not an OSCAL token`);
      if (!p.services.some((s) => s.serviceId === a.serviceId)) throw new TypeError(`joint proposal ${p.id} assigns ${a.requirementId} to a service outside it`);
    }
  }

  const partyUuid = (providerId: string) => derivedUuid('registry', 'party', providerId);
  const locationUuid = (regionId: string, place: string) => derivedUuid('registry', 'location', regionId, place);
  const componentUuid = (serviceId: string) => derivedUuid('registry', 'component', serviceId);
  const providerName = (id: string) => oscalString(providerById.get(id)!.name);
  const serviceName = (id: string) => oscalString(serviceById.get(id)!.name);

  // --- metadata: locations, parties, roles ---
  const locations: Json[] = regions.flatMap((region) =>
    region.locations.map((place) => {
      const inJapan = region.country === JAPAN && prefectureName(place) !== undefined;
      const address: Json = inJapan ? { state: prefectureName(place)!, country: region.country } : { 'addr-lines': [oscalString(place)], country: region.country };
      return {
        uuid: locationUuid(region.id, place),
        title: oscalString(`${placeName(region, place)}: data centre of ${region.name} (${region.code}), ${providerName(region.providerId)}`),
        address,
        props: [
          prop(REGISTRY_PROP.providerId, region.providerId),
          prop(REGISTRY_PROP.regionId, region.id),
          prop(REGISTRY_PROP.regionCode, region.code),
          prop(REGISTRY_PROP.regionJurisdiction, region.jurisdiction),
          ...(inJapan ? [prop(REGISTRY_PROP.prefectureCode, place)] : []),
        ],
      };
    }),
  );

  const parties: Json[] = providers.map((p) => {
    const locationUuids = regions.filter((r) => r.providerId === p.id).flatMap((r) => r.locations.map((place) => locationUuid(r.id, place)));
    return {
      uuid: partyUuid(p.id),
      type: 'organization',
      name: oscalString(p.name),
      'external-ids': [{ scheme: CORPORATE_NUMBER_SCHEME, id: p.corporateNumber }],
      props: [prop(REGISTRY_PROP.providerId, p.id), prop(REGISTRY_PROP.headquartersCountry, p.headquartersCountry)],
      ...(locationUuids.length > 0 ? { 'location-uuids': locationUuids } : {}),
    };
  });

  // --- components: one per service ---
  const components: Json[] = services.map((s) => {
    const provider = providerById.get(s.providerId)!;
    const own = registrations.filter((r) => r.serviceId === s.id);
    const standing = serviceRegistrationOn(own, on);
    const props: OscalProp[] = [
      prop(REGISTRY_PROP.serviceId, s.id),
      prop(REGISTRY_PROP.providerId, s.providerId),
      prop(REGISTRY_PROP.serviceModel, s.model),
      prop(REGISTRY_PROP.registrationStanding, standing.standing),
    ];
    for (const r of own) {
      const g = token('registration', r.registrationNumber);
      props.push(
        grouped(REGISTRY_PROP.registrationId, r.id, g),
        grouped(REGISTRY_PROP.registrationNumber, r.registrationNumber, g),
        grouped(REGISTRY_PROP.registrationStatus, r.status, g),
        grouped(REGISTRY_PROP.auditPeriodStart, r.auditPeriodStart, g),
        grouped(REGISTRY_PROP.auditPeriodEnd, r.auditPeriodEnd, g),
        grouped(REGISTRY_PROP.listedOn, r.listedOn, g),
        grouped(REGISTRY_PROP.validUntil, r.validUntil, g),
      );
      if (r.inForceUntil !== null) props.push(grouped(REGISTRY_PROP.inForceUntil, r.inForceUntil, g));
      if (r.renewalPendingSince !== null) props.push(grouped(REGISTRY_PROP.renewalPendingSince, r.renewalPendingSince, g));
      if (r.renewalEndedOn !== null) props.push(grouped(REGISTRY_PROP.renewalEndedOn, r.renewalEndedOn, g));
      if (r.withdrawnOn !== null) props.push(grouped(REGISTRY_PROP.withdrawnOn, r.withdrawnOn, g));
    }
    for (const region of regions.filter((r) => r.providerId === s.providerId)) {
      const g = token('region', region.code);
      props.push(
        grouped(REGISTRY_PROP.regionId, region.id, g),
        grouped(REGISTRY_PROP.regionCode, region.code, g),
        grouped(REGISTRY_PROP.regionCountry, region.country, g),
        grouped(REGISTRY_PROP.regionJurisdiction, region.jurisdiction, g),
      );
    }
    const decisions = certifications.filter((c) => c.serviceId === s.id);
    for (const dataClass of DATA_CLASSES) {
      const c = certificationOn(decisions, dataClass, on);
      if (c === null) continue;
      const g = token('certification', dataClass);
      const status = c.status === 'certified' && c.expiresOn !== null && c.expiresOn < on ? 'expired' : c.status;
      props.push(grouped(REGISTRY_PROP.dataClass, dataClass, g), grouped(REGISTRY_PROP.certificationStatus, status, g), grouped(REGISTRY_PROP.certificationDecidedOn, c.decidedOn, g));
      if (c.expiresOn !== null) props.push(grouped(REGISTRY_PROP.certificationExpiresOn, c.expiresOn, g));
    }
    const registered = standing.standing === 'registered' ? `registered (${standing.registration.registrationNumber}, ${standing.status})` : standing.standing === 'missing' ? 'not registered' : `${standing.standing} (${standing.registration.registrationNumber})`;
    return {
      uuid: componentUuid(s.id),
      type: 'service',
      title: oscalString(s.name),
      description: `${s.model} service of ${oscalString(provider.name)} (法人番号 ${provider.corporateNumber}); on ${on} ${registered}.`,
      purpose: `${s.model} cloud service`,
      props,
      'responsible-roles': [{ 'role-id': PROVIDER_ROLE, 'party-uuids': [partyUuid(s.providerId)] }],
    };
  });

  // --- capabilities: one per joint proposal ---
  const capabilities: Json[] = proposals.map((p) => {
    const members = [...p.services].sort(byText((x) => (x.providerId === p.leadProviderId ? '0' : '1'), (x) => providerName(x.providerId), (x) => serviceName(x.serviceId), (x) => x.serviceId));
    const partners = [...new Set(members.filter((x) => x.providerId !== p.leadProviderId).map((x) => providerName(x.providerId)))];
    const admittedBy = (registrationId: string) => {
      const r = registrationById.get(registrationId)!;
      return `registration ${r.registrationNumber} (${r.status} on ${on})`;
    };
    const capability: Json = {
      uuid: derivedUuid('registry', 'capability', p.id),
      name: oscalString(p.name),
      description: `Joint proposal led by ${providerName(p.leadProviderId)}${partners.length > 0 ? ` with ${partners.join(', ')}` : ''}, proposed on ${p.proposedOn}.`,
      props: [prop(REGISTRY_PROP.jointProposalId, p.id), prop(REGISTRY_PROP.leadProviderId, p.leadProviderId), prop(REGISTRY_PROP.proposedOn, p.proposedOn)],
      'incorporates-components': members.map((x) => ({
        'component-uuid': componentUuid(x.serviceId),
        description: `${x.providerId === p.leadProviderId ? 'lead' : 'partner'}: ${serviceName(x.serviceId)} of ${providerName(x.providerId)}, admitted by ${admittedBy(x.registrationId)}`,
      })),
    };
    const assignments = [...p.assignments].sort(byText((a) => a.requirementId));
    if (assignments.length > 0) {
      capability['control-implementations'] = [
        {
          uuid: derivedUuid('registry', 'capability-control-implementation', p.id),
          source: CATALOG_PATH,
          description: `Whose service meets which requirement in ${oscalString(p.name)}.`,
          'implemented-requirements': assignments.map((a) => {
            const providerId = serviceById.get(a.serviceId)!.providerId;
            return {
              uuid: derivedUuid('registry', 'assignment', p.id, a.requirementId),
              'control-id': a.requirementId,
              description: `Met by ${serviceName(a.serviceId)} (${providerName(providerId)}).`,
              props: [prop(REGISTRY_PROP.serviceId, a.serviceId)],
              'responsible-roles': [{ 'role-id': PROVIDER_ROLE, 'party-uuids': [partyUuid(providerId)] }],
            };
          }),
        },
      ];
    }
    return capability;
  });

  const metadata: Json = {
    title: `municloud provider registry as of ${on}`,
    'last-modified': input.producedAt,
    version: oscalString(input.version ?? input.producedAt),
    'oscal-version': OSCAL_VERSION,
    props: [prop(REGISTRY_PROP.asOf, on)],
    ...(providers.length > 0 ? { roles: [{ id: PROVIDER_ROLE, title: 'Cloud service provider' }] } : {}),
    ...(locations.length > 0 ? { locations } : {}),
    ...(parties.length > 0 ? { parties } : {}),
  };
  const content: Json = {
    metadata,
    ...(components.length > 0 ? { components } : {}),
    ...(capabilities.length > 0 ? { capabilities } : {}),
  };
  return { 'component-definition': { uuid: contentUuid('registry-component-definition', content), ...content } };
}
