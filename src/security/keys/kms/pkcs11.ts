/**
 * A KMS on a PKCS#11 token (an HSM; SoftHSM2 in tests), through `pkcs11js`.
 *
 * KEKs are generated inside the token as AES-256 secret keys with
 * CKA_SENSITIVE=true, CKA_EXTRACTABLE=false and CKA_MODIFIABLE=false: their
 * value cannot be read (CKR_ATTRIBUTE_SENSITIVE), wrapped out
 * (CKR_KEY_UNEXTRACTABLE) or made extractable later. They may only encrypt and
 * decrypt, which is how keys are wrapped: CKM_AES_GCM inside the token, with a
 * fresh 96-bit IV per wrap and the caller's context as associated data. GCM
 * rather than CKM_AES_KEY_WRAP_PAD because it authenticates a context, which
 * key wrap cannot; a KEK wraps a handful of keys in its life, so random IVs
 * are far from any limit.
 *
 * pkcs11js calls are synchronous: each wrap or unwrap blocks the event loop
 * for tens of microseconds. Unwrapped data keys are cached by the key service,
 * so that happens a few times per municipality per cache period.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type * as Pkcs11Module from 'pkcs11js';
import { KmsError, type KeyHandle, type Kms, type KmsDescription } from './kms.js';

type Pkcs11 = typeof Pkcs11Module;
type Handle = Buffer;

const KIND = 'pkcs11';
const WRAP_FORMAT = 0x01;

export interface Pkcs11Options {
  /** Path of the PKCS#11 module (.so), e.g. /usr/lib/softhsm/libsofthsm2.so. */
  readonly library: string;
  /** The token's label; the slot is found by it, since slot ids change when tokens are added. */
  readonly tokenLabel: string;
  /** The user PIN. Never logged or put in an error. */
  readonly pin: string;
}

/**
 * One loaded module per library path for the whole process: C_Initialize may
 * run once per process, so adapters opened one after another (a restart in a
 * test) or side by side share it, and the last to close finalizes it.
 */
const modules = new Map<string, SharedModule>();

interface SharedModule {
  pkcs11: Pkcs11;
  module: Pkcs11Module.PKCS11;
  users: number;
  /**
   * Login state belongs to the process, not the session: once one adapter has
   * logged in, C_Login answers CKR_USER_ALREADY_LOGGED_IN to any PIN. So the
   * process remembers a digest of the PIN that logged in to each token, and
   * refuses a second adapter that presents another one (fail closed).
   */
  pins: Map<string, Buffer>;
}

const pinDigest = (tokenLabel: string, pin: string) => createHash('sha256').update(`${tokenLabel}\0${pin}`).digest();

/** The CKR_ value of a pkcs11js error. */
const ckr = (err: unknown) => (err as { code?: number }).code;

