/**
 * Certificates end to end through the API, on real PostgreSQL: the issuer
 * settings; each of the four kinds issued as a PDF whose text (pdftotext) and
 * printed QR symbol (pdftoppm + zbarimg) are read back; the public
 * verification of that code (genuine, tampered, unknown key, revoked); what
 * the standing allows; support measures; revocation and listing across
 * municipalities; nothing written when issuing fails; one signing key under
 * concurrent first issues; key rotation, rewrap and crypto-shredding; and
 * what reaches the audit log, the cell and the logs (ids, never names).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInJapan } from '../../src/resident-register/changes.js';
import { formatEraDate } from '../../src/resident-register/certificates/era.js';
import { setCertificateIssuer } from '../../src/resident-register/certificates/issuer.js';
import type { CertificateContent } from '../../src/resident-register/certificates/model.js';
import { certificateSigner, decodeCertificateCode, signCertificate } from '../../src/resident-register/certificates/seal.js';
import { certificateSignerFor, rotateCertificateSigningKey } from '../../src/resident-register/certificates/service.js';
import { SIGNING_PRIVATE_KEY, VERIFICATION_VIEW } from '../../src/resident-register/certificates/store.js';
import { MASK } from '../../src/resident-register/certificates/verification.js';
import { myNumberFrom } from '../../src/resident-register/identifiers.js';
import { inTenantTransaction } from '../../src/platform/database.js';
import { sealedKeyVersion } from '../../src/security/keys/format.js';
import { rewrap } from '../../src/security/keys/rewrap.js';
import { rotateDataKey } from '../../src/security/keys/rotation.js';
import { shredMunicipality } from '../../src/security/keys/shred.js';
import { call, CHIYODA, newSession, placeInMyNumberZone, SAPPORO, YOKOHAMA, type Reply, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { HOME, person, readAuditEntries, SAPPORO_ADDRESS } from '../support/register.js';
import { myNumbersIn, TEST_RESIDENT_NAMES } from '../support/sensitive.js';

const CERT = { 'municloud-purpose': 'certificate_issue' };
const FILING = { 'municloud-purpose': 'residency_change' };
const NAMES = TEST_RESIDENT_NAMES;
const TODAY = todayInJapan();
const YEAR = TODAY.slice(0, 4);
const MAYOR = { mayorTitle: '千代田区長', mayorName: '千代田　太郎' };

let tp: TestPlatform;
const logLines: string[] = [];
let clerk: Session;
let admin: Session;
let officer: Session;
let sapporoClerk: Session;
let yokohamaClerk: Session;

let numbers = 0;
const nextMyNumber = () => myNumberFrom(String(43521876095 + ++numbers));

interface Family {
  head: { id: string; residentCode: string };
  wife: { id: string; residentCode: string };
  householdId: string;
  myNumber: string;
}

/** A household of two: 一郎 (head, with a My Number) and 花子. */
async function moveInFamily(s: Session = clerk, address: Record<string, unknown> = HOME): Promise<Family> {
  const myNumber = nextMyNumber();
  const res = await s.call(
    'POST',
    '/v1/resident-changes/move-in',
    {
      eventDate: '2026-04-01',
      filedOn: '2026-04-02',
      previousResidence: SAPPORO_ADDRESS,
      household: { kind: 'new', address },
      persons: [person('一郎', 'イチロウ', '1975-03-03', '世帯主', { myNumber }), person('花子', 'ハナコ', '1977-08-08', '妻', { sex: 'female' })],
    },
    FILING,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const [head, wife] = res.body.residents;
  return { head, wife, householdId: res.body.households[0].id, myNumber };
}

/**
 * The whole family moves out to Sapporo on 2026-12-01, from the household as it was moved in (version 1): the filing
 * that draws the 転出証明書's number.
 */
const fileMoveOut = (family: Family): Promise<Reply> =>
  clerk.call(
    'POST',
    '/v1/resident-changes/move-out',
    { eventDate: '2026-12-01', residentIds: [family.head.id, family.wife.id], destination: SAPPORO_ADDRESS, householdVersions: [{ householdId: family.householdId, version: 1 }] },
    FILING,
  );

interface Issued {
  status: number;
  headers: Record<string, unknown>;
  pdf: Buffer | null;
  body: any;
  number: string;
  id: string;
}

async function issue(s: Session, body: unknown, headers: Record<string, string> = CERT): Promise<Issued> {
  const res = await tp.app.inject({
    method: 'POST',
    url: '/v1/certificates',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
  const isPdf = String(res.headers['content-type']).startsWith('application/pdf');
  return {
    status: res.statusCode,
    headers: res.headers,
    pdf: isPdf ? res.rawPayload : null,
    body: isPdf ? null : JSON.parse(res.body),
    number: String(res.headers['municloud-certificate-number'] ?? ''),
    id: String(res.headers['municloud-certificate-id'] ?? ''),
  };
}

async function issued(s: Session, body: unknown, headers?: Record<string, string>): Promise<Issued & { pdf: Buffer }> {
  const res = await issue(s, body, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res as Issued & { pdf: Buffer };
}

function withPdf<T>(pdf: Buffer, fn: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cert-int-'));
  try {
    const file = join(dir, 'c.pdf');
    writeFileSync(file, pdf);
    return fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text a viewer shows (poppler). */
const pdfText = (pdf: Buffer) => withPdf(pdf, (file) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }));

/** The QR symbol of the first page, rasterised and scanned as a phone would. */
const scanQr = (pdf: Buffer) =>
  withPdf(pdf, (file, dir) => {
    execFileSync('pdftoppm', ['-r', '300', '-png', '-singlefile', '-f', '1', '-l', '1', file, join(dir, 'page')]);
    return execFileSync('zbarimg', ['--quiet', '--raw', join(dir, 'page.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  });

const verify = (code: string): Promise<Reply> => call(tp.app, 'POST', '/v1/certificate-verifications', { body: { code } });

interface Entry {
  kind: string;
  municipality: string | null;
  actor: { account: string | null; roles: string[] };
  records: { resource: string; ids: string[] }[];
  purpose: string | null;
  outcome: { result: string; reason: string | null };
}
const auditEntries = () => readAuditEntries<Entry>(tp);
const idsOf = (e: Entry | undefined, resource: string) => e?.records.find((r) => r.resource === resource)?.ids ?? [];

async function cellState(code: string) {
  const [c] = await adminQuery<{ issued: string; keys: string; counters: string; views: string }>(
    tp,
    'cell-a',
    `SELECT (SELECT count(*) FROM cell.issued_certificates WHERE municipality_code = $1)::text AS issued,
            (SELECT count(*) FROM cell.certificate_signing_keys WHERE municipality_code = $1)::text AS keys,
            (SELECT coalesce(string_agg(series || year || ':' || next, ',' ORDER BY series, year), '') FROM cell.certificate_counters WHERE municipality_code = $1) AS counters,
            (SELECT count(*) FROM cell.resident_views WHERE municipality_code = $1)::text AS views`,
    [code],
  );
  return c!;
}

beforeAll(async () => {
  tp = await createTestPlatform({ logLines });
  for (const code of [CHIYODA, SAPPORO, YOKOHAMA]) await tp.platform.cells.place(code, 'cell-a', null);
  clerk = await newSession(tp, CHIYODA, ['clerk']);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  officer = await newSession(tp, CHIYODA, ['support_measure_officer']);
  sapporoClerk = await newSession(tp, SAPPORO, ['clerk']);
  yokohamaClerk = await newSession(tp, YOKOHAMA, ['clerk']);
  for (const code of [CHIYODA, SAPPORO, YOKOHAMA]) await placeInMyNumberZone(tp, code);
});
afterAll(async () => tp?.close());

describe('the issuer (mayor) settings', () => {
  it('is set by the municipal admin, normalized, checked for the font, and audited; nothing is issued without it', async () => {
    expect((await admin.call('GET', '/v1/municipality/certificate-issuer')).status).toBe(404);
    const family = await moveInFamily();
    const missing = await issue(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id] });
    expect(missing.status).toBe(409);
    expect(missing.body.code).toBe('certificate_issuer_missing');

    expect((await clerk.call('PUT', '/v1/municipality/certificate-issuer', MAYOR)).status).toBe(403);
    const unprintable = await admin.call('PUT', '/v1/municipality/certificate-issuer', { ...MAYOR, mayorName: '𠮷田 太郎' });
    expect(unprintable.status).toBe(400);
    expect(unprintable.body.errors).toEqual([expect.objectContaining({ field: 'body/mayorName', rule: 'glyph_missing' })]);
    expect(JSON.stringify(unprintable.body)).not.toContain('𠮷');

    const set = await admin.call('PUT', '/v1/municipality/certificate-issuer', MAYOR);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    // NFKC: the ideographic space becomes a plain one (printed as 千代田区長　千代田 太郎).
    expect(set.body).toMatchObject({ mayorTitle: '千代田区長', mayorName: '千代田 太郎', updatedBy: expect.any(String) });
    expect((await admin.call('GET', '/v1/municipality/certificate-issuer')).body.mayorName).toBe('千代田 太郎');
    const entry = (await auditEntries()).findLast((e) => e.kind === 'certificate_issuer_set')!;
    expect(entry).toMatchObject({ municipality: CHIYODA, records: [{ resource: 'certificate_issuers', ids: [CHIYODA] }] });

    // The demo seeder's way in: the function, with the same checks.
    await setCertificateIssuer(tp.platform.control, SAPPORO, { mayorTitle: '札幌市長', mayorName: '札幌 太郎' });
    await setCertificateIssuer(tp.platform.control, YOKOHAMA, { mayorTitle: '横浜市長', mayorName: '横浜 太郎' });
    await expect(setCertificateIssuer(tp.platform.control, '000001', { mayorTitle: '長官', mayorName: '太郎' })).rejects.toMatchObject({ code: 'unknown_organization' });
  });
});

describe('issuing the four kinds', () => {
  let family: Family;
  beforeAll(async () => {
    family = await moveInFamily();
  });

  it('住民票の写し, household list: a PDF named by its number, text and a QR code that verifies, My Number nowhere in the answer', async () => {
    const res = await issued(clerk, { kind: 'resident_copy_household', standing: 'self_or_household', householdId: family.householdId });
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.number).toMatch(new RegExp(`^J${YEAR}-[0-9]{6}$`));
    expect(res.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${res.number}.pdf"`);
    // Headers carry the number and the id, nothing personal.
    for (const name of NAMES) expect(JSON.stringify(res.headers)).not.toContain(name);
    expect(res.pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const text = pdfText(res.pdf);
    for (const s of ['住民票の写し', '髙橋 一郎', '髙橋 花子', 'タカハシ イチロウ', '昭和50年3月3日', '世帯主', formatEraDate(TODAY), res.number, '千代田区長', '千代田 太郎', 'この写しは、住民票の原本と相違ないことを証明する。']) {
      expect(text, s).toContain(s);
    }
    expect(formatEraDate(TODAY)).toMatch(/^令和/);
    expect(text).not.toContain('個人番号');

    const code = scanQr(res.pdf);
    expect(code).toMatch(/^MC1\./);
    const answer = await verify(code);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'genuine',
      municipality: { code: CHIYODA, name: '千代田区' },
      kind: 'resident_copy_household',
      title: '住民票の写し',
      certificateNumber: res.number,
      issuedOn: TODAY,
      issuedOnText: formatEraDate(TODAY),
    });
    const json = JSON.stringify(answer.body);
    expect(json).toContain('髙橋 一郎');
    expect(json).not.toContain(family.myNumber);
    expect(myNumbersIn(json)).toEqual([]);
  });

  it('住民票の写し, individual: My Number printed when asked for with standing self_or_household, masked in the verification', async () => {
    const res = await issued(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id], options: { myNumber: true, residentCode: true } });
    const text = pdfText(res.pdf);
    expect(text).toContain('個人番号');
    expect(text.replace(/\s/g, '')).toContain(family.myNumber);
    expect(text).toContain('住民票コード');
    const answer = await verify(scanQr(res.pdf));
    expect(answer.body.status).toBe('genuine');
    const json = JSON.stringify(answer.body);
    expect(json).toContain(MASK);
    expect(json.replace(/\s/g, '')).not.toContain(family.myNumber);
    expect(json).not.toContain(family.head.residentCode);
    expect(myNumbersIn(json)).toEqual([]);
  });

  it('refuses My Number for a third party, naming the field, and uses no number for it', async () => {
    const before = await cellState(CHIYODA);
    const refused = await issue(clerk, { kind: 'resident_copy_individual', standing: 'third_party', residentIds: [family.head.id], options: { myNumber: true } });
    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'item_not_permitted', errors: [{ field: 'body/options/myNumber', rule: 'standing' }] });
    const domicile = await issue(clerk, { kind: 'resident_copy_individual', standing: 'third_party', residentIds: [family.head.id], options: { domicile: true } });
    expect(domicile.body.errors[0].field).toBe('body/options/domicile');
    expect(await cellState(CHIYODA)).toEqual(before);
    // Without the item, a third party gets the copy; and the public body gets the domicile.
    const plain = await issued(clerk, { kind: 'resident_copy_individual', standing: 'third_party', residentIds: [family.head.id] });
    expect(pdfText(plain.pdf)).not.toContain('本籍');
    expect(pdfText((await issued(clerk, { kind: 'resident_copy_individual', standing: 'public_body', residentIds: [family.head.id], options: { domicile: true } })).pdf)).toContain('本籍');
  });

  it('住民票記載事項証明書: the chosen items only, its own number series', async () => {
    const res = await issued(clerk, { kind: 'resident_items', standing: 'third_party', residentIds: [family.wife.id], options: { items: ['dateOfBirth', 'address'] } });
    expect(res.number).toMatch(new RegExp(`^K${YEAR}-[0-9]{6}$`));
    const text = pdfText(res.pdf);
    for (const s of ['住民票記載事項証明書', '髙橋 花子', '昭和52年8月8日', '東京都千代田区千代田一丁目1番1号', '上記のとおり住民票に記載されていることを証明する。']) expect(text, s).toContain(s);
    expect(text).not.toContain('ハナコ');
    expect((await verify(scanQr(res.pdf))).body).toMatchObject({ status: 'genuine', kind: 'resident_items', certificateNumber: res.number });
    const none = await issue(clerk, { kind: 'resident_items', standing: 'third_party', residentIds: [family.wife.id] });
    expect(none.body).toMatchObject({ code: 'certificate_refused', errors: [{ field: 'body/options/items', rule: 'items_missing' }] });
    const wrongKind = await issue(clerk, { kind: 'resident_copy_individual', standing: 'third_party', residentIds: [family.wife.id], options: { items: ['sex'] } });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.errors[0]).toMatchObject({ field: 'body/options/items', rule: 'not_applicable' });
  });

  it('転出証明書: destination and planned date from the move-out, once per move-out; a reprint after revoking the first', async () => {
    const moving = await moveInFamily();
    const out = await fileMoveOut(moving);
    expect(out.status, JSON.stringify(out.body)).toBe(201);
    const moveOut = out.body.moveOutCertificateNumber as string;
    const body = { kind: 'move_out', standing: 'self_or_household', moveOutCertificateNumber: moveOut };
    expect((await issue(clerk, { ...body, standing: 'third_party' })).body.errors[0]).toMatchObject({ field: 'body/standing', rule: 'standing_not_permitted' });
    const res = await issued(clerk, body);
    expect(res.number).toBe(moveOut);
    const text = pdfText(res.pdf);
    for (const s of ['転出証明書', '転出先', '北海道札幌市中央区北一条西二丁目1番地', '転出予定年月日', '令和8年12月1日', '髙橋 一郎', '髙橋 花子', '上記の者は、転出の届出をしたことを証明する。']) expect(text, s).toContain(s);
    const first = scanQr(res.pdf);
    expect((await verify(first)).body.status).toBe('genuine');

    const again = await issue(clerk, body);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('certificate_already_issued');
    expect((await issue(clerk, { ...body, moveOutCertificateNumber: `T${YEAR}-999999` })).status).toBe(404);
    expect((await issue(clerk, { ...body, residentIds: [moving.head.id] })).body.errors[0]).toMatchObject({ field: 'body/residentIds', rule: 'not_applicable' });

    const revoke = await clerk.call('POST', `/v1/certificates/${moveOut}/revocation`, { reasonCode: 'lost' }, CERT);
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(200);
    const reprint = await issued(clerk, body);
    expect(reprint.number).toBe(moveOut);
    expect(reprint.id).not.toBe(res.id);
    expect((await verify(first)).body).toEqual({ status: 'revoked', certificateNumber: moveOut, revokedOn: TODAY });
    expect((await verify(scanQr(reprint.pdf))).body.status).toBe('genuine');
  });

  it('a cancelled move-out revokes its printed certificate, and the cancellation’s audit entry names it', async () => {
    const moving = await moveInFamily();
    const out = await fileMoveOut(moving);
    const number = out.body.moveOutCertificateNumber as string;
    const printed = await issued(clerk, { kind: 'move_out', standing: 'self_or_household', moveOutCertificateNumber: number });
    const cancel = await clerk.call('POST', `/v1/move-out-certificates/${number}/cancellation`, { eventDate: '2026-12-02', householdVersions: [{ householdId: moving.householdId, version: 2 }] }, FILING);
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    expect((await verify(scanQr(printed.pdf))).body).toMatchObject({ status: 'revoked', certificateNumber: number });
    const change = (await auditEntries()).findLast((e) => e.kind === 'personal_data_change')!;
    expect(idsOf(change, 'issued_certificates')).toEqual([printed.id]);
    expect((await issue(clerk, { kind: 'move_out', standing: 'self_or_household', moveOutCertificateNumber: number })).status).toBe(404);
  });

  it('takes the purpose certificate_issue only', async () => {
    const res = await issue(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id] }, FILING);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('purpose_not_allowed');
    expect((await clerk.call('GET', '/v1/certificates', undefined, FILING)).status).toBe(403);
  });
});

