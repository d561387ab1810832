/**
 * Placing a municipality's data on a cell: the operator's action, from the API
 * (PUT /v1/placements/{code}) or the CLI (`municloud placement set`). The
 * checks are the same on both paths, and so is the evidence: a placement, and
 * a refusal by the placement policy, are each recorded as `placement_set`.
 */
import { requireOrganization } from '../organizations/store.js';
import { isMunicipalityKind } from '../organizations/organization.js';
import type { ActionDetails } from '../security/audit/record.js';
import type { Placement } from './cells.js';
import { Problem, fieldError } from './errors.js';
import type { Platform } from './http/server.js';

export async function placeMunicipality(
  platform: Platform,
  input: { code: string; cellId: string; by: string | null },
  options: { record: (details: ActionDetails & { municipality: string }) => Promise<void>; codeField: string; cellField: string },
): Promise<Placement> {
  const org = await requireOrganization(platform.control, input.code, options.codeField);
  if (!isMunicipalityKind(org.kind)) {
    throw new Problem('validation_failed', [fieldError(options.codeField, 'municipality', { ja: '市区町村の団体コードを指定してください。', en: 'must be the code of a municipality' })]);
  }
  if (!platform.cells.hasCell(input.cellId)) {
    throw new Problem('validation_failed', [fieldError(options.cellField, 'known', { ja: '存在しないセルです。', en: 'is not a configured cell' })]);
  }
  let placement: Placement;
  try {
    placement = await platform.cells.place(org.code, input.cellId, input.by);
  } catch (err) {
    // The placement policy's refusal is evidence too (src/providers/placement).
    if (err instanceof Problem && err.code === 'placement_refused') {
      await options.record({ municipality: org.code, refused: 'placement_refused', records: [{ resource: 'cells', ids: [input.cellId] }] });
      // The guard names the cell as the API's body does; the caller says how its user named it.
      throw new Problem('placement_refused', err.fields.map((f) => ({ ...f, field: options.cellField })), err.detail, err.headers);
    }
    throw err;
  }
  await options.record({ municipality: org.code, records: [{ resource: 'cells', ids: [placement.cellId] }] });
  return placement;
}
