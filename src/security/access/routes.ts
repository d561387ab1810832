/** A municipality's network zones, and the catalogue of legal purposes for My Number. */
import { Type } from 'typebox';
import { principalOf } from '../../identity/http.js';
import { ROLES } from '../../identity/roles.js';
import { inTransaction } from '../../platform/database.js';
import { fieldError, Problem } from '../../platform/errors.js';
import type { App, Platform } from '../../platform/http/server.js';
import { canonicalCidr, listZones, replaceZones, ZONES } from './network-zones.js';
import { LEGAL_PURPOSES } from './purposes.js';

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
      return { items: await listZones(control, principal.organizationCode) };
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
