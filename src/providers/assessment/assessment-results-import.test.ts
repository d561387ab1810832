import { describe, expect, it } from 'vitest';
import { OscalInvalid } from '../oscal/validate.js';
import { assessorAssessmentResults } from './assessment-results.js';
import { AssessmentResultsRefused, readAssessmentResultsFindings } from './assessment-results-import.js';
import type { Finding } from './findings.js';
import { LEAD, MY_NUMBER_PROFILE, ON } from './test-fixtures.js';

const findings: Finding[] = [
  { serviceId: LEAD, requirementId: 'sec-02', state: 'satisfied', assessedOn: '2026-02-10', assessor: 'assessor-1' },
  { serviceId: LEAD, requirementId: 'leg-01', state: 'not_applicable', reason: 'The lead holds no such contract.', assessedOn: '2026-03-01', assessor: 'assessor-2' },
  { serviceId: LEAD, requirementId: 'ops-01', state: 'not_satisfied', reason: 'No incident drill in the last year.', assessedOn: '2026-03-15', assessor: 'assessor-1' },
];

const exported = () =>
  assessorAssessmentResults({ serviceId: LEAD, serviceTitle: 'Lead SaaS', dataClass: 'my_number', requirementIds: MY_NUMBER_PROFILE, findings, on: ON, producedAt: '2026-04-01T09:00:00+09:00' });

const uuid = (n: number) => `2b1a4a1e-6c3d-4d5e-8f90-${String(n).padStart(12, '0')}`;
const metadata = { title: 'Audit firm results', 'last-modified': '2026-04-01T09:00:00+09:00', version: '1', 'oscal-version': '1.2.1' };

/** Results shaped as another tool writes them: no municloud props, states from the targets. */
function thirdParty(targets: object[], observations: object[] = [{ uuid: uuid(10), description: 'Interviewed the operations team.', methods: ['INTERVIEW'], collected: '2026-03-20T15:30:00Z' }]) {
  return {
    'assessment-results': {
      uuid: uuid(1),
      metadata,
      'import-ap': { href: 'ap.json' },
      results: [
        {
          uuid: uuid(2),
          title: 'Annual assessment',
          description: 'The audit firm’s assessment.',
          start: '2026-03-01T09:00:00+09:00',
          'reviewed-controls': { 'control-selections': [{ 'include-all': {} }] },
          observations,
          findings: targets.map((target, i) => ({ uuid: uuid(100 + i), title: `Finding ${i}`, description: 'A finding.', target, 'related-observations': [{ 'observation-uuid': uuid(10) }] })),
        },
      ],
    },
  };
}

describe('readAssessmentResultsFindings', () => {
  it('reads back what municloud exports: the same findings, each with its day and reason', () => {
    const read = readAssessmentResultsFindings(exported());
    const byId = new Map(read.findings.map((f) => [f.requirementId, f]));
    expect(byId.get('sec-02')).toEqual({ requirementId: 'sec-02', state: 'satisfied', assessedOn: '2026-02-10' });
    expect(byId.get('leg-01')).toEqual({ requirementId: 'leg-01', state: 'not_applicable', reason: 'The lead holds no such contract.', assessedOn: '2026-03-01' });
    expect(byId.get('ops-01')).toEqual({ requirementId: 'ops-01', state: 'not_satisfied', reason: 'No incident drill in the last year.', assessedOn: '2026-03-15' });
    expect(read.pointers[0]!.requirementId).toBe('/assessment-results/results/0/findings/0/target/target-id');
  });

  it('reads another tool’s results: states from the target, the day in Japan from the observation, the reason from the remarks', () => {
    const read = readAssessmentResultsFindings(
      thirdParty([
        { type: 'objective-id', 'target-id': 'sec-01', status: { state: 'satisfied' } },
        { type: 'objective-id', 'target-id': 'sec-03', status: { state: 'not-satisfied', remarks: 'Keys are kept in software.' } },
        { type: 'objective-id', 'target-id': 'leg-02', status: { state: 'satisfied' }, 'implementation-status': { state: 'not-applicable', remarks: 'No such processing.' } },
        { type: 'objective-id', 'target-id': 'ops-02', status: { state: 'not-satisfied' } },
      ]),
    );
    expect(read.findings).toEqual([
      // 15:30 UTC on 20 March is 21 March in Japan.
      { requirementId: 'sec-01', state: 'satisfied', assessedOn: '2026-03-21' },
      { requirementId: 'sec-03', state: 'not_satisfied', reason: 'Keys are kept in software.', assessedOn: '2026-03-21' },
      { requirementId: 'leg-02', state: 'not_applicable', reason: 'No such processing.', assessedOn: '2026-03-21' },
      { requirementId: 'ops-02', state: 'not_satisfied', reason: 'Interviewed the operations team.', assessedOn: '2026-03-21' },
    ]);
  });

  it('refuses every problem at once, each at its pointer', () => {
    const doc = thirdParty([
      { type: 'statement-id', 'target-id': 'sec-01_smt', status: { state: 'satisfied' } },
      { type: 'objective-id', 'target-id': 'sec-02', status: { state: 'satisfied' } },
    ]);
    (doc['assessment-results'].results[0]!.findings[1] as { 'related-observations': object[] })['related-observations'] = [{ 'observation-uuid': uuid(99) }];
    const err = (() => {
      try {
        readAssessmentResultsFindings(doc);
      } catch (e) {
        return e;
      }
      return null;
    })() as AssessmentResultsRefused;
    expect(err).toBeInstanceOf(AssessmentResultsRefused);
    expect(err.problems.map((p) => [p.path, p.rule])).toEqual([
      ['/assessment-results/results/0/findings/0/target/type', 'objective_target'],
      ['/assessment-results/results/0/findings/1/related-observations/0/observation-uuid', 'known_observation'],
    ]);
    expect(err.problems[0]!.message.ja).toBeTruthy();
  });

  it('needs an observation for the day, and at least one finding', () => {
    const doc = thirdParty([{ type: 'objective-id', 'target-id': 'sec-01', status: { state: 'satisfied' } }]);
    delete (doc['assessment-results'].results[0]!.findings[0] as { 'related-observations'?: object[] })['related-observations'];
    expect(() => readAssessmentResultsFindings(doc)).toThrow(/observation_required/);
    const none = thirdParty([{ type: 'objective-id', 'target-id': 'sec-01', status: { state: 'satisfied' } }]);
    delete (none['assessment-results'].results[0] as { findings?: object[] }).findings;
    expect(() => readAssessmentResultsFindings(none)).toThrow(/findings_required/);
  });

  it('refuses a document that is not valid OSCAL, with the schema’s problems', () => {
    const doc = thirdParty([{ type: 'objective-id', 'target-id': 'sec-01', status: { state: 'maybe' } }]);
    expect(() => readAssessmentResultsFindings(doc)).toThrow(OscalInvalid);
    expect(() => readAssessmentResultsFindings({ 'component-definition': {} })).toThrow(OscalInvalid);
  });
});
