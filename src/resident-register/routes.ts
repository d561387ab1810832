/**
 * The resident register's API. Every route is a My Number route of the
 * resident_registry operation: it needs a declared legal purpose and a client
 * in the municipality's My Number zone (the register lives in the My Number
 * segment of the three-layer model). Personal data never travels in URLs:
 * searches are POSTed.
 */
import type pg from 'pg';
import { Type, type Static, type TSchema } from 'typebox';
import type { Role } from '../identity/roles.js';
import { fieldError, Problem } from '../platform/errors.js';
import type { App, Platform } from '../platform/http/server.js';
import { Limit, Cursor, Page, Uuid } from '../platform/http/schemas.js';
import type { EntryKind } from '../security/audit/catalogue.js';
import type { ActionDetails } from '../security/audit/record.js';
import { revokeIssuedByNumber } from './certificates/store.js';
import { todayInJapan } from './changes.js';
import { disclosureFor, disclosureReasonOf, inForce, supportMeasureOf, type Disclosure } from './disclosure.js';
import {
  planBirth,
  planCorrection,
  planDeparture,
  planEnrolment,
  planHouseholdChange,
  planMoveOutCancellation,
  planMoveWithin,
  type BirthFiling,
  type CorrectionFiling,
  type DepartureFiling,
  type EnrolmentFiling,
  type HouseholdChangeFiling,
  type MoveWithinFiling,
  type Plan,
  type PlanContext,
} from './filings.js';
import { Findings } from './findings.js';
import { date } from './person.js';
import type { ResidentRecord } from './record.js';
import {
  BirthBody,
  CancellationBody,
  ChangeSummarySchema,
  CorrectionBody,
  DepartureBody,
  EnrolmentBody,
  MoveInBody,
  FilingResultSchema,
  HouseholdChangeBody,
  MoveWithinBody,
  ResidentSchema,
  SearchBody,
  SearchHitSchema,
} from './schemas.js';
import './export-dataset.js'; // registers the residents dataset for four-eyes exports
import { searchCriteria } from './search.js';
import {
  auditRead,
  fileChange,
  householdAsOf,
  householdNow,
  openChange,
  openResident,
  residentAsOf,
  type ExpectedVersion,
  registerRequest,
  type NamedIds,
  type RegisterRequest,
} from './service.js';
import {
  changeById,
  changesTouching,
  endSupportMeasure,
  householdsById,
  insertSupportMeasure,
  listChanges,
  claimMoveInTransfer,
  moveOutCertificate,
  residentsById,
  searchByTerms,
  setSupportMeasureFlag,
  touchedSince,
  cancelMoveOutCertificates,
  type ChangeRow,
  type ResidentRow,
  type SupportMeasureRow,
} from './store.js';

const READERS: Role[] = ['clerk', 'municipal_admin', 'support_measure_officer'];
const WRITERS: Role[] = ['clerk', 'municipal_admin'];
const SUPPORT_ADMINS: Role[] = ['municipal_admin', 'support_measure_officer'];
const MY_NUMBER = { operation: 'resident_registry' } as const;
const TAGS = ['resident-register'];

const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

