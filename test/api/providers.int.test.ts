/**
 * The provider registry and the placement policy through the API, end to end
 * on real PostgreSQL, with the policy enforced: two providers registered (one
 * a joint proposal with a partner), bad input refused with nothing written,
 * cells declared, placements refused until the cell is in Japan, registered
 * and certified, then allowed; the alert when the registration lapses (dates
 * injected), seen by the operator and by the municipality; every write
 * audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCertification } from '../../src/providers/registry/certifications.js';
import { addDays } from '../../src/providers/days.js';
import { validUntil } from '../../src/providers/registry/registration.js';
import { CHIYODA, newSession, SAPPORO, YOKOHAMA, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { readAuditEntries } from '../support/register.js';
import { AUDIT, corporateNumber, TODAY, VALID_UNTIL } from '../support/providers.js';
import { created, expectProblem } from '../support/problems.js';

/** An audited period that ended a month ago, listed ten days ago: valid for about 15 more months. */

type Entry = { kind: string; municipality: string | null; outcome: { result: string; reason: string | null }; records: { resource: string; ids: string[] }[]; actor: { account: string | null } };

let tp: TestPlatform;
let operator: Session;
let chiyodaAdmin: Session;
let sapporoAdmin: Session;
const ids: Record<string, string> = {};

async function count(table: string): Promise<number> {
  return Number((await adminQuery<{ n: string }>(tp, 'control', `SELECT count(*) AS n FROM control.${table}`))[0]!.n);
}
const REGISTRY_TABLES = ['providers', 'provider_services', 'provider_regions', 'service_registrations', 'joint_proposals', 'joint_proposal_services', 'joint_proposal_assignments', 'cell_locations', 'placements'];
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of REGISTRY_TABLES) out[t] = await count(t);
  return out;
}

beforeAll(async () => {
  tp = await createTestPlatform({ cells: ['cell-a', 'cell-b', 'cell-c'], placementPolicy: 'enforce' });
  operator = await newSession(tp, '000001', ['platform_operator']);
  chiyodaAdmin = await newSession(tp, CHIYODA, ['municipal_admin']);
  sapporoAdmin = await newSession(tp, SAPPORO, ['municipal_admin']);
});
afterAll(async () => tp?.close());

