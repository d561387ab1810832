/**
 * One PostgreSQL server for the whole run: the machine's (DATABASE_URL) when it
 * is set, otherwise an embedded one started here in a fresh directory and
 * removed afterwards. Each test file then creates databases of its own on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/platform/embedded-postgres.js';
import { createLogger } from '../../src/platform/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    appPassword: string;
    databaseKind: 'embedded' | 'external';
  }
}

/**
 * embedded-postgres installs an exit hook that ends the process with code 0 on
 * 'beforeExit', which would discard Vitest's failure code: keep the code Vitest
 * set and restore it on exit.
 */
function keepVitestExitCode(): void {
  let wanted: string | number | undefined;
  process.prependListener('beforeExit', () => {
    wanted = process.exitCode ?? undefined;
  });
  process.on('exit', () => {
    if (wanted !== undefined && Number(wanted) !== 0) process.exitCode = Number(wanted);
  });
}

export default async function setup(project: TestProject) {
  keepVitestExitCode();
  const appPassword = randomBytes(18).toString('base64url');
  project.provide('appPassword', appPassword);
  if (process.env.DATABASE_URL) {
    project.provide('adminUrl', process.env.DATABASE_URL);
    project.provide('databaseKind', 'external');
    return;
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'municloud-test-'));
  // The embedded server runs as the postgres OS user when we are root; it must reach its directory.
  await import('node:fs/promises').then((fs) => fs.chmod(dataDir, 0o755));
  const server = await startEmbeddedPostgres({
    dataDir,
    superuserPassword: randomBytes(18).toString('base64url'),
    log: createLogger('warn'),
  });
  project.provide('adminUrl', server.adminUrl('postgres'));
  project.provide('databaseKind', 'embedded');
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
