/**
 * Assessments through the API, end to end on real PostgreSQL with the
 * placement policy enforced (issue 6's "done when"): two providers registered,
 * one of them leading a joint proposal whose partner is certified; component
 * definitions submitted (one inheriting a requirement from the partner);
 * findings recorded; one service certified and one not (with its gaps); a
 * municipality placed on the certified one and refused on the other; the
 * placement alert when the registration lapses (date injected); every step
 * exported as OSCAL that validates. Bad input is refused with every problem's
 * path and nothing written; every write is audited. Separation of duties:
 * findings are recorded by an assessor account (the finding names it), the
 * operator submits and decides, and nobody decides on findings they recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileRequirementIds } from '../../src/providers/catalog/profiles.js';
import { toComponentDefinition, type Claim } from '../../src/providers/assessment/index.js';
import { validateOscal } from '../../src/providers/oscal/validate.js';
import { addDays } from '../../src/providers/days.js';
import { CHIYODA, logIn, newSession, SAPPORO, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { readAuditEntries } from '../support/register.js';
import { created, expectProblem } from '../support/problems.js';
import { AUDIT, corporateNumber, TODAY, VALID_UNTIL } from '../support/providers.js';

const LAPSED = { start: addDays(TODAY, -1200), end: addDays(TODAY, -900), listed: addDays(TODAY, -850) };
const PROFILE = profileRequirementIds('my_number');
const INHERITED = 'dat-01';
const FAILED = 'sec-05';
const UNASSESSED = 'ops-07';

type Entry = {
  kind: string;
  municipality: string | null;
  outcome: { result: string; reason: string | null };
  records: { resource: string; ids: string[] }[];
  actor: { account: string | null; roles: string[] };
};

let tp: TestPlatform;
let operator: Session;
let assessor: Session;
let assessorId: string;
const ids: Record<string, string> = {};
const documents: Record<string, unknown> = {};

async function count(table: string): Promise<number> {
  return Number((await adminQuery<{ n: string }>(tp, 'control', `SELECT count(*) AS n FROM control.${table}`))[0]!.n);
}
const TABLES = ['component_definitions', 'component_definition_claims', 'assessment_findings', 'certifications', 'certification_bases', 'placements'];
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = await count(t);
  return out;
}

function definition(serviceId: string, title: string, claims: Claim[]) {
  return toComponentDefinition({
    title: `${title} component definition`,
    version: '2026.1',
    lastModified: '2026-03-01T00:00:00Z',
    source: 'profiles/my_number.json',
    services: [{ serviceId, title, description: `The ${title} service.`, claims }],
  });
}
const own = (requirementId: string): Claim => ({ requirementId, description: `How ${requirementId} is met.` });

function findings(requirementIds: readonly string[], override: Record<string, object> = {}) {
  return requirementIds.map((requirementId) => ({ requirementId, state: 'satisfied', assessedOn: addDays(TODAY, -2), ...override[requirementId] }));
}

async function register(name: string, base: string, service: string, model: string, number: string) {
  const provider = (await created(await operator.call('POST', '/v1/providers', { name, corporateNumber: corporateNumber(base), headquartersCountry: 'JP' }))).id;
  const serviceId = (await created(await operator.call('POST', `/v1/providers/${provider}/services`, { name: service, model }))).id;
  const region = (await created(await operator.call('POST', `/v1/providers/${provider}/regions`, { code: 'jp-east-1', name: '東日本', country: 'JP', jurisdiction: 'JP', locations: ['13'] }))).id;
  const registration = (await created(await operator.call('POST', `/v1/providers/services/${serviceId}/registrations`, { registrationNumber: number, ...AUDIT }))).id;
  return { provider, serviceId, region, registration };
}

beforeAll(async () => {
  tp = await createTestPlatform({ cells: ['cell-a', 'cell-b'], placementPolicy: 'enforce' });
  operator = await newSession(tp, '000001', ['platform_operator']);
  assessor = await newSession(tp, '000001', ['provider_assessor']);
  assessorId = await accountIdOf(assessor.loginName);
});

async function accountIdOf(loginName: string): Promise<string> {
  return (await adminQuery<{ id: string }>(tp, 'control', "SELECT id FROM control.accounts WHERE organization_code = '000001' AND login_name = $1", [loginName]))[0]!.id;
}
afterAll(async () => tp?.close());

describe('assessments: the "done when" path', () => {
  it('registers two providers, one leading a joint proposal with a partner', async () => {
    const aozora = await register('青空クラウド株式会社', '010401000001', '青空 IaaS', 'IaaS', 'C25-0201-1');
    const hokuto = await register('北斗データ株式会社', '020001000002', '北斗 自治体SaaS', 'SaaS', 'C25-0202-1');
    const example = await register('Example Cloud Japan G.K.', '011003000003', 'Example Compute', 'IaaS', 'C25-0203-1');
    Object.assign(ids, {
      aozora: aozora.provider,
      aozoraIaas: aozora.serviceId,
      aozoraRegion: aozora.region,
      aozoraReg: aozora.registration,
      hokuto: hokuto.provider,
      hokutoSaas: hokuto.serviceId,
      hokutoRegion: hokuto.region,
      exampleIaas: example.serviceId,
    });
    const proposal = await created(
      await operator.call('POST', '/v1/providers/joint-proposals', {
        name: '北斗・Example 共同提案',
        leadProviderId: ids.hokuto,
        serviceIds: [ids.hokutoSaas, ids.exampleIaas],
        assignments: [{ requirementId: INHERITED, serviceId: ids.exampleIaas }],
      }),
    );
    ids.proposal = proposal.id;
  });

  it('takes component definitions: every requirement claimed, one inherited from the partner', async () => {
    documents.aozora = definition(ids.aozoraIaas!, '青空 IaaS', PROFILE.map(own));
    documents.example = definition(ids.exampleIaas!, 'Example Compute', PROFILE.map(own));
    documents.hokuto = definition(
      ids.hokutoSaas!,
      '北斗 自治体SaaS',
      PROFILE.map((r) => (r === INHERITED ? { requirementId: r, description: 'Data stays in Japan: the partner IaaS.', inherited: { fromServiceId: ids.exampleIaas! } } : own(r))),
    );
    for (const [key, service] of [['aozora', ids.aozoraIaas], ['example', ids.exampleIaas], ['hokuto', ids.hokutoSaas]] as const) {
      const stored = await created(await operator.call('POST', `/v1/providers/services/${service}/component-definitions`, documents[key]));
      expect(stored).toMatchObject({ serviceId: service, version: 1 });
      expect(stored.claims).toHaveLength(PROFILE.length);
    }
    const hokuto = await operator.call('GET', `/v1/providers/services/${ids.hokutoSaas}/component-definitions`);
    expect(hokuto.body.items[0].claims.find((c: Claim) => c.requirementId === INHERITED)).toEqual({
      requirementId: INHERITED,
      description: 'Data stays in Japan: the partner IaaS.',
      inherited: { fromServiceId: ids.exampleIaas },
    });
    // A second submission is the next version; the export is the document as submitted.
    const again = await created(await operator.call('POST', `/v1/providers/services/${ids.aozoraIaas}/component-definitions`, documents.aozora));
    expect(again.version).toBe(2);
    const latest = await operator.call('GET', `/v1/providers/services/${ids.aozoraIaas}/component-definitions/latest`);
    expect(latest.status).toBe(200);
    expect(latest.headers['municloud-version']).toBe('2');
    expect(latest.body).toEqual(documents.aozora);
    expect((await operator.call('GET', `/v1/providers/services/${ids.aozoraIaas}/component-definitions/1`)).body).toEqual(documents.aozora);
    expectProblem(await operator.call('GET', `/v1/providers/services/${ids.aozoraIaas}/component-definitions/9`), 404, 'not_found');
  });

  it('records findings, one or many at a time, the assessor being the account', async () => {
    for (const service of [ids.aozoraIaas, ids.exampleIaas]) {
      const res = await created(await assessor.call('POST', `/v1/providers/services/${service}/findings`, { findings: findings(PROFILE) }));
      expect(res.items).toHaveLength(PROFILE.length);
      expect(res.items.every((f: { assessor: string; recordedBy: string }) => f.assessor === assessor.loginName && f.recordedBy === assessorId)).toBe(true);
    }
    const hokuto = await created(
      await assessor.call('POST', `/v1/providers/services/${ids.hokutoSaas}/findings`, {
        findings: findings(
          PROFILE.filter((r) => r !== INHERITED && r !== UNASSESSED),
          { [FAILED]: { state: 'not_satisfied', reason: 'ログの保存期間が要件を満たしていない。' }, 'leg-02': { state: 'not_applicable', reason: 'このサービスは該当する処理を行わない。' } },
        ),
      }),
    );
    expect(hokuto.items.find((f: { requirementId: string }) => f.requirementId === FAILED)).toMatchObject({ state: 'not_satisfied', assessor: assessor.loginName, recordedBy: assessorId });
    // Both the operator and the assessor read them.
    for (const reader of [operator, assessor]) {
      const listed = await reader.call('GET', `/v1/providers/services/${ids.hokutoSaas}/findings`);
      expect(listed.body.items).toHaveLength(PROFILE.length - 2);
    }
    const stored = await adminQuery<{ assessor: string; recorded_by: string }>(tp, 'control', 'SELECT DISTINCT assessor, recorded_by FROM control.assessment_findings');
    expect(stored).toEqual([{ assessor: assessor.loginName, recorded_by: assessorId }]);
  });

  it('decides: the partner and 青空 certified until the registration lapses; the joint proposal not, with its gaps', async () => {
    const example = await created(await operator.call('POST', `/v1/providers/services/${ids.exampleIaas}/certification-decisions`, { dataClass: 'my_number' }));
    expect(example).toMatchObject({ status: 'certified', expiresOn: VALID_UNTIL, gaps: [], componentDefinitionVersion: 1 });
    const aozora = await created(await operator.call('POST', `/v1/providers/services/${ids.aozoraIaas}/certification-decisions`, { dataClass: 'my_number' }));
    expect(aozora).toMatchObject({ status: 'certified', expiresOn: VALID_UNTIL, gaps: [], componentDefinitionVersion: 2 });
    expect(aozora.certification).toMatchObject({ serviceId: ids.aozoraIaas, dataClass: 'my_number', status: 'certified', expiresOn: VALID_UNTIL });
    ids.aozoraCertification = aozora.certification.id;

    const hokuto = await created(await operator.call('POST', `/v1/providers/services/${ids.hokutoSaas}/certification-decisions`, { dataClass: 'my_number' }));
    expect(hokuto.status).toBe('not_certified');
    expect(hokuto.expiresOn).toBeNull();
    expect(hokuto.gaps.map((g: { requirementId: string; kind: string }) => [g.requirementId, g.kind])).toEqual([
      [FAILED, 'not_satisfied'],
      [UNASSESSED, 'no_finding'],
    ]);
    expect(hokuto.requirements.find((r: { requirementId: string }) => r.requirementId === INHERITED)).toMatchObject({ met: 'inherited', fromServiceId: ids.exampleIaas, expiresOn: VALID_UNTIL });
    expect(hokuto.requirements.find((r: { requirementId: string }) => r.requirementId === 'leg-02')).toMatchObject({ met: 'not_applicable' });

    const bases = await adminQuery<{ n: string }>(tp, 'control', 'SELECT count(*) AS n FROM control.certification_bases WHERE certification_id = $1', [aozora.certification.id]);
    expect(Number(bases[0]!.n)).toBe(1);
    const current = await operator.call('GET', '/v1/providers/certifications?current=true');
    expect(current.body.items.map((c: { serviceId: string; status: string }) => [c.serviceId, c.status]).sort()).toEqual(
      [[ids.aozoraIaas, 'certified'], [ids.exampleIaas, 'certified'], [ids.hokutoSaas, 'not_certified']].sort(),
    );
  });

  it('places a municipality on the certified service, refuses the other', async () => {
    expect((await operator.call('PUT', '/v1/cells/cell-a/location', { serviceId: ids.aozoraIaas, regionId: ids.aozoraRegion })).status).toBe(200);
    expect((await operator.call('PUT', '/v1/cells/cell-b/location', { serviceId: ids.hokutoSaas, regionId: ids.hokutoRegion })).status).toBe(200);
    const placed = await operator.call('PUT', `/v1/placements/${CHIYODA}`, { cellId: 'cell-a' });
    expect(placed.status, JSON.stringify(placed.body)).toBe(200);
    const refused = await operator.call('PUT', `/v1/placements/${SAPPORO}`, { cellId: 'cell-b' });
    expectProblem(refused, 422, 'placement_refused');
    expect(refused.body.errors.map((e: { rule: string }) => e.rule)).toEqual(['not_certified_for_class']);
  });

  it('alerts the placement when its registration lapses', async () => {
    const before = await operator.call('GET', `/v1/providers/placement-alerts?on=${addDays(VALID_UNTIL, -30)}`);
    expect(before.body.items).toEqual([expect.objectContaining({ municipalityCode: CHIYODA, cellId: 'cell-a', status: 'lapsing', lapsesOn: addDays(VALID_UNTIL, 1) })]);
    const on = addDays(VALID_UNTIL, 1);
    const check = await operator.call('POST', '/v1/providers/placement-alerts/check', { on });
    expect(check.status).toBe(200);
    expect(check.body.items).toEqual([
      expect.objectContaining({
        municipalityCode: CHIYODA,
        status: 'lapsed',
        reasons: expect.arrayContaining(['registration_expired']),
        registrationIds: [ids.aozoraReg],
        certificationIds: [ids.aozoraCertification],
      }),
    ]);
  });

  it('exports every step as valid OSCAL: registry, catalog, profile, component definitions, assessment results with the decision, placement plan, plan of action', async () => {
    // The registry: both providers, the joint proposal as a capability with its two services.
    const registry = await operator.call('GET', '/v1/providers/registry/component-definition');
    expect(registry.status, JSON.stringify(registry.body).slice(0, 500)).toBe(200);
    expect(validateOscal('component-definition', registry.body)).toEqual([]);
    const capability = registry.body['component-definition'].capabilities.find((c: { name: string }) => c.name === '北斗・Example 共同提案');
    expect(capability['incorporates-components']).toHaveLength(2);

    const catalog = await operator.call('GET', '/v1/requirements/catalog');
    expect(validateOscal('catalog', catalog.body)).toEqual([]);
    const profile = await operator.call('GET', '/v1/requirements/profiles/my_number');
    expect(validateOscal('profile', profile.body)).toEqual([]);
    for (const service of [ids.aozoraIaas, ids.hokutoSaas, ids.exampleIaas]) {
      const cd = await operator.call('GET', `/v1/providers/services/${service}/component-definitions/latest`);
      expect(validateOscal('component-definition', cd.body)).toEqual([]);
      const results = await operator.call('GET', `/v1/providers/services/${service}/assessment-results?dataClass=my_number`);
      expect(results.status, JSON.stringify(results.body).slice(0, 500)).toBe(200);
      expect(validateOscal('assessment-results', results.body)).toEqual([]);
    }
    const hokuto = await operator.call('GET', `/v1/providers/services/${ids.hokutoSaas}/assessment-results?dataClass=my_number`);
    const findingsOut = hokuto.body['assessment-results'].results[0].findings as { target: { 'target-id': string; status: { state: string } } }[];
    expect(findingsOut.find((f) => f.target['target-id'] === FAILED)!.target.status.state).toBe('not-satisfied');
    // Reproducible: the same records give the same document.
    expect((await operator.call('GET', `/v1/providers/services/${ids.hokutoSaas}/assessment-results?dataClass=my_number`)).body).toEqual(hokuto.body);
    // The decisions they led to: one certified, one not.
    const decisionOf = (doc: any) => doc['assessment-results'].results[0].attestations[0].parts[0].props.find((p: { name: string }) => p.name === 'municloud-certification-status').value;
    expect(decisionOf(hokuto.body)).toBe('not_certified');
    expect(decisionOf((await operator.call('GET', `/v1/providers/services/${ids.aozoraIaas}/assessment-results?dataClass=my_number`)).body)).toBe('certified');

    // The placement: where 千代田区's data lives and why it may (registration and certification leveraged).
    const ssp = await operator.call('GET', `/v1/placements/${CHIYODA}/system-security-plan`);
    expect(ssp.status, JSON.stringify(ssp.body).slice(0, 500)).toBe(200);
    expect(validateOscal('system-security-plan', ssp.body)).toEqual([]);
    const leveraged = ssp.body['system-security-plan']['system-implementation']['leveraged-authorizations'].map((l: { title: string }) => l.title);
    expect(leveraged).toEqual(['ISMAP registration C25-0201-1 of 青空 IaaS', 'municloud certification of 青空 IaaS for my_number: certified']);
    // The lapse: its dated plan as a plan of action and milestones, the day after the registration's last day.
    const poam = await operator.call('GET', `/v1/placements/${CHIYODA}/plan-of-action-and-milestones?on=${addDays(VALID_UNTIL, 1)}`);
    expect(poam.status, JSON.stringify(poam.body).slice(0, 500)).toBe(200);
    expect(validateOscal('plan-of-action-and-milestones', poam.body)).toEqual([]);
    const risk = poam.body['plan-of-action-and-milestones'].risks[0];
    expect(risk.props.filter((p: { name: string }) => p.name === 'municloud-placement-reason').map((p: { value: string }) => p.value)).toContain('registration_expired');
  });

  it('compares the proposals side by side, as JSON and CSV', async () => {
    const url = `/v1/providers/procurement-comparisons?dataClass=my_number&services=${ids.aozoraIaas},${ids.hokutoSaas}`;
    const json = await operator.call('GET', url);
    expect(json.status, JSON.stringify(json.body).slice(0, 500)).toBe(200);
    expect(json.body.proposals.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([
      [ids.aozoraIaas, 'certified'],
      [ids.hokutoSaas, 'not_certified'],
    ]);
    expect(json.body.proposals[1].totals).toMatchObject({ inherited: 1, missing: 2 });
    const row = (id: string) => json.body.rows.find((r: { requirementId: string }) => r.requirementId === id);
    expect(row(INHERITED).cells[1]).toMatchObject({ value: 'inherited', fromServiceId: ids.exampleIaas });
    expect(row(FAILED).cells.map((c: { value: string }) => c.value)).toEqual(['met', 'missing']);

    const csv = await operator.call('GET', `${url}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const text = csv.body as string;
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('requirement_id,title_ja,title_en,青空 IaaS,北斗 自治体SaaS');
    expect(lines).toContain(',,status,certified,not_certified');
    expect(lines.find((l) => l.startsWith(`${INHERITED},`))).toContain(`inherited (${ids.exampleIaas})`);

    // A lapsed registration shows, on the day given.
    const later = await operator.call('GET', `${url}&on=${TODAY}&expiringWithinDays=3660`);
    expect(later.body.proposals[0].totals.expiring).toBe(PROFILE.length);
  });
});

describe('bad input: a clear error, nothing written', () => {
  it('invalid OSCAL: every schema problem with its path', async () => {
    const before = await counts();
    const doc = JSON.parse(JSON.stringify(documents.aozora)) as any;
    delete doc['component-definition'].metadata.title;
    doc['component-definition'].components[0].uuid = 'not-a-uuid';
    doc['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'][3]['control-id'] = 'has space';
    const res = await operator.call('POST', `/v1/providers/services/${ids.aozoraIaas}/component-definitions`, doc);
    expectProblem(res, 422, 'oscal_invalid');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual([
      'body/component-definition/metadata/title',
      'body/component-definition/components/0/uuid',
      'body/component-definition/components/0/control-implementations/0/implemented-requirements/3/control-id',
    ]);
    expect(res.body.errors.every((e: { rule: string }) => e.rule === 'oscal_schema')).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('unknown requirement ids, in a component definition and in findings', async () => {
    const before = await counts();
    const res = await operator.call(
      'POST',
      `/v1/providers/services/${ids.aozoraIaas}/component-definitions`,
      definition(ids.aozoraIaas!, '青空 IaaS', [own('sec-01'), own('zzz-99'), own('sec-999')]),
    );
    expectProblem(res, 422, 'unknown_requirement_ids');
    expect(res.body.errors.map((e: { field: string; rule: string }) => [e.field, e.rule])).toEqual([
      ['body/component-definition/components/0/control-implementations/0/implemented-requirements/1/control-id', 'unknown_requirement'],
      ['body/component-definition/components/0/control-implementations/0/implemented-requirements/2/control-id', 'unknown_requirement'],
    ]);
    expect(JSON.stringify(res.body)).not.toContain('zzz-99');

    const f = await assessor.call('POST', `/v1/providers/services/${ids.aozoraIaas}/findings`, { findings: [...findings(['sec-01']), ...findings(['zzz-99'])] });
    expectProblem(f, 422, 'unknown_requirement_ids');
    expect(f.body.errors).toEqual([expect.objectContaining({ field: 'body/findings/1/requirementId', rule: 'unknown_requirement' })]);
    const reasonless = await assessor.call('POST', `/v1/providers/services/${ids.aozoraIaas}/findings`, {
      findings: findings(['sec-01'], { 'sec-01': { state: 'not_satisfied', assessedOn: addDays(TODAY, 1) } }),
    });
    expectProblem(reasonless, 400, 'validation_failed');
    expect(reasonless.body.errors.map((e: { field: string; rule: string }) => [e.field, e.rule])).toEqual([
      ['body/findings/0/reason', 'reason_required'],
      ['body/findings/0/assessedOn', 'not_in_future'],
    ]);
    // The assessor is the account: the body names none.
    const named = await assessor.call('POST', `/v1/providers/services/${ids.aozoraIaas}/findings`, { findings: findings(['sec-01'], { 'sec-01': { assessor: 'someone-else' } }) });
    expectProblem(named, 400, 'validation_failed');
    expect(named.body.errors).toContainEqual(expect.objectContaining({ field: 'body/findings/0/assessor', rule: 'unknown_field' }));
    expect(await counts()).toEqual(before);
  });

  it('partners without a registration, or whose registration lapsed, and a service not the one submitted for', async () => {
    const example = (await operator.call('GET', '/v1/providers')).body.items.find((p: { name: string }) => p.name === 'Example Cloud Japan G.K.').id;
    const unregistered = (await created(await operator.call('POST', `/v1/providers/${example}/services`, { name: 'Example Storage', model: 'PaaS' }))).id;
    const lapsed = (await created(await operator.call('POST', `/v1/providers/${example}/services`, { name: 'Example Legacy', model: 'IaaS' }))).id;
    await adminQuery(
      tp,
      'control',
      `INSERT INTO control.service_registrations (service_id, registration_number, audit_period_start, audit_period_end, listed_on) VALUES ($1, 'C20-0001-1', $2, $3, $4)`,
      [lapsed, LAPSED.start, LAPSED.end, LAPSED.listed],
    );
    ids.lapsed = lapsed;
    const before = await counts();
    const res = await operator.call(
      'POST',
      `/v1/providers/services/${ids.hokutoSaas}/component-definitions`,
      definition(ids.hokutoSaas!, '北斗 自治体SaaS', [
        { requirementId: 'dat-01', description: 'x', inherited: { fromServiceId: unregistered } },
        { requirementId: 'dat-02', description: 'x', inherited: { fromServiceId: lapsed } },
        { requirementId: 'dat-03', description: 'x', inherited: { fromServiceId: '00000000-0000-4000-8000-000000000000' } },
      ]),
    );
    expectProblem(res, 422, 'component_definition_refused');
    const at = (i: number) => `body/component-definition/components/0/control-implementations/0/implemented-requirements/${i}/props/0/value`;
    expect(res.body.errors.map((e: { field: string; rule: string }) => [e.field, e.rule])).toEqual([
      [at(0), 'partner_not_registered'],
      [at(1), 'partner_registration_expired'],
      [at(2), 'partner_unknown'],
    ]);
    // Another service's description, submitted for this one.
    const other = await operator.call('POST', `/v1/providers/services/${ids.hokutoSaas}/component-definitions`, documents.aozora);
    expectProblem(other, 422, 'component_definition_refused');
    expect(other.body.errors.map((e: { rule: string }) => e.rule)).toEqual(['service_not_permitted']);
    expectProblem(await operator.call('POST', '/v1/providers/services/00000000-0000-4000-8000-000000000000/component-definitions', documents.aozora), 404, 'not_found');
    expect(await counts()).toEqual(before);
  });

  it('an expired registration: the decision says so; bad decision input refused', async () => {
    const lapsed = await created(await operator.call('POST', `/v1/providers/services/${ids.lapsed}/certification-decisions`, { dataClass: 'general' }));
    expect(lapsed.status).toBe('not_certified');
    expect(lapsed.gaps[0]).toMatchObject({ requirementId: null, kind: 'service_registration_expired' });
    const before = await counts();
    expectProblem(await operator.call('POST', `/v1/providers/services/${ids.aozoraIaas}/certification-decisions`, { dataClass: 'secret' }), 400, 'validation_failed');
    const future = await operator.call('POST', `/v1/providers/services/${ids.aozoraIaas}/certification-decisions`, { dataClass: 'my_number', on: addDays(TODAY, 1) });
    expectProblem(future, 400, 'validation_failed');
    expect(future.body.errors[0]).toMatchObject({ field: 'body/on', rule: 'not_in_future' });
    expectProblem(await operator.call('GET', `/v1/providers/procurement-comparisons?dataClass=my_number&services=${ids.aozoraIaas},00000000-0000-4000-8000-000000000000`), 400, 'validation_failed');
    expect(await counts()).toEqual(before);
  });
});

describe('access and audit', () => {
  it('admits no municipal role', async () => {
    const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
    for (const [method, url, body] of [
      ['POST', `/v1/providers/services/${ids.aozoraIaas}/component-definitions`, documents.aozora],
      ['POST', `/v1/providers/services/${ids.aozoraIaas}/findings`, { findings: findings(['sec-01']) }],
      ['POST', `/v1/providers/services/${ids.aozoraIaas}/certification-decisions`, { dataClass: 'my_number' }],
      ['GET', `/v1/providers/services/${ids.aozoraIaas}/assessment-results?dataClass=my_number`, undefined],
      ['GET', `/v1/providers/procurement-comparisons?dataClass=my_number&services=${ids.aozoraIaas}`, undefined],
    ] as const) {
      expect((await admin.call(method, url, body)).status, url).toBe(403);
    }
  });

  it('separates duties: the operator records no findings; the assessor submits, decides and compares nothing', async () => {
    const before = await counts();
    expectProblem(await operator.call('POST', `/v1/providers/services/${ids.aozoraIaas}/findings`, { findings: findings(['sec-01']) }), 403, 'forbidden');
    for (const [method, url, body] of [
      ['POST', `/v1/providers/services/${ids.aozoraIaas}/component-definitions`, documents.aozora],
      ['POST', `/v1/providers/services/${ids.aozoraIaas}/certification-decisions`, { dataClass: 'my_number' }],
      ['GET', `/v1/providers/procurement-comparisons?dataClass=my_number&services=${ids.aozoraIaas}`, undefined],
      ['PUT', `/v1/placements/${SAPPORO}`, { cellId: 'cell-a' }],
      ['POST', '/v1/accounts', { organizationCode: '000001', loginName: 'another-assessor', displayName: '評価者', roles: ['provider_assessor'], password: 'correct horse battery' }],
    ] as const) {
      expectProblem(await assessor.call(method, url, body), 403, 'forbidden');
    }
    expect(await counts()).toEqual(before);
  });

  it('lets the assessor read what assessing needs', async () => {
    const service = ids.hokutoSaas;
    for (const url of [
      `/v1/providers/services/${service}/findings`,
      `/v1/providers/services/${service}/component-definitions`,
      `/v1/providers/services/${service}/component-definitions/latest`,
      `/v1/providers/services/${service}/assessment-results?dataClass=my_number`,
      '/v1/requirements/catalog',
      '/v1/requirements/profiles/my_number',
    ]) {
      expect((await assessor.call('GET', url)).status, url).toBe(200);
    }
    const results = await assessor.call('GET', `/v1/providers/services/${service}/assessment-results?dataClass=my_number`);
    expect(JSON.stringify(results.body)).toContain(assessor.loginName);
  });

  it('only the operator creates assessors, in its own organization, without a second factor', async () => {
    const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
    const account = { loginName: 'assessor-b', displayName: '評価者 B', roles: ['provider_assessor'], password: 'correct horse battery' };
    expect((await admin.call('POST', '/v1/accounts', { ...account, organizationCode: CHIYODA })).status).toBe(403);
    const misfit = await operator.call('POST', '/v1/accounts', { ...account, organizationCode: CHIYODA });
    expect(misfit.status).toBe(400);
    expect(misfit.body.errors[0]).toMatchObject({ field: 'body/roles', rule: 'fits_organization' });
    await created(await operator.call('POST', '/v1/accounts', { ...account, organizationCode: '000001' }));
    // The password alone opens a session: no second factor asked of an assessor.
    const login = await logIn(tp.app, '000001', account.loginName, account.password);
    expect(login.status).toBe(200);
    expect(login.body.token).toMatch(/^mcs_/);
  });

  it('audits every write, naming what it wrote', async () => {
    const entries = await readAuditEntries<Entry>(tp);
    const of = (kind: string) => entries.filter((e) => e.kind === kind && e.outcome.result === 'success');
    expect(of('component_definition_submitted')).toHaveLength(4);
    expect(of('component_definition_submitted').every((e) => e.municipality === null && e.actor.account && e.records[0]!.resource === 'component_definitions')).toBe(true);
    expect(of('assessment_findings_recorded')).toHaveLength(3);
    expect(of('assessment_findings_recorded')[0]!.records[0]!.ids).toHaveLength(PROFILE.length);
    const decided = of('certification_decided');
    expect(decided).toHaveLength(4);
    expect(decided.flatMap((e) => e.records.find((r) => r.resource === 'certifications')!.ids)).toContain(ids.aozoraCertification);
    // Every finding was recorded by the assessor account, as itself.
    expect(of('assessment_findings_recorded').every((e) => e.actor.account === assessorId && e.actor.roles.includes('provider_assessor'))).toBe(true);
  });

  it('refuses a decision on findings the deciding account recorded itself (separation of duties), audited', async () => {
    // An account holding both roles records a finding that becomes current for the service …
    const both = await newSession(tp, '000001', ['platform_operator', 'provider_assessor']);
    const bothId = await accountIdOf(both.loginName);
    await created(await both.call('POST', `/v1/providers/services/${ids.exampleIaas}/findings`, { findings: findings(['sec-01'], { 'sec-01': { assessedOn: TODAY } }) }));
    const before = await counts();
    const refused = await both.call('POST', `/v1/providers/services/${ids.exampleIaas}/certification-decisions`, { dataClass: 'my_number' });
    expectProblem(refused, 403, 'separation_of_duties');
    expect(refused.body.message.en).toContain('sec-01');
    expect(await counts()).toEqual(before);
    const entries = await readAuditEntries<Entry>(tp);
    const entry = entries.find((e) => e.kind === 'certification_decided' && e.outcome.result === 'refused');
    expect(entry).toMatchObject({ actor: { account: bothId }, outcome: { reason: 'separation_of_duties' } });
    expect(entry!.records).toContainEqual({ resource: 'provider_services', ids: [ids.exampleIaas] });
    expect(entry!.records.find((r) => r.resource === 'assessment_findings')!.ids).toHaveLength(1);
    // … another operator decides. A finding no longer current does not count: the assessor's newer one supersedes it.
    expect((await operator.call('POST', `/v1/providers/services/${ids.exampleIaas}/certification-decisions`, { dataClass: 'my_number' })).status).toBe(201);
    await created(await assessor.call('POST', `/v1/providers/services/${ids.exampleIaas}/findings`, { findings: findings(['sec-01'], { 'sec-01': { assessedOn: TODAY, state: 'not_satisfied', reason: '再評価で不備が判明した。' } }) }));
    expect((await both.call('POST', `/v1/providers/services/${ids.exampleIaas}/certification-decisions`, { dataClass: 'my_number' })).status).toBe(201);
  });
});

describe("an assessor's findings as OSCAL assessment results", () => {
  it('records them from the document (all or none, every problem at its path), and the export reads back the same', async () => {
    const sora = await register('空色データ株式会社', '030001000003', '空色 IaaS', 'IaaS', 'C25-0204-1');
    const url = `/v1/providers/services/${sora.serviceId}/assessment-results`;
    // The document an audit firm's tool would send: here, what municloud exports for another service's findings, re-aimed.
    const source = (await operator.call('GET', `/v1/providers/services/${ids.aozoraIaas}/assessment-results?dataClass=my_number`)).body;
    const before = await counts();

    // Refused, nothing written: the operator; invalid OSCAL; a requirement not in the catalog.
    expectProblem(await operator.call('POST', url, source), 403, 'forbidden');
    const invalid = structuredClone(source);
    invalid['assessment-results'].results[0].findings[0].target.status.state = 'maybe';
    const badSchema = await assessor.call('POST', url, invalid);
    expectProblem(badSchema, 422, 'oscal_invalid');
    expect(badSchema.body.errors[0].field).toBe('body/assessment-results/results/0/findings/0/target/status/state');
    const unknown = structuredClone(source);
    unknown['assessment-results'].results[0].findings[2].target['target-id'] = 'zzz-99';
    const badId = await assessor.call('POST', url, unknown);
    expectProblem(badId, 422, 'unknown_requirement_ids');
    expect(badId.body.errors.map((e: { field: string }) => e.field)).toEqual(['body/assessment-results/results/0/findings/2/target/target-id']);
    expect(await counts()).toEqual(before);

    const recorded = created(await assessor.call('POST', url, source));
    expect(recorded.items).toHaveLength(PROFILE.length);
    expect(recorded.items.every((f: { assessor: string; recordedBy: string; serviceId: string }) => f.assessor === assessor.loginName && f.recordedBy === assessorId && f.serviceId === sora.serviceId)).toBe(true);
    // The same findings (requirement, state, day) as the service they were exported from.
    const key = (f: { requirementId: string; state: string; assessedOn: string }) => `${f.requirementId} ${f.state} ${f.assessedOn}`;
    const original = (await operator.call('GET', `/v1/providers/services/${ids.aozoraIaas}/findings`)).body.items;
    expect(recorded.items.map(key).sort()).toEqual([...new Set(original.map(key))].sort());
    const audit = (await readAuditEntries<Entry>(tp)).filter((e) => e.kind === 'assessment_findings_recorded' && e.records.some((r) => r.resource === 'provider_services' && r.ids.includes(sora.serviceId)));
    expect(audit).toHaveLength(1);
  });
});
