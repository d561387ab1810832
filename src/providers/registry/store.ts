/** The provider registry in the control database (migrations/control/0013_providers.sql). */
import type pg from 'pg';
import { Problem } from '../../platform/errors.js';
import type { DataClass } from './data-class.js';
import type { CellLocation, CertificationFacts, JointProposal, Provider, Region, RegionFacts, Service, ServiceModel } from './model.js';
import type { RegistrationFacts } from './registration.js';

export type Db = pg.Pool | pg.ClientBase;

const iso = (d: Date) => d.toISOString();

/** Unique keys answer 409 already_exists; anything else goes on. */
async function inserting<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new Problem('already_exists');
    throw err;
  }
}

// --- providers ---------------------------------------------------------------

interface ProviderRow {
  id: string;
  name: string;
  corporate_number: string;
  headquarters_country: string;
  created_at: Date;
}
const providerOf = (r: ProviderRow): Provider => ({
  id: r.id,
  name: r.name,
  corporateNumber: r.corporate_number,
  headquartersCountry: r.headquarters_country,
  createdAt: iso(r.created_at),
});

export async function insertProvider(db: Db, p: { name: string; corporateNumber: string; headquartersCountry: string }, by: string | null): Promise<Provider> {
  return inserting(async () => {
    const { rows } = await db.query<ProviderRow>(
      `INSERT INTO control.providers (name, corporate_number, headquarters_country, created_by) VALUES ($1, $2, $3, $4)
       RETURNING id, name, corporate_number, headquarters_country, created_at`,
      [p.name, p.corporateNumber, p.headquartersCountry, by],
    );
    return providerOf(rows[0]!);
  });
}

export async function listProviders(db: Db): Promise<Provider[]> {
  const { rows } = await db.query<ProviderRow>('SELECT id, name, corporate_number, headquarters_country, created_at FROM control.providers ORDER BY name, id');
  return rows.map(providerOf);
}

export async function findProvider(db: Db, id: string): Promise<Provider | null> {
  const { rows } = await db.query<ProviderRow>('SELECT id, name, corporate_number, headquarters_country, created_at FROM control.providers WHERE id = $1', [id]);
  return rows[0] ? providerOf(rows[0]) : null;
}

// --- services ----------------------------------------------------------------

interface ServiceRow {
  id: string;
  provider_id: string;
  name: string;
  model: ServiceModel;
  created_at: Date;
}
const serviceOf = (r: ServiceRow): Service => ({ id: r.id, providerId: r.provider_id, name: r.name, model: r.model, createdAt: iso(r.created_at) });
const SERVICE_COLUMNS = 'id, provider_id, name, model, created_at';

export async function insertService(db: Db, s: { providerId: string; name: string; model: ServiceModel }, by: string | null): Promise<Service> {
  return inserting(async () => {
    const { rows } = await db.query<ServiceRow>(
      `INSERT INTO control.provider_services (provider_id, name, model, created_by) VALUES ($1, $2, $3, $4) RETURNING ${SERVICE_COLUMNS}`,
      [s.providerId, s.name, s.model, by],
    );
    return serviceOf(rows[0]!);
  });
}

export async function listServices(db: Db, filter: { providerId?: string; ids?: readonly string[] } = {}): Promise<Service[]> {
  const { rows } = await db.query<ServiceRow>(
    `SELECT ${SERVICE_COLUMNS} FROM control.provider_services
      WHERE ($1::uuid IS NULL OR provider_id = $1) AND ($2::uuid[] IS NULL OR id = ANY ($2))
      ORDER BY name, id`,
    [filter.providerId ?? null, filter.ids ?? null],
  );
  return rows.map(serviceOf);
}

export async function findService(db: Db, id: string): Promise<Service | null> {
  return (await listServices(db, { ids: [id] }))[0] ?? null;
}

// --- regions -----------------------------------------------------------------

