/**
 * `municloud assessments …` and `municloud procurement compare` through the
 * built CLI (npm run build), on this file's own databases: a component
 * definition submitted from a file (kept byte for byte), findings added one
 * and many at a time, decisions (one certified, one not with its gaps), the
 * OSCAL assessment results written to a file that validates, the procurement
 * comparison as CSV and JSON, refusals naming the option with nothing
 * written, every write audited as a platform job.
 */
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile, readFile } from 'node:fs/promises';
import { toComponentDefinition } from '../../src/providers/assessment/index.js';
import { profileRequirementIds } from '../../src/providers/catalog/profiles.js';
import { validateOscal } from '../../src/providers/oscal/validate.js';
import { addDays } from '../../src/providers/days.js';
import { cliOk, cliOnOwnDatabases, idOf, type CliDatabases } from '../support/cli-databases.js';
import { AUDIT_OPTIONS, corporateNumber, TODAY, VALID_UNTIL } from '../support/providers.js';


let own: CliDatabases;
const cli = (...args: string[]) => own.cli(...args);
const query = <T extends pg.QueryResultRow>(sql: string, args: unknown[] = []) => own.query<T>(own.controlUrl, sql, args);

/** Runs a command that must succeed; its output. */
const ok = (...args: string[]) => cliOk(own, ...args);

beforeAll(async () => {
  own = await cliOnOwnDatabases({ prefix: 'municloud-assessments-cli', placementPolicy: 'enforce' });
}, 120_000);

afterAll(async () => {
  await own?.drop();
});

const PROFILE = profileRequirementIds('my_number');

describe('municloud assessments', () => {
  it('submits, records findings, decides, exports results and compares, all audited', async () => {
    const aozora = idOf(await ok('providers', 'add', '--name', '青空クラウド株式会社', '--corporate-number', corporateNumber('010401000001'), '--country', 'JP'));
    const iaas = idOf(await ok('providers', 'service', 'add', '--provider', aozora, '--name', '青空 IaaS', '--model', 'IaaS'));
    await ok('providers', 'registration', 'add', '--service', iaas, '--number', 'C25-0201-1', ...AUDIT_OPTIONS);
    const hokuto = idOf(await ok('providers', 'add', '--name', '北斗データ株式会社', '--corporate-number', corporateNumber('020001000002'), '--country', 'JP'));
    const saas = idOf(await ok('providers', 'service', 'add', '--provider', hokuto, '--name', '北斗 自治体SaaS', '--model', 'SaaS'));
    await ok('providers', 'registration', 'add', '--service', saas, '--number', 'C25-0202-1', ...AUDIT_OPTIONS);

    const doc = (serviceId: string, title: string, ids: readonly string[]) =>
      toComponentDefinition({
        title,
        version: '1',
        lastModified: '2026-03-01T00:00:00Z',
        source: 'profiles/my_number.json',
        services: [{ serviceId, title, description: title, claims: ids.map((requirementId) => ({ requirementId, description: `How ${requirementId} is met.` })) }],
      });
    const iaasFile = path.join(own.dir, 'iaas.json');
    const iaasText = JSON.stringify(doc(iaas, '青空 IaaS', PROFILE), null, 2) + '\n';
    await writeFile(iaasFile, iaasText);
    const submitted = await ok('assessments', 'submit', '--service', iaas, '--file', iaasFile);
    expect(submitted).toContain(`version 1  ${PROFILE.length} claim(s), 0 inherited`);
    const stored = await query<{ text: string }>('SELECT document::text AS text FROM control.component_definitions WHERE service_id = $1', [iaas]);
    expect(stored[0]!.text).toBe(iaasText);
    const saasFile = path.join(own.dir, 'saas.json');
    await writeFile(saasFile, JSON.stringify(doc(saas, '北斗 自治体SaaS', PROFILE.slice(1))));
    await ok('assessments', 'submit', '--service', saas, '--file', saasFile);

    // Refusals: the option and the path, exit code 2, nothing written.
    const before = await query<{ n: string }>('SELECT (SELECT count(*) FROM control.component_definitions) + (SELECT count(*) FROM control.assessment_findings) AS n');
    const badFile = path.join(own.dir, 'bad.json');
    await writeFile(badFile, JSON.stringify(doc(iaas, '青空 IaaS', ['sec-01', 'zzz-99'])));
    const unknown = await cli('assessments', 'submit', '--service', iaas, '--file', badFile);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error \[unknown_requirement_ids\]/);
    expect(unknown.stderr).toContain('--file/component-definition/components/0/control-implementations/0/implemented-requirements/1/control-id');
    const reasonless = await cli('assessments', 'findings', 'add', '--service', iaas, '--requirement', 'sec-01', '--state', 'not_satisfied', '--assessor', 'firm-a');
    expect(reasonless.code).toBe(2);
    expect(reasonless.stderr).toMatch(/--reason: A not_applicable or not_satisfied finding needs a reason/);
    expect(await query('SELECT (SELECT count(*) FROM control.component_definitions) + (SELECT count(*) FROM control.assessment_findings) AS n')).toEqual(before);

    const many = path.join(own.dir, 'findings.json');
    await writeFile(many, JSON.stringify(PROFILE.map((requirementId) => ({ requirementId, state: 'satisfied', assessedOn: addDays(TODAY, -1), assessor: 'firm-a/1' }))));
    expect(await ok('assessments', 'findings', 'add', '--service', iaas, '--file', many)).toContain(`${PROFILE.length} finding(s)`);
    await ok('assessments', 'findings', 'add', '--service', saas, '--requirement', 'sec-02', '--state', 'satisfied', '--assessor', 'firm-a/1');

    const certified = await ok('assessments', 'decide', '--service', iaas, '--data-class', 'my_number');
    expect(certified).toContain(`certified on ${TODAY}  expires ${VALID_UNTIL}`);
    const refused = JSON.parse(await ok('assessments', 'decide', '--service', saas, '--data-class', 'my_number', '--json'));
    expect(refused.status).toBe('not_certified');
    expect(refused.gaps[0]).toMatchObject({ requirementId: PROFILE[0], kind: 'missing_claim' });

    const results = path.join(own.dir, 'results.json');
    await ok('assessments', 'results', '--service', iaas, '--data-class', 'my_number', '--out', results);
    expect(validateOscal('assessment-results', JSON.parse(await readFile(results, 'utf8')))).toEqual([]);
    // An audit firm's results as OSCAL, imported for another service: the assessor named by --assessor.
    const noAssessor = await cli('assessments', 'findings', 'add', '--service', saas, '--oscal', results);
    expect(noAssessor.code).toBe(2);
    expect(noAssessor.stderr).toMatch(/--assessor: is required/);
    const imported = JSON.parse(await ok('assessments', 'findings', 'add', '--service', saas, '--oscal', results, '--assessor', 'firm-b/7', '--json'));
    expect(imported).toHaveLength(PROFILE.length);
    expect(imported.every((f: { assessor: string; state: string; assessedOn: string }) => f.assessor === 'firm-b/7' && f.state === 'satisfied' && f.assessedOn === addDays(TODAY, -1))).toBe(true);

    const csv = await ok('procurement', 'compare', '--data-class', 'my_number', '--services', `${iaas},${saas}`, '--format', 'csv');
    expect(csv.split('\r\n')).toContain(',,status,certified,not_certified');
    const json = JSON.parse(await ok('procurement', 'compare', '--data-class', 'my_number', '--services', `${iaas},${saas}`));
    expect(json.proposals.map((p: { status: string }) => p.status)).toEqual(['certified', 'not_certified']);
    const badClass = await cli('procurement', 'compare', '--data-class', 'secret', '--services', iaas);
    expect(badClass.code).toBe(2);
    expect(badClass.stderr).toMatch(/--data-class: must be one of/);

    const entries = (await query<{ leaf: Buffer }>('SELECT leaf FROM control.audit_entries ORDER BY seq')).map((r) => JSON.parse(r.leaf.toString('utf8')).entry as { kind: string; actor: { account: string | null } });
    const counted = new Map<string, number>();
    for (const e of entries) if (['component_definition_submitted', 'assessment_findings_recorded', 'certification_decided'].includes(e.kind)) counted.set(e.kind, (counted.get(e.kind) ?? 0) + 1);
    const kinds = [...counted].sort().map(([kind, n]) => ({ kind, n }));
    expect(kinds.map((k) => [k.kind, Number(k.n)])).toEqual([
      ['assessment_findings_recorded', 3],
      ['certification_decided', 2],
      ['component_definition_submitted', 2],
    ]);
  }, 240_000);
});

