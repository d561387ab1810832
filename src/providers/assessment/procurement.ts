/**
 * Procurement: several proposals (a single service, or a joint proposal whose
 * lead service inherits requirements from partners' services) compared side
 * by side against one data class's profile, on a day. Each cell says how the
 * proposal meets the requirement: met, inherited (from whom), missing (why),
 * or expiring (met or inherited, but the basis ends within N days). Exported
 * as CSV (for a spreadsheet) and JSON. Pure.
 */
import type { Message } from '../../platform/errors.js';
import { csvRecord } from '../../security/exports/csv.js';
import type { DataClass } from '../catalog/profiles.js';
import { type CertificationInput, decideCertification, type Gap, type GapKind, partnerShortfall } from './certification.js';
import { daysBetween, earliestDay, isDay } from '../days.js';

export interface Proposal {
  /** A key for the proposal (e.g. the bid's number). */
  readonly id: string;
  /** How the proposal is shown: a column header. */
  readonly title: string;
  /** The lead service's claims, findings, registration and its partners' standing. */
  readonly lead: Omit<CertificationInput, 'dataClass' | 'requirementIds' | 'on'>;
  /**
   * The partner services of a joint proposal. Every partner of a joint
   * proposal must itself be certified, whether or not the lead inherits a
   * requirement from it; partners named by inherited claims count as partners
   * without being listed. Their standing is in `lead.partners`.
   */
  readonly partnerServiceIds?: readonly string[];
}

export interface ComparisonInput {
  readonly dataClass: DataClass;
  readonly requirementIds: readonly string[];
  /** Requirement titles, for the CSV (the catalog's `title`). */
  readonly titles?: ReadonlyMap<string, Message>;
  readonly proposals: readonly Proposal[];
  readonly on: string;
  /** A basis ending within this many days of `on` (inclusive) makes a cell `expiring`. */
  readonly expiringWithinDays: number;
}

export const CELL_VALUES = ['met', 'inherited', 'expiring', 'missing'] as const;
export type CellValue = (typeof CELL_VALUES)[number];

export interface Cell {
  readonly value: CellValue;
  /** For met, inherited and expiring: how the requirement is met. */
  readonly basis?: 'met' | 'inherited';
  /** For an inherited basis, and for a gap in a partner: the partner service. */
  readonly fromServiceId?: string;
  /** The last day the basis holds (null: no end known yet). */
  readonly expiresOn?: string | null;
  /** For missing: why. */
  readonly gap?: GapKind;
}

export interface ProposalSummary {
  readonly id: string;
  readonly title: string;
  readonly leadServiceId: string;
  /** Certified iff the lead service is certified and every partner is. */
  readonly status: 'certified' | 'not_certified';
  /** The earliest end of the lead's certification and the partners'; null when not certified or no end is known. */
  readonly expiresOn: string | null;
  readonly totals: Readonly<Record<CellValue, number>>;
  /** Every gap: the lead service's, then partners' of a joint proposal (kind partner_*, requirementId null). */
  readonly gaps: readonly Gap[];
}

export interface Comparison {
  readonly dataClass: DataClass;
  readonly on: string;
  readonly expiringWithinDays: number;
  readonly proposals: readonly ProposalSummary[];
  /** One row per requirement of the profile, in its order; cells in the proposals' order. */
  readonly rows: readonly { readonly requirementId: string; readonly title?: Message; readonly cells: readonly Cell[] }[];
}

