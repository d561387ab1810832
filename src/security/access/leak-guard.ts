/**
 * Leak guard: limits on how many distinct residents one account, and one
 * municipality as a whole, may view in an hour. Bulk copying — the pattern of
 * the 2015 pension and 2023 LY leaks — crosses them; a clerk at the counter
 * does not. Crossing a limit refuses the read, blocks the account from reading
 * personal data until an admin lifts the block, and alerts the municipality's
 * admins and auditors.
 */
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Platform } from '../../platform/http/server.js';
import { recordAction } from '../audit/record.js';
import type { Principal } from '../../identity/roles.js';
import { Problem } from '../../platform/errors.js';

export interface LeakGuardLimits {
  readonly perAccountPerHour: number;
  readonly perMunicipalityPerHour: number;
}

/** Defaults until a municipality sets its own: generous for counter work, far below a bulk copy. */
export const DEFAULT_LIMITS: LeakGuardLimits = { perAccountPerHour: 300, perMunicipalityPerHour: 20_000 };

export type CrossedLimit = 'account' | 'municipality';

/** Which limit the hour's counts (including the views being admitted) cross, if any. Pure. */
export function crossedLimit(counts: { account: number; municipality: number }, limits: LeakGuardLimits): CrossedLimit | null {
  if (counts.account > limits.perAccountPerHour) return 'account';
  if (counts.municipality > limits.perMunicipalityPerHour) return 'municipality';
  return null;
}

export async function limitsFor(control: pg.Pool, municipalityCode: string): Promise<LeakGuardLimits> {
  const { rows } = await control.query<{ a: number; m: number }>(
    'SELECT per_account_per_hour AS a, per_municipality_per_hour AS m FROM control.leak_guard_limits WHERE municipality_code = $1',
    [municipalityCode],
  );
  return rows[0] ? { perAccountPerHour: rows[0].a, perMunicipalityPerHour: rows[0].m } : DEFAULT_LIMITS;
}

export async function setLimits(control: pg.Pool, municipalityCode: string, limits: LeakGuardLimits): Promise<void> {
  await control.query(
    `INSERT INTO control.leak_guard_limits (municipality_code, per_account_per_hour, per_municipality_per_hour) VALUES ($1, $2, $3)
     ON CONFLICT (municipality_code) DO UPDATE SET per_account_per_hour = EXCLUDED.per_account_per_hour,
       per_municipality_per_hour = EXCLUDED.per_municipality_per_hour, updated_at = now()`,
    [municipalityCode, limits.perAccountPerHour, limits.perMunicipalityPerHour],
  );
}

/**
 * Records the views and returns the hour's counts including them, in one statement
 * (cell migration 0008). Every sub-statement sees the snapshot from before it, so
 * the rows it adds are counted from the CTEs' RETURNING and the rest from the tables.
 * The municipality's count grows only by residents nobody viewed yet this hour, in
 * the slot of this database session; concurrent reads of other sessions add to
 * other slots instead of queuing on one row.
 */
export const RECORD_AND_COUNT_VIEWS = `
  WITH viewed AS (
    INSERT INTO cell.resident_views (municipality_code, hour, account_id, resident_id)
    SELECT cell.current_municipality(), $1, $2, id FROM unnest($3::uuid[]) AS id
    ON CONFLICT DO NOTHING RETURNING resident_id
  ), first_this_hour AS (
    INSERT INTO cell.resident_view_residents (municipality_code, hour, resident_id)
    SELECT cell.current_municipality(), $1, resident_id FROM viewed
    ON CONFLICT DO NOTHING RETURNING 1
  ), counted AS (
    INSERT INTO cell.resident_view_counts (municipality_code, hour, slot, residents)
    SELECT cell.current_municipality(), $1, pg_backend_pid() % 64, count(*) FROM first_this_hour HAVING count(*) > 0
    ON CONFLICT (municipality_code, hour, slot) DO UPDATE SET residents = cell.resident_view_counts.residents + EXCLUDED.residents
  )
  SELECT (SELECT count(*) FROM cell.resident_views WHERE hour = $1 AND account_id = $2)::int
           + (SELECT count(*) FROM viewed)::int AS account,
         (SELECT coalesce(sum(residents), 0) FROM cell.resident_view_counts WHERE hour = $1)::int
           + (SELECT count(*) FROM first_this_hour)::int AS municipality`;

