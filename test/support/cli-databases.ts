/**
 * The built CLI run against a test file's own databases (a control database
 * and one cell, `cell-a`), as an operator would run it beside a server: the
 * environment the commands need (DATABASE_URL, the cell, a local keystore, an
 * audit signing key, the placement policy), a runner that answers exit code
 * and output, and a query helper for checking what the commands wrote.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { expect, inject } from 'vitest';
import type { PlacementPolicyMode } from '../../src/platform/config.js';
import { generateSigner } from '../../src/security/audit/signer.js';
import { BIN } from './cli-server.js';
import { createDatabases } from './platform.js';

const run = promisify(execFile);
export const CLI_AUDIT_ORIGIN = 'municloud.test/audit';

export interface CliDatabases {
  readonly env: NodeJS.ProcessEnv;
  /** A directory of the file's own (the keystore is in it). */
  readonly dir: string;
  readonly controlUrl: string;
  readonly cellUrl: string;
  /** The audit signing key the commands sign with (PEM), for a platform opened beside them. */
  readonly auditSigningKey: string;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  query<T extends pg.QueryResultRow>(url: string, sql: string, args?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export async function cliOnOwnDatabases(options: { prefix: string; placementPolicy: PlacementPolicyMode }): Promise<CliDatabases> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${options.prefix}-`));
  const dbs = await createDatabases(['control', 'cell-a']);
  const controlUrl = dbs.urls.get('control')!;
  const cellUrl = dbs.urls.get('cell-a')!;
  const { privateKeyPem } = generateSigner(CLI_AUDIT_ORIGIN);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: controlUrl,
    MUNICLOUD_CELLS: `cell-a=${cellUrl}`,
    MUNICLOUD_APP_PASSWORD: inject('appPassword'),
    MUNICLOUD_CURSOR_SECRET: randomBytes(32).toString('base64url'),
    MUNICLOUD_DATA_DIR: '/nonexistent',
    MUNICLOUD_KMS: 'local-keystore',
    MUNICLOUD_KEYSTORE_FILE: path.join(dir, 'keystore.json'),
    MUNICLOUD_KEYSTORE_PASSPHRASE: randomBytes(18).toString('base64url'),
    MUNICLOUD_AUDIT_SIGNING_KEY: privateKeyPem,
    MUNICLOUD_AUDIT_ORIGIN: CLI_AUDIT_ORIGIN,
    MUNICLOUD_PLACEMENT_POLICY: options.placementPolicy,
    LOG_LEVEL: 'warn',
  };
  return {
    env,
    dir,
    controlUrl,
    cellUrl,
    auditSigningKey: privateKeyPem,
    cli: (...args) =>
      run(process.execPath, [BIN, ...args], { env, maxBuffer: 64 * 1024 * 1024 }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      ),
    async query<T extends pg.QueryResultRow>(url: string, sql: string, args: unknown[] = []) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query<T>(sql, args)).rows;
      } finally {
        await c.end();
      }
    },
    async drop() {
      await dbs.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a command that must succeed (exit code 0, else its stderr in the failure); its standard output. */
export async function cliOk(own: CliDatabases, ...args: string[]): Promise<string> {
  const res = await own.cli(...args);
  expect(res.code, `${args.join(' ')}\n${res.stderr}`).toBe(0);
  return res.stdout;
}

/** The new record's id a write prints on its first line. */
export const idOf = (stdout: string): string => stdout.trim().split('\n')[0]!.trim();
