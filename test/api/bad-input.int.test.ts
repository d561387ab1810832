/**
 * Bad input at the edge: every route that takes a body is sent malformed JSON,
 * wrong shapes, unknown fields, wrong types, control and private-use characters
 * and oversized bodies. Each gets a 4xx problem naming the field and the rule,
 * nothing is written, and the server keeps serving.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/identity/roles.js';
import { describeRoute, type RegisteredRoute } from '../../src/platform/http/access.js';
import { INCOME_RECORDS_BODY_LIMIT } from '../../src/operations/residential-tax/routes.js';
import { OSCAL_BODY_LIMIT } from '../../src/providers/catalog/routes.js';
import { LEGAL_PURPOSES } from '../../src/security/access/purposes.js';
import { call, CHIYODA, newSession, placeInMyNumberZone, type Session } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';

const SOME_ID = '00000000-0000-4000-8000-000000000000';
const ADDRESS = { postalCode: null, prefecture: '東京都', municipality: '千代田区', town: '千代田一丁目', block: '1番1号', building: null };
const FLAGS = { nationalHealthInsurance: false, lateStageElderlyMedical: false, longTermCare: false, nationalPension: false, childAllowance: false, electoralRoll: false };
const PERSON = {
  name: { family: '山田', given: '太郎', familyKana: 'ヤマダ', givenKana: 'タロウ' },
  dateOfBirth: '1980-01-01',
  sex: 'male',
  relationship: '世帯主',
  domicile: null,
  myNumber: null,
  residentCode: null,
  flags: FLAGS,
  foreign: null,
};
const ENROLMENT = { eventDate: '2026-04-01', previousResidence: { kind: 'domestic', address: ADDRESS }, household: { kind: 'new', address: ADDRESS }, persons: [PERSON] };
const DEPARTURE = { eventDate: '2026-04-01', residentIds: [SOME_ID], destination: { kind: 'domestic', address: ADDRESS } };
const RESIDENT_REGISTER_BODIES: Record<string, Record<string, unknown>> = {
  'POST /v1/resident-changes/move-in': ENROLMENT,
  'POST /v1/resident-changes/return-from-abroad': { ...ENROLMENT, previousResidence: { kind: 'abroad', country: 'US', text: 'Seattle' } },
  'POST /v1/resident-changes/entry-by-authority': ENROLMENT,
  'POST /v1/resident-changes/birth': { eventDate: '2026-04-01', householdId: SOME_ID, person: { ...PERSON, relationship: '子', dateOfBirth: '2026-04-01' } },
  'POST /v1/resident-changes/move-within': { eventDate: '2026-04-01', residentIds: [SOME_ID], destination: { kind: 'same_household', address: ADDRESS } },
  'POST /v1/resident-changes/move-out': DEPARTURE,
  'POST /v1/resident-changes/move-abroad': { ...DEPARTURE, destination: { kind: 'abroad', country: 'US', text: 'Seattle' } },
  'POST /v1/resident-changes/death': { eventDate: '2026-04-01', residentIds: [SOME_ID] },
  'POST /v1/resident-changes/removal-by-authority': { eventDate: '2026-04-01', residentIds: [SOME_ID], reasonCode: 'not_living_here' },
  'POST /v1/resident-changes/household-change': { eventDate: '2026-04-01', reasonCode: 'change_of_head', householdId: SOME_ID, headId: SOME_ID, members: [] },
  'POST /v1/residents/:id/corrections': { eventDate: '2026-04-01', reasonCode: 'clerical_error', fields: { sex: 'female' } },
  'POST /v1/move-out-certificates/:number/cancellation': { eventDate: '2026-04-01' },
  'POST /v1/residents/search': { kana: 'ヤマダ' },
  'PUT /v1/residents/:id/support-measure': { since: '2026-04-01', until: null },
  'POST /v1/certificates': { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [SOME_ID], options: { myNumber: false } },
  'POST /v1/certificates/:number/revocation': { reasonCode: 'issued_in_error' },
  'PUT /v1/municipality/certificate-issuer': { mayorTitle: '千代田区長', mayorName: '千代田 太郎' },
  'POST /v1/certificate-verifications': { code: 'MC1.AAAA.BBBB' },
};
/** The declared purpose a My Number route needs (one of its operation's legal purposes). */
const purposeFor = (route: RegisteredRoute): Record<string, string> =>
  route.access?.myNumber ? { 'municloud-purpose': LEGAL_PURPOSES[route.access.myNumber.operation][0]!.code } : {};