/** Compares proposals side by side. Deterministic: rows in the profile's order, columns in the proposals'. */
export function compareProposals(input: ComparisonInput): Comparison {
  if (!isDay(input.on)) throw new TypeError('on must be a day (YYYY-MM-DD)');
  if (!Number.isInteger(input.expiringWithinDays) || input.expiringWithinDays < 0) throw new TypeError('expiringWithinDays must be a whole number of days, 0 or more');
  const ids = new Set<string>();
  for (const p of input.proposals) {
    if (ids.has(p.id)) throw new TypeError(`two proposals have the id ${p.id}`);
    ids.add(p.id);
  }
  const requirementIds = [...new Set(input.requirementIds)];

  const columns = input.proposals.map((proposal) => {
    const decision = decideCertification({ ...proposal.lead, dataClass: input.dataClass, requirementIds, on: input.on });
    // The lead's own registration carries every requirement it meets itself:
    // when it does not hold on the day, those requirements are missing too.
    const serviceGap = decision.gaps.find((g) => g.requirementId === null)?.kind;
    const cells = new Map<string, Cell>();
    for (const r of decision.requirements) {
      let cell: Cell;
      if (r.met === null) {
        cell = { value: 'missing', gap: r.gap!, ...(r.fromServiceId === undefined ? {} : { fromServiceId: r.fromServiceId }) };
      } else if (r.met !== 'inherited' && serviceGap !== undefined) {
        cell = { value: 'missing', gap: serviceGap };
      } else {
        const basis = r.met === 'inherited' ? 'inherited' : 'met';
        const from = r.fromServiceId === undefined ? {} : { fromServiceId: r.fromServiceId };
        const ending = r.expiresOn !== null && daysBetween(input.on, r.expiresOn) <= input.expiringWithinDays;
        cell = { value: ending ? 'expiring' : basis, basis, ...from, expiresOn: r.expiresOn };
      }
      cells.set(r.requirementId, cell);
    }

    // Partners the lead inherits from are judged in its decision (their gaps
    // are its gaps, their certifications bound its expiry); partners listed in
    // the joint proposal but not inherited from are judged here.
    const judged = new Set(decision.requirements.flatMap((r) => (r.fromServiceId === undefined ? [] : [r.fromServiceId])));
    const partnerGaps: Gap[] = [];
    const partnerUntil: (string | null)[] = [];
    for (const partnerId of new Set(proposal.partnerServiceIds ?? [])) {
      if (judged.has(partnerId)) continue;
      const standing = proposal.lead.partners.get(partnerId);
      const shortfall = partnerShortfall(partnerId, standing, false, input.dataClass, input.on);
      if (shortfall) partnerGaps.push({ requirementId: null, kind: shortfall.kind, partnerServiceId: partnerId, message: shortfall.message });
      else partnerUntil.push(standing!.certification!.until);
    }
    const gaps = [...decision.gaps, ...partnerGaps];
    const certified = decision.status === 'certified' && partnerGaps.length === 0;
    const totals: Record<CellValue, number> = { met: 0, inherited: 0, expiring: 0, missing: 0 };
    for (const cell of cells.values()) totals[cell.value]++;
    const summary: ProposalSummary = {
      id: proposal.id,
      title: proposal.title,
      leadServiceId: proposal.lead.serviceId,
      status: certified ? 'certified' : 'not_certified',
      expiresOn: certified ? earliestDay([decision.expiresOn, ...partnerUntil]) : null,
      totals,
      gaps,
    };
    return { summary, cells };
  });

  return {
    dataClass: input.dataClass,
    on: input.on,
    expiringWithinDays: input.expiringWithinDays,
    proposals: columns.map((c) => c.summary),
    rows: requirementIds.map((requirementId) => {
      const title = input.titles?.get(requirementId);
      return { requirementId, ...(title ? { title } : {}), cells: columns.map((c) => c.cells.get(requirementId)!) };
    }),
  };
}

/** A cell as text: `met`, `inherited (svc)`, `expiring 2026-05-31 (met)`, `missing (no_finding)`. */
export function cellText(cell: Cell): string {
  switch (cell.value) {
    case 'met':
      return 'met';
    case 'inherited':
      return `inherited (${cell.fromServiceId!})`;
    case 'expiring':
      return `expiring ${cell.expiresOn!} (${cell.basis === 'inherited' ? `inherited from ${cell.fromServiceId!}` : 'met'})`;
    case 'missing':
      return cell.fromServiceId === undefined ? `missing (${cell.gap!})` : `missing (${cell.gap!}: ${cell.fromServiceId})`;
  }
}

/** The summary rows of the CSV, after the requirements, in this order: their labels in the title_en column. */
export const SUMMARY_ROWS = ['status', 'expires_on', ...CELL_VALUES] as const;

/**
 * The comparison as CSV (RFC 4180, UTF-8, CRLF; the platform's csvRecord, so
 * fields a spreadsheet would run as formulas are defused). Columns:
 * `requirement_id, title_ja, title_en`, then one per proposal headed by its
 * title. A row per requirement, then summary rows with an empty
 * requirement_id and the row's name in title_en: status, expires_on, and the
 * count of each cell value.
 */
export function comparisonCsv(c: Comparison): string {
  let csv = csvRecord(['requirement_id', 'title_ja', 'title_en', ...c.proposals.map((p) => p.title)]);
  for (const row of c.rows) csv += csvRecord([row.requirementId, row.title?.ja ?? '', row.title?.en ?? '', ...row.cells.map(cellText)]);
  const summary: Record<(typeof SUMMARY_ROWS)[number], (p: ProposalSummary) => string> = {
    status: (p) => p.status,
    expires_on: (p) => p.expiresOn ?? '',
    met: (p) => String(p.totals.met),
    inherited: (p) => String(p.totals.inherited),
    expiring: (p) => String(p.totals.expiring),
    missing: (p) => String(p.totals.missing),
  };
  for (const name of SUMMARY_ROWS) csv += csvRecord(['', '', name, ...c.proposals.map(summary[name])]);
  return csv;
}

/** The comparison as JSON: the Comparison itself, indented, keys in a fixed order. */
export function comparisonJson(c: Comparison): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}