describe('the provider registry', () => {
  it('registers providers with their services and regions', async () => {
    const aozora = await created(await operator.call('POST', '/v1/providers', { name: '青空クラウド株式会社', corporateNumber: corporateNumber('010401000001'), headquartersCountry: 'JP' }));
    expect(aozora).toMatchObject({ name: '青空クラウド株式会社', headquartersCountry: 'JP' });
    ids.aozora = aozora.id;
    ids.hokuto = (await created(await operator.call('POST', '/v1/providers', { name: '北斗データ株式会社', corporateNumber: corporateNumber('020001000002'), headquartersCountry: 'JP' }))).id;
    ids.example = (await created(await operator.call('POST', '/v1/providers', { name: 'Example Cloud Japan G.K.', corporateNumber: corporateNumber('011003000003'), headquartersCountry: 'US' }))).id;

    ids.aozoraIaas = (await created(await operator.call('POST', `/v1/providers/${ids.aozora}/services`, { name: '青空 IaaS', model: 'IaaS' }))).id;
    ids.hokutoSaas = (await created(await operator.call('POST', `/v1/providers/${ids.hokuto}/services`, { name: '北斗 自治体SaaS', model: 'SaaS' }))).id;
    ids.exampleIaas = (await created(await operator.call('POST', `/v1/providers/${ids.example}/services`, { name: 'Example Compute', model: 'IaaS' }))).id;

    const east = await created(
      await operator.call('POST', `/v1/providers/${ids.aozora}/regions`, { code: 'jp-east-1', name: '東日本リージョン', country: 'JP', jurisdiction: 'JP', locations: ['東京都', '11', '13'] }),
    );
    expect(east.locations).toEqual(['13', '11']);
    ids.aozoraEast = east.id;
    ids.aozoraSingapore = (
      await created(await operator.call('POST', `/v1/providers/${ids.aozora}/regions`, { code: 'sg-1', name: 'Singapore', country: 'SG', jurisdiction: 'SG', locations: ['Singapore'] }))
    ).id;
    ids.exampleTokyo = (
      await created(await operator.call('POST', `/v1/providers/${ids.example}/regions`, { code: 'ap-tokyo-1', name: 'Tokyo', country: 'JP', jurisdiction: 'JP', locations: ['13'] }))
    ).id;

    const listed = await operator.call('GET', '/v1/providers');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual(['Example Cloud Japan G.K.', '北斗データ株式会社', '青空クラウド株式会社']);
    expect(listed.body.items[2].regions.map((r: { code: string }) => r.code)).toEqual(['jp-east-1', 'sg-1']);
  });

  it('refuses bad providers, services and regions, writing nothing', async () => {
    const before = await counts();
    expectProblem(await operator.call('POST', '/v1/providers', { name: 'X', corporateNumber: '8000012050002', headquartersCountry: 'JP' }), 400, 'validation_failed', ['check_digit']);
    expectProblem(await operator.call('POST', '/v1/providers', { name: 'X', corporateNumber: corporateNumber('099999000009'), headquartersCountry: 'XX' }), 400, 'validation_failed', ['country']);
    expectProblem(await operator.call('POST', '/v1/providers', { name: '重複', corporateNumber: corporateNumber('010401000001'), headquartersCountry: 'JP' }), 409, 'already_exists');
    expectProblem(await operator.call('POST', `/v1/providers/00000000-0000-4000-8000-000000000000/services`, { name: 'x', model: 'IaaS' }), 404, 'not_found');
    expectProblem(await operator.call('POST', `/v1/providers/${ids.aozora}/services`, { name: '青空 IaaS', model: 'IaaS' }), 409, 'already_exists');
    expectProblem(
      await operator.call('POST', `/v1/providers/${ids.aozora}/regions`, { code: 'jp-x', name: 'x', country: 'JP', jurisdiction: 'JP', locations: ['Tokyo-ish'] }),
      400,
      'validation_failed',
      ['prefecture'],
    );
    expect(await counts()).toEqual(before);
  });

  it('lists registrations valid until 1 year 4 months after the audited period, and refuses bad ones', async () => {
    const reg = await created(await operator.call('POST', `/v1/providers/services/${ids.aozoraIaas}/registrations`, { registrationNumber: 'C25-0101-1', ...AUDIT }));
    expect(reg).toMatchObject({ registrationNumber: 'C25-0101-1', validUntil: VALID_UNTIL, inForceUntil: VALID_UNTIL, status: 'valid', on: TODAY });
    ids.aozoraReg = reg.id;
    ids.hokutoReg = (await created(await operator.call('POST', `/v1/providers/services/${ids.hokutoSaas}/registrations`, { registrationNumber: 'C25-0102-1', ...AUDIT }))).id;
    ids.exampleReg = (await created(await operator.call('POST', `/v1/providers/services/${ids.exampleIaas}/registrations`, { registrationNumber: 'C25-0103-1', ...AUDIT }))).id;

    const before = await counts();
    const send = (body: object) => operator.call('POST', `/v1/providers/services/${ids.aozoraIaas}/registrations`, { registrationNumber: 'C25-9999-1', ...AUDIT, ...body });
    expectProblem(await send({ auditPeriodStart: addDays(AUDIT.auditPeriodEnd, -366) }), 422, 'registration_refused', ['audit_period_too_long']);
    expectProblem(
      await send({ auditPeriodStart: addDays(TODAY, -1200), auditPeriodEnd: addDays(TODAY, -900), listedOn: addDays(TODAY, -850) }),
      422,
      'registration_refused',
      ['registration_lapsed'],
    );
    expectProblem(await send({ listedOn: addDays(TODAY, 1) }), 422, 'registration_refused', ['not_in_future']);
    expectProblem(await send({ auditPeriodEnd: '2025-02-30' }), 400, 'validation_failed');
    expectProblem(await send({ registrationNumber: 'C25-0101-1' }), 409, 'already_exists');
    expectProblem(await operator.call('POST', '/v1/providers/services/00000000-0000-4000-8000-000000000000/registrations', { registrationNumber: 'C1', ...AUDIT }), 404, 'not_found');
    expect(await counts()).toEqual(before);

    const shown = await operator.call('GET', `/v1/providers/${ids.aozora}?on=${addDays(VALID_UNTIL, 1)}`);
    expect(shown.body.registrations).toEqual([expect.objectContaining({ id: ids.aozoraReg, status: 'expired' })]);
    const listing = await operator.call('GET', `/v1/providers/registrations?serviceId=${ids.hokutoSaas}`);
    expect(listing.body.items.map((r: { registrationNumber: string }) => r.registrationNumber)).toEqual(['C25-0102-1']);
  });

  it('registers a joint proposal: a lead, a registered partner, whose service meets which requirement', async () => {
    const proposal = await created(
      await operator.call('POST', '/v1/providers/joint-proposals', {
        name: '北斗・Example 共同提案',
        leadProviderId: ids.hokuto,
        serviceIds: [ids.hokutoSaas, ids.exampleIaas],
        assignments: [
          { requirementId: 'sec-01', serviceId: ids.exampleIaas },
          { requirementId: 'leg-01', serviceId: ids.hokutoSaas },
        ],
      }),
    );
    expect(proposal).toMatchObject({ leadProviderId: ids.hokuto, proposedOn: TODAY });
    expect(proposal.services).toEqual(
      expect.arrayContaining([
        { serviceId: ids.hokutoSaas, providerId: ids.hokuto, registrationId: ids.hokutoReg },
        { serviceId: ids.exampleIaas, providerId: ids.example, registrationId: ids.exampleReg },
      ]),
    );
    expect(proposal.assignments).toEqual([
      { requirementId: 'leg-01', serviceId: ids.hokutoSaas },
      { requirementId: 'sec-01', serviceId: ids.exampleIaas },
    ]);
    expect((await operator.call('GET', `/v1/providers/joint-proposals/${proposal.id}`)).body).toEqual(proposal);
    expect((await operator.call('GET', '/v1/providers/joint-proposals')).body.items).toHaveLength(1);
  });

  it('refuses a joint proposal with a partner without a registration, or an expired one, and other bad ones, writing nothing', async () => {
    const unregistered = (await created(await operator.call('POST', `/v1/providers/${ids.example}/services`, { name: 'Example Storage', model: 'PaaS' }))).id;
    const lapsed = (await created(await operator.call('POST', `/v1/providers/${ids.example}/services`, { name: 'Example Legacy', model: 'IaaS' }))).id;
    // An expired registration, as the API would refuse to enter it.
    await adminQuery(
      tp,
      'control',
      `INSERT INTO control.service_registrations (service_id, registration_number, audit_period_start, audit_period_end, listed_on) VALUES ($1, 'C20-0001-1', $2, $3, $4)`,
      [lapsed, addDays(TODAY, -1200), addDays(TODAY, -900), addDays(TODAY, -850)],
    );
    const before = await counts();
    const propose = (body: object) =>
      operator.call('POST', '/v1/providers/joint-proposals', { name: '共同提案', leadProviderId: ids.hokuto, serviceIds: [ids.hokutoSaas, ids.exampleIaas], assignments: [], ...body });

    const refused = await propose({ serviceIds: [ids.hokutoSaas, unregistered, lapsed] });
    expectProblem(refused, 422, 'joint_proposal_refused');
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ field: 'body/serviceIds/1', rule: 'registration_missing' }),
      expect.objectContaining({ field: 'body/serviceIds/2', rule: 'registration_expired' }),
    ]);
    // The lead's services alone are not a joint proposal.
    const lonely = (await created(await operator.call('POST', `/v1/providers/${ids.hokuto}/services`, { name: '北斗 基盤', model: 'IaaS' }))).id;
    await adminQuery(
      tp,
      'control',
      `INSERT INTO control.service_registrations (service_id, registration_number, audit_period_start, audit_period_end, listed_on) VALUES ($1, 'C25-0104-1', $2, $3, $4)`,
      [lonely, AUDIT.auditPeriodStart, AUDIT.auditPeriodEnd, AUDIT.listedOn],
    );
    const beforeNoPartner = await counts();
    expectProblem(await propose({ serviceIds: [ids.hokutoSaas, lonely] }), 422, 'joint_proposal_refused', ['no_partner']);
    expectProblem(await propose({ leadProviderId: '00000000-0000-4000-8000-000000000000' }), 400, 'validation_failed', ['known']);
    expectProblem(await propose({ assignments: [{ requirementId: 'zzz-999', serviceId: ids.exampleIaas }] }), 422, 'joint_proposal_refused', ['unknown_requirement']);
    expectProblem(await propose({ assignments: [{ requirementId: 'sec-01', serviceId: ids.aozoraIaas }] }), 400, 'validation_failed', ['in_proposal']);
    expectProblem(await propose({ serviceIds: [ids.hokutoSaas, ids.hokutoSaas] }), 400, 'validation_failed', ['unique']);
    expect(await counts()).toEqual(beforeNoPartner);
    expect(beforeNoPartner.joint_proposals).toBe(before.joint_proposals);
  });
});

