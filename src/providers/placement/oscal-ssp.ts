/**
 * A municipality's placement as an OSCAL 1.2.1 system security plan: where the
 * municipality's data lives (cell, cloud service, region, data centres) and
 * why it may live there (the service's ISMAP registration and its
 * certification for the municipality's class of data, leveraged as
 * authorizations), and how each requirement of the class's profile is met on
 * that service (the provider's claims, inherited ones naming the partner).
 * Pure: every date and UUID comes from the inputs (docs/providers.md, "The
 * placement as OSCAL").
 */
import { derivedUuid, OSCAL_VERSION, oscalString, prop, PROP, type OscalProp } from '../assessment/oscal-common.js';
import type { Claim } from '../assessment/component-definition.js';
import type { DataClass } from '../registry/data-class.js';
import { DATA_CLASS_INFO } from '../catalog/profiles.js';
import { todayInJapan } from '../days.js';
import { inForceUntil, registrationStatus, validUntil, type RegistrationFacts } from '../registry/registration.js';
import type { CertificationFacts } from '../registry/model.js';
import { certificationOn, placementDecision, REASON_MESSAGES, type CellFacts } from './policy.js';
import { PLACEMENT_PROP, partyUuid, ROLE, systemId, systemMetadata, type SystemParties } from './oscal-system.js';

type Json = Record<string, unknown>;
export type SystemSecurityPlanDocument = { 'system-security-plan': Json };

/** municloud's props on the plan (namespace urn:municloud:oscal). */
export const SSP_PROP = {
  ...PLACEMENT_PROP,
  regionId: 'municloud-region-id',
  regionCode: 'municloud-region-code',
  jurisdiction: 'municloud-jurisdiction',
  placementAllowed: 'municloud-placement-allowed',
  registrationNumber: 'municloud-registration-number',
  registrationStatus: 'municloud-registration-status',
  validUntil: 'municloud-valid-until',
  inForceUntil: 'municloud-in-force-until',
  auditPeriod: 'municloud-audit-period',
} as const;

export interface PlacementPlanInput {
  readonly parties: SystemParties;
  readonly dataClass: DataClass;
  /** The profile's requirement ids with their titles (English), in catalog order. */
  readonly requirements: readonly { readonly id: string; readonly title: string }[];
  /** Where the profile is published (the plan's import-profile href). */
  readonly profileHref: string;
  readonly cell: CellFacts;
  /** The day the municipality was placed (its first day on the cell). */
  readonly placedOn: string;
  /** The provider's latest component definition of the cell's service; null when none was submitted. */
  readonly componentDefinition: { readonly version: number; readonly claims: readonly Claim[] } | null;
  /** Names of the partner services the claims inherit from. */
  readonly partners: ReadonlyMap<string, { readonly serviceName: string; readonly providerName: string }>;
  /** The day the plan stands for. */
  readonly on: string;
  /** When the plan was produced (date-time with offset): its last-modified. */
  readonly producedAt: string;
}

