/**
 * The encrypted bulk-export file (MCX1). Pure: bytes in, bytes out, no I/O.
 *
 * A file is a 48-byte header followed by one or more chunks:
 *
 *   offset  size  header
 *        0     4  magic "MCX1"
 *        4     4  chunk size: plaintext bytes per chunk, unsigned big-endian (65,536)
 *        8     8  nonce prefix, random per file
 *       16    16  export id (the UUID's 16 bytes)
 *       32    16  key check: HMAC-SHA-256(export key, "municloud/export/v1/key-check" ‖ header[0..32]), first 16 bytes
 *
 *   chunk i (i = 0, 1, …): AES-256-GCM ciphertext ‖ 16-byte tag, with
 *     key    K = HMAC-SHA-256(export key, "municloud/export/v1/encryption" ‖ header[0..32])
 *     nonce  nonce prefix ‖ i (4 bytes, unsigned big-endian)
 *     AAD    the whole 48-byte header ‖ one flag byte: 0x01 for the last chunk, 0x00 for every other
 *
 * Every chunk but the last holds exactly `chunk size` plaintext bytes; the last
 * holds 0 to `chunk size` (0 only when the whole plaintext is empty). This is the
 * STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015), as in age and
 * Tink: the counter in the nonce fixes each chunk's position (reordering fails),
 * the last-chunk flag makes a file cut at a chunk boundary fail (its new last
 * chunk was sealed as "not last") as well as a file with chunks appended (the
 * real last chunk no longer opens as "not last"), and the header in every
 * chunk's AAD binds the chunks to this header.
 *
 * The export key (32 random bytes, shown once to the requester as base64url)
 * is never used as a cipher key itself: the encryption key and the key check
 * are derived from it with HMAC under distinct labels, bound to the header
 * (so each file gets its own encryption key even if a key were ever reused).
 * The key check tells a wrong key apart from an altered file and makes the
 * file commit to its key (GCM alone does not).
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

export const MAGIC = Buffer.from('MCX1', 'latin1');
export const HEADER_LENGTH = 48;
export const TAG_LENGTH = 16;
export const KEY_LENGTH = 32;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
export const MIN_CHUNK_SIZE = 1024;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
const MAX_CHUNKS = 2 ** 32;
const ENCRYPTION_LABEL = Buffer.from('municloud/export/v1/encryption', 'latin1');
const KEY_CHECK_LABEL = Buffer.from('municloud/export/v1/key-check', 'latin1');

/** Why a file does not decrypt. */
export type ExportFileFailure =
  /** Not an MCX1 file at all (wrong magic, a header cut short, an unusable chunk size). */
  | 'malformed'
  /** The key does not fit the file (a wrong key, or a header that was altered). */
  | 'wrong_key'
  /** A chunk does not authenticate: the file was altered, or cut off inside a chunk. */
  | 'altered'
  /** Every chunk authenticates but the last one was not sealed as last: chunks are missing at the end. */
  | 'truncated';

export class ExportFileError extends Error {
  constructor(
    readonly reason: ExportFileFailure,
    message: string,
    /** The chunk that failed, when one did. */
    readonly chunk: number | null = null,
  ) {
    super(message);
  }
}

/** Refused input (a malformed key): the caller's mistake, not the file's. */
export class ExportKeyError extends Error {}

/** A new random export key. */
export function generateExportKey(): Buffer {
  return randomBytes(KEY_LENGTH);
}

export function encodeExportKey(key: Uint8Array): string {
  checkKey(key);
  return Buffer.from(key).toString('base64url');
}

/** Parses the base64url text shown to the requester (43 characters, canonical). */
export function parseExportKey(text: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9_-]{43}$/.test(trimmed)) throw new ExportKeyError('the export key must be the 43 characters (base64url) shown when the export was requested');
  const key = Buffer.from(trimmed, 'base64url');
  if (key.length !== KEY_LENGTH || key.toString('base64url') !== trimmed) throw new ExportKeyError('the export key is not valid base64url');
  return key;
}

