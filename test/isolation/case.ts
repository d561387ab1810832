/**
 * What a tenant-scoped module tells the isolation suite about itself. Each
 * module keeps its case beside its code as `<name>.isolation.ts`; the suite
 * finds them all, so a new module is covered by adding its case, and a tenant
 * route that no case exercises fails the suite.
 */
import type fc from 'fast-check';
import type { Role } from '../../src/identity/roles.js';
import type { Platform } from '../../src/platform/http/server.js';
import type { Session } from '../support/api.js';

export interface Probe {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly body?: unknown;
}

/**
 * What a case may use besides the writer's session, for records that no route
 * creates alone: those a platform job makes from what the routes did (NHI
 * membership comes from the linkage consumer), or that need another role's
 * setup first (an admin's settings).
 */
export interface CaseContext {
  readonly platform: Platform;
  /** A session of the same municipality with another role; its requests count for route coverage. */
  as(role: Role): Session;
}

export interface IsolationCase<R> {
  readonly name: string;
  /** A role that may create and change the records. */
  readonly writer: Role;
  /** Roles that may only read them. */
  readonly readers: readonly Role[];
  /** Random record contents, as sent to the create route. */
  readonly record: fc.Arbitrary<R>;
  /** Creates a record through the API as the session's municipality; returns its id. */
  create(session: Session, record: R, context: CaseContext): Promise<string>;
  /** Every request that addresses one record by id (read, change, delete, actions). */
  byId(id: string, record: R): readonly Probe[];
  /** Read-only requests (searches, filters, counts) that would find the record if it were visible. */
  searches(record: R): readonly Probe[];
  /** The listing to page through, with a page-size parameter: `?limit=` is appended. */
  readonly collection: string;
  /** Property runs, when a case's routes are heavy (default: the suite's). */
  readonly numRuns?: number;
  /** Headers every request of the case carries, e.g. the declared purpose of My Number routes. */
  readonly headers?: Readonly<Record<string, string>>;
}
