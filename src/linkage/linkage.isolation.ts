/** How the isolation suite exercises the linkage routes (test/isolation): subscriptions, their feeds and daily files. */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { IsolationCase } from '../../test/isolation/case.js';
import type { Session } from '../../test/support/api.js';
import { TOPICS } from './catalogue.js';
import { ENTITLEMENTS, SUBSCRIBING_OPERATIONS } from './entitlements.js';
import { LEGAL_PURPOSES } from '../security/access/purposes.js';

interface SubscriptionRecord {
  name: string;
  operation: string;
  purpose: string;
  topics: string[];
  fields: string[];
}

const terms = fc
  .constantFrom(...SUBSCRIBING_OPERATIONS.flatMap((operation) => LEGAL_PURPOSES[operation].map((p) => ({ operation, purpose: p.code }))))
  .chain(({ operation, purpose }) => fc.subarray([...(ENTITLEMENTS[purpose] ?? [])]).map((fields) => ({ operation, purpose, fields })));

/** The receiving system's account, one per municipality, made by its admin through the API. */
const consumers = new Map<string, Promise<string>>();
function consumerOf(admin: Session): Promise<string> {
  let id = consumers.get(admin.organizationCode);
  if (!id) {
    id = admin
      .call('POST', '/v1/accounts', {
        organizationCode: admin.organizationCode,
        loginName: `sys-${randomBytes(4).toString('hex')}`,
        displayName: '国保システム',
        roles: ['linkage_subscriber'],
        password: randomBytes(18).toString('base64url'),
      })
      .then((res) => {
        if (res.status !== 201) throw new Error(`create consumer: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.id as string;
      });
    consumers.set(admin.organizationCode, id);
  }
  return id;
}

export const linkageIsolation: IsolationCase<SubscriptionRecord> = {
  name: 'linkage subscriptions',
  writer: 'municipal_admin',
  readers: ['auditor', 'linkage_subscriber'],
  record: fc.record({
    name: fc.constantFrom('国保システム', '税務システム', "児童手当' OR '1'='1", '連携%_'),
    terms,
    topics: fc.subarray([...TOPICS], { minLength: 1 }),
  }).map(({ name, terms: t, topics }) => ({ name, ...t, topics })),
  async create(session, record) {
    const res = await session.call('POST', '/v1/linkage/subscriptions', { ...record, consumerAccountId: await consumerOf(session) });
    if (res.status !== 201) throw new Error(`create subscription: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  },
  byId: (id) => [
    { method: 'GET', url: `/v1/linkage/subscriptions/${id}` },
    { method: 'GET', url: `/v1/linkage/feeds/${id}` },
    { method: 'GET', url: `/v1/linkage/feeds/${id}?after=0.0&limit=10` },
    { method: 'GET', url: `/v1/linkage/feeds/${id}/daily-files?limit=5` },
    { method: 'GET', url: `/v1/linkage/feeds/${id}/daily-files/2026-04-01` },
    { method: 'GET', url: `/v1/linkage/subscriptions/${id}/delivery` },
    { method: 'GET', url: `/v1/linkage/subscriptions/${id}/dead-letters?all=true` },
    { method: 'POST', url: `/v1/linkage/subscriptions/${id}/dead-letters/replay`, body: {} },
    { method: 'POST', url: `/v1/linkage/subscriptions/${id}/webhook-secret` },
    { method: 'POST', url: `/v1/linkage/subscriptions/${id}/revocation` },
  ],
  searches: () => [
    { method: 'GET', url: '/v1/linkage/subscriptions?limit=200' },
    // Only clerks may ask another municipality for a move-out record (test/api/inter-municipal-move.int.test.ts).
    { method: 'POST', url: '/v1/inter-municipal/move-out-records', body: { fromMunicipality: '011002', certificateNumber: 'T2026-000001' } },
  ],
  collection: '/v1/linkage/subscriptions',
  numRuns: 4,
};
