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
  register_loads: (m) => ({
    sql: `INSERT INTO cell.register_loads (municipality_code, id, source, seed, size, as_of) VALUES ($1, gen_random_uuid(), 'synthetic', 'fixture', 1, '2026-01-01')`,
    args: [m],
  }),
  bulk_exports: (m) => ({
    sql: `INSERT INTO cell.bulk_exports (municipality_code, id, dataset, filter, purpose, reason_sealed, requested_by, expires_at, max_downloads)
          VALUES ($1, gen_random_uuid(), 'fixture', '{}', 'statistics', '\\x00', gen_random_uuid(), now() + interval '1 day', 3)`,
    args: [m],
  }),
  bulk_export_file_parts: (m) => ({
    sql: `WITH e AS (INSERT INTO cell.bulk_exports (municipality_code, id, dataset, filter, purpose, reason_sealed, requested_by, expires_at, max_downloads)
                     VALUES ($1, gen_random_uuid(), 'fixture', '{}', 'statistics', '\\x00', gen_random_uuid(), now() + interval '1 day', 3)
                     RETURNING municipality_code, id)
          INSERT INTO cell.bulk_export_file_parts (municipality_code, export_id, part, data) SELECT municipality_code, id, 0, '\\x00' FROM e`,
    args: [m],
  }),
  bulk_export_records: (m) => ({
    sql: `WITH e AS (INSERT INTO cell.bulk_exports (municipality_code, id, dataset, filter, purpose, reason_sealed, requested_by, expires_at, max_downloads)
                     VALUES ($1, gen_random_uuid(), 'fixture', '{}', 'statistics', '\\x00', gen_random_uuid(), now() + interval '1 day', 3)
                     RETURNING municipality_code, id)
          INSERT INTO cell.bulk_export_records (municipality_code, export_id, record_id) SELECT municipality_code, id, gen_random_uuid()::text FROM e`,
    args: [m],
  }),
  // The register's tables get rows as the admin would never write them (sealed columns hold a dummy byte):
  // enough for the row-level security checks, which never open them.
  resident_changes: (m) => ({
    sql: `INSERT INTO cell.resident_changes (municipality_code, id, kind, event_date, filed_on, reason_code, late, operator_id,
                                           resident_ids, household_ids, payload_sealed)
          VALUES ($1, gen_random_uuid(), 'birth', '2026-01-01', '2026-01-02', 'family_register_notice', false, gen_random_uuid(),
                  ARRAY[gen_random_uuid()], ARRAY[gen_random_uuid()], '\\x00')`,
    args: [m],
  }),
  residents: (m) => ({
    sql: `INSERT INTO cell.residents (municipality_code, id, household_id, state, record_sealed, resident_code_index, last_change_seq)
          VALUES ($1, gen_random_uuid(), gen_random_uuid(), 'current', '\\x00', gen_random_uuid()::text::bytea, 1)`,
    args: [m],
  }),
  households: (m) => ({
    sql: `INSERT INTO cell.households (municipality_code, id, head_id, state, address_sealed) VALUES ($1, gen_random_uuid(), gen_random_uuid(), 'current', '\\x00')`,
    args: [m],
  }),
  resident_search_terms: (m) => ({
    sql: `INSERT INTO cell.resident_search_terms (municipality_code, kind, term, resident_id) VALUES ($1, 'kana_name', gen_random_uuid()::text::bytea, gen_random_uuid())`,
    args: [m],
  }),
  move_out_certificates: (m) => ({
    sql: `INSERT INTO cell.move_out_certificates (municipality_code, number, change_id, resident_ids, issued_on)
          VALUES ($1, 'T1999-' || lpad((random() * 999999)::int::text, 6, '0'), gen_random_uuid(), ARRAY[gen_random_uuid()], '1999-01-01')
          ON CONFLICT DO NOTHING`,
    args: [m],
  }),
  certificate_counters: (m) => ({
    sql: `INSERT INTO cell.certificate_counters (municipality_code, series, year, next) VALUES ($1, 'Z', 1999, 1) ON CONFLICT DO NOTHING`,
    args: [m],
  }),
  support_measures: (m) => ({
    sql: `INSERT INTO cell.support_measures (municipality_code, resident_id, since, decided_by) VALUES ($1, gen_random_uuid(), '2026-01-01', gen_random_uuid())`,
    args: [m],
  }),
  outbox: (m) => ({
    sql: `INSERT INTO cell.outbox (municipality_code, id, topic, payload) VALUES ($1, gen_random_uuid(), 'fixture', '{}')`,
    args: [m],
  }),
  // Certificates: a key (public half only, as after retirement) and a certificate it signed; sealed columns a dummy byte.
  certificate_signing_keys: (m) => ({
    sql: `INSERT INTO cell.certificate_signing_keys (municipality_code, id, key_id, public_key, state, retired_at)
          VALUES ($1, gen_random_uuid(), substr(md5(random()::text), 1, 11), decode(repeat('00', 32), 'hex'), 'retired', now())`,
    args: [m],
  }),
  issued_certificates: (m) => ({
    sql: `WITH k AS (INSERT INTO cell.certificate_signing_keys (municipality_code, id, key_id, public_key, state, retired_at)
                     VALUES ($1, gen_random_uuid(), substr(md5(random()::text), 1, 11), decode(repeat('00', 32), 'hex'), 'retired', now())
                     RETURNING municipality_code, key_id)
          INSERT INTO cell.issued_certificates (municipality_code, id, number, kind, issued_on, issued_by, resident_ids, key_id, token_hash, content_digest, view_sealed)
          SELECT municipality_code, gen_random_uuid(), 'Z1999-' || lpad((random() * 999999)::int::text, 6, '0'), 'resident_items', '1999-01-01',
                 gen_random_uuid(), ARRAY[gen_random_uuid()], key_id, sha256(random()::text::bytea), sha256(random()::text::bytea), '\\x00'
            FROM k`,
    args: [m],
  }),
  resident_views: (m) => ({
    sql: `INSERT INTO cell.resident_views (municipality_code, hour, account_id, resident_id)
          VALUES ($1, date_trunc('hour', now()), gen_random_uuid(), gen_random_uuid())`,
    args: [m],
  }),
  linkage_subscriptions: (m) => ({
    sql: `INSERT INTO cell.linkage_subscriptions (municipality_code, id, name, operation, purpose, topics, fields, consumer_account_id, created_by)
          VALUES ($1, gen_random_uuid(), 'fixture', 'child_allowance', 'child_allowance_eligibility', '{resident_register.birth}', '{}', gen_random_uuid(), gen_random_uuid())`,
    args: [m],
  }),
  linkage_day_boundaries: (m) => ({
    sql: `INSERT INTO cell.linkage_day_boundaries (municipality_code, day, horizon) VALUES ($1, '1999-01-01', '1') ON CONFLICT DO NOTHING`,
    args: [m],
  }),
  linkage_internal_cursors: (m) => ({
    sql: `INSERT INTO cell.linkage_internal_cursors (municipality_code, consumer) VALUES ($1, 'fixture') ON CONFLICT DO NOTHING`,
    args: [m],
  }),
  move_out_releases: (m) => ({
    sql: `INSERT INTO cell.move_out_releases (municipality_code, id, certificate_number, released_to, requested_by)
          VALUES ($1, gen_random_uuid(), 'T2026-000001', '011002', gen_random_uuid())`,
    args: [m],
  }),
  move_in_transfers: (m) => ({
    sql: `INSERT INTO cell.move_in_transfers (municipality_code, id, from_municipality, certificate_number, requested_by)
          VALUES ($1, gen_random_uuid(), '131016', 'T2026-' || lpad((random() * 999999)::int::text, 6, '0'), gen_random_uuid())`,
    args: [m],
  }),
  linkage_webhook_state: (m) => ({
    sql: `INSERT INTO cell.linkage_webhook_state (municipality_code, subscription_id) VALUES ($1, gen_random_uuid())`,
    args: [m],
  }),
  linkage_dead_letters: (m) => ({
    sql: `INSERT INTO cell.linkage_dead_letters (municipality_code, subscription_id, event_id, txid, seq, resident_ids, reason, attempts)
          VALUES ($1, gen_random_uuid(), gen_random_uuid(), '1', 1, '{}', 'failed', 1)`,
    args: [m],
  }),
  resident_view_residents: (m) => ({
    sql: `INSERT INTO cell.resident_view_residents (municipality_code, hour, resident_id)
          VALUES ($1, date_trunc('hour', now()), gen_random_uuid())`,
    args: [m],
  }),
  resident_view_counts: (m) => ({
    sql: `INSERT INTO cell.resident_view_counts (municipality_code, hour, slot, residents)
          VALUES ($1, date_trunc('hour', now()), 0, 1) ON CONFLICT DO NOTHING`,
    args: [m],
  }),
  operation_feeds: (m) => ({
    sql: `INSERT INTO cell.operation_feeds (municipality_code, consumer, subscription_id) VALUES ($1, 'national_health_insurance', gen_random_uuid()) ON CONFLICT DO NOTHING`,
    args: [m],
  }),
  nhi_members: (m) => ({
    sql: `INSERT INTO cell.nhi_members (municipality_code, resident_id, acquired_on, acquire_reason, household_id, last_event_id)
          VALUES ($1, gen_random_uuid(), '2026-04-01', 'move_in', gen_random_uuid(), gen_random_uuid())`,
    args: [m],
  }),
  nhi_people: (m) => ({
    sql: `INSERT INTO cell.nhi_people (municipality_code, resident_id, household_id, date_of_birth, head_of_household, is_current, last_event_id)
          VALUES ($1, gen_random_uuid(), gen_random_uuid(), '1980-01-01', true, true, gen_random_uuid())`,
    args: [m],
  }),
  nhi_premium_rates: (m) => ({
    sql: `INSERT INTO cell.nhi_premium_rates (municipality_code, version, levy, entries)
          SELECT $1, coalesce(max(version), 0) + 1, 'premium', '[]' FROM cell.nhi_premium_rates WHERE municipality_code = $1`,
    args: [m],
  }),
  child_allowance_residents: (m) => ({
    sql: `INSERT INTO cell.child_allowance_residents (municipality_code, resident_id, household_id, relationship, date_of_birth, resident_since, last_event_id)
          VALUES ($1, gen_random_uuid(), gen_random_uuid(), '子', '2020-01-01', '2026-04-01', gen_random_uuid())`,
    args: [m],
  }),
  child_allowance_claims: (m) => ({
    sql: `INSERT INTO cell.child_allowance_claims (municipality_code, id, claimant_id, household_id, claimed_on, start_month, recorded_by)
          VALUES ($1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '2026-04-10', '2026-05', gen_random_uuid())`,
    args: [m],
  }),
  child_allowance_claim_children: (m) => ({
    sql: `WITH c AS (INSERT INTO cell.child_allowance_claims (municipality_code, id, claimant_id, household_id, claimed_on, start_month, recorded_by)
                     VALUES ($1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '2026-04-10', '2026-05', gen_random_uuid())
                     RETURNING municipality_code, id)
          INSERT INTO cell.child_allowance_claim_children (municipality_code, id, claim_id, child_id, resident, date_of_birth, from_month)
          SELECT municipality_code, gen_random_uuid(), id, gen_random_uuid(), true, '2020-01-01', '2026-05' FROM c`,
    args: [m],
  }),
  child_allowance_revisions: (m) => ({
    sql: `WITH c AS (INSERT INTO cell.child_allowance_claims (municipality_code, id, claimant_id, household_id, claimed_on, start_month, recorded_by)
                     VALUES ($1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '2026-04-10', '2026-05', gen_random_uuid())
                     RETURNING municipality_code, id)
          INSERT INTO cell.child_allowance_revisions (municipality_code, claim_id, change_id, cause, effective_month, amount_before, amount_after, children_paid, children_counted)
          SELECT municipality_code, id, gen_random_uuid(), 'birth', '2026-07', 10000, 25000, 2, 2 FROM c`,
    args: [m],
  }),
  child_allowance_applied_events: (m) => ({
    sql: `INSERT INTO cell.child_allowance_applied_events (municipality_code, event_id) VALUES ($1, gen_random_uuid())`,
    args: [m],
  }),
  // Residential tax: a period of residence, a superseded income record and an assessment of a run (sealed columns a dummy byte).
  residential_tax_roster: (m) => ({
    sql: `INSERT INTO cell.residential_tax_roster (municipality_code, resident_id, resident_from, left_on, left_reason, household_id, date_of_birth, relationship, last_event_id)
          VALUES ($1, gen_random_uuid(), '2000-04-01', '2001-01-15', 'moved_out', gen_random_uuid(), '1980-01-01', '世帯主', gen_random_uuid())`,
    args: [m],
  }),
  residential_tax_income_records: (m) => ({
    sql: `INSERT INTO cell.residential_tax_income_records (municipality_code, id, resident_id, fiscal_year, version, superseded_at, record_sealed)
          VALUES ($1, gen_random_uuid(), gen_random_uuid(), 2026, 1, now(), '\\x00')`,
    args: [m],
  }),
  residential_tax_runs: (m) => ({
    sql: `INSERT INTO cell.residential_tax_runs (municipality_code, id, fiscal_year, number, living_cost_class, designated_city, rate_set_from, roster_total, finished_at)
          VALUES ($1, gen_random_uuid(), 2001, 1 + (random() * 1000000)::int, 1, false, 2026, 0, now())`,
    args: [m],
  }),
  residential_tax_assessments: (m) => ({
    sql: `INSERT INTO cell.residential_tax_assessments (municipality_code, id, fiscal_year, resident_id, run_id, run_number, outcome)
          VALUES ($1, gen_random_uuid(), 2001, gen_random_uuid(), gen_random_uuid(), 1, 'unreported')`,
    args: [m],
  }),
};