function uuidBytes(id: string): Buffer {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new TypeError('export id must be a UUID');
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

function uuidText(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function derive(exportKey: Uint8Array, label: Buffer, headerStart: Buffer): Buffer {
  return createHmac('sha256', exportKey).update(label).update(headerStart).digest();
}

function encryptionKey(exportKey: Uint8Array, headerStart: Buffer): KeyObject {
  const raw = derive(exportKey, ENCRYPTION_LABEL, headerStart);
  try {
    return createSecretKey(raw);
  } finally {
    raw.fill(0);
  }
}

function keyCheck(exportKey: Uint8Array, headerStart: Buffer): Buffer {
  return derive(exportKey, KEY_CHECK_LABEL, headerStart).subarray(0, 16);
}

function nonce(prefix: Buffer, counter: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, 8);
  return n;
}

function aad(header: Buffer, last: boolean): Buffer {
  return Buffer.concat([header, Buffer.from([last ? 1 : 0])]);
}

function checkKey(exportKey: Uint8Array): void {
  if (exportKey.length !== KEY_LENGTH) throw new ExportKeyError('an export key has 32 bytes');
}

export interface HeaderInfo {
  readonly exportId: string;
  readonly chunkSize: number;
}

/** Reads the header's fields without the key (which export a file belongs to); throws 'malformed'. */
export function readHeader(header: Uint8Array): HeaderInfo {
  const h = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  if (h.length < HEADER_LENGTH || !h.subarray(0, 4).equals(MAGIC)) throw new ExportFileError('malformed', 'not a municloud export file (MCX1)');
  const chunkSize = h.readUInt32BE(4);
  if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) throw new ExportFileError('malformed', `unusable chunk size ${chunkSize}`);
  return { exportId: uuidText(h.subarray(16, 32)), chunkSize };
}

/**
 * Encrypts a stream: `header` first, then whatever `write` and `end` return, in order.
 * `write` returns the chunks completed so far; `end` the last one. Holds at most one
 * chunk of plaintext.
 */
export class ExportFileWriter {
  readonly header: Buffer;
  readonly chunkSize: number;
  private readonly key: KeyObject;
  private readonly prefix: Buffer;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private counter = 0;
  private ended = false;

  constructor(exportKey: Uint8Array, exportId: string, options: { chunkSize?: number; noncePrefix?: Buffer } = {}) {
    checkKey(exportKey);
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) throw new RangeError('chunk size out of range');
    this.prefix = options.noncePrefix ?? randomBytes(8);
    if (this.prefix.length !== 8) throw new RangeError('nonce prefix has 8 bytes');
    const start = Buffer.alloc(32);
    MAGIC.copy(start, 0);
    start.writeUInt32BE(chunkSize, 4);
    this.prefix.copy(start, 8);
    uuidBytes(exportId).copy(start, 16);
    this.header = Buffer.concat([start, keyCheck(exportKey, start)]);
    this.key = encryptionKey(exportKey, start);
    this.chunkSize = chunkSize;
  }

  /** Adds plaintext; returns the chunks it completed (possibly none). */
  write(data: Uint8Array): Buffer[] {
    if (this.ended) throw new Error('export file already ended');
    const out: Buffer[] = [];
    let rest = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    // A chunk goes out only once more bytes follow it: until then it may be the last.
    while (this.pendingLength + rest.length > this.chunkSize) {
      const take = this.chunkSize - this.pendingLength;
      this.pending.push(rest.subarray(0, take));
      rest = rest.subarray(take);
      out.push(this.seal(Buffer.concat(this.pending), false));
      this.pending = [];
      this.pendingLength = 0;
    }
    if (rest.length > 0) {
      // Copied: the caller may reuse its buffer.
      this.pending.push(Buffer.from(rest));
      this.pendingLength += rest.length;
    }
    return out;
  }

  /** The last chunk. */
  end(): Buffer {
    if (this.ended) throw new Error('export file already ended');
    this.ended = true;
    const last = this.seal(Buffer.concat(this.pending), true);
    this.pending = [];
    return last;
  }

  private seal(plaintext: Buffer, last: boolean): Buffer {
    if (this.counter >= MAX_CHUNKS) throw new RangeError('export file too large');
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(this.prefix, this.counter++), { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad(this.header, last));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    plaintext.fill(0);
    return body;
  }
}

/**
 * Decrypts a stream fed in pieces of any size. `push` returns plaintext of the
 * chunks that authenticated; `end` checks the last chunk and throws unless the
 * file is complete. Plaintext returned before `end` is not yet proven complete:
 * write it somewhere provisional and keep it only if `end` succeeds.
 */
export class ExportFileReader {
  private readonly exportKey: Buffer;
  private header: Buffer | null = null;
  private key: KeyObject | null = null;
  private prefix: Buffer | null = null;
  private chunkSize = 0;
  private buffered: Buffer[] = [];
  private bufferedLength = 0;
  private counter = 0;
  private ended = false;
  info: HeaderInfo | null = null;

  constructor(exportKey: Uint8Array) {
    checkKey(exportKey);
    this.exportKey = Buffer.from(exportKey);
  }

