import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateContent, type CertificateContent } from './model.js';
import { certificateSigner, keyIdOf, signCertificate } from './seal.js';
import { HOUSEHOLD, request } from './test-fixtures.js';
import { issuedCertificateRecord, MASK, verificationTokenHash, verificationView, verifyIssuedCertificate, type IssuedCertificateRecord, type VerificationSources } from './verification.js';

const signer = certificateSigner(generateKeyPairSync('ed25519').privateKey);
const otherSigner = certificateSigner(generateKeyPairSync('ed25519').privateKey);
const plain = certificateContent(request('resident_copy_household', { persons: HOUSEHOLD, options: { myNumber: false, domicile: true, residentCode: false } }));
const withMyNumber = certificateContent(request('resident_copy_household', { persons: HOUSEHOLD, options: { myNumber: true, domicile: true, residentCode: true } }));

function register(records: readonly IssuedCertificateRecord[]): VerificationSources {
  return {
    publicKey: async (municipalityCode, keyId) => (municipalityCode === '131016' && keyId === keyIdOf(signer.publicKey) ? signer.publicKey : undefined),
    issued: async (municipalityCode, tokenHash) => records.find((r) => r.municipalityCode === municipalityCode && r.tokenHash === tokenHash),
  };
}

async function issue(content: CertificateContent) {
  const { code, payload } = await signCertificate(content, signer);
  return { code, payload, record: issuedCertificateRecord(content, payload) };
}

describe('verifyIssuedCertificate', () => {
  it('answers a genuine certificate with what it prints', async () => {
    const { code, record } = await issue(plain);
    expect(await verifyIssuedCertificate(code, register([record]))).toEqual({
      status: 'genuine',
      municipality: { code: '131016', name: '千代田区' },
      kind: 'resident_copy_household',
      title: '住民票の写し',
      certificateNumber: '2026-000123',
      issuedOn: '2026-11-21',
      issuedOnText: '令和8年11月21日',
      content: plain,
    });
  });

  it('never stores or answers 個人番号 or 住民票コード, even when printed', async () => {
    const { code, record } = await issue(withMyNumber);
    const stored = JSON.stringify(record);
    const result = await verifyIssuedCertificate(code, register([record]));
    expect(result.status).toBe('genuine');
    const answer = JSON.stringify(result);
    for (const p of HOUSEHOLD) {
      for (const text of [stored, answer]) {
        expect(text).not.toContain(p.myNumber!);
        expect(text).not.toContain(p.myNumber!.replace(/(\d{4})(?=\d)/g, '$1 '));
        expect(text).not.toContain(p.residentCode);
      }
    }
    expect(answer).toContain(MASK);
    expect(answer).toContain('東京都千代田区千代田一丁目1番'); // the rest as printed
  });

  it('stores the token only as its hash', async () => {
    const { payload, record } = await issue(plain);
    expect(record.tokenHash).toBe(verificationTokenHash(payload));
    expect(JSON.stringify(record)).not.toContain(payload.verificationToken);
  });

  it('refuses to make a record for content the code was not signed over', async () => {
    const { payload } = await signCertificate(plain, signer);
    expect(() => issuedCertificateRecord(withMyNumber, payload)).toThrow(expect.objectContaining({ code: 'content_mismatch' }));
  });

  it('says not_genuine for an unknown, forged or tampered code, or an altered record, and revoked for a voided one', async () => {
    const { code, record } = await issue(plain);
    expect(await verifyIssuedCertificate(code, register([]))).toEqual({ status: 'not_genuine', reason: 'not_issued' });
    expect(await verifyIssuedCertificate('not a code', register([record]))).toEqual({ status: 'not_genuine', reason: 'bad_format' });
    const forged = await signCertificate(plain, otherSigner);
    expect(await verifyIssuedCertificate(forged.code, register([record]))).toEqual({ status: 'not_genuine', reason: 'unknown_key' });
    const [prefix, payload, signature] = code.split('.');
    const bytes = Buffer.from(payload!, 'base64url');
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 1; // inside the digest
    expect(await verifyIssuedCertificate(`${prefix}.${bytes.toString('base64url')}.${signature}`, register([record]))).toEqual({ status: 'not_genuine', reason: 'bad_signature' });

    const altered = { ...record, view: { ...record.view, persons: record.view.persons.slice(1) } };
    expect(await verifyIssuedCertificate(code, register([altered]))).toEqual({ status: 'not_genuine', reason: 'content_mismatch' });
    expect(await verifyIssuedCertificate(code, register([{ ...record, revokedOn: '2026-11-22' }]))).toEqual({ status: 'revoked', certificateNumber: '2026-000123', revokedOn: '2026-11-22' });
  });

  it('catches a record with masked fields that names another certificate', async () => {
    const { code, record } = await issue(withMyNumber);
    const renamed = { ...record, view: { ...record.view, certificateNumber: '2026-999999' } };
    expect(await verifyIssuedCertificate(code, register([renamed]))).toEqual({ status: 'not_genuine', reason: 'content_mismatch' });
  });
});

describe('verificationView', () => {
  it('masks only 個人番号 and 住民票コード values, and leaves a content without them as it is', () => {
    expect(verificationView(plain)).toEqual(plain);
    const view = verificationView(withMyNumber);
    const fields = view.persons.flatMap((p) => p.fields);
    expect(fields.filter((f) => f.value === MASK).map((f) => f.key).sort()).toEqual([...Array(6).fill('myNumber'), ...Array(6).fill('residentCode')].sort());
    expect(fields.filter((f) => f.key === 'name').map((f) => f.value)).toEqual(HOUSEHOLD.map((p) => `${p.name.family} ${p.name.given}`));
  });
});
