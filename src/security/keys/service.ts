/**
 * The key service: what an operation uses to seal, open and index personal data.
 *
 *   const crypto = await keys.forMunicipality(code);
 *   const sealed = await crypto.seal({ table: 'cell.residents', recordId: id, column: 'name' }, name);
 *   const name = await crypto.openText({ table: 'cell.residents', recordId: id, column: 'name' }, sealed);
 *   const index = crypto.blindIndex('my_number', myNumber);
 *
 * Writes use the municipality's active record key; reads use whichever version
 * the ciphertext names. Unwrapped keys are kept in memory briefly (bounded
 * count and age), as KeyObjects that never print their bytes.
 *
 * Nonce safety: every seal draws a random 96-bit nonce and spends one unit of
 * the key's usage counter in the database. Processes reserve the counter in
 * blocks (one UPDATE per block), and when a block no longer fits under the
 * key's limit (2^28 messages by default) the key is rotated automatically. At
 * 2^28 messages the chance that any two random nonces of one key collide is
 * below 2^-41 (q²/2^97), far inside NIST SP 800-38D's 2^32 ceiling for random
 * IVs, which the database enforces as a hard maximum.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { computeBlindIndex, type BlindIndexInputs, type BlindIndexKind } from './blind-index.js';
import { unwrapDataKey } from './data-keys.js';
import { KeyError } from './errors.js';
import { sealedKeyVersion, type BoundField, type FieldRef } from './format.js';
import { BoundedCache } from './key-cache.js';
import type { Kms } from './kms/kms.js';
import { openField, sealField, type VersionedKey } from './record-cipher.js';
import { activeKek, provisionMunicipality, rotateDataKey, type KeyDeps } from './rotation.js';
import { dataKey, keks, reserveUsage, type KeyPurpose } from './store.js';

export interface KeyServiceOptions {
  /** GCM messages per record key before automatic rotation; default 2^28, at most 2^32. */
  readonly dataKeyUsageLimit?: number;
  /** Messages reserved per database round trip; default 1024. Unused reservations are lost on exit (harmless). */
  readonly reserveBlock?: number;
  /** How long an unwrapped key stays in memory; default 5 minutes. */
  readonly cacheTtlMs?: number;
  /** How many unwrapped keys at most; default 1024. */
  readonly cacheMaxEntries?: number;
  /**
   * How long a municipality handle trusts what it read (the active version, that
   * the keys are not destroyed) before asking the database again; default 30 s.
   * It bounds how long another process goes on writing with a rotated key or
   * reading after a shred, and the rewrap job waits this long after a rotation.
   */
  readonly refreshMs?: number;
  readonly log?: Logger;
}

export const DEFAULT_USAGE_LIMIT = 2 ** 28;
const MUNICIPALITY = /^[0-9]{6}$/;

export class KeyService {
  readonly usageLimit: number;
  readonly reserveBlock: number;
  readonly refreshMs: number;
  readonly log: Logger | undefined;
  private readonly keyCache: BoundedCache<VersionedKey>;
  private readonly handles: BoundedCache<MunicipalityKeys>;
  private readonly loading = new Map<string, Promise<MunicipalityKeys>>();

  constructor(
    readonly control: pg.Pool,
    readonly kms: Kms,
    options: KeyServiceOptions = {},
  ) {
    this.usageLimit = options.dataKeyUsageLimit ?? DEFAULT_USAGE_LIMIT;
    if (!Number.isInteger(this.usageLimit) || this.usageLimit < 1 || this.usageLimit > 2 ** 32) throw new RangeError('dataKeyUsageLimit must be 1..2^32');
    this.reserveBlock = options.reserveBlock ?? 1024;
    if (!Number.isInteger(this.reserveBlock) || this.reserveBlock < 1) throw new RangeError('reserveBlock must be a positive integer');
    this.refreshMs = options.refreshMs ?? 30_000;
    this.log = options.log;
    this.keyCache = new BoundedCache(options.cacheMaxEntries ?? 1024, options.cacheTtlMs ?? 5 * 60_000);
    // A handle holds unwrapped keys, so it lives no longer than they may; it re-checks its state every refreshMs.
    this.handles = new BoundedCache(4096, options.cacheTtlMs ?? 5 * 60_000);
  }

  /** Starts the service and logs the KMS's warnings (e.g. that the local keystore is not for production). */
  static start(control: pg.Pool, kms: Kms, options: KeyServiceOptions = {}): KeyService {
    const d = kms.describe();
    for (const warning of d.warnings) options.log?.warn({ kms: d.kind }, warning);
    options.log?.info({ kms: d.kind, production: d.production }, 'key service ready');
    return new KeyService(control, kms, options);
  }

  get deps(): KeyDeps {
    return { control: this.control, kms: this.kms, log: this.log, usageLimit: this.usageLimit };
  }

