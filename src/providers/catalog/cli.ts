/**
 * `municloud requirements …`: the requirements catalog and its profiles
 * exported as OSCAL 1.2.1 JSON (what the API serves), and a check of an OSCAL
 * document before it is submitted, listing every problem with its path (exit
 * 2). No database: the catalog is the code's.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { writeWhole } from '../../cli/files.js';
import { oscalProblem } from '../oscal/problems.js';
import { OscalInvalid, validateOscal, type OscalModel } from '../oscal/validate.js';
import { fromOscalCatalog, profileIds, toOscalCatalog, toOscalProfile } from './oscal-catalog.js';
import { DATA_CLASSES, isDataClass } from './profiles.js';
import { CATALOG_VERSION, REQUIREMENTS } from './requirements.js';
import { CATALOG_PATH } from './published.js';

const MODELS: readonly OscalModel[] = ['catalog', 'profile', 'component-definition', 'assessment-plan', 'assessment-results'];

export class RequirementsCliError extends Error {}

export function registerRequirementsCommands(program: Command, io: { out(text: string): void; progress(line: string): void }): void {
  const requirements = program.command('requirements').description('The requirements catalog cloud providers are certified against, as OSCAL (docs/requirements-catalog.md)');

  requirements
    .command('export')
    .description('Write the catalog, or a data class’s profile, as OSCAL 1.2.1 JSON')
    .option('--profile <dataClass>', `a data class’s profile instead of the catalog: ${DATA_CLASSES.join(', ')}`)
    .option('--out <file>', 'write to this file (else standard output)')
    .action(async (opts: { profile?: string; out?: string }) => {
      if (opts.profile !== undefined && !isDataClass(opts.profile)) throw new RequirementsCliError(`--profile must be one of ${DATA_CLASSES.join(', ')}`);
      const document = opts.profile ? toOscalProfile(opts.profile, CATALOG_PATH, { version: CATALOG_VERSION }) : toOscalCatalog(REQUIREMENTS, { version: CATALOG_VERSION });
      const text = JSON.stringify(document, null, 2) + '\n';
      if (!opts.out) return io.out(text);
      // Whole or not at all: a reader never finds half a document.
      await writeWhole(opts.out, text);
      io.progress(`wrote ${opts.out}`);
    });

  requirements
    .command('check')
    .description('Check an OSCAL JSON document against NIST’s schema (a catalog or profile also against this catalog); lists every problem with its path')
    .requiredOption('--model <model>', MODELS.join(', '))
    .argument('<file>', 'the OSCAL JSON document')
    .action(async (file: string, opts: { model: string }) => {
      const model = MODELS.find((m) => m === opts.model);
      if (!model) throw new RequirementsCliError(`--model must be one of ${MODELS.join(', ')}`);
      let document: unknown;
      try {
        document = JSON.parse(await readFile(file, 'utf8'));
      } catch (err) {
        throw new RequirementsCliError(`${file} is not readable JSON (${(err as Error).message})`);
      }
      try {
        if (model === 'catalog') io.out(`valid OSCAL catalog: ${fromOscalCatalog(document).length} requirements\n`);
        else if (model === 'profile') io.out(`valid OSCAL profile: ${profileIds(document).length} requirements\n`);
        else {
          const problems = validateOscal(model, document);
          if (problems.length > 0) throw new OscalInvalid(model, problems);
          io.out(`valid OSCAL ${model}\n`);
        }
      } catch (err) {
        if (err instanceof OscalInvalid) throw oscalProblem(err, '');
        throw err;
      }
    });
}