/** A valid body for each route that takes one; a new body route without one here fails the suite. */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  'POST /v1/auth/login': { organizationCode: CHIYODA, loginName: 'clerk', password: 'whatever-it-is' },
  'POST /v1/auth/login/mfa': { challenge: `mcc_${'A'.repeat(43)}`, code: '123456' },
  'POST /v1/auth/mfa/totp/activate': { code: '123456' },
  'PUT /v1/auth/password': { currentPassword: 'old-password-here', newPassword: 'new-password-here' },
  'POST /v1/auth/tokens': { name: 'batch', expiresInDays: 30 },
  'POST /v1/accounts': { organizationCode: CHIYODA, loginName: 'new.clerk', displayName: '窓口', roles: ['clerk'], password: 'correct horse battery' },
  'PUT /v1/leak-guard/limits': { perAccountPerHour: 100, perMunicipalityPerHour: 1000 },
  'PUT /v1/network-zones': { ranges: [{ zone: 'my_number', cidr: '10.20.0.0/16' }] },
  'PUT /v1/placements/:code': { cellId: 'cell-a' },
  'POST /v1/offices': { kind: 'counter', name: '出張所', nameKana: 'シュッチョウジョ', address: '東京都千代田区' },
  'POST /v1/linkage/subscriptions/:id/dead-letters/replay': { eventIds: [SOME_ID] },
  'POST /v1/inter-municipal/move-out-records': { fromMunicipality: '011002', certificateNumber: 'T2026-000001' },
  'POST /v1/linkage/subscriptions': { name: '国保システム', operation: 'national_health_insurance', purpose: 'nhi_premium', topics: ['resident_register.move_in'], fields: ['dateOfBirth'], consumerAccountId: SOME_ID },
  'PUT /v1/offices/:id': { kind: 'counter', name: '出張所', nameKana: 'シュッチョウジョ', version: 1 },
  'POST /v1/exports': { dataset: 'residents', filter: {}, purpose: 'statistics', reason: '年次統計のため' },
  'POST /v1/exports/:id/approve': { version: 1 },
  'POST /v1/exports/:id/reject': { version: 1 },
  'PUT /v1/nhi/settings': { subscriptionId: SOME_ID },
  'PUT /v1/nhi/premium-rates': {
    levy: 'premium',
    entries: [
      {
        fromFiscalYear: 2025,
        untilFiscalYear: null,
        medical: { incomeRateBp: 720, perCapita: 31000, perHousehold: 25000 },
        support: { incomeRateBp: 260, perCapita: 10000, perHousehold: 8000 },
        care: { incomeRateBp: 200, perCapita: 12000, perHousehold: 0 },
        rounding: 'each_part',
      },
    ],
  },
  'PUT /v1/child-allowance/settings': { subscriptionId: SOME_ID },
  'PUT /v1/residential-tax/settings': { subscriptionId: SOME_ID },
  'POST /v1/residential-tax/income-records': { records: [{ residentId: SOME_ID, fiscalYear: 2026, source: 'salary_report', income: { salary: 3000000 } }] },
  'POST /v1/child-allowance/claims': { claimantId: SOME_ID, claimedOn: '2026-04-10', olderChildren: [{ dateOfBirth: '2005-05-01' }] },
  'POST /v1/providers': { name: '青空クラウド株式会社', corporateNumber: '7000012050002', headquartersCountry: 'JP' },
  'POST /v1/providers/:providerId/services': { name: '青空 IaaS', model: 'IaaS' },
  'POST /v1/providers/:providerId/regions': { code: 'jp-east-1', name: '東日本リージョン', country: 'JP', jurisdiction: 'JP', locations: ['13', '大阪府'] },
  'POST /v1/providers/services/:serviceId/registrations': { registrationNumber: 'C25-0001-1', auditPeriodStart: '2025-04-01', auditPeriodEnd: '2026-03-31', listedOn: '2026-05-01' },
  'PUT /v1/providers/registrations/:registrationId/renewal': { pending: true, on: '2026-04-01' },
  'POST /v1/providers/registrations/:registrationId/withdrawal': { on: '2026-04-01', reason: '監査で不備が判明したため' },
  'POST /v1/providers/joint-proposals': {
    name: '共同提案',
    leadProviderId: SOME_ID,
    serviceIds: [SOME_ID, '00000000-0000-4000-8000-000000000001'],
    assignments: [{ requirementId: 'sec-01', serviceId: SOME_ID }],
  },
  'PUT /v1/cells/:cellId/location': { serviceId: SOME_ID, regionId: SOME_ID },
  'PUT /v1/data-stores/:storeId/location': { kind: 'backup', serviceId: SOME_ID, regionId: SOME_ID },
  'POST /v1/providers/placement-alerts/check': { on: '2026-04-01', withinDays: 90 },
  'POST /v1/providers/services/:serviceId/component-definitions': {
    'component-definition': { uuid: SOME_ID, metadata: { title: 'x', 'last-modified': '2026-03-01T00:00:00Z', version: '1', 'oscal-version': '1.2.1' } },
  },
  'POST /v1/providers/services/:serviceId/findings': { findings: [{ requirementId: 'sec-01', state: 'satisfied', assessedOn: '2026-04-01' }] },
  'POST /v1/providers/services/:serviceId/assessment-results': {
    'assessment-results': { uuid: SOME_ID, metadata: { title: 'x', 'last-modified': '2026-03-01T00:00:00Z', version: '1', 'oscal-version': '1.2.1' } },
  },
  'POST /v1/providers/services/:serviceId/certification-decisions': { dataClass: 'my_number' },
  ...RESIDENT_REGISTER_BODIES,
  'POST /v1/requirements/oscal-checks': { model: 'catalog', document: { catalog: {} } },
};

