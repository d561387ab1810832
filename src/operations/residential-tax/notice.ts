/**
 * What a 税額決定通知書 (notice of the assessed tax) carries besides the names,
 * which come from the register: the assessment's figures and the installments
 * with their due dates. Pure: no database, no clock.
 *
 * Due dates (納期限):
 * - 普通徴収 (ordinary collection): in June, August, October and January, on a
 *   day the municipality's ordinance sets (地方税法 320条). Most set the last day
 *   of the month; that is the default here.
 * - 特別徴収 (special collection): the employer deducts each month's amount from
 *   June's salary to May's and pays it in by the 10th of the following month
 *   (321条の5②): the date the notice to the employer gives.
 * A due date that falls on a Saturday or Sunday moves to the next Monday
 * (地方税法 20条の5②; Saturdays by the usual ordinance). National holidays
 * and the year-end closure are not modelled: an ordinance-specific calendar
 * is for the notice printing, which is not done yet (docs/residential-tax.md).
 */
import type { Assessment, CollectionMethod, Installment } from './assessment.js';

export interface DatedInstallment {
  /** 第n期 (ordinary) or the month's order (special), from 1. */
  readonly number: number;
  /** The month the installment is for: 'YYYY-MM'. */
  readonly month: string;
  /** 納期限 (ordinary) or the employer's payment deadline (special): 'YYYY-MM-DD'. */
  readonly dueDate: string;
  readonly amount: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const iso = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Saturday and Sunday move to the following Monday. */
function nextWeekday(d: Date): Date {
  const day = d.getUTCDay();
  const shift = day === 6 ? 2 : day === 0 ? 1 : 0;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + shift));
}

/** The calendar year and month of an installment of a fiscal year (January–May fall in the next calendar year). */
function calendarMonth(fiscalYear: number, inst: Installment): [number, number] {
  return [fiscalYear + (inst.followingCalendarYear ? 1 : 0), inst.month];
}

export function dueDate(fiscalYear: number, inst: Installment, method: CollectionMethod): string {
  const [year, month] = calendarMonth(fiscalYear, inst);
  // Date.UTC's month is 0-based: (year, month, 0) is the last day of `month`, (year, month, 10) the 10th of the next one.
  const day = method === 'ordinary' ? new Date(Date.UTC(year, month, 0)) : new Date(Date.UTC(year, month, 10));
  return iso(nextWeekday(day));
}

/** The installments of a fiscal year with their months and due dates. */
export function datedInstallments(fiscalYear: number, list: readonly Installment[], method: CollectionMethod): DatedInstallment[] {
  return list.map((inst) => {
    const [year, month] = calendarMonth(fiscalYear, inst);
    return { number: inst.number, month: `${pad(year, 4)}-${pad(month)}`, dueDate: dueDate(fiscalYear, inst, method), amount: inst.amount };
  });
}

/**
 * The figures an assessment row keeps (sealed): the assessment without its
 * English explanation (the reason code and the line say the same, and the
 * sentence repeats the income), the collection method and the installments.
 */
export interface AssessedFigures {
  readonly assessment: Omit<Assessment, 'nonTaxable'> & { readonly nonTaxable: Omit<NonNullable<Assessment['nonTaxable']>, 'explanation'> | null };
  readonly collection: CollectionMethod;
  readonly installments: readonly DatedInstallment[];
}

export function assessedFigures(assessment: Assessment, collection: CollectionMethod, list: readonly Installment[]): AssessedFigures {
  const { nonTaxable, ...rest } = assessment;
  return {
    assessment: { ...rest, nonTaxable: nonTaxable ? { scope: nonTaxable.scope, reason: nonTaxable.reason, threshold: nonTaxable.threshold } : null },
    collection,
    installments: datedInstallments(assessment.fiscalYear, list, collection),
  };
}
