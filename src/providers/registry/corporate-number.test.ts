import { describe, expect, it } from 'vitest';
import { corporateNumberCheckDigit, corporateNumberProblem } from './corporate-number.js';

describe('法人番号 (corporate number)', () => {
  it.each(['7000012050002', '1180301018771', '1120001059675'])('accepts %s', (n) => {
    expect(corporateNumberProblem(n)).toBeNull();
  });

  it('computes the check digit from the 12-digit base', () => {
    expect(corporateNumberCheckDigit('000012050002')).toBe(7);
    expect(corporateNumberCheckDigit('000000000000')).toBe(9);
  });

  it('refuses a wrong check digit and anything but 13 digits', () => {
    expect(corporateNumberProblem('8000012050002')).toBe('check_digit');
    expect(corporateNumberProblem('700001205000')).toBe('format');
    expect(corporateNumberProblem('7000-012050002')).toBe('format');
    expect(corporateNumberProblem('７000012050002')).toBe('format');
  });
});
