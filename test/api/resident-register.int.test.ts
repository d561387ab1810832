/**
 * The resident register end to end through the API, on real PostgreSQL:
 * filings, the dated history, search by blind indexes, concurrency, support
 * measures, and what reaches the database, the audit log, the outbox and the
 * logs (ids, never names).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { myNumberFrom } from '../../src/resident-register/identifiers.js';
import { searchByTerms } from '../../src/resident-register/store.js';
import { inTenantTransaction } from '../../src/platform/database.js';
import { decryptExport } from '../../src/security/exports/file-format.js';
import { call, CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Reply, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';
import { myNumbersIn, TEST_RESIDENT_NAMES } from '../support/sensitive.js';

const PURPOSE = { 'municloud-purpose': 'residency_change' };
const MY_NUMBER = myNumberFrom('43521876095');

// Names the suite watches for in logs and stored bytes: none may appear outside sealed columns.
const NAMES = TEST_RESIDENT_NAMES;

let tp: TestPlatform;
const logLines: string[] = [];
let clerk: Session;
let clerk2: Session;
let admin: Session;
let officer: Session;
let sapporoClerk: Session;

const post = (s: Session, url: string, body: unknown, headers: Record<string, string> = PURPOSE) => s.call('POST', url, body, headers);
const get = (s: Session, url: string, headers: Record<string, string> = PURPOSE) => s.call('GET', url, undefined, headers);

let numbers = 0;
/** A household of two: 一郎 (head, with a My Number: MY_NUMBER the first time in each municipality) and 花子. */
async function moveInFamily(s: Session = clerk, myNumber = myNumberFrom(String(43521876095 + ++numbers))): Promise<Reply> {
  const res = await post(s, '/v1/resident-changes/move-in', {
    eventDate: '2026-04-01',
    filedOn: '2026-04-02',
    previousResidence: SAPPORO_ADDRESS,
    household: { kind: 'new', address: HOME },
    persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主', { myNumber }), person('花子', 'ハナコ', '1977-08-08', '妻', { sex: 'female' })],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res;
}

interface Entry {
  kind: string;
  records: { resource: string; ids: string[] }[];
  purpose: string | null;
  outcome: { result: string; reason: string | null };
}
const auditKinds = () => readAuditEntries<Entry>(tp);

beforeAll(async () => {
  tp = await createTestPlatform({ logLines });
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-a', null);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  clerk2 = await newSession(tp, CHIYODA, ['clerk']);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  officer = await newSession(tp, CHIYODA, ['support_measure_officer']);
  sapporoClerk = await newSession(tp, SAPPORO, ['clerk']);
  await placeInMyNumberZone(tp, CHIYODA);
  await placeInMyNumberZone(tp, SAPPORO);
});
afterAll(async () => tp?.close());

describe('filings', () => {
  it('registers a move-in and reads the record back, with My Number only when asked', async () => {
    const res = await moveInFamily(clerk, MY_NUMBER);
    expect(res.body.change).toMatchObject({ kind: 'move_in', eventDate: '2026-04-01', filedOn: '2026-04-02', late: false });
    expect(res.body.residents).toHaveLength(2);
    expect(res.body.households).toEqual([{ id: expect.any(String), version: 1, state: 'current' }]);
    const [head] = res.body.residents;
    expect(head.residentCode).toMatch(/^[0-9]{11}$/);
    const read = await get(clerk, `/v1/residents/${head.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      name: { family: '髙橋', given: '一郎', familyKana: 'タカハシ', givenKana: 'イチロウ' },
      state: 'current',
      relationship: '世帯主',
      address: { ...HOME, postalCode: '100-0001' },
      residentSince: '2026-04-01',
      previousResidence: SAPPORO_ADDRESS,
      moveInFiledOn: '2026-04-02',
      myNumber: null,
      hasMyNumber: true,
      householdVersion: 1,
    });
    expect((await get(clerk, `/v1/residents/${head.id}?include=my_number`)).body.myNumber).toBe(MY_NUMBER);
  });

  it('needs a legal purpose and the My Number zone, and is confined to the municipality', async () => {
    const { body } = await moveInFamily();
    const id = body.residents[0].id;
    expect((await get(clerk, `/v1/residents/${id}`, {})).body.code).toBe('purpose_not_allowed');
    expect((await get(clerk, `/v1/residents/${id}`, { 'municloud-purpose': 'tax_assessment' })).body.code).toBe('purpose_not_allowed');
    const outside = await call(tp.app, 'GET', `/v1/residents/${id}`, { token: clerk.token, headers: PURPOSE, remoteAddress: '203.0.113.9' });
    expect(outside.body.code).toBe('network_zone_refused');
    expect((await get(sapporoClerk, `/v1/residents/${id}`)).status).toBe(404);
    const auditor = await newSession(tp, CHIYODA, ['auditor']);
    expect((await get(auditor, `/v1/residents/${id}`)).status).toBe(403);
  });

  it('flags late filings and refuses inconsistent ones with nothing written', async () => {
    const late = await post(clerk, '/v1/resident-changes/move-in', {
      eventDate: '2026-01-05',
      filedOn: '2026-02-01',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('三郎', 'サブロウ', '1990-01-01', '世帯主')],
    });
    expect(late.body.change.late).toBe(true);
    const listed = await get(clerk, '/v1/resident-changes?late=true');
    expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(late.body.change.id);

    const before = await tableCounts();
    const twoHeads = await post(clerk, '/v1/resident-changes/move-in', {
      eventDate: '2026-04-01',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('四郎', 'シロウ', '1990-01-01', '世帯主'), person('五郎', 'ゴロウ', '1990-01-01', '世帯主')],
    });
    expect(twoHeads.status).toBe(422);
    expect(twoHeads.body.code).toBe('filing_rejected');
    expect(twoHeads.body.errors[0]).toMatchObject({ field: 'body/persons', rule: 'one_head' });
    const badNumber = await post(clerk, '/v1/resident-changes/move-in', {
      eventDate: '2026-04-01',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('四郎', 'シロウ', '1990-01-01', '世帯主', { myNumber: '123456789012' })],
    });
    expect(badNumber.status).toBe(400);
    expect(badNumber.body.errors[0]).toMatchObject({ field: 'body/persons/0/myNumber', rule: 'check_digit' });
    expect(JSON.stringify(badNumber.body)).not.toContain('123456789012');
    const duplicate = await post(clerk, '/v1/resident-changes/move-in', {
      eventDate: '2026-04-01',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('四郎', 'シロウ', '1990-01-01', '世帯主', { myNumber: MY_NUMBER })],
    });
    expect(duplicate.status).toBe(422);
    expect(duplicate.body.errors[0].rule).toBe('duplicate_my_number');
    expect(await tableCounts()).toEqual(before);
  });

  it('reads Japanese-era dates and refuses the bad input the issue lists, naming field and rule, with nothing written', async () => {
    const headNumber = myNumberFrom('43521870001');
    const family = (await moveInFamily(clerk, headNumber)).body;
    const [head, wife] = family.residents;
    const wrongCheckDigit = headNumber.slice(0, 11) + String((Number(headNumber[11]) + 1) % 10);
    const householdVersions = () => [{ householdId: head.householdId, version: currentVersion }];
    let currentVersion = family.households[0].version;
    const era = await post(clerk, '/v1/resident-changes/move-in', {
      eventDate: '令和8年4月1日',
      filedOn: 'R8.4.2',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('三郎', 'サブロウ', '平成元年1月8日', '世帯主')],
    });
    expect(era.status, JSON.stringify(era.body)).toBe(201);
    expect(era.body.change).toMatchObject({ eventDate: '2026-04-01', filedOn: '2026-04-02' });
    expect((await get(clerk, `/v1/residents/${era.body.residents[0].id}`)).body.dateOfBirth).toBe('1989-01-08');
    const died = await post(clerk, '/v1/resident-changes/death', { eventDate: '2026-05-01', residentIds: [wife.id], householdVersions: householdVersions() });
    expect(died.status, JSON.stringify(died.body)).toBe(201);
    currentVersion = died.body.households[0].version;

    const before = await tableCounts();
    const moveIn = (over: Record<string, unknown>, personOver: Record<string, unknown> = {}) =>
      post(clerk, '/v1/resident-changes/move-in', {
        eventDate: '2026-04-01',
        previousResidence: SAPPORO_ADDRESS,
        household: { kind: 'new', address: HOME },
        persons: [person('四郎', 'シロウ', '1990-01-01', '世帯主', personOver)],
        ...over,
      });
    const cases: [string, Promise<Reply>, number, string, string][] = [
      ['平成31年5月1日 (平成 had ended)', moveIn({ eventDate: '平成31年5月1日' }), 400, 'body/eventDate', 'era_date'],
      ['昭和64年1月8日', moveIn({}, { dateOfBirth: '昭和64年1月8日' }), 400, 'body/persons/0/dateOfBirth', 'era_date'],
      ['2026-02-30', moveIn({ eventDate: '2026-02-30' }), 400, 'body/eventDate', 'date'],
      ['a wrong check digit', moveIn({}, { myNumber: wrongCheckDigit }), 400, 'body/persons/0/myNumber', 'check_digit'],
      ['someone who already lives here', moveIn({}, { myNumber: headNumber }), 422, 'body', 'duplicate_my_number'],
      ['the death of a dead person', post(clerk, '/v1/resident-changes/death', { eventDate: '2026-05-02', residentIds: [wife.id], householdVersions: householdVersions() }), 422, 'body/residentIds/0', 'not_current'],
      ['a household without a head', moveIn({}, { relationship: '妻' }), 422, 'body/persons', 'one_head'],
      ['a name of 10,000 characters', moveIn({}, { name: { family: '髙'.repeat(10_000), given: '四郎', familyKana: 'タカハシ', givenKana: 'シロウ' } }), 400, 'body/persons/0/name/family', 'maxLength'],
      ['a control character', moveIn({}, { name: { family: '髙橋\u0007', given: '四郎', familyKana: 'タカハシ', givenKana: 'シロウ' } }), 400, 'body/persons/0/name/family', 'pattern'],
      ['a private-use code point (外字)', moveIn({}, { name: { family: '髙\uE000', given: '四郎', familyKana: 'タカハシ', givenKana: 'シロウ' } }), 400, 'body/persons/0/name/family', 'pattern'],
    ];
    for (const [what, reply, status, field, rule] of cases) {
      const res = await reply;
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.errors, what).toContainEqual(expect.objectContaining({ field, rule }));
    }
    expect(await tableCounts()).toEqual(before);
  });

  it('lets one of two clerks change a household and tells the other to retry', async () => {
    const { body } = await moveInFamily();
    const householdId = body.households[0].id;
    const birth = (s: Session, given: string) =>
      post(s, '/v1/resident-changes/birth', {
        eventDate: '2026-06-01',
        householdId,
        householdVersions: [{ householdId, version: 1 }],
        person: person(given, 'ジロウ', '2026-06-01', '子'),
      });
    const results = await Promise.all([birth(clerk, '次郎'), birth(clerk2, '次郎')]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe('conflict');
    const household = await get(clerk, `/v1/households/${householdId}`);
    expect(household.body.version).toBe(2);
    expect(household.body.members.map((m: { name: { given: string } }) => m.name.given)).toEqual(['一郎', '花子', '次郎']);
    // The loser reads again and retries with the new version.
    const retry = await post(clerk2, '/v1/resident-changes/birth', {
      eventDate: '2026-06-01',
      householdId,
      householdVersions: [{ householdId, version: 2 }],
      person: person('三郎', 'サブロウ', '2026-06-01', '子'),
    });
    expect(retry.status).toBe(201);
    const missing = await post(clerk2, '/v1/resident-changes/birth', { eventDate: '2026-06-01', householdId, person: person('四郎', 'シロウ', '2026-06-01', '子') });
    expect(missing.body.errors[0].rule).toBe('version_required');
  });

  it('keeps the history: corrections add a change, as-of dates show the past', async () => {
    const { body } = await moveInFamily();
    const id = body.residents[0].id;
    const householdId = body.households[0].id;
    const fix = await post(clerk, `/v1/residents/${id}/corrections`, {
      eventDate: '2026-05-01',
      reasonCode: 'clerical_error',
      note: '氏の誤記',
      householdVersions: [{ householdId, version: 1 }],
      fields: { name: { family: '高橋', given: '一郎', familyKana: 'タカハシ', givenKana: 'イチロウ' } },
    });
    expect(fix.status, JSON.stringify(fix.body)).toBe(201);
    expect((await get(clerk, `/v1/residents/${id}`)).body.name.family).toBe('高橋');
    expect((await get(clerk, `/v1/residents/${id}?asOf=2026-04-30`)).body.name.family).toBe('髙橋');
    expect((await get(clerk, `/v1/residents/${id}?asOf=2026-03-31`)).status).toBe(404);
    const history = await get(clerk, `/v1/residents/${id}/history`);
    expect(history.body.items.map((c: { kind: string }) => c.kind)).toEqual(['move_in', 'correction_by_authority']);
    expect(history.body.items[1]).toMatchObject({ reasonCode: 'clerical_error', note: '氏の誤記', operatorId: expect.any(String) });
    const household = await get(clerk, `/v1/households/${householdId}?asOf=2026-04-15`);
    expect(household.body.members.map((m: { name: { family: string } }) => m.name.family)).toEqual(['髙橋', '髙橋']);
  });

  it('moves out with a certificate number, keeps the closed record, and can cancel the move-out', async () => {
    const { body } = await moveInFamily();
    const [head, wife] = body.residents;
    const householdId = body.households[0].id;
    const out = await post(clerk, '/v1/resident-changes/move-out', {
      eventDate: '2026-09-01',
      residentIds: [head.id],
      destination: SAPPORO_ADDRESS,
      householdVersions: [{ householdId, version: 1 }],
      remaining: { headId: wife.id, members: [] },
    });
    expect(out.status, JSON.stringify(out.body)).toBe(201);
    expect(out.body.moveOutCertificateNumber).toMatch(/^T[0-9]{4}-[0-9]{6}$/);
    const closed = await get(clerk, `/v1/residents/${head.id}`);
    expect(closed.body).toMatchObject({ state: 'closed', closed: { reason: 'moved_out', on: '2026-09-01', destination: SAPPORO_ADDRESS } });
    expect((await get(clerk, `/v1/residents/${wife.id}`)).body.relationship).toBe('世帯主');
    const found = await post(clerk, '/v1/residents/search', { kana: 'タカハシイチロウ', dateOfBirth: '1975-03-03' });
    expect(found.body.items.map((h: { id: string }) => h.id)).not.toContain(head.id);
    const withClosed = await post(clerk, '/v1/residents/search', { kana: 'タカハシイチロウ', dateOfBirth: '1975-03-03', includeClosed: true });
    expect(withClosed.body.items.map((h: { id: string }) => h.id)).toContain(head.id);

    const cancel = await post(clerk, `/v1/move-out-certificates/${out.body.moveOutCertificateNumber}/cancellation`, {
      eventDate: '2026-09-02',
      householdVersions: [{ householdId, version: 2 }],
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    expect((await get(clerk, `/v1/residents/${head.id}`)).body).toMatchObject({ state: 'current', relationship: '世帯主', closed: null });
    expect((await get(clerk, `/v1/residents/${wife.id}`)).body.relationship).toBe('妻');
    expect((await post(clerk, `/v1/move-out-certificates/${out.body.moveOutCertificateNumber}/cancellation`, { eventDate: '2026-09-03', householdVersions: [] })).status).toBe(404);
  });
});

describe('search', () => {
  it('finds residents however the name is typed, and by date of birth, address, My Number and resident code', async () => {
    const { body } = await moveInFamily(sapporoClerk, MY_NUMBER);
    const id = body.residents[0].id;
    const code = body.residents[0].residentCode;
    const ids = async (criteria: Record<string, unknown>) => {
      const res = await post(sapporoClerk, '/v1/residents/search', criteria);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.map((h: { id: string }) => h.id);
    };
    for (const kana of ['タカハシイチロウ', 'たかはし いちろう', 'ﾀｶﾊｼ ｲﾁﾛｳ', 'タカハシ']) expect(await ids({ kana }), kana).toContain(id);
    for (const name of ['髙橋一郎', '高橋 一郎', '高橋']) expect(await ids({ name }), name).toContain(id);
    expect(await ids({ dateOfBirth: '1975-03-03' })).toContain(id);
    expect(await ids({ town: '千代田1丁目', block: '1-1' })).toContain(id);
    expect(await ids({ town: '千代田一丁目' })).toContain(id);
    expect(await ids({ myNumber: MY_NUMBER })).toEqual([id]);
    expect(await ids({ residentCode: code })).toEqual([id]);
    expect(await ids({ kana: 'タカハシ', dateOfBirth: '1999-01-01' })).toEqual([]);
    const none = await post(sapporoClerk, '/v1/residents/search', {});
    expect(none.status).toBe(400);
    const entries = (await auditKinds()).filter((e) => e.kind === 'personal_data_search');
    expect(entries.at(-2)!.records[0]).toEqual({ resource: 'residents', ids: [id] });
    expect(entries.at(-2)!.purpose).toBe('residency_change');
  });

  it('after a move within, finds residents at the new address only, and by name as before', async () => {
    const { body } = await moveInFamily(sapporoClerk);
    const [head, wife] = body.residents.map((r: { id: string }) => r.id);
    const termsOf = async () =>
      (await adminQuery<{ kind: string; term: Buffer; n: string }>(tp, 'cell-a', 'SELECT kind, term, xmin::text AS n FROM cell.resident_search_terms WHERE resident_id = $1 ORDER BY kind, term', [head]))
        .map((t) => `${t.kind}:${t.term.toString('hex')}:${t.n}`);
    const before = await termsOf();
    const moved = await post(sapporoClerk, '/v1/resident-changes/move-within', {
      eventDate: '2026-05-01',
      residentIds: [head, wife],
      householdVersions: body.households.map((h: { id: string; version: number }) => ({ householdId: h.id, version: h.version })),
      destination: { kind: 'same_household', address: { ...HOME, town: '神田神保町一丁目', block: '2番3号' } },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    const found = async (criteria: Record<string, unknown>) => (await post(sapporoClerk, '/v1/residents/search', { ...criteria, limit: 100 })).body.items.map((h: { id: string }) => h.id);
    expect(await found({ town: '神田神保町一丁目', block: '2-3' })).toEqual(expect.arrayContaining([head, wife]));
    expect(await found({ town: '千代田一丁目', block: '1-1' })).not.toContain(head);
    expect(await found({ kana: 'タカハシイチロウ', dateOfBirth: '1975-03-03' })).toContain(head);
    // Only the address terms were rewritten: the name and birth-date terms are the same rows as before.
    const after = await termsOf();
    const kept = after.filter((t) => before.includes(t));
    expect(kept.length).toBeGreaterThan(0);
    expect(after.length - kept.length).toBeGreaterThan(0);
    expect(after.filter((t) => !before.includes(t)).every((t) => t.startsWith('address'))).toBe(true);
  });

  it('finds every resident once when a group of alternatives drives the search, merged or collected', async () => {
    const { body } = await moveInFamily(sapporoClerk);
    const ids = body.residents.map((r: { id: string }) => r.id as string).sort();
    const terms = await adminQuery<{ kind: string; term: Buffer; resident_id: string }>(tp, 'cell-a', 'SELECT kind, term, resident_id FROM cell.resident_search_terms WHERE resident_id = ANY($1::uuid[])', [ids]);
    // Terms only these two residents have: their resident codes and My Numbers.
    const own = terms.filter((t) => t.kind === 'my_number' || t.kind === 'resident_code');
    const byResident = ids.map((id: string) => own.filter((t) => t.resident_id === id));
    const pool = await tp.platform.cells.poolFor(SAPPORO);
    const search = (group: { kind: string; term: Buffer }[], options: { after?: string; limit: number }) =>
      inTenantTransaction(pool, SAPPORO, (db) => searchByTerms(db, [group], { includeClosed: false, ...options }));
    const few = [...byResident[0]!, ...byResident[1]!];
    const many = Array.from({ length: 6 }, () => few).flat(); // the same alternatives repeated
    expect(many.length).toBeGreaterThan(16);
    for (const group of [few, many]) {
      expect(await search(group, { limit: 10 })).toEqual(ids);
      const first = await search(group, { limit: 1 });
      expect(first).toEqual([ids[0]]);
      expect(await search(group, { limit: 1, after: first[0] })).toEqual([ids[1]]);
    }
  });

  it('pages through results with a cursor bound to the search', async () => {
    for (let i = 0; i < 3; i++) await moveInFamily(sapporoClerk);
    const first = await post(sapporoClerk, '/v1/residents/search', { name: '髙橋', limit: 2 });
    expect(first.body.items).toHaveLength(2);
    const second = await post(sapporoClerk, '/v1/residents/search', { name: '髙橋', limit: 2, cursor: first.body.nextCursor });
    expect(second.status).toBe(200);
    expect(second.body.items.map((h: { id: string }) => h.id)).not.toContain(first.body.items[0].id);
    const other = await post(sapporoClerk, '/v1/residents/search', { kana: 'ハナコ', limit: 2, cursor: first.body.nextCursor });
    expect(other.body.code).toBe('invalid_cursor');
  });
});

describe('support measures (支援措置)', () => {
  it('withholds the record from staff without the role and a reason, and audits every attempt', async () => {
    const { body } = await moveInFamily();
    const wife = body.residents[1].id;
    expect((await clerk.call('PUT', `/v1/residents/${wife}/support-measure`, { since: '2026-01-01', until: null }, PURPOSE)).status).toBe(403);
    const set = await admin.call('PUT', `/v1/residents/${wife}/support-measure`, { since: '2026-01-01', until: null }, PURPOSE);
    expect(set.status).toBe(200);
    expect(set.body.inForce).toBe(true);

    const refused = await get(clerk, `/v1/residents/${wife}`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('support_measure_restricted');
    expect((await get(officer, `/v1/residents/${wife}`)).status).toBe(403);
    const disclosed = await get(officer, `/v1/residents/${wife}`, { ...PURPOSE, 'municloud-disclosure-reason': 'victim_request' });
    expect(disclosed.status).toBe(200);
    expect(disclosed.body.supportMeasure).toEqual({ since: '2026-01-01', until: null });

    const hits = await post(clerk, '/v1/residents/search', { kana: 'タカハシハナコ' });
    const hit = hits.body.items.find((h: { id: string }) => h.id === wife);
    expect(hit).toEqual({ id: wife, state: 'current', supportMeasure: true, name: null, dateOfBirth: null, sex: null, address: null, householdId: null });
    const household = await get(clerk, `/v1/households/${body.households[0].id}`);
    expect(household.body.members.find((m: { id: string }) => m.id === wife).name).toBeNull();
    // The head is shown, but the household's address is the protected person's address too.
    expect(household.body.members[0].name).not.toBeNull();
    expect(household.body.address).toBeNull();

    const entries = await auditKinds();
    expect(entries.some((e) => e.kind === 'access_refused' && e.outcome.reason === 'support_measure' && e.records[0]!.ids.includes(wife))).toBe(true);
    expect(entries.some((e) => e.kind === 'support_measure_disclosed' && e.records[0]!.ids.includes(wife))).toBe(true);
    expect(entries.some((e) => e.kind === 'support_measure_set')).toBe(true);

    expect((await admin.call('DELETE', `/v1/residents/${wife}/support-measure`, undefined, PURPOSE)).status).toBe(204);
    expect((await get(clerk, `/v1/residents/${wife}`)).status).toBe(200);
  });
});

describe('evidence and confidentiality', () => {
  it('audits every read with its purpose and records each change in the outbox, ids only', async () => {
    const { body } = await moveInFamily();
    const id = body.residents[0].id;
    await get(clerk, `/v1/residents/${id}`);
    const entries = await auditKinds();
    const change = entries.findLast((e) => e.kind === 'personal_data_change')!;
    expect(change.records.find((r) => r.resource === 'residents')!.ids.sort()).toEqual(body.residents.map((r: { id: string }) => r.id).sort());
    const read = entries.findLast((e) => e.kind === 'personal_data_read')!;
    expect(read).toMatchObject({ purpose: 'residency_change', records: [{ resource: 'residents', ids: [id] }], outcome: { result: 'success' } });

    const outbox = await adminQuery(tp, 'cell-a', 'SELECT topic, payload FROM cell.outbox WHERE id = $1', [body.change.id]);
    expect(outbox).toEqual([{ topic: 'resident_register.move_in', payload: expect.objectContaining({ changeId: body.change.id, residentIds: expect.arrayContaining([id]) }) }]);
  });

  it('stores no names, readings or numbers in clear anywhere in the cell, the audit log or the logs', async () => {
    await moveInFamily();
    for (const table of ['resident_changes', 'residents', 'households', 'resident_search_terms', 'outbox', 'move_out_certificates']) {
      const rows = await adminQuery(tp, 'cell-a', `SELECT * FROM cell.${table}`);
      const dump = JSON.stringify(rows, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
      for (const secret of [...NAMES, MY_NUMBER]) expect(dump, `${table} holds ${secret}`).not.toContain(secret);
      for (const row of rows) for (const v of Object.values(row)) if (Buffer.isBuffer(v)) for (const s of [...NAMES, MY_NUMBER]) expect(v.includes(Buffer.from(s))).toBe(false);
    }
    const audit = JSON.stringify(await auditKinds());
    const logs = logLines.join('\n');
    for (const secret of [...NAMES, MY_NUMBER]) {
      expect(audit).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });

  it('blocks an account that views more residents in an hour than its limit', async () => {
    const limits = await admin.call('PUT', '/v1/leak-guard/limits', { perAccountPerHour: 3, perMunicipalityPerHour: 10_000 });
    expect(limits.status).toBe(200);
    const viewer = await newSession(tp, CHIYODA, ['clerk']);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push(...(await moveInFamily()).body.residents.map((r: { id: string }) => r.id));
    const statuses = [];
    for (const id of ids) statuses.push((await get(viewer, `/v1/residents/${id}`)).status);
    expect(statuses).toEqual([200, 200, 200, 403]);
    expect((await get(viewer, `/v1/residents/${ids[0]}`)).body.code).toBe('reads_blocked');
    await admin.call('PUT', '/v1/leak-guard/limits', { perAccountPerHour: 300, perMunicipalityPerHour: 20_000 });
  });
});

describe('bulk export of residents (four eyes)', () => {
  it('exports the register without My Number or suppressed persons, after a second admin approves', async () => {
    const headMyNumber = myNumberFrom('76543210987');
    const { body } = await moveInFamily(clerk, headMyNumber);
    const [head, wife] = body.residents;
    await admin.call('PUT', `/v1/residents/${wife.id}/support-measure`, { since: '2026-01-01', until: null }, PURPOSE);
    const admin2 = await newSession(tp, CHIYODA, ['municipal_admin']);
    const req = await admin.call('POST', '/v1/exports', { dataset: 'residents', filter: { state: 'current', flag: 'nationalPension' }, purpose: 'statistics', reason: '年金事務との突合' });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    expect((await admin.call('POST', `/v1/exports/${req.body.id}/approve`, { version: req.body.version })).status).toBe(403);
    const approved = await admin2.call('POST', `/v1/exports/${req.body.id}/approve`, { version: req.body.version });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const file = await tp.app.inject({ method: 'GET', url: `/v1/exports/${req.body.id}/file`, headers: { authorization: `Bearer ${admin.token}` } });
    expect(file.statusCode).toBe(200);
    const csv = decryptExport(Buffer.from(req.body.exportKey, 'base64url'), file.rawPayload).plaintext.toString('utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('resident_id,resident_code,family_name,given_name,family_name_kana,given_name_kana,date_of_birth,sex,household_id,relationship,postal_code,address,resident_since,state');
    expect(lines.some((l) => l.startsWith(`${head.id},${head.residentCode},髙橋,一郎,タカハシ,イチロウ,1975-03-03`))).toBe(true);
    expect(csv).not.toContain(wife.id);
    // No My Number at all: the head's, or anything else shaped like one (a UUID's tail is not).
    expect(csv).not.toContain(headMyNumber);
    expect(myNumbersIn(csv)).toEqual([]);
    await admin.call('DELETE', `/v1/residents/${wife.id}/support-measure`, undefined, PURPOSE);
  });
});

async function tableCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['resident_changes', 'residents', 'households', 'resident_search_terms', 'outbox']) out[t] = Number((await adminQuery<{ count: string }>(tp, 'cell-a', `SELECT count(*) FROM cell.${t}`))[0]!.count);
  return out;
}
