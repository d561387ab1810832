/**
 * Assessments in the control database (migrations/control/0014_assessments.sql):
 * component definitions as submitted and the claims read from them, findings,
 * and what each certification decision rested on. Insert and read only.
 */
import type pg from 'pg';
import type { Claim } from './component-definition.js';
import type { Finding, FindingState } from './findings.js';

export type Db = pg.Pool | pg.ClientBase;

export interface StoredComponentDefinition {
  readonly id: string;
  readonly serviceId: string;
  readonly version: number;
  readonly documentUuid: string;
  readonly title: string;
  readonly metadataVersion: string;
  readonly submittedAt: string;
  readonly submittedBy: string | null;
  readonly claims: Claim[];
}

interface DefinitionRow {
  id: string;
  service_id: string;
  version: number;
  document_uuid: string;
  title: string;
  metadata_version: string;
  submitted_at: Date;
  submitted_by: string | null;
  claims: { requirementId: string; description: string; inheritedFrom: string | null }[];
}

const DEFINITION_COLUMNS = `d.id, d.service_id, d.version, d.document_uuid, d.title, d.metadata_version, d.submitted_at, d.submitted_by,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('requirementId', c.requirement_id, 'description', c.description, 'inheritedFrom', c.inherited_from)
                             ORDER BY c.requirement_id), '[]')
     FROM control.component_definition_claims c WHERE c.definition_id = d.id) AS claims`;

const definitionOf = (r: DefinitionRow): StoredComponentDefinition => ({
  id: r.id,
  serviceId: r.service_id,
  version: r.version,
  documentUuid: r.document_uuid,
  title: r.title,
  metadataVersion: r.metadata_version,
  submittedAt: r.submitted_at.toISOString(),
  submittedBy: r.submitted_by,
  claims: r.claims.map((c) => ({ requirementId: c.requirementId, description: c.description, ...(c.inheritedFrom ? { inherited: { fromServiceId: c.inheritedFrom } } : {}) })),
});

/** Appends the next version of a service's component definition with its claims (call in a transaction). */
export async function insertComponentDefinition(
  client: pg.ClientBase,
  d: { serviceId: string; documentText: string; documentUuid: string; title: string; metadataVersion: string; claims: readonly Claim[] },
  by: string | null,
): Promise<StoredComponentDefinition> {
  // One version at a time per service: concurrent submissions take turns.
  await client.query("SELECT pg_advisory_xact_lock(hashtext('municloud.component_definitions'), hashtext($1))", [d.serviceId]);
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO control.component_definitions (service_id, version, document, document_uuid, title, metadata_version, submitted_by)
     VALUES ($1, (SELECT coalesce(max(version), 0) + 1 FROM control.component_definitions WHERE service_id = $1), $2::json, $3, $4, $5, $6)
     RETURNING id`,
    [d.serviceId, d.documentText, d.documentUuid, d.title, d.metadataVersion, by],
  );
  const id = rows[0]!.id;
  await client.query(
    `INSERT INTO control.component_definition_claims (definition_id, requirement_id, description, inherited_from)
     SELECT $1, q, t, f FROM unnest($2::text[], $3::text[], $4::uuid[]) AS x(q, t, f)`,
    [id, d.claims.map((c) => c.requirementId), d.claims.map((c) => c.description), d.claims.map((c) => c.inherited?.fromServiceId ?? null)],
  );
  return (await listComponentDefinitions(client, { id }))[0]!;
}

/** A service's component definitions, newest first (or one by id). */
export async function listComponentDefinitions(db: Db, filter: { serviceId?: string; id?: string }): Promise<StoredComponentDefinition[]> {
  const { rows } = await db.query<DefinitionRow>(
    `SELECT ${DEFINITION_COLUMNS} FROM control.component_definitions d
      WHERE ($1::uuid IS NULL OR d.service_id = $1) AND ($2::uuid IS NULL OR d.id = $2)
      ORDER BY d.service_id, d.version DESC`,
    [filter.serviceId ?? null, filter.id ?? null],
  );
  return rows.map(definitionOf);
}

/** The latest component definition of each service named. */
export async function latestComponentDefinitions(db: Db, serviceIds: readonly string[]): Promise<Map<string, StoredComponentDefinition>> {
  const { rows } = await db.query<DefinitionRow>(
    `SELECT ${DEFINITION_COLUMNS} FROM (SELECT DISTINCT ON (service_id) * FROM control.component_definitions
                                         WHERE service_id = ANY ($1::uuid[]) ORDER BY service_id, version DESC) d`,
    [serviceIds],
  );
  return new Map(rows.map((r) => [r.service_id, definitionOf(r)]));
}

/** The document of one version as submitted (the text, byte for byte). */
export async function componentDefinitionDocument(db: Db, serviceId: string, version: number | null): Promise<{ version: number; text: string } | null> {
  const { rows } = await db.query<{ version: number; text: string }>(
    `SELECT version, document::text AS text FROM control.component_definitions
      WHERE service_id = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
    [serviceId, version],
  );
  return rows[0] ?? null;
}

