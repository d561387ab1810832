/**
 * A KMS in a local file, for the embedded demo and development only.
 *
 * The file holds the KEKs (random 256-bit keys), encrypted as one blob with
 * AES-256-GCM under a key derived from a passphrase with scrypt; the header
 * (format and KDF parameters) is the associated data, so it cannot be
 * downgraded. The passphrase-derived key is this adapter's root of trust.
 * Destroying a KEK rewrites the file without it (atomically: temp file, fsync,
 * rename). Copies of older versions of the file, in backups for instance,
 * still hold destroyed KEKs: that, and the passphrase living beside the data
 * in the demo, is why this is not for production (see describe().warnings).
 *
 * Several processes may share the file (`municloud serve` beside a CLI
 * command): changes take a lock file and re-read the file under it, and a KEK
 * not found in memory is looked up on disk again before giving up.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { open, readFile, rename, rm, stat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { KmsError, type KeyHandle, type Kms, type KmsDescription } from './kms.js';

const FORMAT = 'municloud-local-keystore/1';
const KIND = 'local-keystore';
const WRAP_FORMAT = 0x01;

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** 2^17 × 8 × 128 bytes = 128 MiB and about half a second per unlock: once per process start. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

export interface LocalKeystoreOptions {
  readonly file: string;
  readonly passphrase: string;
  /** Only for new files; an existing file keeps its own parameters. Tests lower N to stay fast. */
  readonly scrypt?: ScryptParams;
}

interface FileHeader {
  format: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
}
interface FileBody extends FileHeader {
  nonce: string;
  ciphertext: string;
}
interface Contents {
  keys: Record<string, string>;
}

function scrypt(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(passphrase, salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))));
}

const headerAad = (h: FileHeader) => Buffer.from(JSON.stringify({ format: h.format, kdf: h.kdf }), 'utf8');

export class LocalKeystore implements Kms {
  readonly kind = KIND;
  private keys = new Map<string, Buffer>();
  private rootKey: Buffer | null = null;
  private header: FileHeader | null = null;

  private constructor(
    private readonly file: string,
    private readonly passphrase: string,
  ) {}

  static async open(options: LocalKeystoreOptions): Promise<LocalKeystore> {
    if (!options.passphrase || options.passphrase.length < 12) throw new KmsError('refused', 'the keystore passphrase must have at least 12 characters');
    const store = new LocalKeystore(path.resolve(options.file), options.passphrase);
    await mkdir(path.dirname(store.file), { recursive: true, mode: 0o700 });
    await store.withLock(async () => {
      if (await exists(store.file)) await store.load();
      else {
        const params = options.scrypt ?? DEFAULT_SCRYPT;
        store.header = { format: FORMAT, kdf: { name: 'scrypt', ...params, salt: randomBytes(16).toString('base64') } };
        store.rootKey = await scrypt(store.passphrase, Buffer.from(store.header.kdf.salt, 'base64'), params);
        await store.save();
      }
    });
    return store;
  }

