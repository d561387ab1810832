/**
 * A resident moving from one municipality (A) to another (B), as 住民基本台帳法
 * has it (転出証明書 / 特例転入, 第22条・第24条の2): the resident files the
 * move-out at A; B's clerk asks A for the move-out record (転出証明書情報) by
 * its certificate number, or by resident code and date of birth; A releases
 * just that record, and only to the municipality the move-out names as the
 * destination; B registers the move-in naming the record; A is notified
 * (転入通知) and the move-out is complete.
 *
 * This is the one place where a request of one municipality reads another's
 * cell: in A's own tenant transaction, for one record that the request proves
 * it may have, audited on both sides. Nothing else of A's is visible to B, and
 * a record B may not have is answered exactly like one that does not exist.
 */
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { findOrganization } from '../organizations/store.js';
import { inTenantTransaction } from '../platform/database.js';
import { Problem } from '../platform/errors.js';
import type { Platform, TenantContext } from '../platform/http/server.js';
import { foldPersons, HistoryError } from '../resident-register/history.js';
import type { Address, PlaceOfResidence, ResidentRecord } from '../resident-register/record.js';
import { openChange } from '../resident-register/service.js';
import {
  changeById,
  changesTouching,
  moveOutCertificate,
  moveOutCertificateOfResidentCode,
  noticeMoveIn,
  recordMoveInTransfer,
  recordMoveOutRelease,
  type MoveOutCertificateRow,
} from '../resident-register/store.js';
import { recordAction } from '../security/audit/record.js';
import { registerTopic } from './catalogue.js';
import { eventsAfter, internalCursor, moveInternalCursor } from './store.js';
import { municipalitiesIn, type PassScope } from './pass-scope.js';

export interface MoveOutRecordRequest {
  readonly fromMunicipality: string;
  readonly certificateNumber?: string;
  readonly residentCode?: string;
  readonly dateOfBirth?: string;
}

/** What A releases: the move-out certificate's items (第24条の2, 施行令第23条), for every person who moved out together. */
export interface MoveOutRecord {
  readonly fromMunicipality: string;
  readonly certificateNumber: string;
  readonly moveOutDate: string;
  readonly previousAddress: Address;
  readonly destination: PlaceOfResidence | null;
  readonly persons: Pick<ResidentRecord, 'name' | 'dateOfBirth' | 'sex' | 'relationship' | 'domicile' | 'myNumber' | 'residentCode' | 'flags' | 'foreign' | 'residentSince'>[];
}

/** Whether a move-out's destination is the asking municipality (a designated city's ward counts as the city). Pure. */
export function destinationIs(destination: PlaceOfResidence | null, municipality: { name: string; prefectureName: string | null }): boolean {
  if (!destination || destination.kind !== 'domestic') return false;
  const { prefecture, municipality: name } = destination.address;
  return (municipality.prefectureName === null || prefecture === municipality.prefectureName) && name.normalize('NFKC').startsWith(municipality.name.normalize('NFKC'));
}

/** B's clerk asks A for a move-out record; A releases it if B may have it. */
export async function requestMoveOutRecord(platform: Platform, request: FastifyRequest, tenant: TenantContext, ask: MoveOutRecordRequest): Promise<MoveOutRecord> {
  const principal = request.principal!;
  const asking = tenant.municipalityCode;
  if (ask.fromMunicipality === asking) throw new Problem('not_found');
  const me = await findOrganization(platform.control, asking);
  const prefecture = me?.prefectureCode ? await findOrganization(platform.control, me.prefectureCode) : null;
  let pool: pg.Pool;
  try {
    pool = await platform.cells.poolFor(ask.fromMunicipality);
  } catch {
    throw new Problem('not_found'); // not placed on the platform: as if no such record
  }
  const record = await inTenantTransaction(pool, ask.fromMunicipality, async (db) => {
    const keys = await platform.keys.forMunicipality(ask.fromMunicipality);
    const certificate = ask.certificateNumber
      ? await moveOutCertificate(db, ask.certificateNumber)
      : await moveOutCertificateOfResidentCode(db, keys.blindIndex('resident_code', ask.residentCode!));
    if (!certificate || certificate.cancelled || certificate.movedIn) return null;
    const released = await releasedContent(db, keys, ask.fromMunicipality, certificate);
    if (!released) return null;
    if (!destinationIs(released.destination, { name: me?.name ?? '', prefectureName: prefecture?.name ?? null })) return null;
    if (ask.residentCode && !released.persons.some((p) => p.residentCode === ask.residentCode && p.dateOfBirth === ask.dateOfBirth)) return null;
    await recordMoveOutRelease(db, { number: certificate.number, releasedTo: asking, requestedBy: principal.accountId });
    // A's side of the record: its data left for B, to this clerk, for this purpose.
    await recordAction(platform, request, 'personal_data_export', {
      municipality: ask.fromMunicipality,
      purpose: tenant.purpose,
      records: [
        { resource: 'move_out_certificates', ids: [certificate.number] },
        { resource: 'residents', ids: certificate.residentIds },
      ],
    });
    return released;
  });
  if (!record) throw new Problem('not_found');
  await tenant.run(async (db) => {
    const transfer = await recordMoveInTransfer(db, { fromMunicipality: ask.fromMunicipality, number: record.certificateNumber, requestedBy: principal.accountId });
    await recordAction(platform, request, 'personal_data_read', { purpose: tenant.purpose, records: [{ resource: 'move_in_transfers', ids: [transfer.id] }] });
  });
  return record;
}

