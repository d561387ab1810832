/**
 * The register's invariants over a state: what every change must preserve.
 * Pure; used by the tests after every change and available to a consistency
 * check of a whole municipality.
 */
import { membersOf, type RegisterState } from './history.js';
import { HEAD } from './record.js';

/** The invariants a state breaks, as readable sentences (ids only); empty when it keeps them all. */
export function brokenInvariants(state: RegisterState): string[] {
  const broken: string[] = [];
  for (const h of state.households.values()) {
    if (h.state !== 'current') continue;
    const members = membersOf(state, h.id);
    const heads = members.filter((p) => p.relationship === HEAD);
    if (members.length === 0) broken.push(`household ${h.id} is current but has no members`);
    if (heads.length !== 1) broken.push(`household ${h.id} has ${heads.length} heads`);
    else if (heads[0]!.id !== h.headId) broken.push(`household ${h.id} names ${h.headId} as head, but ${heads[0]!.id} has the relationship`);
    for (const p of members) {
      if (JSON.stringify(p.address) !== JSON.stringify(h.address)) broken.push(`resident ${p.id} lives elsewhere than household ${h.id}`);
    }
  }
  for (const p of state.persons.values()) {
    if (p.state !== 'current') continue;
    const h = state.households.get(p.householdId);
    if (!h || h.state !== 'current') broken.push(`resident ${p.id} is current but household ${p.householdId} is not`);
  }
  return broken;
}
