/**
 * `municloud placement …`: where municipalities' data lives, for the platform
 * operator. Placing goes through the same checks as the API (the placement
 * policy included) and is audited as a job of the platform; the system
 * security plan and the plan of action and milestones are the same documents
 * the API gives (docs/providers.md, "The placement as OSCAL").
 */
import type { Command } from 'commander';
import { dayOption, withinDaysOption } from '../cli-options.js';
import { writeOrPrint } from '../../cli/files.js';
import type { Platform } from '../../platform/http/server.js';
import { placeMunicipality } from '../../platform/placing.js';
import { operatorJob, recordJobAction } from '../../security/audit/record.js';
import { todayInJapan } from '../days.js';
import { DEFAULT_ALERT_DAYS } from './alerts.js';
import { cellStanding } from './locations.js';
import { placementPoamOf, placementSystemSecurityPlanOf } from './oscal-exports.js';

export interface PlacementCliIo {
  withPlatform<T>(use: (platform: Platform) => Promise<T>): Promise<T>;
  out(text: string): void;
}

export function registerPlacementCommands(program: Command, io: PlacementCliIo): void {
  const placement = program.command('placement').description("Where each municipality's data lives: placing it on a cell, and the placement as OSCAL (docs/providers.md)");

  placement
    .command('list')
    .description('Every placement, with whether its cell may hold the data on the day')
    .option('--on <date>', 'the day (default today)', dayOption('--on'))
    .option('--json', 'print JSON')
    .action(async (opts: { on?: string; json?: boolean }) => {
      const on = opts.on ?? todayInJapan();
      const rows = await io.withPlatform(async (platform) => {
        const placements = await platform.cells.placements();
        const standings = new Map<string, Awaited<ReturnType<typeof cellStanding>>>();
        for (const cellId of new Set(placements.map((p) => p.cellId))) standings.set(cellId, await cellStanding(platform.control, cellId, { on }));
        return placements.map((p) => ({ ...p, placement: standings.get(p.cellId)!.placement }));
      });
      if (opts.json) return io.out(`${JSON.stringify({ on, items: rows }, null, 2)}\n`);
      const lines = rows.map((r) => {
        const p = r.placement;
        const verdict = p.allowed ? `covered${p.coveredUntil ? ` until ${p.coveredUntil}` : ''}` : `NOT covered: ${p.reasons.join(', ')}`;
        return `${r.municipalityCode}  ${r.cellId}  placed ${todayInJapan(new Date(r.placedAt))}  ${verdict}`;
      });
      io.out(`${[...lines, `${rows.length} placement(s) on ${on}`].join('\n')}\n`);
    });

  placement
    .command('set <code>')
    .description("Place a municipality's data on a cell (once; the cell must be in Japan, registered and certified for the data: placement_refused otherwise)")
    .requiredOption('--cell <cellId>', 'the cell')
    .option('--json', 'print JSON')
    .action(async (code: string, opts: { cell: string; json?: boolean }) => {
      const job = operatorJob();
      const placed = await io.withPlatform((platform) =>
        placeMunicipality(platform, { code, cellId: opts.cell, by: null }, { record: (details) => recordJobAction(platform, job, 'placement_set', details), codeField: '<code>', cellField: '--cell' }),
      );
      io.out(opts.json ? `${JSON.stringify(placed, null, 2)}\n` : `${placed.municipalityCode} placed on ${placed.cellId} (${placed.placedAt}); audit run id ${job.runId}\n`);
    });

  /** An OSCAL document as JSON: written whole to --out, else printed. */
  const writeDocument = (value: unknown, out: string | undefined) => writeOrPrint(`${JSON.stringify(value, null, 2)}\n`, out, io.out);

  placement
    .command('ssp <code>')
    .description("A municipality's placement as an OSCAL 1.2.1 system security plan (checked against NIST's schema)")
    .option('--on <date>', 'the day (default today)', dayOption('--on'))
    .option('--out <file>', 'write to this file (else standard output)')
    .action(async (code: string, opts: { on?: string; out?: string }) => {
      const plan = await io.withPlatform((platform) => placementSystemSecurityPlanOf(platform.control, code, { ...(opts.on ? { on: opts.on } : {}), field: '<code>' }));
      await writeDocument(plan, opts.out);
    });

  placement
    .command('poam <code>')
    .description(`A municipality's placement alerts as an OSCAL 1.2.1 plan of action and milestones (lapses within --within-days, default ${DEFAULT_ALERT_DAYS})`)
    .option('--on <date>', 'the day (default today)', dayOption('--on'))
    .option('--within-days <days>', 'how far ahead', withinDaysOption)
    .option('--out <file>', 'write to this file (else standard output)')
    .action(async (code: string, opts: { on?: string; withinDays?: number; out?: string }) => {
      const plan = await io.withPlatform((platform) =>
        placementPoamOf(platform.control, code, { ...(opts.on ? { on: opts.on } : {}), ...(opts.withinDays !== undefined ? { withinDays: opts.withinDays } : {}), field: '<code>' }),
      );
      await writeDocument(plan, opts.out);
    });
}
