/**
 * The key service on a real PostgreSQL with the local keystore: provisioning,
 * sealing and opening stored fields, every kind of bad ciphertext, the usage
 * counter and automatic rotation, KEK rotation, blind indexes, the database
 * grants, and that no plaintext or key material reaches logs, errors or tables.
 */
import { inTenantTransaction } from '../../src/platform/database.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapContext } from '../../src/security/keys/data-keys.js';
import { KeyError } from '../../src/security/keys/errors.js';
import { rotateDataKey, rotateKek } from '../../src/security/keys/rotation.js';
import type { KeyService } from '../../src/security/keys/service.js';
import { CHIYODA, SAPPORO } from '../support/api.js';
import { keysHarness, myNumberCheckDigit, SECRETS, type KeysHarness } from './setup.js';

let h: KeysHarness;
const errorsSeen: string[] = [];
const RESIDENT = { name: '鈴木一郎', kana: 'スズキ イチロウ', myNumber: '', dob: '1975-04-01', residentCode: '12345678901' };
RESIDENT.myNumber = '98765432101' + String(myNumberCheckDigit('98765432101'));

beforeAll(async () => {
  h = await keysHarness('local');
  await h.tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await h.tp.platform.cells.place(SAPPORO, 'cell-a', null);
});
afterAll(async () => h?.close());

async function expectKeyError(p: Promise<unknown>, code: string): Promise<KeyError> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected ${code}, got a value of type ${typeof v}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeyError);
  expect((err as KeyError).code).toBe(code);
  errorsSeen.push(String((err as Error).message), JSON.stringify(err));
  return err as KeyError;
}

async function insertSecret(code: string, sealedFor: (id: string) => Promise<Buffer>): Promise<string> {
  const pool = await h.tp.platform.cells.poolFor(code);
  return inTenantTransaction(pool, code, async (client) => {
    const { rows } = await client.query<{ id: string }>('INSERT INTO cell.test_secrets (municipality_code) VALUES ($1) RETURNING id::text', [code]);
    const id = rows[0]!.id;
    await client.query('UPDATE cell.test_secrets SET secret = $2 WHERE id = $1', [id, await sealedFor(id)]);
    return id;
  });
}

async function readSecret(code: string, id: string): Promise<Buffer> {
  const pool = await h.tp.platform.cells.poolFor(code);
  return inTenantTransaction(pool, code, async (client) => (await client.query<{ secret: Buffer }>('SELECT secret FROM cell.test_secrets WHERE id = $1', [id])).rows[0]!.secret);
}

describe('provisioning', () => {
  it('creates KEK v1 and the first data keys on first use, once, even when two processes race', async () => {
    const [a, b] = [h.service(), h.service()];
    const [ka, kb] = await Promise.all([a.forMunicipality(CHIYODA), b.forMunicipality(CHIYODA)]);
    expect(ka.activeVersion).toBe(1);
    expect(kb.activeVersion).toBe(1);
    const keks = await h.admin('control', `SELECT version, state, kms_kind FROM control.key_encryption_keys WHERE municipality_code = $1`, [CHIYODA]);
    expect(keks).toEqual([{ version: 1, state: 'active', kms_kind: 'local-keystore' }]);
    const deks = await h.admin('control', `SELECT purpose, version, kek_version, octet_length(wrapped) AS len FROM control.data_keys WHERE municipality_code = $1 ORDER BY 1`, [CHIYODA]);
    expect(deks).toEqual([
      { purpose: 'blind_index', version: 1, kek_version: 1, len: 1 + 12 + 32 + 16 },
      { purpose: 'record', version: 1, kek_version: 1, len: 1 + 12 + 32 + 16 },
    ]);
  });

  it('refuses codes that are not six digits', async () => {
    await expect(h.service().forMunicipality('13101')).rejects.toThrow(TypeError);
  });
});