  /** Reads and decrypts the file; a wrong passphrase and an altered file look the same (fail closed). */
  private async load(): Promise<void> {
    const body = JSON.parse(await readFile(this.file, 'utf8')) as FileBody;
    if (body.format !== FORMAT || body.kdf?.name !== 'scrypt') throw new KmsError('refused', `${this.file} is not a municloud keystore`);
    const salt = Buffer.from(body.kdf.salt, 'base64');
    if (!this.rootKey || !this.header || this.header.kdf.salt !== body.kdf.salt) {
      const { N, r, p } = body.kdf;
      if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N < 2 ** 14 || N > 2 ** 20 || r > 32 || p > 16) {
        throw new KmsError('refused', 'the keystore has unacceptable scrypt parameters');
      }
      this.rootKey = await scrypt(this.passphrase, salt, { N, r, p });
    }
    const header: FileHeader = { format: body.format, kdf: body.kdf };
    const sealed = Buffer.from(body.ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.rootKey, Buffer.from(body.nonce, 'base64'));
    decipher.setAAD(headerAad(header));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
    } catch {
      throw new KmsError('refused', 'cannot open the keystore: wrong passphrase or altered file');
    }
    const contents = JSON.parse(plain.toString('utf8')) as Contents;
    plain.fill(0);
    for (const k of this.keys.values()) k.fill(0);
    this.keys = new Map(Object.entries(contents.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]));
    this.header = header;
  }

  private async save(): Promise<void> {
    if (!this.rootKey || !this.header) throw new KmsError('unavailable', 'keystore is closed');
    const contents: Contents = { keys: Object.fromEntries([...this.keys].map(([id, k]) => [id, k.toString('base64')])) };
    const plain = Buffer.from(JSON.stringify(contents), 'utf8');
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.rootKey, nonce);
    cipher.setAAD(headerAad(this.header));
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    plain.fill(0);
    const body: FileBody = { ...this.header, nonce: nonce.toString('base64'), ciphertext: ciphertext.toString('base64') };
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(body, null, 2) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
  }

  /** Serialises changes between processes with an exclusive lock file; a lock older than 30 s is taken as stale. */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const fh = await open(lock, 'wx', 0o600);
        await fh.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = await stat(lock).then((s) => Date.now() - s.mtimeMs).catch(() => 0);
        if (age > 30_000) await rm(lock, { force: true });
        else if (Date.now() > deadline) throw new KmsError('unavailable', 'the keystore is locked by another process');
        else await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }

  private async keyFor(kek: KeyHandle): Promise<Buffer> {
    if (kek.kind !== KIND) throw new KmsError('refused', `KEK ${kek.id} belongs to a ${kek.kind} KMS, not this local keystore`);
    let key = this.keys.get(kek.id);
    if (!key) {
      await this.load(); // created or destroyed by another process meanwhile
      key = this.keys.get(kek.id);
    }
    if (!key) throw new KmsError('key_not_found', `KEK ${kek.id} does not exist in the local keystore`);
    return key;
  }

  async createKek(_label: string): Promise<KeyHandle> {
    const id = `lk_${randomBytes(16).toString('hex')}`;
    await this.withLock(async () => {
      await this.load();
      this.keys.set(id, randomBytes(32));
      await this.save();
    });
    return { kind: KIND, id };
  }

  async wrap(kek: KeyHandle, plaintextKey: Buffer, context: Buffer): Promise<Buffer> {
    const key = await this.keyFor(kek);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(context);
    return Buffer.concat([Buffer.of(WRAP_FORMAT), nonce, cipher.update(plaintextKey), cipher.final(), cipher.getAuthTag()]);
  }

  async unwrap(kek: KeyHandle, wrapped: Buffer, context: Buffer): Promise<Buffer> {
    const key = await this.keyFor(kek);
    if (wrapped.length < 1 + 12 + 16 || wrapped[0] !== WRAP_FORMAT) throw new KmsError('unwrap_failed', `wrapped key under KEK ${kek.id} is malformed`);
    const decipher = createDecipheriv('aes-256-gcm', key, wrapped.subarray(1, 13));
    decipher.setAAD(context);
    decipher.setAuthTag(wrapped.subarray(wrapped.length - 16));
    const out = decipher.update(wrapped.subarray(13, wrapped.length - 16));
    try {
      return Buffer.concat([out, decipher.final()]);
    } catch {
      out.fill(0);
      throw new KmsError('unwrap_failed', `wrapped key under KEK ${kek.id} failed authentication`);
    }
  }

  async destroyKek(kek: KeyHandle): Promise<void> {
    if (kek.kind !== KIND) throw new KmsError('refused', `KEK ${kek.id} belongs to a ${kek.kind} KMS`);
    await this.withLock(async () => {
      await this.load();
      const key = this.keys.get(kek.id);
      if (!key) return;
      key.fill(0);
      this.keys.delete(kek.id);
      await this.save();
    });
  }

  async hasKek(kek: KeyHandle): Promise<boolean> {
    if (kek.kind !== KIND) return false;
    await this.load();
    return this.keys.has(kek.id);
  }

  describe(): KmsDescription {
    return {
      kind: KIND,
      production: false,
      detail: `local keystore file ${this.file} (scrypt + AES-256-GCM)`,
      warnings: [
        'KEYS ARE IN A LOCAL KEYSTORE FILE PROTECTED ONLY BY A PASSPHRASE: for the embedded demo and development, NOT FOR PRODUCTION. ' +
          'Use an HSM (MUNICLOUD_KMS=pkcs11) for real residents\' data.',
      ],
    };
  }

  async close(): Promise<void> {
    for (const k of this.keys.values()) k.fill(0);
    this.keys.clear();
    this.rootKey?.fill(0);
    this.rootKey = null;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