/**
 * Admits a read of these residents' personal data by the request's principal, inside the
 * tenant transaction that reads them (so a refused read records no views).
 * The block and the alert are written to the control database on their own,
 * so they stand although the read is refused; so does the audit entry.
 */
export async function admitResidentViews(
  platform: Platform,
  request: FastifyRequest,
  tenant: pg.ClientBase,
  residentIds: readonly string[],
  now: Date = new Date(),
): Promise<void> {
  const { control } = platform;
  const principal = request.principal;
  if (!principal) throw new Problem('unauthenticated');
  if (principal.readsBlocked) throw new Problem('reads_blocked');
  if (residentIds.length === 0) return;
  const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  // The limits come from the control database: asked for at the same time, not after.
  const [{ rows }, limits] = await Promise.all([
    tenant.query<{ account: number; municipality: number }>(RECORD_AND_COUNT_VIEWS, [
      hour,
      principal.accountId,
      // Sorted, so two reads of overlapping residents take their index entries in one order (no deadlock).
      [...new Set(residentIds)].sort(),
    ]),
    limitsFor(control, principal.organizationCode),
  ]);
  const crossed = crossedLimit(rows[0]!, limits);
  if (!crossed) return;
  await blockReads(control, principal, crossed);
  await recordAction(platform, request, 'leak_guard_tripped', { refused: `${crossed}_limit`, records: [{ resource: 'accounts', ids: [principal.accountId] }] });
  throw new Problem('reads_blocked');
}

async function blockReads(control: pg.Pool, principal: Principal, crossed: CrossedLimit): Promise<void> {
  const client = await control.connect();
  try {
    await client.query('BEGIN');
    const blocked = await client.query('UPDATE control.accounts SET reads_blocked_at = now() WHERE id = $1 AND reads_blocked_at IS NULL', [
      principal.accountId,
    ]);
    // One alert per block, however many requests race into it.
    if (blocked.rowCount === 1) {
      await client.query('INSERT INTO control.alerts (municipality_code, kind, account_id) VALUES ($1, $2, $3)', [
        principal.organizationCode,
        crossed === 'account' ? 'leak_guard_account_limit' : 'leak_guard_municipality_limit',
        principal.accountId,
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** An admin lifts a block after looking into it. */
export async function unblockReads(control: pg.Pool, accountId: string): Promise<boolean> {
  const { rowCount } = await control.query('UPDATE control.accounts SET reads_blocked_at = NULL WHERE id = $1 AND reads_blocked_at IS NOT NULL', [accountId]);
  return rowCount === 1;
}

export interface Alert {
  readonly id: string;
  readonly kind: string;
  readonly accountId: string | null;
  readonly createdAt: string;
  readonly acknowledgedAt: string | null;
}

/** A municipality's alerts, newest first (the last 500). */
export async function listAlerts(control: pg.Pool, municipalityCode: string, options: { openOnly: boolean }): Promise<Alert[]> {
  const { rows } = await control.query<{ id: string; kind: string; account_id: string | null; created_at: Date; acknowledged_at: Date | null }>(
    `SELECT id, kind, account_id, created_at, acknowledged_at FROM control.alerts
      WHERE municipality_code = $1 AND (NOT $2 OR acknowledged_at IS NULL) ORDER BY created_at DESC LIMIT 500`,
    [municipalityCode, options.openOnly],
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    accountId: r.account_id,
    createdAt: r.created_at.toISOString(),
    acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
  }));
}

/** Marks one of the municipality's open alerts as seen; false when it has no such open alert. */
export async function acknowledgeAlert(control: pg.Pool, municipalityCode: string, alertId: string, accountId: string): Promise<boolean> {
  const { rowCount } = await control.query(
    `UPDATE control.alerts SET acknowledged_at = now(), acknowledged_by = $3
      WHERE id = $1 AND municipality_code = $2 AND acknowledged_at IS NULL`,
    [alertId, municipalityCode, accountId],
  );
  return rowCount === 1;
}
