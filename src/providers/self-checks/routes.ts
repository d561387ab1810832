/**
 * The platform self-checks on demand (docs/assessments.md, "Platform
 * self-checks"): the operator runs them, lists the runs, and fetches a run's
 * OSCAL assessment results. The schedule runs them daily in the server process.
 */
import { Type } from 'typebox';
import type { App, Platform } from '../../platform/http/server.js';
import { Problem } from '../../platform/errors.js';
import { Uuid } from '../../platform/http/schemas.js';
import { recordAction } from '../../security/audit/record.js';
import { SELF_CHECK_IDS } from '../assessment/self-checks.js';
import { OscalInvalid, validateOscal } from '../oscal/validate.js';
import { runSelfChecks } from './service.js';
import { getSelfCheckRun, listSelfCheckRuns, selfCheckAssessmentResultsOf } from './store.js';

const Message = Type.Object({ ja: Type.String(), en: Type.String() });
const ResultSchema = Type.Object({
  checkId: Type.Enum(SELF_CHECK_IDS),
  state: Type.Enum(['satisfied', 'not_satisfied']),
  reason: Message,
  evidence: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
});
const RunSchema = Type.Object({
  id: Uuid,
  trigger: Type.Enum(['on_demand', 'schedule', 'cli']),
  scheduledDay: Type.Union([Type.String(), Type.Null()], { description: 'The day in Japan a scheduled run stands for' }),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  satisfied: Type.Integer(),
  notSatisfied: Type.Integer(),
  results: Type.Array(ResultSchema),
});
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export function selfCheckRoutes(app: App, platform: Platform): void {
  const access = { roles: ['platform_operator'] as const };

  app.post(
    '/v1/self-checks',
    {
      config: { access },
      schema: {
        tags: ['assessments'],
        summary: 'Run the platform self-checks now: stored, recorded in the audit log (self_check_run), answered with the results',
        response: { 201: RunSchema },
      },
    },
    async (request, reply) => {
      const { run } = await runSelfChecks(platform, {
        routes: app.municloudRoutes,
        trigger: 'on_demand',
        requestedBy: request.principal?.accountId ?? null,
        record: (details) => recordAction(platform, request, 'self_check_run', details),
      });
      reply.code(201);
      return run!;
    },
  );

  app.get(
    '/v1/self-checks',
    {
      config: { access },
      schema: {
        tags: ['assessments'],
        summary: 'The self-check runs, newest first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(RunSchema) }) },
      },
    },
    async (request) => ({ items: await listSelfCheckRuns(platform.control, { limit: request.query.limit }) }),
  );

  app.get(
    '/v1/self-checks/:id',
    {
      config: { access },
      schema: {
        tags: ['assessments'],
        summary: 'One self-check run, with what was observed (counts, kinds, roles, cells; no personal data)',
        params: IdParams,
        response: { 200: Type.Object({ ...RunSchema.properties, observations: Type.Object({}, { additionalProperties: true }), requestedBy: Type.Union([Uuid, Type.Null()]) }) },
      },
    },
    async (request) => {
      const run = await getSelfCheckRun(platform.control, request.params.id);
      if (!run) throw new Problem('not_found');
      return run;
    },
  );

  app.get(
    '/v1/self-checks/:id/assessment-results',
    {
      config: { access },
      schema: {
        tags: ['assessments'],
        summary: "A run's OSCAL 1.2.1 assessment results, as stored (validated against NIST's schema before it is answered)",
        params: IdParams,
      },
    },
    async (request, reply) => {
      const doc = await selfCheckAssessmentResultsOf(platform.control, request.params.id);
      if (!doc) throw new Problem('not_found');
      const problems = validateOscal('assessment-results', doc);
      if (problems.length > 0) throw new OscalInvalid('assessment-results', problems);
      reply.type('application/json');
      return doc;
    },
  );
}
