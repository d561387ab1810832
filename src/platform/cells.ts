/**
 * The cell directory: which PostgreSQL cell holds a municipality's data, and a
 * request pool (application role) for each cell. Placements are never moved by
 * this module (moving a municipality is the portability operation), so a found
 * placement can be cached for the life of the process.
 */
import type pg from 'pg';
import { Problem } from './errors.js';

export interface Placement {
  readonly municipalityCode: string;
  readonly cellId: string;
  readonly placedAt: string;
}

/**
 * Asked before a municipality is placed: throws (a Problem) to refuse the
 * placement. The platform's guard is the placement policy of the provider
 * registry (src/providers/placement/guard.ts): a cell on a certified provider
 * and region in Japan. Required, so no directory places without one.
 */
export type PlacementGuard = (placement: { readonly municipalityCode: string; readonly cellId: string }) => Promise<void>;

export class CellDirectory {
  private readonly placementCache = new Map<string, string>();

  constructor(
    private readonly control: pg.Pool,
    private readonly pools: ReadonlyMap<string, pg.Pool>,
    readonly defaultCellId: string,
    private readonly guard: PlacementGuard,
  ) {}

  cellIds(): string[] {
    return [...this.pools.keys()];
  }

  /** A cell's request pool by id. */
  cellPool(cellId: string): pg.Pool {
    const pool = this.pools.get(cellId);
    if (!pool) throw new Problem('not_found');
    return pool;
  }

  hasCell(cellId: string): boolean {
    return this.pools.has(cellId);
  }

  /** The request pool of a municipality's cell; refuses a municipality not yet placed. */
  async poolFor(municipalityCode: string): Promise<pg.Pool> {
    let cellId = this.placementCache.get(municipalityCode);
    if (!cellId) {
      const { rows } = await this.control.query<{ cell_id: string }>(
        'SELECT cell_id FROM control.placements WHERE municipality_code = $1',
        [municipalityCode],
      );
      cellId = rows[0]?.cell_id;
      if (!cellId) throw new Problem('municipality_not_placed');
      this.placementCache.set(municipalityCode, cellId);
    }
    const pool = this.pools.get(cellId);
    // A placement on a cell this process has no URL for is a configuration fault.
    if (!pool) throw new Problem('service_unavailable');
    return pool;
  }

  /**
   * Places a municipality on a cell; placing it again on the same cell is a
   * no-op. A new placement must pass the guard (the placement policy); one
   * already made is never undone or moved here.
   */
  async place(municipalityCode: string, cellId: string, placedBy: string | null): Promise<Placement> {
    if (!this.pools.has(cellId)) throw new Problem('not_found');
    const existing = await this.placementOf(municipalityCode);
    if (existing) return this.sameCell(existing, cellId);
    await this.guard({ municipalityCode, cellId });
    await this.control.query(
      `INSERT INTO control.placements (municipality_code, cell_id, placed_by) VALUES ($1, $2, $3)
       ON CONFLICT (municipality_code) DO NOTHING`,
      [municipalityCode, cellId, placedBy],
    );
    return this.sameCell((await this.placementOf(municipalityCode))!, cellId);
  }

  private async placementOf(municipalityCode: string): Promise<Placement | null> {
    const { rows } = await this.control.query<{ cell_id: string; placed_at: Date }>(
      'SELECT cell_id, placed_at FROM control.placements WHERE municipality_code = $1',
      [municipalityCode],
    );
    const row = rows[0];
    return row ? { municipalityCode, cellId: row.cell_id, placedAt: row.placed_at.toISOString() } : null;
  }

  private sameCell(placement: Placement, cellId: string): Placement {
    if (placement.cellId !== cellId) {
      throw new Problem('conflict', [], {
        ja: 'この団体は既に別のセルに配置されています。移行はデータ移行機能で行います。',
        en: 'This municipality is already placed on another cell; moving it is a data migration.',
      });
    }
    return placement;
  }

  async placements(): Promise<Placement[]> {
    const { rows } = await this.control.query<{ municipality_code: string; cell_id: string; placed_at: Date }>(
      'SELECT municipality_code, cell_id, placed_at FROM control.placements ORDER BY municipality_code',
    );
    return rows.map((r) => ({ municipalityCode: r.municipality_code, cellId: r.cell_id, placedAt: r.placed_at.toISOString() }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end()));
  }
}
