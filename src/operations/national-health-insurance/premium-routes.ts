/**
 * NHI premiums over the API: the municipality's rate table (its admin replaces
 * it whole; clerks and auditors read it) and a household's premium for a
 * fiscal year (国民健康保険料・税), computed on request from the household as
 * NHI knows it and the incomes the residential tax assessed. The premium is a
 * My Number route of national_health_insurance (declared purpose, My Number
 * zone), audited with the residents' and the assessments' ids.
 */
import { Type, type TSchema } from 'typebox';
import { principalOf } from '../../identity/http.js';
import type { Role } from '../../identity/roles.js';
import { fieldError, Problem, type FieldError } from '../../platform/errors.js';
import { tenantOf, type App, type Platform } from '../../platform/http/server.js';
import { Uuid } from '../../platform/http/schemas.js';
import { recordAction } from '../../security/audit/record.js';
import type { MunicipalityKeys } from '../../security/keys/service.js';
import { NhiInputError } from './eligibility.js';
import { apiField, householdComposition, householdInput, INCOME_SOURCES, missingFacts, personIncome, type Composition, type MissingFact, type PersonIncome } from './premium-household.js';
import { MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, RateEntrySchema, rateTableOf, rateTableProblems, RateTableBodySchema } from './premium-rates.js';
import { headOf, householdMemberships, incomeEvidence, insertRateTable, latestRateTable, peopleByIds } from './premium-store.js';
import { householdPremium, nationalFiguresFor, PARTS, ratesFor, type NationalFigures } from './premium.js';

const TAGS = ['national-health-insurance'];
const MY_NUMBER = { operation: 'national_health_insurance' } as const;
const PREMIUM_READERS: Role[] = ['clerk', 'auditor'];
const RATE_READERS: Role[] = ['municipal_admin', 'auditor', 'clerk'];

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Yen = Type.Integer({ minimum: 0 });

const RateTableSchema = Type.Object({
  version: Nullable(Type.Integer({ description: 'The version in force (each PUT stores the next); null until the admin sets a table' })),
  levy: Nullable(Type.Union([Type.Literal('premium'), Type.Literal('tax')])),
  entries: Type.Array(RateEntrySchema),
  setBy: Nullable(Uuid),
  setAt: Nullable(Type.String()),
});

const PartSchema = Type.Object({
  part: Type.String({ description: PARTS.join(', ') }),
  ja: Type.String(),
  months: Type.Integer({ description: 'Months the part was levied' }),
  incomeLevy: Type.Integer({ description: '所得割' }),
  perCapitaLevy: Type.Integer({ description: '均等割, before reductions' }),
  perHouseholdLevy: Type.Integer({ description: '平等割, before reductions' }),
  perCapitaReduction: Type.Integer({ description: '7割・5割・2割軽減 of 均等割' }),
  preschoolReduction: Type.Integer({ description: '未就学児 reduction of 均等割' }),
  perHouseholdReduction: Type.Integer({ description: '7割・5割・2割軽減 of 平等割' }),
  beforeCap: Type.Integer(),
  cap: Type.Integer({ description: '賦課限度額, prorated by months' }),
  afterCap: Type.Integer(),
  amount: Type.Integer({ description: "The part's premium (truncated to ¥100 when rounding is each_part)" }),
});
const Thresholds = Type.Object({ sevenTenths: Yen, fiveTenths: Yen, twoTenths: Yen });
const NationalSchema = Type.Object({
  fiscalYear: Type.Integer(),
  caps: Type.Object({ medical: Yen, support: Yen, care: Yen }),
  reduction: Type.Object({ base: Yen, perExtraEarner: Yen, fiveTenthsPerMember: Yen, twoTenthsPerMember: Yen }),
  preschoolReduction: Type.Boolean(),
  sources: Type.Array(Type.String()),
});

