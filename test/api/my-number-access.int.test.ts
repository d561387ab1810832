/**
 * My Number access control: a declared legal purpose of the operation, from the
 * municipality's My Number zone, or a refusal. Uses a test-only route that
 * declares My Number use, until the resident register brings real ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App, Platform } from '../../src/platform/http/server.js';
import { ROUTE_MODULES } from '../../src/routes.js';
import { call, CHIYODA, newSession, SAPPORO, type Session } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';

function myNumberProbe(app: App, _platform: Platform): void {
  app.get(
    '/v1/test/my-number',
    { config: { access: { roles: ['clerk'], tenant: true, myNumber: { operation: 'resident_registry' } } } },
    async (request) => ({ municipality: request.tenant!.municipalityCode, purpose: request.tenant!.purpose }),
  );
}

let tp: TestPlatform;
let clerk: Session;
let admin: Session;
const IN_ZONE = '10.20.3.4';
const get = (address: string, purpose?: string) =>
  call(tp.app, 'GET', '/v1/test/my-number', { token: clerk.token, remoteAddress: address, ...(purpose ? { headers: { 'municloud-purpose': purpose } } : {}) });

beforeAll(async () => {
  tp = await createTestPlatform({ modules: [...ROUTE_MODULES, myNumberProbe] });
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
});
afterAll(async () => tp?.close());

describe('network zones', () => {
  it('a municipal admin configures the ranges of their own municipality, validated', async () => {
    const bad = await admin.call('PUT', '/v1/network-zones', { ranges: [{ zone: 'my_number', cidr: '10.20.0.0/99' }, { zone: 'lgwan', cidr: 'nonsense' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['body/ranges/0/cidr', 'body/ranges/1/cidr']);
    const set = await admin.call('PUT', '/v1/network-zones', {
      ranges: [
        { zone: 'my_number', cidr: '10.20.1.1/16' },
        { zone: 'lgwan', cidr: '172.16.0.0/12' },
        { zone: 'internet', cidr: '0.0.0.0/0' },
      ],
    });
    expect(set.status).toBe(200);
    expect(set.body.items).toContainEqual({ zone: 'my_number', cidr: '10.20.0.0/16' });
    expect((await clerk.call('PUT', '/v1/network-zones', { ranges: [] })).status).toBe(403);
    // Another municipality's admin sees and changes only their own.
    const sapporo = await newSession(tp, SAPPORO, ['municipal_admin']);
    expect((await sapporo.call('GET', '/v1/network-zones')).body.items).toEqual([]);
  });
});

describe('My Number routes', () => {
  it('require a legal purpose of the operation', async () => {
    for (const purpose of [undefined, 'curiosity', 'tax_assessment']) {
      const res = await get(IN_ZONE, purpose);
      expect(res.status, String(purpose)).toBe(403);
      expect(res.body.code).toBe('purpose_not_allowed');
    }
  });

  it("are refused outside the municipality's My Number zone", async () => {
    for (const address of ['172.16.5.5', '203.0.113.9', '10.21.0.1', '::1']) {
      const res = await get(address, 'residency_change');
      expect(res.status, address).toBe(403);
      expect(res.body.code).toBe('network_zone_refused');
    }
  });

  it('are admitted with a legal purpose from the My Number zone', async () => {
    const res = await get(IN_ZONE, 'residency_change');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ municipality: CHIYODA, purpose: 'residency_change' });
  });

  it('publish the catalogue of legal purposes', async () => {
    const res = await clerk.call('GET', '/v1/legal-purposes');
    expect(res.body.operations.resident_registry.map((p: { code: string }) => p.code)).toContain('residency_change');
  });
});
