/**
 * The audit log as the runtime holds it: one object per process with the
 * batched appender, the checkpoint publisher, the log's public key, and the
 * request pool they share. Also where the signing key comes from: the
 * environment (a software key), or the HSM through the key module
 * (keys/kms/pkcs11-ed25519.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ConfigError } from '../../platform/config.js';
import { KmsError, type Kms } from '../keys/kms/kms.js';
import { Pkcs11Kms } from '../keys/kms/pkcs11.js';
import { DEFAULT_AUDIT_KEY_LABEL, isValidAuditKeyLabel, Pkcs11Ed25519Signer } from '../keys/kms/pkcs11-ed25519.js';
import { appendInTransaction, AuditAppender, type AppenderOptions } from './appender.js';
import type { AuditEntryInput } from './entry.js';
import { isValidKeyName, NoteError, type VerifierKey } from './note.js';
import { AuditIntegrityError } from './proofs.js';
import { CheckpointPublisher } from './publisher.js';
import { ed25519Signer, generateSigner, signerFromNoteKey, verifierKeyOf, type CheckpointSigner } from './signer.js';

export interface AuditLogOptions {
  /** The control database's request pool (application role). */
  readonly pool: pg.Pool;
  readonly signer: CheckpointSigner;
  /** Checkpoint origin; the signer's name by default (the two should match). */
  readonly origin?: string;
  /** Longest time between checkpoints while entries arrive (default 1,000 ms). */
  readonly checkpointIntervalMs?: number;
  readonly appender?: AppenderOptions;
  /** Keys of earlier signers whose checkpoints this one may extend (after a key rotation). */
  readonly previousKeys?: readonly VerifierKey[];
  /** Start the publisher (default true); tests and one-shot commands may publish by hand. */
  readonly publish?: boolean;
  readonly log?: Logger;
}

export class AuditLog {
  readonly pool: pg.Pool;
  readonly origin: string;
  readonly verifierKey: VerifierKey;
  readonly appender: AuditAppender;
  readonly publisher: CheckpointPublisher;

  private constructor(options: AuditLogOptions) {
    this.pool = options.pool;
    this.origin = options.origin ?? options.signer.name;
    this.verifierKey = verifierKeyOf(options.signer);
    this.appender = new AuditAppender(options.pool, { log: options.log, ...options.appender });
    this.publisher = new CheckpointPublisher(options.pool, options.signer, {
      origin: this.origin,
      intervalMs: options.checkpointIntervalMs,
      previousKeys: options.previousKeys,
      log: options.log,
    });
  }

  /** Opens the log: makes sure a first checkpoint exists, then publishes in the background. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const audit = new AuditLog(options);
    try {
      await audit.publisher.publish();
    } catch (err) {
      // A log that fails its integrity check is reported, and keeps taking entries; the platform keeps serving.
      if (!(err instanceof AuditIntegrityError)) throw err;
      options.log?.error({ err: { name: err.name, message: err.message } }, 'audit log integrity failure: checkpoint not signed');
    }
    if (options.publish ?? true) audit.publisher.start();
    return audit;
  }

  /** Batched: resolves once committed, rejects (AuditUnavailableError) if it could not be. */
  append(input: AuditEntryInput): Promise<{ seq: number }> {
    return this.appender.append(input);
  }

  /** In the caller's control-database transaction, committing with it (see appender.ts for when). */
  appendInTransaction(client: pg.ClientBase, input: AuditEntryInput | readonly AuditEntryInput[]): Promise<{ seq: number }[]> {
    return appendInTransaction(client, input);
  }

  /** Stops publishing, writes what is queued, and leaves no timers. The pool stays open (it is the caller's). */
  async close(): Promise<void> {
    await this.publisher.stop();
    await this.appender.close();
  }
}

/**
 * The audit log as `openPlatform` opens it: signer and interval from the
 * environment (below), publishing in the background. `kms` is the platform's
 * KMS, which holds the checkpoint key when MUNICLOUD_AUDIT_SIGNER=pkcs11.
 */
