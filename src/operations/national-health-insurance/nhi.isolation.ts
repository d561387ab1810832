/**
 * How the isolation suite exercises the NHI routes (test/isolation). A record
 * is a resident moved in with the NHI flag set, whose membership the linkage
 * consumer then opens; its id is the resident's. The municipality's admin
 * first declares the subscription NHI reads with and sets it (once per
 * municipality). Another municipality's member can be neither read nor found
 * in the listing (by household, open or not, page), nor their household's
 * premium, answered exactly as an id never insured. Each municipality's admin
 * sets its own rate table.
 */
import fc from 'fast-check';
import type { CaseContext, IsolationCase, Probe } from '../../../test/isolation/case.js';
import { expect2xx, operationFeedSetUp } from '../../../test/isolation/operation-feed.js';
import type { Session } from '../../../test/support/api.js';
import { moveInAlone, newcomers, type Newcomer } from '../../resident-register/resident-register.isolation.js';
import { applyNhiEvents } from './consumer.js';
import { EXAMPLE_RATE_TABLE } from './premium.js';
import { NHI_REQUIRED_FIELDS, NHI_REQUIRED_TOPICS } from './register-events.js';

const HEADERS = { 'municloud-purpose': 'nhi_eligibility' } as const;
const FILING = { 'municloud-purpose': 'residency_change' } as const;
// Under 75 on the move-in date: a flagged newcomer of 75 or more is not insured by NHI.
const person: fc.Arbitrary<Newcomer> = newcomers({ bornFrom: '1955-01-01' });

const HOME = { postalCode: null, prefecture: '東京都', municipality: '千代田区', town: '千代田一丁目', block: '1番1号', building: null };
const FLAGS = { nationalHealthInsurance: true, lateStageElderlyMedical: false, longTermCare: false, nationalPension: false, childAllowance: false, electoralRoll: false };


/** The admin declares NHI's subscription for a receiving-system account and sets it, and sets the rate table: once per municipality. */
const ensureSettings = operationFeedSetUp({
  operation: 'national_health_insurance',
  purpose: 'nhi_eligibility',
  topics: NHI_REQUIRED_TOPICS,
  fields: NHI_REQUIRED_FIELDS,
  settingsPath: '/v1/nhi/settings',
  systemName: '国保システム',
  async more(admin) {
    // The rate table (not personal data, but the municipality's own): each municipality sets and reads its own.
    expect2xx(await admin.call('PUT', '/v1/nhi/premium-rates', { levy: 'premium', entries: EXAMPLE_RATE_TABLE.entries }), 'nhi rates');
    expect2xx(await admin.call('GET', '/v1/nhi/premium-rates'), 'nhi rates read');
  },
});

/** Each member's household, for the premium probe (a record's id is its resident's). */
const householdOf = new Map<string, string>();

async function create(session: Session, p: Newcomer, context: CaseContext): Promise<string> {
  await ensureSettings(context);
  const { residentId, householdId } = await moveInAlone(session, p, HOME, FILING, FLAGS);
  householdOf.set(residentId, householdId);
  // The membership comes from the linkage consumer, once the event is final on the server (other tests' transactions may hold it back a moment).
  for (let i = 0; i < 400; i++) {
    await applyNhiEvents(context.platform);
    if ((await session.call('GET', `/v1/nhi/members/${residentId}`)).status === 200) return residentId;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the membership did not appear');
}

export const nhiIsolation: IsolationCase<Newcomer> = {
  name: 'nhi members',
  writer: 'clerk',
  readers: ['auditor'],
  headers: HEADERS,
  // Each record waits for the consumer, and every request is audited: a few runs suffice.
  numRuns: 3,
  record: person,
  create,
  byId: (id): Probe[] => [
    { method: 'GET', url: `/v1/nhi/members/${id}` },
    // A resident's id is no household's: the listing answers empty either way (coverage of the filter).
    { method: 'GET', url: `/v1/nhi/members?householdId=${id}` },
    // The member's household (moved in on 2026-04-01): another municipality's answers as one nobody was insured in.
    { method: 'GET', url: `/v1/nhi/households/${householdOf.get(id) ?? id}/premium?fiscalYear=2026` },
  ],
  searches: () => [
    { method: 'GET', url: '/v1/nhi/members?openOnly=true' },
    { method: 'GET', url: '/v1/nhi/members?openOnly=false&limit=1' },
  ],
  collection: '/v1/nhi/members',
};
