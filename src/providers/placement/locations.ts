/** Declaring where a cell runs, and what the policy says of it. */
import type pg from 'pg';
import { fieldError, Problem, type FieldError } from '../../platform/errors.js';
import type { DataClass } from '../registry/data-class.js';
import { todayInJapan } from '../days.js';
import type { CellLocation, Region, Service } from '../registry/model.js';
import { bodyField, type FieldName } from '../registry/service.js';
import * as store from '../registry/store.js';
import { loadCellFacts } from './facts.js';
import { placementDecision, type PlacementReason } from './policy.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface CellStanding {
  readonly cellId: string;
  readonly location: CellLocation | null;
  /** What the policy says of placing a municipality of the class on the cell, on the day. */
  readonly placement: {
    readonly dataClass: DataClass;
    readonly on: string;
    readonly allowed: boolean;
    readonly reasons: PlacementReason[];
    readonly coveredUntil: string | null;
  };
}

export async function requireCell(db: pg.Pool, cellId: string): Promise<void> {
  const { rows } = await db.query('SELECT 1 FROM control.cells WHERE id = $1', [cellId]);
  if (rows.length === 0) throw new Problem('not_found');
}

export async function cellStanding(db: pg.Pool, cellId: string, options: { on?: string; dataClass?: DataClass } = {}): Promise<CellStanding> {
  await requireCell(db, cellId);
  const on = options.on ?? todayInJapan();
  const dataClass = options.dataClass ?? 'my_number';
  const cell = (await loadCellFacts(db, [cellId])).get(cellId)!;
  const decision = placementDecision({ cell, dataClass, on });
  return {
    cellId,
    location: cell.location,
    placement: decision.allowed
      ? { dataClass, on, allowed: true, reasons: [], coveredUntil: decision.coveredUntil }
      : { dataClass, on, allowed: false, reasons: decision.reasons, coveredUntil: null },
  };
}

/**
 * Declares the service and region a cell runs on (both of one provider). A
 * declaration records a fact and is accepted whatever the region: the policy
 * refuses placing municipalities on a cell outside Japan, not knowing it is there.
 */
export async function declareCellLocation(
  db: pg.Pool,
  cellId: string,
  input: { serviceId: unknown; regionId: unknown },
  by: string | null,
  at: FieldName = bodyField,
): Promise<CellStanding> {
  await requireCell(db, cellId);
  const errors: FieldError[] = [];
  const found = await serviceAndRegionOf(db, input, at, errors);
  if (errors.length > 0 || !found) throw new Problem('validation_failed', errors);
  await store.insertCellLocation(db, { cellId, providerId: found.service.providerId, serviceId: found.service.id, regionId: found.region.id }, by);
  return cellStanding(db, cellId);
}

/**
 * The service and region a location names (a cell's, or another data
 * store's: data-stores.ts): both registered, and the region one of the
 * service's provider. Each problem found is added to `errors` (the field
 * named through `at`: serviceId, regionId); null unless both were found and
 * agree.
 */
export async function serviceAndRegionOf(
  db: pg.Pool,
  input: { serviceId: unknown; regionId: unknown },
  at: FieldName,
  errors: FieldError[],
): Promise<{ service: Service; region: Region } | null> {
  const serviceId = typeof input.serviceId === 'string' ? input.serviceId.toLowerCase() : '';
  const regionId = typeof input.regionId === 'string' ? input.regionId.toLowerCase() : '';
  const service = UUID.test(serviceId) ? await store.findService(db, serviceId) : null;
  if (!service) errors.push(fieldError(at('serviceId'), 'known', { ja: '登録されていないサービスです。', en: 'is not a registered service' }));
  const region = UUID.test(regionId) ? (await store.listRegions(db, { ids: [regionId] }))[0] : undefined;
  if (!region) errors.push(fieldError(at('regionId'), 'known', { ja: '登録されていないリージョンです。', en: 'is not a registered region' }));
  if (!service || !region) return null;
  if (service.providerId !== region.providerId) {
    errors.push(fieldError(at('regionId'), 'same_provider', { ja: 'サービスと同じ事業者のリージョンを指定してください。', en: "must be a region of the service's provider" }));
    return null;
  }
  return { service, region };
}
