/** How the isolation suite exercises the resident register's routes (test/isolation). */
import fc from 'fast-check';
import type { IsolationCase, Probe } from '../../test/isolation/case.js';
import type { Session } from '../../test/support/api.js';

/** Who moves in alone (see moveInAlone), as a case's random record gives them. */
export interface Newcomer {
  family: string;
  given: string;
  familyKana: string;
  givenKana: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
}

interface Person extends Newcomer {
  town: string;
}

const HEADERS = { 'municloud-purpose': 'record_inquiry' } as const;
// Characters the certificate font draws too (BIZ UDMincho has 髙 and 﨑), so every case can print its newcomers.
const kanji = fc.constantFrom(...'山田川中佐藤高橋髙﨑崎渡辺邊斎齋'.split(''));
const KANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンガザダバパ';

/** Random newcomers born in [bornFrom, 2025]; `smallKana` adds small kana to the readings (search folding). */
export function newcomers(options: { bornFrom?: string; smallKana?: boolean } = {}): fc.Arbitrary<Newcomer> {
  const kana = fc.constantFrom(...(KANA + (options.smallKana ? 'ァッャ' : '')).split(''));
  return fc.record({
    family: fc.array(kanji, { minLength: 1, maxLength: 3 }).map((k) => k.join('')),
    given: fc.array(kanji, { minLength: 1, maxLength: 2 }).map((k) => k.join('')),
    familyKana: fc.array(kana, { minLength: 2, maxLength: 6 }).map((k) => k.join('')),
    givenKana: fc.array(kana, { minLength: 2, maxLength: 6 }).map((k) => k.join('')),
    dateOfBirth: fc.date({ min: new Date(options.bornFrom ?? '1930-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    sex: fc.constantFrom('male' as const, 'female' as const),
  });
}

const person: fc.Arbitrary<Person> = fc
  .tuple(newcomers({ smallKana: true }), fc.constantFrom('千代田一丁目', '神田神保町二丁目', '丸の内1丁目', '北一条西二丁目'))
  .map(([n, town]) => ({ ...n, town }));

const address = (p: Person) => ({ postalCode: null, prefecture: '東京都', municipality: '千代田区', town: p.town, block: '1番1号', building: null });
const FLAGS = { nationalHealthInsurance: false, lateStageElderlyMedical: false, longTermCare: false, nationalPension: false, childAllowance: false, electoralRoll: false };
const PREVIOUS = { kind: 'domestic', address: { postalCode: null, prefecture: '北海道', municipality: '札幌市中央区', town: '北一条西二丁目', block: '1番地', building: null } };

/**
 * Moves p in from Sapporo as the head of a household of their own at home,
 * under the case's purpose (headers); throws unless the register takes the
 * filing. Exported for the cases whose records hang on a resident (a
 * certificate prints one), so they file a move-in exactly as this one does.
 */
export async function moveInAlone(
  session: Session,
  p: Newcomer,
  home: Record<string, unknown>,
  headers: Readonly<Record<string, string>>,
  flags: Readonly<Record<keyof typeof FLAGS, boolean>> = FLAGS,
): Promise<{ residentId: string; householdId: string }> {
  const res = await session.call(
    'POST',
    '/v1/resident-changes/move-in',
    {
      eventDate: '2026-04-01',
      filedOn: '2026-04-02',
      previousResidence: PREVIOUS,
      household: { kind: 'new', address: home },
      persons: [
        {
          name: { family: p.family, given: p.given, familyKana: p.familyKana, givenKana: p.givenKana },
          dateOfBirth: p.dateOfBirth,
          sex: p.sex,
          relationship: '世帯主',
          domicile: null,
          myNumber: null,
          residentCode: null,
          flags,
          foreign: null,
        },
      ],
    },
    headers,
  );
  if (res.status !== 201) throw new Error(`move-in: ${res.status} ${JSON.stringify(res.body)}`);
  return { residentId: res.body.residents[0].id, householdId: res.body.households[0].id };
}

const moveIn = (session: Session, p: Person) => moveInAlone(session, p, address(p), HEADERS);

const searches = (p: Person): Probe[] => [
  { method: 'POST', url: '/v1/residents/search', body: { kana: `${p.familyKana}${p.givenKana}` } },
  { method: 'POST', url: '/v1/residents/search', body: { kana: p.familyKana, includeClosed: true } },
  { method: 'POST', url: '/v1/residents/search', body: { name: p.family } },
  { method: 'POST', url: '/v1/residents/search', body: { dateOfBirth: p.dateOfBirth } },
  { method: 'POST', url: '/v1/residents/search', body: { town: p.town, limit: 1 } },
];

const departure = { eventDate: '2026-05-01', householdVersions: [] };

export const residentIsolation: IsolationCase<Person> = {
  name: 'residents',
  writer: 'clerk',
  readers: ['municipal_admin', 'support_measure_officer'],
  headers: HEADERS,
  // Each run makes some two hundred requests, every one audited: fewer runs keep the suite within minutes.
  numRuns: 5,
  record: person,
  create: async (session, p) => (await moveIn(session, p)).residentId,
  byId: (id, p) => [
    { method: 'GET', url: `/v1/residents/${id}` },
    { method: 'GET', url: `/v1/residents/${id}?asOf=2026-04-15` },
    { method: 'GET', url: `/v1/residents/${id}/history` },
    { method: 'POST', url: `/v1/residents/${id}/corrections`, body: { eventDate: '2026-05-01', fields: { flags: { ...FLAGS, nationalPension: true } }, householdVersions: [] } },
    { method: 'PUT', url: `/v1/residents/${id}/support-measure`, body: { since: '2026-05-01', until: null } },
    { method: 'DELETE', url: `/v1/residents/${id}/support-measure` },
    { method: 'POST', url: '/v1/resident-changes/move-out', body: { ...departure, residentIds: [id], destination: PREVIOUS } },
    { method: 'POST', url: '/v1/resident-changes/move-abroad', body: { ...departure, residentIds: [id], destination: { kind: 'abroad', country: 'US', text: 'Seattle' } } },
    { method: 'POST', url: '/v1/resident-changes/death', body: { ...departure, residentIds: [id] } },
    { method: 'POST', url: '/v1/resident-changes/removal-by-authority', body: { ...departure, residentIds: [id] } },
    { method: 'POST', url: '/v1/resident-changes/move-within', body: { ...departure, residentIds: [id], destination: { kind: 'same_household', address: address(p) } } },
    // Certificate numbers are per municipality; B's number is answered like one that was never issued.
    { method: 'POST', url: '/v1/move-out-certificates/T2026-999999/cancellation', body: { eventDate: '2026-05-02', householdVersions: [] } },
  ],
  searches,
  collection: '/v1/resident-changes',
};

export const householdIsolation: IsolationCase<Person> = {
  name: 'households',
  writer: 'clerk',
  readers: ['municipal_admin'],
  headers: HEADERS,
  numRuns: 4,
  record: person,
  create: async (session, p) => (await moveIn(session, p)).householdId,
  byId: (id, p) => [
    { method: 'GET', url: `/v1/households/${id}` },
    { method: 'GET', url: `/v1/households/${id}?asOf=2026-04-15` },
    {
      method: 'POST',
      url: '/v1/resident-changes/birth',
      body: {
        eventDate: '2026-05-01',
        householdId: id,
        householdVersions: [{ householdId: id, version: 1 }],
        person: {
          name: { family: p.family, given: '一', familyKana: p.familyKana, givenKana: 'ハジメ' },
          dateOfBirth: '2026-05-01',
          sex: 'male',
          relationship: '子',
          domicile: null,
          myNumber: null,
          residentCode: null,
          flags: FLAGS,
          foreign: null,
        },
      },
    },
    { method: 'POST', url: '/v1/resident-changes/household-change', body: { ...departure, reasonCode: 'change_of_head', householdId: id, headId: id, members: [] } },
    ...(['move-in', 'return-from-abroad', 'entry-by-authority'] as const).map(
      (path): Probe => ({
        method: 'POST',
        url: `/v1/resident-changes/${path}`,
        body: {
          eventDate: '2026-04-01',
          previousResidence: path === 'return-from-abroad' ? { kind: 'abroad', country: 'US', text: 'Seattle' } : PREVIOUS,
          household: { kind: 'join', householdId: id },
          householdVersions: [{ householdId: id, version: 1 }],
          persons: [
            {
              name: { family: p.family, given: '二', familyKana: p.familyKana, givenKana: 'ジ' },
              dateOfBirth: '2000-01-01',
              sex: 'female',
              relationship: '同居人',
              domicile: null,
              myNumber: null,
              residentCode: null,
              flags: FLAGS,
              foreign: null,
            },
          ],
        },
      }),
    ),
  ],
  searches,
  collection: '/v1/resident-changes',
};
