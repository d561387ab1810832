/** The platform operator places municipalities on cells. */
import { Type } from 'typebox';
import { recordAction } from '../security/audit/record.js';
import type { App, Platform } from './http/server.js';
import { placeMunicipality } from './placing.js';

const PlacementSchema = Type.Object({ municipalityCode: Type.String(), cellId: Type.String(), placedAt: Type.String() });

export function placementRoutes(app: App, platform: Platform): void {
  const access = { roles: ['platform_operator'] as const };

  app.get(
    '/v1/cells',
    {
      config: { access },
      schema: { tags: ['placement'], summary: 'Configured cells', response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), default: Type.Boolean() })) }) } },
    },
    async () => ({ items: platform.cells.cellIds().map((id) => ({ id, default: id === platform.cells.defaultCellId })) }),
  );

  app.get(
    '/v1/placements',
    { config: { access }, schema: { tags: ['placement'], summary: 'Which cell holds each municipality', response: { 200: Type.Object({ items: Type.Array(PlacementSchema) }) } } },
    async () => ({ items: await platform.cells.placements() }),
  );

  app.put(
    '/v1/placements/:code',
    {
      config: { access },
      schema: {
        tags: ['placement'],
        summary: "Place a municipality's data on a cell (once; moving is a data migration). The cell must be on a provider and region in Japan, registered and certified for the municipality's data (422 placement_refused)",
        params: Type.Object({ code: Type.String({ maxLength: 20 }) }, { additionalProperties: false }),
        body: Type.Object({ cellId: Type.String({ pattern: '^[a-z][a-z0-9-]{0,30}$' }) }, { additionalProperties: false }),
        response: { 200: PlacementSchema },
      },
    },
    async (request) =>
      placeMunicipality(
        platform,
        { code: request.params.code, cellId: request.body.cellId, by: request.principal?.accountId ?? null },
        { record: (details) => recordAction(platform, request, 'placement_set', details), codeField: 'params/code', cellField: 'body/cellId' },
      ),
  );
}