describe('verification', () => {
  let code: string;
  let content: CertificateContent;
  let number: string;
  beforeAll(async () => {
    const family = await moveInFamily();
    const res = await issued(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.wife.id] });
    code = scanQr(res.pdf);
    number = res.number;
    const answer = await verify(code);
    content = answer.body.content;
  });

  it('refuses a tampered code, an unknown key, another municipality and garbage, saying nothing else', async () => {
    const [prefix, payload, signature] = code.split('.') as [string, string, string];
    const bytes = Buffer.from(payload, 'base64url');
    bytes[bytes.length - 1]! ^= 1; // the verification token's last bit
    const tampered = await verify(`${prefix}.${bytes.toString('base64url')}.${signature}`);
    expect(tampered.body).toEqual({ status: 'not_genuine', reason: 'bad_signature' });
    const forged = await signCertificate(content, certificateSigner(generateKeyPairSync('ed25519').privateKey));
    expect((await verify(forged.code)).body).toEqual({ status: 'not_genuine', reason: 'unknown_key' });
    // A real municipality that issued nothing here, and a code no municipality has.
    for (const m of ['141003', '999999']) {
      const elsewhere = await signCertificate({ ...content, municipality: { ...content.municipality, code: m } }, certificateSigner(generateKeyPairSync('ed25519').privateKey));
      expect((await verify(elsewhere.code)).body).toEqual({ status: 'not_genuine', reason: 'unknown_key' });
    }
    expect((await verify('MC1.AAAA.BBBB')).body).toEqual({ status: 'not_genuine', reason: 'bad_format' });
    expect((await verify('MC9.AAAA.BBBB')).body).toEqual({ status: 'not_genuine', reason: 'unsupported_version' });
    const tooLong = await verify(`MC1.${'A'.repeat(600)}.B`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0]).toMatchObject({ field: 'body/code', rule: 'maxLength' });
    expect((await call(tp.app, 'POST', '/v1/certificate-verifications', { body: { code: 'MC1.a b.c' } })).status).toBe(400);
  });

  it('answers revoked with the number and date only, after a clerk revokes it; audits each verification anonymously', async () => {
    expect((await sapporoClerk.call('GET', `/v1/certificates?number=${number}`, undefined, CERT)).body.items).toEqual([]);
    expect((await sapporoClerk.call('POST', `/v1/certificates/${number}/revocation`, { reasonCode: 'issued_in_error' }, CERT)).status).toBe(404);
    expect((await verify(code)).body.status).toBe('genuine');
    expect((await officer.call('POST', `/v1/certificates/${number}/revocation`, { reasonCode: 'issued_in_error' }, CERT)).status).toBe(403);
    const revoked = await clerk.call('POST', `/v1/certificates/${number}/revocation`, { reasonCode: 'issued_in_error' }, CERT);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body).toMatchObject({ number, revoked: true, revokedOn: TODAY, revocationReason: 'issued_in_error' });
    expect((await clerk.call('POST', `/v1/certificates/${number}/revocation`, { reasonCode: 'issued_in_error' }, CERT)).body.code).toBe('certificate_revoked');
    expect((await verify(code)).body).toEqual({ status: 'revoked', certificateNumber: number, revokedOn: TODAY });

    const entries = await auditEntries();
    const revocation = entries.findLast((e) => e.kind === 'certificate_revoked')!;
    expect(revocation).toMatchObject({ municipality: CHIYODA, purpose: 'certificate_issue', records: [{ resource: 'issued_certificates', ids: [revoked.body.id] }] });
    const verifications = entries.filter((e) => e.kind === 'certificate_verified');
    const last = verifications.at(-1)!;
    expect(last).toMatchObject({ municipality: CHIYODA, actor: { account: null, roles: [] }, outcome: { result: 'refused', reason: 'revoked' }, records: [{ resource: 'issued_certificates', ids: [revoked.body.id] }] });
    const genuine = verifications.findLast((e) => e.outcome.result === 'success')!;
    expect(idsOf(genuine, 'issued_certificates')).toEqual([revoked.body.id]);
    expect(idsOf(genuine, 'residents')).toHaveLength(1);
    expect(verifications.some((e) => e.municipality === null && e.outcome.reason === 'bad_format' && e.records.length === 0)).toBe(true);
  });
});

