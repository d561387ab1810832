/**
 * Webhook delivery from a real server process killed without warning: the
 * built CLI's `serve` delivers a subscription's events to a receiver on this
 * machine, is SIGKILLed in the middle, and a new process delivers the rest.
 * Nothing is lost; the only repeat a kill can cause is the one event that was
 * on the wire (received, not yet recorded as delivered), which the receiver
 * recognises by its event id; first receipts keep feed order.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDelivery } from '../../src/linkage/webhook-signature.js';
import { BIN, killServer, login, parseLogins, post, startServer, stopServer, type DemoLogin, type Server } from '../support/cli-server.js';
import { HOME, person, SAPPORO_ADDRESS } from '../support/register.js';

const run = promisify(execFile);
const CHIYODA = '131016';
const FILINGS = 16;

let dataDir: string;
let env: NodeJS.ProcessEnv;
let logins: DemoLogin[];

/** A receiving system: answers 200 a moment after it has read a delivery (so a kill can fall between its receipt and the sender's record of it). */
class Receiver {
  received: { eventId: string; valid: boolean }[] = [];
  secret = '';
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const valid = verifyDelivery(Buffer.from(this.secret), String(req.headers['municloud-signature']), body, Math.floor(Date.now() / 1000));
      this.received.push({ eventId: String(req.headers['municloud-event-id']), valid });
      setTimeout(() => res.writeHead(valid ? 200 : 401).end(), 40);
    });
  });
  url = '';
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/municloud-events`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
  ids(): string[] {
    return this.received.map((r) => r.eventId);
  }
}

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'municloud-sigkill-'));
  await chmod(dataDir, 0o755);
  env = { ...process.env, MUNICLOUD_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.MUNICLOUD_CELLS;
  // The demo's accounts and My Number zone (this machine), without synthetic residents.
  logins = parseLogins((await run(process.execPath, [BIN, 'demo', '--residents', '0'], { env })).stdout);
}, 180_000);
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('webhook delivery across SIGKILL of the server', () => {
  it('delivers every event after a kill mid-delivery, repeating at most the one in flight', async () => {
    const receiver = new Receiver();
    await receiver.start();
    let server: Server = await startServer(env, { demo: false });
    try {
      const as = { baseUrl: server.baseUrl, logins };
      const admin = await login(as, CHIYODA, 'admin');
      const clerk = await login(as, CHIYODA, 'clerk');
      const system = await login(as, CHIYODA, 'nhi-system');
      const me = (await (await fetch(`${server.baseUrl}/v1/auth/me`, { headers: { authorization: `Bearer ${system}` } })).json()) as { id: string };
      const sub = await post(
        server.baseUrl,
        '/v1/linkage/subscriptions',
        {
          name: '国保システム（Webhook）',
          operation: 'national_health_insurance',
          purpose: 'nhi_premium',
          topics: ['resident_register.move_in'],
          fields: ['dateOfBirth'],
          consumerAccountId: me.id,
          webhook: { url: receiver.url, startAt: 'now' },
        },
        { authorization: `Bearer ${admin}` },
      );
      expect(sub.status, JSON.stringify(sub.body)).toBe(201);
      receiver.secret = sub.body.webhookSecret;

      const filed: string[] = [];
      for (let i = 0; i < FILINGS; i++) {
        const res = await post(
          server.baseUrl,
          '/v1/resident-changes/move-in',
          { eventDate: '2026-04-01', filedOn: '2026-04-02', previousResidence: SAPPORO_ADDRESS, household: { kind: 'new', address: HOME }, persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主')] },
          { authorization: `Bearer ${clerk}`, 'municloud-purpose': 'residency_change' },
        );
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        filed.push(res.body.change.id);
      }

      // Killed while it is delivering: some events are through, the rest not yet.
      await until('a few deliveries arrived', () => receiver.received.length >= 4);
      await killServer(server);
      expect(server.child.signalCode).toBe('SIGKILL');
      const beforeRestart = new Set(receiver.ids()).size;
      expect(beforeRestart).toBeLessThan(FILINGS);

      server = await startServer(env, { demo: false });
      await until('every filed event arrived', () => filed.every((id) => receiver.ids().includes(id)));
      // Settled: nothing more comes.
      await new Promise((r) => setTimeout(r, 1500));

      const ids = receiver.ids();
      expect(receiver.received.every((r) => r.valid)).toBe(true);
      expect([...new Set(ids)]).toEqual(filed);
      expect(ids.length - filed.length).toBeLessThanOrEqual(1);
      // A repeat can only be the last event before the kill, delivered again as the next process's first.
      if (ids.length > filed.length) expect(ids[beforeRestart]).toBe(ids[beforeRestart - 1]);

      const admin2 = await login({ baseUrl: server.baseUrl, logins }, CHIYODA, 'admin');
      const status = await (await fetch(`${server.baseUrl}/v1/linkage/subscriptions/${sub.body.id}/delivery`, { headers: { authorization: `Bearer ${admin2}` } })).json();
      expect(status).toMatchObject({ delivery: 'webhook', deadLetters: 0 });
    } finally {
      await stopServer(server);
      await receiver.stop();
    }
  }, 240_000);
});
