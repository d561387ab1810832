/** Tenant routes for a municipality's offices. */
import { Type } from 'typebox';
import type { Role } from '../identity/roles.js';
import { Problem } from '../platform/errors.js';
import { tenantOf, type App, type Platform } from '../platform/http/server.js';
import { Cursor, Limit, Page, Text, Uuid } from '../platform/http/schemas.js';
import { normalizeText, toKatakana } from '../text/japanese.js';
import { normalizeOffice, OFFICE_KINDS, type OfficeInput } from './office.js';
import { deleteOffice, findOffice, insertOffice, listOffices, updateOffice } from './store.js';

const Kind = Type.Enum(OFFICE_KINDS);
const OfficeFields = {
  kind: Kind,
  name: Text({ maxLength: 100 }),
  nameKana: Text({ maxLength: 200, description: 'Reading in katakana or hiragana' }),
  postalCode: Type.Optional(Type.Union([Type.String({ maxLength: 10, pattern: '^[0-9０-９\\-−ー]*$' }), Type.Null()])),
  address: Type.Optional(Type.Union([Text({ minLength: 0, maxLength: 200 }), Type.Null()])),
  phone: Type.Optional(Type.Union([Type.String({ maxLength: 20, pattern: '^[0-9０-９\\-−ー]*$' }), Type.Null()])),
};
export const OfficeSchema = Type.Object({
  id: Uuid,
  kind: Kind,
  name: Type.String(),
  nameKana: Type.String(),
  postalCode: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

const READERS: Role[] = ['clerk', 'municipal_admin', 'auditor'];
const WRITERS: Role[] = ['municipal_admin'];


function validOffice(input: OfficeInput): Required<OfficeInput> {
  const result = normalizeOffice(input);
  if ('errors' in result) throw new Problem('validation_failed', result.errors);
  return result.office;
}

export function officeRoutes(app: App, platform: Platform): void {
  app.get(
    '/v1/offices',
    {
      config: { access: { roles: READERS, tenant: true } },
      schema: {
        tags: ['offices'],
        summary: "Your municipality's offices, in reading order",
        querystring: Type.Object(
          { kind: Type.Optional(Kind), q: Type.Optional(Text({ maxLength: 100 })), limit: Limit, cursor: Type.Optional(Cursor) },
          { additionalProperties: false },
        ),
        response: { 200: Page(OfficeSchema) },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { kind, q, limit, cursor } = request.query;
      const filter = { kind, q: q ? toKatakanaOrSame(normalizeText(q)) : undefined };
      const listing = `offices:${JSON.stringify(filter)}`;
      const after = cursor ? platform.cursors.decode<{ k: string; i: string }>(tenant.municipalityCode, listing, cursor) : undefined;
      const { items, total } = await tenant.run((db) =>
        listOffices(db, filter, { limit, ...(after ? { after: { nameKana: after.k, id: after.i } } : {}) }),
      );
      const last = items.at(-1);
      const nextCursor =
        last && items.length === limit ? platform.cursors.encode(tenant.municipalityCode, listing, { k: last.nameKana, i: last.id }) : null;
      return { items, total, nextCursor };
    },
  );

  app.get(
    '/v1/offices/:id',
    { config: { access: { roles: READERS, tenant: true } }, schema: { tags: ['offices'], params: IdParams, response: { 200: OfficeSchema } } },
    async (request) => {
      const office = await tenantOf(request).run((db) => findOffice(db, request.params.id));
      if (!office) throw new Problem('not_found');
      return office;
    },
  );

  app.post(
    '/v1/offices',
    {
      config: { access: { roles: WRITERS, tenant: true } },
      schema: {
        tags: ['offices'],
        summary: 'Register an office',
        body: Type.Object(OfficeFields, { additionalProperties: false }),
        response: { 201: OfficeSchema },
      },
    },
    async (request, reply) => {
      const office = validOffice(request.body);
      return reply.status(201).send(await tenantOf(request).run((db) => insertOffice(db, office)));
    },
  );

  app.put(
    '/v1/offices/:id',
    {
      config: { access: { roles: WRITERS, tenant: true } },
      schema: {
        tags: ['offices'],
        summary: 'Replace an office; `version` must be the one you read (otherwise 409 conflict)',
        params: IdParams,
        body: Type.Object({ ...OfficeFields, version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        response: { 200: OfficeSchema },
      },
    },
    async (request) => {
      const { version, ...input } = request.body;
      const office = validOffice(input);
      const result = await tenantOf(request).run((db) => updateOffice(db, request.params.id, version, office));
      if (result === 'missing') throw new Problem('not_found');
      if (result === 'stale') throw new Problem('conflict');
      return result;
    },
  );

  app.delete(
    '/v1/offices/:id',
    { config: { access: { roles: WRITERS, tenant: true } }, schema: { tags: ['offices'], params: IdParams } },
    async (request, reply) => {
      if (!(await tenantOf(request).run((db) => deleteOffice(db, request.params.id)))) throw new Problem('not_found');
      return reply.status(204).send();
    },
  );
}

/** A search term in hiragana also finds katakana readings; other text is searched as typed. */
function toKatakanaOrSame(q: string): string {
  return /^[\u3041-\u309f\u30a0-\u30ff\u3000 ]+$/.test(q) ? toKatakana(q) : q;
}
