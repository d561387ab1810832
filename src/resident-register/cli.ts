/**
 * The register's commands. `municloud population load` fills a municipality's
 * register with synthetic residents (for demos and benchmarks), with progress
 * on standard error; Ctrl-C stops after the batch in flight and the same
 * command resumes the load. `municloud certificates rotate-key` retires a
 * municipality's certificate signing key.
 */
import { stopOnInterrupt } from '../cli/interrupt.js';
import type { Command } from 'commander';
import type { Platform } from '../platform/http/server.js';
import { rotateCertificateSigningKey } from './certificates/service.js';
import { loadSyntheticPopulation, PopulationLoadError, type LoadProgress } from './population-load.js';
import { MAX_POPULATION } from './synthetic/index.js';

export interface RegisterCliIo {
  withPlatform<T>(use: (platform: Platform) => Promise<T>): Promise<T>;
  progress(line: string): void;
}

function wholeNumber(what: string) {
  return (text: string): number => {
    if (!/^[0-9][0-9_,]*$/.test(text)) throw new PopulationLoadError(`${what} must be a whole number`);
    return Number(text.replaceAll(/[_,]/g, ''));
  };
}

export function registerCertificateCommands(program: Command, io: RegisterCliIo): void {
  const certificates = program.command('certificates').description('Resident certificates (docs/certificates.md)');
  certificates
    .command('rotate-key')
    .description("Retire a municipality's certificate signing key (its private half is erased; certificates it signed still verify); the next issue creates a new one")
    .requiredOption('--municipality <code>', 'the 6-digit local public body code')
    .action(async (opts: { municipality: string }) => {
      const retired = await io.withPlatform((platform) => rotateCertificateSigningKey(platform, opts.municipality));
      io.progress(retired ? `retired signing key ${retired}; the next certificate is signed with a new key` : 'no active signing key: the next certificate creates one');
    });
}

export function registerPopulationCommands(program: Command, io: RegisterCliIo): void {
  const population = program.command('population').description('Synthetic residents for demos and benchmarks (never mix them with real data)');
  population
    .command('load')
    .description(
      `Enter a synthetic population (up to ${MAX_POPULATION.toLocaleString('en')} residents) into a placed municipality's register; resumable: run the same command again after an interruption`,
    )
    .requiredOption('--municipality <code>', 'the 6-digit local public body code, e.g. 131016 (千代田区)')
    .requiredOption('--size <residents>', 'residents in all (e.g. 1_000_000)', wholeNumber('--size'))
    .requiredOption('--seed <seed>', 'names the load: the same seed generates the same people, and resumes its load')
    .option('--as-of <date>', 'the date the population is as of (YYYY-MM-DD, default today)')
    .option('--batch <residents>', 'residents per transaction', wholeNumber('--batch'), 2000)
    .action(async (opts: { municipality: string; size: number; seed: string; asOf?: string; batch: number }) => {
      const controller = new AbortController();
      const release = stopOnInterrupt(() => {
        io.progress('stopping after the batch in flight (run the same command to resume; Ctrl-C again to quit at once)…');
        controller.abort();
      });
      const started = Date.now();
      const show = (p: LoadProgress) => {
        const seconds = (Date.now() - started) / 1000;
        const rate = (p.residents - p.resumedAt) / Math.max(seconds, 0.001);
        const eta = rate > 0 ? Math.round((p.size - p.residents) / rate) : null;
        io.progress(
          `${((100 * p.residents) / p.size).toFixed(1).padStart(5)}%  ${p.residents.toLocaleString('en')} / ${p.size.toLocaleString('en')} residents, ` +
            `${p.households.toLocaleString('en')} households, ${Math.round(rate).toLocaleString('en')}/s${eta === null ? '' : `, about ${eta} s left`}`,
        );
      };
      try {
        const report = await io.withPlatform((platform) =>
          loadSyntheticPopulation(platform, {
            municipalityCode: opts.municipality,
            seed: opts.seed,
            size: opts.size,
            ...(opts.asOf ? { asOf: opts.asOf } : {}),
            batchResidents: opts.batch,
            signal: controller.signal,
            onProgress: show,
          }),
        );
        const resumed = report.resumedAt > 0 ? ` (resumed at ${report.resumedAt.toLocaleString('en')})` : '';
        io.progress(
          report.finished
            ? `done: ${report.residents.toLocaleString('en')} residents in ${report.households.toLocaleString('en')} households${resumed}; audit run id ${report.runId}`
            : `stopped at ${report.residents.toLocaleString('en')} of ${report.size.toLocaleString('en')} residents; run the same command to resume`,
        );
        if (!report.finished) process.exitCode = 130;
      } finally {
        release();
      }
    });
}
