/**
 * `municloud linkage follow` against a listening server: every event of a
 * subscription lands in the JSON Lines file exactly once, in feed order,
 * across SIGKILL mid-delivery and a partial last line.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHIYODA, newSession, placeInMyNumberZone, type Session } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';
import { HOME, person, SAPPORO_ADDRESS } from '../support/register.js';

const BIN = path.resolve('bin/municloud.js');
let tp: TestPlatform;
let api: string;
let consumer: Session;
let subscription: string;
let clerk: Session;
let dir: string;
const filed: string[] = [];

async function moveIn(): Promise<void> {
  const res = await clerk.call(
    'POST',
    '/v1/resident-changes/move-in',
    { eventDate: '2026-04-01', filedOn: '2026-04-02', previousResidence: SAPPORO_ADDRESS, household: { kind: 'new', address: HOME }, persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主')] },
    { 'municloud-purpose': 'residency_change' },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  filed.push(res.body.change.id);
}

function runFollow(out: string, args: string[], onStderr?: (text: string, kill: () => void) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'linkage', 'follow', '--api', api, '--subscription', subscription, '--out', out, ...args], {
    env: { ...process.env, MUNICLOUD_TOKEN: consumer.token, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
    onStderr?.(stderr, () => child.kill('SIGKILL'));
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

const ids = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).id as string);

beforeAll(async () => {
  tp = await createTestPlatform({});
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await placeInMyNumberZone(tp, CHIYODA);
  const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  consumer = await newSession(tp, CHIYODA, ['linkage_subscriber']);
  const created = await admin.call('POST', '/v1/linkage/subscriptions', {
    name: '税務システム',
    operation: 'residential_tax',
    purpose: 'tax_assessment',
    topics: ['resident_register.move_in'],
    fields: ['dateOfBirth'],
    consumerAccountId: (await consumer.call('GET', '/v1/auth/me')).body.id,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  subscription = created.body.id;
  await tp.app.listen({ port: 0, host: '127.0.0.1' });
  const address = tp.app.server.address();
  api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  dir = mkdtempSync(path.join(os.tmpdir(), 'municloud-follow-'));
  for (let i = 0; i < 6; i++) await moveIn();
});
afterAll(async () => {
  await tp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs with --once until the file holds every filed event (the feed may hold the newest back for a moment). */
async function catchUp(out: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await runFollow(out, ['--once']);
    expect(r.code, r.stderr).toBe(0);
    if (filed.every((id) => ids(out).includes(id))) return;
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('municloud linkage follow', () => {
  it('writes each event once, in order, across SIGKILL and a partial last line', async () => {
    const out = path.join(dir, 'events.jsonl');
    // One event per page; killed without warning after the second page is on disk.
    const killed = await runFollow(out, ['--limit', '1'], (text, kill) => {
      if (text.includes('2 events written')) kill();
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(ids(out).length).toBeGreaterThanOrEqual(2);
    expect(statSync(out).mode & 0o777).toBe(0o600);

    // A crash in the middle of a write leaves half a line: the next run cuts it off.
    appendFileSync(out, '{"id":"half a li');
    await moveIn();
    await catchUp(out);
    const written = ids(out);
    expect(new Set(written).size).toBe(written.length);
    expect(written).toEqual(filed);
    const first = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!);
    expect(first).toMatchObject({ topic: 'resident_register.move_in', data: { residents: [{ dateOfBirth: '1975-03-03', restricted: false }] } });
    expect(first.data.residents[0].name).toBeUndefined();

    // Caught up: another run adds nothing.
    const again = await runFollow(out, ['--once']);
    expect(again.code).toBe(0);
    expect(ids(out)).toEqual(filed);
  });

  it('refuses to run without a token, and says why the feed refused', async () => {
    const out = path.join(dir, 'refused.jsonl');
    const child = spawn(process.execPath, [BIN, 'linkage', 'follow', '--api', api, '--subscription', subscription, '--out', out, '--once'], {
      env: { ...process.env, MUNICLOUD_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('MUNICLOUD_TOKEN');

    const other = subscription;
    subscription = '00000000-0000-4000-8000-000000000000';
    const missing = await runFollow(out, ['--once']);
    subscription = other;
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('404 not_found');
  });
});
