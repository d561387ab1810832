/**
 * Registry facts the provider tests share: a registration audited over a
 * period that ended 40 days ago (so in force today, until VALID_UNTIL), and
 * corporate numbers with their check digit.
 */
import { addDays, todayInJapan } from '../../src/providers/days.js';
import { corporateNumberCheckDigit } from '../../src/providers/registry/corporate-number.js';
import { validUntil } from '../../src/providers/registry/registration.js';

export const TODAY = todayInJapan();
/** The audited period and listing of a registration in force today, as the API takes them. */
export const AUDIT = { auditPeriodStart: addDays(TODAY, -400), auditPeriodEnd: addDays(TODAY, -40), listedOn: addDays(TODAY, -10) };
/** The same as CLI options. */
export const AUDIT_OPTIONS = ['--audit-start', AUDIT.auditPeriodStart, '--audit-end', AUDIT.auditPeriodEnd, '--listed-on', AUDIT.listedOn];
export const VALID_UNTIL = validUntil(AUDIT.auditPeriodEnd);
/** A 法人番号 from its 12 base digits: the check digit first. */
export const corporateNumber = (base: string): string => `${corporateNumberCheckDigit(base)}${base}`;