describe('cells and placement', () => {
  it("declares where cells run: a fact, accepted even outside Japan, with what it means for placing", async () => {
    const a = await operator.call('PUT', '/v1/cells/cell-a/location', { serviceId: ids.aozoraIaas, regionId: ids.aozoraEast });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body).toMatchObject({
      cellId: 'cell-a',
      location: { provider: { id: ids.aozora, name: '青空クラウド株式会社' }, service: { id: ids.aozoraIaas, model: 'IaaS' }, region: { code: 'jp-east-1', locations: ['13', '11'] } },
      placement: { dataClass: 'my_number', on: TODAY, allowed: false, reasons: ['not_certified_for_class'] },
    });
    const b = await operator.call('PUT', '/v1/cells/cell-b/location', { serviceId: ids.aozoraIaas, regionId: ids.aozoraSingapore });
    expect(b.body.placement.reasons).toEqual(['region_outside_japan', 'not_certified_for_class']);
    expect((await operator.call('GET', '/v1/cells/cell-c/location')).body).toMatchObject({ location: null, placement: { allowed: false, reasons: ['cell_undeclared'] } });

    const before = await counts();
    expectProblem(await operator.call('PUT', '/v1/cells/cell-c/location', { serviceId: ids.aozoraIaas, regionId: ids.exampleTokyo }), 400, 'validation_failed', ['same_provider']);
    expectProblem(await operator.call('PUT', '/v1/cells/cell-z/location', { serviceId: ids.aozoraIaas, regionId: ids.aozoraEast }), 404, 'not_found');
    expect(await counts()).toEqual(before);
  });

  it('refuses placing a municipality on an undeclared cell, a cell outside Japan, or one not certified; nothing is placed', async () => {
    const before = await counts();
    const undeclared = await operator.call('PUT', `/v1/placements/${CHIYODA}`, { cellId: 'cell-c' });
    expectProblem(undeclared, 422, 'placement_refused');
    expect(undeclared.body.errors).toEqual([expect.objectContaining({ field: 'body/cellId', rule: 'cell_undeclared' })]);
    const abroad = await operator.call('PUT', `/v1/placements/${CHIYODA}`, { cellId: 'cell-b' });
    expectProblem(abroad, 422, 'placement_refused', ['region_outside_japan', 'not_certified_for_class']);
    expectProblem(await operator.call('PUT', `/v1/placements/${CHIYODA}`, { cellId: 'cell-a' }), 422, 'placement_refused', ['not_certified_for_class']);
    expect(await counts()).toEqual(before);
    // The refusals are evidence.
    const refusals = (await readAuditEntries<Entry>(tp)).filter((e) => e.kind === 'placement_set' && e.outcome.result === 'refused');
    expect(refusals).toHaveLength(3);
    expect(refusals[0]).toMatchObject({ municipality: CHIYODA, outcome: { reason: 'placement_refused' }, records: [{ resource: 'cells', ids: ['cell-c'] }] });
  });

  it('places once the service is certified for My Number data; an expired registration is refused', async () => {
    const certification = await recordCertification(tp.platform.control, {
      serviceId: ids.aozoraIaas!,
      dataClass: 'my_number',
      status: 'certified',
      expiresOn: VALID_UNTIL,
      basis: 'テスト用の判定',
      decidedBy: null,
    });
    ids.certification = certification.id;
    const placed = await operator.call('PUT', `/v1/placements/${CHIYODA}`, { cellId: 'cell-a' });
    expect(placed.status, JSON.stringify(placed.body)).toBe(200);
    expect(placed.body).toMatchObject({ municipalityCode: CHIYODA, cellId: 'cell-a' });
    expect((await operator.call('GET', '/v1/cells/cell-a/location')).body.placement).toEqual({ dataClass: 'my_number', on: TODAY, allowed: true, reasons: [], coveredUntil: VALID_UNTIL });
    const certs = await operator.call('GET', `/v1/providers/certifications?serviceId=${ids.aozoraIaas}&current=true`);
    expect(certs.body.items).toEqual([expect.objectContaining({ id: certification.id, status: 'certified', dataClass: 'my_number', expiresOn: VALID_UNTIL })]);

    // cell-c on a service whose registration lapsed (entered as the API would refuse), though certified.
    const legacy = (await created(await operator.call('POST', `/v1/providers/${ids.example}/services`, { name: 'Example Old Compute', model: 'IaaS' }))).id;
    await adminQuery(
      tp,
      'control',
      `INSERT INTO control.service_registrations (service_id, registration_number, audit_period_start, audit_period_end, listed_on) VALUES ($1, 'C20-0002-1', $2, $3, $4)`,
      [legacy, addDays(TODAY, -1200), addDays(TODAY, -900), addDays(TODAY, -850)],
    );
    await recordCertification(tp.platform.control, { serviceId: legacy, dataClass: 'my_number', status: 'certified', expiresOn: addDays(TODAY, 100), decidedBy: null });
    expect((await operator.call('PUT', '/v1/cells/cell-c/location', { serviceId: legacy, regionId: ids.exampleTokyo })).status).toBe(200);
    expectProblem(await operator.call('PUT', `/v1/placements/${SAPPORO}`, { cellId: 'cell-c' }), 422, 'placement_refused', ['registration_expired']);
  });
});

