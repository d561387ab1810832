/** A municipality's network zones, and the catalogue of legal purposes for My Number. */
import { Type } from 'typebox';
import { recordAction } from '../audit/record.js';
import { principalOf } from '../../identity/http.js';
import { ROLES } from '../../identity/roles.js';
import { inTransaction } from '../../platform/database.js';
import { fieldError, Problem } from '../../platform/errors.js';
import type { App, Platform } from '../../platform/http/server.js';
import { canonicalCidr, listZones, replaceZones, ZONES } from './network-zones.js';
import { LEGAL_PURPOSES } from './purposes.js';
import { acknowledgeAlert, limitsFor, listAlerts, setLimits, unblockReads } from './leak-guard.js';
import { findAccount } from '../../identity/accounts.js';
import { Uuid } from '../../platform/http/schemas.js';

const RangeSchema = Type.Object(
  { zone: Type.Enum(ZONES), cidr: Type.String({ maxLength: 64, description: 'e.g. 10.20.0.0/16 or 2001:db8::/48' }) },
  { additionalProperties: false },
);

export function accessRoutes(app: App, platform: Platform): void {
  const { control } = platform;

  app.get(
    '/v1/network-zones',
    {
      config: { access: { roles: ['municipal_admin', 'auditor'] } },
      schema: {
        tags: ['security'],
        summary: "Your municipality's network segments (三層の対策): address ranges per zone",
        response: { 200: Type.Object({ items: Type.Array(RangeSchema) }) },
      },
    },
    async (request) => ({ items: await listZones(control, principalOf(request).organizationCode) }),
  );

  app.put(
    '/v1/network-zones',
    {
      config: { access: { roles: ['municipal_admin'] } },
      schema: {
        tags: ['security'],
        summary: "Replace your municipality's network zone ranges; My Number work is accepted only from the my_number zone",
        body: Type.Object({ ranges: Type.Array(RangeSchema, { maxItems: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(RangeSchema) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const errors = request.body.ranges.flatMap((r, i) =>
        canonicalCidr(r.cidr) ? [] : [fieldError(`body/ranges/${i}/cidr`, 'cidr', { ja: 'CIDR 形式（例 10.20.0.0/16）で指定してください。', en: 'must be an address range such as 10.20.0.0/16' })],
      );
      if (errors.length > 0) throw new Problem('validation_failed', errors);
      const ranges = request.body.ranges.map((r) => ({ zone: r.zone, cidr: canonicalCidr(r.cidr)! }));
      await inTransaction(control, (client) => replaceZones(client, principal.organizationCode, ranges));
      await recordAction(platform, request, 'settings_changed', { records: [{ resource: 'network_zones', ids: [principal.organizationCode] }] });
      return { items: await listZones(control, principal.organizationCode) };
    },
  );

  const LimitsSchema = Type.Object(
    {
      perAccountPerHour: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Distinct residents one account may view per hour' }),
      perMunicipalityPerHour: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'Distinct residents viewed per hour across the municipality' }),
    },
    { additionalProperties: false },
  );

  app.get(
    '/v1/leak-guard/limits',
    {
      config: { access: { roles: ['municipal_admin', 'auditor'] } },
      schema: { tags: ['security'], summary: "Your municipality's leak-guard limits", response: { 200: LimitsSchema } },
    },
    async (request) => limitsFor(control, principalOf(request).organizationCode),
  );

  app.put(
    '/v1/leak-guard/limits',
    {
      config: { access: { roles: ['municipal_admin'] } },
      schema: { tags: ['security'], summary: "Set your municipality's leak-guard limits", body: LimitsSchema, response: { 200: LimitsSchema } },
    },
    async (request) => {
      const code = principalOf(request).organizationCode;
      await setLimits(control, code, request.body);
      await recordAction(platform, request, 'settings_changed', { records: [{ resource: 'leak_guard_limits', ids: [code] }] });
      return limitsFor(control, code);
    },
  );

  const AlertSchema = Type.Object({
    id: Uuid,
    kind: Type.String(),
    accountId: Type.Union([Uuid, Type.Null()]),
    createdAt: Type.String(),
    acknowledgedAt: Type.Union([Type.String(), Type.Null()]),
  });

  app.get(
    '/v1/alerts',
    {
      config: { access: { roles: ['municipal_admin', 'auditor'] } },
      schema: {
        tags: ['security'],
        summary: "Your municipality's security alerts, newest first",
        querystring: Type.Object({ open: Type.Boolean({ default: false, description: 'Only those not yet acknowledged' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(AlertSchema) }) },
      },
    },
    async (request) => ({ items: await listAlerts(control, principalOf(request).organizationCode, { openOnly: request.query.open }) }),
  );

  app.post(
    '/v1/alerts/:id/acknowledge',
    {
      config: { access: { roles: ['municipal_admin', 'auditor'] } },
      schema: { tags: ['security'], summary: 'Mark an alert as seen', params: Type.Object({ id: Uuid }, { additionalProperties: false }) },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // Another municipality's alert answers like one that does not exist.
      if (!(await acknowledgeAlert(control, principal.organizationCode, request.params.id, principal.accountId))) throw new Problem('not_found');
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/accounts/:id/unblock-reads',
    {
      config: { access: { roles: ['municipal_admin'] } },
      schema: {
        tags: ['security'],
        summary: 'Lift a leak-guard block on one of your staff, after looking into it',
        params: Type.Object({ id: Uuid }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const account = await findAccount(control, request.params.id);
      // Another municipality's account answers like one that does not exist.
      if (!account || account.organizationCode !== principal.organizationCode || !(await unblockReads(control, account.id))) {
        throw new Problem('not_found');
      }
      await recordAction(platform, request, 'settings_changed', { records: [{ resource: 'accounts', ids: [account.id] }] });
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/legal-purposes',
    {
      config: { access: { roles: ROLES } },
      schema: { tags: ['security'], summary: 'The legal purposes for which each operation may use My Number (header municloud-purpose)' },
    },
    async () => ({ operations: LEGAL_PURPOSES }),
  );
}
