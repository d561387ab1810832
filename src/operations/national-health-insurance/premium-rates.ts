/**
 * A municipality's NHI rate table as the API takes it (PUT /v1/nhi/premium-rates)
 * and what is wrong with one. Pure: the schema checks shapes and ranges at the
 * edge; `rateTableProblems` checks what a schema cannot (a year range that runs
 * backwards, entries that overlap) and runs `ratesFor` on every year an entry
 * covers, so a table the premium could not use is refused when it is set, not
 * when a premium is asked for. Documented in docs/national-health-insurance.md
 * ("Premiums over the API").
 */
import { Type, type Static } from 'typebox';
import { fieldError, type FieldError, type Message } from '../../platform/errors.js';
import { NhiInputError } from './eligibility.js';
import { ratesFor, type MunicipalRateTable, type RateEntry } from './premium.js';

/** Years the API takes; the pure rules take more, but a rate table is about the platform's own era. */
export const MIN_FISCAL_YEAR = 2000;
export const MAX_FISCAL_YEAR = 2100;
/** Far more entries than any municipality has had (rates change at most once a year). */
export const MAX_ENTRIES = 100;

const FiscalYear = (description?: string) => Type.Integer({ minimum: MIN_FISCAL_YEAR, maximum: MAX_FISCAL_YEAR, ...(description ? { description } : {}) });
// 10 million yen a person or a household is ten times any cap (賦課限度額): a typo, not a rate.
const Yen = (description: string) => Type.Integer({ minimum: 0, maximum: 10_000_000, description });

const PartRates = (description: string) =>
  Type.Object(
    {
      incomeRateBp: Type.Integer({ minimum: 0, maximum: 10_000, description: '所得割率 in basis points: 7.00 % = 700' }),
      perCapita: Yen('均等割額 per member, yen a year'),
      perHousehold: Yen('平等割額 per household, yen a year; 0 where none is levied'),
    },
    { additionalProperties: false, description },
  );

export const RateEntrySchema = Type.Object(
  {
    fromFiscalYear: FiscalYear('First fiscal year (年度) these rates apply to'),
    untilFiscalYear: Type.Union([FiscalYear(), Type.Null()], { description: 'Last fiscal year they apply to; null while in force' }),
    medical: PartRates('基礎賦課額（医療分）'),
    support: PartRates('後期高齢者支援金等賦課額（支援金分）'),
    care: PartRates('介護納付金賦課額（介護分）, members aged 40–64'),
    rounding: Type.Union([Type.Literal('each_part'), Type.Literal('total')], {
      description: 'Truncation to ¥100 of each part (each_part) or of the total only (total)',
    }),
  },
  { additionalProperties: false },
);

export const RateTableBodySchema = Type.Object(
  {
    levy: Type.Union([Type.Literal('premium'), Type.Literal('tax')], { description: '保険料 (premium) or 保険税 (tax): the same arithmetic' }),
    entries: Type.Array(RateEntrySchema, { minItems: 1, maxItems: MAX_ENTRIES }),
  },
  { additionalProperties: false },
);
export type RateTableBody = Static<typeof RateTableBodySchema>;

const MESSAGES = {
  until_before_from: { ja: '適用終了年度が適用開始年度より前です。', en: 'the last fiscal year is before the first' },
  overlap: { ja: 'ほかの料率と適用年度が重なっています。年度ごとに一つの料率にしてください。', en: 'overlaps another entry: one entry per fiscal year' },
} satisfies Record<string, Message>;

/** Japanese for `ratesFor`'s own refusals; the English is its message. */
const RULE_JA: Readonly<Record<string, string>> = {
  basis_points: '0 から 10000 までの整数（ベーシスポイント）である必要があります。',
  yen: '0 以上の整数（円）である必要があります。',
  enum: '指定できない区分です。',
  integer: '年度（例: 2025）である必要があります。',
};

/** The table the rules take, for the tenant's municipality. */
export function rateTableOf(municipalityCode: string, body: { readonly levy: 'premium' | 'tax'; readonly entries: readonly RateEntry[] }): MunicipalRateTable {
  return { municipalityCode, name: municipalityCode, levy: body.levy, entries: body.entries };
}

/** The fiscal years an entry covers that could ever be asked for differently: an open entry up to the last year any entry starts. */
function yearsOf(entry: RateEntry, entries: readonly RateEntry[]): number[] {
  const last = entry.untilFiscalYear ?? Math.max(entry.fromFiscalYear, ...entries.map((e) => e.fromFiscalYear));
  const years: number[] = [];
  for (let y = entry.fromFiscalYear; y <= last; y++) years.push(y);
  return years;
}

const overlaps = (a: RateEntry, b: RateEntry) =>
  a.fromFiscalYear <= (b.untilFiscalYear ?? Infinity) && b.fromFiscalYear <= (a.untilFiscalYear ?? Infinity);

/**
 * What is wrong with a rate table that passed the schema, as field errors at
 * `body/entries/<i>/…`, naming each entry at fault (never a value). Empty when
 * the premium can use it for every year it covers.
 */
export function rateTableProblems(municipalityCode: string, body: RateTableBody): FieldError[] {
  const errors: FieldError[] = [];
  const at = (i: number) => `body/entries/${i}`;
  body.entries.forEach((e, i) => {
    if (e.untilFiscalYear !== null && e.untilFiscalYear < e.fromFiscalYear) errors.push(fieldError(`${at(i)}/untilFiscalYear`, 'until_before_from', MESSAGES.until_before_from));
  });
  if (errors.length > 0) return errors;
  // Each entry that overlaps an earlier one is named (the later in the list, so the first stands as the reference).
  body.entries.forEach((e, i) => {
    const other = body.entries.findIndex((o, j) => j < i && overlaps(o, e));
    if (other >= 0) errors.push(fieldError(at(i), 'overlap', { ja: `${MESSAGES.overlap.ja}（entries/${other}）`, en: `${MESSAGES.overlap.en} (entries/${other})` }));
  });
  if (errors.length > 0) return errors;
  const table = rateTableOf(municipalityCode, body);
  body.entries.forEach((e, i) => {
    for (const year of yearsOf(e, body.entries)) {
      try {
        ratesFor(table, year);
      } catch (err) {
        if (!(err instanceof NhiInputError)) throw err;
        // ratesFor names 'rates/<part>/<field>' of the entry in force: the entry here.
        const field = err.field.startsWith('rates/') ? `${at(i)}/${err.field.slice('rates/'.length)}` : at(i);
        const en = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
        errors.push(fieldError(field, err.rule, { ja: RULE_JA[err.rule] ?? '料率の内容が保険料計算の規則に合いません。', en }));
        return;
      }
    }
  });
  return errors;
}
