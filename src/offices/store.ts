/**
 * Offices in a cell. Every function takes a client from a tenant transaction:
 * row-level security confines it to one municipality, and the municipality
 * code written is the transaction's own (current_municipality()).
 */
import type pg from 'pg';
import { escapeLike } from '../organizations/store.js';
import type { Office, OfficeInput, OfficeKind } from './office.js';

interface Row {
  id: string;
  kind: OfficeKind;
  name: string;
  name_kana: string;
  postal_code: string | null;
  address: string | null;
  phone: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, kind, name, name_kana, postal_code, address, phone, version, created_at, updated_at';

function fromRow(r: Row): Office {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    nameKana: r.name_kana,
    postalCode: r.postal_code,
    address: r.address,
    phone: r.phone,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function insertOffice(db: pg.ClientBase, office: Required<OfficeInput>): Promise<Office> {
  const { rows } = await db.query<Row>(
    `INSERT INTO cell.offices (municipality_code, kind, name, name_kana, postal_code, address, phone)
     VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [office.kind, office.name, office.nameKana, office.postalCode, office.address, office.phone],
  );
  return fromRow(rows[0]!);
}

export async function findOffice(db: pg.ClientBase, id: string): Promise<Office | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM cell.offices WHERE id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Updates when the stored version is the expected one; 'stale' when someone changed it meanwhile. */
export async function updateOffice(
  db: pg.ClientBase,
  id: string,
  expectedVersion: number,
  office: Required<OfficeInput>,
): Promise<Office | 'missing' | 'stale'> {
  const { rows } = await db.query<Row>(
    `UPDATE cell.offices SET kind = $3, name = $4, name_kana = $5, postal_code = $6, address = $7, phone = $8,
            version = version + 1, updated_at = now()
      WHERE id = $1 AND version = $2 RETURNING ${COLUMNS}`,
    [id, expectedVersion, office.kind, office.name, office.nameKana, office.postalCode, office.address, office.phone],
  );
  if (rows[0]) return fromRow(rows[0]);
  return (await findOffice(db, id)) ? 'stale' : 'missing';
}

export async function deleteOffice(db: pg.ClientBase, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM cell.offices WHERE id = $1', [id]);
  return rowCount === 1;
}

export interface OfficeFilter {
  kind?: OfficeKind;
  /** Part of the name or of the kana reading (already normalized). */
  q?: string;
}

/** A page in reading order (五十音順), after the given position. */
export async function listOffices(
  db: pg.ClientBase,
  filter: OfficeFilter,
  page: { limit: number; after?: { nameKana: string; id: string } },
): Promise<{ items: Office[]; total: number }> {
  const args: unknown[] = [filter.kind ?? null, filter.q ? `%${escapeLike(filter.q)}%` : null];
  const where = `($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR name LIKE $2 OR name_kana LIKE $2)`;
  const total = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM cell.offices WHERE ${where}`, args);
  let after = '';
  if (page.after) {
    args.push(page.after.nameKana, page.after.id);
    after = 'AND (name_kana, id) > ($3, $4::uuid)';
  }
  args.push(page.limit);
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM cell.offices WHERE ${where} ${after} ORDER BY name_kana, id LIMIT $${args.length}`,
    args,
  );
  return { items: rows.map(fromRow), total: Number(total.rows[0]!.n) };
}
