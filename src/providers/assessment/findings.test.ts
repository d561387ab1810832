import { describe, expect, it } from 'vitest';
import { admitFinding, currentFindings, type Finding, FindingRefused, findingProblems } from './findings.js';
import { KNOWN_IDS, LEAD, ON } from './test-fixtures.js';

const base: Finding = { serviceId: LEAD, requirementId: 'sec-02', state: 'satisfied', assessedOn: '2026-03-01', assessor: 'assessor-1' };

describe('findingProblems', () => {
  it('admits a well-formed finding', () => {
    expect(findingProblems(base, KNOWN_IDS, ON)).toEqual([]);
    expect(admitFinding({ ...base, state: 'not_applicable', reason: '  No physical premises.  ' }, KNOWN_IDS, ON).reason).toBe('No physical premises.');
  });

  it('needs a reason for not_applicable and not_satisfied', () => {
    for (const state of ['not_applicable', 'not_satisfied'] as const) {
      expect(findingProblems({ ...base, state }, KNOWN_IDS, ON).map((p) => [p.path, p.rule])).toEqual([['/reason', 'reason_required']]);
      expect(findingProblems({ ...base, state, reason: ' ' }, KNOWN_IDS, ON).map((p) => p.rule)).toEqual(['reason_required']);
    }
  });

  it('refuses an unknown requirement, a malformed or future date and a missing assessor, all at once', () => {
    const problems = findingProblems({ ...base, requirementId: 'sec-99', assessedOn: '2026-02-30', assessor: ' ' }, KNOWN_IDS, ON);
    expect(problems.map((p) => [p.path, p.rule])).toEqual([
      ['/requirementId', 'unknown_requirement'],
      ['/assessedOn', 'day'],
      ['/assessor', 'assessor_required'],
    ]);
    expect(findingProblems({ ...base, assessedOn: '2026-04-02' }, KNOWN_IDS, ON).map((p) => p.rule)).toEqual(['not_in_future']);
    expect(() => admitFinding({ ...base, requirementId: 'x' }, KNOWN_IDS, ON)).toThrow(FindingRefused);
  });
});

describe('currentFindings', () => {
  it('takes the latest finding on or before the day, per requirement, for the service only', () => {
    const findings: Finding[] = [
      { ...base, state: 'not_satisfied', reason: 'Backups unencrypted.', assessedOn: '2026-01-10' },
      { ...base, assessedOn: '2026-02-20' },
      { ...base, state: 'not_satisfied', reason: 'Regression.', assessedOn: '2026-05-01' },
      { ...base, serviceId: 'other', state: 'not_satisfied', reason: 'x', assessedOn: '2026-03-01' },
      { ...base, requirementId: 'leg-01', assessedOn: '2026-03-15' },
    ];
    const now = currentFindings(findings, LEAD, ON);
    expect([...now.keys()]).toEqual(['sec-02', 'leg-01']);
    expect(now.get('sec-02')!.assessedOn).toBe('2026-02-20');
    expect(currentFindings(findings, LEAD, '2026-02-01').get('sec-02')!.state).toBe('not_satisfied');
    expect(currentFindings(findings, LEAD, '2026-05-01').get('sec-02')!.reason).toBe('Regression.');
  });

  it('on one day, the more cautious finding stands, whatever the order', () => {
    const a: Finding = { ...base, assessor: 'assessor-1' };
    const b: Finding = { ...base, state: 'not_satisfied', reason: 'Disagree.', assessor: 'assessor-2' };
    const c: Finding = { ...base, state: 'not_applicable', reason: 'N/A.', assessor: 'assessor-3' };
    for (const order of [[a, b, c], [c, b, a], [b, a, c]]) {
      expect(currentFindings(order, LEAD, ON).get('sec-02')).toBe(b);
    }
    expect(currentFindings([c, a], LEAD, ON).get('sec-02')).toBe(c);
    // Same state on the same day: the first assessor id in order, so the choice does not depend on storage order.
    const a2: Finding = { ...a, assessor: 'assessor-0' };
    expect(currentFindings([a, a2], LEAD, ON).get('sec-02')).toBe(a2);
    expect(currentFindings([a2, a], LEAD, ON).get('sec-02')).toBe(a2);
  });
});
