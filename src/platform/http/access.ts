/**
 * Every route declares who may call it. The declaration lives in the route's
 * `config.access`; the server refuses to start with a route that has none, and
 * the isolation suite enumerates the tenant-scoped ones.
 */
import type { Role } from '../../identity/roles.js';
import type { Operation } from '../../security/access/purposes.js';

export interface RouteAccess {
  /** The roles admitted, or 'public' for the few routes anyone may call (health, docs, login). */
  readonly roles: readonly Role[] | 'public';
  /**
   * Tenant-scoped: the route reads or writes one municipality's data, always the
   * principal's own, inside a transaction that row-level security confines to it.
   */
  readonly tenant?: boolean;
  /**
   * Callable by a principal who still owes a second factor: the few routes that
   * let them enrol one, see who they are, or leave. Every other route refuses
   * such a principal when their roles require multi-factor login.
   */
  readonly mfaExempt?: boolean;
  /**
   * The route reads or changes My Number (特定個人情報) for this operation: the
   * request must declare one of the operation's legal purposes (header
   * `municloud-purpose`) and come from the municipality's My Number zone.
   * Only on tenant routes (the server refuses to start otherwise).
   */
  readonly myNumber?: { readonly operation: Operation };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess | undefined;
  /** The JSON schema of the body, when the route takes one. */
  readonly bodySchema: unknown;
}

export function describeRoute(r: { method: string; url: string }): string {
  return `${r.method} ${r.url}`;
}
