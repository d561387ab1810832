/**
 * The platform self-checks on a real test platform: what the gatherers observe
 * (a local keystore, and a SoftHSM token), a record tampered into plain form
 * and an altered audit entry caught, data in Japan by the cells' and the
 * backups' declared regions (the data stores themselves:
 * test/api/data-stores.int.test.ts), the operator's routes (stored, audited,
 * OSCAL valid, operator only), and the schedule's one run a day across
 * processes (clock injected).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSelfChecks, type PlatformObservations, type SelfCheckId } from '../../src/providers/assessment/index.js';
import { corporateNumberCheckDigit } from '../../src/providers/registry/corporate-number.js';
import { validateOscal } from '../../src/providers/oscal/validate.js';
import { gatherAuditLog, gatherDataLocations, gatherEncryptedColumns, gatherKms, gatherObservations } from '../../src/providers/self-checks/gather.js';
import { runScheduledSelfChecks, startSelfCheckSchedule } from '../../src/providers/self-checks/service.js';
import type { Platform } from '../../src/platform/http/server.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';
import { call, CHIYODA, logIn, newSession, placeInMyNumberZone, type Session } from '../support/api.js';
import { createAccount } from '../../src/identity/accounts.js';
import { adminQuery, createTestPlatform, withAdminClient, type TestPlatform } from '../support/platform.js';
import { softHsmForTests } from '../support/softhsm.js';
import { cliOnOwnDatabases } from '../support/cli-databases.js';

let tp: TestPlatform;
let operator: Session;
let clerk: Session;
let admin: Session;

const routes = () => tp.app.municloudRoutes;
const stateOf = (o: PlatformObservations, id: SelfCheckId) => evaluateSelfChecks(o).find((r) => r.checkId === id)!;

beforeAll(async () => {
  tp = await createTestPlatform({ cells: ['cell-a', 'cell-b'] });
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await placeInMyNumberZone(tp, CHIYODA);
  operator = await newSession(tp, '000001', ['platform_operator']);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  const res = await clerk.call(
    'POST',
    '/v1/resident-changes/move-in',
    {
      eventDate: '2026-04-01',
      filedOn: '2026-04-02',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address: HOME },
      persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主'), person('花子', 'ハナコ', '1977-08-08', '妻', { sex: 'female' })],
    },
    { 'municloud-purpose': 'residency_change' },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await tp.platform.audit.publisher.publish();
});
afterAll(async () => tp?.close());

describe('the MFA check and a clerk still enrolling', () => {
  it('counts the enrolment session apart: confined to enrolment, it fails nothing', async () => {
    const password = 'enrol-' + 'x'.repeat(12);
    await createAccount(tp.platform.control, { organizationCode: CHIYODA, loginName: 'enrolling-clerk', displayName: 'テスト職員', roles: ['clerk'], password });
    const login = await logIn(tp.app, CHIYODA, 'enrolling-clerk', password);
    expect(login.status).toBe(200);
    expect(login.body.mfaEnrolmentRequired).toBe(true);
    const o = await gatherObservations(tp.platform, { routes: routes() });
    expect(o.mfa.enrolmentCredentials).toBeGreaterThanOrEqual(1);
    expect(o.mfa.credentialsWithoutMfa).toBe(0);
    expect(stateOf(o, 'mfa-for-my-number-roles').state).toBe('satisfied');
    // The session reaches nothing of the clerk's.
    const res = await call(tp.app, 'POST', '/v1/residents/search', { token: login.body.token, body: { kana: 'ヤマダ' } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('mfa_required');
  });
});

describe('the gatherers', () => {
  it('observe the test platform: sealed records, a local keystore, the audit log, MFA, isolation, zones, leak guard', async () => {
    const o = await gatherObservations(tp.platform, { routes: routes() });
    expect(o.deploymentId).toBe(tp.platform.audit.origin);

    const residents = o.encryptedColumns.find((c) => c.database === 'cell-a' && c.table === 'cell.residents' && c.column === 'record_sealed')!;
    expect(residents.values).toBeGreaterThanOrEqual(2);
    expect(residents.unsealed).toBe(0);
    expect(o.encryptedColumns.find((c) => c.database === 'control' && c.table === 'control.mfa_totp')!.values).toBeGreaterThanOrEqual(2);
    // Nothing is placed on cell-b: every column there is observed empty.
    expect(o.encryptedColumns.filter((c) => c.database === 'cell-b').every((c) => c.values === 0)).toBe(true);
    expect(stateOf(o, 'records-encrypted').state).toBe('satisfied');

    // The local keystore is no HSM.
    expect(o.kms).toEqual({ kind: 'local-keystore', softwareToken: false });
    expect(o.auditSigner).toBe('software');
    expect(stateOf(o, 'keys-in-hsm').state).toBe('not_satisfied');

    expect(o.auditLog.verifies).toBe(true);
    expect(o.auditLog.checkpointSize).toBeGreaterThan(0);
    expect(stateOf(o, 'audit-log-verifies').state).toBe('satisfied');

    expect(o.mfa.myNumberRoles).toContain('clerk');
    expect(o.mfa.myNumberRoles).not.toContain('platform_operator');
    expect(o.mfa.credentialsWithoutMfa).toBe(0);
    expect(stateOf(o, 'mfa-for-my-number-roles').state).toBe('satisfied');

    expect(o.databaseIsolation!.violations).toEqual([]);
    expect(o.databaseIsolation!.checked).toBeGreaterThan(3);
    expect(stateOf(o, 'database-isolation').state).toBe('satisfied');
    expect(o.networkZones).toEqual({ municipalities: 1, withoutMyNumberZone: [] });
    expect(o.leakGuard).toEqual({ municipalities: 1, withoutLimits: [] });

    // No cell has declared where it runs: neither data in Japan nor a registered service is shown.
    expect(o.dataLocations.filter((l) => l.kind === 'cell')).toEqual([
      { id: 'cell-a', kind: 'cell', country: null },
      { id: 'cell-b', kind: 'cell', country: null },
    ]);
    expect(stateOf(o, 'data-in-japan').state).toBe('not_satisfied');
    expect(o.servicesInUse).toEqual([{ serviceId: 'undeclared:cell-a', registered: false }]);
    expect(stateOf(o, 'provider-certified').state).toBe('not_satisfied');
  });

  it('see a SoftHSM token as PKCS#11 but a software token: keys-in-hsm holds only for a hardware PKCS#11 token', async () => {
    const hsm = await softHsmForTests();
    const kms = await hsm.open();
    try {
      const observed = gatherKms({ keys: { kms } } as unknown as Platform);
      expect(observed).toEqual({ kind: 'pkcs11', softwareToken: true });
      const o = await gatherObservations(tp.platform, { routes: routes(), auditSigner: 'pkcs11' });
      expect(stateOf({ ...o, kms: observed }, 'keys-in-hsm').state).toBe('not_satisfied');
      expect(stateOf({ ...o, kms: { kind: 'pkcs11', softwareToken: false } }, 'keys-in-hsm').state).toBe('satisfied');
    } finally {
      await kms.close();
    }
  });

  it('catch a record tampered into plain form', async () => {
    const [row] = await adminQuery<{ id: string; record_sealed: Buffer }>(tp, 'cell-a', 'SELECT id, record_sealed FROM cell.residents LIMIT 1');
    await withAdminClient(tp, 'cell-a', async (c) => {
      await c.query('UPDATE cell.residents SET record_sealed = $2 WHERE id = $1', [row!.id, Buffer.from('{"family":"PLAIN-TEXT-RECORD","given":"x"}')]);
    });
    try {
      const placements = await tp.platform.cells.placements();
      const columns = await gatherEncryptedColumns(tp.platform, placements, 1000);
      expect(columns.find((c) => c.database === 'cell-a' && c.table === 'cell.residents')!.unsealed).toBe(1);
      const o = await gatherObservations(tp.platform, { routes: routes() });
      const result = stateOf(o, 'records-encrypted');
      expect(result.state).toBe('not_satisfied');
      expect(result.evidence.columnsWithUnsealed).toBe('cell-a:cell.residents.record_sealed');
    } finally {
      await withAdminClient(tp, 'cell-a', (c) => c.query('UPDATE cell.residents SET record_sealed = $2 WHERE id = $1', [row!.id, row!.record_sealed]));
    }
    expect(stateOf(await gatherObservations(tp.platform, { routes: routes() }), 'records-encrypted').state).toBe('satisfied');
  });

  it('catch an altered audit entry, naming it', async () => {
    await tp.platform.audit.publisher.publish();
    const seq = 1;
    // An entry with a successor inside the checkpoint: its successor's link names it exactly.
    expect((await gatherAuditLog(tp.platform)).checkpointSize).toBeGreaterThan(seq + 1);
    const [{ leaf }] = (await adminQuery<{ leaf: Buffer }>(tp, 'control', 'SELECT leaf FROM control.audit_entries WHERE seq = $1', [seq])) as [{ leaf: Buffer }];
    const altered = Buffer.from(leaf.toString('latin1').replace(/"request":"(.)/, (_m, ch: string) => `"request":"${ch === 'a' ? 'b' : 'a'}`), 'latin1');
    expect(altered.equals(leaf)).toBe(false);
    const setLeaf = (value: Buffer) =>
      withAdminClient(tp, 'control', async (c) => {
        await c.query('BEGIN');
        await c.query("SET LOCAL session_replication_role = 'replica'");
        await c.query('UPDATE control.audit_entries SET leaf = $2 WHERE seq = $1', [seq, value]);
        await c.query('COMMIT');
      });
    await setLeaf(altered);
    try {
      const audit = await gatherAuditLog(tp.platform);
      expect(audit, JSON.stringify(audit)).toMatchObject({ verifies: false, firstBadEntry: seq });
      expect(stateOf({ ...(await gatherObservations(tp.platform, { routes: routes() })), auditLog: audit }, 'audit-log-verifies').state).toBe('not_satisfied');
    } finally {
      await setLeaf(leaf);
    }
    expect((await gatherAuditLog(tp.platform)).verifies).toBe(true);
  });

  it('judge data in Japan by each cell\'s and backup\'s declared region: undeclared, abroad or no backup declared is not in Japan', async () => {
    const corporateNumber = (base: string) => `${corporateNumberCheckDigit(base)}${base}`;
    const created = async (res: { status: number; body: any }) => {
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const provider = await created(await operator.call('POST', '/v1/providers', { name: '青空クラウド株式会社', corporateNumber: corporateNumber('010401000001'), headquartersCountry: 'JP' }));
    const service = await created(await operator.call('POST', `/v1/providers/${provider}/services`, { name: '青空 IaaS', model: 'IaaS' }));
    const east = await created(await operator.call('POST', `/v1/providers/${provider}/regions`, { code: 'jp-east-1', name: '東日本', country: 'JP', jurisdiction: 'JP', locations: ['13'] }));
    const singapore = await created(await operator.call('POST', `/v1/providers/${provider}/regions`, { code: 'sg-1', name: 'Singapore', country: 'SG', jurisdiction: 'SG', locations: ['Singapore'] }));
    const declare = async (cellId: string, regionId: string) => expect((await operator.call('PUT', `/v1/cells/${cellId}/location`, { serviceId: service, regionId })).status).toBe(200);
    const dataInJapan = async () => {
      const locations = await gatherDataLocations(tp.platform);
      return { locations, result: stateOf({ ...(await gatherObservations(tp.platform, { routes: routes() })), dataLocations: locations }, 'data-in-japan') };
    };

    await declare('cell-a', east);
    let seen = await dataInJapan();
    expect(seen.locations).toContainEqual({ id: 'cell-a', kind: 'cell', country: 'JP' });
    expect(seen.locations).toContainEqual({ id: 'cell-b', kind: 'cell', country: null });
    expect(seen.result.state).toBe('not_satisfied');

    await declare('cell-b', east);
    seen = await dataInJapan();
    // The control database is on the cells' PostgreSQL server, so where they are.
    expect(seen.locations).toEqual([
      { id: 'cell-a', kind: 'cell', country: 'JP' },
      { id: 'cell-b', kind: 'cell', country: 'JP' },
      { id: 'control', kind: 'control', country: 'JP' },
    ]);
    // But no backup is declared: backups are unobserved, so not all data is shown in Japan (fail closed).
    expect(seen.result.state).toBe('not_satisfied');
    expect(seen.result.evidence).toEqual({ locations: 3, backups: 0 });
    expect(seen.result.reason.en).toMatch(/No backup location is declared \(backups unobserved\)/);

    expect((await operator.call('PUT', '/v1/data-stores/backup-tokyo/location', { kind: 'backup', serviceId: service, regionId: east })).status).toBe(200);
    seen = await dataInJapan();
    expect(seen.locations).toContainEqual({ id: 'backup-tokyo', kind: 'backup', country: 'JP' });
    expect(seen.result.state).toBe('satisfied');
    expect(seen.result.evidence).toEqual({ locations: 4, backups: 1 });

    await declare('cell-b', singapore);
    seen = await dataInJapan();
    expect(seen.locations).toContainEqual({ id: 'cell-b', kind: 'cell', country: 'SG' });
    // Its cells disagree: where the control database is cannot be told.
    expect(seen.locations).toContainEqual({ id: 'control', kind: 'control', country: null });
    expect(seen.result.state).toBe('not_satisfied');
    expect(seen.result.evidence.outsideJapan).toContain('cell:cell-b=SG');
  });
});

describe('the routes', () => {
  it('run, store and audit the self-checks; list them; answer valid OSCAL', async () => {
    const res = await operator.call('POST', '/v1/self-checks');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const run = res.body;
    expect(run.trigger).toBe('on_demand');
    expect(run.results.map((r: { checkId: string }) => r.checkId)).toEqual(expect.arrayContaining(['records-encrypted', 'keys-in-hsm', 'audit-log-verifies', 'mfa-for-my-number-roles', 'data-in-japan']));
    expect(run.satisfied + run.notSatisfied).toBe(run.results.length);

    const listed = await operator.call('GET', '/v1/self-checks');
    expect(listed.status).toBe(200);
    expect(listed.body.items[0].id).toBe(run.id);

    const one = await operator.call('GET', `/v1/self-checks/${run.id}`);
    expect(one.status).toBe(200);
    expect(one.body.observations.deploymentId).toBe(tp.platform.audit.origin);
    expect(one.body.requestedBy).toBeTruthy();

    const oscal = await operator.call('GET', `/v1/self-checks/${run.id}/assessment-results`);
    expect(oscal.status).toBe(200);
    expect(validateOscal('assessment-results', oscal.body)).toEqual([]);
    expect(oscal.body['assessment-results'].results[0].observations.length).toBe(run.results.length);

    expect((await operator.call('GET', '/v1/self-checks/00000000-0000-4000-8000-000000000000/assessment-results')).status).toBe(404);

    const entries = await readAuditEntries<{ kind: string; records: { resource: string; ids: string[] }[] }>(tp);
    expect(entries.filter((e) => e.kind === 'self_check_run').map((e) => e.records)).toContainEqual([{ resource: 'self_check_runs', ids: [run.id] }]);

    // Runs are never changed.
    await expect(tp.platform.control.query('UPDATE control.self_check_runs SET satisfied = 0 WHERE id = $1', [run.id])).rejects.toThrow(/insert-only|permission denied/);
  });

  it('are the operator\'s only', async () => {
    for (const s of [clerk, admin]) {
      expect((await s.call('POST', '/v1/self-checks')).status).toBe(403);
      expect((await s.call('GET', '/v1/self-checks')).status).toBe(403);
      expect((await s.call('GET', '/v1/self-checks/00000000-0000-4000-8000-000000000000/assessment-results')).status).toBe(403);
    }
  });
});

describe('the schedule', () => {
  const at = (day: string) => () => new Date(`${day}T03:00:00+09:00`);
  const scheduledDays = async () =>
    (await adminQuery<{ day: string }>(tp, 'control', "SELECT to_char(scheduled_day, 'YYYY-MM-DD') AS day FROM control.self_check_runs WHERE scheduled_day IS NOT NULL ORDER BY 1")).map((r) => r.day);

  it('runs once a day across processes', async () => {
    const first = await runScheduledSelfChecks(tp.platform, { routes: routes(), now: at('2030-01-01') });
    expect(first).toMatchObject({ trigger: 'schedule', scheduledDay: '2030-01-01' });
    expect(await runScheduledSelfChecks(tp.platform, { routes: routes(), now: at('2030-01-01') })).toBeNull();
    // Two processes at once on the next day: one runs.
    const both = await Promise.all([1, 2].map(() => runScheduledSelfChecks(tp.platform, { routes: routes(), now: at('2030-01-02') })));
    expect(both.filter((r) => r !== null)).toHaveLength(1);
    expect(await scheduledDays()).toEqual(['2030-01-01', '2030-01-02']);

    // The scheduled run's evidence expires at the end of the next day in Japan.
    const oscal = await operator.call('GET', `/v1/self-checks/${first!.id}/assessment-results`);
    expect(oscal.body['assessment-results'].results[0].observations[0].expires).toBe('2030-01-03T00:00:00+09:00');
  });

  it('runs from the server loop', async () => {
    const loop = startSelfCheckSchedule(tp.platform, tp.platform.log, { routes: routes(), now: at('2030-02-01'), firstDelayMs: 0, checkEveryMs: 20 });
    try {
      for (let i = 0; i < 200 && !(await scheduledDays()).includes('2030-02-01'); i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await loop.stop();
    }
    expect(await scheduledDays()).toEqual(['2030-01-01', '2030-01-02', '2030-02-01']);
  });
});

describe('municloud self-check (npm run build)', () => {
  it('runs the checks as a job, stores and audits the run, writes valid OSCAL, and exits 1 when a check is not satisfied', async () => {
    // DATABASE_URL set: the placement policy is enforced, as by default.
    const own = await cliOnOwnDatabases({ prefix: 'municloud-self-check-cli', placementPolicy: 'enforce' });
    try {
      const out = path.join(own.dir, 'self-checks.json');
      const res = await own.cli('self-check', '--out', out);
      // A local keystore is no HSM (and a fresh log has no checkpoint yet): not every check is satisfied.
      expect(res.code, res.stderr).toBe(1);
      expect(res.stdout).toMatch(/FAIL keys-in-hsm/);
      const document = JSON.parse(await readFile(out, 'utf8'));
      expect(validateOscal('assessment-results', document)).toEqual([]);
      const runs = await own.query<{ id: string; trigger: string }>(own.controlUrl, 'SELECT id, trigger FROM control.self_check_runs');
      expect(runs).toEqual([{ id: expect.any(String), trigger: 'cli' }]);
      expect(res.stdout).toContain(`run ${runs[0]!.id}`);
      const kinds = (await own.query<{ leaf: Buffer }>(own.controlUrl, 'SELECT leaf FROM control.audit_entries ORDER BY seq')).map((r) => JSON.parse(r.leaf.toString('utf8')).entry);
      expect(kinds.filter((e: { kind: string }) => e.kind === 'self_check_run').map((e: { records: unknown }) => e.records)).toEqual([[{ resource: 'self_check_runs', ids: [runs[0]!.id] }]]);
    } finally {
      await own.drop();
    }
  }, 120_000);
});
