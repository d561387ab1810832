/**
 * One plausible row per tenant table, for a given municipality: the isolation
 * suite inserts these (as the administrator) into tables that the route cases
 * left empty, so the row-level security checks always run over rows of several
 * municipalities. A new tenant table without a fixture here fails the suite.
 */
export const TABLE_FIXTURES: Readonly<Record<string, (municipalityCode: string) => { sql: string; args: unknown[] }>> = {
  offices: (m) => ({
    sql: `INSERT INTO cell.offices (municipality_code, kind, name, name_kana) VALUES ($1, 'counter', '出張所', 'シュッチョウジョ')`,
    args: [m],
  }),
  resident_views: (m) => ({
    sql: `INSERT INTO cell.resident_views (municipality_code, hour, account_id, resident_id)
          VALUES ($1, date_trunc('hour', now()), gen_random_uuid(), gen_random_uuid())`,
    args: [m],
  }),
};
