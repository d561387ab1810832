/**
 * Four-eyes bulk exports (一括出力の二者承認): a municipal admin requests a
 * dataset and receives a one-time export key; another admin of the same
 * municipality approves (the file is written then, encrypted with that key) or
 * rejects; only the requester downloads, a few times, within a day. Every step
 * is audited. See docs/security.md.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { Type } from 'typebox';
import { IdParams, principalOf } from '../../identity/http.js';
import type { Principal, Role } from '../../identity/roles.js';
import { fieldError, Problem } from '../../platform/errors.js';
import { tenantOf, type App, type Platform, type TenantContext } from '../../platform/http/server.js';
import { Cursor, Limit, Page, Text, Uuid } from '../../platform/http/schemas.js';
import type { RecordRef } from '../audit/entry.js';
import type { EntryKind } from '../audit/catalogue.js';
import { recordAction } from '../audit/record.js';
import { EXPORT_DATASETS } from './datasets.js';
import { encodeExportKey, generateExportKey } from './file-format.js';
import { DatasetContractError, generateExportFile, type GeneratedFile } from './generate.js';
import { decisionRefusal, downloadRefusal, EXPORT_POLICY, EXPORT_PURPOSE_CODES, EXPORT_PURPOSES, EXPORT_STATES, type Refusal } from './policy.js';
import {
  countDownload,
  expireDue,
  EXPORT_KEY_SEALED,
  EXPORT_REASON_SEALED,
  findExport,
  insertExport,
  listExports,
  markApproved,
  markRejected,
  readFileParts,
  recordIdBatches,
  recordIdLines,
  type ExportRecord,
  type SealedFields,
} from './store.js';

const ADMINS: Role[] = ['municipal_admin'];
const READERS: Role[] = ['municipal_admin', 'auditor'];

const DatasetName = Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$', maxLength: 63 });
const Sha256 = Type.Union([Type.String({ pattern: '^[0-9a-f]{64}$' }), Type.Null()]);
const ExportFields = {
  id: Uuid,
  dataset: Type.String(),
  filter: Type.Unknown({ description: 'The dataset filter as validated (codes, dates and flags only)' }),
  purpose: Type.String(),
  state: Type.Enum(EXPORT_STATES, { description: 'requested → approved | rejected; requested or approved → expired (an expired export with decidedBy was approved)' }),
  requestedBy: Uuid,
  requestedAt: Type.String(),
  decidedBy: Type.Union([Uuid, Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.String({ description: 'Until a decision (requested) or the end of the download window (approved)' }),
  rowCount: Type.Union([Type.Integer(), Type.Null()]),
  recordCount: Type.Union([Type.Integer({ description: 'Distinct records in the file' }), Type.Null()]),
  recordIdsSha256: { ...Sha256, description: 'SHA-256 (hex) of the sorted record ids, each followed by a line feed: GET …/record-ids' },
  fileSha256: { ...Sha256, description: 'SHA-256 (hex) of the encrypted file' },
  fileSize: Type.Union([Type.Integer(), Type.Null()]),
  downloads: Type.Integer(),
  maxDownloads: Type.Integer(),
  version: Type.Integer(),
};
const ExportSchema = Type.Object(ExportFields);
const ExportDetailSchema = Type.Object({ ...ExportFields, reason: Type.String() });
const CreatedSchema = Type.Object({
  ...ExportFields,
  reason: Type.String(),
  exportKey: Type.String({ description: 'The key to decrypt the file (base64url, 256 bits). Shown only in this response: keep it; nobody can show it again.' }),
});
const Decision = Type.Object({ version: Type.Integer({ minimum: 1, description: 'The version you read (otherwise 409 conflict)' }) }, { additionalProperties: false });

const hex = (b: Buffer | null) => (b ? b.toString('hex') : null);

function present(e: ExportRecord) {
  return {
    id: e.id,
    dataset: e.dataset,
    filter: e.filter,
    purpose: e.purpose,
    state: e.state,
    requestedBy: e.requestedBy,
    requestedAt: e.requestedAt.toISOString(),
    decidedBy: e.decidedBy,
    decidedAt: e.decidedAt?.toISOString() ?? null,
    expiresAt: e.expiresAt.toISOString(),
    rowCount: e.rowCount,
    recordCount: e.recordCount,
    recordIdsSha256: hex(e.recordIdsSha256),
    fileSha256: hex(e.fileSha256),
    fileSize: e.fileSize,
    downloads: e.downloads,
    maxDownloads: e.maxDownloads,
    version: e.version,
  };
}

const exportRef = (id: string): RecordRef => ({ resource: 'bulk_exports', ids: [id] });

type LockedExport = ExportRecord & SealedFields;

/** A decision's refusal, given the version the decider read. */
const refusalOfDecision = (version: number) => (e: LockedExport, actor: Principal, now: Date) => decisionRefusal(e, actor, version, now);

