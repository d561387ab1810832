/**
 * The settings route of an operation fed by linkage: which declared
 * subscription it reads the register with (the municipality's admin sets it),
 * and how far it has applied the feed. One shape for every such operation
 * (fed-by-linkage.ts); each answers its own problem code when a subscription
 * cannot feed it.
 */
import type pg from 'pg';
import { Type } from 'typebox';
import { principalOf } from '../identity/http.js';
import { formatPosition } from '../linkage/feed-position.js';
import { internalCursorState, subscriptionById } from '../linkage/store.js';
import { fieldError, Problem, type Message, type ProblemCode } from '../platform/errors.js';
import { tenantOf, type App, type Platform } from '../platform/http/server.js';
import { Uuid } from '../platform/http/schemas.js';
import { recordAction } from '../security/audit/record.js';
import { feedSetting, setFeedSetting, subscriptionUnfit, type FedOperation, type SubscriptionUnfit } from './fed-by-linkage.js';

type SubscriptionTerms = Pick<FedOperation<Record<string, number>>, 'operation' | 'purpose' | 'requiredFields' | 'requiredTopics'>;

const SettingsSchema = Type.Object({
  subscriptionId: Type.Union([Uuid, Type.Null()], { description: 'The subscription the operation reads the register with; null until set' }),
  setBy: Type.Union([Uuid, Type.Null()]),
  setAt: Type.Union([Type.String(), Type.Null()]),
  position: Type.Union([Type.String(), Type.Null()], { description: 'The feed position applied through (<txid>.<seq>); null before the first event' }),
  positionUpdatedAt: Type.Union([Type.String(), Type.Null()]),
});

export interface FeedSettingsRoute {
  /** e.g. /v1/nhi/settings */
  readonly path: string;
  readonly tags: string[];
  /** The operation's name in a summary, e.g. 'NHI'. */
  readonly title: string;
  /** The audit resource the setting is recorded under (its id: the municipality code). */
  readonly resource: string;
  /** The problem answered when a subscription cannot feed the operation (422). */
  readonly unfitProblem: ProblemCode;
}

function unfitMessages(op: SubscriptionTerms): Record<SubscriptionUnfit, Message> {
  return {
    not_found: { ja: 'この団体の連携の購読を指定してください。', en: "must be one of your municipality's linkage subscriptions" },
    revoked: { ja: '取り消された購読は使えません。', en: 'the subscription has been revoked' },
    wrong_purpose: {
      ja: `業務 ${op.operation}・利用目的 ${op.purpose} の購読を指定してください。`,
      en: `must be a subscription of operation ${op.operation} for purpose ${op.purpose}`,
    },
    webhook: { ja: 'Webhook で配信される購読は使えません。pull の購読を指定してください。', en: 'must be a pull subscription, not a webhook one' },
    fields_missing: {
      ja: `購読の項目に ${op.requiredFields.join('・')} が必要です。`,
      en: `the subscription must name the fields ${op.requiredFields.join(', ')}`,
    },
    topics_missing: {
      ja: `購読のイベントに ${op.requiredTopics.join('・')} が必要です。`,
      en: `the subscription must take the topics ${op.requiredTopics.join(', ')}`,
    },
  };
}

async function settingsView(db: pg.ClientBase, consumer: string) {
  const setting = await feedSetting(db, consumer);
  const cursor = await internalCursorState(db, consumer);
  return {
    subscriptionId: setting?.subscriptionId ?? null,
    setBy: setting?.setBy ?? null,
    setAt: setting?.setAt ?? null,
    position: cursor ? formatPosition(cursor.position) : null,
    positionUpdatedAt: cursor?.updatedAt ?? null,
  };
}

export function feedSettingsRoutes(app: App, platform: Platform, op: SubscriptionTerms & { readonly consumer: string }, route: FeedSettingsRoute): void {
  const messages = unfitMessages(op);
  app.put(
    route.path,
    {
      config: { access: { roles: ['municipal_admin'], tenant: true } },
      schema: {
        tags: route.tags,
        summary: `Set the linkage subscription ${route.title} reads the register with: pull, operation ${op.operation}, purpose ${op.purpose}, with the fields and topics its rules need`,
        body: Type.Object({ subscriptionId: Uuid }, { additionalProperties: false }),
        response: { 200: SettingsSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { subscriptionId } = request.body;
      return tenantOf(request).run(async (db) => {
        const unfit = subscriptionUnfit(op, await subscriptionById(db, subscriptionId));
        if (unfit.length > 0) throw new Problem(route.unfitProblem, unfit.map((rule) => fieldError('body/subscriptionId', rule, messages[rule])));
        await setFeedSetting(db, op.consumer, subscriptionId, principal.accountId);
        // In the transaction: no entry, no change.
        await recordAction(platform, request, 'settings_changed', {
          records: [
            { resource: route.resource, ids: [principal.organizationCode] },
            { resource: 'linkage_subscriptions', ids: [subscriptionId] },
          ],
        });
        return settingsView(db, op.consumer);
      });
    },
  );

  app.get(
    route.path,
    {
      config: { access: { roles: ['municipal_admin', 'auditor'], tenant: true } },
      schema: { tags: route.tags, summary: `The subscription ${route.title} reads the register with, and how far it has applied the feed`, response: { 200: SettingsSchema } },
    },
    async (request) => tenantOf(request).run((db) => settingsView(db, op.consumer)),
  );
}
