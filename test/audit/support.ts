/** A test platform with the audit routes and an audit log of its own (nothing is wired into the runtime yet). */
import pg from 'pg';
import { applicationUrl, createPool } from '../../src/platform/database.js';
import { ROUTE_MODULES } from '../../src/routes.js';
import { auditRoutes } from '../../src/security/audit/routes.js';
import { AuditLog, type AuditLogOptions } from '../../src/security/audit/service.js';
import { generateSigner, type CheckpointSigner } from '../../src/security/audit/signer.js';
import type { RouteModule } from '../../src/platform/http/server.js';
import { createTestPlatform, withAdminClient, type TestPlatform } from '../support/platform.js';

export const ORIGIN = 'municloud.test/audit';

export interface AuditTestPlatform {
  readonly tp: TestPlatform;
  readonly audit: AuditLog;
  readonly signer: CheckpointSigner;
  /** Another pool as the application role: what a second server process would have. */
  appPool(max?: number): pg.Pool;
  /** Runs fn as the administrator (superuser) of the control database. */
  asAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function createAuditTestPlatform(options: { extraModules?: RouteModule[]; audit?: Partial<AuditLogOptions> } = {}): Promise<AuditTestPlatform> {
  // A set: once ROUTE_MODULES lists auditRoutes itself, it must not be registered twice.
  const tp = await createTestPlatform({ modules: [...new Set([...ROUTE_MODULES, auditRoutes, ...(options.extraModules ?? [])])] });
  // Tests need a signer they hold and a publisher they drive. Once the runtime opens an audit log of
  // its own, this one takes its place under the same origin and may extend what that one signed.
  const existing = tp.platform.audit;
  if (existing) await existing.close();
  const { signer } = generateSigner(existing?.origin ?? ORIGIN);
  const audit = await AuditLog.open({
    pool: tp.platform.control,
    signer,
    publish: false,
    ...(existing ? { previousKeys: [existing.verifierKey] } : {}),
    ...options.audit,
  });
  Object.assign(tp.platform, { audit });
  const pools: pg.Pool[] = [];
  return {
    tp,
    audit,
    signer,
    appPool(max = 4) {
      const pool = createPool(applicationUrl(tp.databases.controlAdminUrl, tp.databases.roles), max);
      pools.push(pool);
      return pool;
    },
    asAdmin: (fn) => withAdminClient(tp, 'control', fn),
    async close() {
      await audit.close();
      for (const p of pools) await p.end();
      await tp.close();
    },
  };
}
