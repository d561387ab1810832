/**
 * The audit log's checkpoint key inside a PKCS#11 token (SoftHSM2): generated
 * there as Ed25519, never extractable, found again by its label after the
 * token is reopened, signing notes that node:crypto and the note verifier
 * accept; and a platform configured with MUNICLOUD_AUDIT_SIGNER=pkcs11 signs
 * its log with it, which `audit verify` accepts with the printed public key alone.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { buildServer } from '../../src/platform/http/server.js';
import { createLogger } from '../../src/platform/logger.js';
import { locateDatabases, migrateAll, openPlatform, type OpenPlatform } from '../../src/platform/runtime.js';
import { ROUTE_MODULES } from '../../src/routes.js';
import { AuditCliError, registerAuditCommands, runVerify, verifierKeyFromEnvironment } from '../../src/security/audit/cli.js';
import { exportAuditLog } from '../../src/security/audit/export.js';
import { openCheckpoint, openNote, parseVerifierKey } from '../../src/security/audit/note.js';
import { sampleEntry } from '../../src/security/audit/sample.js';
import { loadCheckpointSigner } from '../../src/security/audit/service.js';
import { generateSigner, signCheckpoint, signNote, verifierKeyOf } from '../../src/security/audit/signer.js';
import { LocalKeystore } from '../../src/security/keys/kms/local-keystore.js';
import type { Pkcs11Kms } from '../../src/security/keys/kms/pkcs11.js';
import { CKK_EC_EDWARDS, CKM_EC_EDWARDS_KEY_PAIR_GEN, ED25519_EC_PARAMS, Pkcs11Ed25519Signer } from '../../src/security/keys/kms/pkcs11-ed25519.js';
import { call, newSession } from '../support/api.js';
import { createDatabases, type TestPlatform } from '../support/platform.js';
import { expectKeptInToken, softHsmForTests, type TestHsm } from '../support/softhsm.js';

const ORIGIN = 'audit.hsm.test/municloud';
const LABEL = 'municloud-audit-test';

let hsm: TestHsm;
let kms: Pkcs11Kms;
let dir: string;

beforeAll(async () => {
  hsm = await softHsmForTests(); // fails with "SoftHSM2 is not installed … apt-get install -y softhsm2" when it is missing
  kms = await hsm.open();
  dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-hsm-audit-'));
});
afterAll(async () => {
  await kms?.close();
  await hsm?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The environment of a platform whose KMS is this token and whose checkpoints it signs. */
function hsmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    MUNICLOUD_DATA_DIR: dir,
    MUNICLOUD_KMS: 'pkcs11',
    MUNICLOUD_PKCS11_LIBRARY: hsm.token.library,
    MUNICLOUD_PKCS11_TOKEN_LABEL: hsm.token.tokenLabel,
    MUNICLOUD_PKCS11_PIN: hsm.token.pin,
    MUNICLOUD_AUDIT_SIGNER: 'pkcs11',
    MUNICLOUD_AUDIT_SIGNER_LABEL: LABEL,
    MUNICLOUD_AUDIT_ORIGIN: ORIGIN,
    ...extra,
  };
}

