/**
 * An assessor's OSCAL 1.2.1 assessment results read into findings: the form an
 * audit firm's tooling produces, taken as well as the JSON list of findings.
 * Pure. The document is checked against NIST's schema first (OscalInvalid,
 * every problem with its pointer), then each finding against municloud's
 * reading of it (AssessmentResultsRefused, every problem with its pointer);
 * what the findings themselves must satisfy (known requirement, a day not in
 * the future …) is checked where every finding is recorded
 * (service.ts recordFindings), with the pointers this reader gives.
 *
 * How a finding is read (the inverse of assessment-results.ts, so a document
 * municloud exported reads back to the same findings):
 * - `target.type` must be `objective-id`; `target-id` is the requirement id;
 * - the state: the related observation's `municloud-finding-state` prop when
 *   there is one, else `not-satisfied` → not_satisfied, `satisfied` with an
 *   implementation status `not-applicable` → not_applicable, `satisfied` →
 *   satisfied;
 * - the day assessed: the latest `collected` of its related observations, as
 *   a day in Japan (a finding with no observation has no day: refused);
 * - the reason (not satisfied or not applicable only): the target's status
 *   remarks, else its implementation status remarks, else the first related
 *   observation's description.
 */
import type { Message } from '../../platform/errors.js';
import { todayInJapan } from '../days.js';
import { assertOscal } from '../oscal/validate.js';
import { isOurProp, PROP, pointer, type AssessmentProblem } from './oscal-common.js';
import { FINDING_STATES, type FindingState } from './findings.js';

type Json = Record<string, any>;

export interface ImportedFinding {
  readonly requirementId: string;
  readonly state: FindingState;
  readonly reason?: string;
  readonly assessedOn: string;
}

/** The findings read, each with the JSON Pointer of each of its fields in the document. */
export interface ReadFindings {
  readonly findings: ImportedFinding[];
  readonly pointers: { readonly requirementId: string; readonly state: string; readonly reason: string; readonly assessedOn: string }[];
}

export class AssessmentResultsRefused extends Error {
  constructor(readonly problems: readonly AssessmentProblem[]) {
    super(`assessment results refused: ${problems.map((p) => `${p.path} ${p.rule}`).join('; ')}`);
    this.name = 'AssessmentResultsRefused';
  }
}

const m = (ja: string, en: string): Message => ({ ja, en });

export function readAssessmentResultsFindings(document: unknown): ReadFindings {
  assertOscal('assessment-results', document);
  const ar = (document as Json)['assessment-results'] as Json;
  const problems: AssessmentProblem[] = [];
  const findings: ImportedFinding[] = [];
  const pointers: ReadFindings['pointers'] = [];

  (ar.results as Json[]).forEach((result, r) => {
    const observations = new Map<string, { json: Json; index: number }>(((result.observations ?? []) as Json[]).map((o, i) => [o.uuid as string, { json: o, index: i }]));
    ((result.findings ?? []) as Json[]).forEach((finding, f) => {
      const at = (...rest: (string | number)[]) => pointer('assessment-results', 'results', r, 'findings', f, ...rest);
      const target = finding.target as Json;
      if (target.type !== 'objective-id') {
        problems.push({ path: at('target', 'type'), rule: 'objective_target', message: m('判定の対象は要件（objective-id）である必要があります。', "must be 'objective-id': a finding targets a requirement") });
        return;
      }
      const related = ((finding['related-observations'] ?? []) as Json[]).map((x, i) => ({ ref: observations.get(x['observation-uuid']), i }));
      const missing = related.filter((x) => !x.ref);
      for (const x of missing) {
        problems.push({ path: at('related-observations', x.i, 'observation-uuid'), rule: 'known_observation', message: m('この結果にない観察を指しています。', 'names no observation of this result') });
      }
      const found = related.flatMap((x) => (x.ref ? [x.ref] : []));
      if (found.length === 0) {
        if (missing.length === 0) problems.push({ path: at(), rule: 'observation_required', message: m('判定日を示す観察（collected）が必要です。', 'needs a related observation: its collected date is the day assessed') });
        return;
      }
      // The day assessed: the latest collection, as a day in Japan.
      const latest = found.reduce((a, b) => (Date.parse(b.json.collected) > Date.parse(a.json.collected) ? b : a));
      const assessedOn = todayInJapan(new Date(latest.json.collected));

      const ours = found.flatMap((o) => ((o.json.props ?? []) as Json[]).filter((p) => isOurProp(p, PROP.findingState)).map((p) => ({ value: p.value as string, o })));
      let state: FindingState;
      let statePointer = at('target', 'status', 'state');
      if (ours.length > 0) {
        const value = ours[0]!.value;
        statePointer = pointer('assessment-results', 'results', r, 'observations', ours[0]!.o.index, 'props');
        if (!(FINDING_STATES as readonly string[]).includes(value) || ours.some((x) => x.value !== value)) {
          problems.push({ path: statePointer, rule: 'finding_state', message: m(`判定の状態は ${FINDING_STATES.join('・')} のいずれか一つです。`, `must be one of ${FINDING_STATES.join(', ')}, the same on every related observation`) });
          return;
        }
        state = value as FindingState;
      } else {
        const notApplicable = target['implementation-status']?.state === 'not-applicable';
        state = target.status.state === 'not-satisfied' ? 'not_satisfied' : notApplicable ? 'not_applicable' : 'satisfied';
      }
      const reasonText =
        state === 'satisfied' ? undefined : ((target.status.remarks as string | undefined) ?? (target['implementation-status']?.remarks as string | undefined) ?? (found[0]!.json.description as string));
      const reasonPointer = target.status.remarks !== undefined ? at('target', 'status', 'remarks') : target['implementation-status']?.remarks !== undefined ? at('target', 'implementation-status', 'remarks') : pointer('assessment-results', 'results', r, 'observations', found[0]!.index, 'description');
      const reason = reasonText?.trim();
      findings.push({ requirementId: target['target-id'] as string, state, ...(reason ? { reason } : {}), assessedOn });
      pointers.push({
        requirementId: at('target', 'target-id'),
        state: statePointer,
        reason: reasonPointer,
        assessedOn: pointer('assessment-results', 'results', r, 'observations', latest.index, 'collected'),
      });
    });
  });
  if (problems.length > 0) throw new AssessmentResultsRefused(problems);
  if (findings.length === 0) {
    throw new AssessmentResultsRefused([{ path: pointer('assessment-results', 'results'), rule: 'findings_required', message: m('判定（findings）が一つもありません。', 'holds no finding') }]);
  }
  return { findings, pointers };
}
