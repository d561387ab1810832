import { describe, expect, it } from 'vitest';
import { OscalInvalid, validateOscal } from '../oscal/validate.js';
import { ComponentDefinitionRefused, readComponentDefinition, toComponentDefinition, type ComponentDefinitionInput } from './component-definition.js';
import { MUNICLOUD_NS } from './oscal-common.js';
import { KNOWN_IDS, LEAD, LEAD_CLAIMS, ON, PARTNER, PARTNER_CLAIMS } from './test-fixtures.js';

const INPUT: ComponentDefinitionInput = {
  title: 'Joint proposal: SaaS on IaaS',
  version: '2026.1',
  lastModified: '2026-03-01T00:00:00.000Z',
  source: 'profiles/my_number.json',
  services: [
    { serviceId: LEAD, title: 'Lead SaaS', description: 'The municipal SaaS.', claims: LEAD_CLAIMS },
    { serviceId: PARTNER, title: 'Partner IaaS', description: 'The IaaS it runs on.', claims: PARTNER_CLAIMS },
  ],
};

type Doc = { 'component-definition': any };
const clone = (d: unknown): Doc => structuredClone(d) as Doc;

function refusal(fn: () => unknown): ComponentDefinitionRefused {
  try {
    fn();
  } catch (e) {
    if (e instanceof ComponentDefinitionRefused) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('toComponentDefinition / readComponentDefinition', () => {
  it('writes a valid OSCAL 1.2.1 component definition that reads back to the same claims', () => {
    const doc = toComponentDefinition(INPUT);
    expect(validateOscal('component-definition', doc)).toEqual([]);
    const read = readComponentDefinition(doc, { knownRequirementIds: KNOWN_IDS });
    expect(read.title).toBe(INPUT.title);
    expect(read.version).toBe('2026.1');
    expect(read.services.map((s) => [s.serviceId, s.title])).toEqual([
      [LEAD, 'Lead SaaS'],
      [PARTNER, 'Partner IaaS'],
    ]);
    expect(read.services[0]!.claims).toEqual(LEAD_CLAIMS);
    expect(read.services[1]!.claims).toEqual(PARTNER_CLAIMS);
  });

  it('marks the service and inheritance with municloud props', () => {
    const component = toComponentDefinition(INPUT)['component-definition'].components as any[];
    expect(component[0].props).toEqual([{ name: 'municloud-service-id', ns: MUNICLOUD_NS, value: LEAD }]);
    const requirements = component[0]['control-implementations'][0]['implemented-requirements'];
    expect(requirements[0]).toMatchObject({ 'control-id': 'sec-01', props: [{ name: 'inherited-from', ns: MUNICLOUD_NS, value: PARTNER }] });
    expect(requirements[1].props).toBeUndefined();
  });

  it('is deterministic, and the document uuid follows the content', () => {
    const a = toComponentDefinition(INPUT);
    expect(toComponentDefinition(INPUT)).toEqual(a);
    const changed = toComponentDefinition({ ...INPUT, services: [{ ...INPUT.services[0]!, claims: LEAD_CLAIMS.slice(1) }, INPUT.services[1]!] });
    expect(changed['component-definition'].uuid).not.toBe(a['component-definition'].uuid);
    // The component keeps its uuid: it is the same service.
    expect((changed['component-definition'].components as any[])[0].uuid).toBe((a['component-definition'].components as any[])[0].uuid);
  });

  it('reads a hand-written prop without ns, and ignores a prop of another namespace', () => {
    const doc = clone(toComponentDefinition(INPUT));
    delete doc['component-definition'].components[0].props[0].ns;
    expect(readComponentDefinition(doc, { knownRequirementIds: KNOWN_IDS }).services[0]!.serviceId).toBe(LEAD);
    doc['component-definition'].components[0].props[0].ns = 'https://example.com/ns';
    expect(refusal(() => readComponentDefinition(doc, { knownRequirementIds: KNOWN_IDS })).problems).toEqual([
      expect.objectContaining({ path: '/component-definition/components/0', rule: 'service_id_missing' }),
    ]);
  });
});

describe('readComponentDefinition refuses', () => {
  it('a document that is not valid OSCAL, with the schema problems', () => {
    const doc = clone(toComponentDefinition(INPUT));
    delete doc['component-definition'].metadata;
    expect(() => readComponentDefinition(doc, { knownRequirementIds: KNOWN_IDS })).toThrow(OscalInvalid);
  });

  it('unknown requirement ids, each with its JSON pointer, all in one answer', () => {
    const doc = clone(toComponentDefinition(INPUT));
    doc['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'][2]['control-id'] = 'leg-99';
    doc['component-definition'].components[1]['control-implementations'][0]['implemented-requirements'][4]['control-id'] = 'ops-42';
    const e = refusal(() => readComponentDefinition(doc, { knownRequirementIds: KNOWN_IDS }));
    expect(e.problems.map((p) => [p.path, p.rule])).toEqual([
      ['/component-definition/components/0/control-implementations/0/implemented-requirements/2/control-id', 'unknown_requirement'],
      ['/component-definition/components/1/control-implementations/0/implemented-requirements/4/control-id', 'unknown_requirement'],
    ]);
    // The path says where; the message does not repeat a value that matched nothing.
    expect(e.problems[0]!.message).toEqual({ ja: '要件カタログにない要件です。', en: 'The requirement is not in the requirements catalog.' });
  });

  it('a requirement claimed twice by one service, and one service described twice', () => {
    const doc = clone(toComponentDefinition(INPUT));
    const d = doc['component-definition'];
    d.components[0]['control-implementations'].push({
      ...d.components[0]['control-implementations'][0],
      uuid: '1f0b7a3e-4c1d-4e8a-9b2c-3d4e5f6a7b8c',
      'implemented-requirements': [{ ...d.components[0]['control-implementations'][0]['implemented-requirements'][1], uuid: '2f0b7a3e-4c1d-4e8a-9b2c-3d4e5f6a7b8c' }],
    });
    d.components[1].props[0].value = LEAD;
    const e = refusal(() => readComponentDefinition(doc, { knownRequirementIds: KNOWN_IDS }));
    expect(e.problems.map((p) => [p.path, p.rule])).toEqual([
      ['/component-definition/components/0/control-implementations/1/implemented-requirements/0/control-id', 'requirement_claimed_twice'],
      ['/component-definition/components/1', 'service_described_twice'],
    ]);
  });

  it('a service the submitter may not describe', () => {
    const e = refusal(() => readComponentDefinition(toComponentDefinition(INPUT), { knownRequirementIds: KNOWN_IDS, permittedServiceIds: [LEAD] }));
    expect(e.problems.map((p) => [p.path, p.rule])).toEqual([['/component-definition/components/1/props', 'service_not_permitted']]);
  });

  it('a definition without components', () => {
    const doc = clone(toComponentDefinition({ ...INPUT, services: [] }));
    expect(validateOscal('component-definition', doc)).toEqual([]);
    expect(refusal(() => readComponentDefinition(doc, { knownRequirementIds: KNOWN_IDS })).problems.map((p) => p.rule)).toEqual(['no_services']);
  });

  it('inheritance from the service itself, or from two partners at once', () => {
    const doc = clone(toComponentDefinition(INPUT));
    const reqs = doc['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'];
    reqs[0].props[0].value = LEAD;
    reqs[3].props.push({ name: 'inherited-from', ns: MUNICLOUD_NS, value: 'other-iaas' });
    const e = refusal(() => readComponentDefinition(doc, { knownRequirementIds: KNOWN_IDS }));
    expect(e.problems.map((p) => [p.path, p.rule])).toEqual([
      ['/component-definition/components/0/control-implementations/0/implemented-requirements/0/props/0/value', 'inherited_from_self'],
      ['/component-definition/components/0/control-implementations/0/implemented-requirements/3/props/1', 'inherited_from_ambiguous'],
    ]);
  });

  describe('partners, given the registry', () => {
    const read = (registrations: Map<string, { validUntil: string | null } | null>, on = ON) =>
      readComponentDefinition(toComponentDefinition({ ...INPUT, services: [INPUT.services[0]!] }), { knownRequirementIds: KNOWN_IDS, partners: { on, registrations } });
    const at = (r: number) => `/component-definition/components/0/control-implementations/0/implemented-requirements/${r}/props/0/value`;

    it('accepts a partner registered on the day, up to and including its last day, and one with a renewal pending', () => {
      expect(read(new Map([[PARTNER, { validUntil: ON }]])).services[0]!.claims).toEqual(LEAD_CLAIMS);
      expect(read(new Map([[PARTNER, { validUntil: null }]])).services[0]!.claims).toEqual(LEAD_CLAIMS);
    });

    it('refuses a partner the registry does not know', () => {
      const e = refusal(() => read(new Map()));
      expect(e.problems.map((p) => [p.path, p.rule])).toEqual([
        [at(0), 'partner_unknown'],
        [at(3), 'partner_unknown'],
      ]);
    });

    it('refuses a partner without a registration', () => {
      expect(refusal(() => read(new Map([[PARTNER, null]]))).problems.map((p) => p.rule)).toEqual(['partner_not_registered', 'partner_not_registered']);
    });

    it('refuses a partner whose registration has expired, naming the day', () => {
      const e = refusal(() => read(new Map([[PARTNER, { validUntil: '2026-03-31' }]])));
      expect(e.problems.map((p) => p.rule)).toEqual(['partner_registration_expired', 'partner_registration_expired']);
      expect(e.problems[0]!.message.en).toBe(`The registration of the partner service ${PARTNER} expired after 2026-03-31.`);
    });
  });
});
