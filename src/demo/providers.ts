/**
 * The demo's cloud provider: a fictional provider (見本: a sample), registered
 * and certified for My Number data through the same use cases as the API and
 * the CLI, and the default cell declared to run on its service and region, so
 * that the demo's placements pass the placement policy under `enforce` too
 * (docs/providers.md, "Cell locations and the placement policy"). The control
 * database and a backup target are declared there as well ("Other data
 * stores"), so that the `data-in-japan` self-check sees all the demo's data.
 *
 * Every write is audited like the providers' CLI audits it (a job of the
 * platform: the operator, the run's id in place of a request id). Dates are
 * computed from today in Japan, so a fresh demo is always in force.
 *
 * Idempotent and resumable, like the rest of the seeder: each step looks for
 * what it would write first (the provider by its corporate number, its service
 * by name, its region by code, …), so a second run writes nothing but, if need
 * be, the cell's and the data stores' declarations, and a run that was
 * interrupted finishes the job.
 */
import type { Platform } from '../platform/http/server.js';
import type { EntryKind } from '../security/audit/catalogue.js';
import type { RecordRef } from '../security/audit/entry.js';
import { operatorJob, recordJobAction } from '../security/audit/record.js';
import { componentDefinitionVersions, decideServiceCertification, findingsOf, recordFindings, submitComponentDefinition } from '../providers/assessment/service.js';
import { toComponentDefinition } from '../providers/assessment/component-definition.js';
import { profileRequirementIds } from '../providers/catalog/profiles.js';
import { addDays, startOfDayInJapan, todayInJapan } from '../providers/days.js';
import { DEFAULT_ALERT_DAYS } from '../providers/placement/alerts.js';
import { cellStanding, declareCellLocation, type CellStanding } from '../providers/placement/locations.js';
import { CONTROL_STORE_ID, dataStoreLocations, declareDataStoreLocation } from '../providers/placement/data-stores.js';
import { certificationOn, regionInJapan } from '../providers/placement/policy.js';
import type { Provider, Region, Service } from '../providers/registry/model.js';
import { serviceRegistrationOn } from '../providers/registry/registration.js';
import { addRegion, addRegistration, addService, createProvider } from '../providers/registry/service.js';
import * as registry from '../providers/registry/store.js';

/**
 * 法人番号 of the demo provider: the base 000000000000 (no corporation has it)
 * with its check digit 9 (src/providers/registry/corporate-number.ts).
 */
export const DEMO_CORPORATE_NUMBER = '9000000000000';
export const DEMO_PROVIDER_NAME = 'デモクラウド株式会社（見本）';
export const DEMO_SERVICE_NAME = 'デモ IaaS';
export const DEMO_REGION_CODE = 'jp-east-demo';
/** The demo's backup target, declared with the control database on the demo's service and region. */
export const DEMO_BACKUP_STORE_ID = 'backup-demo';
const DEMO_REGISTRATION_PREFIX = 'DEMO-0001';
const DEMO_ASSESSOR = 'demo-assessor (見本監査法人)';
const DATA_CLASS = 'my_number';

/**
 * Registers the demo's provider (if it is not there yet), keeps its
 * registration and certification in force, and declares the default cell, the
 * control database and the backup target `backup-demo` on its service and
 * region. `today` is for tests (default: today in Japan).
 */
