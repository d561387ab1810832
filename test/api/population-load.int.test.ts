/**
 * Loading a synthetic population into the register (the demo's and the
 * benchmarks' residents), on real PostgreSQL: what it writes, that an
 * interrupted load resumes with nothing lost or doubled, that a bad batch
 * leaves nothing, and that clerks find the loaded residents through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_OPERATOR_ID, loadSyntheticPopulation, PopulationLoadError, type LoadProgress } from '../../src/resident-register/population-load.js';
import { generatePopulation } from '../../src/resident-register/synthetic/index.js';
import { CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { readAuditEntries } from '../support/register.js';

const PURPOSE = { 'municloud-purpose': 'record_inquiry' };
const AS_OF = '2026-10-01';

let tp: TestPlatform;
let clerk: Session;

const count = async (municipality: string, table: string, where = 'true') =>
  Number((await adminQuery<{ count: string }>(tp, 'cell-a', `SELECT count(*) FROM cell.${table} WHERE municipality_code = $1 AND ${where}`, [municipality]))[0]!.count);

beforeAll(async () => {
  tp = await createTestPlatform();
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-a', null);
  await placeInMyNumberZone(tp, CHIYODA);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
}, 60_000);

afterAll(async () => {
  await tp?.close();
});

describe('loading a synthetic population', () => {
  it('enters every household as its own change, resumes after an interruption, and enters nobody twice', async () => {
    const size = 600;
    const controller = new AbortController();
    const seen: LoadProgress[] = [];
    const first = await loadSyntheticPopulation(tp.platform, {
      municipalityCode: CHIYODA,
      seed: 'resume-test',
      size,
      asOf: AS_OF,
      batchResidents: 100,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (seen.length === 2) controller.abort();
      },
    });
    expect(first.finished).toBe(false);
    expect(first.residents).toBe(seen[1]!.residents);
    expect(await count(CHIYODA, 'residents')).toBe(first.residents);

    const second = await loadSyntheticPopulation(tp.platform, { municipalityCode: CHIYODA, seed: 'resume-test', size, asOf: AS_OF, batchResidents: 250 });
    expect(second).toMatchObject({ finished: true, residents: size, resumedAt: first.residents });

    const households = [...generatePopulation({ seed: 'resume-test', municipalityCode: CHIYODA, size, asOf: AS_OF })];
    expect(second.households).toBe(households.length);
    expect(await count(CHIYODA, 'residents', "state = 'current'")).toBe(size);
    expect(await count(CHIYODA, 'households', "state = 'current'")).toBe(households.length);
    expect(await count(CHIYODA, 'resident_changes', "kind = 'entry_by_authority' AND reason_code = 'system_migration'")).toBe(households.length);
    expect(await count(CHIYODA, 'resident_changes', `operator_id = '${BATCH_OPERATOR_ID}'`)).toBe(households.length);
    expect(await count(CHIYODA, 'outbox', "topic = 'resident_register.entry_by_authority'")).toBe(households.length);

    // Every current household has exactly one head, who is one of its current members.
    const headless = Number(
      (
        await adminQuery<{ count: string }>(
          tp,
          'cell-a',
          `SELECT count(*) FROM cell.households h
            WHERE h.state = 'current' AND NOT EXISTS (
              SELECT 1 FROM cell.residents r WHERE r.id = h.head_id AND r.household_id = h.id AND r.state = 'current')`,
        )
      )[0]!.count,
    );
    expect(headless).toBe(0);

    // Running it again does nothing; the same seed with another size is refused.
    const again = await loadSyntheticPopulation(tp.platform, { municipalityCode: CHIYODA, seed: 'resume-test', size, asOf: AS_OF });
    expect(again).toMatchObject({ finished: true, residents: size, resumedAt: size });
    await expect(loadSyntheticPopulation(tp.platform, { municipalityCode: CHIYODA, seed: 'resume-test', size: size + 1, asOf: AS_OF })).rejects.toThrow(PopulationLoadError);
    expect(await count(CHIYODA, 'residents')).toBe(size);
  });

  it('audits the load as a job of the platform, with ids only', async () => {
    const entries = await readAuditEntries<{ kind: string; actor: { account: string | null; roles: string[] }; municipality: string; source: { zone: string }; records: { resource: string; ids: string[] }[] }>(tp);
    const changes = entries.filter((e) => e.kind === 'personal_data_change' && e.actor.account === null);
    expect(changes.length).toBeGreaterThan(0);
    for (const e of changes) {
      expect(e).toMatchObject({ actor: { roles: ['platform_operator'] }, municipality: CHIYODA, source: { zone: 'operator' } });
    }
    const residentIds = new Set(changes.flatMap((e) => e.records.filter((r) => r.resource === 'residents').flatMap((r) => r.ids)));
    expect(residentIds.size).toBe(await count(CHIYODA, 'residents'));
  });

  it('lets a clerk find a loaded resident by name and read the household', async () => {
    const [household] = [...generatePopulation({ seed: 'resume-test', municipalityCode: CHIYODA, size: 600, asOf: AS_OF })];
    const head = household!.members[0]!;
    const res = await clerk.call('POST', '/v1/residents/search', { kana: `${head.name.familyKana}${head.name.givenKana}`, dateOfBirth: head.dateOfBirth }, PURPOSE);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const hit = res.body.items[0];
    expect(hit.name.family).toBe(head.name.family);
    const h = await clerk.call('GET', `/v1/households/${hit.householdId}`, undefined, PURPOSE);
    expect(h.status).toBe(200);
    expect(h.body.members).toHaveLength(household!.members.length);
    expect(h.body.headId).toBe(hit.id);
  });

  it('writes nothing of a batch that breaks a rule (a My Number already current)', async () => {
    // The same people under another seed name collide with the loaded ones: the first batch is refused whole.
    const before = await count(CHIYODA, 'residents');
    await adminQuery(tp, 'cell-a', "UPDATE cell.register_loads SET seed = 'renamed' WHERE seed = 'resume-test'");
    await expect(loadSyntheticPopulation(tp.platform, { municipalityCode: CHIYODA, seed: 'resume-test', size: 600, asOf: AS_OF })).rejects.toMatchObject({ code: 'filing_rejected' });
    expect(await count(CHIYODA, 'residents')).toBe(before);
    expect(await count(CHIYODA, 'register_loads', "seed = 'resume-test'")).toBe(1);
    expect(await count(CHIYODA, 'register_loads', "seed = 'resume-test' AND households_entered = 0")).toBe(1);
  });

  it('refuses bad options and an unplaced municipality before writing anything', async () => {
    const base = { municipalityCode: SAPPORO, seed: 'bad', size: 10 };
    await expect(loadSyntheticPopulation(tp.platform, { ...base, size: 0 })).rejects.toThrow(/size/);
    await expect(loadSyntheticPopulation(tp.platform, { ...base, asOf: '2999-01-01' })).rejects.toThrow(/date/);
    await expect(loadSyntheticPopulation(tp.platform, { ...base, asOf: '2026-02-30' })).rejects.toThrow(/date/);
    await expect(loadSyntheticPopulation(tp.platform, { ...base, municipalityCode: '141003' })).rejects.toThrow(/not placed/);
    expect(await count(SAPPORO, 'register_loads')).toBe(0);
  });
});