async function loadModule(library: string): Promise<SharedModule> {
  const shared = modules.get(library);
  if (shared) {
    shared.users++;
    return shared;
  }
  let pkcs11: Pkcs11;
  try {
    pkcs11 = ((await import('pkcs11js')) as unknown as { default: Pkcs11 }).default;
  } catch (err) {
    throw new KmsError('unavailable', `the pkcs11js package is not installed or its native addon did not build (npm ci): ${(err as Error).message}`);
  }
  const module = new pkcs11.PKCS11();
  try {
    module.load(library);
  } catch (err) {
    throw new KmsError('unavailable', `cannot load the PKCS#11 library ${library}: ${(err as Error).message}`);
  }
  try {
    module.C_Initialize();
  } catch (err) {
    if (ckr(err) !== pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw fromPkcs11(err, 'C_Initialize');
  }
  const entry: SharedModule = { pkcs11, module, users: 1, pins: new Map() };
  modules.set(library, entry);
  return entry;
}

/** PKCS#11 errors carry only the CKR_ name; that is all we pass on. A KmsError (our own refusal) passes as it is. */
export function fromPkcs11(err: unknown, what: string, reason: KmsError['reason'] = 'unavailable'): KmsError {
  if (err instanceof KmsError) return err;
  const name = err instanceof Error ? err.message.split(/[\s:]/)[0] : 'error';
  return new KmsError(reason, `PKCS#11 ${what} failed: ${name}`);
}

/** C_FindObjects for a template, at most `max` handles. */
export function findObjects(m: Pkcs11Module.PKCS11, session: Handle, template: Pkcs11Module.Template, max = 16): Handle[] {
  m.C_FindObjectsInit(session, template);
  try {
    return m.C_FindObjects(session, max);
  } finally {
    m.C_FindObjectsFinal(session);
  }
}

/** C_GenerateKey of a 256-bit AES secret key; `attributes` says where it lives and what it may do. */
export function generateAes256Key(p: Pkcs11, m: Pkcs11Module.PKCS11, session: Handle, attributes: Pkcs11Module.Template): Handle {
  return m.C_GenerateKey(session, { mechanism: p.CKM_AES_KEY_GEN }, [
    { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
    { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
    { type: p.CKA_VALUE_LEN, value: 32 },
    ...attributes,
  ]);
}

export class Pkcs11Kms implements Kms {
  readonly kind = KIND;
  private readonly handles = new Map<string, Handle>();
  private closed = false;

  private constructor(
    private readonly options: Pkcs11Options,
    private readonly p: Pkcs11,
    private readonly m: Pkcs11Module.PKCS11,
    private readonly session: Handle,
    private readonly tokenInfo: string,
  ) {}

  static async open(options: Pkcs11Options): Promise<Pkcs11Kms> {
    const shared = await loadModule(options.library);
    const { pkcs11: p, module: m } = shared;
    try {
      const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === options.tokenLabel);
      if (!slot) throw new KmsError('unavailable', `no PKCS#11 token labelled "${options.tokenLabel}" in ${options.library}`);
      const info = m.C_GetTokenInfo(slot);
      const session = m.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
      const digest = pinDigest(options.tokenLabel, options.pin);
      try {
        m.C_Login(session, p.CKU_USER, options.pin);
        shared.pins.set(options.tokenLabel, digest);
      } catch (err) {
        const alreadyLoggedIn = ckr(err) === p.CKR_USER_ALREADY_LOGGED_IN;
        const known = shared.pins.get(options.tokenLabel);
        if (!alreadyLoggedIn || known === undefined || !timingSafeEqual(known, digest)) {
          m.C_CloseSession(session);
          throw alreadyLoggedIn
            ? new KmsError('refused', 'PKCS#11 login failed: CKR_PIN_INCORRECT (this process is logged in to the token with another PIN)')
            : fromPkcs11(err, 'login', 'refused');
        }
      }
      const detail = `${info.manufacturerID.trim()} ${info.model.trim()} serial ${info.serialNumber.trim()}`;
      return new Pkcs11Kms(options, p, m, session, detail);
    } catch (err) {
      await release(options.library);
      throw fromPkcs11(err, 'open');
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new KmsError('unavailable', 'the PKCS#11 KMS is closed');
  }

  private check(kek: KeyHandle): void {
    this.assertOpen();
    if (kek.kind !== KIND) throw new KmsError('refused', `KEK ${kek.id} belongs to a ${kek.kind} KMS, not PKCS#11`);
    if (!/^[0-9a-f]{32}$/.test(kek.id)) throw new KmsError('refused', 'a PKCS#11 KEK id is 32 hex digits');
  }

  /** The object handle of a KEK by its CKA_ID, or null when the token no longer has it. */
  private find(kek: KeyHandle): Handle | null {
    this.check(kek);
    const cached = this.handles.get(kek.id);
    if (cached) return cached;
    const { p, m, session } = this;
    const found = findObjects(m, session, [{ type: p.CKA_CLASS, value: p.CKO_SECRET_KEY }, { type: p.CKA_ID, value: Buffer.from(kek.id, 'hex') }], 2);
    if (found.length > 1) throw new KmsError('refused', `two objects on the token have the id of KEK ${kek.id}`);
    const handle = found[0] ?? null;
    if (handle) this.handles.set(kek.id, handle);
    return handle;
  }

  private require(kek: KeyHandle): Handle {
    const handle = this.find(kek);
    if (!handle) throw new KmsError('key_not_found', `KEK ${kek.id} does not exist on the token`);
    return handle;
  }

  private gcm(iv: Buffer, context: Buffer): Pkcs11Module.Mechanism {
    return { mechanism: this.p.CKM_AES_GCM, parameter: { type: this.p.CK_PARAMS_AES_GCM, iv, aad: context, ivBits: 96, tagBits: 128 } as Pkcs11Module.AesGCM };
  }

  async createKek(label: string): Promise<KeyHandle> {
    this.assertOpen();
    const { p, m, session } = this;
    const id = randomBytes(16);
    try {
      const handle = generateAes256Key(p, m, session, [
        { type: p.CKA_ID, value: id },
        { type: p.CKA_LABEL, value: label },
        { type: p.CKA_TOKEN, value: true },
        { type: p.CKA_PRIVATE, value: true },
        // Never leaves the token, and nobody can change that later.
        { type: p.CKA_SENSITIVE, value: true },
        { type: p.CKA_EXTRACTABLE, value: false },
        { type: p.CKA_MODIFIABLE, value: false },
        // Only what wrapping by encryption needs.
        { type: p.CKA_ENCRYPT, value: true },
        { type: p.CKA_DECRYPT, value: true },
        { type: p.CKA_WRAP, value: false },
        { type: p.CKA_UNWRAP, value: false },
        { type: p.CKA_SIGN, value: false },
        { type: p.CKA_VERIFY, value: false },
        { type: p.CKA_DERIVE, value: false },
      ]);
      const kek = { kind: KIND, id: id.toString('hex') };
      this.handles.set(kek.id, handle);
      return kek;
    } catch (err) {
      throw fromPkcs11(err, 'key generation');
    }
  }

  async wrap(kek: KeyHandle, plaintextKey: Buffer, context: Buffer): Promise<Buffer> {
    const handle = this.require(kek);
    const iv = randomBytes(12);
    try {
      this.m.C_EncryptInit(this.session, this.gcm(iv, context), handle);
      const sealed = this.m.C_Encrypt(this.session, plaintextKey, Buffer.alloc(plaintextKey.length + 16));
      return Buffer.concat([Buffer.of(WRAP_FORMAT), iv, sealed]);
    } catch (err) {
      throw this.failure(err, kek, 'wrap', 'unavailable');
    }
  }

  async unwrap(kek: KeyHandle, wrapped: Buffer, context: Buffer): Promise<Buffer> {
    const handle = this.require(kek);
    if (wrapped.length < 1 + 12 + 16 || wrapped[0] !== WRAP_FORMAT) throw new KmsError('unwrap_failed', `wrapped key under KEK ${kek.id} is malformed`);
    try {
      this.m.C_DecryptInit(this.session, this.gcm(wrapped.subarray(1, 13), context), handle);
      return this.m.C_Decrypt(this.session, wrapped.subarray(13), Buffer.alloc(wrapped.length));
    } catch (err) {
      // SoftHSM answers a failed tag with CKR_GENERAL_ERROR, others with CKR_ENCRYPTED_DATA_INVALID: both mean "not this".
      throw this.failure(err, kek, 'unwrap', 'unwrap_failed');
    }
  }

  private failure(err: unknown, kek: KeyHandle, what: string, reason: KmsError['reason']): KmsError {
    const code = ckr(err);
    if (code === this.p.CKR_OBJECT_HANDLE_INVALID || code === this.p.CKR_KEY_HANDLE_INVALID) {
      this.handles.delete(kek.id);
      return new KmsError('key_not_found', `KEK ${kek.id} does not exist on the token`);
    }
    return fromPkcs11(err, `${what} with KEK ${kek.id}`, reason);
  }

  async destroyKek(kek: KeyHandle): Promise<void> {
    const handle = this.find(kek);
    if (!handle) return;
    try {
      this.m.C_DestroyObject(this.session, handle);
    } catch (err) {
      if (ckr(err) !== this.p.CKR_OBJECT_HANDLE_INVALID) throw fromPkcs11(err, `destroying KEK ${kek.id}`);
    } finally {
      this.handles.delete(kek.id);
    }
  }

  async hasKek(kek: KeyHandle): Promise<boolean> {
    this.handles.delete(kek.id); // ask the token, not the cache
    return this.find(kek) !== null;
  }

  /**
   * Runs fn with the module and this adapter's logged-in session, for other
   * objects on the same token that are not KEKs (the audit log's checkpoint
   * key, pkcs11-ed25519.ts), so they share its login instead of repeating it;
   * tests probe the token through it too.
   * fn must be synchronous: operations on one session must not interleave, and
   * the event loop cannot interleave a synchronous call.
   */
  withSession<T>(fn: (pkcs11: Pkcs11, module: Pkcs11Module.PKCS11, session: Handle) => T): T {
    this.assertOpen();
    return fn(this.p, this.m, this.session);
  }

  /** Whether the token is SoftHSM2 (a software token), for warnings. */
  get softwareToken(): boolean {
    return /softhsm/i.test(this.options.library) || /softhsm/i.test(this.tokenInfo);
  }

  /** For tests and audits: the handle of a KEK, to show the token refuses to reveal it. */
  objectHandle(kek: KeyHandle): Handle {
    return this.require(kek);
  }

  describe(): KmsDescription {
    const software = this.softwareToken;
    return {
      kind: KIND,
      production: !software,
      detail: `PKCS#11 token "${this.options.tokenLabel}" (${this.tokenInfo}) via ${this.options.library}`,
      warnings: software ? ['the PKCS#11 token is SoftHSM2, a software token: its keys are only as safe as this host\'s disk; use a hardware HSM in production'] : [],
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handles.clear();
    try {
      this.m.C_CloseSession(this.session);
    } catch {
      // already gone with the module
    }
    await release(this.options.library);
  }
}

async function release(library: string): Promise<void> {
  const entry = modules.get(library);
  if (!entry) return;
  entry.users--;
  if (entry.users > 0) return;
  modules.delete(library);
  try {
    entry.module.C_Finalize();
  } catch {
    // nothing left to release
  }
}
