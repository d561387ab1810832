/**
 * A municipality's placement alerts as an OSCAL 1.2.1 plan of action and
 * milestones: for each alert an observation (what the check saw), a risk
 * (the placement not covered, with its deadline) whose remediations are the
 * alert's dated plan, each step a milestone on the deadline, and a POA&M item
 * tying them together. The system is the one of the municipality's system
 * security plan (same system id). Pure: every date and UUID comes from the
 * inputs (docs/providers.md, "The placement as OSCAL").
 */
import { derivedUuid, OSCAL_VERSION, oscalString, prop } from '../assessment/oscal-common.js';
import { startOfDayInJapan, addDays } from '../days.js';
import type { CellLocation } from '../registry/model.js';
import type { PlacementAlert } from './alerts.js';
import { REASON_MESSAGES } from './policy.js';
import { PLACEMENT_PROP, partyUuid, ROLE, systemId, systemMetadata, type SystemParties } from './oscal-system.js';

type Json = Record<string, unknown>;
export type PoamDocument = { 'plan-of-action-and-milestones': Json };

export const POAM_PROP = {
  ...PLACEMENT_PROP,
  alertStatus: 'municloud-alert-status',
  lapsesOn: 'municloud-lapses-on',
  daysLeft: 'municloud-days-left',
  planStep: 'municloud-plan-step',
} as const;

export interface PlacementPoamInput {
  readonly parties: SystemParties;
  /** The municipality's alerts of the day (placementAlerts): at least one. */
  readonly alerts: readonly PlacementAlert[];
  /** The cell's declared location (for the data centres), or null. */
  readonly location: CellLocation | null;
  /** The day of the check. */
  readonly on: string;
  readonly withinDays: number;
  /** When the plan was produced (date-time with offset). */
  readonly producedAt: string;
}

const TITLES: Record<PlacementAlert['status'], string> = {
  lapsed: 'no longer covered',
  lapsing: 'stops being covered',
  unverified: 'cannot be checked',
};

/**
 * The end of a day in Japan as OSCAL wants a deadline: the start of the next
 * day (a plan "by 31 March" may be done on 31 March).
 */
function endOfDayInJapan(day: string): string {
  return startOfDayInJapan(addDays(day, 1));
}