describe('placement alerts', () => {
  it('announce the lapse of the registration within 90 days, with a dated plan, to the operator and the municipality', async () => {
    expect((await operator.call('GET', '/v1/providers/placement-alerts')).body.items).toEqual([]);
    const on = addDays(VALID_UNTIL, -30);
    const view = await operator.call('GET', `/v1/providers/placement-alerts?on=${on}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ on, withinDays: 90 });
    expect(view.body.items).toEqual([
      expect.objectContaining({
        municipalityCode: CHIYODA,
        cellId: 'cell-a',
        status: 'lapsing',
        reasons: ['registration_expired', 'certification_expired'],
        coveredUntil: VALID_UNTIL,
        lapsesOn: addDays(VALID_UNTIL, 1),
        daysLeft: 31,
        plan: expect.objectContaining({ deadline: VALID_UNTIL }),
        registrationIds: [ids.aozoraReg],
        certificationIds: [ids.certification],
      }),
    ]);
    expect(view.body.items[0].plan.steps.map((s: { code: string }) => s.code)).toEqual(['renew_registration', 'reassess_service', 'move_to_certified_cell']);

    const lapsed = await operator.call('GET', `/v1/providers/placement-alerts?on=${addDays(VALID_UNTIL, 1)}`);
    expect(lapsed.body.items).toEqual([expect.objectContaining({ status: 'lapsed', lapsesOn: addDays(VALID_UNTIL, 1), daysLeft: 0 })]);

    // The municipality sees its own alert; another sees none of it.
    const own = await chiyodaAdmin.call('GET', `/v1/municipality/placement-alerts?on=${on}`);
    expect(own.status).toBe(200);
    expect(own.body.items).toEqual([expect.objectContaining({ municipalityCode: CHIYODA, status: 'lapsing', lapsesOn: addDays(VALID_UNTIL, 1) })]);
    expect((await sapporoAdmin.call('GET', `/v1/municipality/placement-alerts?on=${on}`)).body.items).toEqual([]);
  });

  it('the check records each alert in the audit log for its municipality', async () => {
    const on = addDays(VALID_UNTIL, -10);
    const check = await operator.call('POST', '/v1/providers/placement-alerts/check', { on });
    expect(check.status).toBe(200);
    expect(check.body.items).toHaveLength(1);
    const alerts = (await readAuditEntries<Entry>(tp)).filter((e) => e.kind === 'placement_alert');
    expect(alerts).toEqual([
      expect.objectContaining({
        municipality: CHIYODA,
        outcome: { result: 'success', reason: null },
        records: [
          { resource: 'cells', ids: ['cell-a'] },
          { resource: 'service_registrations', ids: [ids.aozoraReg] },
          { resource: 'certifications', ids: [ids.certification] },
          { resource: 'placement_checks', ids: [on] },
          { resource: 'placement_alerts', ids: [`lapsing:${addDays(VALID_UNTIL, 1)}`] },
        ],
      }),
    ]);
    expect(alerts[0]!.actor.account).toBeTruthy();
  });

  it('a pending renewal keeps the registration: only the certification is left to renew', async () => {
    const before = await counts();
    expectProblem(await operator.call('PUT', `/v1/providers/registrations/${ids.aozoraReg}/renewal`, { pending: true, on: addDays(TODAY, 1) }), 422, 'registration_refused', ['not_in_future']);
    expectProblem(await operator.call('PUT', `/v1/providers/registrations/${ids.aozoraReg}/renewal`, { pending: false, on: TODAY }), 409, 'conflict');
    expect(await counts()).toEqual(before);
    const renewal = await operator.call('PUT', `/v1/providers/registrations/${ids.aozoraReg}/renewal`, { pending: true, on: TODAY });
    expect(renewal.status, JSON.stringify(renewal.body)).toBe(200);
    expect(renewal.body).toMatchObject({ renewalPendingSince: TODAY, status: 'renewal_pending', inForceUntil: null });
    expectProblem(await operator.call('PUT', `/v1/providers/registrations/${ids.aozoraReg}/renewal`, { pending: true, on: TODAY }), 409, 'conflict');

    const view = await operator.call('GET', `/v1/providers/placement-alerts?on=${addDays(VALID_UNTIL, -30)}`);
    expect(view.body.items).toEqual([expect.objectContaining({ status: 'lapsing', reasons: ['certification_expired'] })]);
    expect(view.body.items[0].plan.steps.map((s: { code: string }) => s.code)).toEqual(['reassess_service', 'move_to_certified_cell']);
  });

  it('a withdrawn registration: the placement stays, the alert says lapsed, and no one else is placed there', async () => {
    const withdrawn = await operator.call('POST', `/v1/providers/registrations/${ids.aozoraReg}/withdrawal`, { on: TODAY, reason: '監査で重大な不備が判明したため' });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect(withdrawn.body).toMatchObject({ withdrawnOn: TODAY, status: 'withdrawn' });
    expectProblem(await operator.call('POST', `/v1/providers/registrations/${ids.aozoraReg}/withdrawal`, { on: TODAY, reason: '再度' }), 409, 'conflict');

    const own = await chiyodaAdmin.call('GET', '/v1/municipality/placement-alerts');
    expect(own.body.items).toEqual([expect.objectContaining({ status: 'lapsed', reasons: ['registration_withdrawn'], lapsesOn: TODAY })]);
    expect(own.body.items[0].plan.steps[0].code).toBe('move_now');
    // Never moved by this module: still placed where it was, and its requests still go there.
    expect((await operator.call('GET', '/v1/placements')).body.items).toEqual([expect.objectContaining({ municipalityCode: CHIYODA, cellId: 'cell-a' })]);
    expect((await chiyodaAdmin.call('GET', '/v1/offices')).status).toBe(200);
    expectProblem(await operator.call('PUT', `/v1/placements/${YOKOHAMA}`, { cellId: 'cell-a' }), 422, 'placement_refused', ['registration_withdrawn']);
  });
});

describe('access and audit', () => {
  it('admits only the platform operator to the registry, and the municipality to its own alerts', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    for (const [method, url, body] of [
      ['GET', '/v1/providers', undefined],
      ['POST', '/v1/providers', { name: 'x', corporateNumber: corporateNumber('099999000009'), headquartersCountry: 'JP' }],
      ['GET', '/v1/providers/placement-alerts', undefined],
      ['PUT', '/v1/cells/cell-a/location', { serviceId: ids.aozoraIaas, regionId: ids.aozoraEast }],
    ] as const) {
      expect((await chiyodaAdmin.call(method, url, body)).status, url).toBe(403);
    }
    expect((await clerk.call('GET', '/v1/municipality/placement-alerts')).status).toBe(403);
    expect((await operator.call('GET', '/v1/municipality/placement-alerts')).status).toBe(403);
  });

  it('audits every write of the registry, naming what it wrote', async () => {
    const entries = await readAuditEntries<Entry>(tp);
    const registry = entries.filter((e) => e.kind === 'provider_registry_changed');
    expect(registry.every((e) => e.municipality === null && e.outcome.result === 'success' && e.actor.account)).toBe(true);
    const named = (resource: string) => registry.flatMap((e) => e.records.filter((r) => r.resource === resource).flatMap((r) => r.ids));
    expect(named('providers')).toEqual(expect.arrayContaining([ids.aozora, ids.hokuto, ids.example]));
    expect(named('provider_regions')).toEqual(expect.arrayContaining([ids.aozoraEast, ids.aozoraSingapore, ids.exampleTokyo]));
    expect(named('joint_proposals')).toHaveLength(1);
    // Listing, renewal and withdrawal of the registration.
    expect(named('service_registrations').filter((id) => id === ids.aozoraReg)).toHaveLength(3);
    const declared = entries.filter((e) => e.kind === 'cell_location_declared');
    expect(declared.map((e) => e.records[0]!.ids[0])).toEqual(['cell-a', 'cell-b', 'cell-c']);
    expect(entries.filter((e) => e.kind === 'placement_set' && e.outcome.result === 'success')).toEqual([
      expect.objectContaining({ municipality: CHIYODA, records: [{ resource: 'cells', ids: ['cell-a'] }] }),
    ]);
  });
});
