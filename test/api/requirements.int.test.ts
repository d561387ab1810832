/**
 * The requirements catalog over the API and the CLI: public listing, the
 * catalog and each profile as OSCAL that NIST's schema accepts and that reads
 * back into the same requirements, and the operator's check of any OSCAL
 * document, which lists every problem at its path and stores nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromOscalCatalog, profileIds } from '../../src/providers/catalog/oscal-catalog.js';
import { profileRequirementIds } from '../../src/providers/catalog/profiles.js';
import { REQUIREMENTS } from '../../src/providers/catalog/requirements.js';
import { validateOscal } from '../../src/providers/oscal/validate.js';
import { call, newSession, type Session } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/municloud.js');
let tp: TestPlatform;
let operator: Session;
let dir: string;

beforeAll(async () => {
  tp = await createTestPlatform({});
  operator = await newSession(tp, '000001', ['platform_operator']);
  dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-requirements-'));
});
afterAll(async () => {
  await tp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the requirements catalog', () => {
  it('is public: a listing by group and data class, the catalog and each profile as valid OSCAL', async () => {
    const all = await call(tp.app, 'GET', '/v1/requirements');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(REQUIREMENTS.length);
    expect(all.body.items.length).toBeGreaterThanOrEqual(100);
    const legal = await call(tp.app, 'GET', '/v1/requirements?group=legal');
    expect(legal.body.items.every((r: { group: string }) => r.group === 'legal')).toBe(true);
    const general = await call(tp.app, 'GET', '/v1/requirements?dataClass=general');
    expect(general.body.items.map((r: { id: string }) => r.id)).toEqual(profileRequirementIds('general'));
    expect((await call(tp.app, 'GET', '/v1/requirements?group=finance')).status).toBe(400);

    const catalog = await call(tp.app, 'GET', '/v1/requirements/catalog');
    expect(catalog.status).toBe(200);
    expect(validateOscal('catalog', catalog.body)).toEqual([]);
    expect(fromOscalCatalog(catalog.body)).toEqual(REQUIREMENTS);

    const profile = await call(tp.app, 'GET', '/v1/requirements/profiles/my_number');
    expect(validateOscal('profile', profile.body)).toEqual([]);
    expect(profileIds(profile.body)).toEqual(REQUIREMENTS.map((r) => r.id));
    expect((await call(tp.app, 'GET', '/v1/requirements/profiles/secret')).status).toBe(404);
  });

  it('checks an OSCAL document for the operator: every problem at its path, unknown requirement ids named', async () => {
    const catalog = (await call(tp.app, 'GET', '/v1/requirements/catalog')).body;
    const ok = await operator.call('POST', '/v1/requirements/oscal-checks', { model: 'catalog', document: catalog });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.requirementIds).toHaveLength(REQUIREMENTS.length);

    const broken = structuredClone(catalog);
    delete broken.catalog.uuid;
    broken.catalog.groups[0].controls[1].id = 'Not An Id!';
    const bad = await operator.call('POST', '/v1/requirements/oscal-checks', { model: 'catalog', document: broken });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('oscal_invalid');
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    // A missing property is named at the path it should have.
    expect(fields).toContain('body/document/catalog/uuid');
    expect(fields).toContain('body/document/catalog/groups/0/controls/1/id');
    expect(bad.body.errors.every((e: { message: { ja: string; en: string } }) => e.message.ja && e.message.en)).toBe(true);

    const profile = (await call(tp.app, 'GET', '/v1/requirements/profiles/general')).body;
    profile.profile.imports[0]['include-controls'][0]['with-ids'].push('sec-999');
    const unknown = await operator.call('POST', '/v1/requirements/oscal-checks', { model: 'profile', document: profile });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('unknown_requirement_ids');
    expect(unknown.body.errors[0].field).toMatch(/^body\/document\/profile\/imports\/0\/include-controls\/0\/with-ids\/\d+$/);

    // Not for anyone else: a municipality's admin, or nobody.
    const admin = await newSession(tp, '131016', ['municipal_admin']);
    expect((await admin.call('POST', '/v1/requirements/oscal-checks', { model: 'catalog', document: catalog })).status).toBe(403);
    expect((await call(tp.app, 'POST', '/v1/requirements/oscal-checks', { body: { model: 'catalog', document: catalog } })).status).toBe(401);
  });

  it('exports and checks through the CLI, exit 2 with every problem listed', async () => {
    const out = path.join(dir, 'my-number-profile.json');
    await run(process.execPath, [BIN, 'requirements', 'export', '--profile', 'my_number', '--out', out]);
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(validateOscal('profile', written)).toEqual([]);
    const checked = await run(process.execPath, [BIN, 'requirements', 'check', '--model', 'profile', out]);
    expect(checked.stdout).toMatch(/valid OSCAL profile: \d+ requirements/);

    const { stdout } = await run(process.execPath, [BIN, 'requirements', 'export']);
    expect(fromOscalCatalog(JSON.parse(stdout))).toEqual(REQUIREMENTS);

    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ 'component-definition': { uuid: 'nope', metadata: {} } }));
    const failed = (await run(process.execPath, [BIN, 'requirements', 'check', '--model', 'component-definition', bad]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    )) as { code: number; stderr: string };
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/oscal_invalid/);
    expect(failed.stderr).toMatch(/\/component-definition\/uuid/);
  });
});