export async function openAuditLogFromEnv(
  pool: pg.Pool,
  options: { env?: NodeJS.ProcessEnv; mode: 'embedded' | 'external'; dataDir: string; log?: Logger; kms?: Kms },
): Promise<AuditLog> {
  const env = options.env ?? process.env;
  const raw = env.MUNICLOUD_AUDIT_CHECKPOINT_MS;
  const interval = raw === undefined || raw === '' ? 1000 : Number(raw);
  if (!Number.isInteger(interval) || interval < 10 || interval > 60_000) throw new ConfigError('MUNICLOUD_AUDIT_CHECKPOINT_MS must be an integer from 10 to 60000');
  const signer = await loadCheckpointSigner({ ...options, env });
  return AuditLog.open({ pool, signer, checkpointIntervalMs: interval, ...(options.log ? { log: options.log } : {}) });
}

/** Where the checkpoint key lives: `software` (configured or generated, in memory) or `pkcs11` (generated inside the HSM). */
export type AuditSignerKind = 'software' | 'pkcs11';

export function auditSignerKind(env: NodeJS.ProcessEnv): AuditSignerKind {
  const kind = env.MUNICLOUD_AUDIT_SIGNER || 'software';
  if (kind !== 'software' && kind !== 'pkcs11') {
    throw new ConfigError('MUNICLOUD_AUDIT_SIGNER must be software (MUNICLOUD_AUDIT_SIGNING_KEY, or generated in embedded mode) or pkcs11 (a key generated inside the HSM)');
  }
  if (kind !== 'pkcs11' && env.MUNICLOUD_AUDIT_SIGNER_LABEL) throw new ConfigError('MUNICLOUD_AUDIT_SIGNER_LABEL is set, but MUNICLOUD_AUDIT_SIGNER is not pkcs11');
  return kind;
}

/**
 * The checkpoint signing key, from the environment:
 * - MUNICLOUD_AUDIT_SIGNER=pkcs11: an Ed25519 key generated inside the PKCS#11
 *   token of the platform's KMS (MUNICLOUD_KMS=pkcs11), labelled
 *   MUNICLOUD_AUDIT_SIGNER_LABEL (default `municloud-audit-checkpoint`); found
 *   again by that label, generated when the token has none (unless `create`
 *   is false). Its private half never leaves the token;
 * - MUNICLOUD_AUDIT_SIGNING_KEY: a PKCS #8 PEM, a Go note signer key
 *   (PRIVATE+KEY+...) or a base64 32-byte Ed25519 seed;
 * - or MUNICLOUD_AUDIT_SIGNING_KEY_FILE: a file holding one of those;
 * - or, in embedded mode only, a key generated once into the data directory,
 *   with a warning: a key on the same disk as the log it signs proves little.
 * The key's name is MUNICLOUD_AUDIT_ORIGIN (default `municloud.localhost/audit`;
 * a production log should name itself after a host its operator controls).
 */
export async function loadCheckpointSigner(options: {
  env?: NodeJS.ProcessEnv;
  mode: 'embedded' | 'external';
  dataDir: string;
  log?: Logger;
  /** The platform's KMS: required (a PKCS#11 one) when MUNICLOUD_AUDIT_SIGNER=pkcs11. */
  kms?: Kms;
  /** Generate the key when there is none yet, in the HSM or (embedded mode) the data directory: default true; `audit public-key` passes false. */
  create?: boolean;
}): Promise<CheckpointSigner> {
  const env = options.env ?? process.env;
  const origin = env.MUNICLOUD_AUDIT_ORIGIN || 'municloud.localhost/audit';
  if (!isValidKeyName(origin)) throw new ConfigError('MUNICLOUD_AUDIT_ORIGIN must have no spaces or plus signs, e.g. audit.example.lg.jp/municloud');
  if (auditSignerKind(env) === 'pkcs11') return hsmSigner(env, origin, options);
  let material = env.MUNICLOUD_AUDIT_SIGNING_KEY;
  if (!material && env.MUNICLOUD_AUDIT_SIGNING_KEY_FILE) {
    try {
      material = await readFile(env.MUNICLOUD_AUDIT_SIGNING_KEY_FILE, 'utf8');
    } catch {
      throw new ConfigError('MUNICLOUD_AUDIT_SIGNING_KEY_FILE cannot be read');
    }
  }
  if (!material) {
    if (options.mode !== 'embedded') {
      throw new ConfigError(
        'the audit log needs a key to sign checkpoints: set MUNICLOUD_AUDIT_SIGNER=pkcs11 (a key inside the HSM; needs MUNICLOUD_KMS=pkcs11), or MUNICLOUD_AUDIT_SIGNING_KEY or MUNICLOUD_AUDIT_SIGNING_KEY_FILE',
      );
    }
    const file = path.join(options.dataDir, 'audit-signing-key.pem');
    if (existsSync(file)) material = await readFile(file, 'utf8');
    else if (options.create === false) throw new ConfigError(`there is no audit signing key yet (${file}): the first start generates it`);
    else {
      await mkdir(options.dataDir, { recursive: true, mode: 0o755 });
      material = generateSigner(origin).privateKeyPem;
      await writeFile(file, material, { mode: 0o600, flag: 'wx' });
    }
    options.log?.warn('the audit checkpoint key was generated into the data directory: for the embedded demo only, not for production');
  }
  return signerFrom(origin, material.trim());
}