export interface StoredFinding extends Finding {
  readonly id: string;
  readonly recordedAt: string;
  readonly recordedBy: string | null;
}

interface FindingRow {
  id: string;
  service_id: string;
  requirement_id: string;
  state: FindingState;
  reason: string | null;
  assessed_on: string;
  assessor: string;
  recorded_at: Date;
  recorded_by: string | null;
}
const FINDING_COLUMNS = "id, service_id, requirement_id, state, reason, to_char(assessed_on, 'YYYY-MM-DD') AS assessed_on, assessor, recorded_at, recorded_by";
const findingOf = (r: FindingRow): StoredFinding => ({
  id: r.id,
  serviceId: r.service_id,
  requirementId: r.requirement_id,
  state: r.state,
  ...(r.reason !== null ? { reason: r.reason } : {}),
  assessedOn: r.assessed_on,
  assessor: r.assessor,
  recordedAt: r.recorded_at.toISOString(),
  recordedBy: r.recorded_by,
});

export async function insertFindings(db: Db, findings: readonly Finding[], by: string | null): Promise<StoredFinding[]> {
  const { rows } = await db.query<FindingRow>(
    `INSERT INTO control.assessment_findings (service_id, requirement_id, state, reason, assessed_on, assessor, recorded_by)
     SELECT s, q, st, r, d, a, $7 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[]) WITH ORDINALITY AS x(s, q, st, r, d, a, n)
      ORDER BY n
     RETURNING ${FINDING_COLUMNS}`,
    [
      findings.map((f) => f.serviceId),
      findings.map((f) => f.requirementId),
      findings.map((f) => f.state),
      findings.map((f) => f.reason ?? null),
      findings.map((f) => f.assessedOn),
      findings.map((f) => f.assessor),
      by,
    ],
  );
  return rows.map(findingOf);
}

/** Findings of services, in the order recorded. */
export async function listFindings(db: Db, serviceIds: readonly string[]): Promise<StoredFinding[]> {
  const { rows } = await db.query<FindingRow>(`SELECT ${FINDING_COLUMNS} FROM control.assessment_findings WHERE service_id = ANY ($1::uuid[]) ORDER BY seq`, [serviceIds]);
  return rows.map(findingOf);
}

export async function insertCertificationBasis(
  db: Db,
  b: { certificationId: string; componentDefinitionId: string | null; decidedFor: string; findingIds: readonly string[]; decision: unknown },
): Promise<void> {
  await db.query(
    'INSERT INTO control.certification_bases (certification_id, component_definition_id, decided_for, finding_ids, decision) VALUES ($1, $2, $3, $4, $5)',
    [b.certificationId, b.componentDefinitionId, b.decidedFor, b.findingIds, JSON.stringify(b.decision)],
  );
}