const CONTROL_CHARACTERS = ['\u0000', 'a\u0007b', '\u001b[31m赤', 'line\nbreak', 'del\u007f', 'c1\u0085'];
const PRIVATE_USE = ['\ue000', '外字\uf8ff', '\u{f0000}'];

let tp: TestPlatform;
const sessions = new Map<Role, Session>();

beforeAll(async () => {
  tp = await createTestPlatform();
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  sessions.set('municipal_admin', await newSession(tp, CHIYODA, ['municipal_admin']));
  sessions.set('clerk', await newSession(tp, CHIYODA, ['clerk']));
  sessions.set('platform_operator', await newSession(tp, '000001', ['platform_operator']));
  sessions.set('provider_assessor', await newSession(tp, '000001', ['provider_assessor']));
  await placeInMyNumberZone(tp, CHIYODA);
});
afterAll(async () => tp?.close());

function sessionFor(route: RegisteredRoute): Session | undefined {
  const roles = route.access?.roles;
  if (!roles || roles === 'public') return undefined;
  for (const role of roles) if (sessions.has(role)) return sessions.get(role);
  throw new Error(`no test session for ${describeRoute(route)}`);
}

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, url, table] of [
    ['accounts', tp.adminUrl('control'), 'control.accounts'],
    ['credentials', tp.adminUrl('control'), 'control.credentials'],
    ['placements', tp.adminUrl('control'), 'control.placements'],
    ['offices', tp.adminUrl('cell-a'), 'cell.offices'],
    ['bulk_exports', tp.adminUrl('cell-a'), 'cell.bulk_exports'],
    ['certificate_issuers', tp.adminUrl('control'), 'control.certificate_issuers'],
    ['issued_certificates', tp.adminUrl('cell-a'), 'cell.issued_certificates'],
    ['certificate_counters', tp.adminUrl('cell-a'), 'cell.certificate_counters'],
    ['nhi_premium_rates', tp.adminUrl('cell-a'), 'cell.nhi_premium_rates'],
    ['child_allowance_claims', tp.adminUrl('cell-a'), 'cell.child_allowance_claims'],
    ['child_allowance_claim_children', tp.adminUrl('cell-a'), 'cell.child_allowance_claim_children'],
    ['residential_tax_income_records', tp.adminUrl('cell-a'), 'cell.residential_tax_income_records'],
    ...(['providers', 'provider_services', 'provider_regions', 'service_registrations', 'joint_proposals', 'certifications', 'cell_locations',
      'component_definitions', 'component_definition_claims', 'assessment_findings', 'certification_bases'] as const).map(
      (t) => [t, tp.adminUrl('control'), `control.${t}`] as const,
    ),
  ] as const) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    out[name] = Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    await c.end();
  }
  return out;
}

const bodyRoutes = () => tp.app.municloudRoutes.filter((r) => r.bodySchema);
const urlOf = (route: RegisteredRoute) => route.url.replace(':code', '141003').replace(':number', 'T2026-000001').replace(/:[A-Za-z]+/g, SOME_ID);

function stringFields(schema: unknown): string[] {
  const props = (schema as { properties?: Record<string, { type?: string; anyOf?: { type?: string }[] }> }).properties ?? {};
  return Object.entries(props)
    .filter(([, s]) => s.type === 'string' || s.anyOf?.some((a) => a.type === 'string'))
    .map(([k]) => k);
}

function expectProblem(res: { status: number; body: any; headers: Record<string, unknown> }, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.message.ja).toBeTruthy();
  expect(res.body.message.en).toBeTruthy();
  if (code) expect(res.body.code).toBe(code);
}

