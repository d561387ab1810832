/**
 * How the isolation suite exercises the child-allowance routes
 * (test/isolation). A record is a claim: a parent moves in with a child, the
 * linkage consumer puts both in the module's roster, and a clerk records the
 * parent's claim; its id is the claim's. The municipality's admin first
 * declares the subscription the module reads with and sets it (once per
 * municipality). Another municipality's claim can be neither read nor found
 * in the listing (by household, open or not, page), answered exactly as an id
 * that does not exist.
 */
import fc from 'fast-check';
import type { CaseContext, IsolationCase, Probe } from '../../../test/isolation/case.js';
import { expect2xx, operationFeedSetUp } from '../../../test/isolation/operation-feed.js';
import type { Session } from '../../../test/support/api.js';
import { newcomers, type Newcomer } from '../../resident-register/resident-register.isolation.js';
import { applyChildAllowanceEvents } from './consumer.js';
import { CHILD_ALLOWANCE_REQUIRED_FIELDS, CHILD_ALLOWANCE_REQUIRED_TOPICS } from './register-events.js';

interface Family {
  readonly parent: Newcomer;
  readonly child: Newcomer;
}

const HEADERS = { 'municloud-purpose': 'child_allowance_eligibility' } as const;
const FILING = { 'municloud-purpose': 'residency_change' } as const;
// A parent of 26 to 56 on the move-in, a child of high-school age or younger.
const family: fc.Arbitrary<Family> = fc.record({ parent: newcomers({ bornFrom: '1970-01-01' }).filter((p) => p.dateOfBirth <= '2000-12-31'), child: newcomers({ bornFrom: '2012-01-01' }) });

const HOME = { postalCode: null, prefecture: '東京都', municipality: '千代田区', town: '千代田一丁目', block: '1番1号', building: null };
const PREVIOUS = { kind: 'domestic', address: { postalCode: null, prefecture: '北海道', municipality: '札幌市中央区', town: '北一条西二丁目', block: '1番地', building: null } };
const FLAGS = { nationalHealthInsurance: false, lateStageElderlyMedical: false, longTermCare: false, nationalPension: false, childAllowance: true, electoralRoll: false };


/** The admin declares the module's subscription for a receiving-system account and sets it: once per municipality. */
const ensureSettings = operationFeedSetUp({
  operation: 'child_allowance',
  purpose: 'child_allowance_eligibility',
  topics: CHILD_ALLOWANCE_REQUIRED_TOPICS,
  fields: CHILD_ALLOWANCE_REQUIRED_FIELDS,
  settingsPath: '/v1/child-allowance/settings',
  systemName: '児童手当システム',
});

const filed = (p: Newcomer, relationship: string) => ({
  name: { family: p.family, given: p.given, familyKana: p.familyKana, givenKana: p.givenKana },
  dateOfBirth: p.dateOfBirth,
  sex: p.sex,
  relationship,
  domicile: null,
  myNumber: null,
  residentCode: null,
  flags: FLAGS,
  foreign: null,
});

async function create(session: Session, f: Family, context: CaseContext): Promise<string> {
  await ensureSettings(context);
  const moved = await session.call(
    'POST',
    '/v1/resident-changes/move-in',
    {
      eventDate: '2026-04-01',
      filedOn: '2026-04-02',
      previousResidence: PREVIOUS,
      household: { kind: 'new', address: HOME },
      persons: [filed(f.parent, '世帯主'), filed({ ...f.child, family: f.parent.family, familyKana: f.parent.familyKana }, '子')],
    },
    FILING,
  );
  expect2xx(moved, 'move-in');
  const claimantId = moved.body.residents[0].id as string;
  // The roster comes from the linkage consumer, once the event is final on the server (other tests' transactions may hold it back a moment).
  for (let i = 0; i < 400; i++) {
    await applyChildAllowanceEvents(context.platform);
    const res = await session.call('POST', '/v1/child-allowance/claims', { claimantId, claimedOn: '2026-04-10' });
    if (res.status === 201) return res.body.id as string;
    if (res.status !== 422 || !JSON.stringify(res.body).includes('not_resident')) throw new Error(`claim: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the claimant did not reach the roster');
}

export const childAllowanceIsolation: IsolationCase<Family> = {
  name: 'child allowance claims',
  writer: 'clerk',
  readers: ['auditor'],
  headers: HEADERS,
  // Each record waits for the consumer, and every request is audited: a few runs suffice.
  numRuns: 3,
  record: family,
  create,
  byId: (id): Probe[] => [
    { method: 'GET', url: `/v1/child-allowance/claims/${id}` },
    { method: 'GET', url: `/v1/child-allowance/claims/${id}?from=2026-04&to=2026-09` },
    // A claim's id is no household's: the listing answers empty either way (coverage of the filter).
    { method: 'GET', url: `/v1/child-allowance/claims?householdId=${id}` },
  ],
  searches: () => [
    { method: 'GET', url: '/v1/child-allowance/claims?openOnly=true' },
    { method: 'GET', url: '/v1/child-allowance/claims?openOnly=false&limit=1' },
  ],
  collection: '/v1/child-allowance/claims',
};
