/** Organizations in the control database. */
import pg from 'pg';
import { fieldError, Problem } from '../platform/errors.js';
import { codeProblem } from './local-government-code.js';
import type { Organization, OrganizationKind } from './organization.js';

interface Row {
  code: string;
  kind: OrganizationKind;
  name: string;
  name_kana: string;
  prefecture_code: string | null;
  parent_code: string | null;
  abolished_on: string | null;
  source: string;
  as_of: string;
}

const COLUMNS = `code, kind, name, name_kana, prefecture_code, parent_code,
  to_char(abolished_on, 'YYYY-MM-DD') AS abolished_on, source, to_char(as_of, 'YYYY-MM-DD') AS as_of`;

function fromRow(r: Row): Organization {
  return {
    code: r.code,
    kind: r.kind,
    name: r.name,
    nameKana: r.name_kana,
    prefectureCode: r.prefecture_code,
    parentCode: r.parent_code,
    abolishedOn: r.abolished_on,
    source: r.source,
    asOf: r.as_of,
  };
}

/**
 * Loads the catalogue into the control database (run by `migrate`, as the
 * migration role). Parents first, so the foreign keys hold within one statement.
 */
export async function syncCatalogue(admin: pg.ClientBase, orgs: readonly Organization[]): Promise<number> {
  const depth = (o: Organization) => (o.kind === 'digital_agency' || o.kind === 'prefecture' ? 0 : o.kind === 'ward' ? 2 : 1);
  const ordered = [...orgs].sort((a, b) => depth(a) - depth(b) || a.code.localeCompare(b.code));
  await admin.query(
    `INSERT INTO control.organizations (code, kind, name, name_kana, prefecture_code, parent_code, abolished_on, source, as_of)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(code text, kind text, name text, name_kana text,
       prefecture_code text, parent_code text, abolished_on date, source text, as_of date)
     ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, name_kana = EXCLUDED.name_kana,
       prefecture_code = EXCLUDED.prefecture_code, parent_code = EXCLUDED.parent_code,
       abolished_on = EXCLUDED.abolished_on, source = EXCLUDED.source, as_of = EXCLUDED.as_of`,
    [
      JSON.stringify(
        ordered.map((o) => ({
          code: o.code,
          kind: o.kind,
          name: o.name,
          name_kana: o.nameKana,
          prefecture_code: o.prefectureCode,
          parent_code: o.parentCode,
          abolished_on: o.abolishedOn,
          source: o.source,
          as_of: o.asOf,
        })),
      ),
    ],
  );
  return ordered.length;
}

export async function findOrganization(db: pg.Pool | pg.ClientBase, code: string): Promise<Organization | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM control.organizations WHERE code = $1`, [code]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/**
 * An organization code entered by a user, checked in full: well-formed, known,
 * and (unless history is asked for) still in existence. `field` names where the
 * code was entered, for the error.
 */
export async function requireOrganization(
  db: pg.Pool | pg.ClientBase,
  code: string,
  field: string,
  options: { allowAbolished?: boolean } = {},
): Promise<Organization> {
  const problem = codeProblem(code);
  if (problem) {
    throw new Problem('invalid_organization_code', [
      fieldError(
        field,
        problem,
        problem === 'format'
          ? { ja: '6桁の数字である必要があります。', en: 'must be six digits' }
          : { ja: '検査数字が正しくありません。', en: 'has a wrong check digit' },
      ),
    ]);
  }
  const org = await findOrganization(db, code);
  if (!org) throw new Problem('unknown_organization', [fieldError(field, 'known', { ja: '登録されていない団体コードです。', en: 'is not a known organization code' })]);
  if (org.abolishedOn && !options.allowAbolished) {
    throw new Problem('abolished_organization', [
      fieldError(field, 'in_existence', { ja: `${org.abolishedOn} に廃止された団体です。`, en: `was abolished on ${org.abolishedOn}` }),
    ]);
  }
  return org;
}

export interface OrganizationFilter {
  kind?: OrganizationKind;
  prefectureCode?: string;
  parentCode?: string;
  /** Matches the name or its kana reading. */
  q?: string;
  includeAbolished?: boolean;
}

export async function listOrganizations(
  db: pg.Pool,
  filter: OrganizationFilter,
  page: { limit: number; afterCode?: string },
): Promise<{ items: Organization[]; total: number }> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (filter.kind) where.push(`kind = ${arg(filter.kind)}`);
  if (filter.prefectureCode) where.push(`prefecture_code = ${arg(filter.prefectureCode)}`);
  if (filter.parentCode) where.push(`parent_code = ${arg(filter.parentCode)}`);
  if (filter.q) {
    const p = arg(`%${escapeLike(filter.q)}%`);
    where.push(`(name LIKE ${p} OR name_kana LIKE ${p})`);
  }
  if (!filter.includeAbolished) where.push('abolished_on IS NULL');
  const base = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM control.organizations ${base}`, args);
  const pageWhere = page.afterCode ? `${base ? `${base} AND` : 'WHERE'} code > ${arg(page.afterCode)}` : base;
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM control.organizations ${pageWhere} ORDER BY code LIMIT ${arg(page.limit)}`,
    args,
  );
  return { items: rows.map(fromRow), total: Number(total.rows[0]!.n) };
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