  /**
   * A municipality's keys, provisioned on first use (KEK in the KMS, first data
   * keys). A municipality whose keys were destroyed is refused, never
   * re-provisioned.
   */
  async forMunicipality(municipalityCode: string, options: { fresh?: boolean } = {}): Promise<MunicipalityKeys> {
    if (typeof municipalityCode !== 'string' || !MUNICIPALITY.test(municipalityCode)) throw new TypeError('municipality code must be six digits');
    const handle = options.fresh ? undefined : this.handles.get(municipalityCode);
    if (handle?.usable) {
      await handle.ensureFresh();
      return handle;
    }
    let pending = this.loading.get(municipalityCode);
    if (!pending) {
      pending = this.load(municipalityCode).finally(() => this.loading.delete(municipalityCode));
      this.loading.set(municipalityCode, pending);
    }
    return pending;
  }

  private async load(municipalityCode: string): Promise<MunicipalityKeys> {
    if ((await keks(this.control, municipalityCode)).length === 0) await provisionMunicipality(this.deps, municipalityCode);
    const state = await this.activeState(municipalityCode);
    const [writeKey, blindKey] = await Promise.all([
      this.dataKey(municipalityCode, 'record', state.recordVersion),
      this.dataKey(municipalityCode, 'blind_index', state.blindVersion),
    ]);
    const handle = new MunicipalityKeys(this, municipalityCode, writeKey, blindKey);
    this.handles.set(municipalityCode, handle);
    return handle;
  }

  /** The active versions, after checking the KEK is alive: one query, done at each refresh. */
  async activeState(municipalityCode: string): Promise<{ recordVersion: number; blindVersion: number }> {
    const { rows } = await this.control.query<{ purpose: KeyPurpose; version: number; kek_state: string }>(
      `SELECT d.purpose, d.version, k.state AS kek_state FROM control.data_keys d
         JOIN control.key_encryption_keys k ON k.municipality_code = d.municipality_code AND k.version = d.kek_version
        WHERE d.municipality_code = $1 AND d.state = 'active'`,
      [municipalityCode],
    );
    const record = rows.find((r) => r.purpose === 'record');
    const blind = rows.find((r) => r.purpose === 'blind_index');
    if (!record || !blind || rows.some((r) => r.kek_state === 'destroyed')) {
      activeKek(await keks(this.control, municipalityCode), municipalityCode); // throws keys_destroyed when shredded
      throw new KeyError('key_integrity', `municipality ${municipalityCode} lacks an active record or blind-index key`);
    }
    return { recordVersion: record.version, blindVersion: blind.version };
  }

  /** A data key by version: from the cache, or read and unwrapped through the KMS. */
  async dataKey(municipalityCode: string, purpose: KeyPurpose, version: number): Promise<VersionedKey> {
    const cacheKey = `${municipalityCode}:${purpose}:${version}`;
    const cached = this.keyCache.get(cacheKey);
    if (cached) return cached;
    const row = await dataKey(this.control, municipalityCode, purpose, version);
    if (!row) throw new KeyError('key_version_unknown', `municipality ${municipalityCode} has no ${purpose} key version ${version}`);
    const kek = (await keks(this.control, municipalityCode)).find((k) => k.version === row.kekVersion);
    if (!kek) throw new KeyError('key_integrity', `${purpose} key v${version} of municipality ${municipalityCode} names a missing KEK`);
    const key = await unwrapDataKey(this.kms, kek, row);
    this.keyCache.set(cacheKey, key);
    return key;
  }

  /** Drops every cached key and handle of a municipality (after a shred; harmless otherwise). */
  forget(municipalityCode: string): void {
    this.keyCache.deletePrefix(`${municipalityCode}:`);
    this.handles.get(municipalityCode)?.revoke();
    this.handles.deletePrefix(municipalityCode);
  }

  /** Drops every cached key; the KMS stays open (its owner closes it). */
  close(): void {
    this.keyCache.clear();
    this.handles.clear();
  }
}