describe('support measures (支援措置)', () => {
  it('refuses a suppressed person and audits the attempt; a support-measure officer giving a reason may print it, audited as a disclosure', async () => {
    const family = await moveInFamily();
    expect((await admin.call('PUT', `/v1/residents/${family.wife.id}/support-measure`, { since: '2026-01-01', until: null }, FILING)).status).toBe(200);
    const body = { kind: 'resident_copy_household', standing: 'self_or_household', householdId: family.householdId };
    const before = await cellState(CHIYODA);
    const refused = await issue(clerk, body);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('support_measure_restricted');
    expect((await issue(clerk, { ...body, householdId: undefined, residentIds: [family.wife.id] })).status).toBe(403);
    expect((await issue(officer, body)).status).toBe(403); // no reason given
    expect((await issue(admin, body, { ...CERT, 'municloud-disclosure-reason': 'victim_request' })).status).toBe(403); // not the officer's role
    expect(await cellState(CHIYODA)).toEqual(before);
    const entries = await auditEntries();
    expect(entries.some((e) => e.kind === 'access_refused' && e.outcome.reason === 'support_measure' && idsOf(e, 'residents').includes(family.wife.id))).toBe(true);

    // The head alone is not under the measure: his copy is printed (the household lines name only him).
    expect((await issue(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id] })).status).toBe(201);

    const disclosed = await issued(officer, body, { ...CERT, 'municloud-disclosure-reason': 'victim_request' });
    expect(pdfText(disclosed.pdf)).toContain('髙橋 花子');
    const after = await auditEntries();
    const disclosure = after.findLast((e) => e.kind === 'support_measure_disclosed')!;
    expect(idsOf(disclosure, 'residents')).toEqual([family.wife.id]);
    expect(idsOf(disclosure, 'issued_certificates')).toEqual([disclosed.id]);
    const print = after.findLast((e) => e.kind === 'personal_data_print')!;
    expect(idsOf(print, 'residents').sort()).toEqual([family.head.id, family.wife.id].sort());
    expect(idsOf(print, 'issued_certificates')).toEqual([disclosed.id]);
  });

  it('refuses a certificate that would print a suppressed household head who is not among the persons', async () => {
    const family = await moveInFamily();
    await admin.call('PUT', `/v1/residents/${family.head.id}/support-measure`, { since: '2026-01-01', until: null }, FILING);
    const res = await issue(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.wife.id] });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('support_measure_restricted');
    const refused = (await auditEntries()).findLast((e) => e.kind === 'access_refused')!;
    expect(idsOf(refused, 'residents')).toEqual([family.head.id]);
    // An items certificate that does not print 世帯主・続柄 does not name the head.
    const items = { kind: 'resident_items', standing: 'self_or_household', residentIds: [family.wife.id] };
    const withoutHead = await issued(clerk, { ...items, options: { items: ['dateOfBirth'] } });
    expect(idsOf((await auditEntries()).findLast((e) => e.kind === 'personal_data_print'), 'residents')).toEqual([family.wife.id]);
    expect(pdfText(withoutHead.pdf)).not.toContain('世帯主');
    expect((await issue(clerk, { ...items, options: { items: ['relationship'] } })).status).toBe(403);
  });
});

