import { describe, expect, it } from 'vitest';
import { validateOscal } from '../oscal/validate.js';
import { assessorAssessmentResults, type AssessorResultsInput, selfCheckAssessmentResults } from './assessment-results.js';
import type { Finding } from './findings.js';
import { MUNICLOUD_NS } from './oscal-common.js';
import { requirementsBySelfCheck, type SelfCheckId } from './self-checks.js';
import { FIXTURE_REQUIREMENTS, goodObservations, LEAD, MY_NUMBER_PROFILE, ON } from './test-fixtures.js';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const findings: Finding[] = [
  { serviceId: LEAD, requirementId: 'sec-02', state: 'satisfied', assessedOn: '2026-02-10', assessor: 'assessor-1' },
  { serviceId: LEAD, requirementId: 'leg-01', state: 'not_applicable', reason: 'Contracts are the lead\u2019s partner\u2019s.', assessedOn: '2026-03-01', assessor: 'assessor-2' },
  { serviceId: LEAD, requirementId: 'ops-01', state: 'not_satisfied', reason: 'No incident drill in the last year.', assessedOn: '2026-03-15', assessor: 'assessor-1' },
  // After the day: not reported.
  { serviceId: LEAD, requirementId: 'ops-01', state: 'satisfied', assessedOn: '2026-05-01', assessor: 'assessor-1' },
];

const input: AssessorResultsInput = {
  serviceId: LEAD,
  serviceTitle: 'Lead SaaS',
  dataClass: 'my_number',
  requirementIds: MY_NUMBER_PROFILE,
  findings,
  on: ON,
  producedAt: '2026-04-01T09:00:00.000Z',
  methods: new Map(FIXTURE_REQUIREMENTS.map((r) => [r.id, r.assessment.method])),
};

function uuidsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => uuidsOf(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'uuid' || k.endsWith('-uuid')) && typeof v === 'string') out.push(v);
      else uuidsOf(v, out);
    }
  }
  return out;
}

