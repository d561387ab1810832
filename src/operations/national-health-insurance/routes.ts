/**
 * National Health Insurance over the API: which linkage subscription feeds the
 * membership (the admin sets it), and the membership itself (資格: ids, dates
 * and reason codes), read by NHI's clerks and auditors from the My Number zone
 * under a declared legal purpose of the operation.
 */
import type pg from 'pg';
import { Type } from 'typebox';
import { principalOf } from '../../identity/http.js';
import type { Role } from '../../identity/roles.js';
import { formatPosition } from '../../linkage/feed-position.js';
import { internalCursorState, subscriptionById } from '../../linkage/store.js';
import { fieldError, Problem, type Message } from '../../platform/errors.js';
import { tenantOf, type App, type Platform } from '../../platform/http/server.js';
import { Cursor, Limit, Page, Uuid } from '../../platform/http/schemas.js';
import { recordAction } from '../../security/audit/record.js';
import { subscriptionUnfit, type SubscriptionUnfit } from './consumer.js';
import { MEMBER_REASONS, NHI_CONSUMER, NHI_REQUIRED_FIELDS, NHI_REQUIRED_TOPICS } from './register-events.js';
import { listMemberships, membershipsOf, nhiSettings, setNhiSettings, type MemberListPosition } from './store.js';

const TAGS = ['national-health-insurance'];
const MY_NUMBER = { operation: 'national_health_insurance' } as const;
const READERS: Role[] = ['clerk', 'auditor'];

const SettingsSchema = Type.Object({
  subscriptionId: Type.Union([Uuid, Type.Null()], { description: 'The subscription NHI reads the register with; null until set' }),
  setBy: Type.Union([Uuid, Type.Null()]),
  setAt: Type.Union([Type.String(), Type.Null()]),
  position: Type.Union([Type.String(), Type.Null()], { description: 'The feed position applied through (<txid>.<seq>); null before the first event' }),
  positionUpdatedAt: Type.Union([Type.String(), Type.Null()]),
});

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

const UNFIT_MESSAGES: Record<SubscriptionUnfit, Message> = {
  not_found: { ja: 'この団体の連携の購読を指定してください。', en: "must be one of your municipality's linkage subscriptions" },
  revoked: { ja: '取り消された購読は使えません。', en: 'the subscription has been revoked' },
  not_nhi_eligibility: {
    ja: '業務 national_health_insurance・利用目的 nhi_eligibility の購読を指定してください。',
    en: 'must be a subscription of operation national_health_insurance for purpose nhi_eligibility',
  },
  webhook: { ja: 'Webhook で配信される購読は使えません。pull の購読を指定してください。', en: 'must be a pull subscription, not a webhook one' },
  fields_missing: {
    ja: `購読の項目に ${NHI_REQUIRED_FIELDS.join('・')} が必要です。`,
    en: `the subscription must name the fields ${NHI_REQUIRED_FIELDS.join(', ')}`,
  },
  topics_missing: {
    ja: `購読のイベントに ${NHI_REQUIRED_TOPICS.join('・')} が必要です。`,
    en: `the subscription must take the topics ${NHI_REQUIRED_TOPICS.join(', ')}`,
  },
};

async function settingsView(db: pg.ClientBase) {
  const settings = await nhiSettings(db);
  const cursor = await internalCursorState(db, NHI_CONSUMER);
  return {
    subscriptionId: settings?.subscriptionId ?? null,
    setBy: settings?.setBy ?? null,
    setAt: settings?.setAt ?? null,
    position: cursor ? formatPosition(cursor.position) : null,
    positionUpdatedAt: cursor?.updatedAt ?? null,
  };
}

export function nhiRoutes(app: App, platform: Platform): void {
  app.put(
    '/v1/nhi/settings',
    {
      config: { access: { roles: ['municipal_admin'], tenant: true } },
      schema: {
        tags: TAGS,
        summary:
          'Set the linkage subscription NHI reads the register with: pull, operation national_health_insurance, purpose nhi_eligibility, with the fields and topics its rules need',
        body: Type.Object({ subscriptionId: Uuid }, { additionalProperties: false }),
        response: { 200: SettingsSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { subscriptionId } = request.body;
      return tenantOf(request).run(async (db) => {
        const unfit = subscriptionUnfit(await subscriptionById(db, subscriptionId));
        if (unfit.length > 0) throw new Problem('nhi_subscription_unfit', unfit.map((rule) => fieldError('body/subscriptionId', rule, UNFIT_MESSAGES[rule])));
        await setNhiSettings(db, subscriptionId, principal.accountId);
        // In the transaction: no entry, no change.
        await recordAction(platform, request, 'settings_changed', {
          records: [
            { resource: 'nhi_settings', ids: [principal.organizationCode] },
            { resource: 'linkage_subscriptions', ids: [subscriptionId] },
          ],
        });
        return settingsView(db);
      });
    },
  );

  app.get(
    '/v1/nhi/settings',
    {
      config: { access: { roles: ['municipal_admin', 'auditor'], tenant: true } },
      schema: { tags: TAGS, summary: 'The subscription NHI reads the register with, and how far it has applied the feed', response: { 200: SettingsSchema } },
    },
    async (request) => tenantOf(request).run((db) => settingsView(db)),
  );

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