/** The parts of a filing body that name existing residents and households. */
function namedIn(body: Record<string, unknown>): NamedIds {
  const residentIds = new Set<string>();
  const householdIds = new Set<string>();
  const walk = (v: unknown, key: string | null) => {
    if (typeof v === 'string') {
      if (key === 'residentId' || key === 'headId' || key === 'residentIds') residentIds.add(v);
      if (key === 'householdId' || key === 'intoHouseholdId') householdIds.add(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'householdVersions' && k !== 'persons' && k !== 'person') walk(x, k);
  };
  walk(body, null);
  return { residentIds: [...residentIds], householdIds: [...householdIds] };
}

export function residentRegisterRoutes(app: App, platform: Platform): void {
  /** A filing route: the body names residents and households; the planner turns it into a change. */
  function filing<T extends TSchema>(path: string, summary: string, body: T, plan: (b: Static<T>, ctx: PlanContext) => Plan): void {
    app.post(
      path,
      {
        config: { access: { roles: WRITERS, tenant: true, myNumber: MY_NUMBER } },
        schema: { tags: TAGS, summary, body, response: { 201: FilingResultSchema } },
      },
      async (request, reply) => {
        const b = request.body as Static<T> & { householdVersions: ExpectedVersion[] };
        const result = await fileChange(registerRequest(platform, request), namedIn(b), b.householdVersions, (ctx) => plan(b, ctx));
        return reply.status(201).send(result);
      },
    );
  }

  app.post(
    '/v1/resident-changes/move-in',
    {
      config: { access: { roles: WRITERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: '転入: persons move in from another municipality, into a new household or an existing one (optionally from its move-out record)',
        body: MoveInBody,
        response: { 201: FilingResultSchema },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const result = await fileChange(registerRequest(platform, request), namedIn(b), b.householdVersions, async (ctx, db) => {
        const plan = planEnrolment('move_in', b as EnrolmentFiling, ctx);
        if (!b.transferFrom) return plan;
        // The record must have been received, and not used by another move-in: claimed in the filing's transaction.
        if (!(await claimMoveInTransfer(db, b.transferFrom.municipalityCode, b.transferFrom.certificateNumber))) {
          throw new Problem('filing_rejected', [
            fieldError('body/transferFrom', 'not_received', {
              ja: '転出元から受け取っていない、または既に使用された転出証明書情報です。',
              en: 'no unused move-out record received from that municipality under this number',
            }),
          ]);
        }
        return { ...plan, transferFrom: b.transferFrom };
      });
      return reply.status(201).send(result);
    },
  );
  for (const [path, kind, summary] of [
    ['return-from-abroad', 'return_from_abroad', '国外からの転入: persons move in from abroad'],
    ['entry-by-authority', 'entry_by_authority', '職権記載: the municipality enters persons on its own authority'],
  ] as const) {
    filing(`/v1/resident-changes/${path}`, summary, EnrolmentBody, (b, ctx) => planEnrolment(kind, b as EnrolmentFiling, ctx));
  }
  filing('/v1/resident-changes/birth', '出生: a newborn joins a household (on the family-register notice)', BirthBody, (b, ctx) => planBirth(b as BirthFiling, ctx));
  filing('/v1/resident-changes/move-within', '転居: residents move within the municipality', MoveWithinBody, (b, ctx) => planMoveWithin(b as MoveWithinFiling, ctx));
  for (const [path, kind, summary] of [
    ['move-out', 'move_out', '転出: residents move to another municipality (issues a move-out certificate number)'],
    ['move-abroad', 'move_abroad', '国外転出'],
    ['death', 'death', '死亡'],
    ['removal-by-authority', 'removal_by_authority', '職権消除'],
  ] as const) {
    filing(`/v1/resident-changes/${path}`, summary, DepartureBody, (b, ctx) => planDeparture(kind, { ...b, destination: b.destination ?? null } as DepartureFiling, ctx));
  }
  filing('/v1/resident-changes/household-change', '世帯変更: change of head (change_of_head), split or merge', HouseholdChangeBody, (b, ctx) =>
    planHouseholdChange(b as HouseholdChangeFiling, ctx),
  );

  app.post(
    '/v1/residents/:id/corrections',
    {
      config: { access: { roles: WRITERS, tenant: true, myNumber: MY_NUMBER } },
      schema: { tags: TAGS, summary: '職権修正: correct items of a record from a date; the history keeps what it said before', params: IdParams, body: CorrectionBody, response: { 201: FilingResultSchema } },
    },
    async (request, reply) => {
      const b = request.body;
      const r = registerRequest(platform, request);
      const result = await fileChange(r, { residentIds: [request.params.id], householdIds: [] }, b.householdVersions, (ctx) =>
        planCorrection({ ...b, residentId: request.params.id } as CorrectionFiling, ctx),
      );
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/v1/move-out-certificates/:number/cancellation',
    {
      config: { access: { roles: WRITERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: '転出取消: cancel a move-out that nothing has changed since',
        params: Type.Object({ number: Type.String({ maxLength: 20, pattern: '^[A-Z][0-9]{4}-[0-9]{6}$' }) }, { additionalProperties: false }),
        body: CancellationBody,
        response: { 201: FilingResultSchema },
      },
    },
    async (request, reply) => {
      const r = registerRequest(platform, request);
      // The certificate and the move-out it names never change: read them first, then lock what they touched.
      const found = await r.tenant.run(async (db) => {
        const certificate = await moveOutCertificate(db, request.params.number);
        return certificate && !certificate.cancelled ? { certificate, change: await changeById(db, certificate.changeId) } : null;
      });
      if (!found) throw new Problem('not_found');
      const { certificate, change } = found;
      if (certificate.movedIn) {
        throw new Problem('conflict', [], {
          ja: '転入先の市区町村から転入通知を受けているため、転出は取り消せません。',
          en: 'The municipality moved to has noticed the move-in: the move-out can no longer be cancelled.',
        });
      }
      if (!change) throw new Problem('history_inconsistent');
      const named = { residentIds: change.residentIds, householdIds: change.householdIds };
      // A printed move-out certificate certifies a move-out that no longer stands: it is revoked in the same
      // transaction (the verification endpoint answers revoked), and the change's audit entry names it.
      let revoked: string[] = [];
      const actor = {
        ...r,
        record: (kind: EntryKind, details: ActionDetails) =>
          r.record(kind, kind === 'personal_data_change' && revoked.length > 0 ? { ...details, records: [...(details.records ?? []), { resource: 'issued_certificates', ids: revoked }] } : details),
      };
      const result = await fileChange(actor, named, request.body.householdVersions, async (ctx, db, keys) => {
        if (await touchedSince(db, change.seq, change.residentIds, change.householdIds)) {
          throw new Problem('conflict', [], {
            ja: '転出の後に同じ住民・世帯の異動があるため取り消せません。職権で記録してください。',
            en: 'Later changes touch the same residents or households: record the correction on authority instead.',
          });
        }
        await cancelMoveOutCertificates(db, certificate.changeId);
        revoked = await revokeIssuedByNumber(db, certificate.number, { revokedOn: todayInJapan(), revokedBy: r.operatorId, reason: 'move_out_cancelled' });
        return planMoveOutCancellation(request.body, (await openChange(keys, change)).effects, ctx);
      });
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/v1/residents/:id',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: 'A resident record, now or as it stood on a date (asOf), optionally as known at an instant (knownAt)',
        params: IdParams,
        querystring: Type.Object(
          {
            asOf: Type.Optional(Type.String({ maxLength: 10, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })),
            knownAt: Type.Optional(Type.String({ format: 'date-time' })),
            include: Type.Optional(Type.Enum(['my_number'], { description: 'my_number: include the My Number (audited with the purpose)' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ResidentSchema },
      },
    },
    async (request) => {
      const r = registerRequest(platform, request);
      const { asOf, knownAt, include } = request.query;
      if (asOf) {
        const f = new Findings('querystring');
        date(f, 'asOf', asOf);
        f.throwIfAny();
      }
      return r.tenant.run(async (db) => {
        const { row, disclosure, measure, keys } = await readableResident(r, db, request.params.id);
        const past = asOf !== undefined || knownAt !== undefined;
        const record = past ? await residentAsOf(db, keys, row.id, { ...(asOf ? { asOf } : {}), ...(knownAt ? { knownAt } : {}) }) : await openResident(keys, row);
        if (!record) throw new Problem('not_found', [], { ja: '指定日には記録がありません。', en: 'There was no record on that date.' });
        await auditRead(r, db, readKind(disclosure), [row.id]);
        const [household] = past ? [] : await householdsById(db, [row.householdId]);
        return present(record, include === 'my_number', household?.version ?? null, measure);
      });
    },
  );

  app.get(
    '/v1/residents/:id/history',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: 'The changes (異動) of a resident, oldest first, with what each did to this person',
        params: IdParams,
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ ...ChangeSummarySchema.properties, note: Type.Union([Type.String(), Type.Null()]), effects: Type.Array(Type.Unknown()) })),
          }),
        },
      },
    },
    async (request) => {
      const r = registerRequest(platform, request);
      return r.tenant.run(async (db) => {
        const { row, disclosure, keys } = await readableResident(r, db, request.params.id);
        const changes = await Promise.all((await changesTouching(db, [row.id], [])).map((c) => openChange(keys, c)));
        await auditRead(r, db, readKind(disclosure), [row.id], [
          { resource: 'resident_changes', ids: changes.map((c) => c.row.id) },
        ]);
        return {
          items: changes.map((c) => ({
            ...summary(c.row),
            note: c.note,
            effects: c.effects.filter((e) => 'personId' in e && e.personId === row.id),
          })),
        };
      });
    },
  );

  app.get(
    '/v1/households/:id',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: 'A household with its members (head first), now or as of a date; members under a support measure are withheld',
        params: IdParams,
        querystring: Type.Object({ asOf: Type.Optional(Type.String({ maxLength: 10, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            id: Uuid,
            headId: Uuid,
            state: Type.String(),
            version: Type.Union([Type.Integer(), Type.Null()]),
            address: Type.Union([ResidentSchema.properties.address, Type.Null()]),
            members: Type.Array(SearchHitSchema),
          }),
        },
      },
    },
    async (request) => {
      const r = registerRequest(platform, request);
      const { asOf } = request.query;
      return r.tenant.run(async (db) => {
        const [row] = await householdsById(db, [request.params.id]);
        if (!row) throw new Problem('not_found');
        const keys = await platform.keys.forMunicipality(r.tenant.municipalityCode);
        const found = asOf ? await householdAsOf(db, keys, row.id, { asOf }) : await householdNow(db, keys, row);
        if (!found) throw new Problem('not_found', [], { ja: '指定日には世帯がありません。', en: 'There was no household on that date.' });
        const disclosures = await disclosuresOf(r, db, await residentsById(db, found.members.map((m) => m.id)));
        const members = found.members.map((m) => hit(m, disclosures.get(m.id)!));
        await auditRead(r, db, 'personal_data_read', members.filter((h) => h.name !== null).map((h) => h.id), [{ resource: 'households', ids: [row.id] }]);
        return {
          id: row.id,
          headId: found.household.headId,
          state: found.household.state,
          version: asOf ? null : row.version,
          // Members share the address: where one of them is withheld, so is the address.
          address: members.every((h) => h.name !== null) ? found.household.address : null,
          members,
        };
      });
    },
  );

  app.post(
    '/v1/residents/search',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary:
          'Search by reading, name, date of birth, address, My Number or resident code (criteria combine with AND); POSTed so that personal data stays out of URLs',
        body: SearchBody,
        response: { 200: Type.Object({ items: Type.Array(SearchHitSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const r = registerRequest(platform, request);
      const b = request.body;
      const listing = 'residents:search';
      const after = b.cursor ? platform.cursors.decode<{ i: string; q: string }>(r.tenant.municipalityCode, listing, b.cursor) : undefined;
      return r.tenant.run(async (db) => {
        const keys = await platform.keys.forMunicipality(r.tenant.municipalityCode);
        const { groups, fingerprint } = searchCriteria(keys, b);
        if (after && after.q !== fingerprint) throw new Problem('invalid_cursor');
        const ids = await searchByTerms(db, groups, { includeClosed: b.includeClosed, limit: b.limit, ...(after ? { after: after.i } : {}) });
        const rows = new Map((await residentsById(db, ids)).map((row) => [row.id, row]));
        const disclosures = await disclosuresOf(r, db, [...rows.values()]);
        const items = await Promise.all(ids.map(async (id) => hit(await openResident(keys, rows.get(id)!), disclosures.get(id)!)));
        await auditRead(r, db, 'personal_data_search', items.filter((h) => h.name !== null).map((h) => h.id));
        const last = ids.at(-1);
        return { items, nextCursor: last && ids.length === b.limit ? platform.cursors.encode(r.tenant.municipalityCode, listing, { i: last, q: fingerprint }) : null };
      });
    },
  );

  app.get(
    '/v1/resident-changes',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: 'Changes recorded, newest first (ids, kinds and dates only): e.g. the day’s filings, or late ones',
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.String({ maxLength: 40, pattern: '^[a-z_]+$' })),
            late: Type.Optional(Type.Boolean()),
            recordedFrom: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Limit,
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ChangeSummarySchema) },
      },
    },
    async (request) => {
      const r = registerRequest(platform, request);
      const { kind, late, recordedFrom, limit, cursor } = request.query;
      const filter = { kind: kind ?? null, late: late ?? null, recordedFrom: recordedFrom ?? null };
      const listing = `resident-changes:${JSON.stringify(filter)}`;
      const before = cursor ? platform.cursors.decode<{ s: number }>(r.tenant.municipalityCode, listing, cursor) : undefined;
      return r.tenant.run(async (db) => {
        const { items, total } = await listChanges(db, filter, { limit, ...(before ? { beforeSeq: before.s } : {}) });
        await r.record('personal_data_search', { purpose: r.tenant.purpose, records: [{ resource: 'resident_changes', ids: items.map((c) => c.id) }] });
        const last = items.at(-1);
        return {
          items: items.map(summary),
          total,
          nextCursor: last && items.length === limit ? platform.cursors.encode(r.tenant.municipalityCode, listing, { s: last.seq }) : null,
        };
      });
    },
  );

  app.put(
    '/v1/residents/:id/support-measure',
    {
      config: { access: { roles: SUPPORT_ADMINS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: '支援措置: withhold a resident’s record from disclosure and certificates from a date, until a date (inclusive) or further notice',
        params: IdParams,
        body: Type.Object(
          { since: Type.String({ maxLength: 10 }), until: Type.Union([Type.String({ maxLength: 10 }), Type.Null()]) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ residentId: Uuid, since: Type.String(), until: Type.Union([Type.String(), Type.Null()]), inForce: Type.Boolean() }) },
      },
    },
    async (request) => {
      const r = registerRequest(platform, request);
      const f = new Findings('body');
      const since = date(f, 'since', request.body.since);
      const until = request.body.until === null ? null : date(f, 'until', request.body.until);
      if (since && until && until < since) f.add('until', 'before_since', '終了日が開始日より前です。', 'is before since');
      f.throwIfAny();
      return r.tenant.run(async (db) => {
        const [row] = await residentsById(db, [request.params.id]);
        if (!row) throw new Problem('not_found');
        await endSupportMeasure(db, row.id, r.operatorId);
        await insertSupportMeasure(db, { residentId: row.id, since, until, decidedBy: r.operatorId });
        await setSupportMeasureFlag(db, row.id, true);
        await r.record('support_measure_set', { records: [{ resource: 'residents', ids: [row.id] }] });
        return { residentId: row.id, since, until, inForce: inForce({ since, until }, todayInJapan()) };
      });
    },
  );

  app.delete(
    '/v1/residents/:id/support-measure',
    {
      config: { access: { roles: SUPPORT_ADMINS, tenant: true, myNumber: MY_NUMBER } },
      schema: { tags: TAGS, summary: 'End a support measure', params: IdParams },
    },
    async (request, reply) => {
      const r = registerRequest(platform, request);
      await r.tenant.run(async (db) => {
        if (!(await endSupportMeasure(db, request.params.id, r.operatorId))) throw new Problem('not_found');
        await setSupportMeasureFlag(db, request.params.id, false);
        await r.record('support_measure_ended', { records: [{ resource: 'residents', ids: [request.params.id] }] });
      });
      return reply.status(204).send();
    },
  );
}

