/**
 * What the placement's OSCAL documents (the system security plan and the plan
 * of action and milestones) say alike about the system they describe: a
 * municipality's tenant on municloud, identified by its 全国地方公共団体コード
 * (local government code), and the parties concerned. Pure.
 */
import { derivedUuid, oscalString } from '../assessment/oscal-common.js';
import { CORPORATE_NUMBER_SCHEME } from '../registry/corporate-number.js';
import { prefectureName } from '../registry/places.js';
import type { CellLocation } from '../registry/model.js';

type Json = Record<string, unknown>;

/**
 * The identifier scheme of the system id: the local government codes the
 * Ministry of Internal Affairs and Communications publishes (総務省
 * 全国地方公共団体コード). A municipality's tenant is identified by its code in
 * both documents, so a POA&M names the plan it belongs to.
 */
export const LOCAL_GOVERNMENT_CODE_SCHEME = 'https://www.soumu.go.jp/denshijiti/code.html';


export function systemId(municipalityCode: string): { 'identifier-type': string; id: string } {
  return { 'identifier-type': LOCAL_GOVERNMENT_CODE_SCHEME, id: municipalityCode };
}

/** municloud's props both documents put on the placement (namespace urn:municloud:oscal). */
export const PLACEMENT_PROP = {
  cellId: 'municloud-cell-id',
  reason: 'municloud-placement-reason',
  coveredUntil: 'municloud-covered-until',
} as const;

/** Role ids of the parties in both documents. */
export const ROLE = { owner: 'system-owner', operator: 'platform-operator', provider: 'cloud-service-provider' } as const;

export const ROLES: Json[] = [
  { id: ROLE.owner, title: 'System owner: the municipality whose data the system holds' },
  { id: ROLE.operator, title: 'Platform operator: runs municloud and decides placements and certifications' },
  { id: ROLE.provider, title: 'Cloud service provider: runs the service and region the cell is on' },
];

export interface SystemParties {
  readonly municipality: { readonly code: string; readonly name: string };
  /** The operator's organization (the Digital Agency on a national deployment). */
  readonly operator: { readonly code: string; readonly name: string };
  /** The provider of the cell's service; null when the cell's location is undeclared. */
  readonly provider: { readonly id: string; readonly name: string; readonly corporateNumber: string } | null;
}

export const partyUuid = {
  municipality: (code: string) => derivedUuid('party', 'organization', code),
  provider: (providerId: string) => derivedUuid('party', 'provider', providerId),
};

/** A data centre of the cell's region, as an OSCAL location. */
export function dataCentreLocations(location: CellLocation | null): { uuid: string; json: Json }[] {
  if (!location) return [];
  const region = location.region;
  return region.locations.map((place) => {
    const prefecture = region.country === 'JP' ? prefectureName(place) : undefined;
    return {
      uuid: derivedUuid('location', region.id, place),
      json: {
        uuid: derivedUuid('location', region.id, place),
        title: oscalString(`${location.provider.name} ${region.code}: ${prefecture ?? place}`),
        address: { country: region.country, ...(prefecture ? { state: prefecture } : { city: oscalString(place) }) },
      },
    };
  });
}

/** metadata: roles, parties (with the data centres as the provider's locations) and who is responsible. */
export function systemMetadata(input: { title: string; producedAt: string; version: string; parties: SystemParties; location: CellLocation | null; oscalVersion: string }): Json {
  const { municipality, operator, provider } = input.parties;
  const locations = dataCentreLocations(input.location);
  const parties: Json[] = [
    { uuid: partyUuid.municipality(municipality.code), type: 'organization', name: oscalString(municipality.name), 'short-name': municipality.code },
    { uuid: partyUuid.municipality(operator.code), type: 'organization', name: oscalString(operator.name), 'short-name': operator.code },
  ];
  if (provider) {
    parties.push({
      uuid: partyUuid.provider(provider.id),
      type: 'organization',
      name: oscalString(provider.name),
      'external-ids': [{ scheme: CORPORATE_NUMBER_SCHEME, id: provider.corporateNumber }],
      ...(locations.length > 0 ? { 'location-uuids': locations.map((l) => l.uuid) } : {}),
    });
  }
  return {
    title: input.title,
    'last-modified': input.producedAt,
    version: oscalString(input.version),
    'oscal-version': input.oscalVersion,
    roles: ROLES,
    ...(locations.length > 0 ? { locations: locations.map((l) => l.json) } : {}),
    parties,
    'responsible-parties': [
      { 'role-id': ROLE.owner, 'party-uuids': [partyUuid.municipality(municipality.code)] },
      { 'role-id': ROLE.operator, 'party-uuids': [partyUuid.municipality(operator.code)] },
      ...(provider ? [{ 'role-id': ROLE.provider, 'party-uuids': [partyUuid.provider(provider.id)] }] : []),
    ],
  };
}
