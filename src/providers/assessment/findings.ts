/**
 * An assessor's findings: per service and requirement, whether the claim
 * holds, dated and signed by the assessor. Findings are kept as a history
 * (each one recorded, none edited); the one that counts on a day is the latest
 * on or before it. Pure.
 */
import { isDay } from '../days.js';
import type { AssessmentProblem } from './oscal-common.js';

export const FINDING_STATES = ['satisfied', 'not_satisfied', 'not_applicable'] as const;
export type FindingState = (typeof FINDING_STATES)[number];

export interface Finding {
  readonly serviceId: string;
  readonly requirementId: string;
  readonly state: FindingState;
  /**
   * Why. Required for `not_applicable` (why the requirement does not apply to
   * this service) and for `not_satisfied` (what is missing: the provider has
   * to know what to remedy). Optional for `satisfied`.
   */
  readonly reason?: string;
  /** The day the assessor concluded (YYYY-MM-DD). */
  readonly assessedOn: string;
  /** Who concluded: the assessor's id (an account of the audit firm). */
  readonly assessor: string;
}

/** A finding that cannot be recorded. */
export class FindingRefused extends Error {
  constructor(readonly problems: readonly AssessmentProblem[]) {
    super(`finding refused: ${problems.map((p) => `${p.path} ${p.rule}`).join('; ')}`);
    this.name = 'FindingRefused';
  }
}

const REASON_MAX = 4000;

/**
 * Everything wrong with a finding before it is recorded: paths are JSON
 * Pointers into the finding (`/requirementId`, `/reason` …). `on` is the day of
 * recording: a finding dated after it is refused (an assessor concludes on or
 * before the day they record it).
 */
export function findingProblems(finding: Finding, knownRequirementIds: ReadonlySet<string>, on: string): AssessmentProblem[] {
  const problems: AssessmentProblem[] = [];
  const refuse = (path: string, rule: string, ja: string, en: string) => problems.push({ path, rule, message: { ja, en } });
  if (!knownRequirementIds.has(finding.requirementId)) {
    refuse('/requirementId', 'unknown_requirement', '要件カタログにない要件です。', 'The requirement is not in the requirements catalog.');
  }
  if (!(FINDING_STATES as readonly string[]).includes(finding.state)) {
    refuse('/state', 'finding_state', '判定は satisfied、not_satisfied、not_applicable のいずれかです。', 'The state is satisfied, not_satisfied or not_applicable.');
  }
  const reason = finding.reason?.trim() ?? '';
  if ((finding.state === 'not_applicable' || finding.state === 'not_satisfied') && reason === '') {
    refuse('/reason', 'reason_required', '非該当・不適合の判定には理由が必要です。', 'A not_applicable or not_satisfied finding needs a reason.');
  }
  if (reason.length > REASON_MAX) {
    refuse('/reason', 'reason_too_long', `理由は ${REASON_MAX} 文字以内です。`, `The reason is at most ${REASON_MAX} characters.`);
  }
  if (!isDay(finding.assessedOn)) {
    refuse('/assessedOn', 'day', '日付は YYYY-MM-DD 形式の暦日です。', 'The date is a calendar day written YYYY-MM-DD.');
  } else if (finding.assessedOn > on) {
    refuse('/assessedOn', 'not_in_future', '判定日が記録日より後です。', 'The finding is dated after the day it is recorded.');
  }
  if (finding.assessor.trim() === '') {
    refuse('/assessor', 'assessor_required', '評価者が必要です。', 'The assessor is required.');
  }
  return problems;
}

/** Throws FindingRefused when the finding cannot be recorded; returns it with its reason trimmed. */
export function admitFinding(finding: Finding, knownRequirementIds: ReadonlySet<string>, on: string): Finding {
  const problems = findingProblems(finding, knownRequirementIds, on);
  if (problems.length > 0) throw new FindingRefused(problems);
  const reason = finding.reason?.trim();
  const { reason: _dropped, ...rest } = finding;
  return reason ? { ...rest, reason } : rest;
}

/**
 * When two findings on one requirement carry the same day, the more
 * cautious stands until a later one: two assessors who disagree on a day
 * leave the requirement not satisfied, whatever order storage returns them in.
 */
const CAUTION: Record<FindingState, number> = { not_satisfied: 2, not_applicable: 1, satisfied: 0 };

/** Whether finding `a` takes precedence over `b` (both on one requirement). */
function supersedes(a: Finding, b: Finding): boolean {
  if (a.assessedOn !== b.assessedOn) return a.assessedOn > b.assessedOn;
  if (a.state !== b.state) return CAUTION[a.state] > CAUTION[b.state];
  return a.assessor < b.assessor;
}

/**
 * The finding that counts for each requirement of a service on a day: the
 * latest dated on or before it. Findings of other services, and findings
 * dated after the day, are left out.
 */
export function currentFindings(findings: Iterable<Finding>, serviceId: string, on: string): Map<string, Finding> {
  const current = new Map<string, Finding>();
  for (const f of findings) {
    if (f.serviceId !== serviceId || f.assessedOn > on) continue;
    const held = current.get(f.requirementId);
    if (held === undefined || supersedes(f, held)) current.set(f.requirementId, f);
  }
  return current;
}