/** The municipality's placement on a day, as an OSCAL system security plan. */
export function placementSystemSecurityPlan(input: PlacementPlanInput): SystemSecurityPlanDocument {
  const { parties, dataClass, cell, on } = input;
  const { municipality } = parties;
  const location = cell.location;
  if (!location || !parties.provider) throw new TypeError(`cell ${cell.cellId} has no declared location: there is no plan to describe`);
  const decision = placementDecision({ cell, dataClass, on });
  const serviceId = location.service.id;

  const thisSystemUuid = derivedUuid('component', 'tenant', municipality.code);
  const serviceUuid = derivedUuid('component', serviceId);
  const partnerUuid = (id: string) => derivedUuid('component', id);

  // Leveraged authorizations: every registration of the service listed by the
  // day (the one in force first), and the certification decision in force.
  const registrations = cell.registrations.filter((r) => r.serviceId === serviceId && r.listedOn <= on).sort(byListing);
  const certification = certificationOn(cell.certifications.filter((c) => c.serviceId === serviceId), dataClass, on);
  const leveraged: Json[] = [
    ...registrations.map((r) => registrationAuthorization(r, location.service.name, parties.provider!.id, on)),
    ...(certification ? [certificationAuthorization(certification, location.service.name, parties.operator.code)] : []),
  ];

  const covered = decision.allowed;
  const reasons = decision.allowed ? [] : decision.reasons;
  const notCovered = reasons.map((r) => REASON_MESSAGES[r].en).join('; ');
  const claims = new Map((input.componentDefinition?.claims ?? []).map((c) => [c.requirementId, c]));
  const partnerIds = [...new Set([...claims.values()].flatMap((c) => (c.inherited ? [c.inherited.fromServiceId] : [])))].sort();

  const components: Json[] = [
    {
      uuid: thisSystemUuid,
      type: 'this-system',
      title: oscalString(`municloud tenant of ${municipality.name}`),
      description: `The tenant of ${municipality.name} (${municipality.code}) on municloud: its rows in cell ${cell.cellId}, isolated by row-level security and sealed under the municipality's own keys.`,
      props: [prop(SSP_PROP.cellId, cell.cellId), prop(PROP.dataClass, dataClass)],
      status: { state: 'operational' },
      'responsible-roles': [{ 'role-id': ROLE.owner, 'party-uuids': [partyUuid.municipality(municipality.code)] }],
    },
    {
      uuid: serviceUuid,
      type: 'service',
      title: oscalString(location.service.name),
      description: `${location.service.model} service of ${oscalString(location.provider.name)} the cell runs on, in region ${oscalString(location.region.code)} (${oscalString(location.region.name)}).`,
      props: [
        prop(PROP.serviceId, serviceId),
        prop(SSP_PROP.regionId, location.region.id),
        prop(SSP_PROP.regionCode, oscalString(location.region.code)),
        prop(SSP_PROP.jurisdiction, location.region.jurisdiction),
        // OSCAL's own names: where the component is implemented, and the authorization it relies on.
        { name: 'implementation-point', value: 'external' },
        ...leveraged.map((l) => ({ name: 'leveraged-authorization-uuid', value: String(l.uuid) })),
      ],
      status: covered ? { state: 'operational' } : { state: 'other', remarks: `Not covered for ${dataClass} on ${on}: ${notCovered}.` },
      'responsible-roles': [{ 'role-id': ROLE.provider, 'party-uuids': [partyUuid.provider(parties.provider.id)] }],
    },
    ...partnerIds.map((id) => {
      const partner = input.partners.get(id);
      return {
        uuid: partnerUuid(id),
        type: 'service',
        title: oscalString(partner ? partner.serviceName : `Service ${id}`),
        description: oscalString(`Partner service${partner ? ` of ${partner.providerName}` : ''} from which ${location.service.name} inherits requirements (a joint proposal).`),
        props: [prop(PROP.serviceId, id), { name: 'implementation-point', value: 'external' }],
        status: { state: 'operational' },
      };
    }),
  ];

  const implemented = input.requirements.map((requirement) => {
    const claim = claims.get(requirement.id);
    const byComponents: Json[] = [];
    const status = !claim
      ? { state: 'not-implemented', remarks: `${location.service.name} claims no implementation of ${requirement.id}.` }
      : covered
        ? { state: 'implemented' }
        : { state: 'planned', remarks: `The service is not covered for ${dataClass} on ${on}: ${notCovered}. See the plan of action and milestones.` };
    byComponents.push({
      'component-uuid': serviceUuid,
      uuid: derivedUuid('by-component', municipality.code, requirement.id, serviceId),
      description: claim?.description ?? `No claim of ${location.service.name} for ${requirement.id} (${requirement.title}).`,
      ...(claim?.inherited ? { props: [prop(PROP.inheritedFrom, claim.inherited.fromServiceId)] } : {}),
      'implementation-status': oscalStatus(status),
    });
    if (claim?.inherited) {
      const from = claim.inherited.fromServiceId;
      const partner = input.partners.get(from);
      byComponents.push({
        'component-uuid': partnerUuid(from),
        uuid: derivedUuid('by-component', municipality.code, requirement.id, from),
        description: oscalString(`Met by the partner service ${partner ? `${partner.serviceName} (${partner.providerName})` : from}, whose own certification the joint proposal relies on.`),
        'implementation-status': oscalStatus(status),
      });
    }
    return { uuid: derivedUuid('implemented-requirement', municipality.code, requirement.id), 'control-id': requirement.id, 'by-components': byComponents };
  });

  const regionText = `${location.region.code} (${location.region.country}, governing law ${location.region.jurisdiction}, data centres ${location.region.locations.join(', ')})`;
  const systemProps: OscalProp[] = [
    prop(SSP_PROP.cellId, cell.cellId),
    prop(PROP.dataClass, dataClass),
    prop(SSP_PROP.placementAllowed, covered ? 'true' : 'false'),
    ...reasons.map((r) => prop(SSP_PROP.reason, r)),
    ...(decision.allowed && decision.coveredUntil ? [prop(SSP_PROP.coveredUntil, decision.coveredUntil)] : []),
  ];

  return {
    'system-security-plan': {
      uuid: derivedUuid('system-security-plan', municipality.code, on),
      metadata: systemMetadata({
        title: oscalString(`System security plan: ${municipality.name} (${municipality.code}) on municloud, as of ${on}`),
        producedAt: input.producedAt,
        version: on,
        parties,
        location,
        oscalVersion: OSCAL_VERSION,
      }),
      'import-profile': { href: input.profileHref },
      'system-characteristics': {
        'system-ids': [systemId(municipality.code)],
        'system-name': oscalString(`municloud: ${municipality.name}`),
        'system-name-short': municipality.code,
        description: `The standardized operations of ${municipality.name} (${municipality.code}) on municloud, holding ${DATA_CLASS_INFO[dataClass].label.en} (${DATA_CLASS_INFO[dataClass].label.ja}). Its data lives in cell ${cell.cellId}, on ${oscalString(location.service.name)} of ${oscalString(location.provider.name)}, region ${oscalString(regionText)}.`,
        props: systemProps,
        'date-authorized': input.placedOn,
        'security-sensitivity-level': dataClass === 'my_number' ? 'high' : dataClass === 'personal' ? 'moderate' : 'low',
        'system-information': {
          'information-types': [
            {
              uuid: derivedUuid('information-type', dataClass),
              title: `${DATA_CLASS_INFO[dataClass].label.en} (${DATA_CLASS_INFO[dataClass].label.ja})`,
              description: `${DATA_CLASS_INFO[dataClass].meaning.en}\n\n${DATA_CLASS_INFO[dataClass].meaning.ja}`,
            },
          ],
        },
        status: covered
          ? { state: 'operational' }
          : { state: 'operational', remarks: `The placement is not covered on ${on}: ${notCovered}. See the plan of action and milestones.` },
        'authorization-boundary': {
          description: `The municipality's tenant in cell ${cell.cellId} (its database on ${oscalString(location.service.name)}, region ${oscalString(location.region.code)}), with the platform's control database, key management and audit log that serve it. The provider's service below the cell is outside the boundary and leveraged through its ISMAP registration and its certification for ${dataClass}.`,
        },
      },
      'system-implementation': {
        ...(leveraged.length > 0 ? { 'leveraged-authorizations': leveraged } : {}),
        components,
        'inventory-items': [
          {
            uuid: derivedUuid('inventory-item', 'cell', cell.cellId),
            description: `Cell ${cell.cellId}: the PostgreSQL database holding the tenant's rows, declared on ${todayInJapan(new Date(location.declaredAt))} to run on ${oscalString(location.service.name)}, region ${oscalString(location.region.code)}.`,
            props: [prop(SSP_PROP.cellId, cell.cellId), prop(SSP_PROP.regionId, location.region.id)],
            'implemented-components': [{ 'component-uuid': serviceUuid }],
          },
        ],
      },
      'control-implementation': {
        description: `How each requirement of the ${dataClass} profile is met for ${municipality.name}: by the cell's cloud service, as its provider claims in its component definition${input.componentDefinition ? ` (version ${input.componentDefinition.version})` : ' (none submitted)'}, under the service's registration and certification leveraged above.`,
        'implemented-requirements': implemented,
      },
    },
  };
}

