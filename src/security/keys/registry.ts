/**
 * The registry of encrypted columns: where sealed fields live, so the rewrap
 * job can re-encrypt them without knowing any module. A module that seals a
 * column registers it once, at import, next to its store:
 *
 *   export const RESIDENT_NAME = ENCRYPTED_COLUMNS.register({ table: 'cell.residents', column: 'name_sealed' });
 *   await crypto.seal(RESIDENT_NAME.field(residentId), name);
 *
 * The table must lead its key with `municipality_code` and have a unique id
 * column (the record id in the associated data), as every tenant table does.
 *
 * Tables in the `control` schema live in the control database, one table for
 * every organization (e.g. control.mfa_totp, whose rows are sealed under the
 * key of the account's organization): they name their organization column
 * and id column, and the rewrap job reaches them through the control pool
 * rather than a cell's. Tables in any other schema are tenant tables in cells.
 */
import type { FieldRef } from './format.js';

export interface EncryptedColumnSpec {
  /** Schema-qualified table, e.g. cell.residents; also the `table` of the associated data. */
  readonly table: string;
  /** bytea column holding sealed values (NULL allowed). */
  readonly column: string;
  /** Record id column; its text form is the `recordId` of the associated data. Default `id`. */
  readonly idColumn?: string;
  /** Default `municipality_code`. */
  readonly municipalityColumn?: string;
}

export interface EncryptedColumn extends Required<EncryptedColumnSpec> {
  /** Where the table lives: `control` for the control schema, `cell` for tenant tables. */
  readonly database: 'cell' | 'control';
  /** The field reference for one record, for seal and open. */
  field(recordId: string): FieldRef;
  readonly name: string;
}

const QUALIFIED = /^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/;
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export function encryptedColumn(spec: EncryptedColumnSpec): EncryptedColumn {
  const idColumn = spec.idColumn ?? 'id';
  const municipalityColumn = spec.municipalityColumn ?? 'municipality_code';
  // Names end up in SQL text (quoted), and in the associated data: refuse anything unusual up front.
  if (!QUALIFIED.test(spec.table)) throw new TypeError('encrypted column: table must be schema-qualified lower-case identifiers');
  for (const name of [spec.column, idColumn, municipalityColumn]) {
    if (!IDENT.test(name)) throw new TypeError('encrypted column: column names must be lower-case identifiers');
  }
  const table = spec.table;
  const column = spec.column;
  return {
    table,
    column,
    database: table.startsWith('control.') ? 'control' : 'cell',
    idColumn,
    municipalityColumn,
    name: `${table}.${column}`,
    field: (recordId: string) => ({ table, column, recordId }),
  };
}

export class EncryptedColumnRegistry {
  private readonly columns = new Map<string, EncryptedColumn>();

  register(spec: EncryptedColumnSpec): EncryptedColumn {
    const col = encryptedColumn(spec);
    const existing = this.columns.get(col.name);
    if (!existing) {
      this.columns.set(col.name, col);
      return col;
    }
    if (existing.idColumn !== col.idColumn || existing.municipalityColumn !== col.municipalityColumn) {
      throw new TypeError(`encrypted column ${col.name} is registered twice with different settings`);
    }
    return existing;
  }

  list(): EncryptedColumn[] {
    return [...this.columns.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** The process-wide registry that modules register their sealed columns in. */
export const ENCRYPTED_COLUMNS = new EncryptedColumnRegistry();
