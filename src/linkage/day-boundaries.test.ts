import { describe, expect, it } from 'vitest';
import { addDays, dailyFileName, daysDue, isDay, lastEndedDay } from './day-boundaries.js';

/** An instant given in Japan Standard Time. */
const jst = (text: string) => new Date(`${text}+09:00`);

describe('the day a daily file closes', () => {
  it('is the day that ended at midnight in Japan (UTC+9), not in UTC', () => {
    expect(lastEndedDay(jst('2026-04-02T00:00:00.000'))).toBe('2026-04-01');
    expect(lastEndedDay(jst('2026-04-01T23:59:59.999'))).toBe('2026-03-31');
    // 15:00 UTC is midnight in Japan: the UTC date is still the day before.
    expect(lastEndedDay(new Date('2026-04-01T15:00:00.000Z'))).toBe('2026-04-01');
    expect(lastEndedDay(new Date('2026-04-01T14:59:59.999Z'))).toBe('2026-03-31');
    // Across a year's and a leap month's end.
    expect(lastEndedDay(jst('2027-01-01T00:00:01'))).toBe('2026-12-31');
    expect(lastEndedDay(jst('2028-03-01T00:00:01'))).toBe('2028-02-29');
  });

  it('is due once midnight has passed, and not before', () => {
    expect(daysDue(jst('2026-04-01T23:59:59.999'), '2026-03-31')).toEqual({ missed: [], closing: null });
    expect(daysDue(jst('2026-04-02T00:00:00.000'), '2026-03-31')).toEqual({ missed: [], closing: '2026-04-01' });
    expect(daysDue(jst('2026-04-02T13:00:00'), '2026-04-01')).toEqual({ missed: [], closing: null });
  });

  it('closes the days missed while nothing ran, the last one at the current horizon', () => {
    expect(daysDue(jst('2026-04-05T00:00:10'), '2026-04-01')).toEqual({ missed: ['2026-04-02', '2026-04-03'], closing: '2026-04-04' });
    expect(daysDue(jst('2026-03-02T08:00'), '2026-02-26')).toEqual({ missed: ['2026-02-27', '2026-02-28'], closing: '2026-03-01' });
  });

  it('starts with the day just ended, and leaves alone a day another process (its clock ahead) already closed', () => {
    expect(daysDue(jst('2026-04-02T00:00:05'), null)).toEqual({ missed: [], closing: '2026-04-01' });
    expect(daysDue(jst('2026-04-01T23:59:58'), '2026-04-01')).toEqual({ missed: [], closing: null });
  });
});

describe('days', () => {
  it('are calendar dates written YYYY-MM-DD', () => {
    for (const ok of ['2026-04-01', '2028-02-29', '1999-12-31']) expect(isDay(ok), ok).toBe(true);
    for (const bad of ['2026-02-30', '2027-02-29', '2026-4-1', '2026-04-01T00:00', '20260401', '', '2026-13-01', '２０２６-04-01']) expect(isDay(bad), bad).toBe(false);
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });

  it('name the file after the municipality, the subscription and the day', () => {
    expect(dailyFileName('131016', '7c1e2f3a-0000-4000-8000-000000000000', '2026-04-01')).toBe('municloud-131016-7c1e2f3a-2026-04-01.csv');
  });
});