describe('municloud providers export', () => {
  it('prints the registry as a valid OSCAL component definition, or writes it whole to --out', async () => {
    const sora = idOf(await ok('providers', 'add', '--name', '空色データ株式会社', '--corporate-number', corporateNumber('030001000003'), '--country', 'JP'));
    const soraIaas = idOf(await ok('providers', 'service', 'add', '--provider', sora, '--name', '空色 IaaS', '--model', 'IaaS'));
    await ok('providers', 'region', 'add', '--provider', sora, '--code', 'jp-east-9', '--name', '東日本', '--country', 'JP', '--jurisdiction', 'JP', '--locations', '東京都');
    await ok('providers', 'registration', 'add', '--service', soraIaas, '--number', 'C25-0401-1', ...AUDIT_OPTIONS);
    const umi = idOf(await ok('providers', 'add', '--name', '海辺システム株式会社', '--corporate-number', corporateNumber('040001000004'), '--country', 'JP'));
    const umiSaas = idOf(await ok('providers', 'service', 'add', '--provider', umi, '--name', '海辺 SaaS', '--model', 'SaaS'));
    await ok('providers', 'registration', 'add', '--service', umiSaas, '--number', 'C25-0402-1', ...AUDIT_OPTIONS);
    await ok('providers', 'joint-proposal', 'add', '--name', '海辺・空色 共同提案', '--lead', umi, '--services', `${umiSaas},${soraIaas}`, '--assign', `sec-01=${soraIaas}`);

    const printed = JSON.parse(await ok('providers', 'export'));
    expect(validateOscal('component-definition', printed)).toEqual([]);
    const d = printed['component-definition'];
    expect(d.metadata.parties.map((p: { 'external-ids': { id: string }[] }) => p['external-ids'][0]!.id)).toEqual(expect.arrayContaining([corporateNumber('030001000003'), corporateNumber('040001000004')]));
    const capability = (d.capabilities as { name: string; 'incorporates-components': unknown[] }[]).find((c) => c.name === '海辺・空色 共同提案')!;
    expect(capability['incorporates-components']).toHaveLength(2);

    const file = path.join(own.dir, 'registry.json');
    await ok('providers', 'export', '--on', addDays(VALID_UNTIL, 1), '--out', file);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(validateOscal('component-definition', written)).toEqual([]);
    expect(written['component-definition'].metadata.title).toBe(`municloud provider registry as of ${addDays(VALID_UNTIL, 1)}`);
    expect(JSON.stringify(written)).toContain('"value":"expired"');

    const bad = await cli('providers', 'export', '--on', 'tomorrow');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--on/);
  }, 120_000);
});
