/**
 * A family moves from 千代田区 (on cell A) to 札幌市 (on cell B), end to end:
 * the move-out at 千代田区, 札幌市's clerk asking for the move-out record, the
 * move-in filed from it, the move-in notice back to 千代田区; audited on both
 * sides, and nothing else of 千代田区's visible to 札幌市.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMoveInNotices } from '../../src/linkage/moves.js';
import { myNumberFrom } from '../../src/resident-register/identifiers.js';
import { CHIYODA, newSession, placeInMyNumberZone, SAPPORO, YOKOHAMA, type Reply, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';

const FILING = { 'municloud-purpose': 'residency_change' };
const MY_NUMBER = myNumberFrom('73521876095');
const YOKOHAMA_ADDRESS = { postalCode: null, prefecture: '神奈川県', municipality: '横浜市中区', town: '日本大通', block: '1番地', building: null };

let tp: TestPlatform;
let chiyoda: Session;
let sapporo: Session;

async function familyMovingOut(destination: typeof SAPPORO_ADDRESS.address, myNumber?: string): Promise<{ filed: Reply; out: Reply }> {
  const filed = await chiyoda.call(
    'POST',
    '/v1/resident-changes/move-in',
    {
      eventDate: '2026-04-01',
      filedOn: '2026-04-02',
      previousResidence: { kind: 'domestic', address: YOKOHAMA_ADDRESS },
      household: { kind: 'new', address: HOME },
      persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主', myNumber ? { myNumber } : {}), person('花子', 'ハナコ', '1977-08-08', '妻', { sex: 'female' })],
    },
    FILING,
  );
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  const out = await chiyoda.call(
    'POST',
    '/v1/resident-changes/move-out',
    {
      eventDate: '2026-10-20',
      filedOn: '2026-10-10',
      residentIds: filed.body.residents.map((r: { id: string }) => r.id),
      householdVersions: filed.body.households.map((h: { id: string; version: number }) => ({ householdId: h.id, version: h.version })),
      destination: { kind: 'domestic', address: destination },
    },
    FILING,
  );
  expect(out.status, JSON.stringify(out.body)).toBe(201);
  expect(out.body.moveOutCertificateNumber).toMatch(/^T2026-[0-9]{6}$/);
  return { filed, out };
}

const ask = (s: Session, body: Record<string, unknown>, purpose = 'residency_change') => s.call('POST', '/v1/inter-municipal/move-out-records', body, { 'municloud-purpose': purpose });

beforeAll(async () => {
  tp = await createTestPlatform({ cells: ['cell-a', 'cell-b'] });
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-b', null);
  await tp.platform.cells.place(YOKOHAMA, 'cell-b', null);
  chiyoda = await newSession(tp, CHIYODA, ['clerk']);
  sapporo = await newSession(tp, SAPPORO, ['clerk']);
  await placeInMyNumberZone(tp, CHIYODA);
  await placeInMyNumberZone(tp, SAPPORO);
});
afterAll(async () => tp?.close());

describe('moving between municipalities on two cells', () => {
  it('releases the move-out record to the destination only, files the move-in from it once, and notices the move-in back', async () => {
    const { filed, out } = await familyMovingOut(SAPPORO_ADDRESS.address, MY_NUMBER);
    const number = out.body.moveOutCertificateNumber as string;
    const [headAtA] = filed.body.residents;

    // 札幌市 asks 千代田区 for the record: the two who moved out, as they stood, My Number included.
    const record = await ask(sapporo, { fromMunicipality: CHIYODA, certificateNumber: number });
    expect(record.status, JSON.stringify(record.body)).toBe(200);
    expect(record.body).toMatchObject({ fromMunicipality: CHIYODA, certificateNumber: number, moveOutDate: '2026-10-20', previousAddress: { ...HOME, postalCode: '100-0001' }, destination: { kind: 'domestic', address: SAPPORO_ADDRESS.address } });
    expect(record.body.persons.map((p: { name: { given: string } }) => p.name.given)).toEqual(['一郎', '花子']);
    expect(record.body.persons[0]).toMatchObject({ myNumber: MY_NUMBER, residentCode: headAtA.residentCode, dateOfBirth: '1975-03-03', relationship: '世帯主' });
    // By resident code and date of birth too; a wrong date of birth finds nothing.
    expect((await ask(sapporo, { fromMunicipality: CHIYODA, residentCode: headAtA.residentCode, dateOfBirth: '1975-03-03' })).body.certificateNumber).toBe(number);
    expect((await ask(sapporo, { fromMunicipality: CHIYODA, residentCode: headAtA.residentCode, dateOfBirth: '1975-03-04' })).status).toBe(404);

    // 札幌市 registers the move-in from the record: new resident ids, the same resident code and My Number.
    const persons = record.body.persons.map((p: Record<string, unknown>) => ({
      name: p.name,
      dateOfBirth: p.dateOfBirth,
      sex: p.sex,
      relationship: p.relationship,
      domicile: p.domicile,
      myNumber: p.myNumber,
      residentCode: p.residentCode,
      flags: p.flags,
      foreign: p.foreign,
    }));
    const moveIn = {
      eventDate: '2026-10-21',
      filedOn: '2026-10-22',
      previousResidence: { kind: 'domestic', address: record.body.previousAddress },
      household: { kind: 'new', address: SAPPORO_ADDRESS.address },
      persons,
      transferFrom: { municipalityCode: CHIYODA, certificateNumber: number },
    };
    const movedIn = await sapporo.call('POST', '/v1/resident-changes/move-in', moveIn, FILING);
    expect(movedIn.status, JSON.stringify(movedIn.body)).toBe(201);
    expect(movedIn.body.residents[0].residentCode).toBe(headAtA.residentCode);
    // The same record cannot make a second move-in.
    const again = await sapporo.call('POST', '/v1/resident-changes/move-in', moveIn, FILING);
    expect(again.status).toBe(422);
    expect(again.body.errors).toContainEqual(expect.objectContaining({ field: 'body/transferFrom', rule: 'not_received' }));

    // The notice reaches 千代田区: its move-out is complete and can no longer be cancelled.
    for (let i = 0; i < 100; i++) {
      await sendMoveInNotices(tp.platform);
      const [row] = await adminQuery<{ moved_in_municipality: string | null }>(tp, 'cell-a', 'SELECT moved_in_municipality FROM cell.move_out_certificates WHERE number = $1', [number]);
      if (row?.moved_in_municipality) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const [certificate] = await adminQuery<{ moved_in_municipality: string; moved_in_change_id: string; moved_in_on: Date }>(
      tp,
      'cell-a',
      'SELECT moved_in_municipality, moved_in_change_id, moved_in_on FROM cell.move_out_certificates WHERE number = $1',
      [number],
    );
    expect(certificate).toMatchObject({ moved_in_municipality: SAPPORO, moved_in_change_id: movedIn.body.change.id });
    const cancel = await chiyoda.call('POST', `/v1/move-out-certificates/${number}/cancellation`, { eventDate: '2026-10-25', reasonCode: 'plan_abandoned', householdVersions: [] }, FILING);
    expect(cancel.status).toBe(409);
    // Noticed once, however often the notifier runs; and the record is not released again.
    await sendMoveInNotices(tp.platform);
    expect((await ask(sapporo, { fromMunicipality: CHIYODA, certificateNumber: number })).status).toBe(404);

    // Both sides audited it: 千代田区's export to 札幌市's clerk, 札幌市's read.
    const entries = await readAuditEntries<{ kind: string; municipality: string; actor: { organization: string }; purpose: string; records: { resource: string; ids: string[] }[] }>(tp);
    expect(entries).toContainEqual(
      expect.objectContaining({ kind: 'personal_data_export', municipality: CHIYODA, actor: expect.objectContaining({ organization: SAPPORO }), purpose: 'residency_change', records: expect.arrayContaining([{ resource: 'move_out_certificates', ids: [number] }]) }),
    );
    expect(entries).toContainEqual(expect.objectContaining({ kind: 'personal_data_read', municipality: SAPPORO, records: [expect.objectContaining({ resource: 'move_in_transfers' })] }));
  });

  it('shows 札幌市 nothing else of 千代田区: another destination, an unknown number, its own municipality, the wrong purpose, a record never asked for', async () => {
    const { filed, out } = await familyMovingOut(YOKOHAMA_ADDRESS);
    const elsewhere = out.body.moveOutCertificateNumber as string;
    const notFound = [
      { fromMunicipality: CHIYODA, certificateNumber: elsewhere }, // moving to 横浜市, not 札幌市
      { fromMunicipality: CHIYODA, certificateNumber: 'T2026-999999' },
      { fromMunicipality: CHIYODA, residentCode: filed.body.residents[0].residentCode, dateOfBirth: '1975-03-03' },
      { fromMunicipality: SAPPORO, certificateNumber: elsewhere }, // its own
      { fromMunicipality: '011011', certificateNumber: elsewhere }, // not on the platform
    ];
    const answers = await Promise.all(notFound.map((b) => ask(sapporo, b)));
    expect(answers.map((a) => a.status)).toEqual(notFound.map(() => 404));
    expect(new Set(answers.map((a) => JSON.stringify({ ...a.body, instance: undefined, requestId: undefined }))).size).toBe(1);
    expect((await ask(sapporo, { fromMunicipality: CHIYODA, certificateNumber: elsewhere }, 'record_inquiry')).body.code).toBe('purpose_not_allowed');
    expect((await ask(sapporo, { fromMunicipality: CHIYODA, certificateNumber: elsewhere, residentCode: '12345678901' })).status).toBe(400);
    expect((await ask(sapporo, { fromMunicipality: CHIYODA, residentCode: '12345678901' })).status).toBe(400);
    // 千代田区's residents by id are not 札幌市's.
    expect((await sapporo.call('GET', `/v1/residents/${filed.body.residents[0].id}`, undefined, { 'municloud-purpose': 'record_inquiry' })).status).toBe(404);
    // A move-in naming a record never asked for is refused, and nothing is written.
    const refused = await sapporo.call(
      'POST',
      '/v1/resident-changes/move-in',
      {
        eventDate: '2026-10-21',
        previousResidence: { kind: 'domestic', address: HOME },
        household: { kind: 'new', address: SAPPORO_ADDRESS.address },
        persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主')],
        transferFrom: { municipalityCode: CHIYODA, certificateNumber: elsewhere },
      },
      FILING,
    );
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toContainEqual(expect.objectContaining({ field: 'body/transferFrom', rule: 'not_received' }));
  });
});