const PremiumSchema = Type.Object({
  householdId: Uuid,
  fiscalYear: Type.Integer(),
  municipalityCode: Type.String(),
  levy: Type.Union([Type.Literal('premium'), Type.Literal('tax')], { description: '保険料 or 保険税' }),
  ratesVersion: Type.Integer({ description: 'The version of the rate table used' }),
  assessee: Uuid,
  deemedHead: Type.Boolean({ description: '擬制世帯主: the head was not insured in the year while others were' }),
  reduction: Nullable(
    Type.Object({
      date: Type.String({ description: '軽減判定の基準日' }),
      income: Type.Integer(),
      members: Type.Integer(),
      earners: Type.Integer(),
      thresholds: Thresholds,
      tenths: Type.Integer({ description: '7, 5, 2 (割 reduced) or 0' }),
    }),
  ),
  members: Type.Array(
    Type.Object({
      id: Uuid,
      isHead: Type.Boolean(),
      insuredMonths: Type.Array(Type.String()),
      careMonths: Type.Array(Type.String()),
      preschool: Type.Boolean(),
    }),
  ),
  parts: Type.Object({ medical: PartSchema, support: PartSchema, care: PartSchema }),
  total: Type.Integer({ description: "The year's premium" }),
  rates: RateEntrySchema,
  national: NationalSchema,
  specifiedSameHouseholdMembers: Type.Array(Uuid, { description: '特定同一世帯所属者 counted in the reduction judgement' }),
  incomes: Type.Array(
    Type.Object({
      residentId: Uuid,
      income: Type.Integer({ description: '総所得金額等 of the previous calendar year' }),
      incomeForReduction: Type.Integer({ description: 'The income the reductions were judged by' }),
      earner: Type.Boolean({ description: '給与所得者等' }),
      incomeUnreported: Type.Boolean({ description: 'No income known: counted as 0 (未申告, or not assessed here)' }),
      source: Type.String({
        description: `Where the income comes from: ${INCOME_SOURCES.join(', ')} (the residential tax's assessment of the same fiscal year, its finding of no income record, its refusal of the record, no assessment here, or born after the income year)`,
      }),
      runNumber: Nullable(Type.Integer({ description: 'The residential tax run the income (or its absence) comes from' })),
    }),
  ),
  incomeComplete: Type.Boolean({ description: "Everyone's income is known; when false, the reduction assumes 0 for the unreported" }),
});

/** Japanese for the rules' own refusals (premium.ts, eligibility.ts); the English is the rule's message. */
const RULE_JA: Readonly<Record<string, string>> = {
  no_national_figures: 'この年度の国の基準（賦課限度額・軽減判定所得）が登録されていません。',
  no_entry: 'この年度の料率がありません。',
  overlap: '期間が重なっています。',
  after_from: '資格喪失日が資格取得日より後である必要があります。',
  after_birth: '資格取得日が生年月日より前です。',
  before_75: '75歳の誕生日以後に国民健康保険の資格は取得できません。',
  date: '日付（YYYY-MM-DD）である必要があります。',
  unique: '世帯の中で重複しています。',
  yen: '0 以上の整数（円）である必要があります。',
  unknown: '国民健康保険に届いていません（住民記録からの連携を確認してください）。',
};

function ruleError(field: string, rule: string, en: string): FieldError {
  return fieldError(field, rule, { ja: RULE_JA[rule] ?? '保険料計算の規則に合いません。', en });
}

const incomplete = (missing: readonly MissingFact[]) =>
  new Problem(
    'nhi_premium_household_incomplete',
    missing.map((m) => ruleError(m.field, m.rule, 'is not known to NHI (check the linkage from the resident register)')),
  );

/** The rules' refusal as a field error, the member named by resident id; the message never repeats a value. */
function inputError(err: NhiInputError, composition: Composition): FieldError {
  const en = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
  return ruleError(apiField(err.field, composition), err.rule, en);
}

