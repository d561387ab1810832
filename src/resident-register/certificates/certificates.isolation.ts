/**
 * How the isolation suite exercises the certificate routes (test/isolation).
 * A record is a resident moved in and given an individual copy; its id is the
 * resident's. Another municipality's resident can be neither printed nor found
 * in the listing (by resident, kind or page), answered exactly as an id that
 * does not exist.
 */
import fc from 'fast-check';
import type { IsolationCase, Probe } from '../../../test/isolation/case.js';
import type { Session } from '../../../test/support/api.js';
import { moveInAlone, newcomers, type Newcomer } from '../resident-register.isolation.js';

const HEADERS = { 'municloud-purpose': 'certificate_issue' } as const;
const person: fc.Arbitrary<Newcomer> = newcomers();

const ADDRESS = { postalCode: null, prefecture: '東京都', municipality: '千代田区', town: '千代田一丁目', block: '1番1号', building: null };

function expect2xx(res: { status: number; body: unknown }, what: string): void {
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function create(session: Session, p: Newcomer): Promise<string> {
  // The admin sets the issuer (idempotent): a municipality prints nothing without it.
  expect2xx(await session.call('PUT', '/v1/municipality/certificate-issuer', { mayorTitle: '区長', mayorName: '山田 一' }), 'issuer');
  const { residentId } = await moveInAlone(session, p, ADDRESS, HEADERS);
  expect2xx(await session.call('POST', '/v1/certificates', issueBody(residentId), HEADERS), 'issue');
  return residentId;
}

const issueBody = (residentId: string) => ({ kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [residentId] });

export const certificateIsolation: IsolationCase<Newcomer> = {
  name: 'certificates',
  writer: 'municipal_admin',
  readers: ['clerk', 'support_measure_officer'],
  headers: HEADERS,
  // Each record renders a PDF and every request is audited: a few runs suffice.
  numRuns: 3,
  record: person,
  create,
  byId: (id): Probe[] => [
    { method: 'GET', url: `/v1/certificates?residentId=${id}` },
    { method: 'POST', url: '/v1/certificates', body: issueBody(id) },
    { method: 'POST', url: '/v1/certificates', body: { kind: 'resident_items', standing: 'public_body', residentIds: [id], options: { items: ['address'] } } },
    // Numbers are per municipality (A has its own J2026-000001), so the probe uses one nobody issued: coverage, and 404 either way.
    { method: 'POST', url: '/v1/certificates/J2099-999999/revocation', body: { reasonCode: 'issued_in_error' } },
  ],
  searches: () => [
    { method: 'GET', url: '/v1/certificates?kind=resident_copy_individual' },
    { method: 'GET', url: '/v1/certificates?revoked=false&limit=1' },
  ],
  collection: '/v1/certificates',
};
