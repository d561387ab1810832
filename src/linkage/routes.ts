/**
 * Linkage over the API: the event catalogue (public), the municipality's
 * subscriptions (declared by its admin), and each subscription's pull feed
 * and daily files (read by the receiving system's account only).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { findAccount } from '../identity/accounts.js';
import { principalOf } from '../identity/http.js';
import { fieldError, Problem, type FieldError } from '../platform/errors.js';
import { admitFromMyNumberZone, tenantOf, type App, type Platform } from '../platform/http/server.js';
import { Cursor, Limit, Page, Text, Uuid } from '../platform/http/schemas.js';
import { LEGAL_PURPOSES } from '../security/access/purposes.js';
import { recordAction } from '../security/audit/record.js';
import { EVENT_TYPES, eventType, TOPICS } from './catalogue.js';
import { checkTerms, ENTITLEMENTS, RESIDENT_FIELDS, RESIDENT_FIELD_NAMES, SUBSCRIBING_OPERATIONS, type ResidentField, type TermsProblem } from './entitlements.js';
import { consumersSubscription, readFeed } from './feed.js';
import { openDailyFile } from './daily-files.js';
import { WEBHOOK_PREVIOUS_SECRET, WEBHOOK_SECRET } from './webhooks.js';
import { requestMoveOutRecord } from './moves.js';
import { ResidentSchema } from '../resident-register/schemas.js';
import { formatPosition, parsePosition } from './feed-position.js';
import {
  deadLetters,
  insertSubscription,
  listDays,
  listSubscriptions,
  lockWebhookSecretSealed,
  requestReplay,
  revokeSubscription,
  rotateWebhookSecret,
  startWebhookAtFeedEnd,
  waitingDeadLetters,
  subscriptionById,
  webhookState,
  type Subscription,
  type SubscriptionListPosition,
} from './store.js';

const SubscriptionSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  operation: Type.String(),
  purpose: Type.String(),
  topics: Type.Array(Type.String()),
  fields: Type.Array(Type.String()),
  consumerAccountId: Uuid,
  delivery: Type.Union([Type.Literal('pull'), Type.Literal('webhook')]),
  webhookUrl: Type.Union([Type.String(), Type.Null()]),
  createdBy: Uuid,
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

const SubscriptionBody = Type.Object(
  {
    name: Text({ maxLength: 100, description: 'What the receiving system is, e.g. 国保システム (本番)' }),
    operation: Type.Enum(SUBSCRIBING_OPERATIONS),
    purpose: Type.String({ maxLength: 64, description: "One of the operation's legal purposes (GET /v1/legal-purposes)" }),
    topics: Type.Array(Type.Enum(TOPICS), { minItems: 1, maxItems: TOPICS.length, uniqueItems: true }),
    fields: Type.Array(Type.Enum(RESIDENT_FIELD_NAMES), { maxItems: RESIDENT_FIELD_NAMES.length, description: 'Resident fields to receive with each event; [] for ids only' }),
    consumerAccountId: Type.String({ format: 'uuid', description: 'The account (role linkage_subscriber) of the receiving system' }),
    webhook: Type.Optional(
      Type.Object(
        {
          url: Type.String({
            maxLength: 2000,
            description: 'https:// (http:// only to this machine, for development); its host must be in your My Number zone, checked before every delivery',
          }),
          startAt: Type.Optional(
            Type.Union([Type.Literal('first_event'), Type.Literal('now')], {
              default: 'first_event',
              description: 'first_event: every event kept, oldest first (an initial load); now: only events after this declaration',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * How long the secret a rotation replaced still signs deliveries (next to the new one): long enough
 * for a receiving system to deploy the new secret, through its own change process, without
 * refusing a single delivery meanwhile; short enough that a leaked secret stops working soon.
 */
export const PREVIOUS_SECRET_VALID_MS = 24 * 60 * 60 * 1000;

/** A new webhook signing secret (its text is the HMAC key). */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** Why a webhook URL is refused, if it is. Pure. */
export function webhookUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not_a_url';
  }
  if (url.username || url.password) return 'credentials_in_url';
  if (url.hash) return 'fragment';
  if (url.protocol === 'https:') return null;
  // Plain HTTP carries personal data in clear: only to this machine (development, tests).
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host))) return null;
  return 'https_required';
}