describe('sealing stored fields', () => {
  let keys: KeyService;
  beforeAll(() => {
    keys = h.service();
  });

  it('round-trips through the database, and a restarted service (new cache, new KMS session) opens it', async () => {
    const crypto = await keys.forMunicipality(CHIYODA);
    const id = await insertSecret(CHIYODA, (rid) => crypto.seal(SECRETS.field(rid), RESIDENT.name));
    const stored = await readSecret(CHIYODA, id);
    expect(stored.includes(Buffer.from(RESIDENT.name))).toBe(false);
    expect(await crypto.openText(SECRETS.field(id), stored)).toBe(RESIDENT.name);
    const restarted = h.service({}, await h.reopenKms());
    expect(await (await restarted.forMunicipality(CHIYODA)).openText(SECRETS.field(id), stored)).toBe(RESIDENT.name);
  });

  it('a ciphertext copied to another row, column or municipality does not open there', async () => {
    const chiyoda = await keys.forMunicipality(CHIYODA);
    const sapporo = await keys.forMunicipality(SAPPORO);
    const a = await insertSecret(CHIYODA, (rid) => chiyoda.seal(SECRETS.field(rid), RESIDENT.myNumber));
    const b = await insertSecret(CHIYODA, (rid) => chiyoda.seal(SECRETS.field(rid), 'other'));
    const sealedA = await readSecret(CHIYODA, a);
    // Copied onto row b, as a database administrator could.
    await h.admin('cell-a', 'UPDATE cell.test_secrets SET secret = $1 WHERE id = $2', [sealedA, b]);
    await expectKeyError(chiyoda.open(SECRETS.field(b), await readSecret(CHIYODA, b)), 'ciphertext_rejected');
    await expectKeyError(chiyoda.open({ ...SECRETS.field(a), column: 'other_column' }, sealedA), 'ciphertext_rejected');
    await expectKeyError(chiyoda.open({ ...SECRETS.field(a), table: 'cell.other_table' }, sealedA), 'ciphertext_rejected');
    // Another municipality: its own keys do not even have... the same key; and the AAD differs anyway.
    await expectKeyError(sapporo.open(SECRETS.field(a), sealedA), 'ciphertext_rejected');
    // The original still opens where it belongs.
    expect(await chiyoda.openText(SECRETS.field(a), sealedA)).toBe(RESIDENT.myNumber);
  });

  it('forged, truncated, reformatted and unknown-version ciphertexts give typed errors and nothing else', async () => {
    const crypto = await keys.forMunicipality(CHIYODA);
    const ref = SECRETS.field('00000000-0000-4000-8000-000000000001');
    const sealed = await crypto.seal(ref, RESIDENT.kana);
    const forged = Buffer.from(sealed);
    forged[20]! ^= 0x40;
    await expectKeyError(crypto.open(ref, forged), 'ciphertext_rejected');
    await expectKeyError(crypto.open(ref, sealed.subarray(0, 30)), 'ciphertext_malformed');
    await expectKeyError(crypto.open(ref, sealed.subarray(0, sealed.length - 1)), 'ciphertext_rejected');
    await expectKeyError(crypto.open(ref, Buffer.concat([Buffer.of(9), sealed.subarray(1)])), 'ciphertext_malformed');
    const unknown = Buffer.from(sealed);
    unknown.writeUInt32BE(4242, 1);
    const err = await expectKeyError(crypto.open(ref, unknown), 'key_version_unknown');
    expect(err.message).toBe(`municipality ${CHIYODA} has no record key version 4242`);
    await expectKeyError(crypto.open(ref, Buffer.alloc(0)), 'ciphertext_malformed');
  });
});

describe('usage counter and automatic rotation', () => {
  it('reserves usage in blocks and rotates before the limit; every older field still opens', async () => {
    const keys = h.service({ dataKeyUsageLimit: 8, reserveBlock: 4 });
    const crypto = await keys.forMunicipality(SAPPORO);
    await rotateDataKey(keys.deps, SAPPORO); // limits are per key: start from one made with the small limit
    const sealed: { ref: ReturnType<typeof SECRETS.field>; value: Buffer; plain: string }[] = [];
    for (let i = 0; i < 30; i++) {
      const ref = SECRETS.field(`r${i}`);
      sealed.push({ ref, value: await crypto.seal(ref, `value ${i}`), plain: `value ${i}` });
    }
    const rows = await h.admin<{ version: number; state: string; usage_reserved: string; usage_limit: string }>(
      'control',
      `SELECT version, state, usage_reserved, usage_limit FROM control.data_keys WHERE municipality_code = $1 AND purpose = 'record' ORDER BY version`,
      [SAPPORO],
    );
    // v1 (default limit) and then 30 seals at 8 per key: at least four more versions.
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.filter((r) => r.state === 'active')).toHaveLength(1);
    for (const r of rows.slice(1)) expect(Number(r.usage_reserved)).toBeLessThanOrEqual(Number(r.usage_limit));
    const versions = new Set(sealed.map((s) => s.value.readUInt32BE(1)));
    expect(versions.size).toBeGreaterThanOrEqual(3);
    for (const v of versions) expect(sealed.filter((s) => s.value.readUInt32BE(1) === v).length).toBeLessThanOrEqual(8);
    const reader = h.service();
    const r = await reader.forMunicipality(SAPPORO);
    for (const s of sealed) expect(await r.openText(s.ref, s.value)).toBe(s.plain);
  });

  it('two processes exhausting keys together never overspend one and rotate once per exhaustion', async () => {
    const a = h.service({ dataKeyUsageLimit: 16, reserveBlock: 4 });
    const b = h.service({ dataKeyUsageLimit: 16, reserveBlock: 4 });
    const [ca, cb] = await Promise.all([a.forMunicipality(CHIYODA), b.forMunicipality(CHIYODA)]);
    await rotateDataKey(a.deps, CHIYODA); // start from a key with the small limit
    const before = await h.admin<{ n: string }>('control', `SELECT count(*) AS n FROM control.data_keys WHERE municipality_code = $1 AND purpose = 'record'`, [CHIYODA]);
    const out = await Promise.all(Array.from({ length: 64 }, (_, i) => (i % 2 ? ca : cb).seal(SECRETS.field(`c${i}`), 'x')));
    const byVersion = new Map<number, number>();
    for (const s of out) byVersion.set(s.readUInt32BE(1), (byVersion.get(s.readUInt32BE(1)) ?? 0) + 1);
    for (const n of byVersion.values()) expect(n).toBeLessThanOrEqual(16);
    const after = await h.admin<{ version: number; usage_reserved: string }>(
      'control',
      `SELECT version, usage_reserved FROM control.data_keys WHERE municipality_code = $1 AND purpose = 'record' ORDER BY version`,
      [CHIYODA],
    );
    // 64 seals need at least 4 keys of 16; reservations are in blocks of 4, so at most a few more.
    const created = after.length - Number(before[0]!.n);
    expect(created).toBeGreaterThanOrEqual(3);
    expect(created).toBeLessThanOrEqual(6);
    expect(new Set(after.map((r) => r.version)).size).toBe(after.length);
  });
});

