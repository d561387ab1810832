/** What the placement policy reads about cells, from the registry (control database). */
import { certificationFacts, cellLocations, listRegistrations, type Db } from '../registry/store.js';
import type { CellFacts } from './policy.js';

/** The facts of each cell named (every cell named gets an entry; undeclared ones have no location). */
export async function loadCellFacts(db: Db, cellIds: readonly string[]): Promise<Map<string, CellFacts>> {
  const locations = await cellLocations(db, cellIds);
  const serviceIds = [...new Set([...locations.values()].map((l) => l.service.id))];
  const registrations = serviceIds.length > 0 ? await listRegistrations(db, { serviceIds }) : [];
  const certifications = serviceIds.length > 0 ? await certificationFacts(db, serviceIds) : [];
  const facts = new Map<string, CellFacts>();
  for (const cellId of cellIds) {
    const location = locations.get(cellId) ?? null;
    const serviceId = location?.service.id;
    facts.set(cellId, {
      cellId,
      location,
      registrations: registrations.filter((r) => r.serviceId === serviceId),
      certifications: certifications.filter((c) => c.serviceId === serviceId),
    });
  }
  return facts;
}
