import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../security/audit/canonical-json.js';
import { certificateContent } from './model.js';
import {
  CertificateCodeError,
  certificateSigner,
  checkContentDigest,
  contentDigest,
  decodeCertificateCode,
  keyIdOf,
  signCertificate,
  verifyCertificateCode,
  type CertificateSigner,
} from './seal.js';
import { HOUSEHOLD, request } from './test-fixtures.js';

const signer = certificateSigner(generateKeyPairSync('ed25519').privateKey);
const otherSigner = certificateSigner(generateKeyPairSync('ed25519').privateKey);
const content = certificateContent(request('resident_copy_household', { persons: HOUSEHOLD, certificateNumber: '千代田-2026-000123' }));

const errorCode = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof CertificateCodeError) return e.code;
    throw e;
  }
  return 'no error';
};

/** The code with its payload re-encoded after changing one byte. */
function withPayloadByte(code: string, index: number, change: (b: number) => number): string {
  const [prefix, payload, signature] = code.split('.');
  const bytes = Buffer.from(payload!, 'base64url');
  bytes[index] = change(bytes[index]!) & 0xff;
  return `${prefix}.${bytes.toString('base64url')}.${signature}`;
}

describe('signCertificate / verifyCertificateCode', () => {
  it('round-trips: the code names the certificate and binds the printed content', async () => {
    const { code, payload } = await signCertificate(content, signer);
    expect(code).toMatch(/^MC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(code.length).toBeLessThan(260); // small enough for a QR symbol scanned off paper
    const verified = verifyCertificateCode(code, signer.publicKey);
    expect(verified).toEqual(payload);
    expect(verified).toMatchObject({
      version: 1,
      kind: 'resident_copy_household',
      issuedOn: '2026-11-21',
      municipalityCode: '131016',
      certificateNumber: '千代田-2026-000123',
      keyId: keyIdOf(signer.publicKey),
    });
    const digest = createHash('sha256').update(canonicalJson(content), 'utf8').digest();
    expect(Buffer.from(verified.contentDigest, 'base64url')).toEqual(digest);
    expect(Buffer.from(verified.verificationToken, 'base64url')).toHaveLength(16);
    expect(() => checkContentDigest(verified, content)).not.toThrow();
  });

  it('holds nothing personal: no name, number or address in the code', async () => {
    const { code } = await signCertificate(content, signer);
    const decoded = Buffer.from(code.split('.')[1]!, 'base64url').toString('utf8');
    for (const p of HOUSEHOLD) {
      expect(decoded).not.toContain(p.name.family);
      expect(decoded).not.toContain(p.myNumber!);
      expect(decoded).not.toContain(p.residentCode);
    }
    expect(decoded).not.toContain('千代田一丁目');
  });

  it('draws a fresh verification token for each issue', async () => {
    const a = await signCertificate(content, signer);
    const b = await signCertificate(content, signer);
    expect(a.payload.verificationToken).not.toBe(b.payload.verificationToken);
    expect(a.payload.contentDigest).toBe(b.payload.contentDigest);
  });

  it('fails when any one byte of the payload changes', async () => {
    const { code } = await signCertificate(content, signer);
    const length = Buffer.from(code.split('.')[1]!, 'base64url').length;
    for (let i = 0; i < length; i++) {
      const tampered = withPayloadByte(code, i, (b) => b ^ 0x01);
      expect(['bad_signature', 'bad_format', 'unsupported_version', 'unknown_key'], `byte ${i}`).toContain(errorCode(() => verifyCertificateCode(tampered, signer.publicKey)));
    }
    // A byte inside the digest keeps the format valid: only the signature catches it.
    expect(errorCode(() => verifyCertificateCode(withPayloadByte(code, length - 20, (b) => b + 1), signer.publicKey))).toBe('bad_signature');
  });

  it('fails when the signature changes, or with another key', async () => {
    const { code } = await signCertificate(content, signer);
    const last = code.at(-2) === 'A' ? 'B' : 'A';
    expect(errorCode(() => verifyCertificateCode(code.slice(0, -2) + last + code.at(-1), signer.publicKey))).toMatch(/bad_signature|bad_format/);
    const [prefix, payload, signature] = code.split('.');
    const sig = Buffer.from(signature!, 'base64url');
    sig[10] = sig[10]! ^ 0x80;
    expect(errorCode(() => verifyCertificateCode(`${prefix}.${payload}.${sig.toString('base64url')}`, signer.publicKey))).toBe('bad_signature');
    expect(errorCode(() => verifyCertificateCode(code, otherSigner.publicKey))).toBe('unknown_key');
  });

  it('does not verify a signature over the same payload made by another key under the right key id', async () => {
    const { code } = await signCertificate(content, signer);
    const signed = code.split('.').slice(0, 2).join('.');
    const forged = `${signed}.${Buffer.from(await otherSigner.sign(Buffer.from(signed, 'ascii'))).toString('base64url')}`;
    expect(errorCode(() => verifyCertificateCode(forged, signer.publicKey))).toBe('bad_signature');
  });

  it.each([
    ['', 'bad_format'],
    ['MC1', 'bad_format'],
    ['MC1..', 'bad_format'],
    ['MC1.AAAA.AAAA', 'bad_format'],
    ['MC1.a+b/.AAAA', 'bad_format'],
    ['XX1.AQ.AQ', 'bad_format'],
    ['MC2.AQ.AQ', 'unsupported_version'],
  ])('refuses %j as %s', (code, expected) => {
    expect(errorCode(() => verifyCertificateCode(code, signer.publicKey))).toBe(expected);
  });

  it('decodes without verifying, so the endpoint can pick the key first', async () => {
    const { code, payload } = await signCertificate(content, signer);
    expect(decodeCertificateCode(code).payload).toEqual(payload);
  });

  it('catches stored content that is not what was signed', async () => {
    const { payload } = await signCertificate(content, signer);
    const altered = { ...content, persons: content.persons.slice(0, 5) };
    expect(errorCode(() => checkContentDigest(payload, altered))).toBe('content_mismatch');
  });

  it('digests the content independently of key order (it may come back from a JSON store reordered)', () => {
    const reordered = JSON.parse(JSON.stringify(content, Object.keys(content).reverse().concat('code', 'name', 'title', 'key', 'label', 'value', 'fields'))) as typeof content;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(content));
    expect(contentDigest(reordered)).toEqual(contentDigest(content));
  });

  it('refuses a signer whose signatures do not match its public key', async () => {
    const liar: CertificateSigner = { publicKey: signer.publicKey, sign: otherSigner.sign };
    await expect(signCertificate(content, liar)).rejects.toMatchObject({ code: 'signer_failed' });
  });
});
