/**
 * `municloud providers …` through the built CLI (npm run build), on this
 * file's own databases with the placement policy enforced: the registry
 * written from the command line (a joint proposal among it), refusals with a
 * clear error naming the option and nothing written, a cell declared, the
 * placement check run as a platform job, and the control database and a backup
 * declared, every write and alert audited.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCertification } from '../../src/providers/registry/certifications.js';
import { addDays } from '../../src/providers/days.js';
import { validateOscal } from '../../src/providers/oscal/validate.js';
import { CHIYODA } from '../support/api.js';
import { cliOk, cliOnOwnDatabases, idOf, type CliDatabases } from '../support/cli-databases.js';
import { AUDIT_OPTIONS, corporateNumber, TODAY, VALID_UNTIL } from '../support/providers.js';


let own: CliDatabases;
const cli = (...args: string[]) => own.cli(...args);
const query = <T extends pg.QueryResultRow>(sql: string, args: unknown[] = []) => own.query<T>(own.controlUrl, sql, args);

/** Runs a command that must succeed; its output. */
const ok = (...args: string[]) => cliOk(own, ...args);

beforeAll(async () => {
  own = await cliOnOwnDatabases({ prefix: 'municloud-providers-cli', placementPolicy: 'enforce' });
}, 120_000);

afterAll(async () => {
  await own?.drop();
});

