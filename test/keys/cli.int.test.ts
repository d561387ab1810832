/** `municloud keys …` through commander, with the platform of the test and a local keystore. */
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTenantTransaction } from '../../src/platform/database.js';
import { registerKeyCommands, type KeyCommandBoot, type KeyCommandContext } from '../../src/security/keys/cli.js';
import type { KeyService } from '../../src/security/keys/service.js';
import { CHIYODA, SAPPORO } from '../support/api.js';
import { keysHarness, SECRETS, type KeysHarness } from './setup.js';

let h: KeysHarness;
let keys: KeyService;
let out: string[];
let err: string[];

beforeAll(async () => {
  h = await keysHarness('local');
  for (const code of [CHIYODA, SAPPORO]) await h.tp.platform.cells.place(code, 'cell-a', null);
  keys = h.service({ refreshMs: 10 });
});
afterAll(async () => h?.close());

async function run(...args: string[]): Promise<void> {
  out = [];
  err = [];
  const ctx: KeyCommandContext = { control: h.tp.platform.control, kms: h.kms, keys, poolFor: (c) => h.tp.platform.cells.poolFor(c), columns: [SECRETS] };
  const boot: KeyCommandBoot = (use) => use(ctx);
  const program = new Command('municloud').exitOverride();
  registerKeyCommands(program, boot, { out: (t) => void out.push(t), err: (t) => void err.push(t) });
  await program.parseAsync(['node', 'municloud', 'keys', ...args]);
}

describe('municloud keys', () => {
  it('status before any key: the KMS and its warning', async () => {
    await run('status');
    expect(out.join('\n')).toMatch(/KMS: local keystore file .*\[NOT FOR PRODUCTION\]/);
    expect(out.join('\n')).toMatch(/warning: KEYS ARE IN A LOCAL KEYSTORE FILE/);
    expect(out.join('\n')).toMatch(/no municipality has keys yet/);
  });

  it('rotate provisions, then rotates; rewrap moves the old fields with progress; status shows it all', async () => {
    await run('rotate', '--municipality', CHIYODA);
    expect(out).toEqual([`${CHIYODA}: record key v1 → v2; run \`municloud keys rewrap --municipality ${CHIYODA}\` to re-encrypt older fields`]);
    const v2 = await keys.forMunicipality(CHIYODA, { fresh: true });
    const pool = await h.tp.platform.cells.poolFor(CHIYODA);
    await inTenantTransaction(pool, CHIYODA, async (client) => {
      for (let i = 0; i < 5; i++) {
        const { rows } = await client.query<{ id: string }>('INSERT INTO cell.test_secrets (municipality_code) VALUES ($1) RETURNING id::text', [CHIYODA]);
        await client.query('UPDATE cell.test_secrets SET secret = $2 WHERE id = $1', [rows[0]!.id, await v2.seal(SECRETS.field(rows[0]!.id), `v ${i}`)]);
      }
    });
    await run('rotate', '--municipality', CHIYODA);
    await new Promise((r) => setTimeout(r, 20)); // past the settle period (refreshMs)
    await run('rewrap', '--municipality', CHIYODA, '--batch', '2');
    expect(err.filter((l) => l.includes('seen'))).toEqual([
      `${CHIYODA} cell.test_secrets.secret → v3: 2/5 seen, 2 rewrapped, 0 failed`,
      `${CHIYODA} cell.test_secrets.secret → v3: 4/5 seen, 4 rewrapped, 0 failed`,
      `${CHIYODA} cell.test_secrets.secret → v3: 5/5 seen, 5 rewrapped, 0 failed`,
    ]);
    expect(out).toEqual(['done: 5 field(s) rewrapped, 0 could not be opened']);
    await run('rotate', '--municipality', CHIYODA, '--kek');
    expect(out[0]).toMatch(new RegExp(`^${CHIYODA}: key-encryption key v1 → v2; 4 data key\\(s\\) rewrapped$`));
    await run('status', '--municipality', CHIYODA);
    const text = out.join('\n');
    expect(text).toMatch(/KEK v2 \(local-keystore lk_[0-9a-f]+\); 1 older/);
    expect(text).toMatch(/record key v3: \d+ of 268435456 messages reserved .*older versions still readable: 1, 2/);
    expect(text).toMatch(/rewrap cell\.test_secrets\.secret → v3: finished .*5 seen, 5 rewrapped, 0 failed/);
  });

  it('shred needs the code twice, then destroys; status and JSON say so', async () => {
    await keys.forMunicipality(SAPPORO);
    await expect(run('shred', '--municipality', SAPPORO, '--confirm', CHIYODA)).rejects.toThrow(/--confirm must repeat/);
    await run('shred', '--municipality', SAPPORO, '--confirm', SAPPORO);
    expect(out[0]).toMatch(/^011002: destroyed KEK version\(s\) 1; 2 wrapped data key\(s\) erased/);
    await run('status', '--json');
    const status = JSON.parse(out.join('\n'));
    expect(status.municipalities.map((m: { municipalityCode: string; destroyed: boolean }) => [m.municipalityCode, m.destroyed])).toEqual([
      [SAPPORO, true],
      [CHIYODA, false],
    ].sort());
    expect(JSON.stringify(status)).not.toContain('test passphrase, not secret');
  });

  it('refuses malformed codes and batch sizes before touching anything', async () => {
    await expect(run('rotate', '--municipality', '13101')).rejects.toThrow(/six-digit municipality code/);
    await expect(run('rewrap', '--batch', '0')).rejects.toThrow(/--batch must be an integer/);
    await expect(run('status', '--municipality', 'x')).rejects.toThrow(/six-digit/);
  });
});
