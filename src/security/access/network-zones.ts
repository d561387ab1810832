/**
 * Network zones of the three-layer model (三層の対策): a municipality's My Number
 * segment (個人番号利用事務系), its LGWAN segment, and the internet segment. Each
 * municipality configures the address ranges of its segments; My Number work is
 * accepted only from addresses inside its My Number zone.
 */
import net from 'node:net';
import type pg from 'pg';

export const ZONES = ['my_number', 'lgwan', 'internet'] as const;
export type Zone = (typeof ZONES)[number];

/** A CIDR range as `address/prefix`, or null when it is not one (host bits are cleared when stored). Pure. */
export function canonicalCidr(text: string): string | null {
  const [address, bits, extra] = text.trim().split('/');
  if (!address || extra !== undefined) return null;
  const family = net.isIP(address);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^[0-9]{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return `${address}/${prefix}`;
}

export interface ZoneRange {
  readonly zone: Zone;
  readonly cidr: string;
}

/** The zone a client address is in for a municipality, or 'unknown'. The My Number zone wins over overlaps. */
export async function zoneOf(db: pg.Pool, municipalityCode: string, address: string): Promise<Zone | 'unknown'> {
  if (net.isIP(address) === 0) return 'unknown';
  const { rows } = await db.query<{ zone: Zone }>(
    `SELECT zone FROM control.network_zones WHERE municipality_code = $1 AND $2::inet <<= cidr
      ORDER BY array_position(ARRAY['my_number', 'lgwan', 'internet'], zone) LIMIT 1`,
    [municipalityCode, address],
  );
  return rows[0]?.zone ?? 'unknown';
}

export async function listZones(db: pg.Pool, municipalityCode: string): Promise<ZoneRange[]> {
  const { rows } = await db.query<{ zone: Zone; cidr: string }>(
    'SELECT zone, cidr::text AS cidr FROM control.network_zones WHERE municipality_code = $1 ORDER BY zone, cidr',
    [municipalityCode],
  );
  return rows;
}

/** Replaces the municipality's configured ranges in one transaction. */
export async function replaceZones(client: pg.ClientBase, municipalityCode: string, ranges: readonly ZoneRange[]): Promise<void> {
  await client.query('DELETE FROM control.network_zones WHERE municipality_code = $1', [municipalityCode]);
  if (ranges.length === 0) return;
  await client.query(
    `INSERT INTO control.network_zones (municipality_code, zone, cidr)
     SELECT $1, z, network(c::inet) FROM unnest($2::text[], $3::text[]) AS t(z, c)
     ON CONFLICT DO NOTHING`,
    [municipalityCode, ranges.map((r) => r.zone), ranges.map((r) => r.cidr)],
  );
}
