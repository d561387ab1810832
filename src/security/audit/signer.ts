/**
 * Who signs checkpoints. A CheckpointSigner is all the log needs: a name, an
 * Ed25519 public key, and a way to sign bytes. This file makes one from an
 * Ed25519 private key held in memory (PEM, a raw 32-byte seed, or the Go
 * `note` package's PRIVATE+KEY text); an HSM-backed signer from the key module
 * only has to implement the same three members.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { ED25519, formatCheckpoint, isValidKeyName, keyId, NoteError, signatureLine, verifierKey, type Checkpoint, type VerifierKey } from './note.js';

export interface CheckpointSigner {
  /** The key name in signature lines; municloud uses the log's origin. */
  readonly name: string;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** An Ed25519 signature (64 bytes) over message. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410): a fixed 16-byte prefix. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new NoteError('malformed_key', 'the checkpoint key must be an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** Private key material: a PEM text, a KeyObject, or a raw 32-byte seed. */
export type Ed25519PrivateKey = string | KeyObject | Uint8Array;

export function privateKeyObject(material: Ed25519PrivateKey): KeyObject {
  if (typeof material === 'string') return createPrivateKey(material);
  if (material instanceof Uint8Array) {
    if (material.length !== 32) throw new NoteError('malformed_key', 'an Ed25519 seed has 32 bytes');
    return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, material]), format: 'der', type: 'pkcs8' });
  }
  return material;
}

export function ed25519Signer(name: string, material: Ed25519PrivateKey): CheckpointSigner {
  if (!isValidKeyName(name)) throw new NoteError('malformed_key', 'key names must be non-empty, without spaces or plus signs');
  const key = privateKeyObject(material);
  if (key.asymmetricKeyType !== 'ed25519') throw new NoteError('malformed_key', 'the checkpoint key must be an Ed25519 key');
  const publicKey = rawPublicKey(key);
  return { name, publicKey, sign: async (message) => cryptoSign(null, message, key) };
}

/** The Go `note` package's signer key text: PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>. */
export function signerFromNoteKey(text: string): CheckpointSigner {
  const malformed = () => new NoteError('malformed_key', 'a signer key looks like PRIVATE+KEY+name+hash+key');
  const trimmed = text.trim();
  if (!trimmed.startsWith('PRIVATE+KEY+')) throw malformed();
  // The base64 key may itself contain plus signs: split off name and hash only.
  const rest = trimmed.slice('PRIVATE+KEY+'.length);
  const first = rest.indexOf('+');
  const second = rest.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw malformed();
  const [name, hash, data] = [rest.slice(0, first), rest.slice(first + 1, second), rest.slice(second + 1)];
  const bytes = Buffer.from(data, 'base64');
  if (bytes.toString('base64') !== data || bytes.length !== 33 || bytes[0] !== ED25519) throw new NoteError('malformed_key', 'only Ed25519 signer keys are supported');
  const signer = ed25519Signer(name, bytes.subarray(1));
  if (keyId(name, signer.publicKey).toString('hex') !== hash) throw new NoteError('key_id_mismatch', 'the key hash does not match the key');
  return signer;
}

export function generateSigner(name: string): { signer: CheckpointSigner; privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { signer: ed25519Signer(name, privateKey), privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

export function verifierKeyOf(signer: CheckpointSigner): VerifierKey {
  return verifierKey(signer.name, signer.publicKey);
}

/** Signs a note text (ending in a newline) and returns the whole note. */
export async function signNote(text: string, signer: CheckpointSigner): Promise<string> {
  if (!text.endsWith('\n')) throw new NoteError('malformed_note', 'a note text ends with a newline');
  const signature = await signer.sign(Buffer.from(text, 'utf8'));
  if (signature.length !== 64) throw new NoteError('bad_signature', 'the signer returned something other than an Ed25519 signature');
  return `${text}\n${signatureLine(signer.name, signer.publicKey, signature)}`;
}

export async function signCheckpoint(c: Pick<Checkpoint, 'origin' | 'treeSize' | 'rootHash'>, signer: CheckpointSigner): Promise<string> {
  return signNote(formatCheckpoint(c), signer);
}