function byListing(a: RegistrationFacts, b: RegistrationFacts): number {
  return a.listedOn.localeCompare(b.listedOn) || a.registrationNumber.localeCompare(b.registrationNumber);
}

function oscalStatus(status: { state: string; remarks?: string }): Json {
  return status.remarks ? { state: status.state, remarks: oscalString(status.remarks) } : { state: status.state };
}

/** An ISMAP registration of the service, as a leveraged authorization granted to the provider. */
function registrationAuthorization(r: RegistrationFacts, serviceName: string, providerId: string, on: string): Json {
  const until = inForceUntil(r);
  return {
    uuid: derivedUuid('leveraged-authorization', 'registration', r.id),
    title: oscalString(`ISMAP registration ${r.registrationNumber} of ${serviceName}`),
    props: [
      prop(SSP_PROP.registrationNumber, oscalString(r.registrationNumber)),
      prop(SSP_PROP.registrationStatus, registrationStatus(r, on)),
      prop(SSP_PROP.auditPeriod, `${r.auditPeriodStart}/${r.auditPeriodEnd}`),
      prop(SSP_PROP.validUntil, validUntil(r.auditPeriodEnd)),
      ...(until ? [prop(SSP_PROP.inForceUntil, until)] : []),
    ],
    'party-uuid': partyUuid.provider(providerId),
    'date-authorized': r.listedOn,
  };
}

/** The certification decision in force for the class, as an authorization the operator granted. */
function certificationAuthorization(c: CertificationFacts, serviceName: string, operatorCode: string): Json {
  return {
    uuid: derivedUuid('leveraged-authorization', 'certification', c.id),
    title: oscalString(`municloud certification of ${serviceName} for ${c.dataClass}: ${c.status.replace('_', ' ')}`),
    props: [
      prop(PROP.certificationId, c.id),
      prop(PROP.certificationStatus, c.status),
      prop(PROP.dataClass, c.dataClass),
      ...(c.expiresOn ? [prop(PROP.expiresOn, c.expiresOn)] : []),
    ],
    'party-uuid': partyUuid.municipality(operatorCode),
    'date-authorized': c.decidedOn,
  };
}