describe("assessorAssessmentResults: an assessor's findings", () => {
  it('is a valid OSCAL 1.2.1 assessment-results document', () => {
    expect(validateOscal('assessment-results', assessorAssessmentResults(input))).toEqual([]);
  });

  it('reports the findings current on the day, each targeting its requirement as an objective', () => {
    const result = (assessorAssessmentResults(input)['assessment-results'].results as any[])[0];
    expect(result['reviewed-controls']['control-selections'][0]['include-controls'].map((c: any) => c['control-id'])).toEqual(MY_NUMBER_PROFILE);
    expect(result.findings.map((f: any) => [f.target.type, f.target['target-id'], f.target.status])).toEqual([
      ['objective-id', 'sec-02', { state: 'satisfied', reason: 'pass' }],
      ['objective-id', 'leg-01', { state: 'satisfied', reason: 'other' }],
      ['objective-id', 'ops-01', { state: 'not-satisfied', reason: 'fail' }],
    ]);
    expect(result.findings[1].target['implementation-status']).toEqual({ state: 'not-applicable', remarks: 'Contracts are the lead\u2019s partner\u2019s.' });
    expect(result.observations.map((o: any) => [o.methods, o.props[0].value, o.collected])).toEqual([
      [['TEST'], 'satisfied', '2026-02-10T00:00:00+09:00'],
      [['EXAMINE'], 'not_applicable', '2026-03-01T00:00:00+09:00'],
      [['INTERVIEW'], 'not_satisfied', '2026-03-15T00:00:00+09:00'],
    ]);
    expect(result.observations[2].description).toBe('No incident drill in the last year.');
    // Each finding points to its observation; each observation's actor is a party in the metadata.
    expect(result.findings.map((f: any) => f['related-observations'][0]['observation-uuid'])).toEqual(result.observations.map((o: any) => o.uuid));
    const parties = (assessorAssessmentResults(input)['assessment-results'].metadata as any).parties;
    expect(parties.map((p: any) => p.name)).toEqual(['assessor-1', 'assessor-2']);
    expect(result.observations[1].origins[0].actors[0]['actor-uuid']).toBe(parties[1].uuid);
    expect(result.start).toBe('2026-02-10T00:00:00+09:00');
    expect(result.end).toBe('2026-03-16T00:00:00+09:00');
    expect(result.props).toEqual([
      { name: 'municloud-service-id', ns: MUNICLOUD_NS, value: LEAD },
      { name: 'municloud-data-class', ns: MUNICLOUD_NS, value: 'my_number' },
    ]);
  });

  it('is reproducible: the same inputs give the same document, every uuid a derived v5', () => {
    const a = assessorAssessmentResults(input);
    expect(assessorAssessmentResults(input)).toEqual(a);
    const uuids = uuidsOf(a);
    expect(uuids.length).toBeGreaterThan(8);
    for (const u of uuids) expect(u).toMatch(UUID_V5);
    // The document keeps its uuid across days (one subject), the result does not.
    const later = assessorAssessmentResults({ ...input, on: '2026-05-01', producedAt: '2026-05-01T09:00:00.000Z' });
    expect(later['assessment-results'].uuid).toBe(a['assessment-results'].uuid);
    expect((later['assessment-results'].results as any[])[0].uuid).not.toBe((a['assessment-results'].results as any[])[0].uuid);
  });

  it('has metadata and an import-ap placeholder', () => {
    const ar = assessorAssessmentResults(input)['assessment-results'];
    expect(ar.metadata).toMatchObject({ 'last-modified': '2026-04-01T09:00:00.000Z', version: '2026-04-01T09:00:00.000Z', 'oscal-version': '1.2.1' });
    expect((ar['import-ap'] as any).href).toBe(`assessment-plans/${LEAD}-my_number.json`);
  });

  it('is valid without any finding yet', () => {
    const doc = assessorAssessmentResults({ ...input, findings: [] });
    expect(validateOscal('assessment-results', doc)).toEqual([]);
    const result = (doc['assessment-results'].results as any[])[0];
    expect(result.findings).toBeUndefined();
    expect(result.start).toBe('2026-04-01T00:00:00+09:00');
  });

  it('states the certification decision in force as the operator’s attestation, and says nothing when there is none', () => {
    const certified = assessorAssessmentResults({ ...input, certification: { id: '2b1a4a1e-6c3d-4d5e-8f90-000000000001', status: 'certified', decidedOn: '2026-03-20', expiresOn: '2027-07-31' } });
    expect(validateOscal('assessment-results', certified)).toEqual([]);
    const part = (certified['assessment-results'].results as any[])[0].attestations[0].parts[0];
    expect(part).toMatchObject({ name: 'certification-decision', ns: MUNICLOUD_NS });
    expect(part.prose).toBe('On 2026-03-20 the platform operator decided Lead SaaS: certified for my_number until 2027-07-31 (certification 2b1a4a1e-6c3d-4d5e-8f90-000000000001).');
    expect(part.props.map((p: any) => [p.name, p.value])).toEqual([
      ['municloud-certification-status', 'certified'],
      ['municloud-certification-id', '2b1a4a1e-6c3d-4d5e-8f90-000000000001'],
      ['municloud-expires-on', '2027-07-31'],
    ]);
    const refused = assessorAssessmentResults({ ...input, certification: { id: '2b1a4a1e-6c3d-4d5e-8f90-000000000002', status: 'not_certified', decidedOn: '2026-03-20', expiresOn: null } });
    expect(validateOscal('assessment-results', refused)).toEqual([]);
    expect((refused['assessment-results'].results as any[])[0].attestations[0].parts[0].prose).toContain('not certified for my_number');
    expect((assessorAssessmentResults(input)['assessment-results'].results as any[])[0].attestations).toBeUndefined();
  });

  it('refuses requirement ids that are not OSCAL tokens, and an empty profile', () => {
    expect(() => assessorAssessmentResults({ ...input, requirementIds: ['1 bad'] })).toThrow(/OSCAL tokens/);
    expect(() => assessorAssessmentResults({ ...input, requirementIds: [] })).toThrow(/no requirement/);
  });
});