interface RegionRow {
  id: string;
  provider_id: string;
  code: string;
  name: string;
  country: string;
  jurisdiction: string;
  locations: string[];
  created_at: Date;
}
const regionOf = (r: RegionRow): Region => ({
  id: r.id,
  providerId: r.provider_id,
  code: r.code,
  name: r.name,
  country: r.country,
  jurisdiction: r.jurisdiction,
  locations: r.locations,
  createdAt: iso(r.created_at),
});
const REGION_COLUMNS = 'id, provider_id, code, name, country, jurisdiction, locations, created_at';

export async function insertRegion(db: Db, r: Omit<RegionFacts, 'id'>, by: string | null): Promise<Region> {
  return inserting(async () => {
    const { rows } = await db.query<RegionRow>(
      `INSERT INTO control.provider_regions (provider_id, code, name, country, jurisdiction, locations, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${REGION_COLUMNS}`,
      [r.providerId, r.code, r.name, r.country, r.jurisdiction, r.locations, by],
    );
    return regionOf(rows[0]!);
  });
}

export async function listRegions(db: Db, filter: { providerId?: string; ids?: readonly string[] } = {}): Promise<Region[]> {
  const { rows } = await db.query<RegionRow>(
    `SELECT ${REGION_COLUMNS} FROM control.provider_regions
      WHERE ($1::uuid IS NULL OR provider_id = $1) AND ($2::uuid[] IS NULL OR id = ANY ($2))
      ORDER BY code, id`,
    [filter.providerId ?? null, filter.ids ?? null],
  );
  return rows.map(regionOf);
}

// --- registrations -------------------------------------------------------------

export interface RegistrationRow {
  id: string;
  service_id: string;
  registration_number: string;
  audit_period_start: string;
  audit_period_end: string;
  listed_on: string;
  renewal_pending_since: string | null;
  renewal_ended_on: string | null;
  withdrawn_on: string | null;
  withdrawal_reason: string | null;
  created_at: Date;
}
export type StoredRegistration = RegistrationFacts & { readonly withdrawalReason: string | null; readonly createdAt: string };

const day = (column: string) => `to_char(${column}, 'YYYY-MM-DD') AS ${column}`;
const REGISTRATION_COLUMNS = `id, service_id, registration_number, ${day('audit_period_start')}, ${day('audit_period_end')}, ${day('listed_on')},
  ${day('renewal_pending_since')}, ${day('renewal_ended_on')}, ${day('withdrawn_on')}, withdrawal_reason, created_at`;
const registrationOf = (r: RegistrationRow): StoredRegistration => ({
  id: r.id,
  serviceId: r.service_id,
  registrationNumber: r.registration_number,
  auditPeriodStart: r.audit_period_start,
  auditPeriodEnd: r.audit_period_end,
  listedOn: r.listed_on,
  renewalPendingSince: r.renewal_pending_since,
  renewalEndedOn: r.renewal_ended_on,
  withdrawnOn: r.withdrawn_on,
  withdrawalReason: r.withdrawal_reason,
  createdAt: iso(r.created_at),
});

export async function insertRegistration(
  db: Db,
  r: { serviceId: string; registrationNumber: string; auditPeriodStart: string; auditPeriodEnd: string; listedOn: string },
  by: string | null,
): Promise<StoredRegistration> {
  return inserting(async () => {
    const { rows } = await db.query<RegistrationRow>(
      `INSERT INTO control.service_registrations (service_id, registration_number, audit_period_start, audit_period_end, listed_on, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${REGISTRATION_COLUMNS}`,
      [r.serviceId, r.registrationNumber, r.auditPeriodStart, r.auditPeriodEnd, r.listedOn, by],
    );
    return registrationOf(rows[0]!);
  });
}

export async function listRegistrations(db: Db, filter: { serviceIds?: readonly string[]; ids?: readonly string[] } = {}): Promise<StoredRegistration[]> {
  const { rows } = await db.query<RegistrationRow>(
    `SELECT ${REGISTRATION_COLUMNS} FROM control.service_registrations
      WHERE ($1::uuid[] IS NULL OR service_id = ANY ($1)) AND ($2::uuid[] IS NULL OR id = ANY ($2))
      ORDER BY listed_on, registration_number`,
    [filter.serviceIds ?? null, filter.ids ?? null],
  );
  return rows.map(registrationOf);
}