describe('listing and isolation', () => {
  it('lists numbers, kinds, dates and revocations of the own municipality only, by page and filter', async () => {
    const family = await moveInFamily();
    const a = await issued(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id] });
    const b = await issued(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.wife.id] });
    const byResident = await clerk.call('GET', `/v1/certificates?residentId=${family.head.id}`, undefined, CERT);
    expect(byResident.status).toBe(200);
    expect(byResident.body.items).toEqual([
      { id: a.id, number: a.number, kind: 'resident_copy_individual', issuedOn: TODAY, issuedAt: expect.any(String), issuedBy: expect.any(String), revoked: false, revokedOn: null, revocationReason: null },
    ]);
    const page1 = await clerk.call('GET', '/v1/certificates?limit=1', undefined, CERT);
    expect(page1.body.items[0].id).toBe(b.id);
    const page2 = await clerk.call('GET', `/v1/certificates?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`, undefined, CERT);
    expect(page2.body.items[0].id).toBe(a.id);
    expect(page1.body.total).toBeGreaterThan(5);
    for (const name of NAMES) expect(JSON.stringify(page1.body)).not.toContain(name);
    // Another municipality sees none of it, and cannot print A's residents.
    const sapporo = await sapporoClerk.call('GET', '/v1/certificates', undefined, CERT);
    expect(sapporo.body.items.map((c: { id: string }) => c.id)).not.toContain(a.id);
    expect((await sapporoClerk.call('GET', `/v1/certificates?residentId=${family.head.id}`, undefined, CERT)).body).toMatchObject({ items: [], total: 0 });
    const foreign = await issue(sapporoClerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id] });
    expect(foreign.status).toBe(404);
    expect((await sapporoClerk.call('GET', `/v1/certificates?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`, undefined, CERT)).body.code).toBe('invalid_cursor');
  });
});