const TERMS_MESSAGES: Record<TermsProblem['rule'], { ja: string; en: string }> = {
  not_subscribing: { ja: 'この業務は連携を購読できません。', en: 'this operation does not subscribe to linkage' },
  not_of_operation: { ja: 'この業務の法定の利用目的ではありません。', en: "is not one of the operation's legal purposes" },
  unknown_field: { ja: '不明な項目です。', en: 'no such field' },
  not_entitled: { ja: 'この利用目的では受け取れない項目です。', en: 'the purpose is not entitled to this field' },
  repeated: { ja: '項目が重複しています。', en: 'named twice' },
};

function termsErrors(problems: readonly TermsProblem[]): FieldError[] {
  return problems.map((p) => fieldError(p.at === 'fields' ? `body/fields/${p.index}` : `body/${p.at}`, p.rule, TERMS_MESSAGES[p.rule]));
}

export function linkageRoutes(app: App, platform: Platform): void {
  app.get(
    '/v1/linkage/catalogue',
    {
      config: { access: { roles: 'public' } },
      schema: {
        tags: ['linkage'],
        summary: 'The events published (topic, version), the resident fields a subscription may name, and which purpose is entitled to which',
        response: {
          200: Type.Object({
            events: Type.Array(Type.Object({ topic: Type.String(), version: Type.Integer(), ja: Type.String(), en: Type.String() })),
            fields: Type.Array(Type.Object({ name: Type.String(), ja: Type.String(), en: Type.String(), items: Type.Array(Type.String()) })),
            entitlements: Type.Array(Type.Object({ operation: Type.String(), purpose: Type.String(), fields: Type.Array(Type.String()) })),
          }),
        },
      },
    },
    async () => ({
      events: EVENT_TYPES.map(({ topic, version, ja, en }) => ({ topic, version, ja, en })),
      fields: RESIDENT_FIELD_NAMES.map((name) => ({ name, ja: RESIDENT_FIELDS[name].ja, en: RESIDENT_FIELDS[name].en, items: [...RESIDENT_FIELDS[name].items] })),
      entitlements: SUBSCRIBING_OPERATIONS.flatMap((operation) => LEGAL_PURPOSES[operation].map((p) => ({ operation, purpose: p.code, fields: [...(ENTITLEMENTS[p.code] ?? [])] }))),
    }),
  );

  app.get(
    '/v1/linkage/catalogue/:topic',
    {
      config: { access: { roles: 'public' } },
      schema: {
        tags: ['linkage'],
        summary: "An event's JSON Schema (draft 2020-12): the envelope and data a subscriber receives",
        params: Type.Object({ topic: Type.String({ maxLength: 100 }) }),
      },
    },
    async (request) => {
      const type = eventType(request.params.topic);
      if (!type) throw new Problem('not_found');
      return { topic: type.topic, version: type.version, ja: type.ja, en: type.en, schema: type.schema };
    },
  );

  app.post(
    '/v1/linkage/subscriptions',
    {
      config: { access: { roles: ['municipal_admin'], tenant: true } },
      schema: {
        tags: ['linkage'],
        summary: 'Declare a subscription: which events, which resident fields, under which legal purpose, for which receiving system',
        body: SubscriptionBody,
        response: {
          201: Type.Intersect([
            SubscriptionSchema,
            Type.Object({ webhookSecret: Type.Optional(Type.String({ description: 'The webhook signing secret (whsec_…; its text is the HMAC-SHA256 key): shown only now' })) }),
          ]),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = tenantOf(request);
      const body = request.body;
      const errors = termsErrors(checkTerms(body));
      const consumer = await findAccount(platform.control, body.consumerAccountId);
      if (!consumer || consumer.organizationCode !== tenant.municipalityCode || consumer.disabled || !consumer.roles.includes('linkage_subscriber')) {
        errors.push(
          fieldError('body/consumerAccountId', 'not_a_subscriber', {
            ja: 'この団体の連携先業務システム（linkage_subscriber）の有効なアカウントを指定してください。',
            en: "must be a live account of your municipality with the role linkage_subscriber",
          }),
        );
      }
      const urlProblem = body.webhook ? webhookUrlProblem(body.webhook.url) : null;
      if (urlProblem) {
        errors.push(
          fieldError('body/webhook/url', urlProblem, {
            ja: 'https:// の URL（認証情報やフラグメントを含まないもの）を指定してください。http:// はこの機械宛てに限ります。',
            en: 'must be an https:// URL without credentials or fragment (http:// only to this machine)',
          }),
        );
      }
      if (errors.length > 0) throw new Problem('subscription_rejected', errors);
      // The webhook's signing secret (its text is the HMAC key): shown once, in this answer; kept sealed under the municipality's keys.
      const secret = body.webhook ? newWebhookSecret() : null;
      const id = randomUUID();
      const keys = secret ? await platform.keys.forMunicipality(tenant.municipalityCode) : null;
      const webhook = body.webhook && secret && keys ? { url: body.webhook.url, secretSealed: await keys.seal(WEBHOOK_SECRET.field(id), secret) } : undefined;
      const sub = await tenant.run(async (db) => {
        const created = await insertSubscription(db, {
          webhook,
          id,
          name: body.name,
          operation: body.operation,
          purpose: body.purpose,
          topics: body.topics,
          fields: body.fields as ResidentField[],
          consumerAccountId: body.consumerAccountId,
          createdBy: principal.accountId,
        });
        if (body.webhook?.startAt === 'now') await startWebhookAtFeedEnd(db, created.id);
        await recordAction(platform, request, 'subscription_declared', { purpose: body.purpose, records: [{ resource: 'linkage_subscriptions', ids: [created.id] }] });
        return created;
      });
      return reply.status(201).send({ ...sub, ...(secret ? { webhookSecret: secret } : {}) });
    },
  );

  app.get(
    '/v1/linkage/subscriptions',
    {
      config: { access: { roles: ['municipal_admin', 'auditor', 'linkage_subscriber'], tenant: true } },
      schema: {
        tags: ['linkage'],
        summary: "Your municipality's subscriptions, oldest first (a receiving system sees its own)",
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: Page(SubscriptionSchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenant = tenantOf(request);
      const listing = 'linkage_subscriptions';
      const { limit, cursor } = request.query;
      const after = cursor ? platform.cursors.decode<SubscriptionListPosition>(tenant.municipalityCode, listing, cursor) : undefined;
      const onlyOwn = !principal.roles.includes('municipal_admin') && !principal.roles.includes('auditor');
      const { items, total, last } = await tenant.run((db) => listSubscriptions(db, { consumer: onlyOwn ? principal.accountId : undefined, after, limit }));
      return { items, total, nextCursor: last && items.length === limit ? platform.cursors.encode(tenant.municipalityCode, listing, last) : null };
    },
  );

  app.get(
    '/v1/linkage/subscriptions/:id',
    {
      config: { access: { roles: ['municipal_admin', 'auditor', 'linkage_subscriber'], tenant: true } },
      schema: { tags: ['linkage'], summary: 'One subscription', params: Type.Object({ id: Uuid }), response: { 200: SubscriptionSchema } },
    },
    async (request) => {
      const principal = principalOf(request);
      const sub = await tenantOf(request).run((db) => subscriptionById(db, request.params.id));
      if (!sub || !visibleTo(sub, principal)) throw new Problem('not_found');
      return sub;
    },
  );

  app.post(
    '/v1/linkage/subscriptions/:id/revocation',
    {
      config: { access: { roles: ['municipal_admin'], tenant: true } },
      schema: { tags: ['linkage'], summary: 'Revoke a subscription: its feed delivers nothing more (kept as evidence)', params: Type.Object({ id: Uuid }), response: { 200: SubscriptionSchema } },
    },
    async (request) => {
      const principal = principalOf(request);
      return tenantOf(request).run(async (db) => {
        const sub = await subscriptionById(db, request.params.id);
        if (!sub) throw new Problem('not_found');
        if (!(await revokeSubscription(db, sub.id, principal.accountId))) throw new Problem('subscription_revoked');
        await recordAction(platform, request, 'subscription_revoked', { records: [{ resource: 'linkage_subscriptions', ids: [sub.id] }] });
        return (await subscriptionById(db, sub.id))!;
      });
    },
  );

  app.post(
    '/v1/linkage/subscriptions/:id/webhook-secret',
    {
      config: { access: { roles: ['municipal_admin'], tenant: true } },
      schema: {
        tags: ['linkage'],
        summary:
          "Rotate a webhook subscription's signing secret: the new one is shown only now; the one it replaces still signs every delivery, next to the new one, for 24 hours",
        params: Type.Object({ id: Uuid }),
        response: {
          200: Type.Intersect([
            SubscriptionSchema,
            Type.Object({
              webhookSecret: Type.String({ description: 'The new signing secret (whsec_…; its text is the HMAC-SHA256 key): shown only now' }),
              previousSecretValidUntil: Type.String({ description: 'Until when the replaced secret signs too (a second v1 in municloud-signature)' }),
            }),
          ]),
        },
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const keys = await platform.keys.forMunicipality(tenant.municipalityCode);
      const secret = newWebhookSecret();
      const answer = await tenant.run(async (db) => {
        // The row is locked first: two rotations at once go one after the other, and the second keeps the first's secret as the previous one.
        const currentSealed = await lockWebhookSecretSealed(db, request.params.id);
        const sub = await subscriptionById(db, request.params.id);
        if (!sub) throw new Problem('not_found');
        if (sub.revokedAt) throw new Problem('subscription_revoked');
        if (sub.delivery !== 'webhook' || !currentSealed) throw new Problem('subscription_not_webhook');
        // The replaced secret is sealed again under its own column (the column is part of what the seal authenticates).
        const previous = await keys.open(WEBHOOK_SECRET.field(sub.id), currentSealed);
        let previousSealed: Buffer;
        try {
          previousSealed = await keys.seal(WEBHOOK_PREVIOUS_SECRET.field(sub.id), previous);
        } finally {
          previous.fill(0);
        }
        const previousUntil = new Date(Date.now() + PREVIOUS_SECRET_VALID_MS);
        const rotated = await rotateWebhookSecret(db, sub.id, { currentSealed: await keys.seal(WEBHOOK_SECRET.field(sub.id), secret), previousSealed, previousUntil });
        if (!rotated) throw new Problem('subscription_revoked');
        await recordAction(platform, request, 'webhook_secret_rotated', { records: [{ resource: 'linkage_subscriptions', ids: [sub.id] }] });
        return { ...sub, webhookSecret: secret, previousSecretValidUntil: previousUntil.toISOString() };
      });
      return reply.header('cache-control', 'no-store').send(answer);
    },
  );

  const DeadLetterSchema = Type.Object({
    eventId: Uuid,
    cursor: Type.String(),
    residentIds: Type.Array(Uuid),
    reason: Type.String({ description: 'failed: the receiver did not take it; held: an earlier event of one of its residents is here' }),
    attempts: Type.Integer(),
    lastStatus: Type.Union([Type.Integer(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    deadAt: Type.String(),
    state: Type.String({ description: 'dead, replaying (asked to go out again) or delivered' }),
    deliveredAt: Type.Union([Type.String(), Type.Null()]),
  });

  app.get(
    '/v1/linkage/subscriptions/:id/delivery',
    {
      config: { access: { roles: ['municipal_admin', 'auditor'], tenant: true } },
      schema: {
        tags: ['linkage'],
        summary: "Where a webhook subscription's delivery stands: its position, retries and dead letters",
        params: Type.Object({ id: Uuid }),
        response: {
          200: Type.Object({
            delivery: Type.String(),
            cursor: Type.Union([Type.String(), Type.Null()]),
            delivered: Type.Integer(),
            attempts: Type.Integer(),
            nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
            lastStatus: Type.Union([Type.Integer(), Type.Null()]),
            lastError: Type.Union([Type.String(), Type.Null()]),
            deadLetters: Type.Integer({ description: 'Set aside and not delivered yet' }),
          }),
        },
      },
    },
    async (request) =>
      tenantOf(request).run(async (db) => {
        const sub = await subscriptionById(db, request.params.id);
        if (!sub) throw new Problem('not_found');
        const state = await webhookState(db, sub.id);
        const waiting = sub.delivery === 'webhook' ? await waitingDeadLetters(db, sub.id) : 0;
        return {
          delivery: sub.delivery,
          cursor: state ? formatPosition(state.after) : null,
          delivered: state?.delivered ?? 0,
          attempts: state?.attempts ?? 0,
          nextAttemptAt: state?.nextAttemptAt ?? null,
          lastStatus: state?.lastStatus ?? null,
          lastError: state?.lastError ?? null,
          deadLetters: waiting,
        };
      }),
  );

  app.get(
    '/v1/linkage/subscriptions/:id/dead-letters',
    {
      config: { access: { roles: ['municipal_admin', 'auditor'], tenant: true } },
      schema: {
        tags: ['linkage'],
        summary: "A webhook subscription's dead letters, in feed order (ids and outcomes; the events are in the feed)",
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object({ all: Type.Boolean({ default: false, description: 'include those delivered since' }), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(DeadLetterSchema) }) },
      },
    },
    async (request) =>
      tenantOf(request).run(async (db) => {
        const sub = await subscriptionById(db, request.params.id);
        if (!sub) throw new Problem('not_found');
        const items = await deadLetters(db, sub.id, { includeDelivered: request.query.all, limit: request.query.limit });
        return { items: items.map(({ position, ...d }) => ({ ...d, cursor: formatPosition(position) })) };
      }),
  );

  app.post(
    '/v1/linkage/subscriptions/:id/dead-letters/replay',
    {
      config: { access: { roles: ['municipal_admin'], tenant: true } },
      schema: {
        tags: ['linkage'],
        summary: 'Send dead letters again (all, or those named), in feed order, before anything new',
        params: Type.Object({ id: Uuid }),
        body: Type.Object({ eventIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 1000, uniqueItems: true })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ replaying: Type.Integer() }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return tenantOf(request).run(async (db) => {
        const sub = await subscriptionById(db, request.params.id);
        if (!sub) throw new Problem('not_found');
        if (sub.revokedAt) throw new Problem('subscription_revoked');
        const replaying = await requestReplay(db, sub.id, principal.accountId, request.body?.eventIds ?? null);
        await recordAction(platform, request, 'dead_letters_replayed', { records: [{ resource: 'linkage_subscriptions', ids: [sub.id] }] });
        return { replaying };
      });
    },
  );

  app.post(
    '/v1/inter-municipal/move-out-records',
    {
      config: { access: { roles: ['clerk'], tenant: true, myNumber: { operation: 'resident_registry' } } },
      schema: {
        tags: ['linkage'],
        summary:
          '転出証明書情報: ask the municipality a resident moved out of for the move-out record, by certificate number or by resident code and date of birth (purpose residency_change); released only when the move-out names your municipality',
        body: Type.Object(
          {
            fromMunicipality: Type.String({ pattern: '^[0-9]{6}$', description: 'The municipality moved out of' }),
            certificateNumber: Type.Optional(Type.String({ maxLength: 20, pattern: '^T[0-9]{4}-[0-9]{6}$' })),
            residentCode: Type.Optional(Type.String({ pattern: '^[0-9]{11}$' })),
            dateOfBirth: Type.Optional(Type.String({ format: 'date' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            fromMunicipality: Type.String(),
            certificateNumber: Type.String(),
            moveOutDate: Type.String(),
            previousAddress: ResidentSchema.properties.address,
            destination: ResidentSchema.properties.previousResidence,
            persons: Type.Array(Type.Pick(ResidentSchema, ['name', 'dateOfBirth', 'sex', 'relationship', 'domicile', 'myNumber', 'residentCode', 'flags', 'foreign', 'residentSince'])),
          }),
        },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      if (tenant.purpose !== 'residency_change') throw new Problem('purpose_not_allowed');
      const b = request.body;
      const byNumber = b.certificateNumber !== undefined;
      const byCode = b.residentCode !== undefined || b.dateOfBirth !== undefined;
      if (byNumber === byCode || (byCode && (b.residentCode === undefined || b.dateOfBirth === undefined))) {
        throw new Problem('validation_failed', [
          fieldError('body', 'one_way', {
            ja: '転出証明書の番号、または住民票コードと生年月日のどちらか一方を指定してください。',
            en: 'give either certificateNumber, or residentCode with dateOfBirth',
          }),
        ]);
      }
      return requestMoveOutRecord(platform, request, tenant, b);
    },
  );

  app.get(
    '/v1/linkage/feeds/:id',
    {
      config: { access: { roles: ['linkage_subscriber'], tenant: true } },
      schema: {
        tags: ['linkage'],
        summary: "A subscription's events after a cursor (omit it to start from the first event); keep nextCursor with what you did with the events",
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object(
          {
            after: Type.Optional(Type.String({ maxLength: 50, description: 'A cursor from an event or from nextCursor' })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Uuid,
                topic: Type.String(),
                version: Type.Integer(),
                municipalityCode: Type.String(),
                cursor: Type.String(),
                recordedAt: Type.String(),
                data: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
            nextCursor: Type.String(),
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenant = tenantOf(request);
      const { after, limit } = request.query;
      const position = after === undefined ? null : parsePosition(after);
      if (after !== undefined && !position) throw new Problem('invalid_cursor');
      const sub = await tenant.run((db) => consumersSubscription(db, request.params.id, principal.accountId));
      await admitFromMyNumberZone(platform, request, tenant.municipalityCode, sub.purpose);
      return readFeed(platform, request, tenant, sub, position, limit);
    },
  );

  // The daily file (docs/linkage.md, "Daily file"): the same events as the feed, a day at a time, as CSV. Same access
  // as the feed: the consumer's account only, from the My Number zone only, while the subscription stands. A webhook
  // subscription's consumer may take it too, as it may read the feed: it is another channel of the same declared
  // data to the same receiving system (e.g. to reconcile what the webhooks delivered).
  const Day = (description: string) => Type.String({ format: 'date', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10, description });

  app.get(
    '/v1/linkage/feeds/:id/daily-files',
    {
      config: { access: { roles: ['linkage_subscriber'], tenant: true } },
      schema: {
        tags: ['linkage'],
        summary: "The days whose file is available (closed just after midnight, Japan time), newest first, with how many of the subscription's events each holds",
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object(
          {
            before: Type.Optional(Day('Only days before this one (nextBefore of the previous page)')),
            limit: Type.Integer({ minimum: 1, maximum: 366, default: 31 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ day: Type.String(), events: Type.Integer(), closedAt: Type.String({ description: 'When the day was closed: its file holds what was final then' }) })),
            nextBefore: Type.Union([Type.String(), Type.Null()], { description: 'Pass as ?before= for older days; null when there are none' }),
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenant = tenantOf(request);
      const sub = await tenant.run((db) => consumersSubscription(db, request.params.id, principal.accountId));
      await admitFromMyNumberZone(platform, request, tenant.municipalityCode, sub.purpose);
      const { before, limit } = request.query;
      const items = await tenant.run((db) => listDays(db, sub.topics, before ?? null, limit));
      return { items, nextBefore: items.length === limit ? items.at(-1)!.day : null };
    },
  );

  app.get(
    '/v1/linkage/feeds/:id/daily-files/:day',
    {
      // A HEAD would read and audit the first page without sending it.
      exposeHeadRoute: false,
      config: { access: { roles: ['linkage_subscriber'], tenant: true } },
      schema: {
        tags: ['linkage'],
        summary:
          "A day's file (text/csv; charset=utf-8): the subscription's events of the day's slice of the feed, one row per event and resident; municloud-event-count and municloud-row-count say what a complete file holds",
        params: Type.Object({ id: Uuid, day: Day('A day in Japan, YYYY-MM-DD') }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = tenantOf(request);
      const sub = await tenant.run((db) => consumersSubscription(db, request.params.id, principal.accountId));
      await admitFromMyNumberZone(platform, request, tenant.municipalityCode, sub.purpose);
      const file = await openDailyFile(platform, request, tenant, sub, request.params.day);
      void reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'no-store')
        .header('municloud-event-count', String(file.events))
        .header('municloud-row-count', String(file.rows))
        .header('municloud-day-closed-at', file.closedAt);
      // Streamed a page at a time; an error after the first page destroys the stream, so the receiver sees a cut-off
      // transfer (no final chunk), never a short file that ended cleanly.
      return reply.send(Readable.from(file.body, { objectMode: false }));
    },
  );
}

function visibleTo(sub: Subscription, principal: { accountId: string; roles: readonly string[] }): boolean {
  return principal.roles.includes('municipal_admin') || principal.roles.includes('auditor') || sub.consumerAccountId === principal.accountId;
}
