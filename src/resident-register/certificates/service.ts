/**
 * Certificates as use cases: issue one, revoke one, list them, and the public
 * verification of a scanned code.
 *
 * Issuing runs in one tenant transaction: the persons are read and checked
 * (support measures first), the number is drawn, the municipality's signing key
 * is opened (or created, on the first issue), the content is signed and
 * rendered, and only then are the issued record and the audit entry written.
 * Any refusal or failure before the commit (a character the font lacks, an
 * audit log that cannot record) leaves nothing behind: no number used, no key,
 * no record.
 */
import { generateKeyPairSync, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { findOrganization } from '../../organizations/store.js';
import { inTenantTransaction } from '../../platform/database.js';
import { fieldError, Problem, type FieldError } from '../../platform/errors.js';
import type { Platform } from '../../platform/http/server.js';
import { recordAction } from '../../security/audit/record.js';
import { KeyError, type MunicipalityKeys } from '../../security/keys/index.js';
import { todayInJapan } from '../changes.js';
import { disclosureFor, disclosureReasonOf, inForce, supportMeasureOf } from '../disclosure.js';
import type { Effect } from '../history.js';
import { HEAD, type PlaceOfResidence, type ResidentRecord } from '../record.js';
import { auditRead, householdNow, openChange, openResident, type RegisterRequest } from '../service.js';
import { changeById, householdsById, moveOutCertificate, nextCertificateNumber, residentsById, type ResidentRow, type SupportMeasureRow } from '../store.js';
import { certificateIssuer } from './issuer.js';
import {
  ALLOWED_ITEMS,
  certificateContent,
  CertificateError,
  RESTRICTED_ITEMS,
  type CertificateContent,
  type CertificateKind,
  type ResidentItem,
  type Standing,
} from './model.js';
import { renderCertificatePdf, RenderError } from './render.js';
import { CertificateCodeError, certificateSigner, decodeCertificateCode, keyIdOf, signCertificate, type CertificateSigner } from './seal.js';
import {
  activeSigningKey,
  insertIssuedCertificate,
  insertSigningKey,
  issuedByNumber,
  issuedByTokenHash,
  listIssued,
  retireSigningKey,
  revokeIssuedCertificate,
  signingKeyByKeyId,
  SIGNING_PRIVATE_KEY,
  VERIFICATION_VIEW,
  type IssuedCertificateRow,
  type IssuedFilter,
} from './store.js';
import { issuedCertificateRecord, verifyIssuedCertificate, type VerificationResult } from './verification.js';

/** The legal purpose every certificate route declares (security/access/purposes.ts). */
export const CERTIFICATE_PURPOSE = 'certificate_issue';

/** Number series per kind (cell.certificate_counters); the move-out certificate carries its move-out number (T…). */
export const CERTIFICATE_SERIES: Readonly<Record<Exclude<CertificateKind, 'move_out'>, string>> = {
  resident_copy_household: 'J',
  resident_copy_individual: 'J',
  resident_items: 'K',
};

/** Why an issued certificate is voided. */
export const REVOCATION_REASONS = ['issued_in_error', 'lost', 'reissue', 'content_changed'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface IssueRequest {
  readonly kind: CertificateKind;
  readonly standing: Standing;
  readonly residentIds?: readonly string[] | undefined;
  readonly householdId?: string | undefined;
  readonly moveOutCertificateNumber?: string | undefined;
  readonly options: {
    readonly myNumber?: boolean | undefined;
    readonly domicile?: boolean | undefined;
    readonly residentCode?: boolean | undefined;
    readonly foreignResidentItems?: boolean | undefined;
    readonly items?: readonly ResidentItem[] | undefined;
  };
}

export interface IssuedCertificate {
  readonly id: string;
  readonly number: string;
  readonly kind: CertificateKind;
  readonly pdf: Uint8Array;
}

// ---------------------------------------------------------------- purpose

/**
 * Certificate work is done under the purpose certificate_issue, whatever other
 * purpose of the register the request declared: the purpose is what the audit
 * trail shows the print was for.
 */
export async function requireCertificatePurpose(r: RegisterRequest): Promise<void> {
  if (r.tenant.purpose === CERTIFICATE_PURPOSE) return;
  await r.record('access_refused', { refused: 'purpose_not_allowed', purpose: r.tenant.purpose });
  throw new Problem('purpose_not_allowed', [], {
    ja: '証明書の事務には利用目的 certificate_issue（municloud-purpose ヘッダー）を宣言してください。',
    en: 'Certificate work must declare the purpose certificate_issue (municloud-purpose header).',
  });
}

// ---------------------------------------------------------------- signing keys

/**
 * The municipality's active signing key, created on the first issue: an
 * Ed25519 pair whose private half (PKCS#8 PEM) is sealed with the
 * municipality's record key, so that it opens only through the KMS and only
 * while the municipality's keys exist. Two first issues at once create one key
 * (the partial unique index; see insertSigningKey).
 */
export async function certificateSignerFor(db: pg.ClientBase, keys: MunicipalityKeys, createdBy: string | null): Promise<{ keyId: string; signer: CertificateSigner }> {
  let row = await activeSigningKey(db);
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    const publicKey = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const id = randomUUID();
    const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await insertSigningKey(db, { id, keyId: keyIdOf(publicKey), publicKey, privateKeySealed: await keys.seal(SIGNING_PRIVATE_KEY.field(id), pem), createdBy });
    row = await activeSigningKey(db);
    if (!row) throw new Error('no active certificate signing key after creating one');
  }
  const signer = certificateSigner(await keys.openText(SIGNING_PRIVATE_KEY.field(row.id), row.privateKeySealed!));
  // The sealed private key must be the pair of the public key codes name it by.
  const pub = Buffer.from(signer.publicKey);
  if (pub.length !== row.publicKey.length || !timingSafeEqual(pub, row.publicKey) || keyIdOf(pub) !== row.keyId) throw new KeyError('key_integrity', 'certificate signing key pair mismatch');
  return { keyId: row.keyId, signer };
}

/**
 * Retires a municipality's signing key (e.g. on a schedule, or if it may have
 * leaked): its private half is erased, its public half stays so that the
 * certificates it signed still verify; the next issue creates a new key.
 * Returns the retired key id, or null when there was none.
 */
export async function rotateCertificateSigningKey(platform: Platform, municipalityCode: string): Promise<string | null> {
  return inTenantTransaction(await platform.cells.poolFor(municipalityCode), municipalityCode, (db) => retireSigningKey(db));
}

// ---------------------------------------------------------------- issue

interface Person {
  readonly row: ResidentRow;
  readonly record: ResidentRecord;
}

interface Gathered {
  readonly persons: Person[];
  readonly head: Person;
  readonly moveOut?: { readonly number: string; readonly plannedOn: string; readonly destination: PlaceOfResidence };
}

/** The request's shape beyond what the schema says: which persons a kind is chosen by. */
export function checkIssueShape(b: IssueRequest): void {
  const errors: FieldError[] = [];
  const add = (field: string, rule: string, ja: string, en: string) => errors.push(fieldError(`body/${field}`, rule, { ja, en }));
  if (b.kind === 'move_out') {
    if (!b.moveOutCertificateNumber) add('moveOutCertificateNumber', 'required', '転出証明書番号を指定してください。', 'is required for a move-out certificate');
    for (const k of ['residentIds', 'householdId'] as const) {
      if (b[k] !== undefined) add(k, 'not_applicable', '転出証明書には転出した全員が記載されます（指定できません）。', 'does not apply: a move-out certificate lists the persons of the move-out');
    }
  } else {
    if (b.moveOutCertificateNumber !== undefined) add('moveOutCertificateNumber', 'not_applicable', '転出証明書以外には指定できません。', 'applies to the move-out certificate only');
    if ((b.residentIds === undefined) === (b.householdId === undefined)) {
      add('residentIds', 'one_of', '住民（residentIds）か世帯（householdId）のいずれか一方を指定してください。', 'give either residentIds or householdId');
    }
  }
  if (b.kind !== 'resident_items' && b.options.items !== undefined) {
    add('options/items', 'not_applicable', '記載事項は住民票記載事項証明書にのみ指定できます。', 'applies to resident_items only');
  }
  if (errors.length > 0) throw new Problem('validation_failed', errors);
}

/**
 * Issues a certificate for the request, in its tenant transaction. Refuses
 * with a problem when a person is under a support measure (unless an officer
 * discloses, giving a reason), when the standing does not allow an item, when
 * the issuer is not set, and when the record cannot be printed.
 */
export async function issueCertificate(r: RegisterRequest, b: IssueRequest): Promise<IssuedCertificate> {
  checkIssueShape(b);
  await requireCertificatePurpose(r);
  const code = r.tenant.municipalityCode;
  const issuer = await certificateIssuer(r.platform.control, code);
  if (!issuer) throw new Problem('certificate_issuer_missing');
  const organization = await findOrganization(r.platform.control, code);
  if (!organization) throw new Problem('internal_error');
  const today = todayInJapan();
  const personsField = b.residentIds ? 'body/residentIds' : b.householdId ? 'body/householdId' : 'body/moveOutCertificateNumber';

  try {
    return await r.tenant.run(async (db) => {
      const keys = await r.platform.keys.forMunicipality(code);
      const { persons, head, moveOut } = await gather(db, keys, b, personsField);

      // The 世帯主 is printed in the household lines, or per person, except on an items certificate without 世帯主・続柄.
      const headPrinted = b.kind !== 'resident_items' || (b.options.items ?? []).includes('relationship');
      const printed = [...persons, ...(headPrinted && !persons.some((p) => p.row.id === head.row.id) ? [head] : [])];

      // Support measures before anything else: of the persons, and of a head printed without being one of them.
      const suppressed = new Map<string, SupportMeasureRow>();
      for (const p of printed) {
        const measure = await supportMeasureOf(db, p.row);
        if (measure && inForce(measure, today)) suppressed.set(p.row.id, measure);
      }
      const disclosure = disclosureFor(r.request.principal!, suppressed.size > 0, disclosureReasonOf(r.request));
      if (disclosure.kind === 'withheld') {
        await r.record('access_refused', { refused: 'support_measure', purpose: r.tenant.purpose, records: [{ resource: 'residents', ids: [...suppressed.keys()] }] });
        throw new Problem('support_measure_restricted');
      }
      const withMeasure = (p: Person): ResidentRecord => {
        const m = suppressed.get(p.row.id);
        return { ...p.record, supportMeasure: m ? { since: m.since, until: m.until } : null };
      };

      let number: string;
      if (moveOut) {
        // One valid print per move-out: a reprint (lost, misprinted) needs the earlier one revoked first.
        if ((await issuedByNumber(db, moveOut.number)).some((c) => c.revokedOn === null)) throw alreadyIssued();
        number = moveOut.number;
      } else {
        number = await nextCertificateNumber(db, CERTIFICATE_SERIES[b.kind as Exclude<CertificateKind, 'move_out'>], Number(today.slice(0, 4)));
      }

      let content: CertificateContent;
      try {
        content = certificateContent({
          kind: b.kind,
          municipality: { code, name: organization.name, mayorTitle: issuer.mayorTitle, mayorName: issuer.mayorName },
          certificateNumber: number,
          issuedOn: today,
          standing: b.standing,
          persons: persons.map(withMeasure),
          householdHead: head.record.name,
          options: {
            myNumber: b.options.myNumber ?? false,
            domicile: b.options.domicile ?? false,
            residentCode: b.options.residentCode ?? false,
            foreignResidentItems: b.options.foreignResidentItems ?? false,
            ...(b.options.items ? { items: b.options.items } : {}),
            // The override certificateContent asks for: who disclosed and why, never printed; the audit entry below records it.
            ...(disclosure.kind === 'disclosed' ? { supportMeasureOverride: { approvedBy: r.operatorId, reason: disclosure.reason } } : {}),
          },
          ...(moveOut ? { moveOut: { plannedOn: moveOut.plannedOn, destination: moveOut.destination } } : {}),
        });
      } catch (e) {
        if (e instanceof CertificateError) throw certificateProblem(e, b, personsField);
        throw e;
      }

      const { keyId, signer } = await certificateSignerFor(db, keys, r.operatorId);
      const signed = await signCertificate(content, signer);
      let pdf: Uint8Array;
      try {
        pdf = await renderCertificatePdf(content, { qr: signed.code });
      } catch (e) {
        if (e instanceof RenderError && e.code !== 'invalid_input') {
          // Which character or field is not said: the answer never echoes personal data.
          throw new Problem('certificate_unprintable', [fieldError(personsField, e.code, { ja: '記載事項を印字できません。', en: 'the record cannot be printed' })]);
        }
        throw e;
      }

      const id = randomUUID();
      const record = issuedCertificateRecord(content, signed.payload);
      await insertIssuedCertificate(db, {
        id,
        number,
        kind: b.kind,
        issuedOn: today,
        issuedBy: r.operatorId,
        residentIds: persons.map((p) => p.row.id),
        keyId,
        tokenHash: Buffer.from(record.tokenHash, 'base64url'),
        contentDigest: Buffer.from(record.contentDigest, 'base64url'),
        viewSealed: await keys.seal(VERIFICATION_VIEW.field(id), JSON.stringify(record.view)),
      });

      // Everyone whose data is printed: the persons, and the head where the certificate names them.
      const issued = { resource: 'issued_certificates', ids: [id] };
      await auditRead(r, db, 'personal_data_print', printed.map((p) => p.row.id), [issued]);
      if (disclosure.kind === 'disclosed') {
        await r.record('support_measure_disclosed', { purpose: r.tenant.purpose, records: [{ resource: 'residents', ids: [...suppressed.keys()] }, issued] });
      }
      return { id, number, kind: b.kind, pdf };
    });
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    // Two prints of one move-out at once: the partial unique index lets one through.
    if (e.code === '23505' && e.constraint === 'issued_certificates_one_valid_per_number') throw alreadyIssued();
    throw err;
  }
}

function alreadyIssued(): Problem {
  return new Problem('certificate_already_issued', [
    fieldError('body/moveOutCertificateNumber', 'not_issued_yet', { ja: 'この転出証明書は交付済みです。', en: 'a valid certificate with this number exists' }),
  ]);
}

/** The persons the request names, in print order, with the household head. */
async function gather(db: pg.ClientBase, keys: MunicipalityKeys, b: IssueRequest, personsField: string): Promise<Gathered> {
  const open = async (rows: readonly ResidentRow[]) => Promise.all(rows.map(async (row) => ({ row, record: await openResident(keys, row) })));

  if (b.kind === 'move_out') {
    const found = await moveOutCertificate(db, b.moveOutCertificateNumber!);
    // A cancelled move-out certifies nothing: answered like a number never issued.
    if (!found || found.cancelled) {
      throw new Problem('not_found', [fieldError('body/moveOutCertificateNumber', 'move_out', { ja: 'この番号の転出（取消されていないもの）はありません。', en: 'no move-out in force has this number' })]);
    }
    const change = await changeById(db, found.changeId);
    if (!change) throw new Problem('history_inconsistent');
    const { effects } = await openChange(keys, change);
    // The destination and the planned date are those the move-out filing recorded (its close effects).
    const close = effects.find((e): e is Extract<Effect, { op: 'close' }> => e.op === 'close' && found.residentIds.includes(e.personId));
    if (!close || close.destination === null) throw certificateRefused('body/moveOutCertificateNumber', 'move_out_details');
    const rows = await residentsById(db, found.residentIds);
    if (rows.length !== found.residentIds.length) throw new Problem('history_inconsistent');
    const persons = (await open(rows)).sort(
      (a, c) => Number(c.record.relationship === HEAD) - Number(a.record.relationship === HEAD) || a.record.dateOfBirth.localeCompare(c.record.dateOfBirth) || a.row.id.localeCompare(c.row.id),
    );
    const householdId = persons[0]!.record.householdId;
    // The head then: the move-out may have named a new head for those who stay.
    const rehead = effects.find((e): e is Extract<Effect, { op: 'rehead' }> => e.op === 'rehead' && e.householdId === householdId);
    const [household] = await householdsById(db, [householdId]);
    if (!household) throw new Problem('history_inconsistent');
    const head = await headOf(db, persons, rehead?.previousHeadId ?? household.headId, open);
    return { persons, head, moveOut: { number: found.number, plannedOn: close.on, destination: close.destination } };
  }

  if (b.householdId !== undefined) {
    const [household] = await householdsById(db, [b.householdId]);
    if (!household) throw new Problem('not_found');
    const view = await householdNow(db, keys, household);
    if (view.members.length === 0) throw certificateRefused(personsField, 'no_persons');
    const rows = new Map((await residentsById(db, view.members.map((m) => m.id))).map((row) => [row.id, row]));
    const persons = view.members.map((record) => ({ row: rows.get(record.id)!, record }));
    return { persons, head: await headOf(db, persons, household.headId, open) };
  }

  const ids = b.residentIds!;
  const rows = new Map((await residentsById(db, ids)).map((row) => [row.id, row]));
  // Another municipality's resident is answered exactly like one that does not exist.
  if (rows.size !== ids.length) throw new Problem('not_found');
  const persons = await open(ids.map((id) => rows.get(id)!));
  const [household] = await householdsById(db, [persons[0]!.record.householdId]);
  if (!household) throw new Problem('history_inconsistent');
  return { persons, head: await headOf(db, persons, household.headId, open) };
}

async function headOf(db: pg.ClientBase, persons: readonly Person[], headId: string, open: (rows: readonly ResidentRow[]) => Promise<Person[]>): Promise<Person> {
  const among = persons.find((p) => p.row.id === headId);
  if (among) return among;
  const [row] = await residentsById(db, [headId]);
  if (!row) throw new Problem('history_inconsistent');
  return (await open([row]))[0]!;
}

function certificateRefused(field: string, rule: string): Problem {
  const messages: Record<string, { ja: string; en: string }> = {
    standing_not_permitted: { ja: '転出証明書は本人または同一世帯の者にのみ交付します。', en: 'a move-out certificate is issued to the persons moving out or their household only' },
    one_household: { ja: '一通の証明書には一つの世帯の住民を記載します。', en: 'a certificate lists persons of one household' },
    current_record: { ja: '消除された住民（除票）は記載できません。', en: 'closed records (除票) cannot be listed on this certificate' },
    no_persons: { ja: '記載する住民がいません。', en: 'there is nobody to list' },
    move_out_details: { ja: '転出先・転出予定年月日が記録されていません。', en: 'the move-out has no destination or planned date' },
    items_missing: { ja: '氏名のほかに証明する事項を一つ以上指定してください。', en: 'name at least one item besides the name' },
    invalid_request: { ja: '証明書の作成に必要な情報が不足しています。', en: 'the certificate cannot be made from this request' },
  };
  return new Problem('certificate_refused', [fieldError(field, rule, messages[rule] ?? messages.invalid_request!)]);
}

/** A refusal of certificateContent as the problem that names the field and the rule. */
function certificateProblem(e: CertificateError, b: IssueRequest, personsField: string): Problem {
  switch (e.code) {
    case 'support_measure_refused':
      return new Problem('support_measure_restricted');
    case 'item_not_permitted': {
      const item = RESTRICTED_ITEMS.find((i) => b.options[i] === true && !ALLOWED_ITEMS[b.standing].includes(i)) ?? 'myNumber';
      return new Problem('item_not_permitted', [
        fieldError(`body/options/${item}`, 'standing', { ja: '請求者の資格（standing）では記載できない事項です。', en: `may not be printed for a ${b.standing} request` }),
      ]);
    }
    case 'standing_not_permitted':
      return certificateRefused('body/standing', 'standing_not_permitted');
    case 'household_mismatch':
      return certificateRefused(personsField, 'one_household');
    case 'closed_record':
      return certificateRefused(personsField, 'current_record');
    case 'no_persons':
      return certificateRefused(personsField, 'no_persons');
    case 'move_out_details_missing':
      return certificateRefused('body/moveOutCertificateNumber', 'move_out_details');
    case 'items_missing':
      return certificateRefused('body/options/items', 'items_missing');
    case 'invalid_date':
    case 'invalid_character':
      return new Problem('certificate_unprintable', [fieldError(personsField, e.code, { ja: '記載事項を印字できません。', en: 'the record cannot be printed' })]);
    case 'invalid_request':
      return certificateRefused('body', 'invalid_request');
  }
}

// ---------------------------------------------------------------- revoke, list

/** Revokes the valid certificate printed under a number. 404 when none was; 409 when it is revoked already. */
export async function revokeCertificate(r: RegisterRequest, number: string, reason: RevocationReason): Promise<IssuedCertificateRow> {
  await requireCertificatePurpose(r);
  return r.tenant.run(async (db) => {
    const prints = await issuedByNumber(db, number, { lock: true });
    if (prints.length === 0) throw new Problem('not_found');
    const valid = prints.find((c) => c.revokedOn === null);
    if (!valid) throw new Problem('certificate_revoked');
    await revokeIssuedCertificate(db, valid.id, { revokedOn: todayInJapan(), revokedBy: r.operatorId, reason });
    await r.record('certificate_revoked', { purpose: r.tenant.purpose, records: [{ resource: 'issued_certificates', ids: [valid.id] }] });
    const [after] = (await issuedByNumber(db, number)).filter((c) => c.id === valid.id);
    return after!;
  });
}

/** Issued certificates, newest first; audited as a search with the ids listed. */
export async function listCertificates(r: RegisterRequest, filter: IssuedFilter, page: { limit: number; beforeSeq?: number }) {
  await requireCertificatePurpose(r);
  return r.tenant.run(async (db) => {
    const result = await listIssued(db, filter, page);
    await r.record('personal_data_search', {
      purpose: r.tenant.purpose,
      records: [{ resource: 'issued_certificates', ids: result.items.map((c) => c.id) }, ...(filter.residentId ? [{ resource: 'residents', ids: [filter.residentId] }] : [])],
    });
    return result;
  });
}

// ---------------------------------------------------------------- public verification

/**
 * Verifies a scanned code for whoever holds the paper (no login). The code
 * names its municipality; the lookups run in a tenant transaction for that
 * municipality on its cell, so row-level security confines them as for any
 * request. A municipality that is unknown or not placed, a key it never had, a
 * shredded municipality: all `not_genuine` (`unknown_key`), answered like any
 * forgery. Each verification is audited (certificate_verified): the issued
 * certificate and its residents when one was found, the outcome otherwise.
 */
export async function verifyCertificate(platform: Platform, request: FastifyRequest, code: string): Promise<VerificationResult> {
  const audit = (result: VerificationResult, municipality: string | null, found: IssuedCertificateRow | null) =>
    recordAction(platform, request, 'certificate_verified', {
      municipality,
      records: found
        ? [{ resource: 'issued_certificates', ids: [found.id] }, ...(result.status === 'genuine' ? [{ resource: 'residents', ids: found.residentIds }] : [])]
        : [],
      ...(result.status === 'genuine' ? {} : { refused: result.status === 'revoked' ? 'revoked' : result.reason }),
    });

  let claimed: string;
  try {
    claimed = decodeCertificateCode(code).payload.municipalityCode;
  } catch (e) {
    if (!(e instanceof CertificateCodeError)) throw e;
    const result: VerificationResult = { status: 'not_genuine', reason: e.code };
    await audit(result, null, null);
    return result;
  }
  const pool = await placedPool(platform, claimed);
  if (!pool) {
    const result: VerificationResult = { status: 'not_genuine', reason: 'unknown_key' };
    await audit(result, null, null);
    return result;
  }

  return inTenantTransaction(pool, claimed, async (db) => {
    let keys: MunicipalityKeys | null = null;
    let found: IssuedCertificateRow | null = null;
    const result = await verifyIssuedCertificate(code, {
      publicKey: async (municipalityCode, keyId) => {
        if (municipalityCode !== claimed) return undefined;
        const row = await signingKeyByKeyId(db, keyId);
        if (!row) return undefined;
        // Only a municipality that has issued certificates gets here, so this never provisions keys for a stranger.
        try {
          keys = await platform.keys.forMunicipality(municipalityCode);
        } catch (e) {
          // Crypto-shredded: its certificates no longer verify (the view could not be opened either).
          if (e instanceof KeyError && e.code === 'keys_destroyed') return undefined;
          throw e;
        }
        return new Uint8Array(row.publicKey);
      },
      issued: async (municipalityCode, tokenHash) => {
        if (municipalityCode !== claimed || !keys) return undefined;
        const row = await issuedByTokenHash(db, Buffer.from(tokenHash, 'base64url'));
        if (!row) return undefined;
        found = row;
        const view = JSON.parse(await keys.openText(VERIFICATION_VIEW.field(row.id), row.viewSealed)) as CertificateContent;
        return { municipalityCode, tokenHash, contentDigest: row.contentDigest.toString('base64url'), view, revokedOn: row.revokedOn };
      },
    });
    await audit(result, claimed, found);
    return result;
  });
}

/** The cell of a municipality that a code names, or null when it is not one we hold. */
async function placedPool(platform: Platform, municipalityCode: string): Promise<pg.Pool | null> {
  const organization = await findOrganization(platform.control, municipalityCode);
  if (!organization) return null;
  try {
    return await platform.cells.poolFor(municipalityCode);
  } catch (e) {
    if (e instanceof Problem && e.code === 'municipality_not_placed') return null;
    throw e;
  }
}
