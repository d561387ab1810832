/**
 * The placement guard: what CellDirectory.place asks before it places a
 * municipality on a cell (src/platform/cells.ts). It refuses, with the problem
 * placement_refused naming every reason, a placement the policy refuses on the
 * day (policy.ts).
 *
 * MUNICLOUD_PLACEMENT_POLICY=development (the default of the embedded,
 * single-machine mode) lets one thing through: a cell whose location was never
 * declared, with a warning logged once per cell. A declared cell is checked in
 * full in both modes, and `enforce` (the default with DATABASE_URL) lets
 * nothing through.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { PlacementPolicyMode } from '../../platform/config.js';
import { fieldError, Problem } from '../../platform/errors.js';
import type { PlacementGuard } from '../../platform/cells.js';
import { findOrganization } from '../../organizations/store.js';
import { todayInJapan } from '../days.js';
import { loadCellFacts } from './facts.js';
import { municipalityDataClass, placementDecision, REASON_MESSAGES, type PlacementReason } from './policy.js';

export function placementRefused(reasons: readonly PlacementReason[]): Problem {
  return new Problem(
    'placement_refused',
    reasons.map((r) => fieldError('body/cellId', r, REASON_MESSAGES[r])),
  );
}

export function placementGuard(options: { control: pg.Pool; policy: PlacementPolicyMode; log: Logger; today?: () => string }): PlacementGuard {
  const warned = new Set<string>();
  const today = options.today ?? (() => todayInJapan());
  return async ({ municipalityCode, cellId }) => {
    const organization = await findOrganization(options.control, municipalityCode);
    if (!organization) throw new Problem('unknown_organization');
    const cell = (await loadCellFacts(options.control, [cellId])).get(cellId)!;
    const decision = placementDecision({ cell, dataClass: municipalityDataClass(organization), on: today() });
    if (decision.allowed) return;
    if (options.policy === 'development' && decision.reasons.length === 1 && decision.reasons[0] === 'cell_undeclared') {
      if (!warned.has(cellId)) {
        warned.add(cellId);
        options.log.warn(
          { cellId, placementPolicy: 'development' },
          'placing municipalities on a cell whose location (provider, service, region) is not declared: allowed only because MUNICLOUD_PLACEMENT_POLICY=development',
        );
      }
      return;
    }
    throw placementRefused(decision.reasons);
  };
}
