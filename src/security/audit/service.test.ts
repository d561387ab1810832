import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../platform/config.js';
import { loadCheckpointSigner, openAuditLogFromEnv } from './service.js';
import { generateSigner, signNote, verifierKeyOf } from './signer.js';
import { openNote } from './note.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-audit-key-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('the checkpoint signing key from the environment', () => {
  it('is generated once into the data directory in embedded mode, and reused', async () => {
    const a = await loadCheckpointSigner({ env: {}, mode: 'embedded', dataDir: dir });
    const b = await loadCheckpointSigner({ env: {}, mode: 'embedded', dataDir: dir });
    expect(a.name).toBe('municloud.localhost/audit');
    expect(Buffer.from(a.publicKey).equals(Buffer.from(b.publicKey))).toBe(true);
    expect((await stat(path.join(dir, 'audit-signing-key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('must be configured in external mode', async () => {
    await expect(loadCheckpointSigner({ env: {}, mode: 'external', dataDir: dir })).rejects.toThrow(ConfigError);
  });

  it('accepts a PEM, a file, a base64 seed and a Go note signer key, named after the origin', async () => {
    const origin = 'audit.example.lg.jp/municloud';
    const { privateKeyPem, signer } = generateSigner(origin);
    const fromPem = await loadCheckpointSigner({ env: { MUNICLOUD_AUDIT_ORIGIN: origin, MUNICLOUD_AUDIT_SIGNING_KEY: privateKeyPem }, mode: 'external', dataDir: dir });
    expect(verifierKeyOf(fromPem).text).toBe(verifierKeyOf(signer).text);
    const file = path.join(dir, 'key.pem');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, privateKeyPem));
    const fromFile = await loadCheckpointSigner({ env: { MUNICLOUD_AUDIT_ORIGIN: origin, MUNICLOUD_AUDIT_SIGNING_KEY_FILE: file }, mode: 'external', dataDir: dir });
    expect(verifierKeyOf(fromFile).text).toBe(verifierKeyOf(signer).text);
    const seed = Buffer.alloc(32, 9).toString('base64');
    const fromSeed = await loadCheckpointSigner({ env: { MUNICLOUD_AUDIT_ORIGIN: origin, MUNICLOUD_AUDIT_SIGNING_KEY: seed }, mode: 'external', dataDir: dir });
    const note = await signNote('hello\n', fromSeed);
    expect(openNote(note, [verifierKeyOf(fromSeed)]).text).toBe('hello\n');
    const goKey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
    const fromGo = await loadCheckpointSigner({ env: { MUNICLOUD_AUDIT_ORIGIN: 'PeterNeumann', MUNICLOUD_AUDIT_SIGNING_KEY: goKey }, mode: 'external', dataDir: dir });
    expect(verifierKeyOf(fromGo).text).toBe('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    await expect(loadCheckpointSigner({ env: { MUNICLOUD_AUDIT_ORIGIN: origin, MUNICLOUD_AUDIT_SIGNING_KEY: goKey }, mode: 'external', dataDir: dir })).rejects.toThrow(/named PeterNeumann/);
  });

  it('refuses a checkpoint interval out of range', async () => {
    for (const ms of ['0', '5', 'soon', '120000']) {
      await expect(openAuditLogFromEnv(null as never, { env: { MUNICLOUD_AUDIT_CHECKPOINT_MS: ms }, mode: 'embedded', dataDir: dir })).rejects.toThrow(/MUNICLOUD_AUDIT_CHECKPOINT_MS/);
    }
  });

  it('refuses unusable keys and origins with a configuration error', async () => {
    for (const env of [
      { MUNICLOUD_AUDIT_SIGNING_KEY: 'not a key' },
      { MUNICLOUD_AUDIT_SIGNING_KEY: Buffer.alloc(31).toString('base64') },
      { MUNICLOUD_AUDIT_SIGNING_KEY_FILE: path.join(dir, 'missing.pem') },
      { MUNICLOUD_AUDIT_ORIGIN: 'has space/audit', MUNICLOUD_AUDIT_SIGNING_KEY: Buffer.alloc(32).toString('base64') },
      { MUNICLOUD_AUDIT_SIGNING_KEY: (await import('node:crypto')).generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() },
    ]) {
      await expect(loadCheckpointSigner({ env, mode: 'external', dataDir: dir }), JSON.stringify(env).slice(0, 60)).rejects.toThrow(ConfigError);
    }
    expect(await readFile(path.join(dir, 'audit-signing-key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});