  push(data: Uint8Array): Buffer[] {
    if (this.ended) throw new Error('export file already ended');
    if (data.length > 0) {
      this.buffered.push(Buffer.from(data));
      this.bufferedLength += data.length;
    }
    const out: Buffer[] = [];
    if (!this.header) {
      if (this.bufferedLength < HEADER_LENGTH) return out;
      this.readHeaderFromBuffer();
    }
    const frame = this.chunkSize + TAG_LENGTH;
    // A chunk is opened as "not last" only when more bytes follow it.
    while (this.bufferedLength > frame) out.push(this.open(this.take(frame), false));
    return out;
  }

  /** The rest of the file: the last chunk. Throws unless the file is whole. */
  end(): Buffer[] {
    if (this.ended) throw new Error('export file already ended');
    this.ended = true;
    if (!this.header) {
      if (this.bufferedLength < HEADER_LENGTH) throw new ExportFileError('malformed', 'not a municloud export file (MCX1): too short');
      this.readHeaderFromBuffer();
    }
    if (this.bufferedLength === 0) {
      const where = this.counter === 0 ? 'the file ends after its header' : `the file ends after chunk ${this.counter - 1} without its last chunk`;
      throw new ExportFileError('truncated', `${where}: it was cut short`, this.counter);
    }
    if (this.bufferedLength < TAG_LENGTH) throw new ExportFileError('altered', `chunk ${this.counter} is cut short: the file was altered or truncated`, this.counter);
    const last = this.take(this.bufferedLength);
    try {
      return [this.open(last, true)];
    } catch (err) {
      // Distinguish a file cut at a chunk boundary (its last chunk opens as "not last") from damage.
      if (err instanceof ExportFileError && last.length === this.chunkSize + TAG_LENGTH && this.opens(last, this.counter - 1)) {
        throw new ExportFileError('truncated', `the file ends after chunk ${this.counter - 1}, which is not its last chunk: it was cut short`, this.counter);
      }
      throw err;
    }
  }

  private readHeaderFromBuffer(): void {
    const all = Buffer.concat(this.buffered);
    const header = all.subarray(0, HEADER_LENGTH);
    this.info = readHeader(header);
    const start = header.subarray(0, 32);
    const expected = keyCheck(this.exportKey, start);
    if (!timingSafeEqual(expected, header.subarray(32, 48))) {
      throw new ExportFileError('wrong_key', 'the key does not fit this file (a wrong key, or the file header was altered)');
    }
    this.header = Buffer.from(header);
    this.chunkSize = this.info.chunkSize;
    this.prefix = Buffer.from(header.subarray(8, 16));
    this.key = encryptionKey(this.exportKey, start);
    this.exportKey.fill(0);
    this.buffered = [all.subarray(HEADER_LENGTH)];
    this.bufferedLength = all.length - HEADER_LENGTH;
  }

  private take(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    const piece = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedLength = rest.length;
    return piece;
  }

  private decipher(body: Buffer, counter: number, last: boolean): Buffer {
    const d = createDecipheriv('aes-256-gcm', this.key!, nonce(this.prefix!, counter), { authTagLength: TAG_LENGTH });
    d.setAAD(aad(this.header!, last));
    d.setAuthTag(body.subarray(body.length - TAG_LENGTH));
    return Buffer.concat([d.update(body.subarray(0, body.length - TAG_LENGTH)), d.final()]);
  }

  private open(body: Buffer, last: boolean): Buffer {
    if (this.counter >= MAX_CHUNKS) throw new ExportFileError('altered', 'too many chunks');
    const counter = this.counter++;
    try {
      return this.decipher(body, counter, last);
    } catch {
      throw new ExportFileError('altered', `chunk ${counter} does not authenticate: the file was altered or damaged`, counter);
    }
  }

  private opens(body: Buffer, counter: number): boolean {
    try {
      this.decipher(body, counter, false).fill(0);
      return true;
    } catch {
      return false;
    }
  }
}

/** Whole-buffer helpers (tests, small files). */
export function encryptExport(exportKey: Uint8Array, exportId: string, plaintext: Uint8Array, options: { chunkSize?: number } = {}): Buffer {
  const w = new ExportFileWriter(exportKey, exportId, options);
  return Buffer.concat([w.header, ...w.write(plaintext), w.end()]);
}

export function decryptExport(exportKey: Uint8Array, file: Uint8Array): { info: HeaderInfo; plaintext: Buffer } {
  const r = new ExportFileReader(exportKey);
  const parts = [...r.push(file), ...r.end()];
  return { info: r.info!, plaintext: Buffer.concat(parts) };
}