describe('the checkpoint key in the HSM', () => {
  let signer: Pkcs11Ed25519Signer;

  it('is not made up when the token has none and generation was not asked for', async () => {
    await expect(Pkcs11Ed25519Signer.open(kms, { name: ORIGIN, label: LABEL })).rejects.toMatchObject({ reason: 'key_not_found' });
  });

  it('is generated inside the token as Ed25519, sensitive and never extractable', async () => {
    signer = await Pkcs11Ed25519Signer.open(kms, { name: ORIGIN, label: LABEL, create: true });
    expect(signer.created).toBe(true);
    expect(signer.publicKey.length).toBe(32);
    expect(signer.id).toMatch(/^[0-9a-f]{32}$/);
    const { privateKey, publicKey } = signer.objectHandles;
    kms.withSession((p, m, session) => {
      const attrs = m.C_GetAttributeValue(session, privateKey, [
        { type: p.CKA_KEY_TYPE },
        { type: p.CKA_EXTRACTABLE },
        { type: p.CKA_SENSITIVE },
        { type: p.CKA_ALWAYS_SENSITIVE },
        { type: p.CKA_NEVER_EXTRACTABLE },
        { type: p.CKA_LOCAL },
        { type: p.CKA_TOKEN },
        { type: p.CKA_PRIVATE },
        { type: p.CKA_MODIFIABLE },
        { type: p.CKA_SIGN },
        { type: p.CKA_DECRYPT },
        { type: p.CKA_UNWRAP },
        { type: p.CKA_DERIVE },
      ]);
      expect((attrs[0]!.value as Buffer).readBigUInt64LE()).toBe(BigInt(CKK_EC_EDWARDS)); // a CK_ULONG
      // CKA_EXTRACTABLE false, CKA_SENSITIVE true, always sensitive, never extractable, generated on the token, ...
      expect(attrs.slice(1).map((a) => (a.value as Buffer)[0])).toEqual([0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0]);
    });
    // The private value cannot be read, wrapped out under a key we hold, made extractable afterwards, or copied into an extractable object.
    expectKeptInToken(kms, privateKey);
    // The public half is an OCTET STRING around the 32 bytes the signer reports.
    kms.withSession((p, m, session) => {
      const [point] = m.C_GetAttributeValue(session, publicKey, [{ type: p.CKA_EC_POINT }]);
      expect((point!.value as Buffer).equals(Buffer.concat([Buffer.from([0x04, 0x20]), Buffer.from(signer.publicKey)]))).toBe(true);
    });
  });

  it('signs what node:crypto and the note verifier accept, and nothing else', async () => {
    const message = randomBytes(100);
    const signature = Buffer.from(await signer.sign(message));
    expect(signature.length).toBe(64);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(signer.publicKey).toString('base64url') }, format: 'jwk' });
    expect(verify(null, message, key, signature)).toBe(true);
    message[0]! ^= 1;
    expect(verify(null, message, key, signature)).toBe(false);

    const vkey = verifierKeyOf(signer);
    expect(parseVerifierKey(vkey.text).publicKey.equals(Buffer.from(signer.publicKey))).toBe(true);
    const note = await signCheckpoint({ origin: ORIGIN, treeSize: 5, rootHash: Buffer.alloc(32, 7) }, signer);
    expect(openCheckpoint(note, vkey)).toMatchObject({ origin: ORIGIN, treeSize: 5 });
    expect(() => openNote(note.replace('\n5\n', '\n6\n'), [vkey])).toThrow(/does not verify/);
    // A software key of the same name is another key: its notes are not the log's.
    const impostor = generateSigner(ORIGIN).signer;
    const forged = await signNote('hello\n', impostor);
    expect(() => openNote(forged, [vkey])).toThrow(/no signature by the given key/);
  });

  it('is found again by its label after the token is reopened, and signs as before', async () => {
    const again = await hsm.open();
    try {
      const reopened = await Pkcs11Ed25519Signer.open(again, { name: ORIGIN, label: LABEL, create: true });
      expect(reopened.created).toBe(false);
      expect(reopened.id).toBe(signer.id);
      expect(Buffer.from(reopened.publicKey).equals(Buffer.from(signer.publicKey))).toBe(true);
      const note = await signNote('after a restart\n', reopened);
      expect(openNote(note, [verifierKeyOf(signer)]).text).toBe('after a restart\n');
    } finally {
      await again.close();
    }
  });

  it('refuses a key with the label that the token did not generate (an imported key someone may hold)', async () => {
    const label = 'imported-audit-key';
    // An extractable key generated as such stands in for an imported one: CKA_NEVER_EXTRACTABLE is false.
    kms.withSession((p, m, session) =>
      m.C_GenerateKeyPair(
        session,
        { mechanism: CKM_EC_EDWARDS_KEY_PAIR_GEN },
        [
          { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY },
          { type: p.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
          { type: p.CKA_EC_PARAMS, value: ED25519_EC_PARAMS },
          { type: p.CKA_LABEL, value: label },
          { type: p.CKA_ID, value: randomBytes(16) },
          { type: p.CKA_TOKEN, value: false },
        ],
        [
          { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
          { type: p.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
          { type: p.CKA_LABEL, value: label },
          { type: p.CKA_TOKEN, value: false },
          { type: p.CKA_SIGN, value: true },
          { type: p.CKA_SENSITIVE, value: false },
          { type: p.CKA_EXTRACTABLE, value: true },
        ],
      ),
    );
    await expect(Pkcs11Ed25519Signer.open(kms, { name: ORIGIN, label })).rejects.toThrow(/CKA_SENSITIVE is not true.*CKA_NEVER_EXTRACTABLE is not true/);
  });

  it('is chosen by MUNICLOUD_AUDIT_SIGNER=pkcs11, only with the PKCS#11 KMS and without a configured key', async () => {
    const fromEnv = await loadCheckpointSigner({ env: hsmEnv(), mode: 'external', dataDir: dir, kms });
    expect(verifierKeyOf(fromEnv).text).toBe(verifierKeyOf(signer).text);
    const keystore = await LocalKeystore.open({ file: path.join(dir, 'keystore.json'), passphrase: 'test passphrase, not secret', scrypt: { N: 2 ** 14, r: 8, p: 1 } });
    try {
      await expect(loadCheckpointSigner({ env: hsmEnv(), mode: 'external', dataDir: dir, kms: keystore })).rejects.toThrow(/needs MUNICLOUD_KMS=pkcs11/);
    } finally {
      await keystore.close();
    }
    await expect(loadCheckpointSigner({ env: hsmEnv(), mode: 'external', dataDir: dir })).rejects.toThrow(ConfigError);
    const both = hsmEnv({ MUNICLOUD_AUDIT_SIGNING_KEY: Buffer.alloc(32, 1).toString('base64') });
    await expect(loadCheckpointSigner({ env: both, mode: 'external', dataDir: dir, kms })).rejects.toThrow(/unset MUNICLOUD_AUDIT_SIGNING_KEY/);
    await expect(loadCheckpointSigner({ env: hsmEnv({ MUNICLOUD_AUDIT_SIGNER: 'vault' }), mode: 'external', dataDir: dir, kms })).rejects.toThrow(/MUNICLOUD_AUDIT_SIGNER must be/);
    await expect(
      loadCheckpointSigner({ env: { MUNICLOUD_AUDIT_SIGNER_LABEL: LABEL, MUNICLOUD_AUDIT_SIGNING_KEY: Buffer.alloc(32, 1).toString('base64') }, mode: 'external', dataDir: dir }),
    ).rejects.toThrow(/MUNICLOUD_AUDIT_SIGNER is not pkcs11/);
    // Asked not to create one, a label the token does not hold is a configuration error.
    await expect(loadCheckpointSigner({ env: hsmEnv({ MUNICLOUD_AUDIT_SIGNER_LABEL: 'no-such-key' }), mode: 'external', dataDir: dir, kms, create: false })).rejects.toThrow(
      /has no Ed25519 key labelled "no-such-key"/,
    );
  });

  it('prints its verifier key with `municloud audit public-key`, from the token, with no database', async () => {
    expect(await verifierKeyFromEnvironment(hsmEnv())).toBe(verifierKeyOf(signer).text);
    let out = '';
    const program = new Command('municloud');
    registerAuditCommands(program, { verifierKey: () => verifierKeyFromEnvironment(hsmEnv()), out: (s) => void (out += s), err: () => undefined });
    await program.parseAsync(['node', 'municloud', 'audit', 'public-key']);
    expect(out).toBe(`${verifierKeyOf(signer).text}\n`);
    // A label the token does not hold is reported, not generated.
    const missing = new Command('municloud');
    registerAuditCommands(missing, { verifierKey: () => verifierKeyFromEnvironment(hsmEnv({ MUNICLOUD_AUDIT_SIGNER_LABEL: 'not-generated' })), out: () => undefined });
    await expect(missing.parseAsync(['node', 'municloud', 'audit', 'public-key'])).rejects.toThrow(AuditCliError);
    await expect(Pkcs11Ed25519Signer.open(kms, { name: ORIGIN, label: 'not-generated' })).rejects.toMatchObject({ reason: 'key_not_found' });
  });
});

describe('a platform whose audit log is signed in the HSM', () => {
  let open: OpenPlatform;
  let tp: TestPlatform;
  let drop: () => Promise<void>;
  const saved = { ...process.env };

  beforeAll(async () => {
    const created = await createDatabases(['control', 'cell-a']);
    drop = created.drop;
    const env = {
      ...hsmEnv(),
      DATABASE_URL: created.urls.get('control')!,
      MUNICLOUD_CELLS: `cell-a=${created.urls.get('cell-a')!}`,
      MUNICLOUD_APP_PASSWORD: inject('appPassword'),
      MUNICLOUD_CURSOR_SECRET: randomBytes(32).toString('base64url'),
      MUNICLOUD_AUDIT_CHECKPOINT_MS: '60000',
    };
    // openPlatform reads the KMS and the audit signer from the process environment, as `municloud serve` does.
    Object.assign(process.env, env);
    const config = loadConfig(env);
    const log = createLogger('silent');
    const databases = await locateDatabases(config, log);
    await migrateAll(databases);
    open = await openPlatform(config, log, databases);
    const app = await buildServer(open.platform, ROUTE_MODULES);
    await app.ready();
    tp = { app, platform: open.platform, databases, config, adminUrl: (name) => created.urls.get(name)!, close: async () => undefined };
  });
  afterAll(async () => {
    await tp?.app.close();
    await open?.close();
    await drop?.();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('serves the HSM key as the log key, and an export verifies with it alone', async () => {
    const vkey = await verifierKeyFromEnvironment(hsmEnv());
    expect(open.platform.audit.verifierKey.text).toBe(vkey);
    const operator = await newSession(tp, '000001', ['platform_operator']);
    const key = await operator.call('GET', '/v1/audit/key');
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ vkey, name: ORIGIN, algorithm: 'Ed25519' });

    for (let i = 0; i < 40; i++) await open.platform.audit.append(sampleEntry(i));
    await open.platform.audit.publisher.publish();
    const checkpoint = await operator.call('GET', '/v1/audit/checkpoint');
    expect(checkpoint.status).toBe(200);
    expect(checkpoint.body.treeSize).toBeGreaterThanOrEqual(40);
    expect(openCheckpoint(checkpoint.body.note, parseVerifierKey(vkey)).treeSize).toBe(checkpoint.body.treeSize);

    const entries = path.join(dir, 'audit.jsonl');
    const note = path.join(dir, 'audit.checkpoint');
    const exported = await exportAuditLog(open.platform.control, { out: entries });
    await writeFile(note, exported.checkpoint.note);
    let out = '';
    const code = await runVerify({ entries, key: vkey, checkpoint: note }, { out: (t) => void (out += t), err: () => undefined });
    expect(out).toMatch(/^OK: entries 0 to /);
    expect(code).toBe(0);
    // The same export does not verify under another key of the same name.
    const other = verifierKeyOf(generateSigner(ORIGIN).signer).text;
    expect(await runVerify({ entries, key: other, checkpoint: note }, { out: () => undefined, err: () => undefined })).toBe(1);
    expect((await call(tp.app, 'GET', '/healthz')).status).toBe(200);
  });
});