describe('bad input', () => {
  it('every body route has a valid sample here', () => {
    expect(bodyRoutes().map(describeRoute).filter((r) => !VALID_BODIES[r])).toEqual([]);
    // And every sample names a route that exists: a route dropped by mistake fails here.
    const routes = new Set(bodyRoutes().map(describeRoute));
    expect(Object.keys(VALID_BODIES).filter((r) => !routes.has(r))).toEqual([]);
  });

  it('is refused with a problem naming the field and rule, and nothing is written', async () => {
    const before = await counts();
    for (const route of bodyRoutes()) {
      const key = describeRoute(route);
      const valid = VALID_BODIES[key]!;
      const token = sessionFor(route)?.token;
      const send = (body: unknown, headers?: Record<string, string>) =>
        call(tp.app, route.method, urlOf(route), { ...(token ? { token } : {}), body, headers: { ...purposeFor(route), ...headers } });

      expectProblem(await send('{"kind": '), 400, 'malformed_json');
      for (const shape of ['[]', '"text"', '42', 'null']) expectProblem(await send(shape), 400);
      const unknown = await send({ ...valid, isAdmin: true });
      expectProblem(unknown, 400, 'validation_failed');
      expect(unknown.body.errors).toContainEqual(expect.objectContaining({ field: 'body/isAdmin', rule: 'unknown_field' }));
      expectProblem(await send(JSON.stringify(valid), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
      // Over the platform's limit, and over the largest a route sets for itself (a batch of income records, an OSCAL document).
      expectProblem(await send({ ...valid, padding: 'x'.repeat(Math.max(tp.config.bodyLimitBytes, INCOME_RECORDS_BODY_LIMIT, OSCAL_BODY_LIMIT)) }), 413, 'body_too_large');

      for (const field of stringFields(route.bodySchema)) {
        for (const bad of [...CONTROL_CHARACTERS, ...PRIVATE_USE, 12345, 'x'.repeat(5000), { nested: 'object' }]) {
          const res = await send({ ...valid, [field]: bad });
          expect(res.status, `${key} ${field}=${JSON.stringify(bad).slice(0, 20)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${key} ${field}`).toBeLessThan(500);
          if (res.body.code === 'validation_failed') {
            expect(res.body.errors.map((e: { field: string }) => e.field), `${key} ${field}`).toContain(`body/${field}`);
          }
          // The value that was sent is never echoed back.
          if (typeof bad === 'string' && bad.length > 2) expect(JSON.stringify(res.body)).not.toContain(bad);
        }
      }
    }
    expect(await counts()).toEqual(before);
    expect((await call(tp.app, 'GET', '/healthz')).status).toBe(200);
  });

  it('refuses bad path and query parameters, naming them', async () => {
    const clerk = sessions.get('clerk')!;
    const badId = await clerk.call('GET', '/v1/offices/not-a-uuid');
    expectProblem(badId, 400, 'validation_failed');
    expect(badId.body.errors[0]).toMatchObject({ field: 'params/id', rule: 'format' });
    for (const q of ['limit=0', 'limit=abc', 'limit=1000', 'kind=palace', 'cursor=%00', `q=${encodeURIComponent('\u0000')}`]) {
      const res = await clerk.call('GET', `/v1/offices?${q}`);
      expectProblem(res, 400);
      expect(res.body.errors[0].field).toMatch(/^querystring\//);
    }
    expectProblem(await clerk.call('GET', '/v1/offices?cursor=abc.def'), 400, 'invalid_cursor');
    expectProblem(await clerk.call('GET', '/v1/organizations/12345'), 400, 'invalid_organization_code');
    expectProblem(await clerk.call('GET', '/v1/nowhere'), 404, 'route_not_found');
  });

  it('stores any well-formed text verbatim (normalized) and never fails on it (property)', async () => {
    const admin = sessions.get('municipal_admin')!;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.constantFrom("'; DROP TABLE cell.offices; --", '%', '_', '\\'), async (text, sql) => {
        const name = `${text}${sql}`;
        const res = await admin.call('POST', '/v1/offices', { kind: 'counter', name, nameKana: 'テスト' });
        expect(res.status).toBeLessThan(500);
        if (res.status === 201) {
          const read = await admin.call('GET', `/v1/offices/${res.body.id}`);
          expect(read.body.name).toBe(name.normalize('NFKC').replace(/\s+/g, ' ').trim());
          expect((await admin.call('DELETE', `/v1/offices/${res.body.id}`)).status).toBe(204);
        } else {
          expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('body/name');
        }
      }),
      { numRuns: 60 },
    );
  });
});
