/**
 * `municloud assessments …` and `municloud procurement compare`: the
 * assessments' use cases from the command line, run on the server as jobs of
 * the platform operator. Each write goes through the same use cases as the API
 * and is audited as a job of the platform (the operator, the run's id in place
 * of a request id). Files are written whole or not at all.
 *
 * `findings add` is the import path: the operator records findings delivered
 * by an audit firm (a file, or flags), each naming its assessor (`--assessor`,
 * the assessor's id at the firm), with no account as recordedBy. Over the API
 * only an assessor account (`provider_assessor`) records findings, as itself
 * (docs/assessments.md, "API and CLI").
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { writeOrPrint } from '../../cli/files.js';
import { fieldError, Problem } from '../../platform/errors.js';
import type { Platform } from '../../platform/http/server.js';
import type { EntryKind } from '../../security/audit/catalogue.js';
import type { RecordRef } from '../../security/audit/entry.js';
import { recordJobAction, operatorJob } from '../../security/audit/record.js';
import { comparisonCsv, comparisonJson } from './procurement.js';
import { decideServiceCertification, type FindingInput, procurementComparison, recordAssessmentResultsFindings, recordFindings, serviceAssessmentResults, submitComponentDefinition } from './service.js';

export interface AssessmentsCliIo {
  withPlatform<T>(use: (platform: Platform) => Promise<T>): Promise<T>;
  out(text: string): void;
}


async function readJson(file: string, flag: string): Promise<{ text: string; value: unknown }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Problem('validation_failed', [fieldError(flag, 'readable', { ja: 'ファイルを読めません。', en: 'the file cannot be read' })]);
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch {
    throw new Problem('malformed_json', [fieldError(flag, 'json', { ja: 'JSON として読めません。', en: 'is not well-formed JSON' })]);
  }
}


const FINDING_FLAGS: Record<string, string> = { requirementId: '--requirement', state: '--state', reason: '--reason', assessedOn: '--assessed-on', assessor: '--assessor' };

export function registerAssessmentCommands(program: Command, io: AssessmentsCliIo): void {
  const print = (json: boolean | undefined, value: unknown, text: string) => io.out(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
  const audited = (platform: Platform, kind: EntryKind, records: RecordRef[]) => recordJobAction(platform, operatorJob(), kind, { municipality: null, records });

  const assessments = program.command('assessments').description('Component definitions, findings, certification decisions and OSCAL assessment results (docs/assessments.md); each write audited as a platform job');

  assessments
    .command('submit')
    .description("Submit a service's OSCAL component definition (stored as its next version, byte for byte); every problem is listed with its path")
    .requiredOption('--service <id>', 'the service described')
    .requiredOption('--file <file>', 'the OSCAL 1.2.1 component definition (JSON)')
    .option('--json', 'print JSON')
    .action(async (opts: { service: string; file: string; json?: boolean }) => {
      const { text, value } = await readJson(opts.file, '--file');
      const stored = await io.withPlatform(async (platform) => {
        const d = await submitComponentDefinition(platform.control, opts.service, value, null, { field: '--file', documentText: text });
        await audited(platform, 'component_definition_submitted', [
          { resource: 'component_definitions', ids: [d.id] },
          { resource: 'provider_services', ids: [d.serviceId] },
        ]);
        return d;
      });
      print(opts.json, stored, `${stored.id}\nservice ${stored.serviceId}  version ${stored.version}  ${stored.claims.length} claim(s), ${stored.claims.filter((c) => c.inherited).length} inherited`);
    });

  const findings = assessments.command('findings').description("Assessors' findings per requirement");
  findings
    .command('add')
    .description(
      "Import an audit firm's findings, as a job of the platform: one (--requirement, --state …), many (--file: a JSON array of {requirementId, state, reason, assessedOn, assessor}) or an OSCAL assessment-results document (--oscal, with --assessor); all or none. Assessors record their own over the API (POST /v1/providers/services/:serviceId/findings or …/assessment-results)",
    )
    .requiredOption('--service <id>', 'the service assessed')
    .option('--requirement <id>', 'the requirement, e.g. sec-01')
    .option('--state <state>', 'satisfied, not_satisfied or not_applicable')
    .option('--reason <text>', 'why (required for not_satisfied and not_applicable)')
    .option('--assessed-on <date>', 'the day the assessor concluded (default today)')
    .option('--assessor <id>', "the assessor's id at the audit firm that delivered the finding (required)")
    .option('--file <file>', 'many findings as JSON')
    .option('--oscal <file>', "the audit firm's OSCAL 1.2.1 assessment results (each finding's assessor is --assessor)")
    .option('--json', 'print JSON')
    .action(async (opts: { service: string; requirement?: string; state?: string; reason?: string; assessedOn?: string; assessor?: string; file?: string; oscal?: string; json?: boolean }) => {
      const show = (items: readonly { id: string; requirementId: string; state: string; assessedOn: string; assessor: string }[]) =>
        print(opts.json, items, [...items.map((f) => `${f.id}  ${f.requirementId}  ${f.state}  ${f.assessedOn}  ${f.assessor}`), `${items.length} finding(s)`].join('\n'));
      if (opts.oscal) {
        const oscalFile = opts.oscal;
        const { value } = await readJson(oscalFile, '--oscal');
        if (!opts.assessor?.trim()) throw new Problem('validation_failed', [fieldError('--assessor', 'required', { ja: '評価者を指定してください。', en: 'is required: the assessor who concluded' })]);
        const assessor = opts.assessor.trim();
        return show(
          await io.withPlatform(async (platform) => {
            const recorded = await recordAssessmentResultsFindings(platform.control, opts.service, value, assessor, null, { field: '--oscal', assessorField: '--assessor' });
            await audited(platform, 'assessment_findings_recorded', [
              { resource: 'assessment_findings', ids: recorded.map((f) => f.id) },
              { resource: 'provider_services', ids: [opts.service] },
            ]);
            return recorded;
          }),
        );
      }
      let inputs: FindingInput[];
      let at: (i: number, name: string) => string;
      if (opts.file) {
        const { value } = await readJson(opts.file, '--file');
        if (!Array.isArray(value)) throw new Problem('validation_failed', [fieldError('--file', 'array', { ja: '判定の配列（JSON）です。', en: 'must be a JSON array of findings' })]);
        inputs = value as FindingInput[];
        at = (i, name) => `--file[${i}]/${name}`;
      } else {
        inputs = [{ requirementId: opts.requirement, state: opts.state, reason: opts.reason, assessedOn: opts.assessedOn ?? new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' }), assessor: opts.assessor }];
        at = (_i, name) => FINDING_FLAGS[name] ?? `--${name}`;
      }
      const items = await io.withPlatform(async (platform) => {
        const recorded = await recordFindings(platform.control, opts.service, inputs, null, { at, listField: '--file' });
        await audited(platform, 'assessment_findings_recorded', [
          { resource: 'assessment_findings', ids: recorded.map((f) => f.id) },
          { resource: 'provider_services', ids: [opts.service] },
        ]);
        return recorded;
      });
      show(items);
    });

  assessments
    .command('decide')
    .description("Decide and record a service's certification for a data class (its profile) on a day: status, gaps, expiry")
    .requiredOption('--service <id>', 'the service')
    .requiredOption('--data-class <class>', 'my_number, personal or general')
    .option('--on <date>', 'the day decided for (default today; not later)')
    .option('--json', 'print JSON')
    .action(async (opts: { service: string; dataClass: string; on?: string; json?: boolean }) => {
      const outcome = await io.withPlatform(async (platform) => {
        const o = await decideServiceCertification(platform.control, opts.service, { dataClass: opts.dataClass, ...(opts.on ? { on: opts.on } : {}) }, null, {
          at: (name) => (name === 'dataClass' ? '--data-class' : `--${name}`),
        });
        await audited(platform, 'certification_decided', [
          { resource: 'certifications', ids: [o.certification.id] },
          { resource: 'provider_services', ids: [o.certification.serviceId] },
        ]);
        return o;
      });
      const { decision, certification } = outcome;
      const text = [
        certification.id,
        `service ${decision.serviceId}  ${decision.dataClass}  ${decision.status} on ${decision.on}${certification.expiresOn ? `  expires ${certification.expiresOn}` : ''}`,
        ...decision.gaps.map((g) => `  gap ${g.requirementId ?? '-'}  ${g.kind}  ${g.message.en}`),
      ];
      print(opts.json, { certification, status: decision.status, on: decision.on, expiresOn: certification.expiresOn, gaps: decision.gaps, requirements: decision.requirements }, text.join('\n'));
    });

  assessments
    .command('results')
    .description("The assessors' findings on a service as OSCAL 1.2.1 assessment results (checked against the schema)")
    .requiredOption('--service <id>', 'the service')
    .requiredOption('--data-class <class>', 'my_number, personal or general')
    .option('--on <date>', 'the day (default today)')
    .option('--out <file>', 'write to this file (else standard output)')
    .action(async (opts: { service: string; dataClass: string; on?: string; out?: string }) => {
      const document = await io.withPlatform((platform) =>
        serviceAssessmentResults(platform.control, opts.service, { dataClass: opts.dataClass, ...(opts.on ? { on: opts.on } : {}) }, { at: (name) => (name === 'dataClass' ? '--data-class' : `--${name}`) }),
      );
      await writeOrPrint(JSON.stringify(document, null, 2) + '\n', opts.out, io.out);
    });

  program
    .command('procurement')
    .description('Procurement: proposals compared against a profile (docs/assessments.md#procurement)')
    .command('compare')
    .description('Several services side by side against a data class: met, inherited, missing or expiring per requirement')
    .requiredOption('--data-class <class>', 'my_number, personal or general')
    .requiredOption('--services <ids>', 'service ids, comma-separated, in column order')
    .option('--on <date>', 'the day (default today)')
    .option('--within-days <days>', 'a basis ending within this many days is expiring (default 90)')
    .option('--format <format>', 'csv or json', 'json')
    .option('--out <file>', 'write to this file (else standard output)')
    .action(async (opts: { dataClass: string; services: string; on?: string; withinDays?: string; format: string; out?: string }) => {
      if (opts.format !== 'csv' && opts.format !== 'json') {
        throw new Problem('validation_failed', [fieldError('--format', 'format', { ja: 'csv または json です。', en: 'must be csv or json' })]);
      }
      const within = opts.withinDays === undefined ? undefined : /^[0-9]{1,4}$/.test(opts.withinDays) ? Number(opts.withinDays) : NaN;
      const comparison = await io.withPlatform((platform) =>
        procurementComparison(
          platform.control,
          {
            dataClass: opts.dataClass,
            serviceIds: opts.services.split(',').map((s) => s.trim()).filter(Boolean),
            ...(opts.on ? { on: opts.on } : {}),
            ...(within !== undefined ? { expiringWithinDays: within } : {}),
          },
          { at: (name) => ({ dataClass: '--data-class', expiringWithinDays: '--within-days' })[name] ?? `--${name}` },
        ),
      );
      await writeOrPrint(opts.format === 'csv' ? comparisonCsv(comparison) : comparisonJson(comparison), opts.out, io.out);
    });
}
