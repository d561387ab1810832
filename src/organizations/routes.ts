/** The organization catalogue, readable by every authenticated account. */
import { Type } from 'typebox';
import { ROLES } from '../identity/roles.js';
import type { App, Platform } from '../platform/http/server.js';
import { Cursor, Limit, OrganizationCode, Page, Text } from '../platform/http/schemas.js';
import { ORGANIZATION_KINDS } from './organization.js';
import { listOrganizations, requireOrganization } from './store.js';

export const OrganizationSchema = Type.Object({
  code: Type.String(),
  kind: Type.Enum(ORGANIZATION_KINDS),
  name: Type.String(),
  nameKana: Type.String(),
  prefectureCode: Type.Union([Type.String(), Type.Null()]),
  parentCode: Type.Union([Type.String(), Type.Null()]),
  abolishedOn: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  asOf: Type.String(),
});

export function organizationRoutes(app: App, platform: Platform): void {
  app.get(
    '/v1/organizations',
    {
      config: { access: { roles: ROLES } },
      schema: {
        tags: ['organizations'],
        summary: 'Search organizations: the Digital Agency, prefectures, municipalities, wards',
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.Enum(ORGANIZATION_KINDS)),
            prefecture: Type.Optional(OrganizationCode),
            parent: Type.Optional(OrganizationCode),
            q: Type.Optional(Text({ maxLength: 50, description: 'Part of the name or its kana reading' })),
            includeAbolished: Type.Boolean({ default: false }),
            limit: Limit,
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(OrganizationSchema) },
      },
    },
    async (request) => {
      const { kind, prefecture, parent, q, includeAbolished, limit, cursor } = request.query;
      const filter = { kind, prefectureCode: prefecture, parentCode: parent, q: q?.normalize('NFKC'), includeAbolished };
      const listing = `organizations:${JSON.stringify(filter)}`;
      const afterCode = cursor ? platform.cursors.decode<string>('control', listing, cursor) : undefined;
      const { items, total } = await listOrganizations(platform.control, filter, { limit, ...(afterCode ? { afterCode } : {}) });
      const last = items.at(-1);
      return { items, total, nextCursor: last && items.length === limit ? platform.cursors.encode('control', listing, last.code) : null };
    },
  );

  app.get(
    '/v1/organizations/:code',
    {
      config: { access: { roles: ROLES } },
      schema: {
        tags: ['organizations'],
        summary: 'One organization by its code (abolished ones included)',
        params: Type.Object({ code: Type.String({ maxLength: 20 }) }, { additionalProperties: false }),
        response: { 200: OrganizationSchema },
      },
    },
    async (request) => requireOrganization(platform.control, request.params.code, 'params/code', { allowAbolished: true }),
  );
}
