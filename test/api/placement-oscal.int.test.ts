/**
 * The placement as OSCAL, through the API on real PostgreSQL with the policy
 * enforced: a municipality's system security plan (its cell's service, region,
 * registration and certification, each requirement as claimed) and its plan
 * of action and milestones once a lapse is in sight, both valid against NIST's
 * schemas; who may read them; and the clear refusals (not placed, undeclared
 * cell, nothing to plan). The certification is recorded directly: how it is
 * decided is the assessments' test (test/api/assessments.int.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toComponentDefinition } from '../../src/providers/assessment/index.js';
import { profileRequirementIds } from '../../src/providers/catalog/profiles.js';
import { addDays } from '../../src/providers/days.js';
import { validateOscal } from '../../src/providers/oscal/validate.js';
import { recordCertification } from '../../src/providers/registry/certifications.js';
import { CHIYODA, newSession, SAPPORO, type Session } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';
import { AUDIT, corporateNumber, TODAY, VALID_UNTIL } from '../support/providers.js';
import { expectProblem, succeeded } from '../support/problems.js';

let tp: TestPlatform;
let operator: Session;
const ids = {} as { provider: string; service: string; region: string; registration: string };
const PROFILE = profileRequirementIds('my_number');

beforeAll(async () => {
  tp = await createTestPlatform({ cells: ['cell-a', 'cell-b'], placementPolicy: 'enforce' });
  operator = await newSession(tp, '000001', ['platform_operator']);
  ids.provider = (await succeeded(await operator.call('POST', '/v1/providers', { name: '青空クラウド株式会社', corporateNumber: corporateNumber('010401000001'), headquartersCountry: 'JP' }))).id;
  ids.service = (await succeeded(await operator.call('POST', `/v1/providers/${ids.provider}/services`, { name: '青空 IaaS', model: 'IaaS' }))).id;
  ids.region = (await succeeded(await operator.call('POST', `/v1/providers/${ids.provider}/regions`, { code: 'jp-east-1', name: '東日本', country: 'JP', jurisdiction: 'JP', locations: ['13', '大阪府'] }))).id;
  ids.registration = (await succeeded(await operator.call('POST', `/v1/providers/services/${ids.service}/registrations`, { registrationNumber: 'C25-0301-1', ...AUDIT }))).id;
  const definition = toComponentDefinition({
    title: '青空 IaaS',
    version: '2026.1',
    lastModified: '2026-03-01T00:00:00Z',
    source: 'profiles/my_number.json',
    services: [{ serviceId: ids.service, title: '青空 IaaS', description: 'IaaS.', claims: PROFILE.map((requirementId) => ({ requirementId, description: `How 青空 IaaS meets ${requirementId}.` })) }],
  });
  await succeeded(await operator.call('POST', `/v1/providers/services/${ids.service}/component-definitions`, definition));
  await recordCertification(tp.platform.control, { serviceId: ids.service, dataClass: 'my_number', status: 'certified', expiresOn: VALID_UNTIL, decidedBy: null, basis: 'test' });
  await succeeded(await operator.call('PUT', '/v1/cells/cell-a/location', { serviceId: ids.service, regionId: ids.region }));
  await succeeded(await operator.call('PUT', `/v1/placements/${CHIYODA}`, { cellId: 'cell-a' }));
});
afterAll(async () => tp?.close());

type Ssp = { 'system-security-plan': any };

describe('the system security plan of a placement', () => {
  it('is valid OSCAL naming the cell, service, region, data centres, registration and certification, and every requirement as claimed', async () => {
    const res = await operator.call('GET', `/v1/placements/${CHIYODA}/system-security-plan`);
    expect(res.status, JSON.stringify(res.body).slice(0, 1000)).toBe(200);
    expect(validateOscal('system-security-plan', res.body)).toEqual([]);
    const plan = (res.body as Ssp)['system-security-plan'];
    expect(plan['system-characteristics']['system-ids'][0].id).toBe(CHIYODA);
    expect(plan['import-profile'].href).toBe('/v1/requirements/profiles/my_number');
    expect(plan.metadata.parties.map((p: { name: string }) => p.name)).toEqual(['千代田区', 'デジタル庁', '青空クラウド株式会社']);
    expect(plan.metadata.locations.map((l: { address: { state: string } }) => l.address.state)).toEqual(['東京都', '大阪府']);
    const leveraged = plan['system-implementation']['leveraged-authorizations'];
    expect(leveraged.map((l: { title: string }) => l.title)).toEqual(['ISMAP registration C25-0301-1 of 青空 IaaS', 'municloud certification of 青空 IaaS for my_number: certified']);
    expect(plan['system-implementation']['inventory-items'][0].description).toContain('Cell cell-a');
    const reqs = plan['control-implementation']['implemented-requirements'];
    expect(reqs).toHaveLength(PROFILE.length);
    expect(reqs[0]['by-components'][0]).toMatchObject({ description: `How 青空 IaaS meets ${PROFILE[0]}.`, 'implementation-status': { state: 'implemented' } });
    // The same records give the same document.
    expect((await operator.call('GET', `/v1/placements/${CHIYODA}/system-security-plan`)).body).toEqual(res.body);
  });

  it('on a day after the registration lapses, says the placement is not covered', async () => {
    const res = await operator.call('GET', `/v1/placements/${CHIYODA}/system-security-plan?on=${addDays(VALID_UNTIL, 1)}`);
    expect(validateOscal('system-security-plan', res.body)).toEqual([]);
    const props = (res.body as Ssp)['system-security-plan']['system-characteristics'].props as { name: string; value: string }[];
    expect(props.filter((p) => p.name === 'municloud-placement-allowed').map((p) => p.value)).toEqual(['false']);
    expect(props.filter((p) => p.name === 'municloud-placement-reason').map((p) => p.value)).toContain('registration_expired');
  });

  it("the municipality's admin and auditor read their own; nobody else", async () => {
    for (const roles of [['municipal_admin'], ['auditor']] as const) {
      const s = await newSession(tp, CHIYODA, [...roles]);
      const res = await s.call('GET', '/v1/municipality/system-security-plan');
      expect(res.status).toBe(200);
      expect((res.body as Ssp)['system-security-plan']['system-characteristics']['system-ids'][0].id).toBe(CHIYODA);
    }
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    expectProblem(await clerk.call('GET', '/v1/municipality/system-security-plan'), 403, 'forbidden');
    const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
    expectProblem(await admin.call('GET', `/v1/placements/${CHIYODA}/system-security-plan`), 403, 'forbidden');
  });

  it('refuses clearly: a municipality not placed, not a municipality, a cell whose location is undeclared, a bad day', async () => {
    expectProblem(await operator.call('GET', `/v1/placements/${SAPPORO}/system-security-plan`), 409, 'municipality_not_placed');
    expectProblem(await operator.call('GET', '/v1/placements/130001/system-security-plan'), 404, 'not_found');
    expectProblem(await operator.call('GET', '/v1/placements/12345/system-security-plan'), 400, 'invalid_organization_code');
    expectProblem(await operator.call('GET', `/v1/placements/${CHIYODA}/system-security-plan?on=2026-13-01`), 400, 'validation_failed');
    // A second platform whose municipality sits on an undeclared cell (the development policy lets it through).
    const dev = await createTestPlatform({ cells: ['cell-a'], placementPolicy: 'development' });
    try {
      const op = await newSession(dev, '000001', ['platform_operator']);
      await succeeded(await op.call('PUT', `/v1/placements/${CHIYODA}`, { cellId: 'cell-a' }));
      expectProblem(await op.call('GET', `/v1/placements/${CHIYODA}/system-security-plan`), 409, 'cell_location_undeclared');
      // Its plan of action says what to do: declare the cell.
      const poam = await op.call('GET', `/v1/placements/${CHIYODA}/plan-of-action-and-milestones`);
      expect(poam.status).toBe(200);
      expect(validateOscal('plan-of-action-and-milestones', poam.body)).toEqual([]);
      const steps = poam.body['plan-of-action-and-milestones'].risks[0].remediations.map((r: { props: { value: string }[] }) => r.props[0]!.value);
      expect(steps).toEqual(['declare_cell_location']);
    } finally {
      await dev.close();
    }
  });
});

describe('the plan of action and milestones of a placement', () => {
  it('has nothing to plan while the placement stays covered beyond the window', async () => {
    expectProblem(await operator.call('GET', `/v1/placements/${CHIYODA}/plan-of-action-and-milestones?withinDays=0`), 404, 'no_placement_alerts');
  });

  it('once the lapse is within the window: a risk due the last day covered, the plan’s steps as milestones', async () => {
    const on = addDays(VALID_UNTIL, -30);
    const res = await operator.call('GET', `/v1/placements/${CHIYODA}/plan-of-action-and-milestones?on=${on}`);
    expect(res.status, JSON.stringify(res.body).slice(0, 1000)).toBe(200);
    expect(validateOscal('plan-of-action-and-milestones', res.body)).toEqual([]);
    const poam = res.body['plan-of-action-and-milestones'];
    expect(poam['system-id'].id).toBe(CHIYODA);
    expect(poam.risks[0].deadline).toBe(`${addDays(VALID_UNTIL, 1)}T00:00:00+09:00`);
    expect(poam.risks[0].remediations.map((r: { props: { value: string }[] }) => r.props[0]!.value)).toEqual(['renew_registration', 'reassess_service', 'move_to_certified_cell']);
    // The municipality reads the same plan.
    const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
    expect((await admin.call('GET', `/v1/municipality/plan-of-action-and-milestones?on=${on}`)).body).toEqual(res.body);
  });

  it('after the lapse: move now', async () => {
    const res = await operator.call('GET', `/v1/placements/${CHIYODA}/plan-of-action-and-milestones?on=${addDays(VALID_UNTIL, 3)}`);
    expect(validateOscal('plan-of-action-and-milestones', res.body)).toEqual([]);
    const risk = res.body['plan-of-action-and-milestones'].risks[0];
    expect(risk.title).toContain(`since ${addDays(VALID_UNTIL, 1)}`);
    expect(risk.remediations.map((r: { props: { value: string }[] }) => r.props[0]!.value)).toEqual(['move_now']);
  });

  it('is today’s when no day is given', async () => {
    expect(TODAY < addDays(VALID_UNTIL, -90)).toBe(true);
    expectProblem(await operator.call('GET', `/v1/placements/${CHIYODA}/plan-of-action-and-milestones`), 404, 'no_placement_alerts');
  });
});