describe('failures leave nothing', () => {
  it('a certificate the font cannot print writes no record, no key and draws no number', async () => {
    const before = await cellState(SAPPORO);
    expect(before).toMatchObject({ issued: '0', keys: '0', counters: '' });
    const unprintable = await moveInFamily(sapporoClerk, { ...HOME, prefecture: '北海道', municipality: '札幌市中央区', building: '𠮷ハイツ' });
    const res = await issue(sapporoClerk, { kind: 'resident_copy_household', standing: 'self_or_household', householdId: unprintable.householdId });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'certificate_unprintable', errors: [{ field: 'body/householdId', rule: 'glyph_missing' }] });
    expect(JSON.stringify(res.body)).not.toContain('𠮷');
    expect(await cellState(SAPPORO)).toEqual(before);
    const prints = (await auditEntries()).filter((e) => e.kind === 'personal_data_print' && e.municipality === SAPPORO);
    expect(prints).toEqual([]);

    const fine = await moveInFamily(sapporoClerk, { ...HOME, prefecture: '北海道', municipality: '札幌市中央区' });
    const first = await issued(sapporoClerk, { kind: 'resident_copy_household', standing: 'self_or_household', householdId: fine.householdId });
    expect(first.number).toBe(`J${YEAR}-000001`);
    expect(await cellState(SAPPORO)).toMatchObject({ issued: '1', keys: '1', counters: `J${YEAR}:2` });
  });
});

