import { describe, expect, it } from 'vitest';
import { MUNICLOUD_NS, oscalString, TOKEN_PATTERN } from '../assessment/oscal-common.js';
import { validateOscal } from '../oscal/validate.js';
import { corporateNumberCheckDigit } from './corporate-number.js';
import type { CertificationFacts, JointProposal, Provider, Region, Registration, Service } from './model.js';
import { CORPORATE_NUMBER_SCHEME, REGISTRY_PROP, registryComponentDefinition, type RegistryOscalInput } from './oscal-registry.js';
import { inForceUntil, registrationStatus, validUntil, type RegistrationFacts } from './registration.js';

const ON = '2026-03-01';
const AT = '2026-02-20T01:02:03.000Z';
const corporateNumber = (base: string) => `${corporateNumberCheckDigit(base)}${base}`;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const AOZORA: Provider = { id: uuid(1), name: '青空クラウド株式会社', corporateNumber: corporateNumber('010401000001'), headquartersCountry: 'JP', createdAt: AT };
const HOKUTO: Provider = { id: uuid(2), name: '北斗データ株式会社', corporateNumber: corporateNumber('020001000002'), headquartersCountry: 'JP', createdAt: AT };
const IAAS: Service = { id: uuid(11), providerId: AOZORA.id, name: '青空 IaaS', model: 'IaaS', createdAt: AT };
const LEGACY: Service = { id: uuid(12), providerId: AOZORA.id, name: '青空 Legacy', model: 'IaaS', createdAt: AT };
const SAAS: Service = { id: uuid(13), providerId: HOKUTO.id, name: '北斗 自治体SaaS', model: 'SaaS', createdAt: AT };
const REGIONS: Region[] = [
  { id: uuid(21), providerId: AOZORA.id, code: 'jp-east-1', name: '東日本リージョン', country: 'JP', jurisdiction: 'JP', locations: ['13', '11'], createdAt: AT },
  { id: uuid(22), providerId: AOZORA.id, code: 'sg-1', name: 'Singapore', country: 'SG', jurisdiction: 'SG', locations: ['Singapore'], createdAt: AT },
  { id: uuid(23), providerId: HOKUTO.id, code: 'jp-west-1', name: '西日本', country: 'JP', jurisdiction: 'JP', locations: ['27'], createdAt: AT },
];

function view(facts: Partial<RegistrationFacts> & Pick<RegistrationFacts, 'id' | 'serviceId' | 'registrationNumber' | 'auditPeriodStart' | 'auditPeriodEnd' | 'listedOn'>, on = ON): Registration {
  const f: RegistrationFacts = { renewalPendingSince: null, renewalEndedOn: null, withdrawnOn: null, ...facts };
  return { ...f, withdrawalReason: f.withdrawnOn ? '監査で重大な不備' : null, validUntil: validUntil(f.auditPeriodEnd), inForceUntil: inForceUntil(f), on, status: registrationStatus(f, on), createdAt: AT };
}

const REGISTRATION_FACTS = [
  // valid through 2026-07-31
  { id: uuid(31), serviceId: IAAS.id, registrationNumber: 'C25-0101-1', auditPeriodStart: '2024-04-01', auditPeriodEnd: '2025-03-31', listedOn: '2025-06-01' },
  // valid through 2026-01-31, a renewal applied for on 2026-01-10: pending on ON
  { id: uuid(32), serviceId: SAAS.id, registrationNumber: 'C24-0102-1', auditPeriodStart: '2023-10-01', auditPeriodEnd: '2024-09-30', listedOn: '2024-12-01', renewalPendingSince: '2026-01-10' },
  // valid through 2023-07-31: expired
  { id: uuid(33), serviceId: LEGACY.id, registrationNumber: 'C22-0103-1', auditPeriodStart: '2021-04-01', auditPeriodEnd: '2022-03-31', listedOn: '2022-06-01' },
  // withdrawn on 2024-01-15
  { id: uuid(34), serviceId: LEGACY.id, registrationNumber: 'C23-0104-1', auditPeriodStart: '2022-04-01', auditPeriodEnd: '2023-03-31', listedOn: '2023-06-01', withdrawnOn: '2024-01-15' },
];

