/**
 * NHI membership in a cell (cell migration 0012). Every function
 * takes a client from a tenant transaction: row-level security confines it to
 * one municipality, and the municipality code written is the transaction's own.
 * Dates are read as text (YYYY-MM-DD): a JavaScript Date would shift them by
 * the server's time zone.
 */
import type pg from 'pg';
import type { MembershipEffect, MembershipState } from './register-events.js';

export interface Membership {
  readonly residentId: string;
  readonly acquiredOn: string;
  readonly acquireReason: string;
  readonly lostOn: string | null;
  readonly loseReason: string | null;
  readonly householdId: string | null;
  /** The register change (feed event) that last changed this membership. */
  readonly lastChangeId: string;
  readonly updatedAt: string;
}

type MembershipRowDb = {
  resident_id: string;
  acquired_on: string;
  acquire_reason: string;
  lost_on: string | null;
  lose_reason: string | null;
  household_id: string | null;
  last_event_id: string;
  updated_at: Date;
};

const COLUMNS = `resident_id, to_char(acquired_on, 'YYYY-MM-DD') AS acquired_on, acquire_reason, to_char(lost_on, 'YYYY-MM-DD') AS lost_on, lose_reason,
  household_id, last_event_id, updated_at`;
const fromDb = (r: MembershipRowDb): Membership => ({
  residentId: r.resident_id,
  acquiredOn: r.acquired_on,
  acquireReason: r.acquire_reason,
  lostOn: r.lost_on,
  loseReason: r.lose_reason,
  householdId: r.household_id,
  lastChangeId: r.last_event_id,
  updatedAt: r.updated_at.toISOString(),
});

/** Every membership of one resident, oldest first. */
export async function membershipsOf(db: pg.ClientBase, residentId: string): Promise<Membership[]> {
  const { rows } = await db.query<MembershipRowDb>(`SELECT ${COLUMNS} FROM cell.nhi_members WHERE resident_id = $1 ORDER BY acquired_on`, [residentId]);
  return rows.map(fromDb);
}

export interface MemberFilter {
  readonly householdId?: string | undefined;
  readonly openOnly?: boolean | undefined;
}

export interface MemberListPosition {
  readonly residentId: string;
  readonly acquiredOn: string;
}

