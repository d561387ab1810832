/**
 * The datasets a bulk export can produce. An operation that holds personal data
 * registers its dataset once, at import, beside its store:
 *
 *   export const RESIDENTS_EXPORT = EXPORT_DATASETS.register({
 *     name: 'residents', ja: '住民一覧', en: 'Residents', resource: 'residents',
 *     columns: [{ name: 'resident_id', ja: '住民ID' }, { name: 'family_name', ja: '氏' }, …],
 *     filterSchema: Type.Object({ town: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$' })) }, { additionalProperties: false }),
 *     async *rows({ db, keys, filter }) {
 *       for await (const r of cursorRows(db, 'SELECT … FROM cell.residents WHERE …', [...])) {
 *         yield { id: r.id, values: [r.id, await keys.openText(NAME.field(r.id), r.name_sealed), …] };
 *       }
 *     },
 *   });
 *
 * Rules for a dataset:
 *
 * - **The filter holds no personal data.** It is stored in the clear (jsonb) and
 *   shown to approvers and auditors: codes, dates, flags and numbers only, never
 *   a name, an address or a number that identifies a person. The registry refuses
 *   a filter schema with free text: every string in it must be an enum/const, or
 *   have a `format` of date, date-time or uuid, or a `pattern`; every object must
 *   refuse unknown fields (`additionalProperties: false`).
 * - **Rows come from the tenant transaction it is given** (`db`), which row-level
 *   security confines to the municipality; sealed fields are opened with `keys`.
 * - **Read in batches, not with a streaming query.** The exporter writes the file
 *   and the record ids on the same connection between the rows it pulls, so a
 *   query that keeps the connection busy until it is fully read would wait on
 *   itself. `cursorRows` below (DECLARE … CURSOR, FETCH n) does it right, and so
 *   does keyset pagination with ordinary queries.
 * - **`id` is the platform's own record id** (a UUID), never a resident code or a
 *   My Number: the ids of the exported records are kept as the evidence of what
 *   left (see routes.ts). Printable ASCII, 1 to 200 characters; all-digit ids of
 *   11 or more digits are refused, as in the audit log. A row may repeat an id
 *   (several rows about one record); the evidence holds each id once.
 * - `values` has one entry per column, in order.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { TSchema } from 'typebox';
import type { ValidateFunction } from 'ajv';
import type { FieldError } from '../../platform/errors.js';
import { fieldErrorsFrom, validatorCompiler } from '../../platform/http/validation.js';
import type { MunicipalityKeys } from '../keys/service.js';

export interface ExportColumn {
  /** snake_case; the CSV header. */
  readonly name: string;
  readonly ja: string;
}

export interface ExportRow {
  readonly id: string;
  readonly values: readonly (string | null)[];
}

export interface ExportDataset {
  /** e.g. 'residents'; snake_case. */
  readonly name: string;
  readonly ja: string;
  readonly en: string;
  /** Audit resource name of the rows, e.g. 'residents'. */
  readonly resource: string;
  readonly columns: readonly ExportColumn[];
  /** The filter's schema (typebox), validated strictly when the export is requested. */
  readonly filterSchema: TSchema;
  /** Rows inside the tenant transaction (RLS confines it); keys to open sealed fields. */
  rows(ctx: { db: pg.ClientBase; keys: MunicipalityKeys; filter: unknown }): AsyncIterable<ExportRow>;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const RESOURCE = /^[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,31})?$/;
const SAFE_FORMATS = new Set(['date', 'date-time', 'uuid', 'local-government-code']);

/**
 * Where a filter schema would admit free text, or null. A string must be an
 * enum/const, have a safe format or a pattern; an object must refuse unknown
 * fields. Walks properties, items, anyOf/oneOf/allOf.
 */
