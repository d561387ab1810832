/**
 * Residential tax over the API: which linkage subscription feeds the roster
 * (the admin sets it); the income records clerks enter in batches; the notice
 * data of an assessment (税額決定通知書: the figures and installments; names come
 * from the register); the listing of assessments and the runs of the batch.
 * Everything with personal data is a My Number route of residential_tax, read
 * and written under the declared purpose tax_assessment from the My Number zone
 * and audited with ids only.
 */
import { Type, type TSchema } from 'typebox';
import { principalOf } from '../../identity/http.js';
import type { Role } from '../../identity/roles.js';
import { Problem } from '../../platform/errors.js';
import { tenantOf, type App, type Platform } from '../../platform/http/server.js';
import { Cursor, Limit, Page, Uuid } from '../../platform/http/schemas.js';
import { recordAction, recordGroups } from '../../security/audit/record.js';
import { feedSettingsRoutes } from '../feed-settings-routes.js';
import { RESIDENTIAL_TAX_FEED } from './consumer.js';
import { IncomeRecordInputSchema, MAX_RECORDS_PER_BATCH } from './income.js';
import { submitIncomeRecords } from './records.js';
import { latestAssessment, listAssessments, listRuns, openAssessedFigures, type AssessmentListPosition } from './store.js';

const TAGS = ['residential-tax'];
const MY_NUMBER = { operation: 'residential_tax' } as const;
const READERS: Role[] = ['clerk', 'auditor'];
/** A batch of 1,000 full records is about 500 KB: this route alone takes more than the platform's default body limit. */
export const INCOME_RECORDS_BODY_LIMIT = 1024 * 1024;

