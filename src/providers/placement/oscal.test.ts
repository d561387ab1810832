import { describe, expect, it } from 'vitest';
import { validateOscal } from '../oscal/validate.js';
import { placementAlerts } from './alerts.js';
import { placementPoam } from './oscal-poam.js';
import { placementSystemSecurityPlan, type PlacementPlanInput } from './oscal-ssp.js';
import type { SystemParties } from './oscal-system.js';
import { cell, certification, registration } from './test-fixtures.js';
import type { CellFacts } from './policy.js';

const parties: SystemParties = {
  municipality: { code: '131016', name: '千代田区' },
  operator: { code: '000001', name: 'デジタル庁' },
  provider: { id: 'p', name: '青空クラウド', corporateNumber: '7010001000000' },
};
const REQUIREMENTS = [
  { id: 'sec-01', title: 'Access control' },
  { id: 'dat-01', title: 'Data in Japan' },
  { id: 'ops-07', title: 'Backups' },
];

const input = (over: Partial<PlacementPlanInput> = {}): PlacementPlanInput => ({
  parties,
  dataClass: 'my_number',
  requirements: REQUIREMENTS,
  profileHref: '/v1/requirements/profiles/my_number',
  cell: cell(),
  placedOn: '2023-08-01',
  componentDefinition: {
    version: 2,
    claims: [
      { requirementId: 'sec-01', description: 'Every account has a second factor.' },
      { requirementId: 'dat-01', description: 'The partner keeps the data in Tokyo.', inherited: { fromServiceId: 'partner-s' } },
    ],
  },
  partners: new Map([['partner-s', { serviceName: '北斗 IaaS', providerName: '北斗データ' }]]),
  on: '2024-01-15',
  producedAt: '2024-01-10T12:00:00+09:00',
  ...over,
});

type Ssp = { 'system-security-plan': any };
const ssp = (over: Partial<PlacementPlanInput> = {}) => placementSystemSecurityPlan(input(over)) as Ssp;
const prop = (props: { name: string; value: string }[] | undefined, name: string) => props?.filter((p) => p.name === name).map((p) => p.value);

describe('the placement as a system security plan', () => {
  it('validates against NIST’s schema, and the same facts give the same document', () => {
    const doc = ssp();
    expect(validateOscal('system-security-plan', doc)).toEqual([]);
    expect(JSON.stringify(ssp())).toBe(JSON.stringify(doc));
  });

  it('identifies the system by the local government code and imports the class’s profile', () => {
    const plan = ssp()['system-security-plan'];
    expect(plan['system-characteristics']['system-ids']).toEqual([{ 'identifier-type': 'https://www.soumu.go.jp/denshijiti/code.html', id: '131016' }]);
    expect(plan['import-profile']).toEqual({ href: '/v1/requirements/profiles/my_number' });
    expect(plan['system-characteristics']['date-authorized']).toBe('2023-08-01');
    expect(plan.metadata.parties.map((p: { name: string }) => p.name)).toEqual(['千代田区', 'デジタル庁', '青空クラウド']);
    expect(plan.metadata.parties[2]['external-ids']).toEqual([{ scheme: 'https://www.houjin-bangou.nta.go.jp/', id: '7010001000000' }]);
    // The data centres, as the provider's locations (prefectures by name).
    expect(plan.metadata.locations.map((l: { address: { state: string } }) => l.address.state)).toEqual(['東京都', '埼玉県']);
  });

  it('leverages the registration and the certification in force, and the service component names them', () => {
    const plan = ssp()['system-security-plan'];
    const leveraged = plan['system-implementation']['leveraged-authorizations'];
    expect(leveraged.map((l: { title: string }) => l.title)).toEqual(['ISMAP registration C23-0001-1 of 青空 IaaS', 'municloud certification of 青空 IaaS for my_number: certified']);
    expect(prop(leveraged[0].props, 'municloud-registration-status')).toEqual(['valid']);
    expect(prop(leveraged[0].props, 'municloud-valid-until')).toEqual(['2024-07-31']);
    expect(prop(leveraged[1].props, 'municloud-expires-on')).toEqual(['2024-07-31']);
    const service = plan['system-implementation'].components.find((c: { type: string; title: string }) => c.title === '青空 IaaS');
    expect(prop(service.props, 'leveraged-authorization-uuid')).toEqual(leveraged.map((l: { uuid: string }) => l.uuid));
    expect(prop(plan['system-characteristics'].props, 'municloud-placement-allowed')).toEqual(['true']);
    expect(prop(plan['system-characteristics'].props, 'municloud-covered-until')).toEqual(['2024-07-31']);
  });

  it('states each requirement of the profile: claimed, inherited from the partner, or not claimed', () => {
    const plan = ssp()['system-security-plan'];
    const reqs = plan['control-implementation']['implemented-requirements'];
    expect(reqs.map((r: { 'control-id': string }) => r['control-id'])).toEqual(['sec-01', 'dat-01', 'ops-07']);
    expect(reqs[0]['by-components'][0]).toMatchObject({ description: 'Every account has a second factor.', 'implementation-status': { state: 'implemented' } });
    expect(reqs[1]['by-components']).toHaveLength(2);
    expect(reqs[1]['by-components'][1].description).toContain('北斗 IaaS (北斗データ)');
    expect(reqs[2]['by-components'][0]['implementation-status'].state).toBe('not-implemented');
  });

  it('says so when the placement is not covered on the day, with the reasons', () => {
    const plan = ssp({ on: '2024-08-01' })['system-security-plan'];
    expect(validateOscal('system-security-plan', { 'system-security-plan': plan })).toEqual([]);
    expect(prop(plan['system-characteristics'].props, 'municloud-placement-allowed')).toEqual(['false']);
    expect(prop(plan['system-characteristics'].props, 'municloud-placement-reason')).toEqual(['registration_expired', 'certification_expired']);
    expect(plan['system-characteristics'].status.remarks).toContain('expired');
    const reqs = plan['control-implementation']['implemented-requirements'];
    expect(reqs[0]['by-components'][0]['implementation-status'].state).toBe('planned');
    const leveraged = plan['system-implementation']['leveraged-authorizations'];
    expect(prop(leveraged[0].props, 'municloud-registration-status')).toEqual(['expired']);
  });

  it('needs a declared cell, and a service never certified leverages only its registration', () => {
    expect(() => ssp({ cell: cell({ location: null }) })).toThrow(/no declared location/);
    const plan = ssp({ cell: cell({ certifications: [] }), componentDefinition: null })['system-security-plan'];
    expect(validateOscal('system-security-plan', { 'system-security-plan': plan })).toEqual([]);
    expect(plan['system-implementation']['leveraged-authorizations']).toHaveLength(1);
  });
});