export function freeTextIn(schema: unknown, path = 'filter'): string | null {
  if (!schema || typeof schema !== 'object') return null;
  const s = schema as Record<string, unknown>;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if ('const' in s || Array.isArray(s.enum)) return null;
  if (types.includes('string') && !(typeof s.format === 'string' && SAFE_FORMATS.has(s.format)) && typeof s.pattern !== 'string') {
    return `${path}: a string without enum, const, pattern or a date/uuid format`;
  }
  if (types.includes('object') || s.properties) {
    if (s.additionalProperties !== false) return `${path}: an object that admits unknown fields`;
    for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) {
      const found = freeTextIn(v, `${path}/${k}`);
      if (found) return found;
    }
  }
  if (types.includes('array') || s.items) {
    const found = freeTextIn(s.items, `${path}/items`);
    if (found) return found;
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const list = s[key];
    if (Array.isArray(list)) {
      for (const [i, v] of list.entries()) {
        const found = freeTextIn(v, `${path}/${key}/${i}`);
        if (found) return found;
      }
    }
  }
  // A schema with no type (Type.Unknown, Type.Any) admits anything, text included.
  if (s.type === undefined && !s.properties && !s.items && !s.anyOf && !s.oneOf && !s.allOf && !s.not) return `${path}: a value of any type`;
  return null;
}

export interface RegisteredDataset extends ExportDataset {
  /** Field errors of a filter (fields `body/filter/…`), or none. Applies defaults. */
  validateFilter(filter: unknown): FieldError[];
}

export class ExportDatasetRegistry {
  /** By name: the dataset as registered (to tell a repeated import from a second dataset of that name) and its validating wrapper. */
  private readonly datasets = new Map<string, { readonly original: ExportDataset; readonly registered: RegisteredDataset }>();

  register(dataset: ExportDataset): RegisteredDataset {
    if (!NAME.test(dataset.name)) throw new TypeError('export dataset: name must be snake_case');
    if (!RESOURCE.test(dataset.resource)) throw new TypeError('export dataset: resource must be an audit resource name');
    if (dataset.columns.length === 0) throw new TypeError('export dataset: at least one column');
    const names = new Set<string>();
    for (const c of dataset.columns) {
      if (!NAME.test(c.name) || names.has(c.name)) throw new TypeError(`export dataset ${dataset.name}: column names must be unique snake_case`);
      names.add(c.name);
    }
    const freeText = freeTextIn(dataset.filterSchema);
    if (freeText) throw new TypeError(`export dataset ${dataset.name}: the filter would admit personal data (${freeText})`);
    const existing = this.datasets.get(dataset.name);
    if (existing?.original === dataset) return existing.registered;
    if (existing) throw new TypeError(`export dataset ${dataset.name} is registered twice`);
    // The same strict validator as request bodies: no coercion, unknown fields refused, defaults applied.
    const validate = validatorCompiler({ schema: dataset.filterSchema, httpPart: 'body', method: 'POST', url: '/v1/exports' } as never) as ValidateFunction;
    const registered: RegisteredDataset = {
      ...dataset,
      // Called on the dataset itself: a spread does not copy a class's methods, nor keep `this`.
      rows: (ctx) => dataset.rows(ctx),
      validateFilter(filter) {
        if (validate(filter)) return [];
        return fieldErrorsFrom(validate.errors ?? [], 'body/filter');
      },
    };
    this.datasets.set(dataset.name, { original: dataset, registered });
    return registered;
  }

  get(name: string): RegisteredDataset | undefined {
    return this.datasets.get(name)?.registered;
  }

  list(): RegisteredDataset[] {
    return [...this.datasets.values()].map((d) => d.registered).sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** The process-wide registry that operations register their datasets in. */
export const EXPORT_DATASETS = new ExportDatasetRegistry();

/**
 * Rows of a query read through a server-side cursor in batches of `batchSize`
 * (DECLARE … NO SCROLL CURSOR, FETCH): the connection is free between batches,
 * as the exporter needs. Inside the caller's transaction.
 */
export async function* cursorRows<R extends pg.QueryResultRow>(db: pg.ClientBase, sql: string, args: unknown[] = [], batchSize = 1000): AsyncGenerator<R> {
  const name = `export_rows_${randomBytes(6).toString('hex')}`;
  await db.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, args);
  let done = false;
  try {
    while (!done) {
      const { rows } = await db.query<R>(`FETCH ${batchSize} FROM ${name}`);
      for (const r of rows) yield r;
      done = rows.length < batchSize;
    }
  } finally {
    // After an error the transaction is aborted and rolls back anyway (which closes the cursor).
    await db.query(`CLOSE ${name}`).catch(() => undefined);
  }
}