/** The registration, locked for a change of its renewal or withdrawal. */
export async function lockRegistration(db: pg.ClientBase, id: string): Promise<StoredRegistration | null> {
  const { rows } = await db.query<RegistrationRow>(`SELECT ${REGISTRATION_COLUMNS} FROM control.service_registrations WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ? registrationOf(rows[0]) : null;
}

export async function setRenewalPending(db: Db, id: string, since: string): Promise<void> {
  await db.query('UPDATE control.service_registrations SET renewal_pending_since = $2 WHERE id = $1', [id, since]);
}

export async function endRenewal(db: Db, id: string, on: string): Promise<void> {
  await db.query('UPDATE control.service_registrations SET renewal_ended_on = $2 WHERE id = $1', [id, on]);
}

/** Ends the pending renewals of a service's other registrations: a new listing decides them. Returns their ids. */
export async function endPendingRenewalsOf(db: Db, serviceId: string, exceptId: string, on: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE control.service_registrations SET renewal_ended_on = GREATEST($3::date, renewal_pending_since)
      WHERE service_id = $1 AND id <> $2 AND renewal_pending_since IS NOT NULL AND renewal_ended_on IS NULL AND withdrawn_on IS NULL
      RETURNING id`,
    [serviceId, exceptId, on],
  );
  return rows.map((r) => r.id);
}

export async function withdrawRegistration(db: Db, id: string, w: { on: string; reason: string }, by: string | null): Promise<void> {
  await db.query('UPDATE control.service_registrations SET withdrawn_on = $2, withdrawal_reason = $3, withdrawn_by = $4 WHERE id = $1', [id, w.on, w.reason, by]);
}

// --- joint proposals ---------------------------------------------------------

export async function insertJointProposal(
  db: pg.ClientBase,
  p: {
    name: string;
    leadProviderId: string;
    proposedOn: string;
    services: readonly { serviceId: string; registrationId: string }[];
    assignments: readonly { requirementId: string; serviceId: string }[];
  },
  by: string | null,
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO control.joint_proposals (name, lead_provider_id, proposed_on, created_by) VALUES ($1, $2, $3, $4) RETURNING id',
    [p.name, p.leadProviderId, p.proposedOn, by],
  );
  const id = rows[0]!.id;
  await db.query(
    `INSERT INTO control.joint_proposal_services (proposal_id, service_id, registration_id)
     SELECT $1, s, r FROM unnest($2::uuid[], $3::uuid[]) AS x(s, r)`,
    [id, p.services.map((s) => s.serviceId), p.services.map((s) => s.registrationId)],
  );
  await db.query(
    `INSERT INTO control.joint_proposal_assignments (proposal_id, requirement_id, service_id)
     SELECT $1, q, s FROM unnest($2::text[], $3::uuid[]) AS x(q, s)`,
    [id, p.assignments.map((a) => a.requirementId), p.assignments.map((a) => a.serviceId)],
  );
  return id;
}

export async function listJointProposals(db: Db, filter: { id?: string } = {}): Promise<JointProposal[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    lead_provider_id: string;
    proposed_on: string;
    created_at: Date;
    services: { serviceId: string; providerId: string; registrationId: string }[];
    assignments: { requirementId: string; serviceId: string }[];
  }>(
    `SELECT p.id, p.name, p.lead_provider_id, to_char(p.proposed_on, 'YYYY-MM-DD') AS proposed_on, p.created_at,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('serviceId', js.service_id, 'providerId', s.provider_id, 'registrationId', js.registration_id)
                                       ORDER BY s.name, js.service_id), '[]')
               FROM control.joint_proposal_services js JOIN control.provider_services s ON s.id = js.service_id
              WHERE js.proposal_id = p.id) AS services,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('requirementId', a.requirement_id, 'serviceId', a.service_id) ORDER BY a.requirement_id), '[]')
               FROM control.joint_proposal_assignments a WHERE a.proposal_id = p.id) AS assignments
       FROM control.joint_proposals p
      WHERE ($1::uuid IS NULL OR p.id = $1)
      ORDER BY p.proposed_on, p.name, p.id`,
    [filter.id ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    leadProviderId: r.lead_provider_id,
    proposedOn: r.proposed_on,
    services: r.services,
    assignments: r.assignments,
    createdAt: iso(r.created_at),
  }));
}