type Poam = { 'plan-of-action-and-milestones': any };
const alertsOf = (c: CellFacts, on: string) => placementAlerts({ placements: [{ municipalityCode: '131016', cellId: 'cell-a', dataClass: 'my_number' }], cells: new Map([['cell-a', c]]), on });
const poam = (c: CellFacts, on: string) =>
  placementPoam({ parties: c.location ? parties : { ...parties, provider: null }, alerts: alertsOf(c, on), location: c.location, on, withinDays: 90, producedAt: `${on}T00:00:00+09:00` }) as Poam;

describe('the placement alerts as a plan of action and milestones', () => {
  it('a lapsing registration: a risk with its deadline and the plan’s steps as milestones, valid OSCAL', () => {
    const doc = poam(cell(), '2024-05-03');
    expect(validateOscal('plan-of-action-and-milestones', doc)).toEqual([]);
    const p = doc['plan-of-action-and-milestones'];
    expect(p['system-id']).toEqual({ 'identifier-type': 'https://www.soumu.go.jp/denshijiti/code.html', id: '131016' });
    expect(p['poam-items']).toHaveLength(1);
    const risk = p.risks[0];
    expect(risk.status).toBe('open');
    // Covered through 2024-07-31: done by the end of that day in Japan.
    expect(risk.deadline).toBe('2024-08-01T00:00:00+09:00');
    expect(risk.remediations.map((r: { props: { value: string }[] }) => r.props[0]!.value)).toEqual(['renew_registration', 'reassess_service', 'move_to_certified_cell']);
    expect(risk.remediations[0].tasks[0]).toMatchObject({ type: 'milestone', timing: { 'on-date': { date: '2024-08-01T00:00:00+09:00' } } });
    expect(risk.remediations[0].description).toContain('2024-07-31 までに');
    expect(prop(risk.props, 'municloud-days-left')).toEqual(['90']);
    expect(p['poam-items'][0]['related-risks']).toEqual([{ 'risk-uuid': risk.uuid }]);
    expect(p.observations[0].uuid).toBe(p['poam-items'][0]['related-observations'][0]['observation-uuid']);
    expect(JSON.stringify(poam(cell(), '2024-05-03'))).toBe(JSON.stringify(doc));
  });

  it('a lapsed registration: move now, overdue since the lapse', () => {
    const withdrawn = cell({ registrations: [registration({ withdrawnOn: '2024-02-01' })] });
    const doc = poam(withdrawn, '2024-02-10');
    expect(validateOscal('plan-of-action-and-milestones', doc)).toEqual([]);
    const risk = doc['plan-of-action-and-milestones'].risks[0];
    expect(prop(risk.props, 'municloud-alert-status')).toEqual(['lapsed']);
    expect(prop(risk.props, 'municloud-placement-reason')).toEqual(['registration_withdrawn']);
    expect(risk.title).toContain('since 2024-02-01');
    expect(risk.remediations.map((r: { props: { value: string }[] }) => r.props[0]!.value)).toEqual(['move_now']);
  });

  it('an undeclared cell: a risk with no deadline and the step to declare it, no provider named', () => {
    const doc = poam(cell({ location: null, registrations: [], certifications: [] }), '2024-02-10');
    expect(validateOscal('plan-of-action-and-milestones', doc)).toEqual([]);
    const risk = doc['plan-of-action-and-milestones'].risks[0];
    expect(risk.deadline).toBeUndefined();
    expect(risk.remediations[0].tasks).toBeUndefined();
    expect(doc['plan-of-action-and-milestones'].metadata.parties).toHaveLength(2);
  });

  it('refuses to make a plan of nothing, or of another municipality’s alerts', () => {
    expect(() => poam(cell(), '2024-01-15')).toThrow(/at least one alert/);
    const other = placementAlerts({ placements: [{ municipalityCode: '011002', cellId: 'cell-a', dataClass: 'my_number' }], cells: new Map([['cell-a', cell()]]), on: '2024-05-03' });
    expect(() => placementPoam({ parties, alerts: other, location: null, on: '2024-05-03', withinDays: 90, producedAt: '2024-05-03T00:00:00+09:00' })).toThrow(/another municipality/);
  });

  it('a certification lapsing before the registration: the plan asks for a new assessment', () => {
    const early = cell({ certifications: [certification({ expiresOn: '2024-03-31' })] });
    const risk = poam(early, '2024-03-01')['plan-of-action-and-milestones'].risks[0];
    expect(risk.deadline).toBe('2024-04-01T00:00:00+09:00');
    expect(risk.remediations.map((r: { props: { value: string }[] }) => r.props[0]!.value)).toEqual(['reassess_service', 'move_to_certified_cell']);
  });
});