describe('KEK rotation', () => {
  it('rewraps every data key under a new KEK; fields sealed before still open after a restart', async () => {
    const keys = h.service();
    const crypto = await keys.forMunicipality(CHIYODA);
    const ref = SECRETS.field('kek-rotation');
    const sealed = await crypto.seal(ref, RESIDENT.name);
    const rotation = await rotateKek(keys.deps, CHIYODA);
    expect(rotation.to).toBe(rotation.from + 1);
    const deks = await h.admin<{ kek_version: number; n: string }>('control', `SELECT kek_version, count(*) AS n FROM control.data_keys WHERE municipality_code = $1 GROUP BY 1`, [CHIYODA]);
    expect(deks.map((d) => d.kek_version)).toEqual([rotation.to]);
    expect(Number(deks[0]!.n)).toBe(rotation.rewrapped);
    const keks = await h.admin('control', `SELECT version, state FROM control.key_encryption_keys WHERE municipality_code = $1 ORDER BY 1`, [CHIYODA]);
    expect(keks).toEqual([
      { version: rotation.from, state: 'retired' },
      { version: rotation.to, state: 'active' },
    ]);
    const restarted = h.service({}, await h.reopenKms());
    expect(await (await restarted.forMunicipality(CHIYODA)).openText(ref, sealed)).toBe(RESIDENT.name);
  });

  it('a wrapped data key moved to another row of the key table does not unwrap (fail closed)', async () => {
    const keys = h.service();
    await keys.forMunicipality(SAPPORO);
    const [blind] = await h.admin<{ wrapped: Buffer }>('control', `SELECT wrapped FROM control.data_keys WHERE municipality_code = $1 AND purpose = 'blind_index'`, [SAPPORO]);
    const [kek] = await h.admin<{ kms_key_id: string }>('control', `SELECT kms_key_id FROM control.key_encryption_keys WHERE municipality_code = $1 AND state = 'active'`, [SAPPORO]);
    await expect(h.kms.unwrap({ kind: 'local-keystore', id: kek!.kms_key_id }, blind!.wrapped, wrapContext(SAPPORO, 'record', 1))).rejects.toMatchObject({ reason: 'unwrap_failed' });
  });
});

describe('blind indexes', () => {
  it('match across services and input spellings, differ between municipalities', async () => {
    const a = await h.service().forMunicipality(CHIYODA);
    const b = await h.service({}, await h.reopenKms()).forMunicipality(CHIYODA);
    const s = await h.service().forMunicipality(SAPPORO);
    const spaced = `${RESIDENT.myNumber.slice(0, 4)} ${RESIDENT.myNumber.slice(4, 8)} ${RESIDENT.myNumber.slice(8)}`;
    expect(a.blindIndex('my_number', RESIDENT.myNumber).equals(b.blindIndex('my_number', spaced))).toBe(true);
    expect(a.blindIndex('my_number', RESIDENT.myNumber).equals(s.blindIndex('my_number', RESIDENT.myNumber))).toBe(false);
    expect(a.blindIndex('kana_name_dob', { kana: RESIDENT.kana, dateOfBirth: RESIDENT.dob }).equals(b.blindIndex('kana_name_dob', { kana: 'すずき いちろう', dateOfBirth: '1975/04/01' }))).toBe(true);
    expect(a.blindIndex('resident_code', RESIDENT.residentCode)).toHaveLength(16);
    try {
      a.blindIndex('my_number', RESIDENT.myNumber.slice(0, 11) + String((Number(RESIDENT.myNumber[11]) + 1) % 10));
      throw new Error('accepted a bad check digit');
    } catch (err) {
      expect(err).toBeInstanceOf(KeyError);
      expect((err as KeyError).rule).toBe('check_digit');
      errorsSeen.push((err as Error).message);
    }
  });
});

