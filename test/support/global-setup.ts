/**
 * One PostgreSQL server for the whole run: the machine's (DATABASE_URL) when it
 * is set, otherwise an embedded one started here in a fresh directory and
 * removed afterwards. Each test file then creates databases of its own on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/platform/embedded-postgres.js';
import { createLogger } from '../../src/platform/logger.js';
import { leaksIn } from './sensitive.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    appPassword: string;
    databaseKind: 'embedded' | 'external';
    /** Where every test platform writes its log, scanned for personal data at the end of the run. */
    logDir: string;
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

/** Fails the run if any log line written during the suite holds a test resident's name or a My Number. */
async function scanLogs(logDir: string): Promise<void> {
  const found = new Map<string, string[]>();
  for (const file of await readdir(logDir)) {
    const leaks = leaksIn(await readFile(path.join(logDir, file), 'utf8'));
    if (leaks.length > 0) found.set(file, [...new Set(leaks)]);
  }
  // MUNICLOUD_TEST_KEEP_LOGS=1 keeps the logs of a run that leaked, to find the line.
  if (found.size === 0 || !process.env.MUNICLOUD_TEST_KEEP_LOGS) await rm(logDir, { recursive: true, force: true });
  if (found.size > 0) {
    // Say where, not what: the values themselves stay out of the CI output too.
    const where = [...found].map(([file, leaks]) => `${file}: ${leaks.length} value(s)`).join('; ');
    // Vitest reports an error thrown here but keeps its exit code: fail the run explicitly.
    process.exitCode = 1;
    throw new Error(`personal data of test residents reached the logs: ${where}${process.env.MUNICLOUD_TEST_KEEP_LOGS ? ` (kept in ${logDir})` : ''}`);
  }
}

export default async function setup(project: TestProject) {
  keepVitestExitCode();
  const appPassword = randomBytes(18).toString('base64url');
  project.provide('appPassword', appPassword);
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'municloud-test-logs-'));
  project.provide('logDir', logDir);
  if (process.env.DATABASE_URL) {
    project.provide('adminUrl', process.env.DATABASE_URL);
    project.provide('databaseKind', 'external');
    return () => scanLogs(logDir);
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
    await scanLogs(logDir);
  };
}
