/**
 * Creating and rotating a municipality's keys. Every change takes the
 * municipality's advisory lock in one control-database transaction, so two
 * processes rotating at once produce one new version, not two.
 *
 * - provision: KEK v1 in the KMS, record key v1 and the blind-index key, wrapped.
 * - rotateDataKey: a new record key version for new writes; old versions stay
 *   readable (retired) until the rewrap job has moved every field off them.
 * - rotateKek: a new KEK in the KMS; every data key is rewrapped under it. Data
 *   keys do not change, so no field needs re-encrypting. The old KEK stays in
 *   the KMS, retired, so backups taken before the rotation remain readable;
 *   shredding destroys every version.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { inTransaction } from '../../platform/database.js';
import { newWrappedKey, rewrapKey } from './data-keys.js';
import { KeyError } from './errors.js';
import { kekLabel, type KeyHandle, type Kms } from './kms/kms.js';
import { dataKeys, insertDataKey, insertKek, keks, lockMunicipalityKeys, retireDataKey, retireKek, rewrapDataKey, type KekRow } from './store.js';

export interface KeyDeps {
  readonly control: pg.Pool;
  readonly kms: Kms;
  readonly log?: Logger | undefined;
  /** GCM messages per record key before automatic rotation. */
  readonly usageLimit: number;
}

/** Blind-index keys are never used with a nonce; their counter stays at 0 under the ceiling. */
const NO_NONCE_LIMIT = 2 ** 32;

export function activeKek(rows: readonly KekRow[], municipalityCode: string): KekRow {
  const active = rows.find((k) => k.state === 'active');
  if (active) return active;
  if (rows.length > 0 && rows.every((k) => k.state === 'destroyed')) {
    throw new KeyError('keys_destroyed', `the keys of municipality ${municipalityCode} were destroyed`);
  }
  throw new KeyError('key_integrity', `municipality ${municipalityCode} has no active key-encryption key`);
}

/** Creates KEK v1 and the first data keys; false if the municipality already had keys (or had them destroyed). */
export async function provisionMunicipality(deps: KeyDeps, municipalityCode: string): Promise<boolean> {
  const made: { kek?: KeyHandle } = {};
  try {
    return await inTransaction(deps.control, async (client) => {
      await lockMunicipalityKeys(client, municipalityCode);
      if ((await keks(client, municipalityCode)).length > 0) return false;
      const created = (made.kek = await deps.kms.createKek(kekLabel(municipalityCode, 1)));
      await insertKek(client, { municipalityCode, version: 1, kmsKind: created.kind, kmsKeyId: created.id });
      const kek: KekRow = { municipalityCode, version: 1, kmsKind: created.kind, kmsKeyId: created.id, state: 'active', createdAt: new Date() };
      await insertDataKey(client, { municipalityCode, purpose: 'record', version: 1, kekVersion: 1, wrapped: await newWrappedKey(deps.kms, kek, 'record', 1), usageLimit: deps.usageLimit });
      await insertDataKey(client, { municipalityCode, purpose: 'blind_index', version: 1, kekVersion: 1, wrapped: await newWrappedKey(deps.kms, kek, 'blind_index', 1), usageLimit: NO_NONCE_LIMIT });
      deps.log?.info({ municipalityCode, kekVersion: 1, kms: created.kind, kmsKeyId: created.id }, 'keys provisioned');
      return true;
    });
  } catch (err) {
    // The transaction rolled back: a KEK nobody refers to must not linger in the KMS.
    if (made.kek) await discardUnreferencedKek(deps, made.kek);
    throw err;
  }
}

/**
 * After a failed transaction: destroys a KEK just created in the KMS unless the
 * database refers to it after all (a COMMIT whose answer was lost). When in
 * doubt it is kept: an orphan KEK costs a slot in the HSM, a destroyed live one
 * would cost data.
 */
async function discardUnreferencedKek(deps: KeyDeps, kek: KeyHandle): Promise<void> {
  try {
    const { rowCount } = await deps.control.query('SELECT 1 FROM control.key_encryption_keys WHERE kms_kind = $1 AND kms_key_id = $2', [kek.kind, kek.id]);
    if (rowCount === 0) await deps.kms.destroyKek(kek);
  } catch {
    deps.log?.warn({ kms: kek.kind, kmsKeyId: kek.id }, 'a KEK created by a failed key operation may be left in the KMS');
  }
}

