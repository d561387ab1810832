/**
 * How the isolation suite exercises the residential tax routes (test/isolation).
 * A record is a resident who moved in before 1 January 2026, whom the linkage
 * consumer puts on the roster, with an income record a clerk enters, assessed
 * by the batch for FY2026; its id is the resident's. The municipality's admin
 * first declares the subscription the roster is fed with and sets it (once per
 * municipality). Another municipality's taxpayer can be neither read, found in
 * the listing or the runs, nor given an income record: answered exactly as an
 * id never resident here.
 */
import fc from 'fast-check';
import type { CaseContext, IsolationCase, Probe } from '../../../test/isolation/case.js';
import { expect2xx, operationFeedSetUp } from '../../../test/isolation/operation-feed.js';
import type { Session } from '../../../test/support/api.js';
import { newcomers, type Newcomer } from '../../resident-register/resident-register.isolation.js';
import { assessMunicipality } from './batch.js';
import { applyResidentialTaxEvents } from './consumer.js';
import { RESIDENTIAL_TAX_REQUIRED_FIELDS, RESIDENTIAL_TAX_REQUIRED_TOPICS } from './roster-events.js';

const FY = 2026;
const HEADERS = { 'municloud-purpose': 'tax_assessment' } as const;
const FILING = { 'municloud-purpose': 'residency_change' } as const;
// Resident on 1 January 2026: born, and moved in, before it.
const person: fc.Arbitrary<Newcomer> = newcomers({ bornFrom: '1940-01-01' }).filter((p) => p.dateOfBirth <= '2025-03-31');

const HOME = { postalCode: null, prefecture: '東京都', municipality: '千代田区', town: '千代田一丁目', block: '1番1号', building: null };
const PREVIOUS = { kind: 'domestic', address: { postalCode: null, prefecture: '北海道', municipality: '札幌市中央区', town: '北一条西二丁目', block: '1番地', building: null } };
const FLAGS = { nationalHealthInsurance: false, lateStageElderlyMedical: false, longTermCare: false, nationalPension: false, childAllowance: false, electoralRoll: false };


const incomeRecord = (residentId: string) => ({ records: [{ residentId, fiscalYear: FY, source: 'salary_report', income: { salary: 3_000_000 }, deductions: { socialInsurance: 450_000 } }] });

/** The admin declares the roster's subscription for a receiving-system account and sets it: once per municipality. */
const ensureSettings = operationFeedSetUp({
  operation: 'residential_tax',
  purpose: 'tax_assessment',
  topics: RESIDENTIAL_TAX_REQUIRED_TOPICS,
  fields: RESIDENTIAL_TAX_REQUIRED_FIELDS,
  settingsPath: '/v1/residential-tax/settings',
  systemName: '税務システム',
});

async function create(session: Session, p: Newcomer, context: CaseContext): Promise<string> {
  await ensureSettings(context);
  const moved = await session.call(
    'POST',
    '/v1/resident-changes/move-in',
    {
      eventDate: '2025-04-01',
      filedOn: '2025-04-02',
      previousResidence: PREVIOUS,
      household: { kind: 'new', address: HOME },
      persons: [
        {
          name: { family: p.family, given: p.given, familyKana: p.familyKana, givenKana: p.givenKana },
          dateOfBirth: p.dateOfBirth,
          sex: p.sex,
          relationship: '世帯主',
          domicile: null,
          myNumber: null,
          residentCode: null,
          flags: FLAGS,
          foreign: null,
        },
      ],
    },
    FILING,
  );
  expect2xx(moved, 'move-in');
  const residentId = moved.body.residents[0].id as string;
  // On the roster once the consumer has applied the event (final on the server once older transactions end): the income record is then taken.
  for (let i = 0; ; i++) {
    await applyResidentialTaxEvents(context.platform);
    const res = await session.call('POST', '/v1/residential-tax/income-records', incomeRecord(residentId));
    if (res.status === 201) break;
    if (i >= 400 || res.status !== 422) throw new Error(`income record: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // A new run each time, so that this record is assessed too.
  const report = await assessMunicipality(context.platform, { municipalityCode: session.organizationCode, fiscalYear: FY, livingCostClass: 1, reassess: true });
  if (!report.finished) throw new Error('the assessment did not finish');
  return residentId;
}

export const residentialTaxIsolation: IsolationCase<Newcomer> = {
  name: 'residential tax assessments',
  writer: 'clerk',
  readers: ['auditor'],
  headers: HEADERS,
  // Each record waits for the consumer and runs the batch: a few runs suffice.
  numRuns: 3,
  record: person,
  create,
  byId: (id): Probe[] => [
    { method: 'GET', url: `/v1/residential-tax/assessments/${id}?fiscalYear=${FY}` },
    // Another municipality's resident is unknown to this roster, exactly like an id never resident anywhere.
    { method: 'POST', url: '/v1/residential-tax/income-records', body: incomeRecord(id) },
  ],
  searches: () => [
    { method: 'GET', url: `/v1/residential-tax/assessments?fiscalYear=${FY}` },
    { method: 'GET', url: '/v1/residential-tax/assessments?outcome=assessed&limit=1' },
    { method: 'GET', url: `/v1/residential-tax/assessment-runs?fiscalYear=${FY}` },
  ],
  collection: '/v1/residential-tax/assessments',
};
