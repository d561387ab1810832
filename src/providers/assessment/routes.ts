/**
 * Assessments over the API. Separation of duties (docs/assessments.md, "API
 * and CLI"): an assessor (`provider_assessor`) records findings, as
 * themselves (the finding's assessor is their login name, recordedBy their
 * account); the platform operator takes component definitions in, decides
 * certifications (never on findings they recorded themselves: 403
 * `separation_of_duties`) and compares proposals. Both read what assessing
 * needs: component definitions, findings and the OSCAL assessment results.
 * Every write is audited (`component_definition_submitted`,
 * `assessment_findings_recorded`, `certification_decided`, the last one also
 * when refused for separation of duties).
 */
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { findAccount } from '../../identity/accounts.js';
import type { App, Platform } from '../../platform/http/server.js';
import { Uuid } from '../../platform/http/schemas.js';
import { recordAction } from '../../security/audit/record.js';
import { DATA_CLASSES } from '../catalog/profiles.js';
import { OSCAL_BODY_LIMIT } from '../catalog/routes.js';
import { CertificationSchema, Day, Nullable } from '../registry/schemas.js';
import { FINDING_STATES } from './findings.js';
import { comparisonCsv, comparisonJson } from './procurement.js';
import {
  componentDefinitionText,
  componentDefinitionVersions,
  decideServiceCertification,
  findingsOf,
  MAX_FINDINGS,
  procurementComparison,
  recordAssessmentResultsFindings,
  recordFindings,
  SeparationOfDutiesRefused,
  serviceAssessmentResults,
  submitComponentDefinition,
} from './service.js';

const TAGS = ['assessments'];
/** Writes of the operator: component definitions, certification decisions; and the procurement comparison. */
const access = { roles: ['platform_operator'] as const };
/** Findings are recorded by assessors only, never by the operator who decides on them. */
const assessorOnly = { roles: ['provider_assessor'] as const };
/** What assessing and deciding both need to read. */
const readers = { roles: ['platform_operator', 'provider_assessor'] as const };
const ServiceParams = Type.Object({ serviceId: Uuid }, { additionalProperties: false });
const DataClassSchema = Type.Union(DATA_CLASSES.map((c) => Type.Literal(c)));

const ClaimSchema = Type.Object({ requirementId: Type.String(), description: Type.String(), inherited: Type.Optional(Type.Object({ fromServiceId: Type.String() })) });
const ComponentDefinitionSchema = Type.Object({
  id: Uuid,
  serviceId: Uuid,
  version: Type.Integer(),
  documentUuid: Type.String(),
  title: Type.String(),
  metadataVersion: Type.String(),
  submittedAt: Type.String(),
  submittedBy: Nullable(Type.String()),
  claims: Type.Array(ClaimSchema),
});
const FindingSchema = Type.Object({
  id: Uuid,
  serviceId: Uuid,
  requirementId: Type.String(),
  state: Type.String(),
  reason: Type.Optional(Type.String()),
  assessedOn: Type.String(),
  assessor: Type.String(),
  recordedAt: Type.String(),
  recordedBy: Nullable(Type.String()),
});
const FindingBody = Type.Object(
  {
    requirementId: Type.String({ maxLength: 64 }),
    state: Type.Union(FINDING_STATES.map((s) => Type.Literal(s))),
    reason: Type.Optional(Type.String({ maxLength: 4000 })),
    assessedOn: Day('The day the assessor concluded (not after today)'),
  },
  { additionalProperties: false },
);
const GapSchema = Type.Object({ requirementId: Nullable(Type.String()), kind: Type.String(), partnerServiceId: Type.Optional(Type.String()), message: Type.Object({ ja: Type.String(), en: Type.String() }) });
const StandingSchema = Type.Object({
  requirementId: Type.String(),
  met: Nullable(Type.String()),
  fromServiceId: Type.Optional(Type.String()),
  expiresOn: Nullable(Type.String()),
  gap: Type.Optional(Type.String()),
});
const DecisionSchema = Type.Object({
  certification: CertificationSchema,
  status: Type.String(),
  on: Type.String(),
  expiresOn: Nullable(Type.String()),
  componentDefinitionVersion: Nullable(Type.Integer()),
  gaps: Type.Array(GapSchema),
  requirements: Type.Array(StandingSchema),
});

