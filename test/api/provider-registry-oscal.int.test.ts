/**
 * The provider registry exported as an OSCAL 1.2.1 component definition
 * (`GET /v1/providers/registry/component-definition`), end to end on real
 * PostgreSQL: an empty registry, then two providers registered through the
 * API (one leading a joint proposal with the other as partner), a withdrawal
 * and a pending renewal; the export validates against NIST's schema, names the
 * providers by 法人番号, makes the joint proposal a capability of both
 * services, gives statuses for the day asked, is the same for the same
 * records; the operator's only, and a bad day is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUNICLOUD_NS } from '../../src/providers/assessment/oscal-common.js';
import { addDays } from '../../src/providers/days.js';
import { validateOscal } from '../../src/providers/oscal/validate.js';
import { CORPORATE_NUMBER_SCHEME, REGISTRY_PROP } from '../../src/providers/registry/oscal-registry.js';
import { CHIYODA, newSession, type Session } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';
import { AUDIT, corporateNumber, TODAY, VALID_UNTIL } from '../support/providers.js';

const URL = '/v1/providers/registry/component-definition';

let tp: TestPlatform;
let operator: Session;
let chiyodaAdmin: Session;
const ids = { aozora: '', hokuto: '', iaas: '', legacy: '', saas: '', iaasReg: '', saasReg: '', legacyReg: '', proposal: '' };
const AOZORA = { name: '青空クラウド株式会社', corporateNumber: corporateNumber('010401000001'), headquartersCountry: 'JP' };
const HOKUTO = { name: '北斗データ株式会社', corporateNumber: corporateNumber('020001000002'), headquartersCountry: 'JP' };

type Prop = { name: string; ns?: string; value: string; group?: string };

async function created(res: { status: number; body: any }): Promise<any> {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function exported(query = ''): Promise<any> {
  const res = await operator.call('GET', `${URL}${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(validateOscal('component-definition', res.body)).toEqual([]);
  return res.body['component-definition'];
}

const componentOf = (d: any, serviceId: string) => (d.components as any[]).find((c) => (c.props as Prop[]).some((p) => p.name === REGISTRY_PROP.serviceId && p.value === serviceId));
const group = (component: any, g: string) => Object.fromEntries((component.props as Prop[]).filter((p) => p.group === g).map((p) => [p.name, p.value]));
const statusOf = (d: any, serviceId: string, number: string) => group(componentOf(d, serviceId), `registration-${number}`)[REGISTRY_PROP.registrationStatus];

beforeAll(async () => {
  tp = await createTestPlatform();
  operator = await newSession(tp, '000001', ['platform_operator']);
  chiyodaAdmin = await newSession(tp, CHIYODA, ['municipal_admin']);
});
afterAll(async () => tp?.close());

describe('the registry as OSCAL', () => {
  it('exports an empty registry as a valid document with metadata only', async () => {
    const d = await exported(`?on=${TODAY}`);
    expect(Object.keys(d)).toEqual(['uuid', 'metadata']);
    expect(d.metadata).toMatchObject({ title: `municloud provider registry as of ${TODAY}`, 'last-modified': `${TODAY}T00:00:00+09:00`, 'oscal-version': '1.2.1' });
  });

  it('exports two providers and their joint proposal: parties by 法人番号, a component per service, the proposal a capability of both', async () => {
    ids.aozora = (await created(await operator.call('POST', '/v1/providers', AOZORA))).id;
    ids.hokuto = (await created(await operator.call('POST', '/v1/providers', HOKUTO))).id;
    ids.iaas = (await created(await operator.call('POST', `/v1/providers/${ids.aozora}/services`, { name: '青空 IaaS', model: 'IaaS' }))).id;
    ids.legacy = (await created(await operator.call('POST', `/v1/providers/${ids.aozora}/services`, { name: '青空 Legacy', model: 'IaaS' }))).id;
    ids.saas = (await created(await operator.call('POST', `/v1/providers/${ids.hokuto}/services`, { name: '北斗 自治体SaaS', model: 'SaaS' }))).id;
    await created(await operator.call('POST', `/v1/providers/${ids.aozora}/regions`, { code: 'jp-east-1', name: '東日本リージョン', country: 'JP', jurisdiction: 'JP', locations: ['東京都', '11'] }));
    await created(await operator.call('POST', `/v1/providers/${ids.hokuto}/regions`, { code: 'jp-west-1', name: '西日本リージョン', country: 'JP', jurisdiction: 'JP', locations: ['27'] }));
    ids.iaasReg = (await created(await operator.call('POST', `/v1/providers/services/${ids.iaas}/registrations`, { registrationNumber: 'C25-0301-1', ...AUDIT }))).id;
    ids.saasReg = (await created(await operator.call('POST', `/v1/providers/services/${ids.saas}/registrations`, { registrationNumber: 'C25-0302-1', ...AUDIT }))).id;
    ids.legacyReg = (await created(await operator.call('POST', `/v1/providers/services/${ids.legacy}/registrations`, { registrationNumber: 'C25-0303-1', ...AUDIT }))).id;
    ids.proposal = (
      await created(
        await operator.call('POST', '/v1/providers/joint-proposals', {
          name: '北斗・青空 共同提案',
          leadProviderId: ids.hokuto,
          serviceIds: [ids.saas, ids.iaas],
          assignments: [
            { requirementId: 'sec-01', serviceId: ids.iaas },
            { requirementId: 'leg-01', serviceId: ids.saas },
          ],
        }),
      )
    ).id;
    // The legacy service's registration is withdrawn today; the SaaS's renewal is applied for today.
    expect((await operator.call('POST', `/v1/providers/registrations/${ids.legacyReg}/withdrawal`, { on: TODAY, reason: '事業者の申出による' })).status).toBe(200);
    expect((await operator.call('PUT', `/v1/providers/registrations/${ids.saasReg}/renewal`, { pending: true, on: TODAY })).status).toBe(200);

    const d = await exported();
    const parties = d.metadata.parties as any[];
    expect(parties.map((p) => [p.type, p.name, p['external-ids']])).toEqual([
      ['organization', HOKUTO.name, [{ scheme: CORPORATE_NUMBER_SCHEME, id: HOKUTO.corporateNumber }]],
      ['organization', AOZORA.name, [{ scheme: CORPORATE_NUMBER_SCHEME, id: AOZORA.corporateNumber }]],
    ]);
    const locations = new Map((d.metadata.locations as any[]).map((l) => [l.uuid, l.address]));
    expect(parties[1]['location-uuids'].map((u: string) => locations.get(u))).toEqual([
      { state: '東京都', country: 'JP' },
      { state: '埼玉県', country: 'JP' },
    ]);

    expect(d.components).toHaveLength(3);
    const iaas = componentOf(d, ids.iaas);
    expect(iaas).toMatchObject({ type: 'service', title: '青空 IaaS', 'responsible-roles': [{ 'role-id': 'provider', 'party-uuids': [parties[1].uuid] }] });
    expect(group(iaas, 'registration-C25-0301-1')).toMatchObject({
      [REGISTRY_PROP.registrationId]: ids.iaasReg,
      [REGISTRY_PROP.registrationStatus]: 'valid',
      [REGISTRY_PROP.validUntil]: VALID_UNTIL,
      [REGISTRY_PROP.inForceUntil]: VALID_UNTIL,
      [REGISTRY_PROP.listedOn]: AUDIT.listedOn,
      [REGISTRY_PROP.auditPeriodStart]: AUDIT.auditPeriodStart,
      [REGISTRY_PROP.auditPeriodEnd]: AUDIT.auditPeriodEnd,
    });
    expect(statusOf(d, ids.saas, 'C25-0302-1')).toBe('renewal_pending');
    expect(statusOf(d, ids.legacy, 'C25-0303-1')).toBe('withdrawn');
    expect((iaas.props as Prop[]).every((p) => p.ns === MUNICLOUD_NS)).toBe(true);

    expect(d.capabilities).toHaveLength(1);
    const [capability] = d.capabilities;
    expect(capability.name).toBe('北斗・青空 共同提案');
    expect(capability.description).toContain(`led by ${HOKUTO.name} with ${AOZORA.name}`);
    expect(capability['incorporates-components'].map((c: any) => c['component-uuid'])).toEqual([componentOf(d, ids.saas).uuid, iaas.uuid]);
    expect(capability['incorporates-components'][0].description).toMatch(/^lead: /);
    expect(capability['incorporates-components'][1].description).toMatch(/^partner: .*admitted by registration C25-0301-1/);
    const requirements = capability['control-implementations'][0]['implemented-requirements'] as any[];
    expect(requirements.map((r) => [r['control-id'], r.props[0].value])).toEqual([
      ['leg-01', ids.saas],
      ['sec-01', ids.iaas],
    ]);
  });

  it('gives the statuses of the day asked for', async () => {
    const yesterday = await exported(`?on=${addDays(TODAY, -1)}`);
    expect(yesterday.metadata.title).toBe(`municloud provider registry as of ${addDays(TODAY, -1)}`);
    expect(statusOf(yesterday, ids.legacy, 'C25-0303-1')).toBe('valid');
    expect(statusOf(yesterday, ids.saas, 'C25-0302-1')).toBe('valid');
    const lapsed = await exported(`?on=${addDays(VALID_UNTIL, 1)}`);
    expect(statusOf(lapsed, ids.iaas, 'C25-0301-1')).toBe('expired');
    expect(statusOf(lapsed, ids.saas, 'C25-0302-1')).toBe('renewal_pending');
    expect(lapsed.components.map((c: any) => c.uuid)).toEqual(yesterday.components.map((c: any) => c.uuid));
    expect(lapsed.uuid).not.toBe(yesterday.uuid);
  });

  it('is the same document for the same records: last-modified is when the latest record was written', async () => {
    const a = await operator.call('GET', `${URL}?on=${TODAY}`);
    const b = await operator.call('GET', `${URL}?on=${TODAY}`);
    expect(JSON.stringify(b.body)).toBe(JSON.stringify(a.body));
    const proposal = (await operator.call('GET', `/v1/providers/joint-proposals/${ids.proposal}`)).body;
    expect(a.body['component-definition'].metadata['last-modified']).toBe(proposal.createdAt);
  });

  it("does not take the place of a provider's own route", async () => {
    const provider = await operator.call('GET', `/v1/providers/${ids.aozora}`);
    expect(provider.status).toBe(200);
    expect(provider.body.name).toBe(AOZORA.name);
    // 'registry' is not a provider id.
    expect((await operator.call('GET', '/v1/providers/registry')).status).toBe(400);
    expect((await operator.call('GET', URL)).body['component-definition']).toBeDefined();
  });

  it("is the operator's only, and refuses a bad day", async () => {
    const refused = await chiyodaAdmin.call('GET', URL);
    expect(refused.status).toBe(403);
    for (const on of ['2026-13-45', 'yesterday', '2026-3-1']) {
      const bad = await operator.call('GET', `${URL}?on=${on}`);
      expect(bad.status, on).toBe(400);
      expect(bad.body.code).toBe('validation_failed');
    }
    expect((await operator.call('GET', `${URL}?on=${TODAY}&extra=1`)).status).toBe(400);
  });
});