const PROPOSAL: JointProposal = {
  id: uuid(41),
  name: '北斗・青空 共同提案',
  leadProviderId: HOKUTO.id,
  proposedOn: '2025-12-01',
  services: [
    { serviceId: IAAS.id, providerId: AOZORA.id, registrationId: uuid(31) },
    { serviceId: SAAS.id, providerId: HOKUTO.id, registrationId: uuid(32) },
  ],
  assignments: [
    { requirementId: 'sec-01', serviceId: IAAS.id },
    { requirementId: 'leg-01', serviceId: SAAS.id },
  ],
  createdAt: AT,
};

const CERTIFICATIONS: CertificationFacts[] = [
  { id: uuid(51), seq: 1, serviceId: IAAS.id, dataClass: 'my_number', status: 'certified', decidedOn: '2025-07-01', expiresOn: '2026-07-31' },
  { id: uuid(52), seq: 2, serviceId: SAAS.id, dataClass: 'my_number', status: 'certified', decidedOn: '2025-01-10', expiresOn: '2026-01-31' },
  { id: uuid(53), seq: 3, serviceId: IAAS.id, dataClass: 'general', status: 'not_certified', decidedOn: '2025-08-01', expiresOn: null },
  // Decided after ON: not in force on ON.
  { id: uuid(54), seq: 4, serviceId: IAAS.id, dataClass: 'personal', status: 'certified', decidedOn: '2026-04-01', expiresOn: '2027-03-31' },
];

const input = (on = ON): RegistryOscalInput => ({
  on,
  producedAt: AT,
  providers: [AOZORA, HOKUTO],
  services: [IAAS, LEGACY, SAAS],
  regions: REGIONS,
  registrations: REGISTRATION_FACTS.map((f) => view(f, on)),
  jointProposals: [PROPOSAL],
  certifications: CERTIFICATIONS,
});

type Prop = { name: string; ns?: string; value: string; group?: string };
const doc = (i: RegistryOscalInput = input()) => registryComponentDefinition(i)['component-definition'] as any;
const componentOf = (d: any, serviceId: string) => (d.components as any[]).find((c) => (c.props as Prop[]).some((p) => p.name === REGISTRY_PROP.serviceId && p.value === serviceId));
/** A component's props of one group, as name → value. */
const group = (component: any, g: string) => Object.fromEntries((component.props as Prop[]).filter((p) => p.group === g).map((p) => [p.name, p.value]));
const valueOf = (holder: any, name: string) => (holder.props as Prop[]).find((p) => p.name === name)?.value;