export function nhiPremiumRoutes(app: App, platform: Platform): void {
  app.put(
    '/v1/nhi/premium-rates',
    {
      config: { access: { roles: ['municipal_admin'], tenant: true } },
      schema: {
        tags: TAGS,
        summary: "Replace the municipality's NHI rate table (保険料率: 所得割・均等割・平等割 of each part, by fiscal year); the earlier versions are kept",
        body: RateTableBodySchema,
        response: { 200: RateTableSchema },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const principal = principalOf(request);
      const problems = rateTableProblems(tenant.municipalityCode, request.body);
      if (problems.length > 0) throw new Problem('nhi_premium_rates_invalid', problems.slice(0, 50));
      return tenant.run(async (db) => {
        let stored;
        try {
          stored = await insertRateTable(db, request.body, principal.accountId);
        } catch (err) {
          // Another admin stored the same version meanwhile.
          if ((err as { code?: string }).code === '23505') throw new Problem('conflict');
          throw err;
        }
        // In the transaction: no entry, no change.
        await recordAction(platform, request, 'settings_changed', { records: [{ resource: 'nhi_premium_rates', ids: [principal.organizationCode] }] });
        return stored;
      });
    },
  );

  app.get(
    '/v1/nhi/premium-rates',
    {
      config: { access: { roles: RATE_READERS, tenant: true } },
      schema: { tags: TAGS, summary: "The municipality's NHI rate table in force (version null until set)", response: { 200: RateTableSchema } },
    },
    async (request) =>
      tenantOf(request).run(async (db) => (await latestRateTable(db)) ?? { version: null, levy: null, entries: [], setBy: null, setAt: null }),
  );

  app.get(
    '/v1/nhi/households/:householdId/premium',
    {
      config: { access: { roles: PREMIUM_READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary:
          "A household's NHI premium for a fiscal year, itemised: parts, reductions, caps, months, the head assessed (擬制世帯主 too) and where each income came from (404 when nobody in it was insured that year)",
        params: Type.Object({ householdId: Uuid }, { additionalProperties: false }),
        querystring: Type.Object(
          { fiscalYear: Type.Integer({ minimum: MIN_FISCAL_YEAR, maximum: MAX_FISCAL_YEAR, description: 'The fiscal year (年度), e.g. 2025 for April 2025 – March 2026' }) },
          { additionalProperties: false },
        ),
        response: { 200: PremiumSchema },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { householdId } = request.params;
      const { fiscalYear } = request.query;
      let keys: Promise<MunicipalityKeys> | undefined;
      const keysOnce = () => (keys ??= platform.keys.forMunicipality(tenant.municipalityCode));
      return tenant.run(async (db) => {
        const memberships = await householdMemberships(db, householdId, fiscalYear);
        const head = await headOf(db, householdId);
        const known = await peopleByIds(db, [...memberships.map((m) => m.residentId), ...(head ? [head.residentId] : [])]);
        const composition = householdComposition({ fiscalYear, householdId, head, memberships, people: known });
        // Another municipality's household is answered exactly like one with nobody insured here that year.
        if (!composition) throw new Problem('not_found');

        const stored = await latestRateTable(db);
        if (!stored) throw new Problem('nhi_premium_rates_missing');
        const table = rateTableOf(tenant.municipalityCode, stored);
        try {
          ratesFor(table, fiscalYear);
        } catch (err) {
          // The table was checked when set, so only a year it does not cover can be refused here.
          if (err instanceof NhiInputError) throw new Problem('nhi_premium_rates_missing', [ruleError('querystring/fiscalYear', err.rule, 'no entry of the rate table covers this fiscal year')]);
          throw err;
        }
        let national: NationalFigures;
        try {
          national = nationalFiguresFor(fiscalYear);
        } catch (err) {
          if (err instanceof NhiInputError) throw new Problem('nhi_premium_unassessable', [inputError(err, composition)]);
          throw err;
        }

        // Everyone in the composition holds one of the memberships or is the head: `known` has them all.
        // What is missing is refused before any income is opened.
        const missing = missingFacts(composition, known);
        if (missing.length > 0) throw incomplete(missing);
        const incomes = new Map<string, PersonIncome>();
        const incomeRecordIds: string[] = [];
        for (const id of composition.residentIds) {
          const read = await incomeEvidence(db, keysOnce, id, fiscalYear);
          if (read.incomeRecordId) incomeRecordIds.push(read.incomeRecordId);
          incomes.set(id, personIncome(id, known.get(id)!.dateOfBirth!, fiscalYear, read.evidence));
        }
        const input = householdInput(composition, known, incomes);
        if (!input.household) throw incomplete(input.missing);

        let premium;
        try {
          premium = householdPremium(input.household, fiscalYear, table, national);
        } catch (err) {
          if (err instanceof NhiInputError) throw new Problem('nhi_premium_unassessable', [inputError(err, composition)]);
          throw err;
        }

        await recordAction(platform, request, 'personal_data_read', {
          purpose: tenant.purpose,
          records: [
            { resource: 'residents', ids: [...composition.residentIds] },
            { resource: 'residential_tax_assessments', ids: [...incomes.values()].flatMap((i) => (i.assessmentId ? [i.assessmentId] : [])) },
            { resource: 'residential_tax_income_records', ids: incomeRecordIds },
          ].filter((r) => r.ids.length > 0),
        });
        const byPerson = composition.residentIds.map((id) => incomes.get(id)!);
        return {
          householdId,
          ...premium,
          members: premium.members.map((m) => ({ ...m, insuredMonths: [...m.insuredMonths], careMonths: [...m.careMonths] })),
          national: { ...premium.national, sources: [...premium.national.sources] },
          levy: stored.levy,
          ratesVersion: stored.version,
          specifiedSameHouseholdMembers: [...composition.specified].sort(),
          incomes: byPerson.map(({ assessmentId: _, ...i }) => i),
          incomeComplete: byPerson.every((i) => !i.incomeUnreported),
        };
      });
    },
  );
}