describe('database grants (least privilege)', () => {
  it('the application role cannot delete keys, rename them, resurrect them or roll a counter back', async () => {
    const app = h.tp.platform.control;
    await h.service().forMunicipality(CHIYODA);
    await expect(app.query(`DELETE FROM control.data_keys WHERE municipality_code = $1`, [CHIYODA])).rejects.toThrow(/permission denied/);
    await expect(app.query(`DELETE FROM control.key_encryption_keys WHERE municipality_code = $1`, [CHIYODA])).rejects.toThrow(/permission denied/);
    await expect(app.query(`UPDATE control.key_encryption_keys SET kms_key_id = 'x' WHERE municipality_code = $1`, [CHIYODA])).rejects.toThrow(/permission denied/);
    await expect(app.query(`UPDATE control.data_keys SET usage_limit = 1 WHERE municipality_code = $1`, [CHIYODA])).rejects.toThrow(/permission denied/);
    await expect(app.query(`UPDATE control.data_keys SET usage_reserved = 0 WHERE municipality_code = $1 AND usage_reserved > 0`, [CHIYODA])).rejects.toThrow(/usage counter cannot go back/);
    await expect(app.query(`UPDATE control.key_encryption_keys SET state = 'active' WHERE municipality_code = $1 AND state = 'retired'`, [CHIYODA])).rejects.toThrow(/cannot go back/);
    await expect(app.query(`UPDATE control.data_keys SET wrapped = wrapped || '\\x00'::bytea WHERE municipality_code = $1`, [CHIYODA])).rejects.toThrow(/only be rewrapped under a newer/);
    await expect(app.query(`TRUNCATE control.data_keys`)).rejects.toThrow(/permission denied/);
  });
});

describe('no plaintext or key material outside process memory', () => {
  it('logs, errors and the key tables hold none of the residents\' values nor any unwrapped key', async () => {
    const keys = h.service();
    await keys.forMunicipality(CHIYODA);
    const secrets = [RESIDENT.name, RESIDENT.kana, RESIDENT.myNumber, RESIDENT.residentCode, 'スズキ', 'すずき'];
    // Unwrap every live data key the way an attacker with the KMS would, to know what must never appear.
    const rows = await h.admin<{ municipality_code: string; purpose: 'record' | 'blind_index'; version: number; wrapped: Buffer; kms_key_id: string }>(
      'control',
      `SELECT d.municipality_code, d.purpose, d.version, d.wrapped, k.kms_key_id FROM control.data_keys d
         JOIN control.key_encryption_keys k ON k.municipality_code = d.municipality_code AND k.version = d.kek_version WHERE d.wrapped IS NOT NULL`,
    );
    const keyBytes = await Promise.all(rows.map((r) => h.kms.unwrap({ kind: 'local-keystore', id: r.kms_key_id }, r.wrapped, wrapContext(r.municipality_code, r.purpose, r.version))));
    const needles = [...secrets, ...keyBytes.flatMap((k) => [k.toString('hex'), k.toString('base64'), k.toString('base64url')])];
    const tableText = (await h.admin<{ t: string }>('control', `SELECT string_agg(t::text, ' ') AS t FROM (SELECT * FROM control.data_keys) t`))[0]!.t;
    const kekText = (await h.admin<{ t: string }>('control', `SELECT string_agg(t::text, ' ') AS t FROM control.key_encryption_keys t`))[0]!.t;
    const haystacks = { logs: h.logLines.join('\n'), errors: errorsSeen.join('\n'), data_keys: tableText, key_encryption_keys: kekText };
    expect(h.logLines.length).toBeGreaterThan(0);
    expect(errorsSeen.length).toBeGreaterThan(5);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of needles) {
        if (text.includes(needle)) throw new Error(`found a secret in ${where}`);
      }
      // Bytea is shown in hex: no key in that form either.
      for (const k of keyBytes) expect(text.includes(`\\x${k.toString('hex')}`)).toBe(false);
    }
  });
});