/** How the principal may see a resident, and the support measure behind it (null when none is open). */
async function disclosureOf(r: RegisterRequest, db: pg.ClientBase, row: ResidentRow, today: string): Promise<{ disclosure: Disclosure; measure: SupportMeasureRow | null }> {
  const measure = await supportMeasureOf(db, row);
  return { disclosure: disclosureFor(r.request.principal!, inForce(measure, today), disclosureReasonOf(r.request)), measure };
}

/** How the principal may see each of these residents, by id (listings mask the withheld ones). */
async function disclosuresOf(r: RegisterRequest, db: pg.ClientBase, rows: readonly ResidentRow[]): Promise<Map<string, Disclosure>> {
  const today = todayInJapan();
  const out = new Map<string, Disclosure>();
  for (const row of rows) out.set(row.id, (await disclosureOf(r, db, row, today)).disclosure);
  return out;
}

/**
 * A resident the principal may read on their own: not found → 404; withheld by
 * a support measure → the attempt is audited and answered 403.
 */
async function readableResident(r: RegisterRequest, db: pg.ClientBase, id: string) {
  const [row] = await residentsById(db, [id]);
  if (!row) throw new Problem('not_found');
  const { disclosure, measure } = await disclosureOf(r, db, row, todayInJapan());
  if (disclosure.kind === 'withheld') {
    await r.record('access_refused', { refused: 'support_measure', purpose: r.tenant.purpose, records: [{ resource: 'residents', ids: [row.id] }] });
    throw new Problem('support_measure_restricted');
  }
  return { row, disclosure, measure, keys: await r.platform.keys.forMunicipality(r.tenant.municipalityCode) };
}

