/**
 * Benchmark: what the key service costs (issue 3, "Keys and encryption").
 *
 * (a) Encrypt + blind-index cost per resident record. A realistic resident
 *     record of about 1 KB (JSON) has five sealed fields (name, reading,
 *     address, My Number, phone) and three blind indexes (My Number, resident
 *     code, reading + date of birth). "keys" is the key service as an
 *     operation uses it: `await crypto.seal(...)` per field (AES-256-GCM with
 *     the associated data, the self-describing header, the usage counter
 *     reserved from PostgreSQL in blocks) and `crypto.blindIndex(...)` per
 *     index (normalization + HMAC-SHA-256). "raw" is AES-256-GCM (random
 *     nonce, no associated data) of exactly the same field bytes and
 *     HMAC-SHA-256 of the same index values as given, with node:crypto and
 *     nothing else. Both run in the same process, in alternating rounds
 *     (AB, BA, …), and the result is the ratio keys/raw. Opening the five
 *     fields is measured the same way, for information.
 * (b) HSM wrap and unwrap rate with SoftHSM2: the PKCS#11 adapter wrapping and
 *     unwrapping 32-byte data keys under a non-extractable KEK inside the token
 *     (CKM_AES_GCM), sequentially, plus the cost of a cold key fetch (a new
 *     key service loading a municipality: key-table reads + two unwraps).
 *
 * Server: $DATABASE_URL (an administrative URL) when set, otherwise an embedded
 * PostgreSQL in a temporary directory. Databases, roles, the SoftHSM2 token and
 * temporary files are the bench's own and removed at the end, also on Ctrl-C.
 *
 * Tuning (environment): BENCH_KEYS_ROUNDS (16), BENCH_KEYS_RECORDS (2000 per
 * round and variant), BENCH_HSM_ROUNDS (6), BENCH_HSM_MS (1000 per round and
 * operation), BENCH_COLD_FETCHES (200).
 * Needs SoftHSM2 (`apt-get install -y softhsm2`); exits non-zero without it.
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { applicationUrl, createPool } from '../src/platform/database.js';
import { migrateAll, type Databases } from '../src/platform/runtime.js';
import { myNumberCheckDigit } from '../src/security/keys/blind-index.js';
import { Pkcs11Kms } from '../src/security/keys/kms/pkcs11.js';
import { createSoftHsmToken } from '../src/security/keys/kms/softhsm.js';
import { encryptedColumn } from '../src/security/keys/registry.js';
import { KeyService, type MunicipalityKeys } from '../src/security/keys/service.js';
import { benchServer, databaseUrl, intEnv, out, prng, runWithCleanup, step, withAdmin, type Cleanups } from './harness.js';

// ---------------------------------------------------------------------------
// Settings


const ROUNDS = intEnv('BENCH_KEYS_ROUNDS', 16);
const RECORDS = intEnv('BENCH_KEYS_RECORDS', 2000);
const HSM_ROUNDS = intEnv('BENCH_HSM_ROUNDS', 6);
const HSM_MS = intEnv('BENCH_HSM_MS', 1000);
const COLD_FETCHES = intEnv('BENCH_COLD_FETCHES', 200);
const MUNICIPALITY = '131016';

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const percentile = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

// ---------------------------------------------------------------------------
// Resident records (deterministic, about 1 KB of JSON each)


const SURNAMES = [['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['高橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'], ['渡辺', 'ワタナベ'], ['山本', 'ヤマモト'], ['中村', 'ナカムラ']] as const;
const GIVEN = [['太郎', 'タロウ'], ['花子', 'ハナコ'], ['一郎', 'イチロウ'], ['美咲', 'ミサキ'], ['健太', 'ケンタ'], ['陽菜', 'ヒナ'], ['大輔', 'ダイスケ'], ['結衣', 'ユイ']] as const;
const TOWNS = ['千代田区千代田', '千代田区丸の内', '千代田区神田神保町', '千代田区富士見', '千代田区一番町', '千代田区麹町'];

export interface Resident {
  id: string;
  name: string;
  nameKana: string;
  dateOfBirth: string;
  address: string;
  myNumber: string;
  residentCode: string;
  phone: string;
  [other: string]: unknown;
}

function residents(n: number, seed: number): Resident[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const digits = (k: number) => Array.from({ length: k }, () => Math.floor(rand() * 10)).join('');
  return Array.from({ length: n }, () => {
    const [s, sk] = pick(SURNAMES);
    const [g, gk] = pick(GIVEN);
    const first11 = digits(11);
    const year = 1930 + Math.floor(rand() * 90);
    const dob = `${year}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
    const address = `東京都${pick(TOWNS)}${1 + Math.floor(rand() * 5)}丁目${1 + Math.floor(rand() * 30)}番${1 + Math.floor(rand() * 20)}号 ${pick(['メゾン', 'コーポ', 'ハイツ'])}${pick(['千代田', '神田', '皇居前'])}${1 + Math.floor(rand() * 9)}0${1 + Math.floor(rand() * 9)}号室`;
    return {
      id: randomUUID(),
      name: `${s}　${g}`,
      nameKana: `${sk}　${gk}`,
      dateOfBirth: dob,
      address,
      myNumber: first11 + String(myNumberCheckDigit(first11)),
      residentCode: digits(11),
      phone: `03-${digits(4)}-${digits(4)}`,
      // The unsealed rest of a resident-register record, for a realistic size.
      sex: pick(['男', '女']),
      householdHead: `${s}　${pick(GIVEN)[0]}`,
      relationship: pick(['世帯主', '妻', '夫', '子', '父', '母']),
      residentSince: `${2000 + Math.floor(rand() * 25)}-04-01`,
      previousAddress: `神奈川県横浜市中区山下町${1 + Math.floor(rand() * 300)}番地`,
      registeredOn: '2026-04-01',
      nationality: '日本',
      postalCode: `100-${digits(4)}`,
      notes: '転入届（令和8年4月1日受付）。本籍地・筆頭者の記載事項は戸籍の附票と照合済み。',
      registeredDomicile: `東京都千代田区千代田${1 + Math.floor(rand() * 9)}番地`,
      domicileHead: `${s}　${pick(GIVEN)[0]}`,
      insurance: { national: rand() < 0.3, pension: pick(['第1号', '第2号', '第3号']), longTermCare: year < 1960 },
      history: [
        { event: '転入', date: '2026-04-01', office: '千代田区役所', from: '神奈川県横浜市中区' },
        { event: '住所変更', date: '2026-06-15', office: '千代田区役所 富士見出張所' },
      ],
    };
  });
}

const SEALED = ['name', 'nameKana', 'address', 'myNumber', 'phone'] as const;
const COLUMNS = Object.fromEntries(SEALED.map((f) => [f, encryptedColumn({ table: 'cell.residents', column: f.toLowerCase() })])) as Record<(typeof SEALED)[number], ReturnType<typeof encryptedColumn>>;

// ---------------------------------------------------------------------------
// The two variants of (a)

let sink = 0; // keeps the work observable, so nothing is optimised away

async function keysSeal(crypto: MunicipalityKeys, rs: readonly Resident[]): Promise<Buffer[][]> {
  const sealed: Buffer[][] = [];
  for (const r of rs) {
    const fields: Buffer[] = [];
    for (const f of SEALED) fields.push(await crypto.seal(COLUMNS[f].field(r.id), r[f]));
    sink += crypto.blindIndex('my_number', r.myNumber)[0]!;
    sink += crypto.blindIndex('resident_code', r.residentCode)[0]!;
    sink += crypto.blindIndex('kana_name_dob', { kana: r.nameKana, dateOfBirth: r.dateOfBirth })[0]!;
    sealed.push(fields);
  }
  return sealed;
}

function rawSeal(key: KeyObject, macKey: KeyObject, rs: readonly Resident[]): Buffer[][] {
  const sealed: Buffer[][] = [];
  for (const r of rs) {
    const fields: Buffer[] = [];
    for (const f of SEALED) {
      const nonce = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, nonce);
      fields.push(Buffer.concat([nonce, c.update(r[f], 'utf8'), c.final(), c.getAuthTag()]));
    }
    sink += createHmac('sha256', macKey).update(r.myNumber).digest()[0]!;
    sink += createHmac('sha256', macKey).update(r.residentCode).digest()[0]!;
    sink += createHmac('sha256', macKey).update(r.nameKana + r.dateOfBirth).digest()[0]!;
    sealed.push(fields);
  }
  return sealed;
}

/** The two halves of (a) apart, to show where the cost sits. */
async function keysSealOnly(crypto: MunicipalityKeys, rs: readonly Resident[]): Promise<void> {
  for (const r of rs) for (const f of SEALED) sink += (await crypto.seal(COLUMNS[f].field(r.id), r[f])).length;
}
function rawSealOnly(key: KeyObject, rs: readonly Resident[]): void {
  for (const r of rs) {
    for (const f of SEALED) {
      const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
      sink += Buffer.concat([c.update(r[f], 'utf8'), c.final(), c.getAuthTag()]).length;
    }
  }
}
function keysIndexOnly(crypto: MunicipalityKeys, rs: readonly Resident[]): void {
  for (const r of rs) {
    sink += crypto.blindIndex('my_number', r.myNumber)[0]!;
    sink += crypto.blindIndex('resident_code', r.residentCode)[0]!;
    sink += crypto.blindIndex('kana_name_dob', { kana: r.nameKana, dateOfBirth: r.dateOfBirth })[0]!;
  }
}
function rawIndexOnly(macKey: KeyObject, rs: readonly Resident[]): void {
  for (const r of rs) {
    sink += createHmac('sha256', macKey).update(r.myNumber).digest()[0]!;
    sink += createHmac('sha256', macKey).update(r.residentCode).digest()[0]!;
    sink += createHmac('sha256', macKey).update(r.nameKana + r.dateOfBirth).digest()[0]!;
  }
}

