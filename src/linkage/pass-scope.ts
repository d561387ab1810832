import type { Platform } from '../platform/http/server.js';

/**
 * Which municipalities a pass looks at: those whose outbox announced news
 * since the last pass, or all of them. Looking at all 1,700-odd every half
 * second would be a tenant transaction per municipality and consumer each
 * time, so a full sweep runs only every few seconds (for retries that come
 * due and notifications that went missing) or after a pass that had work left.
 */
export type PassScope = ReadonlySet<string> | 'all';

/** The placed municipalities a pass of this scope works on. */
export async function municipalitiesIn(platform: Platform, scope: PassScope = 'all'): Promise<string[]> {
  const placed = (await platform.cells.placements()).map((p) => p.municipalityCode);
  return scope === 'all' ? placed : placed.filter((code) => scope.has(code));
}
