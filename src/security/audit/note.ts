/**
 * Signed notes (c2sp.org/signed-note) with Ed25519 signatures, verifier keys in
 * the Go `note` package's text form, and transparency-log checkpoints
 * (c2sp.org/tlog-checkpoint). Pure apart from node:crypto's Ed25519.
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n
 *   \n
 *   — <key name> <base64(key ID || signature)>\n
 *
 *   key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]
 *   vkey   = <key name>+<key ID, 8 hex digits>+<base64(0x01 || public key)>
 *
 * Anything that does not parse exactly is refused (NoteError with a reason
 * code): a witness or a court must be able to check these with any other
 * implementation, so ours accepts no more than the specifications do.
 */
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';

export const ED25519 = 0x01;
const EM_DASH_SPACE = '\u2014 ';
const MAX_NOTE_BYTES = 64 * 1024;
/** The specification requires accepting at least 16; Go's implementation stops at 100. */
const MAX_SIGNATURES = 100;

export type NoteProblem =
  | 'malformed_note'
  | 'malformed_key'
  | 'key_id_mismatch'
  | 'bad_signature'
  | 'unverified'
  | 'malformed_checkpoint'
  | 'wrong_origin';

export class NoteError extends Error {
  constructor(
    readonly reason: NoteProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Key names: non-empty, no Unicode spaces, no plus signs. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/[\u0000-\u001f]/.test(name);
}

export function keyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, ED25519])).update(publicKey).digest().subarray(0, 4);
}

/** Strict standard base64: decodes, and re-encodes to the same text. */
function strictBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

export interface VerifierKey {
  readonly name: string;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
  /** The `name+hash+key` text form. */
  readonly text: string;
  readonly key: KeyObject;
}

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

export function verifierKey(name: string, publicKey: Uint8Array): VerifierKey {
  if (!isValidKeyName(name)) throw new NoteError('malformed_key', 'key names must be non-empty, without spaces or plus signs');
  if (publicKey.length !== 32) throw new NoteError('malformed_key', 'an Ed25519 public key has 32 bytes');
  const id = keyId(name, publicKey);
  const text = `${name}+${id.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString('base64')}`;
  return { name, keyId: id, publicKey: Buffer.from(publicKey), text, key: ed25519PublicKey(publicKey) };
}

export function parseVerifierKey(text: string): VerifierKey {
  const trimmed = text.trim();
  const first = trimmed.indexOf('+');
  const second = trimmed.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new NoteError('malformed_key', 'a verifier key looks like name+hash+key');
  const name = trimmed.slice(0, first);
  const hash = trimmed.slice(first + 1, second);
  const data = strictBase64(trimmed.slice(second + 1));
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(hash) || !data) throw new NoteError('malformed_key', 'a verifier key looks like name+hash+key');
  if (data.length !== 33 || data[0] !== ED25519) throw new NoteError('malformed_key', 'only Ed25519 verifier keys (type 0x01, 32 bytes) are supported');
  const key = verifierKey(name, data.subarray(1));
  if (key.keyId.toString('hex') !== hash) throw new NoteError('key_id_mismatch', 'the key hash does not match the key name and public key');
  return key;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

export interface ParsedNote {
  /** The signed text, final newline included. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export function parseNote(note: string): ParsedNote {
  const malformed = (why: string) => new NoteError('malformed_note', `malformed signed note: ${why}`);
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw malformed('too large');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw malformed('control characters');
  if (/[\uD800-\uDFFF]/.test(note.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) throw malformed('not valid UTF-8');
  // The text ends at the last blank line; it may itself contain blank lines.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw malformed('signature lines must end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed('too many signatures');
  const signatures = lines.map((line) => {
    if (!line.startsWith(EM_DASH_SPACE)) throw malformed('a signature line starts with an em dash and a space');
    const rest = line.slice(EM_DASH_SPACE.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    const blob = space > 0 ? strictBase64(rest.slice(space + 1)) : null;
    if (!isValidKeyName(name) || !blob || blob.length < 5) throw malformed('a signature line is "— name base64"');
    return { name, keyId: blob.subarray(0, 4), signature: blob.subarray(4) };
  });
  return { text, signatures };
}

/**
 * Opens a note with the keys the caller trusts: at least one of them must have
 * signed it, and every signature by one of them must verify. Signatures by
 * other keys (witnesses, a rotated key) are ignored, as the specification says.
 */
export function openNote(note: string, keys: readonly VerifierKey[]): { text: string; verifiedBy: VerifierKey[] } {
  const parsed = parseNote(note);
  const verifiedBy: VerifierKey[] = [];
  const message = Buffer.from(parsed.text, 'utf8');
  for (const sig of parsed.signatures) {
    const key = keys.find((k) => k.name === sig.name && k.keyId.equals(sig.keyId));
    if (!key) continue;
    if (sig.signature.length !== 64 || !cryptoVerify(null, message, key.key, sig.signature)) {
      throw new NoteError('bad_signature', `the signature by ${key.name} does not verify: the note was altered or forged`);
    }
    if (!verifiedBy.includes(key)) verifiedBy.push(key);
  }
  if (verifiedBy.length === 0) throw new NoteError('unverified', 'the note carries no signature by the given key');
  return { text: parsed.text, verifiedBy };
}

/** Adds a signature line to a note text (the text must end with a newline). */
export function signatureLine(name: string, publicKey: Uint8Array, signature: Uint8Array): string {
  return `${EM_DASH_SPACE}${name} ${Buffer.concat([keyId(name, publicKey), signature]).toString('base64')}\n`;
}

// ---------------------------------------------------------------------------
// Checkpoints

export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
  /** Opaque extension lines; municloud writes none. */
  readonly extensions: readonly string[];
}

export function formatCheckpoint(c: Pick<Checkpoint, 'origin' | 'treeSize' | 'rootHash'>): string {
  if (!c.origin || /[\n]/.test(c.origin)) throw new NoteError('malformed_checkpoint', 'origin must be one non-empty line');
  if (!Number.isSafeInteger(c.treeSize) || c.treeSize < 0) throw new NoteError('malformed_checkpoint', 'tree size must be a non-negative integer');
  if (c.rootHash.length !== 32) throw new NoteError('malformed_checkpoint', 'root hash must have 32 bytes');
  return `${c.origin}\n${c.treeSize}\n${c.rootHash.toString('base64')}\n`;
}

export function parseCheckpointText(text: string): Checkpoint {
  const malformed = (why: string) => new NoteError('malformed_checkpoint', `malformed checkpoint: ${why}`);
  if (!text.endsWith('\n')) throw malformed('text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('origin, tree size and root hash lines are required');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') throw malformed('empty origin');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) throw malformed('tree size must be a decimal number without leading zeros');
  const rootHash = strictBase64(root);
  if (!rootHash || rootHash.length !== 32) throw malformed('root hash must be base64 of 32 bytes');
  if (extensions.some((e) => e === '')) throw malformed('extension lines must not be empty');
  return { origin, treeSize: Number(size), rootHash, extensions };
}

/**
 * Verifies a signed checkpoint with the log's key and returns its contents. The
 * origin must be the key's name (municloud names its key after its origin), so
 * a checkpoint of another log signed by a key of the same name is refused too.
 */
export function openCheckpoint(note: string, key: VerifierKey, origin: string = key.name): Checkpoint {
  const { text } = openNote(note, [key]);
  const checkpoint = parseCheckpointText(text);
  if (checkpoint.origin !== origin) throw new NoteError('wrong_origin', `the checkpoint is for log "${checkpoint.origin}", not "${origin}"`);
  return checkpoint;
}