describe('signing keys', () => {
  it('concurrent first issues create one key', async () => {
    const families = await Promise.all([1, 2, 3, 4].map(() => moveInFamily(yokohamaClerk, { ...HOME, prefecture: '神奈川県', municipality: '横浜市' })));
    // Copies (J) and items certificates (K) draw numbers from different counters, so their transactions do not queue on
    // one counter row: they reach the key at the same time.
    const results = await Promise.all(
      families.map((f, i) =>
        issue(yokohamaClerk, i % 2 === 0 ? { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [f.head.id] } : { kind: 'resident_items', standing: 'self_or_household', residentIds: [f.head.id], options: { items: ['address'] } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.number)).size).toBe(4);
    const keys = await adminQuery<{ key_id: string; state: string }>(tp, 'cell-a', 'SELECT key_id, state FROM cell.certificate_signing_keys WHERE municipality_code = $1', [YOKOHAMA]);
    expect(keys).toEqual([{ key_id: expect.any(String), state: 'active' }]);
    for (const r of results) expect(decodeCertificateCode(scanQr(r.pdf!)).payload.keyId).toBe(keys[0]!.key_id);
  });

  it('two transactions creating a key at once end with one: the second waits on the first and takes its key', async () => {
    await rotateCertificateSigningKey(tp.platform, YOKOHAMA);
    const keys = await tp.platform.keys.forMunicipality(YOKOHAMA);
    const pool = await tp.platform.cells.poolFor(YOKOHAMA);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The first creates the key and holds its transaction open; the second finds no committed key, creates its own and
    // blocks on the unique index until the first commits.
    const first = inTenantTransaction(pool, YOKOHAMA, async (db) => {
      const { keyId } = await certificateSignerFor(db, keys, null);
      await gate;
      return keyId;
    });
    await sleep(300);
    const second = inTenantTransaction(pool, YOKOHAMA, async (db) => (await certificateSignerFor(db, keys, null)).keyId);
    await sleep(300);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(b).toBe(a);
    const active = await adminQuery<{ key_id: string }>(tp, 'cell-a', `SELECT key_id FROM cell.certificate_signing_keys WHERE municipality_code = $1 AND state = 'active'`, [YOKOHAMA]);
    expect(active).toEqual([{ key_id: a }]);
  });

  it('a retired key still verifies what it signed; the next issue signs with a new key', async () => {
    const family = await moveInFamily();
    const old = await issued(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id] });
    const oldCode = scanQr(old.pdf);
    const retired = await rotateCertificateSigningKey(tp.platform, CHIYODA);
    expect(retired).toBe(decodeCertificateCode(oldCode).payload.keyId);
    const fresh = await issued(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.wife.id] });
    const freshCode = scanQr(fresh.pdf);
    expect(decodeCertificateCode(freshCode).payload.keyId).not.toBe(retired);
    expect((await verify(oldCode)).body.status).toBe('genuine');
    expect((await verify(freshCode)).body.status).toBe('genuine');
    const rows = await adminQuery<{ state: string; sealed: boolean }>(
      tp,
      'cell-a',
      'SELECT state, private_key_sealed IS NOT NULL AS sealed FROM cell.certificate_signing_keys WHERE municipality_code = $1 ORDER BY created_at',
      [CHIYODA],
    );
    expect(rows).toEqual([
      { state: 'retired', sealed: false },
      { state: 'active', sealed: true },
    ]);
  });

  it('the sealed private key and view are registered columns: a record-key rotation and rewrap re-seal them, and issuing and verifying go on', async () => {
    expect(SIGNING_PRIVATE_KEY.name).toBe('cell.certificate_signing_keys.private_key_sealed');
    expect(VERIFICATION_VIEW.name).toBe('cell.issued_certificates.view_sealed');
    const family = await moveInFamily();
    const before = await issued(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id] });
    const rotation = await rotateDataKey(tp.platform.keys.deps, CHIYODA);
    const report = await rewrap(
      { control: tp.platform.control, keys: tp.platform.keys, poolFor: (code) => tp.platform.cells.poolFor(code), columns: [SIGNING_PRIVATE_KEY, VERIFICATION_VIEW] },
      { municipalityCode: CHIYODA, settleMs: 0 },
    );
    expect(report.columns.every((c) => c.finished && c.rowsFailed === 0 && c.rowsSeen > 0)).toBe(true);
    const sealed = await adminQuery<{ v: Buffer; k: Buffer }>(
      tp,
      'cell-a',
      `SELECT i.view_sealed AS v, k.private_key_sealed AS k FROM cell.issued_certificates i JOIN cell.certificate_signing_keys k USING (municipality_code, key_id) WHERE i.id = $1`,
      [before.id],
    );
    expect(sealedKeyVersion(sealed[0]!.v)).toBe(rotation.to);
    expect(sealedKeyVersion(sealed[0]!.k)).toBe(rotation.to);
    await tp.platform.keys.forMunicipality(CHIYODA, { fresh: true });
    expect((await verify(scanQr(before.pdf))).body.status).toBe('genuine');
    await issued(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.wife.id] });
  });
});

