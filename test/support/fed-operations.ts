/**
 * For tests of the operations fed by linkage: register filings that keep the
 * households' versions (every filing names the versions it read), and passes
 * of the operations' consumers until the register's events are applied.
 */
import { expect } from 'vitest';
import type { FedPassReport } from '../../src/operations/fed-by-linkage.js';
import type { Reply, Session } from './api.js';

const FILING = { 'municloud-purpose': 'residency_change' };

/** Filings by a clerk, remembering each household's version as the last filing answered it. */
export class Filings {
  private readonly versions = new Map<string, number>();

  constructor(private readonly clerk: () => Session) {}

  async file(path: string, body: Record<string, unknown>, s: Session = this.clerk()): Promise<Reply> {
    const res = await s.call('POST', path, body, FILING);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(201);
    for (const h of res.body.households as { id: string; version: number }[]) this.versions.set(h.id, h.version);
    return res;
  }

  versionsOf(...householdIds: string[]): { householdId: string; version: number }[] {
    return householdIds.map((householdId) => ({ householdId, version: this.versions.get(householdId)! }));
  }
}

/**
 * Passes until one applies nothing and `done` holds. An event is read once
 * every older transaction on the server has ended, and other test files write
 * to the same server: it may take a moment.
 */
export async function applyUntil(passes: readonly (() => Promise<FedPassReport<object>>)[], done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    let applied = 0;
    for (const pass of passes) {
      const report = await pass();
      expect(report.failed).toBe(0);
      applied += report.applied;
    }
    if (applied === 0 && (await done())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not catch up`);
}
