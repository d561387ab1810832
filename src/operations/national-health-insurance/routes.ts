/**
 * National Health Insurance over the API: which linkage subscription feeds the
 * membership (the admin sets it), and the membership itself (資格: ids, dates
 * and reason codes), read by NHI's clerks and auditors from the My Number zone
 * under a declared legal purpose of the operation. The rates and premiums are
 * in premium-routes.ts.
 */
import { Type } from 'typebox';
import type { Role } from '../../identity/roles.js';
import { Problem } from '../../platform/errors.js';
import { tenantOf, type App, type Platform } from '../../platform/http/server.js';
import { Cursor, Limit, Page, Uuid } from '../../platform/http/schemas.js';
import { recordAction } from '../../security/audit/record.js';
import { feedSettingsRoutes } from '../feed-settings-routes.js';
import { NHI_FEED } from './consumer.js';
import { nhiPremiumRoutes } from './premium-routes.js';
import { MEMBER_REASONS } from './register-events.js';
import { listMemberships, membershipsOf, type MemberListPosition } from './store.js';

const TAGS = ['national-health-insurance'];
const MY_NUMBER = { operation: 'national_health_insurance' } as const;
const READERS: Role[] = ['clerk', 'auditor'];

const reasonCodes = Object.keys(MEMBER_REASONS).join(', ');
const MembershipSchema = Type.Object({
  residentId: Uuid,
  acquiredOn: Type.String({ description: '資格取得日 (YYYY-MM-DD): the first insured day' }),
  acquireReason: Type.String({ description: `資格取得事由: one of ${reasonCodes}` }),
  lostOn: Type.Union([Type.String(), Type.Null()], { description: '資格喪失日 (YYYY-MM-DD): the first day NOT insured; null while insured' }),
  loseReason: Type.Union([Type.String(), Type.Null()], { description: '資格喪失事由' }),
  householdId: Type.Union([Uuid, Type.Null()]),
  lastChangeId: Uuid,
  updatedAt: Type.String(),
});

export function nhiRoutes(app: App, platform: Platform): void {
  feedSettingsRoutes(app, platform, NHI_FEED, { path: '/v1/nhi/settings', tags: TAGS, title: 'NHI', resource: 'nhi_settings', unfitProblem: 'nhi_subscription_unfit' });
  // The rate table and a household's premium (premium-routes.ts).
  nhiPremiumRoutes(app, platform);

  app.get(
    '/v1/nhi/members',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: 'Memberships (資格) in resident order: ids, dates and reason codes (names are in the register)',
        querystring: Type.Object(
          {
            householdId: Type.Optional(Uuid),
            openOnly: Type.Optional(Type.Boolean({ description: 'Only the memberships still open (insured now)' })),
            limit: Limit,
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(MembershipSchema) },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { householdId, openOnly, limit, cursor } = request.query;
      const filter = { householdId: householdId ?? null, openOnly: openOnly ?? false };
      const listing = `nhi-members:${JSON.stringify(filter)}`;
      const after = cursor ? platform.cursors.decode<{ r: string; a: string }>(tenant.municipalityCode, listing, cursor) : undefined;
      return tenant.run(async (db) => {
        const { items, total } = await listMemberships(db, { householdId, openOnly }, { limit, after: after ? ({ residentId: after.r, acquiredOn: after.a } satisfies MemberListPosition) : undefined });
        await recordAction(platform, request, 'personal_data_read', {
          purpose: tenant.purpose,
          records: [{ resource: 'residents', ids: [...new Set(items.map((m) => m.residentId))] }],
        });
        const last = items.at(-1);
        return { items, total, nextCursor: last && items.length === limit ? platform.cursors.encode(tenant.municipalityCode, listing, { r: last.residentId, a: last.acquiredOn }) : null };
      });
    },
  );

  app.get(
    '/v1/nhi/members/:residentId',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: "A resident's memberships, oldest first (404 when they have never been insured here)",
        params: Type.Object({ residentId: Uuid }, { additionalProperties: false }),
        response: { 200: Type.Object({ residentId: Uuid, insured: Type.Boolean({ description: 'A membership is open' }), memberships: Type.Array(MembershipSchema) }) },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { residentId } = request.params;
      return tenant.run(async (db) => {
        const memberships = await membershipsOf(db, residentId);
        // Another municipality's resident is answered exactly like one never insured here.
        if (memberships.length === 0) throw new Problem('not_found');
        await recordAction(platform, request, 'personal_data_read', { purpose: tenant.purpose, records: [{ resource: 'residents', ids: [residentId] }] });
        return { residentId, insured: memberships.some((m) => m.lostOn === null), memberships };
      });
    },
  );
}
