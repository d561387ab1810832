/**
 * `municloud self-check`: runs the platform self-checks once (stored, recorded
 * in the audit log as a job of the platform), prints a line per check and
 * writes the OSCAL assessment results. Exit codes: 0 every check satisfied,
 * 1 some check not satisfied, 2 the checks could not run.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { RegisteredRoute } from '../../platform/http/access.js';
import type { Platform } from '../../platform/http/server.js';
import { runSelfChecks, selfCheckJobRecorder } from './service.js';

export interface SelfCheckCliDeps {
  /** Runs fn with the open platform and the routes a server would register (their declared access). */
  readonly withPlatform: <T>(use: (platform: Platform, routes: readonly RegisteredRoute[]) => Promise<T>) => Promise<T>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export function registerSelfCheckCommands(program: Command, deps: SelfCheckCliDeps): void {
  program
    .command('self-check')
    .description('Run the platform self-checks (records encrypted, keys in an HSM, audit log, MFA, data in Japan …), store the run and write its OSCAL assessment results; exit 1 if a check is not satisfied')
    .option('--out <file>', 'write the OSCAL assessment results here (default: standard output, the summary then goes to standard error)')
    .action(async (opts: { out?: string }) => {
      const outcome = await deps.withPlatform((platform, routes) =>
        runSelfChecks(platform, { routes, trigger: 'cli', record: selfCheckJobRecorder(platform) }),
      );
      const run = outcome.run!;
      const summary =
        run.results.map((r) => `${r.state === 'satisfied' ? 'ok  ' : 'FAIL'} ${r.checkId.padEnd(25)} ${r.reason.en}`).join('\n') +
        `\nrun ${run.id}: ${run.satisfied} satisfied, ${run.notSatisfied} not satisfied\n`;
      const document = JSON.stringify(outcome.assessmentResults, null, 2) + '\n';
      if (opts.out) {
        await writeFile(opts.out, document);
        deps.out(summary);
      } else {
        deps.err(summary);
        deps.out(document);
      }
      if (run.notSatisfied > 0) process.exitCode = 1;
    });
}