/** A page of memberships in (resident, acquisition) order, after the given position. */
export async function listMemberships(
  db: pg.ClientBase,
  filter: MemberFilter,
  page: { limit: number; after?: MemberListPosition | undefined },
): Promise<{ items: Membership[]; total: number }> {
  const args: unknown[] = [filter.householdId ?? null, filter.openOnly ?? false];
  const where = '($1::uuid IS NULL OR household_id = $1) AND (NOT $2::boolean OR lost_on IS NULL)';
  const total = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM cell.nhi_members WHERE ${where}`, args);
  const { rows } = await db.query<MembershipRowDb>(
    `SELECT ${COLUMNS} FROM cell.nhi_members
      WHERE ${where} AND ($3::uuid IS NULL OR (resident_id, acquired_on) > ($3::uuid, $4::date))
      ORDER BY resident_id, nhi_members.acquired_on LIMIT $5`,
    [...args, page.after?.residentId ?? null, page.after?.acquiredOn ?? null, page.limit],
  );
  return { items: rows.map(fromDb), total: Number(total.rows[0]!.n) };
}

/** What the module holds of each of these residents: the open membership and the latest one. */
export async function membershipStates(db: pg.ClientBase, residentIds: readonly string[]): Promise<Map<string, MembershipState>> {
  const out = new Map<string, MembershipState>();
  if (residentIds.length === 0) return out;
  const { rows } = await db.query<MembershipRowDb>(`SELECT ${COLUMNS} FROM cell.nhi_members WHERE resident_id = ANY($1::uuid[]) ORDER BY resident_id, acquired_on`, [
    [...new Set(residentIds)],
  ]);
  for (const r of rows) {
    const before = out.get(r.resident_id);
    out.set(r.resident_id, {
      open: r.lost_on === null ? { acquiredOn: r.acquired_on, householdId: r.household_id } : (before?.open ?? null),
      // Rows come oldest first: the last one seen is the latest.
      latest: { acquiredOn: r.acquired_on, lostOn: r.lost_on, loseReason: r.lose_reason },
    });
  }
  return out;
}

/**
 * Applies one event's effects. Each is harmless when applied again: an
 * acquisition of someone already insured (or of the same day again) inserts
 * nothing, a loss closes only an open membership that began on or before it,
 * a reopening only a closed one while no other is open.
 */
export async function applyMembershipEffects(db: pg.ClientBase, eventId: string, effects: readonly MembershipEffect[]): Promise<{ acquired: number; lost: number; reopened: number }> {
  const done = { acquired: 0, lost: 0, reopened: 0 };
  for (const e of effects) {
    switch (e.op) {
      case 'acquire': {
        const { rowCount } = await db.query(
          `INSERT INTO cell.nhi_members (municipality_code, resident_id, acquired_on, acquire_reason, household_id, last_event_id)
           VALUES (cell.current_municipality(), $1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [e.residentId, e.date, e.reason, e.householdId, eventId],
        );
        done.acquired += rowCount ?? 0;
        break;
      }
      case 'lose': {
        const { rowCount } = await db.query(
          `UPDATE cell.nhi_members SET lost_on = $2, lose_reason = $3, last_event_id = $4, updated_at = now()
            WHERE resident_id = $1 AND lost_on IS NULL AND acquired_on <= $2::date`,
          [e.residentId, e.date, e.reason, eventId],
        );
        done.lost += rowCount ?? 0;
        break;
      }
      case 'reopen': {
        const { rowCount } = await db.query(
          `UPDATE cell.nhi_members m SET lost_on = NULL, lose_reason = NULL, last_event_id = $3, updated_at = now()
            WHERE m.resident_id = $1 AND m.acquired_on = $2 AND m.lost_on IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM cell.nhi_members o WHERE o.resident_id = $1 AND o.lost_on IS NULL)`,
          [e.residentId, e.acquiredOn, eventId],
        );
        done.reopened += rowCount ?? 0;
        break;
      }
      case 'household':
        await db.query(
          `UPDATE cell.nhi_members SET household_id = $2, last_event_id = $3, updated_at = now()
            WHERE resident_id = $1 AND lost_on IS NULL AND household_id IS DISTINCT FROM $2`,
          [e.residentId, e.householdId, eventId],
        );
        break;
    }
  }
  return done;
}

/** Keeps each open membership's day of ending by age (ageing.ts); writes only a change. */
export async function setAgesOut(db: pg.ClientBase, dates: readonly { residentId: string; on: string }[]): Promise<void> {
  if (dates.length === 0) return;
  await db.query(
    `UPDATE cell.nhi_members m SET ages_out_on = d.day, updated_at = now()
       FROM unnest($1::uuid[], $2::date[]) AS d(resident_id, day)
      WHERE m.resident_id = d.resident_id AND m.lost_on IS NULL AND m.ages_out_on IS DISTINCT FROM d.day`,
    [dates.map((d) => d.residentId), dates.map((d) => d.on)],
  );
}

/**
 * Closes the open memberships whose holder has turned 75 by `today` (their
 * ages_out_on has come), on that day, for reason late_stage_elderly; answers
 * whose. Harmless when run again: only open memberships are closed.
 */
export async function closeAgedOutMemberships(db: pg.ClientBase, today: string): Promise<string[]> {
  const { rows } = await db.query<{ resident_id: string }>(
    `UPDATE cell.nhi_members SET lost_on = ages_out_on, lose_reason = 'late_stage_elderly', updated_at = now()
      WHERE lost_on IS NULL AND ages_out_on <= $1::date AND ages_out_on >= acquired_on
      RETURNING resident_id`,
    [today],
  );
  return rows.map((r) => r.resident_id);
}
