/**
 * `municloud providers …`: the registry and the placement check from the
 * command line, for the platform operator. Each command goes through the same
 * use cases as the API and is audited as a job of the platform (the operator,
 * the run's id in place of a request id). Writes print the new record's id
 * (or JSON with --json), so scripts can chain them.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { dayOption, withinDaysOption } from '../cli-options.js';
import { writeOrPrint } from '../../cli/files.js';
import { fieldError, Problem } from '../../platform/errors.js';
import type { Platform } from '../../platform/http/server.js';
import type { RecordRef } from '../../security/audit/entry.js';
import { recordJobAction, operatorJob } from '../../security/audit/record.js';
import { DEFAULT_ALERT_DAYS, type PlacementAlert } from '../placement/alerts.js';
import { jobRecorder, runPlacementAlertCheck } from '../placement/check.js';
import { declareDataStoreLocation, listDataStores, type DataStoreStanding } from '../placement/data-stores.js';
import { cellStanding, declareCellLocation, type CellStanding } from '../placement/locations.js';
import { todayInJapan } from '../days.js';
import type { Registration } from './model.js';
import {
  addRegion,
  addRegistration,
  addService,
  certificationsOf,
  createJointProposal,
  createProvider,
  listRegistrationViews,
  providerDetails,
  registryOscal,
  requireJointProposal,
  setRenewal,
  withdrawRegistration,
  type FieldName,
} from './service.js';
import { listJointProposals } from './store.js';

export interface ProvidersCliIo {
  withPlatform<T>(use: (platform: Platform) => Promise<T>): Promise<T>;
  out(text: string): void;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Field names as the command's options: corporateNumber → --corporate-number, serviceIds/1 → --services[1]. */
function options(renamed: Record<string, string> = {}): FieldName {
  return (name) => {
    const [head, ...rest] = name.split('/');
    const flag = renamed[head!] ?? `--${kebab(head!)}`;
    return rest.length > 0 ? `${flag}[${rest.join('/')}]` : flag;
  };
}


const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

function formatRegistration(r: Registration): string {
  const renewal = r.renewalPendingSince ? `  renewal pending since ${r.renewalPendingSince}${r.renewalEndedOn ? ` (ended ${r.renewalEndedOn})` : ''}` : '';
  const withdrawn = r.withdrawnOn ? `  withdrawn ${r.withdrawnOn}` : '';
  return `${r.id}  ${r.registrationNumber}  service ${r.serviceId}  audited ${r.auditPeriodStart}..${r.auditPeriodEnd}  listed ${r.listedOn}  valid until ${r.validUntil}  ${r.status} on ${r.on}${renewal}${withdrawn}`;
}

function formatStanding(s: CellStanding): string {
  const where = s.location
    ? `${s.location.provider.name} / ${s.location.service.name} (${s.location.service.model}) / ${s.location.region.code} ${s.location.region.country}, law ${s.location.region.jurisdiction}, data centres ${s.location.region.locations.join(',')}`
    : 'location not declared';
  const p = s.placement;
  const verdict = p.allowed ? `may hold ${p.dataClass} data on ${p.on}${p.coveredUntil ? ` (covered until ${p.coveredUntil})` : ''}` : `refused for ${p.dataClass} data on ${p.on}: ${p.reasons.join(', ')}`;
  return `${s.cellId}  ${where}\n  ${verdict}`;
}

function formatDataStore(d: DataStoreStanding): string {
  const where = `${d.provider.name} / ${d.service.name} (${d.service.model}) / ${d.region.code} ${d.region.country}, law ${d.region.jurisdiction}, data centres ${d.region.locations.join(',')}`;
  return `${d.storeId}  ${d.kind}  ${where}  ${d.inJapan ? 'in Japan' : 'NOT in Japan'}  declared ${d.declaredAt}`;
}

function formatAlert(a: PlacementAlert): string {
  const when = a.lapsesOn ? `  lapses ${a.lapsesOn} (${a.daysLeft} day(s))` : '';
  const lines = [`${a.municipalityCode}  ${a.cellId}  ${a.status}${when}  ${a.reasons.join(', ')}`];
  for (const step of a.plan.steps) lines.push(`  - ${step.message.en} / ${step.message.ja}`);
  return lines.join('\n');
}