// --- cell locations ----------------------------------------------------------

export async function insertCellLocation(db: Db, l: { cellId: string; providerId: string; serviceId: string; regionId: string }, by: string | null): Promise<void> {
  await db.query('INSERT INTO control.cell_locations (cell_id, provider_id, service_id, region_id, declared_by) VALUES ($1, $2, $3, $4, $5)', [
    l.cellId,
    l.providerId,
    l.serviceId,
    l.regionId,
    by,
  ]);
}

/** A declaration's provider, service and region, as the location queries below select them. */
export interface PlaceRow {
  declared_at: Date;
  provider_id: string;
  provider_name: string;
  service_id: string;
  service_name: string;
  model: ServiceModel;
  region_id: string;
  code: string;
  region_name: string;
  country: string;
  jurisdiction: string;
  locations: string[];
}

/** The columns of a PlaceRow, from a declaration table aliased `l` joined as PLACE_JOINS does. */
export const PLACE_COLUMNS = `l.declared_at, p.id AS provider_id, p.name AS provider_name,
            s.id AS service_id, s.name AS service_name, s.model,
            r.id AS region_id, r.code, r.name AS region_name, r.country, r.jurisdiction, r.locations`;
export const PLACE_JOINS = `JOIN control.providers p ON p.id = l.provider_id
       JOIN control.provider_services s ON s.id = l.service_id
       JOIN control.provider_regions r ON r.id = l.region_id`;

/** Where a declaration says something runs: its provider, service and region, and when it was declared. */
export function placeOf(r: PlaceRow): Omit<CellLocation, 'cellId'> {
  return {
    provider: { id: r.provider_id, name: r.provider_name },
    service: { id: r.service_id, name: r.service_name, model: r.model },
    region: { id: r.region_id, providerId: r.provider_id, code: r.code, name: r.region_name, country: r.country, jurisdiction: r.jurisdiction, locations: r.locations },
    declaredAt: iso(r.declared_at),
  };
}

/** The declared location of each cell asked for (all cells when none are named); cells never declared are absent. */
export async function cellLocations(db: Db, cellIds?: readonly string[]): Promise<Map<string, CellLocation>> {
  const { rows } = await db.query<PlaceRow & { cell_id: string }>(
    `SELECT DISTINCT ON (l.cell_id) l.cell_id, ${PLACE_COLUMNS}
       FROM control.cell_locations l
       ${PLACE_JOINS}
      WHERE ($1::text[] IS NULL OR l.cell_id = ANY ($1))
      ORDER BY l.cell_id, l.seq DESC`,
    [cellIds ?? null],
  );
  return new Map(rows.map((r) => [r.cell_id, { cellId: r.cell_id, ...placeOf(r) }]));
}

// --- certifications (facts for the policy; writing and listing: certifications.ts) ---

export async function certificationFacts(db: Db, serviceIds: readonly string[]): Promise<CertificationFacts[]> {
  const { rows } = await db.query<{ id: string; seq: string; service_id: string; data_class: DataClass; status: CertificationFacts['status']; decided_on: string; expires_on: string | null }>(
    `SELECT id, seq, service_id, data_class, status,
            to_char(decided_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS decided_on, to_char(expires_on, 'YYYY-MM-DD') AS expires_on
       FROM control.certifications WHERE service_id = ANY ($1::uuid[]) ORDER BY seq`,
    [serviceIds],
  );
  return rows.map((r) => ({
    id: r.id,
    seq: Number(r.seq),
    serviceId: r.service_id,
    dataClass: r.data_class,
    status: r.status,
    decidedOn: r.decided_on,
    expiresOn: r.expires_on,
  }));
}