describe('municloud providers', () => {
  it('writes the registry, refuses bad input naming the option, declares a cell and runs the placement check, all audited', async () => {
    const aozora = idOf(await ok('providers', 'add', '--name', '青空クラウド株式会社', '--corporate-number', corporateNumber('010401000001'), '--country', 'JP'));
    const iaas = idOf(await ok('providers', 'service', 'add', '--provider', aozora, '--name', '青空 IaaS', '--model', 'IaaS'));
    const east = idOf(await ok('providers', 'region', 'add', '--provider', aozora, '--code', 'jp-east-1', '--name', '東日本', '--country', 'JP', '--jurisdiction', 'JP', '--locations', '東京都,11'));
    const registered = await ok('providers', 'registration', 'add', '--service', iaas, '--number', 'C25-0201-1', ...AUDIT_OPTIONS);
    const registration = idOf(registered);
    expect(registered).toContain(`valid until ${VALID_UNTIL}  valid on ${TODAY}`);

    const hokuto = idOf(await ok('providers', 'add', '--name', '北斗データ株式会社', '--corporate-number', corporateNumber('020001000002'), '--country', 'JP'));
    const saas = idOf(await ok('providers', 'service', 'add', '--provider', hokuto, '--name', '北斗 自治体SaaS', '--model', 'SaaS'));
    await ok('providers', 'registration', 'add', '--service', saas, '--number', 'C25-0202-1', ...AUDIT_OPTIONS);
    const unregistered = idOf(await ok('providers', 'service', 'add', '--provider', hokuto, '--name', '北斗 帳票', '--model', 'SaaS'));

    // Refusals: a clear error naming the option, exit code 2, nothing written.
    const before = await query<{ n: string }>('SELECT (SELECT count(*) FROM control.providers) + (SELECT count(*) FROM control.service_registrations) + (SELECT count(*) FROM control.joint_proposals) AS n');
    const badNumber = await cli('providers', 'add', '--name', 'X', '--corporate-number', '8000012050002', '--country', 'JP');
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toMatch(/error \[validation_failed\]/);
    expect(badNumber.stderr).toMatch(/--corporate-number: has a wrong check digit/);
    const tooLong = await cli('providers', 'registration', 'add', '--service', iaas, '--number', 'C25-0299-1', '--audit-start', addDays(TODAY, -500), '--audit-end', addDays(TODAY, -40), '--listed-on', addDays(TODAY, -10));
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/error \[registration_refused\]/);
    expect(tooLong.stderr).toMatch(/--audit-end: the audited period is at most one year long/);
    const partnerless = await cli('providers', 'joint-proposal', 'add', '--name', '共同提案', '--lead', hokuto, '--services', `${saas},${unregistered}`);
    expect(partnerless.code).toBe(2);
    expect(partnerless.stderr).toMatch(/error \[joint_proposal_refused\]/);
    expect(partnerless.stderr).toMatch(/--services: holds no service of a partner/);
    expect(partnerless.stderr).toMatch(/--services\[1\]: this service has no ISMAP registration/);
    const bothWays = await cli('providers', 'registration', 'renewal', '--registration', registration, '--on', TODAY);
    expect(bothWays.stderr).toMatch(/give either --pending or --ended/);
    expect(await query('SELECT (SELECT count(*) FROM control.providers) + (SELECT count(*) FROM control.service_registrations) + (SELECT count(*) FROM control.joint_proposals) AS n')).toEqual(before);

    const proposal = idOf(await ok('providers', 'joint-proposal', 'add', '--name', '北斗・青空 共同提案', '--lead', hokuto, '--services', `${saas},${iaas}`, '--assign', `sec-01=${iaas}`, '--assign', `leg-01=${saas}`));
    const proposals = JSON.parse(await ok('providers', 'joint-proposal', 'list', '--json')) as { id: string; assignments: unknown[] }[];
    expect(proposals).toEqual([expect.objectContaining({ id: proposal, assignments: [{ requirementId: 'leg-01', serviceId: saas }, { requirementId: 'sec-01', serviceId: iaas }] })]);

    // The cell is declared; not certified yet, so no municipality can be placed on it.
    expect(await ok('providers', 'cell-location', 'set', 'cell-a', '--service', iaas, '--region', east)).toMatch(/refused for my_number data on .*: not_certified_for_class/);
    const refused = await cli('placement', 'set', CHIYODA, '--cell', 'cell-a');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error \[placement_refused\]/);
    expect(refused.stderr).toMatch(/--cell: .*not certified for this municipality's class of data/);
    expect(await query('SELECT * FROM control.placements')).toEqual([]);
    const c = new pg.Client({ connectionString: own.controlUrl });
    await c.connect();
    try {
      // Decided directly: how a decision is reached is the assessments' test.
      await recordCertification(c, { serviceId: iaas, dataClass: 'my_number', status: 'certified', expiresOn: VALID_UNTIL, decidedBy: null });
    } finally {
      await c.end();
    }
    expect(await ok('providers', 'cell-location', 'show', 'cell-a')).toContain(`may hold my_number data on ${TODAY} (covered until ${VALID_UNTIL})`);
    expect(await ok('placement', 'set', CHIYODA, '--cell', 'cell-a')).toMatch(/^131016 placed on cell-a/);
    expect(await ok('placement', 'list')).toContain(`131016  cell-a  placed ${TODAY}  covered until ${VALID_UNTIL}`);
    expect((await cli('placement', 'set', '130001', '--cell', 'cell-a')).stderr).toMatch(/<code>: must be the code of a municipality/);
    expect((await cli('placement', 'set', '011002', '--cell', 'cell-z')).stderr).toMatch(/--cell: is not a configured cell/);

    // The placement as OSCAL: the plan written whole to a file; nothing to plan today, a plan 30 days before the lapse.
    const sspFile = path.join(own.dir, 'ssp.json');
    await ok('placement', 'ssp', CHIYODA, '--out', sspFile);
    const ssp = JSON.parse(await readFile(sspFile, 'utf8'));
    expect(validateOscal('system-security-plan', ssp)).toEqual([]);
    expect(ssp['system-security-plan']['system-characteristics']['system-ids'][0].id).toBe(CHIYODA);
    const nothing = await cli('placement', 'poam', CHIYODA);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/error \[no_placement_alerts\]/);
    const poam = JSON.parse(await ok('placement', 'poam', CHIYODA, '--on', addDays(VALID_UNTIL, -30)));
    expect(validateOscal('plan-of-action-and-milestones', poam)).toEqual([]);
    expect(poam['plan-of-action-and-milestones'].risks[0].deadline).toBe(`${addDays(VALID_UNTIL, 1)}T00:00:00+09:00`);
    expect(await ok('providers', 'certifications', '--current')).toMatch(new RegExp(`service ${iaas}  my_number  certified`));

    // The check: nothing today; the lapse announced 30 days ahead, recorded under the run's id.
    expect(await ok('providers', 'alerts')).toMatch(/^0 alert\(s\) on /m);
    const check = await ok('providers', 'alerts', '--on', addDays(VALID_UNTIL, -30));
    expect(check).toContain(`131016  cell-a  lapsing  lapses ${addDays(VALID_UNTIL, 1)} (31 day(s))  registration_expired, certification_expired`);
    expect(check).toContain(`By ${VALID_UNTIL}, the provider applies to renew its ISMAP registration`);
    const runId = /audit run id ([0-9a-f-]{36})/.exec(check)![1]!;

    await ok('providers', 'registration', 'renewal', '--registration', registration, '--pending', '--on', TODAY);
    const listing = JSON.parse(await ok('providers', 'registration', 'list', '--service', iaas, '--json')) as { items: { status: string }[] };
    expect(listing.items).toEqual([expect.objectContaining({ status: 'renewal_pending' })]);
    expect(await ok('providers', 'list')).toMatch(/region {2}\S+ {2}jp-east-1 東日本 {2}JP, law JP, data centres 13,11/);

    type Entry = { kind: string; request: string; municipality: string | null; actor: { account: string | null; roles: string[] }; source: { zone: string } };
    const entries = (await query<{ leaf: Buffer }>('SELECT leaf FROM control.audit_entries ORDER BY seq')).map((r) => JSON.parse(r.leaf.toString('utf8')).entry as Entry);
    const jobs = entries.filter((e) => ['provider_registry_changed', 'cell_location_declared', 'placement_alert', 'placement_set'].includes(e.kind));
    expect(jobs.every((e) => e.actor.account === null && e.actor.roles.join() === 'platform_operator' && e.source.zone === 'operator')).toBe(true);
    // 2 providers, 3 services, 1 region, 2 registrations, 1 joint proposal, 1 renewal.
    expect(jobs.filter((e) => e.kind === 'provider_registry_changed')).toHaveLength(10);
    expect(jobs.filter((e) => e.kind === 'cell_location_declared')).toHaveLength(1);
    expect(jobs.filter((e) => e.kind === 'placement_alert')).toEqual([expect.objectContaining({ municipality: CHIYODA, request: runId })]);
    // The refused placement and the placement, each for the municipality.
    const placed = entries.filter((e) => e.kind === 'placement_set') as (Entry & { outcome: { result: string } })[];
    expect(placed.map((e) => [e.municipality, e.outcome.result])).toEqual([
      [CHIYODA, 'refused'],
      [CHIYODA, 'success'],
    ]);
  }, 240_000);

  it('declares where the control database and the backups are, refuses a kind that does not fit the store naming the option, lists them; audited as jobs', async () => {
    const provider = idOf(await ok('providers', 'add', '--name', '三笠ストレージ株式会社', '--corporate-number', corporateNumber('030001000003'), '--country', 'JP'));
    const storage = idOf(await ok('providers', 'service', 'add', '--provider', provider, '--name', '三笠 バックアップ', '--model', 'IaaS'));
    const osaka = idOf(await ok('providers', 'region', 'add', '--provider', provider, '--code', 'jp-west-1', '--name', '西日本', '--country', 'JP', '--jurisdiction', 'JP', '--locations', '27'));
    const singapore = idOf(await ok('providers', 'region', 'add', '--provider', provider, '--code', 'sg-1', '--name', 'Singapore', '--country', 'SG', '--jurisdiction', 'SG', '--locations', 'Singapore'));

    expect(await ok('providers', 'data-store', 'set', 'control', '--kind', 'control', '--service', storage, '--region', osaka)).toMatch(/^control {2}control {2}三笠ストレージ株式会社 \/ 三笠 バックアップ \(IaaS\) \/ jp-west-1 JP, law JP, data centres 27 {2}in Japan/);
    expect(await ok('providers', 'data-store', 'set', 'backup-singapore', '--kind', 'backup', '--service', storage, '--region', singapore)).toContain('NOT in Japan');

    const before = await query('SELECT count(*) AS n FROM control.data_store_locations');
    const misfit = await cli('providers', 'data-store', 'set', 'control', '--kind', 'backup', '--service', storage, '--region', osaka);
    expect(misfit.code).toBe(2);
    expect(misfit.stderr).toMatch(/error \[validation_failed\]/);
    expect(misfit.stderr).toMatch(/--kind: the store control is the control database/);
    const bad = await cli('providers', 'data-store', 'set', 'Backup_1', '--kind', 'archive', '--service', storage, '--region', 'nowhere');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/<storeId>: must be 1 to 31 lowercase letters/);
    expect(bad.stderr).toMatch(/--kind: must be control or backup/);
    expect(bad.stderr).toMatch(/--region: is not a registered region/);
    expect(await query('SELECT count(*) AS n FROM control.data_store_locations')).toEqual(before);

    const listed = JSON.parse(await ok('providers', 'data-store', 'list', '--json')) as { storeId: string; kind: string; inJapan: boolean }[];
    expect(listed.map((d) => [d.storeId, d.kind, d.inJapan])).toEqual([
      ['control', 'control', true],
      ['backup-singapore', 'backup', false],
    ]);
    expect(await ok('providers', 'data-store', 'list')).toMatch(/2 data store\(s\)\n$/);

    type Entry = { kind: string; actor: { account: string | null; roles: string[] }; source: { zone: string }; records: { resource: string; ids: string[] }[] };
    const entries = (await query<{ leaf: Buffer }>('SELECT leaf FROM control.audit_entries ORDER BY seq'))
      .map((r) => JSON.parse(r.leaf.toString('utf8')).entry as Entry)
      .filter((e) => e.kind === 'data_store_location_declared');
    expect(entries.map((e) => e.records)).toEqual([
      [{ resource: 'data_store_locations', ids: ['control'] }, { resource: 'provider_services', ids: [storage] }, { resource: 'provider_regions', ids: [osaka] }],
      [{ resource: 'data_store_locations', ids: ['backup-singapore'] }, { resource: 'provider_services', ids: [storage] }, { resource: 'provider_regions', ids: [singapore] }],
    ]);
    expect(entries.every((e) => e.actor.account === null && e.actor.roles.join() === 'platform_operator' && e.source.zone === 'operator')).toBe(true);
  }, 120_000);

  it('every providers command has --help', async () => {
    for (const args of [
      ['providers'],
      ['providers', 'add'],
      ['providers', 'registration', 'add'],
      ['providers', 'joint-proposal', 'add'],
      ['providers', 'cell-location', 'set'],
      ['providers', 'data-store', 'set'],
      ['providers', 'data-store', 'list'],
      ['providers', 'alerts'],
      ['placement'],
      ['placement', 'set'],
      ['placement', 'ssp'],
      ['placement', 'poam'],
    ]) {
      const { stdout } = await own.cli(...args, '--help');
      expect(stdout).toMatch(new RegExp(`Usage: municloud ${args[0]}`));
    }
  });
});