describe('selfCheckAssessmentResults: the platform checking itself', () => {
  const requirementsByCheck = requirementsBySelfCheck(FIXTURE_REQUIREMENTS);

  it('is a valid OSCAL 1.2.1 assessment-results document, with an observation per check and a finding per requirement', () => {
    const doc = selfCheckAssessmentResults({ observations: goodObservations(), requirementsByCheck, expires: '2026-04-02T03:00:00.000Z' });
    expect(validateOscal('assessment-results', doc)).toEqual([]);
    const result = (doc['assessment-results'].results as any[])[0];
    expect(result.observations).toHaveLength(9);
    expect(result.observations[0].props.slice(0, 2)).toEqual([
      { name: 'municloud-self-check', ns: MUNICLOUD_NS, value: 'records-encrypted' },
      { name: 'columns', ns: MUNICLOUD_NS, value: '2' },
    ]);
    expect(result.observations[0]).toMatchObject({ methods: ['TEST'], collected: '2026-04-01T03:00:05.000Z', expires: '2026-04-02T03:00:00.000Z' });
    expect(result.findings.map((f: any) => [f.target['target-id'], f.target.status.state])).toEqual([
      ['dat-01', 'satisfied'],
      ['sec-01', 'satisfied'],
      ['sec-02', 'satisfied'],
    ]);
    expect(result.start).toBe('2026-04-01T03:00:00.000Z');
    expect(result.end).toBe('2026-04-01T03:00:05.000Z');
    expect(result['local-definitions']['assessment-assets']['assessment-platforms'][0].uuid).toBe(result.observations[0].origins[0].actors[0]['actor-uuid']);
  });

  it('a failing check makes the requirements it bears on not satisfied, with the reason', () => {
    const observations = { ...goodObservations(), kms: { kind: 'local-keystore' as const, softwareToken: false } };
    const doc = selfCheckAssessmentResults({ observations, requirementsByCheck });
    expect(validateOscal('assessment-results', doc)).toEqual([]);
    const result = (doc['assessment-results'].results as any[])[0];
    const sec01 = result.findings.find((f: any) => f.target['target-id'] === 'sec-01');
    expect(sec01.target.status).toEqual({ state: 'not-satisfied', reason: 'fail' });
    expect(sec01.description).toMatch(/keys-in-hsm: Key-encryption keys are in the local keystore/);
    const keysObservation = result.observations.find((o: any) => o.props[0].value === 'keys-in-hsm');
    expect(sec01['related-observations']).toEqual([{ 'observation-uuid': keysObservation.uuid }]);
  });

  it('a requirement borne on by two checks is satisfied only if both are', () => {
    const byCheck = new Map<SelfCheckId, string[]>([
      ['records-encrypted', ['sec-02']],
      ['keys-in-hsm', ['sec-02']],
    ]);
    const observations = { ...goodObservations(), auditSigner: 'software' as const };
    const result = (selfCheckAssessmentResults({ observations, requirementsByCheck: byCheck })['assessment-results'].results as any[])[0];
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].target.status.state).toBe('not-satisfied');
    expect(result.findings[0]['related-observations']).toHaveLength(2);
  });

  it('still reports its evidence when no requirement names a check', () => {
    const doc = selfCheckAssessmentResults({ observations: goodObservations(), requirementsByCheck: new Map() });
    expect(validateOscal('assessment-results', doc)).toEqual([]);
    const result = (doc['assessment-results'].results as any[])[0];
    expect(result.findings).toBeUndefined();
    expect(result['reviewed-controls']['control-selections'][0]['include-all']).toEqual({});
  });

  it('is reproducible for one run, and a new run is a new result of the same document', () => {
    const a = selfCheckAssessmentResults({ observations: goodObservations(), requirementsByCheck });
    expect(selfCheckAssessmentResults({ observations: goodObservations(), requirementsByCheck })).toEqual(a);
    for (const u of uuidsOf(a)) expect(u).toMatch(UUID_V5);
    const next = selfCheckAssessmentResults({ observations: { ...goodObservations(), startedAt: '2026-04-02T03:00:00.000Z', finishedAt: '2026-04-02T03:00:04.000Z' }, requirementsByCheck });
    expect(next['assessment-results'].uuid).toBe(a['assessment-results'].uuid);
    expect((next['assessment-results'].results as any[])[0].uuid).not.toBe((a['assessment-results'].results as any[])[0].uuid);
  });
});