describe('evidence and confidentiality', () => {
  it('audits every print with the purpose and ids only, and stores no names, numbers or key material in clear', async () => {
    const entries = await auditEntries();
    const prints = entries.filter((e) => e.kind === 'personal_data_print' && e.municipality === CHIYODA);
    expect(prints.length).toBeGreaterThan(10);
    for (const p of prints) {
      expect(p.purpose).toBe('certificate_issue');
      expect(p.records.map((r) => r.resource)).toEqual(['residents', 'issued_certificates']);
      expect(idsOf(p, 'issued_certificates')).toHaveLength(1);
    }
    const audit = JSON.stringify(entries);
    for (const secret of NAMES) expect(audit).not.toContain(secret);
    expect(myNumbersIn(audit)).toEqual([]);

    for (const table of ['issued_certificates', 'certificate_signing_keys']) {
      const rows = await adminQuery(tp, `cell-a`, `SELECT * FROM cell.${table}`);
      const dump = JSON.stringify(rows, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
      for (const secret of [...NAMES, 'PRIVATE KEY', '住民票']) expect(dump, `${table} holds ${secret}`).not.toContain(secret);
      expect(myNumbersIn(dump)).toEqual([]);
    }
    const logs = logLines.join('\n');
    for (const secret of NAMES) expect(logs).not.toContain(secret);
    expect(myNumbersIn(logs)).toEqual([]);
  });
});

describe('crypto-shredding', () => {
  it('voids the municipality’s signing key: its certificates no longer verify and none can be issued', async () => {
    const family = await moveInFamily(yokohamaClerk, { ...HOME, prefecture: '神奈川県', municipality: '横浜市' });
    const res = await issued(yokohamaClerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id] });
    const code = scanQr(res.pdf);
    expect((await verify(code)).body.status).toBe('genuine');
    await shredMunicipality({ control: tp.platform.control, kms: tp.platform.keys.kms, keys: tp.platform.keys }, YOKOHAMA);
    expect((await verify(code)).body).toEqual({ status: 'not_genuine', reason: 'unknown_key' });
    const refused = await issue(yokohamaClerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [family.head.id] });
    expect(refused.status).toBe(410);
    expect(refused.body.code).toBe('keys_destroyed');
    // Other municipalities are untouched.
    expect((await verify(scanQr((await issued(clerk, { kind: 'resident_copy_individual', standing: 'self_or_household', residentIds: [(await moveInFamily()).head.id] })).pdf))).body.status).toBe('genuine');
  });
});
