/**
 * Income records (所得の資料) for the residential tax: what the municipality
 * receives for a resident and a fiscal year — an employer's 給与支払報告書, a
 * 確定申告 forwarded by the tax office, the resident's own 住民税申告, a pension
 * payer's 公的年金等支払報告書 — already reduced to the inputs `assess` takes.
 * The schema is the API's and the import file's; `taxpayerOf` is the one place
 * a record becomes the rules' input. Pure.
 */
import { Type, type Static } from 'typebox';
import { Uuid } from '../../platform/http/schemas.js';
import type { CollectionMethod, Taxpayer } from './assessment.js';

export const INCOME_SOURCES = ['salary_report', 'tax_return', 'declaration', 'pension_report'] as const;
export type IncomeSource = (typeof INCOME_SOURCES)[number];

/** The most records one request (or one import transaction) takes. */
export const MAX_RECORDS_PER_BATCH = 1000;

// Whole yen; the upper bound keeps every product of the rules a safe integer.
const Yen = Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Whole yen' });
const Count = Type.Integer({ minimum: 0, maximum: 99 });

export const IncomeFiguresSchema = {
  source: Type.Union(
    [Type.Literal('salary_report'), Type.Literal('tax_return'), Type.Literal('declaration'), Type.Literal('pension_report')],
    { description: '給与支払報告書 salary_report, 確定申告 tax_return, 住民税申告 declaration, 公的年金等支払報告書 pension_report' },
  ),
  collection: Type.Optional(
    Type.Union([Type.Literal('ordinary'), Type.Literal('special')], {
      description: '普通徴収 ordinary or 特別徴収 special (by the employer); default: special for a salary_report, else ordinary',
    }),
  ),
  income: Type.Object(
    {
      salary: Type.Optional(Yen),
      publicPension: Type.Optional(Yen),
      other: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Other income as 所得, after its own expenses' })),
      highSalaryAdjustmentEligible: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  deductions: Type.Optional(Type.Object({ socialInsurance: Type.Optional(Yen), other: Type.Optional(Yen) }, { additionalProperties: false })),
  spouse: Type.Optional(Type.Object({ totalIncome: Yen, aged70OrOver: Type.Boolean() }, { additionalProperties: false })),
  dependants: Type.Optional(
    Type.Object(
      { under16: Type.Optional(Count), general: Type.Optional(Count), specified: Type.Optional(Count), elderly: Type.Optional(Count), elderlyCohabitingParent: Type.Optional(Count) },
      { additionalProperties: false },
    ),
  ),
  specifiedRelativeIncomes: Type.Optional(Type.Array(Yen, { maxItems: 20 })),
  disabledFamilyMembers: Type.Optional(
    Type.Object({ ordinary: Type.Optional(Count), special: Type.Optional(Count), specialCohabiting: Type.Optional(Count) }, { additionalProperties: false }),
  ),
  status: Type.Optional(
    Type.Object(
      {
        disability: Type.Optional(Type.Union([Type.Literal('ordinary'), Type.Literal('special')])),
        widow: Type.Optional(Type.Boolean()),
        singleParent: Type.Optional(Type.Union([Type.Literal('mother'), Type.Literal('father')])),
        livelihoodAssistance: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
  ),
};

/** One record as the API and the import file take it. */
export const IncomeRecordInputSchema = Type.Object(
  {
    residentId: Uuid,
    fiscalYear: Type.Integer({ minimum: 2000, maximum: 2100, description: 'The fiscal year assessed (its income is of the calendar year before)' }),
    ...IncomeFiguresSchema,
  },
  { additionalProperties: false },
);
export type IncomeRecordInput = Static<typeof IncomeRecordInputSchema>;

/** What is sealed: the record without its ids and year (those are in the clear, to find it). */
export type IncomeFigures = Omit<IncomeRecordInput, 'residentId' | 'fiscalYear'>;

export function figuresOf(record: IncomeRecordInput): IncomeFigures {
  const { residentId: _r, fiscalYear: _y, ...figures } = record;
  return figures;
}

/** The collection method of a record: as it says, else by the employer for a salary report. */
export const collectionOf = (f: Pick<IncomeFigures, 'source' | 'collection'>): CollectionMethod => f.collection ?? (f.source === 'salary_report' ? 'special' : 'ordinary');

/** The rules' input: the record's figures and the date of birth the roster holds (from the register). */
export function taxpayerOf(figures: IncomeFigures, birthDate: string): Taxpayer {
  return {
    birthDate,
    income: figures.income,
    ...(figures.deductions ? { deductions: figures.deductions } : {}),
    ...(figures.spouse ? { spouse: figures.spouse } : {}),
    ...(figures.dependants ? { dependants: figures.dependants } : {}),
    ...(figures.specifiedRelativeIncomes ? { specifiedRelativeIncomes: figures.specifiedRelativeIncomes } : {}),
    ...(figures.disabledFamilyMembers ? { disabledFamilyMembers: figures.disabledFamilyMembers } : {}),
    ...(figures.status ? { status: figures.status } : {}),
  };
}

/** A field of the rules' input ('income.salary', 'birthDate') as a pointer into a record ('income/salary', 'residentId'). */
export function recordPointer(field: string): string {
  // The date of birth is not sent: it is the register's, reached through the resident.
  if (field === 'birthDate') return 'residentId';
  if (field === 'fiscalYear') return 'fiscalYear';
  return field.replaceAll('.', '/');
}