export async function seedDemoProviders(
  platform: Platform,
  onProgress: (message: string) => void = () => undefined,
  options: { today?: string } = {},
): Promise<CellStanding> {
  const db = platform.control;
  const today = options.today ?? todayInJapan();
  const job = operatorJob();
  const audited = (kind: EntryKind, records: RecordRef[]) => recordJobAction(platform, job, kind, { municipality: null, records });
  const profile = profileRequirementIds(DATA_CLASS);

  // The provider, its service and its region: looked up first, created when missing.
  let provider: Provider | undefined = (await registry.listProviders(db)).find((p) => p.corporateNumber === DEMO_CORPORATE_NUMBER);
  if (!provider) {
    provider = await createProvider(db, { name: DEMO_PROVIDER_NAME, corporateNumber: DEMO_CORPORATE_NUMBER, headquartersCountry: 'JP' }, null);
    await audited('provider_registry_changed', [{ resource: 'providers', ids: [provider.id] }]);
  }
  const providerId = provider.id;
  let service: Service | undefined = (await registry.listServices(db, { providerId })).find((s) => s.name === DEMO_SERVICE_NAME);
  if (!service) {
    service = await addService(db, providerId, { name: DEMO_SERVICE_NAME, model: 'IaaS' }, null);
    await audited('provider_registry_changed', [
      { resource: 'provider_services', ids: [service.id] },
      { resource: 'providers', ids: [providerId] },
    ]);
  }
  const serviceId = service.id;
  let region: Region | undefined = (await registry.listRegions(db, { providerId })).find((r) => r.code === DEMO_REGION_CODE);
  if (!region) {
    region = await addRegion(db, providerId, { code: DEMO_REGION_CODE, name: '東日本（デモ）', country: 'JP', jurisdiction: 'JP', locations: ['13'] }, null);
    await audited('provider_registry_changed', [
      { resource: 'provider_regions', ids: [region.id] },
      { resource: 'providers', ids: [providerId] },
    ]);
  }

  // The registration (ISMAP-style): a one-year audited period that ended a month ago, listed two
  // weeks after it, so valid for about 15 months from today. A demo data directory seeded long ago
  // finds its registration expired (or lapsing within the alert window): rather than fail, the demo
  // lists a new registration on a new audited period, as a renewed service would be listed, with
  // the next registration number. The certification below then no longer covers the placement
  // either, and is decided again.
  const alertHorizon = addDays(today, DEFAULT_ALERT_DAYS);
  const registrations = await registry.listRegistrations(db, { serviceIds: [serviceId] });
  const standing = serviceRegistrationOn(registrations, today);
  if (standing.standing !== 'registered' || (standing.inForceUntil !== null && standing.inForceUntil < alertHorizon)) {
    const auditPeriodEnd = addDays(today, -31);
    // 365 days, first and last included: within one year (民法 143 条) whether or not it spans a 29 February.
    const auditPeriodStart = addDays(auditPeriodEnd, -364);
    const listedOn = addDays(auditPeriodEnd, 14);
    const { registration, renewalsEnded } = await addRegistration(
      db,
      serviceId,
      { registrationNumber: `${DEMO_REGISTRATION_PREFIX}-${registrations.length + 1}`, auditPeriodStart, auditPeriodEnd, listedOn },
      null,
      { today },
    );
    await audited('provider_registry_changed', [
      { resource: 'service_registrations', ids: [registration.id, ...renewalsEnded] },
      { resource: 'provider_services', ids: [serviceId] },
    ]);
  }

  // The component definition: every requirement of the My Number profile claimed by the service itself.
  const latest = (await componentDefinitionVersions(db, serviceId)).at(-1);
  if (!latest || profile.some((id) => !latest.claims.some((c) => c.requirementId === id && !c.inherited))) {
    const document = toComponentDefinition({
      title: `${DEMO_SERVICE_NAME} component definition (sample)`,
      version: today,
      lastModified: startOfDayInJapan(today),
      source: `profiles/${DATA_CLASS}.json`,
      services: [
        {
          serviceId,
          title: DEMO_SERVICE_NAME,
          description: `The IaaS of ${DEMO_PROVIDER_NAME}, a fictional provider of the municloud demo.`,
          claims: profile.map((requirementId) => ({ requirementId, description: `Sample claim of a fictional provider: ${DEMO_SERVICE_NAME} meets ${requirementId}.` })),
        },
      ],
    });
    const d = await submitComponentDefinition(db, serviceId, document, null, { today });
    await audited('component_definition_submitted', [
      { resource: 'component_definitions', ids: [d.id] },
      { resource: 'provider_services', ids: [serviceId] },
    ]);
  }

  // The assessor's findings: satisfied for every requirement of the profile not yet assessed.
  const assessed = new Set((await findingsOf(db, serviceId)).map((f) => f.requirementId));
  const unassessed = profile.filter((id) => !assessed.has(id));
  if (unassessed.length > 0) {
    const findings = await recordFindings(
      db,
      serviceId,
      unassessed.map((requirementId) => ({ requirementId, state: 'satisfied', assessedOn: today, assessor: DEMO_ASSESSOR })),
      null,
      { today },
    );
    await audited('assessment_findings_recorded', [
      { resource: 'assessment_findings', ids: findings.map((f) => f.id) },
      { resource: 'provider_services', ids: [serviceId] },
    ]);
  }

  // The certification for My Number data, decided (and its basis recorded) as the API decides it,
  // unless one in force covers the alert window already.
  const certification = certificationOn(await registry.certificationFacts(db, [serviceId]), DATA_CLASS, today);
  if (!certification || certification.status !== 'certified' || (certification.expiresOn !== null && certification.expiresOn < alertHorizon)) {
    const outcome = await decideServiceCertification(db, serviceId, { dataClass: DATA_CLASS }, null, { today });
    await audited('certification_decided', [
      { resource: 'certifications', ids: [outcome.certification.id] },
      { resource: 'provider_services', ids: [serviceId] },
    ]);
    if (outcome.decision.status !== 'certified') {
      // Someone changed the demo's records (a finding not_satisfied, say): the declared cell would refuse the demo's placements.
      throw new Error(`the demo service is not certified for ${DATA_CLASS}: ${outcome.decision.gaps.map((g) => `${g.requirementId ?? '-'} ${g.kind}`).join(', ')}`);
    }
  }

  // The default cell's location: declared on the demo's service and region, unless it already is.
  // A cell an operator declared elsewhere is left as declared.
  const cellId = platform.cells.defaultCellId;
  let cell = await cellStanding(db, cellId, { on: today });
  if (cell.location === null) {
    cell = await declareCellLocation(db, cellId, { serviceId, regionId: region.id }, null);
    await audited('cell_location_declared', [
      { resource: 'cells', ids: [cellId] },
      { resource: 'provider_services', ids: [serviceId] },
      { resource: 'provider_regions', ids: [region.id] },
    ]);
  }
  // The control database and one backup target, declared on the same service and region unless they already are
  // (a store an operator declared elsewhere is left as declared), so that the data-in-japan self-check sees them.
  const declared = new Set((await dataStoreLocations(db, [CONTROL_STORE_ID, DEMO_BACKUP_STORE_ID])).map((d) => d.storeId));
  for (const [storeId, kind] of [[CONTROL_STORE_ID, 'control'], [DEMO_BACKUP_STORE_ID, 'backup']] as const) {
    if (declared.has(storeId)) continue;
    await declareDataStoreLocation(db, storeId, { kind, serviceId, regionId: region.id }, null);
    await audited('data_store_location_declared', [
      { resource: 'data_store_locations', ids: [storeId] },
      { resource: 'provider_services', ids: [serviceId] },
      { resource: 'provider_regions', ids: [region.id] },
    ]);
  }

  const l = cell.location;
  const where = l === null ? 'location not declared' : `runs on ${l.provider.name} / ${l.service.name} / ${l.region.code}${l.service.id === serviceId ? ' (fictional, registered and certified)' : ' (declared by the operator)'}`;
  const p = cell.placement;
  const verdict = p.allowed ? `may hold ${p.dataClass} data${p.coveredUntil ? ` until ${p.coveredUntil}` : ''}` : `refused for ${p.dataClass} data: ${p.reasons.join(', ')}`;
  onProgress(`cell ${cellId}: ${where}; ${verdict}`);
  const stores = await dataStoreLocations(db, [CONTROL_STORE_ID, DEMO_BACKUP_STORE_ID]);
  onProgress(`data stores: ${stores.map((d) => `${d.storeId} (${d.kind}) on ${d.service.name} / ${d.region.code}${regionInJapan(d.region) ? ', in Japan' : ', NOT in Japan'}`).join('; ')}`);
  return cell;
}
