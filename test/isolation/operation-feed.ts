/**
 * Set-up shared by the isolation cases of the operations fed by linkage
 * (src/operations/*): their records come from the register through a
 * subscription the municipality's admin declares and sets, once per
 * municipality, before the first record is made.
 */
import { randomBytes } from 'node:crypto';
import type { Session } from '../support/api.js';
import type { CaseContext } from './case.js';

export function expect2xx(res: { status: number; body: unknown }, what: string): void {
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

export interface OperationFeedTerms {
  readonly operation: string;
  readonly purpose: string;
  readonly topics: readonly string[];
  readonly fields: readonly string[];
  /** The operation's settings route, e.g. /v1/nhi/settings. */
  readonly settingsPath: string;
  /** The receiving system's name, as the subscription and its account show it. */
  readonly systemName: string;
  /** More of the admin's once-per-municipality set-up (the operation's own settings). */
  readonly more?: (admin: Session) => Promise<void>;
}

/**
 * Once per municipality: the admin creates a receiving-system account,
 * declares the operation's subscription with the topics and fields it needs,
 * sets it as the operation's source and reads the setting back (so the suite
 * sees the settings routes exercised).
 */
export function operationFeedSetUp(terms: OperationFeedTerms): (context: CaseContext) => Promise<void> {
  const done = new Map<string, Promise<void>>();
  return (context) => {
    const admin = context.as('municipal_admin');
    let setUp = done.get(admin.organizationCode);
    if (!setUp) {
      setUp = (async () => {
        const account = await admin.call('POST', '/v1/accounts', {
          organizationCode: admin.organizationCode,
          loginName: `${terms.operation.slice(0, 8).replaceAll('_', '-')}-${randomBytes(4).toString('hex')}`,
          displayName: terms.systemName,
          roles: ['linkage_subscriber'],
          password: randomBytes(18).toString('base64url'),
        });
        expect2xx(account, 'consumer account');
        const sub = await admin.call('POST', '/v1/linkage/subscriptions', {
          name: terms.systemName,
          operation: terms.operation,
          purpose: terms.purpose,
          topics: terms.topics,
          fields: terms.fields,
          consumerAccountId: account.body.id,
        });
        expect2xx(sub, 'subscription');
        expect2xx(await admin.call('PUT', terms.settingsPath, { subscriptionId: sub.body.id }), `${terms.operation} settings`);
        expect2xx(await admin.call('GET', terms.settingsPath), `${terms.operation} settings read`);
        await terms.more?.(admin);
      })();
      done.set(admin.organizationCode, setUp);
    }
    return setUp;
  };
}
