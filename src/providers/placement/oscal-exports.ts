/**
 * The placement's OSCAL exports, read from the registry: a municipality's
 * system security plan (where its data lives and why it may) and its plan of
 * action and milestones (its placement alerts with their dated plans). Each
 * document is checked against NIST's schema before it leaves: an export we
 * cannot vouch for is a bug, not a file to hand out.
 */
import type pg from 'pg';
import { Problem } from '../../platform/errors.js';
import { DIGITAL_AGENCY_CODE, isMunicipalityKind } from '../../organizations/organization.js';
import { requireOrganization } from '../../organizations/store.js';
import { latestComponentDefinitions } from '../assessment/store.js';
import { profileRequirementIds } from '../catalog/profiles.js';
import { REQUIREMENTS } from '../catalog/requirements.js';
import { profilePath } from '../catalog/published.js';
import { todayInJapan } from '../days.js';
import { OscalInvalid, validateOscal } from '../oscal/validate.js';
import { certificationsOf } from '../registry/service.js';
import { findProvider, listProviders, listServices } from '../registry/store.js';
import { DEFAULT_ALERT_DAYS, placementAlerts } from './alerts.js';
import { loadCellFacts } from './facts.js';
import type { SystemParties } from './oscal-system.js';
import { placementPoam, type PoamDocument } from './oscal-poam.js';
import { placementSystemSecurityPlan, type SystemSecurityPlanDocument } from './oscal-ssp.js';
import { municipalityDataClass } from './policy.js';

interface Placed {
  municipality: { code: string; name: string };
  dataClass: ReturnType<typeof municipalityDataClass>;
  cellId: string;
  placedAt: string;
}

/** The municipality and its placement; 404 when it is not a municipality, 409 municipality_not_placed when not placed. */
async function placedMunicipality(control: pg.Pool, code: string, field: string): Promise<Placed> {
  const org = await requireOrganization(control, code, field, { allowAbolished: true });
  if (!isMunicipalityKind(org.kind)) throw new Problem('not_found');
  const { rows } = await control.query<{ cell_id: string; placed_at: Date }>('SELECT cell_id, placed_at FROM control.placements WHERE municipality_code = $1', [org.code]);
  const row = rows[0];
  if (!row) throw new Problem('municipality_not_placed');
  return { municipality: { code: org.code, name: org.name }, dataClass: municipalityDataClass(org), cellId: row.cell_id, placedAt: row.placed_at.toISOString() };
}

async function partiesOf(control: pg.Pool, placed: Placed, providerId: string | null): Promise<SystemParties> {
  const operator = await requireOrganization(control, DIGITAL_AGENCY_CODE, 'operator');
  const provider = providerId ? await findProvider(control, providerId) : null;
  return {
    municipality: placed.municipality,
    operator: { code: operator.code, name: operator.name },
    provider: provider ? { id: provider.id, name: provider.name, corporateNumber: provider.corporateNumber } : null,
  };
}

function checked<T>(model: 'system-security-plan' | 'plan-of-action-and-milestones', document: T): T {
  const problems = validateOscal(model, document);
  if (problems.length > 0) throw new OscalInvalid(model, problems);
  return document;
}

/** The latest of some instants, as written (ISO date-times). */
function latest(instants: readonly (string | null | undefined)[]): string {
  return instants.filter((t): t is string => !!t).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

/**
 * A municipality's system security plan on a day. The document's
 * last-modified is the latest of the records it rests on (placement, cell
 * location, component definition, certification decisions), so the same
 * records give the same document, byte for byte.
 */
export async function placementSystemSecurityPlanOf(
  control: pg.Pool,
  municipalityCode: string,
  options: { on?: string; field?: string } = {},
): Promise<SystemSecurityPlanDocument> {
  const on = options.on ?? todayInJapan();
  const placed = await placedMunicipality(control, municipalityCode, options.field ?? 'params/code');
  const cell = (await loadCellFacts(control, [placed.cellId])).get(placed.cellId)!;
  if (!cell.location) throw new Problem('cell_location_undeclared');
  const serviceId = cell.location.service.id;
  const definition = (await latestComponentDefinitions(control, [serviceId])).get(serviceId) ?? null;
  const partnerIds = [...new Set((definition?.claims ?? []).flatMap((c) => (c.inherited ? [c.inherited.fromServiceId] : [])))];
  const partnerServices = partnerIds.length > 0 ? await listServices(control, { ids: partnerIds }) : [];
  const providerNames = new Map((partnerServices.length > 0 ? await listProviders(control) : []).map((p) => [p.id, p.name]));
  const certifications = await certificationsOf(control, { serviceId });

  const document = placementSystemSecurityPlan({
    parties: await partiesOf(control, placed, cell.location.provider.id),
    dataClass: placed.dataClass,
    requirements: profileRequirementIds(placed.dataClass).map((id) => ({ id, title: REQUIREMENTS.find((r) => r.id === id)!.title.en })),
    profileHref: profilePath(placed.dataClass),
    cell,
    placedOn: todayInJapan(new Date(placed.placedAt)),
    componentDefinition: definition ? { version: definition.version, claims: definition.claims } : null,
    partners: new Map(partnerServices.map((s) => [s.id, { serviceName: s.name, providerName: providerNames.get(s.providerId) ?? s.providerId }])),
    on,
    producedAt: latest([placed.placedAt, cell.location.declaredAt, definition?.submittedAt, ...certifications.filter((c) => c.decidedOn <= on).map((c) => c.decidedAt)]),
  });
  return checked('system-security-plan', document);
}

/**
 * A municipality's placement alerts of a day as a plan of action and
 * milestones; 404 no_placement_alerts when there is none (OSCAL's POA&M holds
 * at least one item: an empty plan is not a document).
 */
export async function placementPoamOf(
  control: pg.Pool,
  municipalityCode: string,
  options: { on?: string; withinDays?: number; field?: string } = {},
): Promise<PoamDocument> {
  const on = options.on ?? todayInJapan();
  const withinDays = options.withinDays ?? DEFAULT_ALERT_DAYS;
  const placed = await placedMunicipality(control, municipalityCode, options.field ?? 'params/code');
  const cell = (await loadCellFacts(control, [placed.cellId])).get(placed.cellId)!;
  const alerts = placementAlerts({
    placements: [{ municipalityCode: placed.municipality.code, cellId: placed.cellId, dataClass: placed.dataClass }],
    cells: new Map([[placed.cellId, cell]]),
    on,
    withinDays,
  });
  if (alerts.length === 0) throw new Problem('no_placement_alerts');
  const document = placementPoam({
    parties: await partiesOf(control, placed, cell.location?.provider.id ?? null),
    alerts,
    location: cell.location,
    on,
    withinDays,
    // The check is of the day: the plan stands as of its start in Japan.
    producedAt: `${on}T00:00:00+09:00`,
  });
  return checked('plan-of-action-and-milestones', document);
}
