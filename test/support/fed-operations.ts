/**
 * For tests of the operations fed by linkage: register filings that keep the
 * households' versions (every filing names the versions it read), and passes
 * of the operations' consumers until the register's events are applied.
 */
import { expect } from 'vitest';
import type { FedPassReport } from '../../src/operations/fed-by-linkage.js';
import type { Reply, Session } from './api.js';

const FILING = { 'municloud-purpose': 'residency_change' };

/** Filings by a clerk, remembering each household's version as the last filing answered it. */
export class Filings {
  private readonly versions = new Map<string, number>();

  constructor(private readonly clerk: () => Session) {}

  async file(path: string, body: Record<string, unknown>, s: Session = this.clerk()): Promise<Reply> {
    const res = await s.call('POST', path, body, FILING);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(201);
    for (const h of res.body.households as { id: string; version: number }[]) this.versions.set(h.id, h.version);
    return res;
  }

  versionsOf(...householdIds: string[]): { householdId: string; version: number }[] {
    return householdIds.map((householdId) => ({ householdId, version: this.versions.get(householdId)! }));
  }
}

/**
 * Passes until one applies nothing and `done` holds. An event is read once
 * every older transaction on the server has ended, and other test files write
 * to the same server: it may take a moment.
 */
export async function applyUntil(passes: readonly (() => Promise<FedPassReport<object>>)[], done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    let applied = 0;
    for (const pass of passes) {
      const report = await pass();
      expect(report.failed).toBe(0);
      applied += report.applied;
    }
    if (applied === 0 && (await done())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not catch up`);
}

/** What one operation's settings test needs: its route, its names, and how to subscribe for it. */
export interface FeedSettingsCase {
  /** e.g. /v1/nhi/settings */
  readonly path: string;
  /** The 422 code of an unfit subscription, e.g. nhi_subscription_unfit. */
  readonly problemCode: string;
  /** The audit record of the settings, e.g. nhi_settings. */
  readonly settingsResource: string;
  readonly municipality: string;
  readonly admin: Session;
  readonly clerk: Session;
  readonly auditor: Session;
  /** Declares a subscription fit for the operation, with these fields of the body replaced. */
  readonly subscribe: (over?: Record<string, unknown>) => Promise<Reply>;
  /** Replacements that leave out a field, and a topic, the operation needs (each answering 201). */
  readonly fewFields: Record<string, unknown>;
  readonly fewTopics: Record<string, unknown>;
  /** Replacements that make it a subscription for another purpose (another operation's, say). */
  readonly wrongPurpose: Record<string, unknown>;
  /** The audit entries of the test platform. */
  readonly auditEntries: () => Promise<{ kind: string; municipality: string | null; records: { resource: string; ids: string[] }[] }[]>;
}

/**
 * An operation fed by linkage takes only a live pull subscription for its
 * purpose with the fields and topics its rules need: each unfit one refused
 * with its rule and nothing set; then the admin sets a fit one (not a clerk),
 * an auditor reads it (not a clerk), audited once. Answers the subscription set.
 */
export async function expectFeedSettingsRules(c: FeedSettingsCase): Promise<string> {
  const { admin, clerk, auditor, path } = c;
  const id = async (s: Session) => (await s.call('GET', '/v1/auth/me')).body.id as string;
  expect((await admin.call('GET', path)).body).toEqual({ subscriptionId: null, setBy: null, setAt: null, position: null, positionUpdatedAt: null });

  const wrongPurpose = await c.subscribe(c.wrongPurpose);
  const fewFields = await c.subscribe(c.fewFields);
  const fewTopics = await c.subscribe(c.fewTopics);
  const webhook = await c.subscribe({ webhook: { url: 'http://127.0.0.1:9/settings-test', startAt: 'now' } });
  const revoked = await c.subscribe();
  for (const r of [wrongPurpose, fewFields, fewTopics, webhook, revoked]) expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect((await admin.call('POST', `/v1/linkage/subscriptions/${revoked.body.id}/revocation`)).status).toBe(200);
  // Nobody is to receive the webhook's events in these tests.
  expect((await admin.call('POST', `/v1/linkage/subscriptions/${webhook.body.id}/revocation`)).status).toBe(200);

  const refused: [string, string][] = [
    ['00000000-0000-4000-8000-000000000000', 'not_found'],
    [wrongPurpose.body.id, 'wrong_purpose'],
    [fewFields.body.id, 'fields_missing'],
    [fewTopics.body.id, 'topics_missing'],
    [webhook.body.id, 'webhook'],
    [revoked.body.id, 'revoked'],
  ];
  for (const [subscriptionId, rule] of refused) {
    const res = await admin.call('PUT', path, { subscriptionId });
    expect(res.status, rule).toBe(422);
    expect(res.body.code).toBe(c.problemCode);
    expect(res.body.message.ja).toBeTruthy();
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'body/subscriptionId', rule }));
  }
  expect((await admin.call('GET', path)).body.subscriptionId).toBeNull();

  const subscriptionId = (await c.subscribe()).body.id as string;
  expect((await clerk.call('PUT', path, { subscriptionId })).status).toBe(403);
  const set = await admin.call('PUT', path, { subscriptionId });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  expect(set.body).toMatchObject({ subscriptionId, setBy: await id(admin), position: null });
  expect((await auditor.call('GET', path)).body.subscriptionId).toBe(subscriptionId);
  expect((await clerk.call('GET', path)).status).toBe(403);

  const entries = await c.auditEntries();
  expect(entries.filter((e) => e.kind === 'settings_changed' && e.municipality === c.municipality)).toEqual([
    expect.objectContaining({ records: [{ resource: c.settingsResource, ids: [c.municipality] }, { resource: 'linkage_subscriptions', ids: [subscriptionId] }] }),
  ]);
  return subscriptionId;
}
