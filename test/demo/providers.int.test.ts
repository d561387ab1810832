/**
 * The demo's provider (src/demo/providers.ts): a fictional provider registered
 * and certified for My Number data, with the default cell (and the control
 * database and a backup) declared on its service and region, so that the demo's municipalities are placed under the
 * enforced placement policy. Idempotent (the seeder runs at every start), and
 * a data directory seeded long ago gets a new registration instead of failing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MUNICIPALITIES } from '../../src/demo/seed.js';
import { DEMO_BACKUP_STORE_ID, DEMO_CORPORATE_NUMBER, DEMO_REGION_CODE, DEMO_SERVICE_NAME, seedDemoProviders } from '../../src/demo/providers.js';
import { evaluateSelfChecks } from '../../src/providers/assessment/self-checks.js';
import { listDataStores } from '../../src/providers/placement/data-stores.js';
import { gatherDataLocations, gatherObservations } from '../../src/providers/self-checks/gather.js';
import { profileRequirementIds } from '../../src/providers/catalog/profiles.js';
import { addDays } from '../../src/providers/days.js';
import { DEFAULT_ALERT_DAYS } from '../../src/providers/placement/alerts.js';
import { placementAlertsOn } from '../../src/providers/placement/check.js';
import { cellStanding } from '../../src/providers/placement/locations.js';
import { corporateNumberProblem } from '../../src/providers/registry/corporate-number.js';
import { readAuditEntries } from '../support/register.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { TODAY } from '../support/providers.js';

type Entry = { kind: string; municipality: string | null; outcome: { result: string }; records: { resource: string; ids: string[] }[] };

const PROFILE = profileRequirementIds('my_number');
const PROVIDER_KINDS = ['provider_registry_changed', 'component_definition_submitted', 'assessment_findings_recorded', 'certification_decided', 'cell_location_declared', 'data_store_location_declared'];

async function count(tp: TestPlatform, table: string): Promise<number> {
  return Number((await adminQuery<{ n: string }>(tp, 'control', `SELECT count(*) AS n FROM control.${table}`))[0]!.n);
}

async function providerEntries(tp: TestPlatform): Promise<Entry[]> {
  return (await readAuditEntries<Entry>(tp)).filter((e) => PROVIDER_KINDS.includes(e.kind));
}

describe('the demo provider', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await createTestPlatform({ placementPolicy: 'enforce' });
  });
  afterAll(async () => tp?.close());

  it('has a corporate number with a valid check digit', () => {
    expect(corporateNumberProblem(DEMO_CORPORATE_NUMBER)).toBeNull();
  });

  it('before it, the demo cell is undeclared and enforce refuses the demo placements', async () => {
    await expect(tp.platform.cells.place(DEMO_MUNICIPALITIES[0]!.code, tp.platform.cells.defaultCellId, null)).rejects.toMatchObject({
      code: 'placement_refused',
      fields: [{ rule: 'cell_undeclared' }],
    });
  });

  it('registers, assesses and certifies a fictional service and declares the default cell, the control database and a backup on it, each write audited', async () => {
    const progress: string[] = [];
    const standing = await seedDemoProviders(tp.platform, (line) => progress.push(line));
    expect(standing.location).toMatchObject({ service: { name: DEMO_SERVICE_NAME, model: 'IaaS' }, region: { code: DEMO_REGION_CODE, country: 'JP', jurisdiction: 'JP', locations: ['13'] } });
    expect(standing.placement).toMatchObject({ dataClass: 'my_number', on: TODAY, allowed: true, reasons: [] });
    expect(progress).toHaveLength(2);
    expect(progress[0]).toContain(`cell ${tp.platform.cells.defaultCellId}:`);
    expect(progress[0]).toContain('may hold my_number data');
    expect(progress[1]).toBe(`data stores: control (control) on ${DEMO_SERVICE_NAME} / ${DEMO_REGION_CODE}, in Japan; ${DEMO_BACKUP_STORE_ID} (backup) on ${DEMO_SERVICE_NAME} / ${DEMO_REGION_CODE}, in Japan`);
    expect((await listDataStores(tp.platform.control)).map((d) => [d.storeId, d.kind, d.service.id, d.region.code, d.inJapan])).toEqual([
      ['control', 'control', standing.location!.service.id, DEMO_REGION_CODE, true],
      [DEMO_BACKUP_STORE_ID, 'backup', standing.location!.service.id, DEMO_REGION_CODE, true],
    ]);

    const registrations = await adminQuery<{ registration_number: string; audit_period_start: string; audit_period_end: string; listed_on: string }>(
      tp,
      'control',
      `SELECT registration_number, to_char(audit_period_start, 'YYYY-MM-DD') AS audit_period_start, to_char(audit_period_end, 'YYYY-MM-DD') AS audit_period_end,
              to_char(listed_on, 'YYYY-MM-DD') AS listed_on FROM control.service_registrations`,
    );
    expect(registrations).toHaveLength(1);
    const r = registrations[0]!;
    expect(r.audit_period_end < TODAY && r.listed_on > r.audit_period_end && r.listed_on <= TODAY).toBe(true);
    expect(r.audit_period_start >= addDays(r.audit_period_end, -365)).toBe(true);

    const certifications = await adminQuery<{ status: string; data_class: string; basis: string }>(tp, 'control', 'SELECT status, data_class, basis FROM control.certifications');
    expect(certifications).toEqual([expect.objectContaining({ status: 'certified', data_class: 'my_number' })]);
    expect(certifications[0]!.basis).toContain(`${PROFILE.length}/${PROFILE.length} requirements met, 0 gap(s)`);
    expect(await count(tp, 'certification_bases')).toBe(1);
    expect(await count(tp, 'component_definitions')).toBe(1);
    const findings = await adminQuery<{ state: string; assessor: string }>(tp, 'control', 'SELECT state, assessor FROM control.assessment_findings');
    expect(findings).toHaveLength(PROFILE.length);
    expect(new Set(findings.map((f) => `${f.state} ${f.assessor}`))).toEqual(new Set(['satisfied demo-assessor (見本監査法人)']));

    const entries = await providerEntries(tp);
    expect(entries.map((e) => e.kind)).toEqual([
      'provider_registry_changed', // provider
      'provider_registry_changed', // service
      'provider_registry_changed', // region
      'provider_registry_changed', // registration
      'component_definition_submitted',
      'assessment_findings_recorded',
      'certification_decided',
      'cell_location_declared',
      'data_store_location_declared', // the control database
      'data_store_location_declared', // backup-demo
    ]);
    expect(entries.every((e) => e.outcome.result === 'success' && e.municipality === null)).toBe(true);
    expect(entries.at(-3)!.records[0]).toEqual({ resource: 'cells', ids: [tp.platform.cells.defaultCellId] });
    expect(entries.slice(-2).map((e) => e.records[0])).toEqual([
      { resource: 'data_store_locations', ids: ['control'] },
      { resource: 'data_store_locations', ids: [DEMO_BACKUP_STORE_ID] },
    ]);
  });

  it('is idempotent: a second run writes nothing (one provider, one registration, one certification)', async () => {
    const before = (await readAuditEntries<Entry>(tp)).length;
    const standing = await seedDemoProviders(tp.platform);
    expect(standing.placement.allowed).toBe(true);
    expect(await count(tp, 'providers')).toBe(1);
    expect(await count(tp, 'provider_services')).toBe(1);
    expect(await count(tp, 'provider_regions')).toBe(1);
    expect(await count(tp, 'service_registrations')).toBe(1);
    expect(await count(tp, 'component_definitions')).toBe(1);
    expect(await count(tp, 'assessment_findings')).toBe(PROFILE.length);
    expect(await count(tp, 'certifications')).toBe(1);
    expect(await count(tp, 'cell_locations')).toBe(1);
    expect(await count(tp, 'data_store_locations')).toBe(2);
    expect((await readAuditEntries<Entry>(tp)).length).toBe(before);
  });

  it('shows all the demo data in Japan to the data-in-japan self-check: its cell, the control database and its backup', async () => {
    expect(await gatherDataLocations(tp.platform)).toEqual([
      { id: tp.platform.cells.defaultCellId, kind: 'cell', country: 'JP' },
      { id: 'control', kind: 'control', country: 'JP' },
      { id: DEMO_BACKUP_STORE_ID, kind: 'backup', country: 'JP' },
    ]);
    const result = evaluateSelfChecks(await gatherObservations(tp.platform, { routes: tp.app.municloudRoutes })).find((r) => r.checkId === 'data-in-japan')!;
    expect(result).toMatchObject({ state: 'satisfied', evidence: { locations: 3, backups: 1 } });
  });

  it("the default cell may hold My Number data beyond the alert window, the demo municipalities are placed under enforce, and they have no alerts", async () => {
    const standing = await cellStanding(tp.platform.control, tp.platform.cells.defaultCellId);
    expect(standing.placement).toMatchObject({ dataClass: 'my_number', allowed: true, reasons: [] });
    expect(standing.placement.coveredUntil! > addDays(TODAY, DEFAULT_ALERT_DAYS)).toBe(true);
    for (const m of DEMO_MUNICIPALITIES) {
      await expect(tp.platform.cells.place(m.code, tp.platform.cells.defaultCellId, null)).resolves.toMatchObject({ municipalityCode: m.code });
    }
    const { alerts } = await placementAlertsOn(tp.platform.control);
    expect(alerts.filter((a) => DEMO_MUNICIPALITIES.some((m) => m.code === a.municipalityCode))).toEqual([]);
  });
});

describe('a demo seeded long ago', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await createTestPlatform({ placementPolicy: 'enforce' });
  });
  afterAll(async () => tp?.close());

  it('gets a new registration and a new certification instead of failing once its registration has expired', async () => {
    const longAgo = addDays(TODAY, -800);
    await seedDemoProviders(tp.platform, () => undefined, { today: longAgo });
    // Today that registration has lapsed, and the certification with it.
    expect((await cellStanding(tp.platform.control, tp.platform.cells.defaultCellId)).placement).toMatchObject({
      allowed: false,
      reasons: ['registration_expired', 'certification_expired'],
    });

    const standing = await seedDemoProviders(tp.platform);
    expect(standing.placement).toMatchObject({ on: TODAY, allowed: true, reasons: [] });
    const numbers = await adminQuery<{ registration_number: string }>(tp, 'control', 'SELECT registration_number FROM control.service_registrations ORDER BY listed_on');
    expect(numbers.map((n) => n.registration_number)).toEqual(['DEMO-0001-1', 'DEMO-0001-2']);
    expect(await count(tp, 'certifications')).toBe(2);
    expect(await count(tp, 'providers')).toBe(1);
    expect(await count(tp, 'component_definitions')).toBe(1);
    expect(await count(tp, 'cell_locations')).toBe(1);
    expect(await count(tp, 'data_store_locations')).toBe(2);
    await expect(tp.platform.cells.place(DEMO_MUNICIPALITIES[0]!.code, tp.platform.cells.defaultCellId, null)).resolves.toMatchObject({ municipalityCode: DEMO_MUNICIPALITIES[0]!.code });
  });
});