describe('registryComponentDefinition', () => {
  it('is a valid OSCAL 1.2.1 component definition', () => {
    const d = registryComponentDefinition(input());
    expect(validateOscal('component-definition', d)).toEqual([]);
    expect(d['component-definition'].metadata).toMatchObject({ title: `municloud provider registry as of ${ON}`, 'last-modified': AT, version: AT, 'oscal-version': '1.2.1' });
  });

  it('is deterministic: the same records in any order give the same document, byte for byte', () => {
    const a = JSON.stringify(registryComponentDefinition(input()));
    expect(JSON.stringify(registryComponentDefinition(input()))).toBe(a);
    const i = input();
    const shuffled: RegistryOscalInput = {
      ...i,
      providers: [...i.providers].reverse(),
      services: [...i.services].reverse(),
      regions: [...i.regions].reverse(),
      registrations: [...i.registrations].reverse(),
      certifications: [...i.certifications].reverse(),
      jointProposals: [{ ...PROPOSAL, services: [...PROPOSAL.services].reverse(), assignments: [...PROPOSAL.assignments].reverse() }],
    };
    expect(JSON.stringify(registryComponentDefinition(shuffled))).toBe(a);
  });

  it('has one organization per provider, with its 法人番号 and the locations of its data centres', () => {
    const d = doc();
    const parties = d.metadata.parties as any[];
    expect(parties.map((p) => [p.type, p.name, p['external-ids']])).toEqual([
      ['organization', HOKUTO.name, [{ scheme: CORPORATE_NUMBER_SCHEME, id: HOKUTO.corporateNumber }]],
      ['organization', AOZORA.name, [{ scheme: CORPORATE_NUMBER_SCHEME, id: AOZORA.corporateNumber }]],
    ]);
    const locations = new Map((d.metadata.locations as any[]).map((l) => [l.uuid, l]));
    const aozora = parties[1];
    expect(aozora['location-uuids'].map((u: string) => locations.get(u).address)).toEqual([
      { state: '東京都', country: 'JP' },
      { state: '埼玉県', country: 'JP' },
      { 'addr-lines': ['Singapore'], country: 'SG' },
    ]);
    expect(valueOf(locations.get(aozora['location-uuids'][0]), REGISTRY_PROP.prefectureCode)).toBe('13');
    expect(d.metadata.roles).toEqual([{ id: 'provider', title: 'Cloud service provider' }]);
  });

  it("gives each service its provider, model, registrations with their status on the day, regions and certifications", () => {
    const d = doc();
    const parties = d.metadata.parties as any[];
    const legacy = componentOf(d, LEGACY.id);
    expect(legacy).toMatchObject({ type: 'service', title: LEGACY.name, purpose: 'IaaS cloud service' });
    expect(legacy['responsible-roles']).toEqual([{ 'role-id': 'provider', 'party-uuids': [parties.find((p) => p.name === AOZORA.name).uuid] }]);
    expect(valueOf(legacy, REGISTRY_PROP.providerId)).toBe(AOZORA.id);
    expect(valueOf(legacy, REGISTRY_PROP.registrationStanding)).toBe('withdrawn');
    expect(group(legacy, 'registration-C22-0103-1')).toMatchObject({ [REGISTRY_PROP.registrationStatus]: 'expired', [REGISTRY_PROP.validUntil]: '2023-07-31', [REGISTRY_PROP.inForceUntil]: '2023-07-31' });
    expect(group(legacy, 'registration-C23-0104-1')).toMatchObject({ [REGISTRY_PROP.registrationStatus]: 'withdrawn', [REGISTRY_PROP.withdrawnOn]: '2024-01-15', [REGISTRY_PROP.inForceUntil]: '2024-01-14' });
    expect(group(legacy, 'region-jp-east-1')).toEqual({
      [REGISTRY_PROP.regionId]: REGIONS[0]!.id,
      [REGISTRY_PROP.regionCode]: 'jp-east-1',
      [REGISTRY_PROP.regionCountry]: 'JP',
      [REGISTRY_PROP.regionJurisdiction]: 'JP',
    });

    const saas = componentOf(d, SAAS.id);
    const pending = group(saas, 'registration-C24-0102-1');
    expect(pending).toMatchObject({
      [REGISTRY_PROP.registrationNumber]: 'C24-0102-1',
      [REGISTRY_PROP.registrationStatus]: 'renewal_pending',
      [REGISTRY_PROP.renewalPendingSince]: '2026-01-10',
      [REGISTRY_PROP.auditPeriodStart]: '2023-10-01',
      [REGISTRY_PROP.auditPeriodEnd]: '2024-09-30',
      [REGISTRY_PROP.listedOn]: '2024-12-01',
      [REGISTRY_PROP.validUntil]: '2026-01-31',
    });
    expect(pending[REGISTRY_PROP.inForceUntil]).toBeUndefined();
    expect(group(saas, 'certification-my_number')).toEqual({
      [REGISTRY_PROP.dataClass]: 'my_number',
      [REGISTRY_PROP.certificationStatus]: 'expired',
      [REGISTRY_PROP.certificationDecidedOn]: '2025-01-10',
      [REGISTRY_PROP.certificationExpiresOn]: '2026-01-31',
    });
    expect(group(saas, 'region-jp-west-1')[REGISTRY_PROP.regionCode]).toBe('jp-west-1');
    expect(group(saas, 'region-jp-east-1')).toEqual({});

    const iaas = componentOf(d, IAAS.id);
    expect(valueOf(iaas, REGISTRY_PROP.registrationStanding)).toBe('registered');
    expect(group(iaas, 'certification-my_number')[REGISTRY_PROP.certificationStatus]).toBe('certified');
    expect(group(iaas, 'certification-general')[REGISTRY_PROP.certificationStatus]).toBe('not_certified');
    expect(group(iaas, 'certification-personal')).toEqual({}); // decided after the day
  });

  it('makes the joint proposal a capability: the lead and its partner, and whose service meets which requirement', () => {
    const d = doc();
    const [capability] = d.capabilities as any[];
    expect(capability.name).toBe(PROPOSAL.name);
    expect(capability.description).toBe(`Joint proposal led by ${HOKUTO.name} with ${AOZORA.name}, proposed on 2025-12-01.`);
    expect(valueOf(capability, REGISTRY_PROP.leadProviderId)).toBe(HOKUTO.id);
    expect(capability['incorporates-components']).toEqual([
      { 'component-uuid': componentOf(d, SAAS.id).uuid, description: `lead: ${SAAS.name} of ${HOKUTO.name}, admitted by registration C24-0102-1 (renewal_pending on ${ON})` },
      { 'component-uuid': componentOf(d, IAAS.id).uuid, description: `partner: ${IAAS.name} of ${AOZORA.name}, admitted by registration C25-0101-1 (valid on ${ON})` },
    ]);
    const requirements = capability['control-implementations'][0]['implemented-requirements'] as any[];
    expect(requirements.map((r) => [r['control-id'], r.description, valueOf(r, REGISTRY_PROP.serviceId)])).toEqual([
      ['leg-01', `Met by ${SAAS.name} (${HOKUTO.name}).`, SAAS.id],
      ['sec-01', `Met by ${IAAS.name} (${AOZORA.name}).`, IAAS.id],
    ]);
  });

  it('writes props as municloud tokens with one-line values', () => {
    const d = doc();
    const all: Prop[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        if (Array.isArray((node as { props?: unknown }).props)) all.push(...((node as { props: Prop[] }).props));
        Object.values(node).forEach(walk);
      }
    };
    walk(d);
    expect(all.length).toBeGreaterThan(50);
    for (const p of all) {
      expect(p.ns).toBe(MUNICLOUD_NS);
      expect(p.name).toMatch(TOKEN_PATTERN);
      expect(p.value).toBe(oscalString(p.value));
      expect(p.value.length).toBeGreaterThan(0);
      if (p.group !== undefined) expect(p.group).toMatch(TOKEN_PATTERN);
    }
  });

  it('another day gives other statuses; every object keeps its uuid, the document takes a new one', () => {
    const before = doc();
    const later = doc(input('2026-08-01'));
    expect(validateOscal('component-definition', { 'component-definition': later })).toEqual([]);
    expect(group(componentOf(before, IAAS.id), 'registration-C25-0101-1')[REGISTRY_PROP.registrationStatus]).toBe('valid');
    expect(group(componentOf(later, IAAS.id), 'registration-C25-0101-1')[REGISTRY_PROP.registrationStatus]).toBe('expired');
    expect(group(componentOf(later, IAAS.id), 'certification-personal')[REGISTRY_PROP.certificationStatus]).toBe('certified');
    expect(later.uuid).not.toBe(before.uuid);
    expect((later.components as any[]).map((c) => c.uuid)).toEqual((before.components as any[]).map((c) => c.uuid));
    expect(later.metadata.parties.map((p: any) => p.uuid)).toEqual(before.metadata.parties.map((p: any) => p.uuid));
  });

  it('writes an empty registry as a valid document with metadata only', () => {
    const d = registryComponentDefinition({ on: ON, producedAt: `${ON}T00:00:00+09:00`, providers: [], services: [], regions: [], registrations: [], jointProposals: [], certifications: [] });
    expect(validateOscal('component-definition', d)).toEqual([]);
    expect(Object.keys(d['component-definition'])).toEqual(['uuid', 'metadata']);
    expect(d['component-definition'].metadata).toEqual({
      title: `municloud provider registry as of ${ON}`,
      'last-modified': `${ON}T00:00:00+09:00`,
      version: `${ON}T00:00:00+09:00`,
      'oscal-version': '1.2.1',
      props: [{ name: REGISTRY_PROP.asOf, ns: MUNICLOUD_NS, value: ON }],
    });
  });

  it('omits capabilities when there is no joint proposal', () => {
    const d = registryComponentDefinition({ ...input(), jointProposals: [] });
    expect(validateOscal('component-definition', d)).toEqual([]);
    expect(d['component-definition'].capabilities).toBeUndefined();
  });

  it('refuses inputs that do not hang together', () => {
    expect(() => registryComponentDefinition({ ...input(), on: '2026-3-1' })).toThrow(TypeError);
    expect(() => registryComponentDefinition({ ...input(), producedAt: '2026-03-01' })).toThrow(TypeError);
    expect(() => registryComponentDefinition({ ...input(), providers: [AOZORA] })).toThrow(/unknown provider/);
    expect(() => registryComponentDefinition({ ...input(), registrations: REGISTRATION_FACTS.map((f) => view(f, '2026-02-01')) })).toThrow(/status for 2026-02-01/);
    expect(() => registryComponentDefinition({ ...input(), jointProposals: [{ ...PROPOSAL, assignments: [{ requirementId: '1bad', serviceId: IAAS.id }] }] })).toThrow(/not an OSCAL token/);
  });
});