async function releasedContent(db: pg.ClientBase, keys: Parameters<typeof openChange>[0], fromMunicipality: string, certificate: MoveOutCertificateRow): Promise<MoveOutRecord | null> {
  const change = await changeById(db, certificate.changeId);
  if (!change) return null;
  const history = await Promise.all((await changesTouching(db, certificate.residentIds, [])).map((c) => openChange(keys, c)));
  let state;
  try {
    // The movers' own effects only: the move-out may also re-head those who stay, whose history is not read here.
    state = foldPersons(history.filter((c) => c.seq <= change.seq), new Set(certificate.residentIds));
  } catch (err) {
    if (err instanceof HistoryError) throw new Problem('history_inconsistent');
    throw err;
  }
  const persons = certificate.residentIds.flatMap((id) => state.persons.get(id) ?? []);
  const first = persons[0];
  if (!first?.closed || first.closed.reason !== 'moved_out') return null;
  return {
    fromMunicipality,
    certificateNumber: certificate.number,
    moveOutDate: first.closed.on,
    previousAddress: first.address,
    destination: first.closed.destination,
    persons: persons.map((p) => ({
      name: p.name,
      dateOfBirth: p.dateOfBirth,
      sex: p.sex,
      relationship: p.relationship,
      domicile: p.domicile,
      myNumber: p.myNumber,
      residentCode: p.residentCode,
      flags: p.flags,
      foreign: p.foreign,
      residentSince: p.residentSince,
    })),
  };
}

export interface NoticeReport {
  readonly noticed: number;
}

/** The platform's own consumer of every municipality's feed that sends the move-in notices. */
const NOTIFIER = 'move_in_notices';

/**
 * One pass of the move-in notifier: for each municipality, its move-ins filed
 * from another municipality's record, after its cursor, are noticed to the
 * municipality moved from (on its move-out certificate). The notice is
 * idempotent and the cursor moves after it, so a crash at any point sends a
 * notice again at worst, never loses one.
 */
export async function sendMoveInNotices(platform: Platform, options: { batch?: number; scope?: PassScope } = {}): Promise<NoticeReport> {
  let noticed = 0;
  for (const municipalityCode of await municipalitiesIn(platform, options.scope)) {
    const pool = await platform.cells.poolFor(municipalityCode);
    for (;;) {
      const { events, after } = await inTenantTransaction(pool, municipalityCode, async (db) => {
        const at = await internalCursor(db, NOTIFIER);
        return { events: await eventsAfter(db, at, [registerTopic('move_in')], options.batch ?? 100), after: at };
      });
      if (events.length === 0) break;
      for (const e of events) {
        const transfer = e.payload.transferFrom as { municipalityCode: string; certificateNumber: string } | undefined;
        if (!transfer) continue;
        try {
          const fromPool = await platform.cells.poolFor(transfer.municipalityCode);
          const wrote = await inTenantTransaction(fromPool, transfer.municipalityCode, (db) =>
            noticeMoveIn(db, transfer.certificateNumber, { municipalityCode, changeId: e.id, on: e.payload.eventDate as string }),
          );
          if (wrote) noticed++;
        } catch (err) {
          // The municipality moved from has left the platform or its cell is down: the notice waits.
          platform.log.warn({ err: { name: (err as Error).name, code: (err as { code?: string }).code } }, 'move-in notice not sent yet');
          return { noticed };
        }
      }
      const last = events.at(-1)!.position;
      await inTenantTransaction(pool, municipalityCode, (db) => moveInternalCursor(db, NOTIFIER, after, last));
    }
  }
  return { noticed };
}