export interface DataKeyRotation {
  readonly municipalityCode: string;
  readonly from: number;
  readonly to: number;
  /** False when another process had already rotated past `expectVersion`. */
  readonly rotated: boolean;
}

/**
 * A new record key version; the previous one is retired (still decrypts, never
 * encrypts again). With `expectVersion`, rotates only if that version is still
 * the active one, so processes that all hit a usage limit rotate once.
 */
export async function rotateDataKey(
  deps: KeyDeps,
  municipalityCode: string,
  options: { expectVersion?: number; reason?: string } = {},
): Promise<DataKeyRotation> {
  return inTransaction(deps.control, async (client) => {
    await lockMunicipalityKeys(client, municipalityCode);
    const kek = activeKek(await keks(client, municipalityCode), municipalityCode);
    const rows = await dataKeys(client, municipalityCode, 'record');
    const current = rows.find((r) => r.state === 'active');
    if (!current) throw new KeyError('key_integrity', `municipality ${municipalityCode} has no active record key`);
    if (options.expectVersion !== undefined && current.version !== options.expectVersion) {
      return { municipalityCode, from: options.expectVersion, to: current.version, rotated: false };
    }
    const version = Math.max(...rows.map((r) => r.version)) + 1;
    await retireDataKey(client, municipalityCode, 'record', current.version);
    await insertDataKey(client, {
      municipalityCode,
      purpose: 'record',
      version,
      kekVersion: kek.version,
      wrapped: await newWrappedKey(deps.kms, kek, 'record', version),
      usageLimit: deps.usageLimit,
    });
    deps.log?.info({ municipalityCode, purpose: 'record', from: current.version, to: version, reason: options.reason ?? 'requested' }, 'data key rotated');
    return { municipalityCode, from: current.version, to: version, rotated: true };
  });
}

export interface KekRotation {
  readonly municipalityCode: string;
  readonly from: number;
  readonly to: number;
  readonly rewrapped: number;
}

/**
 * A new KEK version, then every data key rewrapped under it. Resumable: a run
 * that stopped half-way (crash, KMS outage) is finished by the next call,
 * which first rewraps what still sits under an older KEK before creating
 * another.
 */
export async function rotateKek(deps: KeyDeps, municipalityCode: string): Promise<KekRotation> {
  const pending = await rewrapDataKeys(deps, municipalityCode);
  const made: { kek?: KeyHandle } = {};
  let from = 0;
  let to = 0;
  try {
    await inTransaction(deps.control, async (client) => {
      await lockMunicipalityKeys(client, municipalityCode);
      const rows = await keks(client, municipalityCode);
      const old = activeKek(rows, municipalityCode);
      from = old.version;
      to = Math.max(...rows.map((k) => k.version)) + 1;
      const created = (made.kek = await deps.kms.createKek(kekLabel(municipalityCode, to)));
      await retireKek(client, municipalityCode, old.version);
      await insertKek(client, { municipalityCode, version: to, kmsKind: created.kind, kmsKeyId: created.id });
    });
  } catch (err) {
    if (made.kek) await discardUnreferencedKek(deps, made.kek);
    throw err;
  }
  const rewrapped = await rewrapDataKeys(deps, municipalityCode);
  deps.log?.info({ municipalityCode, from, to, rewrapped: pending + rewrapped }, 'key-encryption key rotated');
  return { municipalityCode, from, to, rewrapped: pending + rewrapped };
}

/** Moves every data key still wrapped under an older KEK onto the active one; returns how many moved. */
export async function rewrapDataKeys(deps: KeyDeps, municipalityCode: string): Promise<number> {
  const kekRows = await keks(deps.control, municipalityCode);
  if (kekRows.length === 0) return 0;
  const target = activeKek(kekRows, municipalityCode);
  let moved = 0;
  for (const row of await dataKeys(deps.control, municipalityCode)) {
    if (row.state === 'destroyed' || row.kekVersion >= target.version) continue;
    const from = kekRows.find((k) => k.version === row.kekVersion);
    if (!from) throw new KeyError('key_integrity', `${row.purpose} key v${row.version} of municipality ${municipalityCode} names a missing KEK`);
    const wrapped = await rewrapKey(deps.kms, from, target, row);
    // Conditional on the old KEK version: a concurrent rewrap of the same row simply finds nothing to do.
    if (await rewrapDataKey(deps.control, { municipalityCode, purpose: row.purpose, version: row.version, fromKekVersion: row.kekVersion, kekVersion: target.version, wrapped })) moved++;
  }
  return moved;
}