/** Runs fn now; its result or exception as a promise (keeps sync work sync, errors as rejections). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

/** One municipality's keys, as an operation uses them. Obtain with `KeyService.forMunicipality`. */
export class MunicipalityKeys {
  private remaining = 0;
  private refreshedAt = Date.now();
  private revoked = false;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly service: KeyService,
    readonly municipalityCode: string,
    private writeKey: VersionedKey,
    private readonly blindKey: VersionedKey,
  ) {}

  /** The record key version new seals use (for status and tests). */
  get activeVersion(): number {
    return this.writeKey.version;
  }

  get usable(): boolean {
    return !this.revoked;
  }

  revoke(): void {
    this.revoked = true;
    this.remaining = 0;
  }

  private bind(field: FieldRef): BoundField {
    return { municipalityCode: this.municipalityCode, table: field.table, recordId: field.recordId, column: field.column };
  }

  private assertUsable(): void {
    if (this.revoked) throw new KeyError('keys_destroyed', `the keys of municipality ${this.municipalityCode} were destroyed`);
  }

  /** Seals a field value (a string is sealed as UTF-8) under the active record key. */
  seal(field: FieldRef, plaintext: string | Uint8Array): Promise<Buffer> {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    // Fast path without extra awaits: most seals find budget already reserved.
    const key = this.trySpend();
    if (key) return settle(() => sealField(key, this.bind(field), bytes));
    return this.spend().then((k) => sealField(k, this.bind(field), bytes));
  }

  /** Opens a sealed field read from `field`; throws a KeyError (and returns nothing) unless it authenticates there. */
  open(field: FieldRef, sealed: Uint8Array): Promise<Buffer> {
    if (this.isFresh()) {
      // Fast path: a fresh handle and a field under the active version need no await.
      const version = settle(() => sealedKeyVersion(sealed));
      return version.then((v) => (v === this.writeKey.version ? openField(this.writeKey, this.bind(field), sealed) : this.openSlow(field, sealed)));
    }
    return this.openSlow(field, sealed);
  }

  private async openSlow(field: FieldRef, sealed: Uint8Array): Promise<Buffer> {
    await this.ensureFresh();
    const version = sealedKeyVersion(sealed);
    const key = version === this.writeKey.version ? this.writeKey : await this.service.dataKey(this.municipalityCode, 'record', version);
    return openField(key, this.bind(field), sealed);
  }

  async openText(field: FieldRef, sealed: Uint8Array): Promise<string> {
    const bytes = await this.open(field, sealed);
    try {
      return bytes.toString('utf8');
    } finally {
      bytes.fill(0);
    }
  }

  /** The blind index of a value for equality search (16 bytes); see blind-index.ts for normalization. */
  blindIndex<K extends BlindIndexKind>(kind: K, value: BlindIndexInputs[K]): Buffer {
    this.assertUsable();
    return computeBlindIndex(this.blindKey.key, kind, value);
  }

  private isFresh(): boolean {
    return !this.revoked && Date.now() - this.refreshedAt < this.service.refreshMs;
  }

  /** One unit of reserved budget if there is one and the handle is fresh; null means "go to the database". */
  private trySpend(): VersionedKey | null {
    if (this.remaining > 0 && this.isFresh()) {
      this.remaining--;
      return this.writeKey;
    }
    return null;
  }

  /** One unit of the active key's nonce budget; refills (and rotates) through the database when spent. */
  private async spend(): Promise<VersionedKey> {
    for (let attempt = 0; ; attempt++) {
      this.assertUsable();
      const key = this.trySpend();
      if (key) return key;
      if (attempt > 20) throw new KeyError('key_integrity', `cannot reserve usage of a record key of municipality ${this.municipalityCode}`);
      await this.once(async () => {
        if (Date.now() - this.refreshedAt >= this.service.refreshMs) await this.refresh();
        if (this.remaining === 0) await this.refill();
      });
    }
  }

  /** Re-checks the active version and that the keys still exist, if the last check is older than refreshMs. */
  async ensureFresh(): Promise<void> {
    this.assertUsable();
    if (Date.now() - this.refreshedAt >= this.service.refreshMs) await this.once(() => this.refresh());
    this.assertUsable();
  }

  /** Runs one refresh/refill at a time per handle; concurrent callers wait for it. */
  private async once(fn: () => Promise<void>): Promise<void> {
    if (!this.pending) this.pending = fn().finally(() => (this.pending = null));
    return this.pending;
  }

  /** Re-reads the active version and that the keys are alive; a newer version drops the old reservation. */
  private async refresh(): Promise<void> {
    try {
      const state = await this.service.activeState(this.municipalityCode);
      if (state.recordVersion !== this.writeKey.version) {
        this.writeKey = await this.service.dataKey(this.municipalityCode, 'record', state.recordVersion);
        this.remaining = 0;
      }
      this.refreshedAt = Date.now();
    } catch (err) {
      if (err instanceof KeyError && err.code === 'keys_destroyed') this.service.forget(this.municipalityCode);
      throw err;
    }
  }

  private async refill(): Promise<void> {
    const { control, usageLimit, reserveBlock } = this.service;
    const block = Math.min(reserveBlock, usageLimit);
    if (await reserveUsage(control, this.municipalityCode, this.writeKey.version, block)) {
      this.remaining = block;
      return;
    }
    // Spent, or rotated by someone else: rotate unless that already happened, then pick up the active version.
    await rotateDataKey(this.service.deps, this.municipalityCode, { expectVersion: this.writeKey.version, reason: 'usage limit reached' });
    this.refreshedAt = 0;
    await this.refresh();
  }
}
