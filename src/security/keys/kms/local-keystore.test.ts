import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsError } from './kms.js';
import { LocalKeystore } from './local-keystore.js';

// Low scrypt cost keeps the suite fast; the default is 2^17.
const FAST = { N: 2 ** 14, r: 8, p: 1 };
const PASS = 'correct horse battery staple';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mc-keystore-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const ctx = Buffer.from('context');

describe('local keystore', () => {
  it('creates KEKs that wrap and unwrap, binding the context', async () => {
    const ks = await LocalKeystore.open({ file: path.join(dir, 'a.json'), passphrase: PASS, scrypt: FAST });
    const kek = await ks.createKek('test');
    const dek = randomBytes(32);
    const wrapped = await ks.wrap(kek, dek, ctx);
    expect((await ks.unwrap(kek, wrapped, ctx)).equals(dek)).toBe(true);
    await expect(ks.unwrap(kek, wrapped, Buffer.from('other'))).rejects.toMatchObject({ reason: 'unwrap_failed' });
    const flipped = Buffer.from(wrapped);
    flipped[20]! ^= 1;
    await expect(ks.unwrap(kek, flipped, ctx)).rejects.toMatchObject({ reason: 'unwrap_failed' });
    await ks.close();
  });

  it('keeps no key in the clear in its file, and reopens with the passphrase only', async () => {
    const file = path.join(dir, 'b.json');
    const ks = await LocalKeystore.open({ file, passphrase: PASS, scrypt: FAST });
    const kek = await ks.createKek('test');
    const dek = randomBytes(32);
    const wrapped = await ks.wrap(kek, dek, ctx);
    await ks.close();
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(kek.id);
    expect(JSON.parse(text)).toEqual({ format: 'municloud-local-keystore/1', kdf: expect.objectContaining({ name: 'scrypt', N: FAST.N }), nonce: expect.any(String), ciphertext: expect.any(String) });
    const again = await LocalKeystore.open({ file, passphrase: PASS });
    expect((await again.unwrap(kek, wrapped, ctx)).equals(dek)).toBe(true);
    await again.close();
    await expect(LocalKeystore.open({ file, passphrase: 'wrong passphrase!!' })).rejects.toThrow(/wrong passphrase or altered file/);
  });

  it('refuses an altered file and a downgraded KDF', async () => {
    const file = path.join(dir, 'c.json');
    await (await LocalKeystore.open({ file, passphrase: PASS, scrypt: FAST })).close();
    const body = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...body, kdf: { ...body.kdf, N: 2 ** 15 } }));
    await expect(LocalKeystore.open({ file, passphrase: PASS })).rejects.toThrow(/wrong passphrase or altered file/);
    await writeFile(file, JSON.stringify({ ...body, kdf: { ...body.kdf, N: 2 } }));
    await expect(LocalKeystore.open({ file, passphrase: PASS })).rejects.toThrow(/unacceptable scrypt/);
  });

  it('destroys a KEK for every process sharing the file, and destroying twice is fine', async () => {
    const file = path.join(dir, 'd.json');
    const a = await LocalKeystore.open({ file, passphrase: PASS, scrypt: FAST });
    const b = await LocalKeystore.open({ file, passphrase: PASS });
    const kek = await a.createKek('test');
    const wrapped = await b.wrap(kek, randomBytes(32), ctx); // b finds the KEK a created
    await b.destroyKek(kek);
    await b.destroyKek(kek);
    expect(await a.hasKek(kek)).toBe(false);
    await expect(a.unwrap(kek, wrapped, ctx)).rejects.toMatchObject({ reason: 'key_not_found' });
    await a.close();
    await b.close();
  });

  it('warns that it is not for production, and refuses short passphrases and foreign handles', async () => {
    const ks = await LocalKeystore.open({ file: path.join(dir, 'e.json'), passphrase: PASS, scrypt: FAST });
    expect(ks.describe().production).toBe(false);
    expect(ks.describe().warnings.join(' ')).toMatch(/NOT FOR PRODUCTION/);
    await expect(ks.wrap({ kind: 'pkcs11', id: 'x' }, randomBytes(32), ctx)).rejects.toBeInstanceOf(KmsError);
    await ks.close();
    await expect(LocalKeystore.open({ file: path.join(dir, 'f.json'), passphrase: 'short' })).rejects.toThrow(/at least 12/);
  });
});
