/**
 * Where the platform's other data stores are: the control database (the store
 * `control`) and each backup target (e.g. `backup-tokyo`), declared by the
 * operator on a provider's service and region as a cell's location is
 * (locations.ts), for the `data-in-japan` self-check (self-checks/gather.ts).
 * Control migration 0017: append-only, the latest declaration per store
 * counts; a store exists by being declared.
 */
import type pg from 'pg';
import { fieldError, Problem, type FieldError } from '../../platform/errors.js';
import type { RegionFacts, ServiceModel } from '../registry/model.js';
import type { FieldName } from '../registry/service.js';
import { PLACE_COLUMNS, PLACE_JOINS, placeOf, type Db, type PlaceRow } from '../registry/store.js';
import { serviceAndRegionOf } from './locations.js';
import { regionInJapan } from './policy.js';

export const DATA_STORE_KINDS = ['control', 'backup'] as const;
export type DataStoreKind = (typeof DATA_STORE_KINDS)[number];

/** The control database's store id: the only store of kind `control`. */
export const CONTROL_STORE_ID = 'control';
/** A store id has the form of a cell id. */
export const STORE_ID = /^[a-z][a-z0-9-]{0,30}$/;

/** A store's latest declared location. */
export interface DataStoreLocation {
  readonly storeId: string;
  readonly kind: DataStoreKind;
  readonly provider: { readonly id: string; readonly name: string };
  readonly service: { readonly id: string; readonly name: string; readonly model: ServiceModel };
  readonly region: RegionFacts;
  readonly declaredAt: string;
}

/** A store's location, and whether its region is in Japan by the placement policy's test (country, governing law and every data centre). */
export interface DataStoreStanding extends DataStoreLocation {
  readonly inJapan: boolean;
}

/** The API's field names: the store id is a path parameter, the rest is the body. */
export const dataStoreField: FieldName = (name) => (name === 'storeId' ? 'params/storeId' : `body/${name}`);

/** The latest declaration of every store (or of those named): the control database first, then backups by id. */
export async function dataStoreLocations(db: Db, storeIds?: readonly string[]): Promise<DataStoreLocation[]> {
  const { rows } = await db.query<PlaceRow & { store_id: string; kind: DataStoreKind }>(
    `SELECT * FROM (
       SELECT DISTINCT ON (l.store_id) l.store_id, l.kind, ${PLACE_COLUMNS}
         FROM control.data_store_locations l
         ${PLACE_JOINS}
        WHERE ($1::text[] IS NULL OR l.store_id = ANY ($1))
        ORDER BY l.store_id, l.seq DESC) latest
      ORDER BY kind = 'control' DESC, store_id`,
    [storeIds ?? null],
  );
  return rows.map((r) => ({ storeId: r.store_id, kind: r.kind, ...placeOf(r) }));
}

const standingOf = (l: DataStoreLocation): DataStoreStanding => ({ ...l, inJapan: regionInJapan(l.region) });

/** Every declared store's latest location, with whether it is in Japan. */
export async function listDataStores(db: Db): Promise<DataStoreStanding[]> {
  return (await dataStoreLocations(db)).map(standingOf);
}

/**
 * Declares the service and region a data store is on (both of one provider,
 * checked as for a cell). Like a cell's, a declaration records a fact and is
 * accepted whatever the region: the self-check is what reports a store
 * outside Japan. The store `control` is the control database and is of kind
 * `control`; every other store is a backup. Refused (validation_failed, every
 * problem at once, nothing written): a malformed store id, a kind that does
 * not fit it, an unknown service or region, a region of another provider.
 */
export async function declareDataStoreLocation(
  db: pg.Pool,
  storeId: string,
  input: { kind: unknown; serviceId: unknown; regionId: unknown },
  by: string | null,
  at: FieldName = dataStoreField,
): Promise<DataStoreStanding> {
  const errors: FieldError[] = [];
  if (!STORE_ID.test(storeId)) {
    errors.push(
      fieldError(at('storeId'), 'format', {
        ja: '英小文字で始まる 31 文字以内の英小文字・数字・ハイフンで指定してください。',
        en: 'must be 1 to 31 lowercase letters, digits and hyphens, starting with a letter',
      }),
    );
  }
  const kind = DATA_STORE_KINDS.find((k) => k === input.kind);
  if (kind === undefined) {
    errors.push(fieldError(at('kind'), 'one_of', { ja: 'control か backup を指定してください。', en: 'must be control or backup' }));
  } else if (kind === 'control' && storeId !== CONTROL_STORE_ID) {
    errors.push(fieldError(at('kind'), 'control_store', { ja: '種別 control はストア control（制御データベース）のみです。', en: 'only the store control (the control database) is of kind control' }));
  } else if (kind === 'backup' && storeId === CONTROL_STORE_ID) {
    errors.push(fieldError(at('kind'), 'control_store', { ja: 'ストア control は制御データベースです。種別は control を指定してください。', en: 'the store control is the control database: its kind is control' }));
  }
  const found = await serviceAndRegionOf(db, input, at, errors);
  if (errors.length > 0 || !found || kind === undefined) throw new Problem('validation_failed', errors);
  await db.query('INSERT INTO control.data_store_locations (store_id, kind, provider_id, service_id, region_id, declared_by) VALUES ($1, $2, $3, $4, $5, $6)', [
    storeId,
    kind,
    found.service.providerId,
    found.service.id,
    found.region.id,
    by,
  ]);
  return standingOf((await dataStoreLocations(db, [storeId]))[0]!);
}
