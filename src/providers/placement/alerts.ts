/**
 * Placement alerts: on a day, each placed municipality whose cell is no longer
 * covered (lapsed), will stop being covered within N days (lapsing), or cannot
 * be checked because its cell's location was never declared (unverified), each
 * with a dated plan. Pure.
 */
import type { Message } from '../../platform/errors.js';
import type { DataClass } from '../registry/data-class.js';
import { addDays, daysBetween, earliestDay } from '../days.js';
import { inForceUntil, serviceRegistrationOn } from '../registry/registration.js';
import { certificationOn, placementDecision, type CellFacts, type PlacementReason } from './policy.js';

/** How far ahead a lapse is announced by default. */
export const DEFAULT_ALERT_DAYS = 90;

export const ALERT_STATUSES = ['lapsed', 'lapsing', 'unverified'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface PlanStep {
  readonly code: 'renew_registration' | 'reassess_service' | 'move_to_certified_cell' | 'move_now' | 'declare_cell_location';
  readonly message: Message;
}

export interface PlacementAlert {
  readonly municipalityCode: string;
  readonly cellId: string;
  readonly dataClass: DataClass;
  readonly status: AlertStatus;
  /** Why the placement is (lapsed) or will be (lapsing, on lapsesOn) not covered. */
  readonly reasons: PlacementReason[];
  /** The last day covered: a renewal, a new certification or a move must be done by then. */
  readonly coveredUntil: string | null;
  /** The first day not covered; null when unknown (never covered, or undeclared). */
  readonly lapsesOn: string | null;
  /** Days from the day of the check to lapsesOn (zero or negative once lapsed). */
  readonly daysLeft: number | null;
  readonly plan: { readonly deadline: string | null; readonly steps: PlanStep[] };
  readonly location: {
    readonly providerId: string;
    readonly providerName: string;
    readonly serviceId: string;
    readonly serviceName: string;
    readonly regionId: string;
    readonly regionCode: string;
  } | null;
  /** The records the alert rests on (for the audit entry). */
  readonly registrationIds: string[];
  readonly certificationIds: string[];
}

export interface PlacedMunicipality {
  readonly municipalityCode: string;
  readonly cellId: string;
  readonly dataClass: DataClass;
}

const REGISTRATION_REASONS: readonly PlacementReason[] = ['registration_missing', 'registration_expired', 'registration_withdrawn'];
const CERTIFICATION_REASONS: readonly PlacementReason[] = ['not_certified_for_class', 'certification_expired', 'certification_withdrawn'];

/** The day a placement that is not covered on `on` stopped being covered, when the facts tell. */
function lapsedSince(cell: CellFacts, dataClass: DataClass, on: string, reasons: readonly PlacementReason[]): string | null {
  if (!cell.location) return null;
  const serviceId = cell.location.service.id;
  const days: (string | null)[] = [];
  const registration = serviceRegistrationOn(cell.registrations.filter((r) => r.serviceId === serviceId), on);
  if (registration.standing === 'expired') days.push(addDays(inForceUntil(registration.registration)!, 1));
  if (registration.standing === 'withdrawn') days.push(registration.registration.withdrawnOn);
  const certification = certificationOn(cell.certifications.filter((c) => c.serviceId === serviceId), dataClass, on);
  if (certification && reasons.includes('certification_expired')) days.push(addDays(certification.expiresOn!, 1));
  if (certification && (reasons.includes('certification_withdrawn') || reasons.includes('not_certified_for_class'))) days.push(certification.decidedOn);
  return earliestDay(days);
}

function recordIds(cell: CellFacts): { registrationIds: string[]; certificationIds: string[] } {
  const serviceId = cell.location?.service.id;
  return {
    registrationIds: cell.registrations.filter((r) => r.serviceId === serviceId).map((r) => r.id),
    certificationIds: cell.certifications.filter((c) => c.serviceId === serviceId).map((c) => c.id),
  };
}

function locationOf(cell: CellFacts): PlacementAlert['location'] {
  const l = cell.location;
  return l
    ? { providerId: l.provider.id, providerName: l.provider.name, serviceId: l.service.id, serviceName: l.service.name, regionId: l.region.id, regionCode: l.region.code }
    : null;
}

function lapsingSteps(reasons: readonly PlacementReason[], dataClass: DataClass, deadline: string): PlanStep[] {
  const steps: PlanStep[] = [];
  if (reasons.some((r) => REGISTRATION_REASONS.includes(r))) {
    steps.push({
      code: 'renew_registration',
      message: {
        ja: `${deadline} までに、事業者が ISMAP 登録の更新を申請すること（申請中は登録が有効なままです）。`,
        en: `By ${deadline}, the provider applies to renew its ISMAP registration (a pending renewal keeps it valid).`,
      },
    });
  }
  if (reasons.some((r) => CERTIFICATION_REASONS.includes(r))) {
    steps.push({
      code: 'reassess_service',
      message: {
        ja: `${deadline} までに、サービスをデータ区分 ${dataClass} のプロファイルで再評価し、認定を記録すること。`,
        en: `By ${deadline}, assess the service again against the ${dataClass} profile and record its certification.`,
      },
    });
  }
  steps.push({
    code: 'move_to_certified_cell',
    message: {
      ja: `それができない場合は、${deadline} までに、認定済みのプロバイダ・リージョン上のセルへ団体のデータを移行すること。`,
      en: `Otherwise, move the municipality's data to a cell on a certified provider and region by ${deadline}.`,
    },
  });
  return steps;
}

function alertFor(placed: PlacedMunicipality, cell: CellFacts, on: string, withinDays: number): PlacementAlert | null {
  const { municipalityCode, cellId, dataClass } = placed;
  const base = { municipalityCode, cellId, dataClass, location: locationOf(cell), ...recordIds(cell) };
  const today = placementDecision({ cell, dataClass, on });
  if (!today.allowed) {
    if (today.reasons.includes('cell_undeclared')) {
      return {
        ...base,
        status: 'unverified',
        reasons: today.reasons,
        coveredUntil: null,
        lapsesOn: null,
        daysLeft: null,
        plan: {
          deadline: null,
          steps: [
            {
              code: 'declare_cell_location',
              message: {
                ja: `セル ${cellId} の所在（プロバイダ・サービス・リージョン）を宣言し、配置を確認できるようにすること。`,
                en: `Declare the location (provider, service and region) of cell ${cellId} so the placement can be checked.`,
              },
            },
          ],
        },
      };
    }
    const lapsesOn = lapsedSince(cell, dataClass, on, today.reasons);
    return {
      ...base,
      status: 'lapsed',
      reasons: today.reasons,
      coveredUntil: lapsesOn === null ? null : addDays(lapsesOn, -1),
      lapsesOn,
      daysLeft: lapsesOn === null ? null : daysBetween(on, lapsesOn),
      plan: {
        deadline: lapsesOn ?? on,
        steps: [
          {
            code: 'move_now',
            message: {
              ja: `${lapsesOn ? `${lapsesOn} から` : ''}配置先が要件を満たしていません。直ちに登録・認定を回復するか、認定済みのセルへ団体のデータを移行すること。`,
              en: `${lapsesOn ? `Since ${lapsesOn} the` : 'The'} placement is not covered: restore the registration or certification, or move the municipality's data to a certified cell, now.`,
            },
          },
        ],
      },
    };
  }
  if (today.coveredUntil === null) return null;
  const lapsesOn = addDays(today.coveredUntil, 1);
  if (daysBetween(on, lapsesOn) > withinDays) return null;
  const then = placementDecision({ cell, dataClass, on: lapsesOn });
  // Something the facts already hold covers the day after (a successor registration): no lapse.
  if (then.allowed) return null;
  return {
    ...base,
    status: 'lapsing',
    reasons: then.reasons,
    coveredUntil: today.coveredUntil,
    lapsesOn,
    daysLeft: daysBetween(on, lapsesOn),
    plan: { deadline: today.coveredUntil, steps: lapsingSteps(then.reasons, dataClass, today.coveredUntil) },
  };
}

const ORDER: Record<AlertStatus, number> = { lapsed: 0, lapsing: 1, unverified: 2 };

/**
 * The alerts of the day: for every placed municipality whose cell is not
 * covered on `on`, or stops being covered within `withinDays` days of it.
 * Lapsed first, then lapsing soonest first, then unverified.
 */
export function placementAlerts(input: {
  placements: readonly PlacedMunicipality[];
  cells: ReadonlyMap<string, CellFacts>;
  on: string;
  withinDays?: number;
}): PlacementAlert[] {
  const withinDays = input.withinDays ?? DEFAULT_ALERT_DAYS;
  const alerts: PlacementAlert[] = [];
  for (const placed of input.placements) {
    const cell = input.cells.get(placed.cellId) ?? { cellId: placed.cellId, location: null, registrations: [], certifications: [] };
    const alert = alertFor(placed, cell, input.on, withinDays);
    if (alert) alerts.push(alert);
  }
  return alerts.sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      (a.lapsesOn ?? '9999-12-31').localeCompare(b.lapsesOn ?? '9999-12-31') ||
      a.municipalityCode.localeCompare(b.municipalityCode),
  );
}