/** The municipality's placement alerts of a day as an OSCAL plan of action and milestones. */
export function placementPoam(input: PlacementPoamInput): PoamDocument {
  const { parties, on } = input;
  const { municipality } = parties;
  if (input.alerts.length === 0) throw new TypeError('a plan of action needs at least one alert');
  const foreign = input.alerts.filter((a) => a.municipalityCode !== municipality.code);
  if (foreign.length > 0) throw new TypeError(`alerts of another municipality: ${foreign.map((a) => a.municipalityCode).join(', ')}`);

  const checker = [{ actors: [{ type: 'party', 'actor-uuid': partyUuid.municipality(parties.operator.code), 'role-id': ROLE.operator }] }];
  const observations: Json[] = [];
  const risks: Json[] = [];
  const items: Json[] = [];

  for (const alert of input.alerts) {
    const key = [municipality.code, alert.cellId, alert.status, alert.lapsesOn ?? 'undated'];
    const observationUuid = derivedUuid('observation', 'placement-alert', ...key, on);
    const riskUuid = derivedUuid('risk', 'placement-alert', ...key);
    const where = alert.location
      ? `${alert.location.serviceName} of ${alert.location.providerName}, region ${alert.location.regionCode}`
      : 'an undeclared location';
    const reasons = alert.reasons.map((r) => REASON_MESSAGES[r]);
    const reasonText = reasons.map((m) => m.en).join('; ');
    const reasonTextJa = reasons.map((m) => m.ja).join('');
    const when =
      alert.status === 'lapsed'
        ? alert.lapsesOn
          ? `since ${alert.lapsesOn}`
          : `on ${on}`
        : alert.status === 'lapsing'
          ? `from ${alert.lapsesOn} (covered until ${alert.coveredUntil}, ${alert.daysLeft} day(s) after ${on})`
          : '';
    const title = oscalString(`Placement of ${municipality.name} (${municipality.code}) on cell ${alert.cellId} ${TITLES[alert.status]}${when ? ` ${when}` : ''}`);
    const alertProps = [
      prop(POAM_PROP.alertStatus, alert.status),
      prop(POAM_PROP.cellId, alert.cellId),
      ...alert.reasons.map((r) => prop(POAM_PROP.reason, r)),
      ...(alert.coveredUntil ? [prop(POAM_PROP.coveredUntil, alert.coveredUntil)] : []),
      ...(alert.lapsesOn ? [prop(POAM_PROP.lapsesOn, alert.lapsesOn)] : []),
      ...(alert.daysLeft !== null ? [prop(POAM_PROP.daysLeft, String(alert.daysLeft))] : []),
    ];

    observations.push({
      uuid: observationUuid,
      title: oscalString(`Placement check of ${on}: cell ${alert.cellId} ${TITLES[alert.status]}`),
      description: `The placement check of ${on} found the cell of ${municipality.name}, on ${where}, ${TITLES[alert.status]}${when ? ` ${when}` : ''}: ${reasonText}.\n\n${reasonTextJa}`,
      props: alertProps,
      methods: ['EXAMINE'],
      types: ['finding'],
      origins: checker,
      collected: startOfDayInJapan(on),
    });

    const deadline = alert.plan.deadline;
    const remediations = alert.plan.steps.map((step) => ({
      uuid: derivedUuid('response', riskUuid, step.code),
      lifecycle: 'recommendation',
      title: oscalString(step.message.en),
      description: `${step.message.en}\n\n${step.message.ja}`,
      props: [prop(POAM_PROP.planStep, step.code)],
      origins: checker,
      ...(deadline
        ? {
            tasks: [
              {
                uuid: derivedUuid('task', riskUuid, step.code),
                type: 'milestone',
                title: oscalString(`${step.code.replace(/_/g, ' ')} by ${deadline}`),
                timing: { 'on-date': { date: endOfDayInJapan(deadline) } },
              },
            ],
          }
        : {}),
    }));

    risks.push({
      uuid: riskUuid,
      title,
      description: `${municipality.name}'s data (${alert.dataClass}) lives on cell ${alert.cellId}, on ${where}.`,
      statement: `${reasonText}. Until this is resolved, the municipality's data is held on a service and region not, or not for long, registered and certified for its class of data.\n\n${reasonTextJa}`,
      props: alertProps,
      status: 'open',
      origins: checker,
      ...(deadline ? { deadline: endOfDayInJapan(deadline) } : {}),
      ...(remediations.length > 0 ? { remediations } : {}),
      'related-observations': [{ 'observation-uuid': observationUuid }],
    });

    items.push({
      uuid: derivedUuid('poam-item', riskUuid),
      title,
      description: `${alert.plan.steps.map((s) => s.message.en).join(' ')}${deadline ? ` Deadline: ${deadline}.` : ''}`,
      props: alertProps,
      origins: checker,
      'related-observations': [{ 'observation-uuid': observationUuid }],
      'related-risks': [{ 'risk-uuid': riskUuid }],
    });
  }

  return {
    'plan-of-action-and-milestones': {
      uuid: derivedUuid('plan-of-action-and-milestones', municipality.code, on, String(input.withinDays)),
      metadata: systemMetadata({
        title: oscalString(`Plan of action and milestones: placement of ${municipality.name} (${municipality.code}), as of ${on}`),
        producedAt: input.producedAt,
        version: on,
        parties,
        location: input.location,
        oscalVersion: OSCAL_VERSION,
      }),
      'system-id': systemId(municipality.code),
      observations,
      risks,
      'poam-items': items,
    },
  };
}