export function assessmentRoutes(app: App, platform: Platform): void {
  const { control } = platform;
  const by = (request: { principal: { accountId: string } | null }) => request.principal?.accountId ?? null;
  /**
   * The assessor a finding names: the calling account's login name (stable:
   * login names are never changed; unique within 000001, where assessors
   * sign in), its id should the account not be found.
   */
  const assessorOf = async (request: { principal: { accountId: string } | null }): Promise<string> => {
    const accountId = request.principal!.accountId;
    return (await findAccount(control, accountId))?.loginName ?? accountId;
  };

  const findingsRecorded = (request: FastifyRequest, serviceId: string, items: readonly { id: string }[]) =>
    recordAction(platform, request, 'assessment_findings_recorded', {
      municipality: null,
      records: [
        { resource: 'assessment_findings', ids: items.map((f) => f.id) },
        { resource: 'provider_services', ids: [serviceId] },
      ],
    });

  app.post(
    '/v1/providers/services/:serviceId/component-definitions',
    {
      config: { access },
      bodyLimit: OSCAL_BODY_LIMIT,
      schema: {
        tags: TAGS,
        summary:
          "Submit the service's OSCAL 1.2.1 component definition (how it meets each requirement, or inherits it from a partner's service): stored as its next version. 422 lists every problem with its path; nothing is stored then.",
        params: ServiceParams,
        body: Type.Object(
          { $schema: Type.Optional(Type.String({ maxLength: 500 })), 'component-definition': Type.Record(Type.String(), Type.Unknown()) },
          { additionalProperties: false },
        ),
        response: { 201: ComponentDefinitionSchema },
      },
    },
    async (request, reply) => {
      const definition = await submitComponentDefinition(control, request.params.serviceId, request.body, by(request));
      await recordAction(platform, request, 'component_definition_submitted', {
        municipality: null,
        records: [
          { resource: 'component_definitions', ids: [definition.id] },
          { resource: 'provider_services', ids: [definition.serviceId] },
        ],
      });
      return reply.status(201).send(definition);
    },
  );

  app.get(
    '/v1/providers/services/:serviceId/component-definitions',
    {
      config: { access: readers },
      schema: { tags: TAGS, summary: "The service's component definitions, newest first, with the claims read from each", params: ServiceParams, response: { 200: Type.Object({ items: Type.Array(ComponentDefinitionSchema) }) } },
    },
    async (request) => ({ items: await componentDefinitionVersions(control, request.params.serviceId) }),
  );

  app.get(
    '/v1/providers/services/:serviceId/component-definitions/:version',
    {
      config: { access: readers },
      schema: {
        tags: TAGS,
        summary: 'One version of the component definition (or `latest`), exactly as submitted (OSCAL JSON)',
        params: Type.Object({ serviceId: Uuid, version: Type.String({ pattern: '^(latest|[1-9][0-9]{0,8})$', maxLength: 9 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { version } = request.params;
      const found = await componentDefinitionText(control, request.params.serviceId, version === 'latest' ? undefined : Number(version));
      return reply.type('application/json; charset=utf-8').header('municloud-version', String(found.version)).send(found.text);
    },
  );

  app.post(
    '/v1/providers/services/:serviceId/findings',
    {
      config: { access: assessorOnly },
      schema: {
        tags: TAGS,
        summary:
          "Record the calling assessor's findings on the service's requirements (kept as a history; the latest dated on or before a day counts). All or none. The assessor of each finding is the account (its login name), never taken from the body.",
        params: ServiceParams,
        body: Type.Object({ findings: Type.Array(FindingBody, { minItems: 1, maxItems: MAX_FINDINGS }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ items: Type.Array(FindingSchema) }) },
      },
    },
    async (request, reply) => {
      const assessor = await assessorOf(request);
      const items = await recordFindings(
        control,
        request.params.serviceId,
        request.body.findings.map((f) => ({ ...f, assessor })),
        by(request),
      );
      await findingsRecorded(request, request.params.serviceId, items);
      return reply.status(201).send({ items });
    },
  );

  app.post(
    '/v1/providers/services/:serviceId/assessment-results',
    {
      config: { access: assessorOnly },
      bodyLimit: OSCAL_BODY_LIMIT,
      schema: {
        tags: TAGS,
        summary:
          "Record the calling assessor's findings from an OSCAL 1.2.1 assessment-results document (each finding targets a requirement as an objective; the day is its observation's collected date): all or none, every problem answered at its path. The GET of this path exports them back.",
        params: ServiceParams,
        body: Type.Object(
          { $schema: Type.Optional(Type.String({ maxLength: 500 })), 'assessment-results': Type.Record(Type.String(), Type.Unknown()) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ items: Type.Array(FindingSchema) }) },
      },
    },
    async (request, reply) => {
      const items = await recordAssessmentResultsFindings(control, request.params.serviceId, request.body, await assessorOf(request), by(request));
      await findingsRecorded(request, request.params.serviceId, items);
      return reply.status(201).send({ items });
    },
  );

  app.get(
    '/v1/providers/services/:serviceId/findings',
    { config: { access: readers }, schema: { tags: TAGS, summary: "The service's findings, in the order recorded", params: ServiceParams, response: { 200: Type.Object({ items: Type.Array(FindingSchema) }) } } },
    async (request) => ({ items: await findingsOf(control, request.params.serviceId) }),
  );

  app.post(
    '/v1/providers/services/:serviceId/certification-decisions',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary:
          "Decide the service's certification for a data class on a day (default today) from its latest component definition, its findings, its registration and its partners' certifications; recorded, answering the status, the gaps and the expiry. 403 separation_of_duties (audited, nothing recorded) when the caller recorded any finding the decision rests on",
        params: ServiceParams,
        body: Type.Object({ dataClass: DataClassSchema, on: Type.Optional(Day('The day decided for (default today; not later)')) }, { additionalProperties: false }),
        response: { 201: DecisionSchema },
      },
    },
    async (request, reply) => {
      let outcome;
      try {
        outcome = await decideServiceCertification(control, request.params.serviceId, request.body, by(request));
      } catch (err) {
        if (err instanceof SeparationOfDutiesRefused) {
          await recordAction(platform, request, 'certification_decided', {
            municipality: null,
            refused: err.code,
            records: [
              { resource: 'provider_services', ids: [request.params.serviceId] },
              { resource: 'assessment_findings', ids: [...err.findingIds] },
            ],
          });
        }
        throw err;
      }
      await recordAction(platform, request, 'certification_decided', {
        municipality: null,
        records: [
          { resource: 'certifications', ids: [outcome.certification.id] },
          { resource: 'provider_services', ids: [outcome.certification.serviceId] },
        ],
      });
      const { decision } = outcome;
      return reply.status(201).send({
        certification: outcome.certification,
        status: decision.status,
        on: decision.on,
        expiresOn: outcome.certification.expiresOn,
        componentDefinitionVersion: outcome.componentDefinitionVersion,
        gaps: [...decision.gaps],
        requirements: [...decision.requirements],
      });
    },
  );

  app.get(
    '/v1/providers/services/:serviceId/assessment-results',
    {
      config: { access: readers },
      schema: {
        tags: TAGS,
        summary: "The assessors' findings current on a day against a data class's profile, as OSCAL 1.2.1 assessment results (checked against the schema)",
        params: ServiceParams,
        querystring: Type.Object({ dataClass: DataClassSchema, on: Type.Optional(Day('default: today in Japan')) }, { additionalProperties: false }),
      },
    },
    async (request) => serviceAssessmentResults(control, request.params.serviceId, request.query),
  );

  app.get(
    '/v1/providers/procurement-comparisons',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "Several services' proposals side by side against a data class's profile: met, inherited, missing or expiring per requirement, as JSON or CSV",
        querystring: Type.Object(
          {
            dataClass: DataClassSchema,
            services: Type.String({ maxLength: 1000, description: 'service ids, comma-separated, in column order' }),
            on: Type.Optional(Day('default: today in Japan')),
            expiringWithinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3660 })),
            format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { dataClass, services, on, expiringWithinDays, format } = request.query;
      const comparison = await procurementComparison(control, {
        dataClass,
        serviceIds: services.split(',').map((s) => s.trim()).filter(Boolean),
        ...(on ? { on } : {}),
        ...(expiringWithinDays !== undefined ? { expiringWithinDays } : {}),
      });
      const name = `procurement-${comparison.dataClass}-${comparison.on}`;
      if (format === 'csv') {
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(comparisonCsv(comparison));
      }
      return reply.type('application/json; charset=utf-8').send(comparisonJson(comparison));
    },
  );
}
