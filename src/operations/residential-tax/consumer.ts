/**
 * Residential tax fed by linkage: the platform's own consumer of each
 * municipality's feed that keeps the residence roster, so that "who lived here
 * on 1 January" is a query (store.ts) rather than a fold of the register.
 *
 * It reads with the subscription the municipality's admin set for it
 * (cell.operation_feeds), through the shared batch loop of
 * ../fed-by-linkage.ts (audit, cursor and effects in one transaction, one
 * process per municipality). What each event does is the pure rules' answer
 * (roster-events.ts); every effect is harmless when applied again (store.ts),
 * should a cursor ever be set back.
 */
import type { Platform } from '../../platform/http/server.js';
import { applyFedEvents, LOCK_CLASSES, type FedOperation, type FedPassOptions, type FedPassReport } from '../fed-by-linkage.js';
import {
  rosterEffects,
  RESIDENTIAL_TAX_CONSUMER,
  RESIDENTIAL_TAX_OPERATION,
  RESIDENTIAL_TAX_PURPOSE,
  RESIDENTIAL_TAX_REQUIRED_FIELDS,
  RESIDENTIAL_TAX_REQUIRED_TOPICS,
  type DeliveredResident,
} from './roster-events.js';
import { applyRosterEffects, latestPeriods, type RosterEffectCounts } from './store.js';

export type RosterPassReport = FedPassReport<RosterEffectCounts>;

/** Residential tax as an operation fed by linkage: its subscription's terms and what a batch of events does to the roster. */
export const RESIDENTIAL_TAX_FEED: FedOperation<{ opened: number; closed: number; reopened: number; updated: number }> = {
  consumer: RESIDENTIAL_TAX_CONSUMER,
  operation: RESIDENTIAL_TAX_OPERATION,
  purpose: RESIDENTIAL_TAX_PURPOSE,
  requiredFields: RESIDENTIAL_TAX_REQUIRED_FIELDS,
  requiredTopics: RESIDENTIAL_TAX_REQUIRED_TOPICS,
  lockClass: LOCK_CLASSES.residentialTax,
  nothing: { opened: 0, closed: 0, reopened: 0, updated: 0 },
  async applyBatch({ db, delivered, afterEvent }) {
    const done = { opened: 0, closed: 0, reopened: 0, updated: 0 };
    // In feed order, one event at a time: each sees the roster as the events before it left it.
    for (const event of delivered) {
      const residents = ((event.data as { residents?: DeliveredResident[] }).residents ?? []);
      const effects = rosterEffects(residents, await latestPeriods(db, residents.map((r) => r.id)));
      const applied = await applyRosterEffects(db, event.id, effects);
      done.opened += applied.opened;
      done.closed += applied.closed;
      done.reopened += applied.reopened;
      done.updated += applied.updated;
      await afterEvent(event);
    }
    return done;
  },
};

/** One pass of residential tax's consumer over the municipalities in scope (fed-by-linkage.ts). */
export function applyResidentialTaxEvents(platform: Platform, options: FedPassOptions = {}): Promise<RosterPassReport> {
  return applyFedEvents(platform, RESIDENTIAL_TAX_FEED, options);
}
