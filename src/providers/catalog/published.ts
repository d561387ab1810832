/**
 * Where the requirements catalog and its profiles are published (public
 * routes, src/providers/catalog/routes.ts): what OSCAL documents name when
 * they point at them (a profile's import, a plan's import-profile, a
 * capability's source).
 */
import type { DataClass } from './profiles.js';

export const CATALOG_PATH = '/v1/requirements/catalog';

/** The published profile of a data class. */
export function profilePath(dataClass: DataClass): string {
  return `/v1/requirements/profiles/${dataClass}`;
}
