/**
 * The other data stores through the API (src/providers/placement/data-stores.ts):
 * the operator declares where the control database and the backups are, and
 * the `data-in-japan` self-check observes them: the control database's
 * declaration wins over the inference, every backup is listed with its
 * country, none declared fails the check. Bad input refused naming the field,
 * nothing written; the operator's only; every declaration audited;
 * declarations appended, never changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSelfChecks, type PlatformObservations } from '../../src/providers/assessment/self-checks.js';
import { gatherDataLocations, gatherObservations } from '../../src/providers/self-checks/gather.js';
import { CHIYODA, newSession, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { corporateNumber } from '../support/providers.js';
import { readAuditEntries } from '../support/register.js';

type Entry = { kind: string; municipality: string | null; actor: { account: string | null }; outcome: { result: string }; records: { resource: string; ids: string[] }[] };

const SOME_ID = '00000000-0000-4000-8000-000000000000';

let tp: TestPlatform;
let operator: Session;
let admin: Session;
let clerk: Session;
const ids: Record<string, string> = {};

async function created(res: { status: number; body: any }): Promise<string> {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

function expectInvalid(res: { status: number; body: any }, errors: { field: string; rule: string }[]) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.code).toBe('validation_failed');
  expect(res.body.message.ja).toBeTruthy();
  expect(res.body.message.en).toBeTruthy();
  expect(res.body.errors.map((e: { field: string; rule: string }) => ({ field: e.field, rule: e.rule }))).toEqual(errors);
}

const rows = async () => Number((await adminQuery<{ n: string }>(tp, 'control', 'SELECT count(*) AS n FROM control.data_store_locations'))[0]!.n);
const declare = (storeId: string, kind: string, regionId: string, serviceId = ids.iaas!) => operator.call('PUT', `/v1/data-stores/${storeId}/location`, { kind, serviceId, regionId });
const dataInJapan = async () => {
  const observations: PlatformObservations = await gatherObservations(tp.platform, { routes: tp.app.municloudRoutes });
  return { locations: observations.dataLocations, result: evaluateSelfChecks(observations).find((r) => r.checkId === 'data-in-japan')! };
};

beforeAll(async () => {
  tp = await createTestPlatform({ cells: ['cell-a'] });
  operator = await newSession(tp, '000001', ['platform_operator']);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  ids.aozora = await created(await operator.call('POST', '/v1/providers', { name: '青空クラウド株式会社', corporateNumber: corporateNumber('010401000001'), headquartersCountry: 'JP' }));
  ids.iaas = await created(await operator.call('POST', `/v1/providers/${ids.aozora}/services`, { name: '青空 IaaS', model: 'IaaS' }));
  ids.east = await created(await operator.call('POST', `/v1/providers/${ids.aozora}/regions`, { code: 'jp-east-1', name: '東日本', country: 'JP', jurisdiction: 'JP', locations: ['13'] }));
  ids.west = await created(await operator.call('POST', `/v1/providers/${ids.aozora}/regions`, { code: 'jp-west-1', name: '西日本', country: 'JP', jurisdiction: 'JP', locations: ['27'] }));
  ids.singapore = await created(await operator.call('POST', `/v1/providers/${ids.aozora}/regions`, { code: 'sg-1', name: 'Singapore', country: 'SG', jurisdiction: 'SG', locations: ['Singapore'] }));
  // Japanese in name only: the contract is governed by a foreign law.
  ids.foreignLaw = await created(await operator.call('POST', `/v1/providers/${ids.aozora}/regions`, { code: 'jp-us-law', name: '東京（米国法）', country: 'JP', jurisdiction: 'US', locations: ['13'] }));
  ids.hokuto = await created(await operator.call('POST', '/v1/providers', { name: '北斗データ株式会社', corporateNumber: corporateNumber('020001000002'), headquartersCountry: 'JP' }));
  ids.hokutoEast = await created(await operator.call('POST', `/v1/providers/${ids.hokuto}/regions`, { code: 'jp-east-1', name: '東日本', country: 'JP', jurisdiction: 'JP', locations: ['13'] }));
  expect((await operator.call('PUT', '/v1/cells/cell-a/location', { serviceId: ids.iaas, regionId: ids.east })).status).toBe(200);
});
afterAll(async () => tp?.close());

describe('the other data stores', () => {
  it('none declared: the control database is inferred from its cells, no backup is listed, and data-in-japan is not satisfied', async () => {
    expect((await operator.call('GET', '/v1/data-stores')).body).toEqual({ items: [] });
    const seen = await dataInJapan();
    expect(seen.locations).toEqual([
      { id: 'cell-a', kind: 'cell', country: 'JP' },
      { id: 'control', kind: 'control', country: 'JP' },
    ]);
    expect(seen.result.state).toBe('not_satisfied');
    expect(seen.result.evidence).toEqual({ locations: 2, backups: 0 });
    expect(seen.result.reason.en).toMatch(/^No backup location is declared \(backups unobserved\)/);
  });

  it('the control database and a backup declared in Japan: data-in-japan satisfied, each listed with its country', async () => {
    const control = await declare('control', 'control', ids.east!);
    expect(control.status, JSON.stringify(control.body)).toBe(200);
    expect(control.body).toMatchObject({
      storeId: 'control',
      kind: 'control',
      provider: { id: ids.aozora, name: '青空クラウド株式会社' },
      service: { id: ids.iaas, name: '青空 IaaS', model: 'IaaS' },
      region: { id: ids.east, code: 'jp-east-1', country: 'JP', jurisdiction: 'JP', locations: ['13'] },
      inJapan: true,
    });
    const backup = await declare('backup-osaka', 'backup', ids.west!);
    expect(backup.status, JSON.stringify(backup.body)).toBe(200);
    expect(backup.body).toMatchObject({ storeId: 'backup-osaka', kind: 'backup', region: { code: 'jp-west-1' }, inJapan: true });

    const listed = await operator.call('GET', '/v1/data-stores');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((d: { storeId: string; kind: string; inJapan: boolean }) => [d.storeId, d.kind, d.inJapan])).toEqual([
      ['control', 'control', true],
      ['backup-osaka', 'backup', true],
    ]);

    const seen = await dataInJapan();
    expect(seen.locations).toEqual([
      { id: 'cell-a', kind: 'cell', country: 'JP' },
      { id: 'control', kind: 'control', country: 'JP' },
      { id: 'backup-osaka', kind: 'backup', country: 'JP' },
    ]);
    expect(seen.result.state).toBe('satisfied');
    expect(seen.result.evidence).toEqual({ locations: 3, backups: 1 });
  });

  it("the control database's declaration wins over the inference from its cells", async () => {
    expect((await declare('control', 'control', ids.singapore!)).body.inJapan).toBe(false);
    // cell-a, on the same PostgreSQL server, is in Japan: the declaration says otherwise, and counts.
    let seen = await dataInJapan();
    expect(seen.locations).toContainEqual({ id: 'control', kind: 'control', country: 'SG' });
    expect(seen.result.state).toBe('not_satisfied');
    expect(seen.result.evidence.outsideJapan).toBe('control:control=SG');
    expect((await declare('control', 'control', ids.east!)).status).toBe(200);
    seen = await dataInJapan();
    expect(seen.result.state).toBe('satisfied');
  });

  it('a backup abroad, or Japanese in name only, fails data-in-japan naming it; declared again in Japan, the latest counts', async () => {
    const abroad = await declare('backup-singapore', 'backup', ids.singapore!);
    expect(abroad.status).toBe(200);
    expect(abroad.body).toMatchObject({ storeId: 'backup-singapore', kind: 'backup', inJapan: false, region: { country: 'SG' } });
    let seen = await dataInJapan();
    expect(seen.locations).toContainEqual({ id: 'backup-singapore', kind: 'backup', country: 'SG' });
    expect(seen.result.state).toBe('not_satisfied');
    expect(seen.result.evidence).toEqual({ locations: 4, backups: 2, outsideJapan: 'backup:backup-singapore=SG' });
    expect(seen.result.reason.en).toBe('Data locations not confirmed in Japan: backup:backup-singapore=SG.');

    expect((await declare('backup-singapore', 'backup', ids.foreignLaw!)).body.inJapan).toBe(false);
    expect(await gatherDataLocations(tp.platform)).toContainEqual({ id: 'backup-singapore', kind: 'backup', country: null });
    expect((await dataInJapan()).result.evidence.outsideJapan).toBe('backup:backup-singapore=unknown');

    expect((await declare('backup-singapore', 'backup', ids.east!)).body.inJapan).toBe(true);
    seen = await dataInJapan();
    expect(seen.result.state).toBe('satisfied');
    expect(seen.result.evidence).toEqual({ locations: 4, backups: 2 });
    // Appended, never replaced: three declarations of the store are kept.
    expect(await adminQuery(tp, 'control', "SELECT kind FROM control.data_store_locations WHERE store_id = 'backup-singapore'")).toHaveLength(3);
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const before = await rows();
    expectInvalid(await declare('backup-x', 'backup', ids.east!, SOME_ID), [{ field: 'body/serviceId', rule: 'known' }]);
    expectInvalid(await declare('backup-x', 'backup', SOME_ID), [{ field: 'body/regionId', rule: 'known' }]);
    expectInvalid(await declare('backup-x', 'backup', ids.hokutoEast!), [{ field: 'body/regionId', rule: 'same_provider' }]);
    expectInvalid(await declare('control', 'backup', ids.east!), [{ field: 'body/kind', rule: 'control_store' }]);
    expectInvalid(await declare('backup-x', 'control', ids.east!), [{ field: 'body/kind', rule: 'control_store' }]);
    expectInvalid(await declare('Backup_X', 'backup', ids.east!), [{ field: 'params/storeId', rule: 'format' }]);
    expectInvalid(await declare(`b${'x'.repeat(31)}`, 'backup', ids.east!), [{ field: 'params/storeId', rule: 'format' }]);
    // Every problem at once.
    expectInvalid(await declare('9lives', 'control', SOME_ID, SOME_ID), [
      { field: 'params/storeId', rule: 'format' },
      { field: 'body/kind', rule: 'control_store' },
      { field: 'body/serviceId', rule: 'known' },
      { field: 'body/regionId', rule: 'known' },
    ]);
    // The body's schema: a kind that is neither, a missing field.
    const archive = await declare('backup-x', 'archive', ids.east!);
    expect(archive.status).toBe(400);
    expect(archive.body.errors[0].field).toBe('body/kind');
    expect((await operator.call('PUT', '/v1/data-stores/backup-x/location', { kind: 'backup', serviceId: ids.iaas })).status).toBe(400);
    expect(await rows()).toBe(before);
    expect((await operator.call('GET', '/v1/data-stores')).body.items.map((d: { storeId: string }) => d.storeId)).toEqual(['control', 'backup-osaka', 'backup-singapore']);

    // The table holds to the same rules (and to service and region of one provider) whoever writes.
    const insert = (storeId: string, kind: string, regionId: string) =>
      adminQuery(tp, 'control', 'INSERT INTO control.data_store_locations (store_id, kind, provider_id, service_id, region_id) VALUES ($1, $2, $3, $4, $5)', [storeId, kind, ids.aozora, ids.iaas, regionId]);
    await expect(insert('control', 'backup', ids.east!)).rejects.toThrow(/check constraint/);
    await expect(insert('backup-x', 'control', ids.east!)).rejects.toThrow(/check constraint/);
    await expect(insert('Backup_X', 'backup', ids.east!)).rejects.toThrow(/check constraint/);
    await expect(insert('backup-x', 'backup', ids.hokutoEast!)).rejects.toThrow(/foreign key/);
    expect(await rows()).toBe(before);
  });

  it("are the operator's only", async () => {
    const before = await rows();
    for (const s of [admin, clerk]) {
      expect((await s.call('PUT', '/v1/data-stores/backup-x/location', { kind: 'backup', serviceId: ids.iaas, regionId: ids.east })).status).toBe(403);
      expect((await s.call('GET', '/v1/data-stores')).status).toBe(403);
    }
    expect(await rows()).toBe(before);
  });

  it('audits every declaration, naming the store, the service and the region; declarations are never changed', async () => {
    const entries = (await readAuditEntries<Entry>(tp)).filter((e) => e.kind === 'data_store_location_declared');
    // control ×3, backup-osaka, backup-singapore ×3.
    expect(entries.map((e) => e.records[0]!.ids[0])).toEqual(['control', 'backup-osaka', 'control', 'control', 'backup-singapore', 'backup-singapore', 'backup-singapore']);
    expect(entries.every((e) => e.municipality === null && e.outcome.result === 'success' && e.actor.account !== null)).toBe(true);
    expect(entries[1]!.records).toEqual([
      { resource: 'data_store_locations', ids: ['backup-osaka'] },
      { resource: 'provider_services', ids: [ids.iaas] },
      { resource: 'provider_regions', ids: [ids.west] },
    ]);
    await expect(tp.platform.control.query("UPDATE control.data_store_locations SET region_id = region_id WHERE store_id = 'control'")).rejects.toThrow(/permission denied/);
    await expect(tp.platform.control.query("DELETE FROM control.data_store_locations WHERE store_id = 'control'")).rejects.toThrow(/permission denied/);
  });
});