async function hsmSigner(
  env: NodeJS.ProcessEnv,
  origin: string,
  options: { log?: Logger; kms?: Kms; create?: boolean },
): Promise<CheckpointSigner> {
  if (env.MUNICLOUD_AUDIT_SIGNING_KEY || env.MUNICLOUD_AUDIT_SIGNING_KEY_FILE) {
    throw new ConfigError('MUNICLOUD_AUDIT_SIGNER=pkcs11 signs with a key inside the HSM: unset MUNICLOUD_AUDIT_SIGNING_KEY and MUNICLOUD_AUDIT_SIGNING_KEY_FILE');
  }
  if (!(options.kms instanceof Pkcs11Kms)) throw new ConfigError('MUNICLOUD_AUDIT_SIGNER=pkcs11 needs MUNICLOUD_KMS=pkcs11: the checkpoint key lives on the KMS token');
  const label = env.MUNICLOUD_AUDIT_SIGNER_LABEL || DEFAULT_AUDIT_KEY_LABEL;
  if (!isValidAuditKeyLabel(label)) throw new ConfigError('MUNICLOUD_AUDIT_SIGNER_LABEL must be 1 to 64 printable ASCII characters');
  let signer: Pkcs11Ed25519Signer;
  try {
    signer = await Pkcs11Ed25519Signer.open(options.kms, { name: origin, label, create: options.create ?? true, log: options.log });
  } catch (err) {
    if (err instanceof KmsError && err.reason !== 'unavailable') throw new ConfigError(`the audit checkpoint key: ${err.message}`);
    throw err;
  }
  const vkey = verifierKeyOf(signer).text;
  if (signer.created) {
    options.log?.warn({ label, id: signer.id, vkey }, 'generated the audit checkpoint key inside the HSM: publish its verifier key (municloud audit public-key) to whoever verifies the log');
  } else {
    options.log?.info({ label, id: signer.id, vkey }, 'audit checkpoints are signed inside the HSM');
  }
  if (signer.describe().softwareToken) options.log?.warn('the audit checkpoint key is on SoftHSM2, a software token: use a hardware HSM in production');
  return signer;
}

function signerFrom(origin: string, material: string): CheckpointSigner {
  try {
    if (material.startsWith('PRIVATE+KEY+')) {
      const signer = signerFromNoteKey(material);
      if (signer.name !== origin) throw new ConfigError(`the signer key is named ${signer.name}, but MUNICLOUD_AUDIT_ORIGIN is ${origin}`);
      return signer;
    }
    if (material.startsWith('-----BEGIN')) return ed25519Signer(origin, material);
    const seed = Buffer.from(material, 'base64');
    if (seed.length !== 32) throw new ConfigError('the audit signing key is neither a PEM, a PRIVATE+KEY text, nor a base64 32-byte seed');
    return ed25519Signer(origin, seed);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`the audit signing key cannot be used: ${err instanceof NoteError ? err.message : 'not an Ed25519 private key'}`);
  }
}