const Yen = Type.Integer({ minimum: 0 });
const Split = Type.Object({ municipal: Type.Integer(), prefectural: Type.Integer() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Outcome = Type.Union([Type.Literal('assessed'), Type.Literal('unreported'), Type.Literal('rejected')], {
  description: 'assessed; unreported (no income record for the year: not assessed, a declaration is to be asked for); rejected (the rules refused the record: field and rule)',
});
const Rejected = Nullable(Type.Object({ field: Type.String(), rule: Type.String() }));

const FiguresSchema = Type.Object({
  incomeYear: Type.Integer({ description: 'The calendar year whose income is taxed' }),
  rateSet: Type.Object({ fromFiscalYear: Type.Integer(), untilFiscalYear: Nullable(Type.Integer()) }),
  income: Type.Object({ salary: Yen, salaryAdjustment: Yen, publicPension: Yen, other: Yen, total: Yen }, { description: '所得: 給与所得, 所得金額調整控除, 公的年金等に係る雑所得, その他, 合計所得金額' }),
  deductions: Type.Object(
    {
      basic: Yen,
      socialInsurance: Yen,
      spouse: Yen,
      spouseSpecial: Yen,
      dependants: Yen,
      specifiedRelatives: Yen,
      disability: Yen,
      widowOrSingleParent: Yen,
      other: Yen,
      total: Yen,
    },
    { description: '所得控除' },
  ),
  taxableIncome: Type.Integer({ description: '課税総所得金額 (truncated to ¥1,000)' }),
  dependantsCounted: Type.Integer(),
  incomeLevy: Type.Object(
    {
      rates: Split,
      beforeCredits: Split,
      personalDeductionDifference: Yen,
      adjustmentCredit: Split,
      lineAdjustment: Split,
      flatCredit: Split,
      due: Split,
    },
    { description: '所得割: rates (%), the levy before credits, 調整控除, the line adjustment, 定額減税, and the amount due' },
  ),
  perCapita: Type.Object({ municipal: Type.Integer(), prefectural: Type.Integer() }, { description: '均等割 (reconstruction surcharge included)' }),
  reconstructionSurcharge: Split,
  forestEnvironmentTax: Type.Integer({ description: '森林環境税' }),
  municipalTax: Type.Integer({ description: '市町村民税' }),
  prefecturalTax: Type.Integer({ description: '道府県民税' }),
  totalTax: Type.Integer({ description: 'Annual amount: 市町村民税 + 道府県民税 + 森林環境税' }),
  nonTaxable: Nullable(
    Type.Object({
      scope: Type.Union([Type.Literal('all'), Type.Literal('income_levy')]),
      reason: Type.String({ description: 'livelihood_assistance, special_status_income_limit, per_capita_income_limit, income_levy_income_limit' }),
      threshold: Nullable(Type.Integer()),
    }),
  ),
  collection: Type.Union([Type.Literal('ordinary'), Type.Literal('special')], { description: '普通徴収 or 特別徴収' }),
  installments: Type.Array(
    Type.Object({
      number: Type.Integer(),
      month: Type.String({ description: 'YYYY-MM' }),
      dueDate: Type.String({ description: '納期限 (ordinary) or the employer’s payment deadline (special), YYYY-MM-DD' }),
      amount: Yen,
    }),
  ),
});

const NoticeSchema = Type.Object({
  residentId: Uuid,
  fiscalYear: Type.Integer(),
  outcome: Outcome,
  runNumber: Type.Integer({ description: 'The run of the batch that decided it' }),
  assessedAt: Type.String(),
  rejected: Rejected,
  figures: Nullable(FiguresSchema),
});

const AssessmentItemSchema = Type.Object({
  residentId: Uuid,
  fiscalYear: Type.Integer(),
  outcome: Outcome,
  runNumber: Type.Integer(),
  assessedAt: Type.String(),
  rejected: Rejected,
});

const RunSchema = Type.Object({
  id: Uuid,
  fiscalYear: Type.Integer(),
  number: Type.Integer(),
  livingCostClass: Type.Integer({ description: '級地 the run assessed with' }),
  designatedCity: Type.Boolean(),
  rateSetFrom: Type.Integer({ description: 'The first fiscal year of the rate set used' }),
  rosterTotal: Type.Integer({ description: 'Residents on the roster of 1 January when the run started' }),
  processed: Type.Integer(),
  assessed: Type.Integer(),
  unreported: Type.Integer(),
  rejected: Type.Integer(),
  startedAt: Type.String(),
  updatedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
});

const FiscalYear = Type.Integer({ minimum: 2000, maximum: 2100 });

export function residentialTaxRoutes(app: App, platform: Platform): void {
  feedSettingsRoutes(app, platform, RESIDENTIAL_TAX_FEED, {
    path: '/v1/residential-tax/settings',
    tags: TAGS,
    title: 'the residential tax',
    resource: 'residential_tax_settings',
    unfitProblem: 'residential_tax_subscription_unfit',
  });

  app.post(
    '/v1/residential-tax/income-records',
    {
      bodyLimit: INCOME_RECORDS_BODY_LIMIT,
      config: { access: { roles: ['clerk'], tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: `Income records (所得の資料) for residents on the roster of 1 January of their year, up to ${MAX_RECORDS_PER_BATCH.toLocaleString('en')} at once; a newer record of a resident and year replaces the earlier one; one bad item refuses the whole batch`,
        body: Type.Object({ records: Type.Array(IncomeRecordInputSchema, { minItems: 1, maxItems: MAX_RECORDS_PER_BATCH }) }, { additionalProperties: false }),
        response: {
          201: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Uuid,
                residentId: Uuid,
                fiscalYear: Type.Integer(),
                version: Type.Integer({ description: 'Of the records of this resident and year, from 1' }),
                replaced: Type.Boolean({ description: 'An earlier record of the resident and year was in force and is now superseded' }),
              }),
            ),
          }),
        },
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const principal = principalOf(request);
      const keys = await platform.keys.forMunicipality(tenant.municipalityCode);
      const items = await tenant.run(async (db) => {
        const stored = await submitIncomeRecords(db, keys, request.body.records, { enteredBy: principal.accountId, importRunId: null, at: (i) => `body/records/${i}` });
        // In the transaction: no entry, no records.
        for (const records of recordGroups([
          { resource: 'residents', ids: stored.map((s) => s.residentId) },
          { resource: 'residential_tax_income_records', ids: stored.map((s) => s.id) },
        ])) {
          await recordAction(platform, request, 'personal_data_change', { purpose: tenant.purpose, records });
        }
        return stored;
      });
      return reply.code(201).send({ items });
    },
  );

  app.get(
    '/v1/residential-tax/assessments/:residentId',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: "A resident's assessment for a fiscal year, as its latest run decided it: the data a 税額決定通知書 needs besides the names (404 when none)",
        params: Type.Object({ residentId: Uuid }, { additionalProperties: false }),
        querystring: Type.Object({ fiscalYear: FiscalYear }, { additionalProperties: false }),
        response: { 200: NoticeSchema },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { residentId } = request.params;
      const { fiscalYear } = request.query;
      const keys = await platform.keys.forMunicipality(tenant.municipalityCode);
      return tenant.run(async (db) => {
        const found = await latestAssessment(db, residentId, fiscalYear);
        // Another municipality's resident is answered exactly like one never assessed here.
        if (!found) throw new Problem('not_found');
        await recordAction(platform, request, 'personal_data_read', {
          purpose: tenant.purpose,
          records: [
            { resource: 'residents', ids: [residentId] },
            { resource: 'residential_tax_assessments', ids: [found.row.id] },
          ],
        });
        const figures = found.sealed ? await openAssessedFigures(keys, found.row.id, found.sealed) : null;
        return {
          residentId,
          fiscalYear,
          outcome: found.row.outcome,
          runNumber: found.row.runNumber,
          assessedAt: found.row.assessedAt,
          rejected: found.row.rejected,
          figures: figures ? { ...figures.assessment, collection: figures.collection, installments: [...figures.installments] } : null,
        };
      });
    },
  );

  app.get(
    '/v1/residential-tax/assessments',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: "Residents' latest assessments in (fiscal year, resident) order: ids and outcomes, no figures (read one for its notice data)",
        querystring: Type.Object(
          {
            fiscalYear: Type.Optional(FiscalYear),
            outcome: Type.Optional(Outcome),
            limit: Limit,
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(AssessmentItemSchema) },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { fiscalYear, outcome, limit, cursor } = request.query;
      const filter = { fiscalYear: fiscalYear ?? null, outcome: outcome ?? null };
      const listing = `residential-tax-assessments:${JSON.stringify(filter)}`;
      const after = cursor ? platform.cursors.decode<{ y: number; r: string }>(tenant.municipalityCode, listing, cursor) : undefined;
      return tenant.run(async (db) => {
        const { items, total } = await listAssessments(db, filter, { limit, after: after ? ({ fiscalYear: after.y, residentId: after.r } satisfies AssessmentListPosition) : undefined });
        await recordAction(platform, request, 'personal_data_read', {
          purpose: tenant.purpose,
          records: [{ resource: 'residents', ids: [...new Set(items.map((a) => a.residentId))] }],
        });
        const last = items.at(-1);
        return {
          items: items.map((a) => ({ residentId: a.residentId, fiscalYear: a.fiscalYear, outcome: a.outcome, runNumber: a.runNumber, assessedAt: a.assessedAt, rejected: a.rejected })),
          total,
          nextCursor: last && items.length === limit ? platform.cursors.encode(tenant.municipalityCode, listing, { y: last.fiscalYear, r: last.residentId }) : null,
        };
      });
    },
  );

  app.get(
    '/v1/residential-tax/assessment-runs',
    {
      config: { access: { roles: ['clerk', 'auditor', 'municipal_admin'], tenant: true } },
      schema: {
        tags: TAGS,
        summary: 'Runs of the batch assessment, newest first: progress and counts (no personal data)',
        querystring: Type.Object({ fiscalYear: Type.Optional(FiscalYear) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(RunSchema) }) },
      },
    },
    async (request) => {
      const { fiscalYear } = request.query;
      return tenantOf(request).run(async (db) => ({
        items: (await listRuns(db, fiscalYear ?? null)).map(({ afterResidentId: _, ...run }) => run),
      }));
    },
  );
}
