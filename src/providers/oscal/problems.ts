/**
 * An invalid OSCAL document as the API answers it: 422 with every problem the
 * schema check (or the catalog's own checks) found, each at its JSON pointer
 * under the request's field, so a provider can mend them all in one go.
 */
import { fieldError, Problem } from '../../platform/errors.js';
import { UnknownRequirementIds } from '../catalog/oscal-catalog.js';
import type { OscalInvalid } from './validate.js';

/** Problems answered at most; a document broken everywhere would otherwise make a reply of megabytes. */
export const MAX_REPORTED_PROBLEMS = 500;

export function oscalProblem(err: OscalInvalid, field: string): Problem {
  const unknown = err instanceof UnknownRequirementIds;
  const errors = err.problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) =>
    fieldError(`${field}${p.path}`, unknown ? 'unknown_requirement' : 'oscal_schema', {
      ja: unknown ? `要件の一覧にない要件IDです（${p.message}）。` : `OSCAL ${err.model} の規則に合いません（${p.message}）。`,
      en: p.message,
    }),
  );
  return new Problem(unknown ? 'unknown_requirement_ids' : 'oscal_invalid', errors);
}
