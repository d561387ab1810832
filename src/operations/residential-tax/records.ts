/**
 * Taking in a batch of income records: the one path of the API
 * (POST /v1/residential-tax/income-records) and of the import command
 * (`municloud residential-tax income import`). Every record is checked against
 * the roster (the resident must have lived here on 1 January of its year: the
 * others are taxed elsewhere) and against the rules themselves (`assess` is
 * run on it, so what the batch would refuse is refused now, naming the field).
 * One problem refuses the whole batch and nothing is written.
 */
import type pg from 'pg';
import { fieldError, Problem, type FieldError, type Message } from '../../platform/errors.js';
import type { MunicipalityKeys } from '../../security/keys/service.js';
import { assess, rateSetFor, ResidentialTaxError } from './assessment.js';
import { figuresOf, recordPointer, taxpayerOf, type IncomeRecordInput } from './income.js';
import { insertIncomeRecords, rosterStanding, type StoredIncomeRecord } from './store.js';

/** Japanese for the rules' own refusals (assessment.ts); the English is the rule's message. */
const RULE_JA: Readonly<Record<string, string>> = {
  yen: '0 以上の整数（円）である必要があります。',
  count: '0 から 99 までの整数である必要があります。',
  date: '日付（YYYY-MM-DD）である必要があります。',
  year: '1900 から 9999 までの整数の年である必要があります。',
  no_rate_set: 'この年度の税率等が登録されていません。',
  after_assessment_date: '生年月日が賦課期日（1月1日）より後です。住民記録を確認してください。',
  boolean: 'true または false である必要があります。',
  kind: '指定できない区分です。',
  unknown: '不明な区分です。',
  more_than_family: '障害者の人数が同一生計配偶者・扶養親族の人数を超えています。',
  array: '配列である必要があります。',
  not_in_force: 'この年度には特定親族特別控除はありません。',
  is_dependant: '扶養親族の所得要件を満たす親族は特定親族ではなく扶養親族（dependants.specified）として数えてください。',
  widow_and_single_parent: '寡婦とひとり親は同時に該当しません。',
  required: '必須項目です。',
};

const MESSAGES = {
  unknown_resident: { ja: 'この団体の住民として記録にない方です。', en: "is not a resident on this municipality's roster" },
  not_resident_on_assessment_date: {
    ja: 'この年度の賦課期日（1月1日）にこの団体に住所がなかった方です（課税はその日の住所地の団体が行います）。',
    en: 'was not resident here on 1 January of the fiscal year (the municipality of that day assesses the tax)',
  },
  repeated: { ja: '同じ住民・年度の所得資料が重複しています（一度に登録できるのは一件です）。', en: 'the same resident and fiscal year appear again: one record of each at a time' },
} satisfies Record<string, Message>;

/** A resident and year twice in one batch (or one import file). */
export const REPEATED: Message = MESSAGES.repeated;

/** A refusal of the rules as a field error at the record's pointer; the message never repeats a value. */
function ruleError(at: string, err: ResidentialTaxError): FieldError {
  const en = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
  return fieldError(`${at}/${recordPointer(err.field)}`, err.rule, { ja: RULE_JA[err.rule] ?? '所得資料の内容が税額計算の規則に合いません。', en });
}

/**
 * What is wrong with a batch, as field errors at `at(i)` + the record's
 * pointer, given the roster's standing of its residents. Pure apart from what
 * it is given.
 */
export function incomeRecordProblems(
  records: readonly IncomeRecordInput[],
  standingOf: (fiscalYear: number) => { onRoster: ReadonlyMap<string, { dateOfBirth: string | null }>; known: ReadonlySet<string> },
  at: (index: number) => string,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  records.forEach((record, i) => {
    const key = `${record.residentId}/${record.fiscalYear}`;
    if (seen.has(key)) {
      errors.push(fieldError(`${at(i)}/residentId`, 'repeated', MESSAGES.repeated));
      return;
    }
    seen.add(key);
    try {
      rateSetFor(record.fiscalYear);
    } catch (err) {
      if (err instanceof ResidentialTaxError) {
        errors.push(ruleError(at(i), err));
        return;
      }
      throw err;
    }
    const standing = standingOf(record.fiscalYear);
    const entry = standing.onRoster.get(record.residentId);
    if (!entry) {
      const rule = standing.known.has(record.residentId) ? 'not_resident_on_assessment_date' : 'unknown_resident';
      errors.push(fieldError(`${at(i)}/residentId`, rule, MESSAGES[rule]));
      return;
    }
    if (!entry.dateOfBirth) {
      // The subscription delivers the date of birth (a required field); a roster entry without one predates no rule.
      errors.push(fieldError(`${at(i)}/residentId`, 'unknown_resident', MESSAGES.unknown_resident));
      return;
    }
    try {
      // The municipality's own context does not change what is valid: only the figures and the year do.
      assess(taxpayerOf(figuresOf(record), entry.dateOfBirth), { fiscalYear: record.fiscalYear, designatedCity: false, livingCostClass: 1 });
    } catch (err) {
      if (err instanceof ResidentialTaxError) errors.push(ruleError(at(i), err));
      else throw err;
    }
  });
  return errors;
}

/**
 * Checks a batch and writes it in the caller's tenant transaction, or throws
 * `residential_tax_income_rejected` naming every item at fault (nothing
 * written). Returns the stored records in the batch's order.
 */
export async function submitIncomeRecords(
  db: pg.ClientBase,
  keys: MunicipalityKeys,
  records: readonly IncomeRecordInput[],
  options: { enteredBy: string | null; importRunId: string | null; at: (index: number) => string },
): Promise<StoredIncomeRecord[]> {
  const years = [...new Set(records.map((r) => r.fiscalYear))];
  const standings = new Map<number, Awaited<ReturnType<typeof rosterStanding>>>();
  for (const year of years) {
    standings.set(
      year,
      await rosterStanding(
        db,
        records.filter((r) => r.fiscalYear === year).map((r) => r.residentId),
        year,
      ),
    );
  }
  const errors = incomeRecordProblems(records, (year) => standings.get(year)!, options.at);
  // At most a page of errors: a thousand of the same mistake say no more than fifty.
  if (errors.length > 0) throw new Problem('residential_tax_income_rejected', errors.slice(0, 50));
  return insertIncomeRecords(
    db,
    keys,
    records.map((r) => ({ residentId: r.residentId, fiscalYear: r.fiscalYear, figures: figuresOf(r) })),
    { enteredBy: options.enteredBy, importRunId: options.importRunId },
  );
}