export function registerProviderCommands(program: Command, io: ProvidersCliIo): void {
  const print = (json: boolean | undefined, value: unknown, text: string) => io.out(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
  const audited = (
    platform: Platform,
    records: RecordRef[],
    kind: 'provider_registry_changed' | 'cell_location_declared' | 'data_store_location_declared' = 'provider_registry_changed',
  ) =>
    recordJobAction(platform, operatorJob(), kind, { municipality: null, records });

  const providers = program.command('providers').description('The provider registry and the placement policy (docs/providers.md); each write audited as a platform job');

  providers
    .command('list')
    .description('Providers with their services and regions')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const items = await io.withPlatform((platform) => providerDetails(platform.control));
      const text = items.flatMap((p) => [
        `${p.id}  ${p.name}  法人番号 ${p.corporateNumber}  headquarters ${p.headquartersCountry}`,
        ...p.services.map((s) => `  service ${s.id}  ${s.name} (${s.model})`),
        ...p.regions.map((r) => `  region  ${r.id}  ${r.code} ${r.name}  ${r.country}, law ${r.jurisdiction}, data centres ${r.locations.join(',')}`),
      ]);
      print(opts.json, items, [...text, `${items.length} provider(s)`].join('\n'));
    });

  providers
    .command('show <providerId>')
    .description("One provider, its services, regions and its services' registrations")
    .option('--on <date>', 'the day statuses are for (default today)', dayOption('--on'))
    .option('--json', 'print JSON')
    .action(async (providerId: string, opts: { on?: string; json?: boolean }) => {
      const shown = await io.withPlatform(async (platform) => {
        const [p] = await providerDetails(platform.control, providerId);
        const serviceIds = p!.services.map((s) => s.id);
        const registrations = serviceIds.length > 0 ? await listRegistrationViews(platform.control, opts.on ?? todayInJapan(), { serviceIds }) : [];
        return { ...p!, registrations };
      });
      const text = [
        `${shown.id}  ${shown.name}  法人番号 ${shown.corporateNumber}  headquarters ${shown.headquartersCountry}`,
        ...shown.services.map((s) => `  service ${s.id}  ${s.name} (${s.model})`),
        ...shown.regions.map((r) => `  region  ${r.id}  ${r.code} ${r.name}  ${r.country}, law ${r.jurisdiction}, data centres ${r.locations.join(',')}`),
        ...shown.registrations.map((r) => `  ${formatRegistration(r)}`),
      ];
      print(opts.json, shown, text.join('\n'));
    });

  providers
    .command('add')
    .description('Register a provider')
    .requiredOption('--name <name>', 'the company name')
    .requiredOption('--corporate-number <number>', '法人番号: 13 digits, its check digit first')
    .requiredOption('--country <code>', 'headquarters country, ISO 3166-1 alpha-2 (JP)')
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; corporateNumber: string; country: string; json?: boolean }) => {
      const provider = await io.withPlatform(async (platform) => {
        const p = await createProvider(platform.control, { ...opts, headquartersCountry: opts.country }, null, options({ headquartersCountry: '--country' }));
        await audited(platform, [{ resource: 'providers', ids: [p.id] }]);
        return p;
      });
      print(opts.json, provider, provider.id);
    });

  const service = providers.command('service').description("A provider's services");
  service
    .command('add')
    .description('Register a service of a provider')
    .requiredOption('--provider <id>', 'the provider')
    .requiredOption('--name <name>', 'the service name')
    .requiredOption('--model <model>', 'IaaS, PaaS or SaaS')
    .option('--json', 'print JSON')
    .action(async (opts: { provider: string; name: string; model: string; json?: boolean }) => {
      const s = await io.withPlatform(async (platform) => {
        const created = await addService(platform.control, opts.provider, opts, null, options());
        await audited(platform, [
          { resource: 'provider_services', ids: [created.id] },
          { resource: 'providers', ids: [created.providerId] },
        ]);
        return created;
      });
      print(opts.json, s, s.id);
    });

  const region = providers.command('region').description("A provider's regions");
  region
    .command('add')
    .description('Register a region of a provider: its country, governing law and data centres')
    .requiredOption('--provider <id>', 'the provider')
    .requiredOption('--code <code>', 'e.g. ap-northeast-1')
    .requiredOption('--name <name>', 'e.g. 東京リージョン')
    .requiredOption('--country <code>', 'where the data centres are, ISO 3166-1 alpha-2 (JP)')
    .requiredOption('--jurisdiction <code>', 'the country whose law governs (準拠法), ISO 3166-1 alpha-2 (JP)')
    .requiredOption('--locations <list>', 'data centres, comma-separated: prefecture codes or names in Japan (13,27 or 東京都,大阪府), place names elsewhere', list)
    .option('--json', 'print JSON')
    .action(async (opts: { provider: string; code: string; name: string; country: string; jurisdiction: string; locations: string[]; json?: boolean }) => {
      const r = await io.withPlatform(async (platform) => {
        const created = await addRegion(platform.control, opts.provider, opts, null, options());
        await audited(platform, [
          { resource: 'provider_regions', ids: [created.id] },
          { resource: 'providers', ids: [created.providerId] },
        ]);
        return created;
      });
      print(opts.json, r, r.id);
    });

  providers
    .command('export')
    .description('The whole registry as an OSCAL 1.2.1 component definition, with statuses on a day (checked against the schema)')
    .option('--on <date>', 'the day statuses are for (default today)', dayOption('--on'))
    .option('--out <file>', 'write to this file, whole or not at all (else standard output)')
    .action(async (opts: { on?: string; out?: string }) => {
      const document = await io.withPlatform((platform) => registryOscal(platform.control, opts.on ? { on: opts.on } : {}, { at: (name) => `--${name}` }));
      await writeOrPrint(JSON.stringify(document, null, 2) + '\n', opts.out, io.out);
    });

  const registration = providers.command('registration').description("Services' ISMAP registrations");
  registration
    .command('add')
    .description("List a service's registration: valid until 1 year 4 months after the audited period (at most one year) ends")
    .requiredOption('--service <id>', 'the service')
    .requiredOption('--number <number>', 'the registration number, e.g. C21-0001-1')
    .requiredOption('--audit-start <date>', 'first day of the audited period')
    .requiredOption('--audit-end <date>', 'last day of the audited period')
    .requiredOption('--listed-on <date>', 'the day it was listed')
    .option('--json', 'print JSON')
    .action(async (opts: { service: string; number: string; auditStart: string; auditEnd: string; listedOn: string; json?: boolean }) => {
      const r = await io.withPlatform(async (platform) => {
        const { registration: created, renewalsEnded } = await addRegistration(
          platform.control,
          opts.service,
          { registrationNumber: opts.number, auditPeriodStart: opts.auditStart, auditPeriodEnd: opts.auditEnd, listedOn: opts.listedOn },
          null,
          { at: options({ registrationNumber: '--number', auditPeriodStart: '--audit-start', auditPeriodEnd: '--audit-end' }) },
        );
        await audited(platform, [
          { resource: 'service_registrations', ids: [created.id, ...renewalsEnded] },
          { resource: 'provider_services', ids: [created.serviceId] },
        ]);
        return created;
      });
      print(opts.json, r, `${r.id}\n${formatRegistration(r)}`);
    });
  registration
    .command('list')
    .description('Registrations with their validity and status on a day')
    .option('--on <date>', 'the day (default today)', dayOption('--on'))
    .option('--service <id>', 'only this service')
    .option('--json', 'print JSON')
    .action(async (opts: { on?: string; service?: string; json?: boolean }) => {
      const on = opts.on ?? todayInJapan();
      const items = await io.withPlatform((platform) => listRegistrationViews(platform.control, on, opts.service ? { serviceIds: [opts.service] } : {}));
      print(opts.json, { on, items }, [...items.map(formatRegistration), `${items.length} registration(s)`].join('\n'));
    });
  registration
    .command('renewal')
    .description('A renewal applied for (--pending: the registration stays valid while it is) or ended without a successor (--ended)')
    .requiredOption('--registration <id>', 'the registration')
    .option('--pending', 'applied for on --on')
    .option('--ended', 'ended on --on (refused, withdrawn by the provider)')
    .requiredOption('--on <date>', 'the day')
    .option('--json', 'print JSON')
    .action(async (opts: { registration: string; pending?: boolean; ended?: boolean; on: string; json?: boolean }) => {
      if (Boolean(opts.pending) === Boolean(opts.ended)) {
        throw new Problem('validation_failed', [fieldError('--pending', 'one_of', { ja: '--pending か --ended のどちらかを指定してください。', en: 'give either --pending or --ended' })]);
      }
      const r = await io.withPlatform(async (platform) => {
        const changed = await setRenewal(platform.control, opts.registration, { pending: Boolean(opts.pending), on: opts.on }, { at: options() });
        await audited(platform, [{ resource: 'service_registrations', ids: [changed.id] }]);
        return changed;
      });
      print(opts.json, r, formatRegistration(r));
    });
  registration
    .command('withdraw')
    .description('Withdraw a registration from a day (the placements on it are alerted)')
    .requiredOption('--registration <id>', 'the registration')
    .requiredOption('--on <date>', 'the day it is withdrawn')
    .requiredOption('--reason <text>', 'why (no personal data)')
    .option('--json', 'print JSON')
    .action(async (opts: { registration: string; on: string; reason: string; json?: boolean }) => {
      const r = await io.withPlatform(async (platform) => {
        const changed = await withdrawRegistration(platform.control, opts.registration, opts, null, { at: options() });
        await audited(platform, [{ resource: 'service_registrations', ids: [changed.id] }]);
        return changed;
      });
      print(opts.json, r, formatRegistration(r));
    });

  const joint = providers.command('joint-proposal').description('Joint proposals: a lead provider and its partners');
  joint
    .command('add')
    .description('Register a joint proposal: every service must hold a registration in force today')
    .requiredOption('--name <name>', 'the proposal')
    .requiredOption('--lead <providerId>', 'the lead provider, answerable for the whole')
    .requiredOption('--services <ids>', "every service in it, comma-separated (the lead's and its partners')", list)
    .option('--assign <requirement=serviceId>', 'a requirement and the service that meets it (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; lead: string; services: string[]; assign: string[]; json?: boolean }) => {
      const assignments = opts.assign.map((a) => {
        const eq = a.indexOf('=');
        return { requirementId: eq > 0 ? a.slice(0, eq) : a, serviceId: eq > 0 ? a.slice(eq + 1) : '' };
      });
      const proposal = await io.withPlatform(async (platform) => {
        const created = await createJointProposal(platform.control, { name: opts.name, leadProviderId: opts.lead, serviceIds: opts.services, assignments }, null, {
          at: options({ leadProviderId: '--lead', serviceIds: '--services', assignments: '--assign' }),
        });
        await audited(platform, [
          { resource: 'joint_proposals', ids: [created.id] },
          { resource: 'providers', ids: [created.leadProviderId] },
          { resource: 'provider_services', ids: created.services.map((s) => s.serviceId) },
        ]);
        return created;
      });
      print(opts.json, proposal, proposal.id);
    });
  joint
    .command('list')
    .description('Joint proposals')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const items = await io.withPlatform((platform) => listJointProposals(platform.control));
      const text = items.flatMap((p) => [
        `${p.id}  ${p.name}  lead ${p.leadProviderId}  proposed ${p.proposedOn}`,
        ...p.services.map((s) => `  service ${s.serviceId} (provider ${s.providerId}, registration ${s.registrationId})`),
        ...p.assignments.map((a) => `  ${a.requirementId} → ${a.serviceId}`),
      ]);
      print(opts.json, items, [...text, `${items.length} joint proposal(s)`].join('\n'));
    });
  joint
    .command('show <proposalId>')
    .description('One joint proposal')
    .action(async (proposalId: string) => {
      const p = await io.withPlatform((platform) => requireJointProposal(platform.control, proposalId));
      print(true, p, '');
    });

  providers
    .command('certifications')
    .description('Certification decisions per service and class of data')
    .option('--service <id>', 'only this service')
    .option('--current', 'only the decision in force for each service and class')
    .option('--json', 'print JSON')
    .action(async (opts: { service?: string; current?: boolean; json?: boolean }) => {
      const items = await io.withPlatform((platform) =>
        certificationsOf(platform.control, { ...(opts.service ? { serviceId: opts.service } : {}), ...(opts.current ? { current: true } : {}) }),
      );
      const text = items.map((c) => `${c.id}  service ${c.serviceId}  ${c.dataClass}  ${c.status}  decided ${c.decidedOn}${c.expiresOn ? `  expires ${c.expiresOn}` : ''}`);
      print(opts.json, items, [...text, `${items.length} decision(s)`].join('\n'));
    });

  const cellLocation = providers.command('cell-location').description('Where each cell runs (provider, service, region)');
  cellLocation
    .command('set <cellId>')
    .description("Declare a cell's service and region (of one provider)")
    .requiredOption('--service <id>', 'the service the cell runs on')
    .requiredOption('--region <id>', "the service's provider's region")
    .option('--json', 'print JSON')
    .action(async (cellId: string, opts: { service: string; region: string; json?: boolean }) => {
      const standing = await io.withPlatform(async (platform) => {
        const s = await declareCellLocation(platform.control, cellId, { serviceId: opts.service, regionId: opts.region }, null, options({ serviceId: '--service', regionId: '--region' }));
        await audited(
          platform,
          [
            { resource: 'cells', ids: [s.cellId] },
            { resource: 'provider_services', ids: [s.location!.service.id] },
            { resource: 'provider_regions', ids: [s.location!.region.id] },
          ],
          'cell_location_declared',
        );
        return s;
      });
      print(opts.json, standing, formatStanding(standing));
    });
  cellLocation
    .command('show <cellId>')
    .description("A cell's location, and whether a municipality may be placed on it")
    .option('--on <date>', 'the day (default today)', dayOption('--on'))
    .option('--json', 'print JSON')
    .action(async (cellId: string, opts: { on?: string; json?: boolean }) => {
      const standing = await io.withPlatform((platform) => cellStanding(platform.control, cellId, opts.on ? { on: opts.on } : {}));
      print(opts.json, standing, formatStanding(standing));
    });

  const dataStore = providers.command('data-store').description("Where the control database and the backups are (provider, service, region), for the data-in-japan self-check");
  dataStore
    .command('set <storeId>')
    .description("Declare a data store's service and region (of one provider): the store control is the control database (--kind control), any other a backup target (--kind backup)")
    .requiredOption('--kind <kind>', 'control or backup')
    .requiredOption('--service <id>', 'the service the store is on')
    .requiredOption('--region <id>', "the service's provider's region")
    .option('--json', 'print JSON')
    .action(async (storeId: string, opts: { kind: string; service: string; region: string; json?: boolean }) => {
      const store = await io.withPlatform(async (platform) => {
        const d = await declareDataStoreLocation(
          platform.control,
          storeId,
          { kind: opts.kind, serviceId: opts.service, regionId: opts.region },
          null,
          options({ storeId: '<storeId>', serviceId: '--service', regionId: '--region' }),
        );
        await audited(
          platform,
          [
            { resource: 'data_store_locations', ids: [d.storeId] },
            { resource: 'provider_services', ids: [d.service.id] },
            { resource: 'provider_regions', ids: [d.region.id] },
          ],
          'data_store_location_declared',
        );
        return d;
      });
      print(opts.json, store, formatDataStore(store));
    });
  dataStore
    .command('list')
    .description("Each data store's latest declared location, and whether it is in Japan")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const items = await io.withPlatform((platform) => listDataStores(platform.control));
      print(opts.json, items, [...items.map(formatDataStore), `${items.length} data store(s)`].join('\n'));
    });

  providers
    .command('alerts')
    .description(`Run the placement check: placements whose cell lapsed or lapses within --within-days (default ${DEFAULT_ALERT_DAYS}), each recorded in the audit log`)
    .option('--on <date>', 'the day of the check (default today)', dayOption('--on'))
    .option('--within-days <days>', 'how far ahead', withinDaysOption)
    .option('--json', 'print JSON')
    .action(async (opts: { on?: string; withinDays?: number; json?: boolean }) => {
      const runId = randomUUID();
      const result = await io.withPlatform((platform) =>
        runPlacementAlertCheck(platform, { ...(opts.on ? { on: opts.on } : {}), ...(opts.withinDays !== undefined ? { withinDays: opts.withinDays } : {}), record: jobRecorder(platform, runId) }),
      );
      const text = [...result.alerts.map(formatAlert), `${result.alerts.length} alert(s) on ${result.on} (within ${result.withinDays} days); audit run id ${runId}`];
      print(opts.json, { ...result, runId }, text.join('\n'));
    });
}
