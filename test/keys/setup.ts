/**
 * What the key tests share: a test platform (control database and a cell on
 * the run's PostgreSQL), a KMS (local keystore in a temp dir, or SoftHSM2), a
 * logger whose lines are kept for scanning, and a test-only tenant table with
 * a sealed column (there is no personal-data table yet).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../../src/platform/logger.js';
import type { Kms } from '../../src/security/keys/kms/kms.js';
import { LocalKeystore } from '../../src/security/keys/kms/local-keystore.js';
import { encryptedColumn } from '../../src/security/keys/registry.js';
import { KeyService, type KeyServiceOptions } from '../../src/security/keys/service.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { softHsmForTests, type TestHsm } from '../support/softhsm.js';

export const SECRETS = encryptedColumn({ table: 'cell.test_secrets', column: 'secret' });

export interface KeysHarness {
  readonly tp: TestPlatform;
  readonly kms: Kms;
  readonly logLines: string[];
  readonly log: ReturnType<typeof createLogger>;
  /** A fresh KMS session: what a restarted process would open. */
  reopenKms(): Promise<Kms>;
  service(options?: KeyServiceOptions, kms?: Kms): KeyService;
  admin<T extends pg.QueryResultRow = pg.QueryResultRow>(database: string, sql: string, args?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function keysHarness(kind: 'local' | 'pkcs11'): Promise<KeysHarness> {
  const logLines: string[] = [];
  const log = createLogger('info', { write: (line: string) => void logLines.push(line) });
  let hsm: TestHsm | null = null;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-keys-'));
  const openKms = async (): Promise<Kms> => {
    if (kind === 'pkcs11') return (hsm ??= await softHsmForTests()).open();
    return LocalKeystore.open({ file: path.join(dir, 'keystore.json'), passphrase: 'test passphrase, not secret', scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  };
  const kms = await openKms();
  const tp = await createTestPlatform({ cells: ['cell-a'], logLines, kms });
  const services: KeyService[] = [];
  const extraKms: Kms[] = [];
  const admin = <T extends pg.QueryResultRow>(database: string, sql: string, args: unknown[] = []) => adminQuery<T>(tp, database, sql, args);
  await admin(
    'cell-a',
    `SET ROLE municloud_owner;
     CREATE TABLE cell.test_secrets (
       municipality_code text NOT NULL, id uuid NOT NULL DEFAULT gen_random_uuid(), secret bytea,
       PRIMARY KEY (municipality_code, id));
     ALTER TABLE cell.test_secrets ENABLE ROW LEVEL SECURITY;
     ALTER TABLE cell.test_secrets FORCE ROW LEVEL SECURITY;
     CREATE POLICY tenant_isolation ON cell.test_secrets
       USING (municipality_code = (SELECT cell.current_municipality()))
       WITH CHECK (municipality_code = (SELECT cell.current_municipality()));
     GRANT SELECT, INSERT, UPDATE ON cell.test_secrets TO municloud_app;`,
  );
  return {
    tp,
    kms,
    logLines,
    log,
    async reopenKms() {
      const k = await openKms();
      extraKms.push(k);
      return k;
    },
    service(options = {}, withKms = kms) {
      const s = new KeyService(tp.platform.control, withKms, { log, ...options });
      services.push(s);
      return s;
    },
    admin,
    async close() {
      for (const s of services) s.close();
      for (const k of extraKms) await k.close();
      await kms.close();
      await tp.close();
      await hsm?.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Valid My Numbers for test residents (the check digit computed, not made up). */
export { myNumberCheckDigit } from '../../src/security/keys/blind-index.js';
