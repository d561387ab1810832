/**
 * `municloud linkage daily-file` against a listening server: a day's file
 * lands complete under its name or not at all (a transfer cut off, or rows
 * the server did not count, leave no file and keep an older one), and
 * `--list` prints the days with their event counts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDays } from '../../src/linkage/daily-files.js';
import { inTenantTransaction } from '../../src/platform/database.js';
import { parseCsv } from '../../src/security/exports/csv.js';
import { CHIYODA, newSession, placeInMyNumberZone, type Session } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';
import { HOME, person, SAPPORO_ADDRESS } from '../support/register.js';

const BIN = path.resolve('bin/municloud.js');
let tp: TestPlatform;
let api: string;
let consumer: Session;
let subscription: string;
let dir: string;
let proxy: http.Server | null = null;
const filed: string[] = [];

function run(args: string[], options: { api?: string; token?: string; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'linkage', 'daily-file', '--api', options.api ?? api, '--subscription', subscription, ...args], {
    env: { ...process.env, MUNICLOUD_TOKEN: options.token ?? consumer.token, LOG_LEVEL: 'warn' },
    cwd: options.cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/**
 * A proxy in front of the API that answers the daily file with the server's
 * status and headers (changed by `headers`) and then either the whole body or
 * only its first half, after which it cuts the connection.
 */
async function startProxy(mode: { cut: boolean; headers?: (h: Record<string, string>) => Record<string, string> }): Promise<string> {
  proxy = http.createServer(async (req, res) => {
    const upstream = await fetch(`${api}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } });
    const body = Buffer.from(await upstream.arrayBuffer());
    const headers: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') headers[k] = v;
    });
    res.writeHead(upstream.status, mode.headers ? mode.headers(headers) : headers);
    if (!mode.cut) return void res.end(body);
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    setTimeout(() => res.socket?.destroy(), 50);
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

async function stopProxy(): Promise<void> {
  if (!proxy) return;
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy!.close(resolve));
  proxy = null;
}

beforeAll(async () => {
  tp = await createTestPlatform({});
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await placeInMyNumberZone(tp, CHIYODA);
  const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  const clerk = await newSession(tp, CHIYODA, ['clerk']);
  consumer = await newSession(tp, CHIYODA, ['linkage_subscriber']);
  const created = await admin.call('POST', '/v1/linkage/subscriptions', {
    name: '税務システム',
    operation: 'residential_tax',
    purpose: 'tax_assessment',
    topics: ['resident_register.move_in'],
    fields: ['name', 'dateOfBirth'],
    consumerAccountId: (await consumer.call('GET', '/v1/auth/me')).body.id,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  subscription = created.body.id;
  for (const given of ['一郎', '二郎', '三郎']) {
    const res = await clerk.call(
      'POST',
      '/v1/resident-changes/move-in',
      { eventDate: '2026-04-01', filedOn: '2026-04-02', previousResidence: SAPPORO_ADDRESS, household: { kind: 'new', address: HOME }, persons: [person(given, 'イチロウ', '1975-03-03', '世帯主')] },
      { 'municloud-purpose': 'residency_change' },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    filed.push(res.body.change.id);
  }
  // Every filing final in the feed (other test files' transactions may hold it back a moment), then midnight.
  for (let i = 0; i < 200; i++) {
    const page = await consumer.call('GET', `/v1/linkage/feeds/${subscription}?limit=10`);
    if (page.body.items.length === filed.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const pool = await tp.platform.cells.poolFor(CHIYODA);
  await inTenantTransaction(pool, CHIYODA, (db) => closeDays(db, new Date('2026-04-02T00:00:01+09:00')));
  await tp.app.listen({ port: 0, host: '127.0.0.1' });
  const address = tp.app.server.address();
  api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  dir = mkdtempSync(path.join(os.tmpdir(), 'municloud-daily-file-'));
});
afterAll(async () => {
  await stopProxy();
  await tp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('municloud linkage daily-file', () => {
  it('lists the days, and downloads a day’s file complete, with mode 0600, under the name given or suggested', async () => {
    const listed = await run(['--list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^2026-04-01\t3\t\d{4}-\d{2}-\d{2}T[^\n]+\n$/);

    const out = path.join(dir, 'tax.csv');
    const got = await run(['--day', '2026-04-01', '--out', out]);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stderr).toContain('done: 3 events in 3 rows of 2026-04-01');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const records = parseCsv(readFileSync(out, 'utf8'));
    expect(records[0]!.slice(0, 2)).toEqual(['event_id', 'position']);
    expect(records.slice(1).map((r) => r[0])).toEqual(filed);
    expect(records.slice(1).map((r) => r[records[0]!.indexOf('given_name')])).toEqual(['一郎', '二郎', '三郎']);
    // The same bytes as the API's answer.
    const direct = await consumer.call('GET', `/v1/linkage/feeds/${subscription}/daily-files/2026-04-01`);
    expect(readFileSync(out, 'utf8')).toBe(direct.body);

    const cwd = mkdtempSync(path.join(dir, 'cwd-'));
    const suggested = await run(['--day', '2026-04-01'], { cwd });
    expect(suggested.code, suggested.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual([`municloud-${CHIYODA}-${subscription.slice(0, 8)}-2026-04-01.csv`]);
  });

  it('writes nothing, and keeps an older file, when the transfer is cut off or holds other counts than announced', async () => {
    const out = path.join(dir, 'kept.csv');
    writeFileSync(out, 'an earlier download\r\n');
    const before = readdirSync(dir).sort();

    const cut = await run(['--day', '2026-04-01', '--out', out], { api: await startProxy({ cut: true }) });
    await stopProxy();
    expect(cut.code).not.toBe(0);
    expect(cut.stderr).toMatch(/cut off|ended in the middle/);
    expect(readFileSync(out, 'utf8')).toBe('an earlier download\r\n');
    expect(readdirSync(dir).sort()).toEqual(before);

    const miscounted = await run(['--day', '2026-04-01', '--out', out], {
      api: await startProxy({ cut: false, headers: (h) => ({ ...h, 'municloud-row-count': String(Number(h['municloud-row-count']) + 1) }) }),
    });
    await stopProxy();
    expect(miscounted.code).not.toBe(0);
    expect(miscounted.stderr).toContain('the server counted 3 in 4');
    expect(readFileSync(out, 'utf8')).toBe('an earlier download\r\n');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('says why the server refused, and refuses what it cannot use', async () => {
    const out = path.join(dir, 'refused.csv');
    const notYet = await run(['--day', '2026-04-02', '--out', out]);
    expect(notYet.code).not.toBe(0);
    expect(notYet.stderr).toContain('404 daily_file_unavailable');
    expect(existsSync(out)).toBe(false);
    for (const args of [['--day', '2026-02-30'], [], ['--day', '2026-04-01', '--list']]) {
      const r = await run([...args, '--out', out]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(/--day|--list/);
    }
    const noToken = await run(['--day', '2026-04-01', '--out', out], { token: '' });
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toContain('MUNICLOUD_TOKEN');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});