async function keysOpen(crypto: MunicipalityKeys, rs: readonly Resident[], sealed: Buffer[][]): Promise<void> {
  for (let i = 0; i < rs.length; i++) {
    for (let j = 0; j < SEALED.length; j++) sink += (await crypto.open(COLUMNS[SEALED[j]!].field(rs[i]!.id), sealed[i]![j]!)).length;
  }
}

function rawOpen(key: KeyObject, sealed: Buffer[][]): void {
  for (const fields of sealed) {
    for (const s of fields) {
      const d = createDecipheriv('aes-256-gcm', key, s.subarray(0, 12));
      d.setAuthTag(s.subarray(s.length - 16));
      sink += Buffer.concat([d.update(s.subarray(12, s.length - 16)), d.final()]).length;
    }
  }
}

async function time(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

// ---------------------------------------------------------------------------
// Main



async function main(): Promise<void> {
  await runWithCleanup(run, step);
}

async function run(cleanups: Cleanups): Promise<void> {
  // SoftHSM2 first: without it the bench cannot say what it was asked to.
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'municloud-bench-keys-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  const token = await createSoftHsmToken({ dir: path.join(tmp, 'softhsm'), tokenLabel: 'mc-bench', pin: randomBytes(9).toString('base64url'), soPin: randomBytes(9).toString('base64url') });
  process.env.SOFTHSM2_CONF = token.conf;
  const kms = await Pkcs11Kms.open({ library: token.library, tokenLabel: token.tokenLabel, pin: token.pin });
  cleanups.push(() => kms.close());

  await chmod(tmp, 0o755); // the embedded server's OS user must reach its directory inside
  const { adminUrl: serverAdminUrl, kind: serverKind } = await benchServer(cleanups, step, path.join(tmp, 'pg'));
  const serverVersion = await withAdmin(serverAdminUrl, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version);

  const tag = randomBytes(4).toString('hex');
  const db = `mcbench_${tag}_control`;
  const roles = { ownerRole: `mcbench_${tag}_owner`, appRole: `mcbench_${tag}_app`, appPassword: randomBytes(18).toString('base64url') };
  cleanups.push(() =>
    withAdmin(serverAdminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`);
      for (const role of [roles.appRole, roles.ownerRole]) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    }),
  );
  await withAdmin(serverAdminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(db)} ENCODING 'UTF8' TEMPLATE template0`));
  const controlUrl = databaseUrl(serverAdminUrl, db);
  step(`migrating a control database on ${serverKind}, PostgreSQL ${serverVersion}`);
  const databases: Databases = { controlAdminUrl: controlUrl, cells: [], roles, cursorSecret: undefined, embedded: null };
  await migrateAll(databases);
  const control = createPool(applicationUrl(controlUrl, roles), 4);
  cleanups.push(() => control.end());

  const keys = new KeyService(control, kms);
  cleanups.push(async () => keys.close());
  const crypto = await keys.forMunicipality(MUNICIPALITY);

  const sample = residents(RECORDS, 1);
  const jsonBytes = sample.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0) / sample.length;
  const sealedBytes = sample.reduce((n, r) => n + SEALED.reduce((m, f) => m + Buffer.byteLength(r[f]), 0), 0) / sample.length;
  out('');
  out(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}; PostgreSQL ${serverVersion} (${serverKind})`);
  out(`KMS: ${kms.describe().detail}`);
  out(`record: ${jsonBytes.toFixed(0)} bytes of JSON on average; ${SEALED.length} sealed fields (${sealedBytes.toFixed(0)} bytes of plaintext), 3 blind indexes`);
  out(`(a) ${ROUNDS} rounds × ${RECORDS} records per variant, alternating order; (b) ${HSM_ROUNDS} rounds × ${HSM_MS} ms per operation`);

  // ---- (a) seal + blind-index, and open
  const rawKey = createSecretKey(randomBytes(32));
  const rawMac = createSecretKey(randomBytes(32));
  step('warming up');
  for (let i = 0; i < 3; i++) {
    await keysSeal(crypto, sample.slice(0, 500));
    rawSeal(rawKey, rawMac, sample.slice(0, 500));
  }
  const sealMs = { keys: [] as number[], raw: [] as number[] };
  const openMs = { keys: [] as number[], raw: [] as number[] };
  const sealOnlyMs = { keys: [] as number[], raw: [] as number[] };
  const indexOnlyMs = { keys: [] as number[], raw: [] as number[] };
  const reservedBefore = await reserved(control);
  for (let round = 0; round < ROUNDS; round++) {
    const rs = residents(RECORDS, 100 + round);
    let keysSealed: Buffer[][] = [];
    let rawSealed: Buffer[][] = [];
    const sealKeys = async () => sealMs.keys.push(await time(async () => (keysSealed = await keysSeal(crypto, rs))));
    const sealRaw = async () => sealMs.raw.push(await time(() => (rawSealed = rawSeal(rawKey, rawMac, rs))));
    const openKeys = async () => openMs.keys.push(await time(() => keysOpen(crypto, rs, keysSealed)));
    const openRaw = async () => openMs.raw.push(await time(() => rawOpen(rawKey, rawSealed)));
    const parts = [
      async () => sealOnlyMs.keys.push(await time(() => keysSealOnly(crypto, rs))),
      async () => sealOnlyMs.raw.push(await time(() => rawSealOnly(rawKey, rs))),
      async () => indexOnlyMs.keys.push(await time(() => keysIndexOnly(crypto, rs))),
      async () => indexOnlyMs.raw.push(await time(() => rawIndexOnly(rawMac, rs))),
    ];
    if (round % 2 === 0) {
      await sealKeys();
      await sealRaw();
      await openRaw();
      await openKeys();
      for (const p of parts) await p();
    } else {
      await sealRaw();
      await sealKeys();
      await openKeys();
      await openRaw();
      for (const p of [parts[1]!, parts[0]!, parts[3]!, parts[2]!]) await p();
    }
  }
  const reservations = (await reserved(control)) - reservedBefore;

  // ---- (b) SoftHSM2 wrap and unwrap
  step('measuring SoftHSM2 wrap and unwrap');
  const kek = await kms.createKek('municloud-bench-kek');
  const context = Buffer.from('municloud/data-key/v1 bench');
  const dek = randomBytes(32);
  let wrapped = await kms.wrap(kek, dek, context);
  for (let i = 0; i < 500; i++) sink += (await kms.unwrap(kek, await kms.wrap(kek, dek, context), context)).length;
  const hsm = { wrap: [] as number[], unwrap: [] as number[], wrapLat: [] as number[], unwrapLat: [] as number[] };
  const loop = async (op: 'wrap' | 'unwrap') => {
    const end = performance.now() + HSM_MS;
    let n = 0;
    const t0 = performance.now();
    while (performance.now() < end) {
      const t = performance.now();
      if (op === 'wrap') wrapped = await kms.wrap(kek, dek, context);
      else sink += (await kms.unwrap(kek, wrapped, context)).length;
      hsm[`${op}Lat`].push(performance.now() - t);
      n++;
    }
    hsm[op].push(n / ((performance.now() - t0) / 1000));
  };
  for (let round = 0; round < HSM_ROUNDS; round++) {
    if (round % 2 === 0) {
      await loop('wrap');
      await loop('unwrap');
    } else {
      await loop('unwrap');
      await loop('wrap');
    }
  }
  const cold: number[] = [];
  for (let i = 0; i < COLD_FETCHES; i++) {
    const fresh = new KeyService(control, kms);
    const t = performance.now();
    await fresh.forMunicipality(MUNICIPALITY);
    cold.push(performance.now() - t);
    fresh.close();
  }

  // ---- report
  const perRecordUs = (ms: number[]) => (1000 * ms.reduce((a, b) => a + b, 0)) / (ms.length * RECORDS);
  const ratios = (a: number[], b: number[]) => a.map((x, i) => x / b[i]!);
  const sealRatios = ratios(sealMs.keys, sealMs.raw);
  const openRatios = ratios(openMs.keys, openMs.raw);
  const sealOnlyRatios = ratios(sealOnlyMs.keys, sealOnlyMs.raw);
  const indexOnlyRatios = ratios(indexOnlyMs.keys, indexOnlyMs.raw);
  out('');
  out('(a) per resident record (5 fields, 3 blind indexes)');
  out('| operation | keys µs/record | raw µs/record | keys records/s | ratio keys/raw (pooled) | per round: median [min–max] |');
  out('|---|---:|---:|---:|---:|---:|');
  for (const [name, ms, r] of [
    ['seal 5 fields + 3 blind indexes', sealMs, sealRatios],
    ['open 5 fields', openMs, openRatios],
    ['of which: seal 5 fields', sealOnlyMs, sealOnlyRatios],
    ['of which: 3 blind indexes', indexOnlyMs, indexOnlyRatios],
  ] as const) {
    const k = perRecordUs(ms.keys);
    const w = perRecordUs(ms.raw);
    out(`| ${name} | ${k.toFixed(1)} | ${w.toFixed(1)} | ${Math.round(1e6 / k)} | ${(k / w).toFixed(2)} | ${median(r).toFixed(2)} [${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}] |`);
  }
  out(`usage reserved during (a): ${reservations} messages (${Math.ceil(reservations / keys.reserveBlock)} database round trips of ${keys.reserveBlock})`);
  out('');
  out('(b) SoftHSM2, 32-byte data keys, CKM_AES_GCM inside the token, one session, sequential');
  out('| operation | ops/s (median of rounds) [min–max] | p50 µs | p99 µs |');
  out('|---|---:|---:|---:|');
  for (const op of ['wrap', 'unwrap'] as const) {
    const rates = hsm[op];
    const lat = hsm[`${op}Lat`];
    out(`| ${op} | ${Math.round(median(rates))} [${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}] | ${(1000 * percentile(lat, 50)).toFixed(0)} | ${(1000 * percentile(lat, 99)).toFixed(0)} |`);
  }
  out(`cold key fetch (new KeyService → forMunicipality: key-table reads + 2 unwraps): p50 ${percentile(cold, 50).toFixed(2)} ms, p99 ${percentile(cold, 99).toFixed(2)} ms over ${COLD_FETCHES}`);
  out(`(checksum ${sink % 997})`);
}

async function reserved(control: pg.Pool): Promise<number> {
  const { rows } = await control.query<{ n: string }>(`SELECT COALESCE(sum(usage_reserved), 0)::text AS n FROM control.data_keys WHERE purpose = 'record'`);
  return Number(rows[0]!.n);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