/** A suppressed record an officer opens is audited under its own kind, so that an auditor can list every disclosure. */
function readKind(d: Disclosure): 'personal_data_read' | 'support_measure_disclosed' {
  return d.kind === 'disclosed' ? 'support_measure_disclosed' : 'personal_data_read';
}

function summary(c: ChangeRow) {
  return {
    id: c.id,
    kind: c.kind,
    reasonCode: c.reasonCode,
    eventDate: c.eventDate,
    filedOn: c.filedOn,
    late: c.late,
    operatorId: c.operatorId,
    residentIds: [...c.residentIds],
    householdIds: [...c.householdIds],
    recordedAt: c.recordedAt,
  };
}

function hit(p: ResidentRecord, d: Disclosure) {
  if (d.kind === 'withheld') return { id: p.id, state: p.state, supportMeasure: true, name: null, dateOfBirth: null, sex: null, address: null, householdId: null };
  return { id: p.id, state: p.state, supportMeasure: d.kind === 'disclosed', name: p.name, dateOfBirth: p.dateOfBirth, sex: p.sex, address: p.address, householdId: p.householdId };
}

function present(p: ResidentRecord, withMyNumber: boolean, householdVersion: number | null, measure: { since: string; until: string | null } | null) {
  return {
    ...p,
    myNumber: withMyNumber ? p.myNumber : null,
    hasMyNumber: p.myNumber !== null,
    supportMeasure: measure ? { since: measure.since, until: measure.until } : null,
    householdVersion,
  };
}
