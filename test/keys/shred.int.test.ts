/**
 * Crypto-shredding with the KEKs in a PKCS#11 token (SoftHSM2): once a
 * municipality is offboarded, nobody can decrypt its records — not the running
 * service, not a restarted one, not one given a restored backup of the key
 * tables — while other municipalities are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTenantTransaction } from '../../src/platform/database.js';
import { shredCommand } from '../../src/security/keys/cli.js';
import { wrapContext } from '../../src/security/keys/data-keys.js';
import { KeyError } from '../../src/security/keys/errors.js';
import { rotateKek } from '../../src/security/keys/rotation.js';
import { shredMunicipality } from '../../src/security/keys/shred.js';
import type { KeyService } from '../../src/security/keys/service.js';
import { CHIYODA, SAPPORO } from '../support/api.js';
import { keysHarness, SECRETS, type KeysHarness } from './setup.js';

let h: KeysHarness;
let keys: KeyService;
const stored = new Map<string, { code: string; sealed: Buffer; plain: string }>();
type Backup = { municipality_code: string; purpose: 'record' | 'blind_index'; version: number; kek_version: number; wrapped: Buffer }[];
let backupDeks: Backup;
let backupKeks: { version: number; kms_key_id: string }[];

beforeAll(async () => {
  h = await keysHarness('pkcs11');
  for (const code of [CHIYODA, SAPPORO]) await h.tp.platform.cells.place(code, 'cell-a', null);
  keys = h.service();
  for (const code of [CHIYODA, SAPPORO]) {
    const crypto = await keys.forMunicipality(code);
    const pool = await h.tp.platform.cells.poolFor(code);
    await inTenantTransaction(pool, code, async (client) => {
      for (let i = 0; i < 5; i++) {
        const { rows } = await client.query<{ id: string }>('INSERT INTO cell.test_secrets (municipality_code) VALUES ($1) RETURNING id::text', [code]);
        const id = rows[0]!.id;
        const plain = `${code} 住民 ${i}`;
        const sealed = await crypto.seal(SECRETS.field(id), plain);
        await client.query('UPDATE cell.test_secrets SET secret = $2 WHERE id = $1', [id, sealed]);
        stored.set(id, { code, sealed, plain });
      }
    });
  }
  // Two KEK versions, so shredding must destroy both.
  await rotateKek(keys.deps, CHIYODA);
  // What a backup of the control database taken before offboarding would hold.
  backupDeks = await h.admin('control', `SELECT municipality_code, purpose, version, kek_version, wrapped FROM control.data_keys WHERE municipality_code = $1`, [CHIYODA]);
  backupKeks = await h.admin('control', `SELECT version, kms_key_id FROM control.key_encryption_keys WHERE municipality_code = $1 ORDER BY version`, [CHIYODA]);
});
afterAll(async () => h?.close());

const chiyodaRecords = () => [...stored].filter(([, r]) => r.code === CHIYODA);

async function refused(p: Promise<unknown>, codes: string[]): Promise<void> {
  const err = await p.then(
    () => new Error('decrypted after shredding'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeyError);
  expect(codes).toContain((err as KeyError).code);
}

describe('crypto-shredding (PKCS#11)', () => {
  it('before: the records open', async () => {
    const crypto = await keys.forMunicipality(CHIYODA);
    for (const [id, r] of chiyodaRecords()) expect(await crypto.openText(SECRETS.field(id), r.sealed)).toBe(r.plain);
    expect(backupKeks).toHaveLength(2);
  });

  it('asks for the code twice', async () => {
    await expect(shredCommand({ keys }, CHIYODA, SAPPORO)).rejects.toThrow(/--confirm must repeat the municipality code/);
  });

  it('destroys every KEK version in the token and marks the keys destroyed', async () => {
    const report = await shredCommand({ keys }, CHIYODA, CHIYODA);
    expect(report.kekVersions).toEqual([1, 2]);
    expect(report.dataKeysErased).toBe(backupDeks.length);
    for (const k of backupKeks) expect(await h.kms.hasKek({ kind: 'pkcs11', id: k.kms_key_id })).toBe(false);
    const rows = await h.admin('control', `SELECT DISTINCT state FROM control.data_keys WHERE municipality_code = $1 UNION ALL SELECT DISTINCT state FROM control.key_encryption_keys WHERE municipality_code = $1`, [CHIYODA]);
    expect(rows).toEqual([{ state: 'destroyed' }, { state: 'destroyed' }]);
    // Repeating it is harmless.
    expect((await shredMunicipality({ control: h.tp.platform.control, kms: h.kms }, CHIYODA)).kekVersions).toEqual([]);
  });

  it('the running service can no longer decrypt, nor re-provision the municipality', async () => {
    const [id, r] = chiyodaRecords()[0]!;
    await refused(keys.forMunicipality(CHIYODA), ['keys_destroyed']);
    await refused(
      (async () => (await keys.forMunicipality(CHIYODA)).open(SECRETS.field(id), r.sealed))(),
      ['keys_destroyed'],
    );
    const keks = await h.admin('control', `SELECT count(*)::int AS n FROM control.key_encryption_keys WHERE municipality_code = $1`, [CHIYODA]);
    expect(keks).toEqual([{ n: 2 }]);
  });

  it('a restarted service (new token session, empty caches) can no longer decrypt', async () => {
    const restarted = h.service({}, await h.reopenKms());
    for (const [id, r] of chiyodaRecords()) {
      await refused((async () => (await restarted.forMunicipality(CHIYODA)).open(SECRETS.field(id), r.sealed))(), ['keys_destroyed']);
    }
  });

  it('even with the key tables restored from a backup, nothing unwraps: the KEKs are gone from the token', async () => {
    const kms = await h.reopenKms();
    for (const d of backupDeks) {
      const kek = backupKeks.find((k) => k.version === d.kek_version)!;
      await expect(kms.unwrap({ kind: 'pkcs11', id: kek.kms_key_id }, d.wrapped, wrapContext(d.municipality_code, d.purpose, d.version))).rejects.toMatchObject({ reason: 'key_not_found' });
    }
    // Restore the rows as they were (the guard triggers would refuse: an administrator restoring a backup bypasses them).
    await h.admin(
      'control',
      `ALTER TABLE control.data_keys DISABLE TRIGGER guard; ALTER TABLE control.key_encryption_keys DISABLE TRIGGER guard;
       UPDATE control.key_encryption_keys SET state = CASE WHEN version = 2 THEN 'active' ELSE 'retired' END, destroyed_at = NULL WHERE municipality_code = '${CHIYODA}';`,
    );
    for (const d of backupDeks) {
      await h.admin('control', `UPDATE control.data_keys SET wrapped = $1, state = CASE WHEN state = 'destroyed' THEN 'retired' ELSE state END WHERE municipality_code = $2 AND purpose = $3 AND version = $4`, [d.wrapped, d.municipality_code, d.purpose, d.version]);
    }
    await h.admin('control', `UPDATE control.data_keys SET state = 'active' WHERE municipality_code = '${CHIYODA}' AND (purpose, version) IN (SELECT purpose, max(version) FROM control.data_keys WHERE municipality_code = '${CHIYODA}' GROUP BY 1)`);
    await h.admin('control', `ALTER TABLE control.data_keys ENABLE TRIGGER guard; ALTER TABLE control.key_encryption_keys ENABLE TRIGGER guard;`);
    const fresh = h.service({}, kms);
    await refused(fresh.forMunicipality(CHIYODA), ['key_integrity']);
    const [id, r] = chiyodaRecords()[0]!;
    await refused(fresh.dataKey(CHIYODA, 'record', r.sealed.readUInt32BE(1)).then(() => fresh.forMunicipality(CHIYODA)).then((c) => c.open(SECRETS.field(id), r.sealed)), ['key_integrity']);
  });

  it('other municipalities are untouched', async () => {
    const crypto = await h.service({}, await h.reopenKms()).forMunicipality(SAPPORO);
    for (const [id, r] of [...stored].filter(([, x]) => x.code === SAPPORO)) expect(await crypto.openText(SECRETS.field(id), r.sealed)).toBe(r.plain);
  });
});