/**
 * The common path of a decision or a download: expire what is due, then, in
 * the route's tenant transaction, lock the export, refuse if `refusalOf` says
 * so (recording the attempt when it is worth recording: audit `kind`), else
 * `act` on it. A foreign id is not found, like a missing one.
 */
async function onLockedExport<T>(
  platform: Platform,
  request: FastifyRequest,
  id: string,
  kind: EntryKind,
  refusalOf: (e: LockedExport, actor: Principal, now: Date) => Refusal | null,
  act: (db: pg.PoolClient, e: LockedExport, actor: Principal) => Promise<T>,
): Promise<T> {
  const tenant = tenantOf(request);
  const principal = principalOf(request);
  await expireFirst(tenant);
  return tenant.run(async (db) => {
    const e = await findExport(db, id, { forUpdate: true });
    if (!e) throw new Problem('not_found');
    const refusal = refusalOf(e, principal, new Date());
    if (refusal) {
      if (refusal.audited) await recordAction(platform, request, kind, { refused: refusal.problem, records: [exportRef(id)], purpose: e.purpose });
      throw new Problem(refusal.problem);
    }
    return act(db, e, principal);
  });
}

export function exportRoutes(app: App, platform: Platform): void {
  app.get(
    '/v1/exports/datasets',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['exports'],
        summary: 'The datasets a bulk export can produce, with their columns and filter schemas, and the export purposes',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                name: Type.String(),
                ja: Type.String(),
                en: Type.String(),
                resource: Type.String(),
                columns: Type.Array(Type.Object({ name: Type.String(), ja: Type.String() })),
                filterSchema: Type.Unknown(),
              }),
            ),
            purposes: Type.Array(Type.Object({ code: Type.String(), ja: Type.String(), en: Type.String() })),
          }),
        },
      },
    },
    async () => ({
      items: EXPORT_DATASETS.list().map((d) => ({ name: d.name, ja: d.ja, en: d.en, resource: d.resource, columns: [...d.columns], filterSchema: d.filterSchema })),
      purposes: [...EXPORT_PURPOSES],
    }),
  );

  app.post(
    '/v1/exports',
    {
      config: { access: { roles: ADMINS, tenant: true } },
      schema: {
        tags: ['exports'],
        summary: 'Request a bulk export; another municipal admin must approve it. The response carries the one-time export key.',
        body: Type.Object(
          {
            dataset: DatasetName,
            filter: Type.Optional(Type.Object({}, { additionalProperties: true, description: "The dataset's filter (see GET /v1/exports/datasets)" })),
            purpose: Type.Enum(EXPORT_PURPOSE_CODES),
            reason: Text({ maxLength: 1000, description: 'Why the data must leave in bulk (sealed; shown to approvers and auditors)' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedSchema },
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const principal = principalOf(request);
      const body = request.body;
      const dataset = EXPORT_DATASETS.get(body.dataset);
      if (!dataset) {
        throw new Problem('validation_failed', [fieldError('body/dataset', 'known_dataset', { ja: '登録されていないデータセットです。', en: 'is not a known dataset' })]);
      }
      const filter = structuredClone(body.filter ?? {});
      const errors = dataset.validateFilter(filter);
      if (errors.length > 0) throw new Problem('validation_failed', errors);
      if (principal.readsBlocked) {
        await recordAction(platform, request, 'export_requested', { refused: 'reads_blocked', records: [{ resource: 'bulk_exports', ids: [] }], purpose: body.purpose });
        throw new Problem('reads_blocked');
      }
      const id = randomUUID();
      const key = generateExportKey();
      try {
        const keys = await platform.keys.forMunicipality(tenant.municipalityCode);
        const exportKeySealed = await keys.seal(EXPORT_KEY_SEALED.field(id), key);
        const reasonSealed = await keys.seal(EXPORT_REASON_SEALED.field(id), body.reason);
        await expireFirst(tenant);
        const created = await tenant.run(async (db) => {
          const e = await insertExport(db, {
            id,
            dataset: dataset.name,
            filter,
            purpose: body.purpose,
            reasonSealed,
            exportKeySealed,
            requestedBy: principal.accountId,
            ttlHours: EXPORT_POLICY.requestTtlHours,
            maxDownloads: EXPORT_POLICY.maxDownloads,
          });
          // Inside the transaction: no entry, no request.
          await recordAction(platform, request, 'export_requested', { records: [exportRef(id)], purpose: body.purpose });
          return e;
        });
        return reply.status(201).send({ ...present(created), reason: body.reason, exportKey: encodeExportKey(key) });
      } finally {
        key.fill(0);
      }
    },
  );

  app.get(
    '/v1/exports',
    {
      config: { access: { roles: READERS, tenant: true } },
      schema: {
        tags: ['exports'],
        summary: "Your municipality's bulk exports, newest first: state, who, when, counts; never contents",
        querystring: Type.Object(
          { state: Type.Optional(Type.Enum(EXPORT_STATES)), dataset: Type.Optional(DatasetName), limit: Limit, cursor: Type.Optional(Cursor) },
          { additionalProperties: false },
        ),
        response: { 200: Page(ExportSchema) },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { state, dataset, limit, cursor } = request.query;
      const listing = `exports:${JSON.stringify({ state, dataset })}`;
      const after = cursor ? platform.cursors.decode<{ t: string; i: string }>(tenant.municipalityCode, listing, cursor) : undefined;
      const { items, total } = await tenant.run((db) =>
        listExports(db, { state, dataset }, { limit, after: after ? { requestedAt: after.t, id: after.i } : undefined }),
      );
      const last = items.at(-1);
      const nextCursor =
        last && items.length === limit ? platform.cursors.encode(tenant.municipalityCode, listing, { t: last.requestedAt.toISOString(), i: last.id }) : null;
      return { items: items.map(present), total, nextCursor };
    },
  );

  app.get(
    '/v1/exports/:id',
    {
      config: { access: { roles: READERS, tenant: true } },
      schema: { tags: ['exports'], summary: 'One bulk export, with the reason given for it', params: IdParams, response: { 200: ExportDetailSchema } },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const e = await tenant.run((db) => findExport(db, request.params.id));
      if (!e) throw new Problem('not_found');
      const keys = await platform.keys.forMunicipality(tenant.municipalityCode);
      return { ...present(e), reason: await keys.openText(EXPORT_REASON_SEALED.field(e.id), e.reasonSealed) };
    },
  );

  app.post(
    '/v1/exports/:id/approve',
    {
      config: { access: { roles: ADMINS, tenant: true } },
      schema: {
        tags: ['exports'],
        summary: 'Approve a bulk export requested by another admin: the encrypted file is written now',
        params: IdParams,
        body: Decision,
        response: { 200: ExportSchema },
      },
    },
    async (request) => {
      const id = request.params.id;
      return onLockedExport(platform, request, id, 'export_approved', refusalOfDecision(request.body.version), async (db, e, principal) => {
        const dataset = EXPORT_DATASETS.get(e.dataset);
        if (!dataset) {
          request.log.error({ dataset: e.dataset }, 'bulk export of a dataset no longer registered');
          throw new Problem('internal_error');
        }
        // A pending request always holds its sealed key (insertExport writes it; only decisions and expiry erase it).
        if (!e.exportKeySealed) throw new Problem('internal_error');
        const keys = await platform.keys.forMunicipality(tenantOf(request).municipalityCode);
        const exportKey = await keys.open(EXPORT_KEY_SEALED.field(id), e.exportKeySealed);
        let file: GeneratedFile;
        try {
          file = await generateExportFile(db, { exportId: id, dataset, filter: e.filter, keys, exportKey });
        } catch (err) {
          if (err instanceof DatasetContractError) {
            request.log.error({ err: { message: err.message } }, 'export dataset broke its contract');
            throw new Problem('internal_error');
          }
          throw err;
        } finally {
          exportKey.fill(0);
        }
        const approved = await markApproved(db, id, principal.accountId, { ttlHours: EXPORT_POLICY.downloadTtlHours, ...file });
        // Inside the transaction: no entry, no file. The digests bind the evidence into the signed log.
        await recordAction(platform, request, 'export_approved', {
          purpose: e.purpose,
          records: [
            exportRef(id),
            { resource: 'bulk_export_record_ids_sha256', ids: [file.recordIdsSha256.toString('hex')] },
            { resource: 'bulk_export_file_sha256', ids: [file.fileSha256.toString('hex')] },
          ],
        });
        return present(approved);
      });
    },
  );

  app.post(
    '/v1/exports/:id/reject',
    {
      config: { access: { roles: ADMINS, tenant: true } },
      schema: { tags: ['exports'], summary: 'Reject a bulk export requested by another admin', params: IdParams, body: Decision, response: { 200: ExportSchema } },
    },
    async (request) => {
      const id = request.params.id;
      return onLockedExport(platform, request, id, 'export_rejected', refusalOfDecision(request.body.version), async (db, e, principal) => {
        const rejected = await markRejected(db, id, principal.accountId);
        await recordAction(platform, request, 'export_rejected', { records: [exportRef(id)], purpose: e.purpose });
        return present(rejected);
      });
    },
  );

  app.get(
    '/v1/exports/:id/file',
    {
      // A HEAD would count (and audit) a download without sending the file.
      exposeHeadRoute: false,
      config: { access: { roles: ADMINS, tenant: true } },
      schema: {
        tags: ['exports'],
        summary: `The encrypted file (MCX1, application/octet-stream): the requester only, approved, within ${EXPORT_POLICY.downloadTtlHours} h, at most ${EXPORT_POLICY.maxDownloads} times. Decrypt with \`municloud export decrypt --key KEY FILE OUT\`.`,
        params: IdParams,
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const counted = await onLockedExport(platform, request, id, 'export_downloaded', downloadRefusal, async (db, e) => {
        const counted = await countDownload(db, id);
        await recordAction(platform, request, 'export_downloaded', {
          purpose: e.purpose,
          records: [exportRef(id), { resource: 'bulk_export_file_sha256', ids: [e.fileSha256!.toString('hex')] }],
        });
        return counted;
      });
      void reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${counted.dataset}-${counted.id}.csv.mcx"`)
        .header('content-length', String(counted.fileSize))
        .header('repr-digest', `sha-256=:${counted.fileSha256!.toString('base64')}:`);
      return reply.send(Readable.from(fileParts(tenantOf(request), id, counted.fileSize!)));
    },
  );

  app.get(
    '/v1/exports/:id/record-ids',
    {
      config: { access: { roles: READERS, tenant: true } },
      schema: {
        tags: ['exports'],
        summary: 'The ids of the records an approved export contained (text/plain, one per line, in byte order): their SHA-256 is recordIdsSha256',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const e = await tenant.run((db) => findExport(db, request.params.id));
      if (!e) throw new Problem('not_found');
      void reply.header('content-type', 'text/plain; charset=utf-8');
      if (e.recordIdsSha256) void reply.header('repr-digest', `sha-256=:${e.recordIdsSha256.toString('base64')}:`);
      return reply.send(Readable.from(recordIdList(tenant, e.id)));
    },
  );
}

/**
 * Expiry in a transaction of its own, before the route's: a refusal that rolls
 * the route's transaction back (an expired download) must not undo the expiry.
 */
function expireFirst(tenant: TenantContext): Promise<number> {
  return tenant.run((db) => expireDue(db));
}

/** The file's parts, a few per short transaction (the file does not change once written). */
async function* fileParts(tenant: TenantContext, id: string, size: number): AsyncGenerator<Buffer> {
  const batch = 4;
  let next = 0;
  let sent = 0;
  for (;;) {
    const parts = await tenant.run((db) => readFileParts(db, id, next, batch));
    for (const p of parts) {
      if (p.part !== next) throw new Error('bulk export file: a part is missing');
      next++;
      sent += p.data.length;
      yield p.data;
    }
    if (parts.length < batch) break;
  }
  // Expired (and deleted) while being sent: the client sees a cut-off file, which does not decrypt.
  if (sent !== size) throw new Error('bulk export file: incomplete');
}

/** The evidence list as sent: a short transaction per batch, as for the file. */
async function* recordIdList(tenant: TenantContext, id: string): AsyncGenerator<Buffer> {
  for await (const ids of recordIdBatches((read) => tenant.run(read), id)) yield recordIdLines(ids);
}
