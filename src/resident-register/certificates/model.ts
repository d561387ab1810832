/**
 * What a certificate prints: the request (who, what, for whom) and the pure
 * decision `certificateContent(request)` that turns it into the exact lines
 * and fields a certificate shows, in Japanese, with Japanese-era dates.
 *
 * That content is the single source of truth: the PDF renderer draws it and
 * nothing else, and the signed QR code covers its SHA-256 digest (./seal.ts),
 * so the public verification endpoint can answer with it and reveal nothing
 * that is not on the paper.
 *
 * Rules decided here (see docs/certificates.md):
 * - A person under a support measure (支援措置) is refused unless the request
 *   carries an explicit, named override.
 * - 個人番号, 住民票コード, 本籍・筆頭者 and the foreign-resident items print only
 *   when the request asks for them AND the requester's standing allows it;
 *   asking without the standing is an error, not a silent omission.
 * - The copies and the items certificate are for current records (a closed
 *   record's copy is a 除票の写し, a different certificate); the move-out
 *   certificate is for the persons of one household moving out.
 */

import { isWellFormedCode } from '../../organizations/local-government-code.js';
import type { Address, PersonName, PlaceOfResidence, ResidentRecord } from '../record.js';
import { EraDateError, formatEraDate } from './era.js';

export const CERTIFICATE_KINDS = ['resident_copy_household', 'resident_copy_individual', 'resident_items', 'move_out'] as const;
/**
 * - resident_copy_household: 住民票の写し, household list (連記式), up to 4 persons a page
 * - resident_copy_individual: 住民票の写し, individual (個人票), one person per A4 page
 * - resident_items: 住民票記載事項証明書, the chosen items only
 * - move_out: 転出証明書
 */
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];

export const CERTIFICATE_TITLES: Readonly<Record<CertificateKind, string>> = {
  resident_copy_household: '住民票の写し',
  resident_copy_individual: '住民票の写し',
  resident_items: '住民票記載事項証明書',
  move_out: '転出証明書',
};

/**
 * Who asks, which decides what may be printed (住民基本台帳法 第12条・第12条の2・第12条の3):
 * - self_or_household: the person or a member of the same household (Art. 12)
 * - public_body: a state or local body acting under a law (Art. 12-2)
 * - third_party: anyone else with a legitimate reason (Art. 12-3)
 * Working assumption (unconfirmed in detail): 個人番号 and 住民票コード only for
 * self_or_household; 本籍・筆頭者 and the foreign-resident items for
 * self_or_household and public_body, never for third_party. See ALLOWED_ITEMS.
 */
export const STANDINGS = ['self_or_household', 'public_body', 'third_party'] as const;
export type Standing = (typeof STANDINGS)[number];

/** Items that print only on request and only for some standings; each is a flag of CertificateOptions. */
export const RESTRICTED_ITEMS = ['myNumber', 'residentCode', 'domicile', 'foreignResidentItems'] as const;
export type RestrictedItem = (typeof RESTRICTED_ITEMS)[number];

export const ALLOWED_ITEMS: Readonly<Record<Standing, readonly RestrictedItem[]>> = {
  self_or_household: ['myNumber', 'residentCode', 'domicile', 'foreignResidentItems'],
  public_body: ['domicile', 'foreignResidentItems'],
  third_party: [],
};

/**
 * Items a 住民票記載事項証明書 can certify (besides the name, always printed, and
 * the restricted items, chosen through the options). 'relationship' is 世帯主・続柄.
 */
export const RESIDENT_ITEMS = ['kana', 'dateOfBirth', 'sex', 'relationship', 'address', 'residentSince', 'addressSince', 'previousAddress'] as const;
export type ResidentItem = (typeof RESIDENT_ITEMS)[number];

export interface MunicipalityIssuer {
  /** 地方公共団体コード, six digits with check digit, e.g. 131016 */
  readonly code: string;
  /** e.g. 千代田区 */
  readonly name: string;
  /** e.g. 千代田区長 */
  readonly mayorTitle: string;
  /** e.g. 山田 一郎 */
  readonly mayorName: string;
}

export interface CertificateOptions {
  readonly myNumber: boolean;
  readonly domicile: boolean;
  readonly residentCode: boolean;
  /** 国籍・地域, 在留資格, 在留期間等の満了の日, 在留カード等の番号 (foreign residents only); default false. */
  readonly foreignResidentItems?: boolean;
  /** resident_items only: which items to certify (the name is always printed). */
  readonly items?: readonly ResidentItem[];
  /**
   * Issue for persons under a support measure all the same (e.g. the victim's
   * own request, checked in person). Explicit and named so it is auditable;
   * never printed.
   */
  readonly supportMeasureOverride?: { readonly approvedBy: string; readonly reason: string };
}

export interface CertificateRequest {
  readonly kind: CertificateKind;
  readonly municipality: MunicipalityIssuer;
  /** As the municipality numbers its certificates, e.g. 2026-000123; at most 64 bytes of UTF-8. */
  readonly certificateNumber: string;
  /** YYYY-MM-DD */
  readonly issuedOn: string;
  readonly standing: Standing;
  /** In the order they are to be printed (the register's order: head first). */
  readonly persons: readonly ResidentRecord[];
  /** 世帯主: printed in the header (household layout, move-out) or per person (individual layout). */
  readonly householdHead: PersonName;
  readonly options: CertificateOptions;
  /** move_out only. */
  readonly moveOut?: { readonly plannedOn: string; readonly destination: PlaceOfResidence };
}

export type CertificateErrorCode =
  | 'support_measure_refused'
  | 'item_not_permitted'
  | 'standing_not_permitted'
  | 'no_persons'
  | 'household_mismatch'
  | 'closed_record'
  | 'move_out_details_missing'
  | 'items_missing'
  | 'invalid_request'
  | 'invalid_date'
  | 'invalid_character';

export class CertificateError extends Error {
  constructor(
    readonly code: CertificateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CertificateError';
  }
}

/** Keys of printed fields; the label is the Japanese text printed beside the value. */
export type FieldKey =
  | 'name'
  | 'kana'
  | 'alias'
  | 'dateOfBirth'
  | 'sex'
  | 'relationship'
  | 'householdHead'
  | 'address'
  | 'residentSince'
  | 'addressSince'
  | 'previousAddress'
  | 'domicile'
  | 'domicileHead'
  | 'nationality'
  | 'residenceStatus'
  | 'residencePeriodEnd'
  | 'residenceCardNumber'
  | 'myNumber'
  | 'residentCode'
  | 'moveOutDestination'
  | 'moveOutPlannedOn';

export interface PrintedField {
  readonly key: FieldKey;
  readonly label: string;
  readonly value: string;
}

export interface PrintedPerson {
  readonly fields: readonly PrintedField[];
}

export type CertificateLayout = 'household' | 'individual';

/**
 * Everything a certificate prints, and nothing else (page numbers and the QR
 * caption are layout, not content). Plain JSON (strings and integers only) so
 * it has one canonical form to digest and can be stored as is for the
 * verification endpoint.
 */
export interface CertificateContent {
  readonly format: 'municloud.certificate/1';
  readonly kind: CertificateKind;
  readonly layout: CertificateLayout;
  readonly title: string;
  readonly municipality: { readonly code: string; readonly name: string };
  readonly issuer: { readonly title: string; readonly name: string };
  readonly certificateNumber: string;
  /** YYYY-MM-DD, and as printed: 令和8年11月21日 */
  readonly issuedOn: string;
  readonly issuedOnText: string;
  /** Household-wide lines above the persons: 住所, 世帯主 (household copy, move-out), 転出先 and 転出予定年月日 (move-out). Empty otherwise: the individual layout prints them per person, the items certificate only as chosen items. */
  readonly header: readonly PrintedField[];
  readonly persons: readonly PrintedPerson[];
  /** The certifying sentence, printed above the date and the issuer. */
  readonly statement: string;
}

const STATEMENTS: Readonly<Record<CertificateKind, string>> = {
  resident_copy_household: 'この写しは、住民票の原本と相違ないことを証明する。',
  resident_copy_individual: 'この写しは、住民票の原本と相違ないことを証明する。',
  // Wording of the next two is the usual one, not a quoted standard (unconfirmed).
  resident_items: '上記のとおり住民票に記載されていることを証明する。',
  move_out: '上記の者は、転出の届出をしたことを証明する。',
};

/** The longest certificate number, in bytes of UTF-8: also what the signed code's payload can carry (./seal.ts). */
export const MAX_CERTIFICATE_NUMBER_BYTES = 64;

/** Decides what the certificate prints. Pure; throws CertificateError when the request must be refused. */
export function certificateContent(request: CertificateRequest): CertificateContent {
  checkRequest(request);
  const { kind, options } = request;
  const layout: CertificateLayout = kind === 'resident_copy_individual' ? 'individual' : 'household';
  const items = printedItems(request);
  const head = nameText(request.householdHead);
  const first = request.persons[0]!;

  const header: PrintedField[] = [];
  if (kind === 'resident_copy_household' || kind === 'move_out') {
    header.push(field('address', '住所', addressText(first.address)), field('householdHead', '世帯主', head));
    if (kind === 'move_out') {
      const moveOut = request.moveOut!;
      header.push(field('moveOutDestination', '転出先', placeText(moveOut.destination)), field('moveOutPlannedOn', '転出予定年月日', eraDate(moveOut.plannedOn, 'moveOut.plannedOn')));
    }
  }

  const persons = request.persons.map((p, i): PrintedPerson => {
    const at = `persons[${i}]`;
    const fields: PrintedField[] = [];
    const has = (item: ResidentItem) => items.has(item);
    fields.push(field('name', '氏名', nameText(p.name)));
    if (has('kana')) fields.push(field('kana', 'フリガナ', kanaText(p.name)));
    if (p.foreign?.alias) fields.push(field('alias', '通称', `${p.foreign.alias.name}（${p.foreign.alias.kana}）`));
    if (has('dateOfBirth')) fields.push(field('dateOfBirth', '生年月日', eraDate(p.dateOfBirth, `${at}.dateOfBirth`)));
    if (has('sex')) fields.push(field('sex', '性別', p.sex === 'male' ? '男' : '女'));
    if (layout === 'individual' || (kind === 'resident_items' && has('relationship'))) fields.push(field('householdHead', '世帯主', head));
    if (has('relationship')) fields.push(field('relationship', '続柄', p.relationship));
    if (layout === 'individual' || (kind === 'resident_items' && has('address'))) fields.push(field('address', '住所', addressText(p.address)));
    if (has('residentSince')) fields.push(field('residentSince', '住民となった年月日', eraDate(p.residentSince, `${at}.residentSince`)));
    if (has('addressSince')) {
      const filed = p.moveInFiledOn ? `（届出 ${eraDate(p.moveInFiledOn, `${at}.moveInFiledOn`)}）` : '';
      fields.push(field('addressSince', '住所を定めた年月日', eraDate(p.addressSince, `${at}.addressSince`) + filed));
    }
    if (has('previousAddress')) fields.push(field('previousAddress', '前住所', p.previousResidence ? placeText(p.previousResidence) : ''));
    // Foreign residents have no 本籍 (their nationality is among the foreign-resident items); a national's unknown 本籍 prints blank.
    if (options.domicile && !p.foreign) {
      fields.push(field('domicile', '本籍', p.domicile?.place ?? ''), field('domicileHead', '筆頭者', p.domicile?.head ?? ''));
    }
    if (options.foreignResidentItems && p.foreign) {
      const f = p.foreign;
      fields.push(
        field('nationality', '国籍・地域', nationalityText(f.nationality)),
        field('residenceStatus', '在留資格', f.residenceStatus),
        field('residencePeriodEnd', '在留期間等の満了の日', f.residencePeriodEnd ? eraDate(f.residencePeriodEnd, `${at}.foreign.residencePeriodEnd`) : ''),
        field('residenceCardNumber', '在留カード等の番号', f.residenceCardNumber),
      );
    }
    if (options.myNumber) fields.push(field('myNumber', '個人番号', p.myNumber ? myNumberText(p.myNumber) : ''));
    if (options.residentCode) fields.push(field('residentCode', '住民票コード', p.residentCode));
    return { fields };
  });

  const content: CertificateContent = {
    format: 'municloud.certificate/1',
    kind,
    layout,
    title: CERTIFICATE_TITLES[kind],
    municipality: { code: request.municipality.code, name: request.municipality.name },
    issuer: { title: request.municipality.mayorTitle, name: request.municipality.mayorName },
    certificateNumber: request.certificateNumber,
    issuedOn: request.issuedOn,
    issuedOnText: eraDate(request.issuedOn, 'issuedOn'),
    header,
    persons,
    statement: STATEMENTS[kind],
  };
  checkCharacters(content);
  return content;
}

/** Which of the unrestricted items a kind prints. */
function printedItems(request: CertificateRequest): ReadonlySet<ResidentItem> {
  switch (request.kind) {
    case 'resident_copy_household':
    case 'resident_copy_individual':
      return new Set(['kana', 'dateOfBirth', 'sex', 'relationship', 'residentSince', 'addressSince', 'previousAddress']);
    case 'resident_items':
      return new Set(request.options.items ?? []);
    case 'move_out':
      return new Set(['kana', 'dateOfBirth', 'sex', 'relationship']);
  }
}

function checkRequest(request: CertificateRequest): void {
  const { kind, persons, options, municipality } = request;
  if (!(CERTIFICATE_KINDS as readonly string[]).includes(kind)) throw new CertificateError('invalid_request', `unknown certificate kind ${JSON.stringify(kind)}`);
  if (!(STANDINGS as readonly string[]).includes(request.standing)) throw new CertificateError('invalid_request', `unknown standing ${JSON.stringify(request.standing)}`);
  if (!isWellFormedCode(municipality.code)) throw new CertificateError('invalid_request', `municipality code ${JSON.stringify(municipality.code)} is not a valid local public body code`);
  for (const [key, value] of Object.entries({ 'municipality.name': municipality.name, 'municipality.mayorTitle': municipality.mayorTitle, 'municipality.mayorName': municipality.mayorName })) {
    if (value.trim() === '') throw new CertificateError('invalid_request', `${key} is empty`);
  }
  const numberBytes = Buffer.byteLength(request.certificateNumber, 'utf8');
  if (request.certificateNumber.trim() === '' || numberBytes > MAX_CERTIFICATE_NUMBER_BYTES || /[\p{Cc}\s]/u.test(request.certificateNumber)) {
    throw new CertificateError('invalid_request', `certificate number must be 1–${MAX_CERTIFICATE_NUMBER_BYTES} bytes of UTF-8 without spaces or control characters`);
  }
  if (persons.length === 0) throw new CertificateError('no_persons', 'a certificate needs at least one person');

  // Support measures first: a refusal must not depend on anything else in the request.
  const suppressed = persons.filter((p) => p.supportMeasure !== null);
  if (suppressed.length > 0) {
    const override = options.supportMeasureOverride;
    if (!override || override.approvedBy.trim() === '' || override.reason.trim() === '') {
      throw new CertificateError('support_measure_refused', `${suppressed.length} of the persons are under a support measure (支援措置); issuing needs an explicit override`);
    }
  }

  if (kind === 'move_out' && request.standing !== 'self_or_household') {
    throw new CertificateError('standing_not_permitted', 'a move-out certificate is issued only to the persons moving out or their household');
  }
  const allowed = ALLOWED_ITEMS[request.standing];
  for (const item of RESTRICTED_ITEMS) {
    if (options[item] === true && !allowed.includes(item)) {
      throw new CertificateError('item_not_permitted', `${item} may not be printed for a ${request.standing} request`);
    }
  }

  // One household per certificate, for every kind: the 世帯主 printed is that household's.
  if (!persons.every((p) => p.householdId === persons[0]!.householdId)) {
    throw new CertificateError('household_mismatch', 'a certificate lists persons of one household (issue one per household)');
  }
  if (kind === 'move_out') {
    if (!request.moveOut) throw new CertificateError('move_out_details_missing', 'a move-out certificate needs the planned date and the destination');
    const notMoving = persons.filter((p) => p.state === 'closed' && p.closed?.reason !== 'moved_out');
    if (notMoving.length > 0) throw new CertificateError('closed_record', 'a move-out certificate is for current records or records closed by the move-out');
  } else {
    if (persons.some((p) => p.state !== 'current')) {
      throw new CertificateError('closed_record', 'closed records (除票) have their own certificate; this one is for current records');
    }
  }
  if (kind === 'resident_items') {
    const chosen = options.items ?? [];
    if (chosen.length === 0 && !RESTRICTED_ITEMS.some((item) => options[item])) {
      throw new CertificateError('items_missing', 'a 住民票記載事項証明書 needs at least one item besides the name');
    }
    for (const item of chosen) {
      if (!(RESIDENT_ITEMS as readonly string[]).includes(item)) throw new CertificateError('invalid_request', `unknown item ${JSON.stringify(item)}`);
    }
  }
}

function field(key: FieldKey, label: string, value: string): PrintedField {
  return { key, label, value };
}

function eraDate(isoDate: string, path: string): string {
  try {
    return formatEraDate(isoDate);
  } catch (e) {
    if (e instanceof EraDateError) throw new CertificateError('invalid_date', `${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** 山田 太郎 (family and given name, a space between). */
export function nameText(name: PersonName): string {
  return [name.family, name.given].filter((s) => s !== '').join(' ');
}

export function kanaText(name: PersonName): string {
  return [name.familyKana, name.givenKana].filter((s) => s !== '').join(' ');
}

/** 東京都千代田区千代田一丁目1番1号 方書 */
export function addressText(a: Address): string {
  const main = `${a.prefecture}${a.municipality}${a.town}${a.block}`;
  return a.building ? `${main} ${a.building}` : main;
}

export function placeText(p: PlaceOfResidence): string {
  return p.kind === 'domestic' ? addressText(p.address) : `国外（${p.country}） ${p.text}`.trimEnd();
}

const regionNames = new Intl.DisplayNames(['ja'], { type: 'region', fallback: 'code' });

/** ISO 3166-1 alpha-2 → the Japanese name (韓国, 米国 …) from ICU; XX is 無国籍. */
export function nationalityText(code: string): string {
  if (code === 'XX') return '無国籍';
  if (!/^[A-Z]{2}$/.test(code)) return code;
  return regionNames.of(code) ?? code;
}

/** 1234 5678 9018 */
export function myNumberText(n: string): string {
  return n.replace(/(\d{4})(?=\d)/g, '$1 ');
}

// Private-use code points are municipality-specific "gaiji" that other systems cannot read; lone surrogates are not text at all.
const PRIVATE_USE = /[\uE000-\uF8FF\u{F0000}-\u{FFFFD}\u{100000}-\u{10FFFD}]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\p{Cc}]/u;

function checkCharacters(content: CertificateContent): void {
  const check = (path: string, s: string) => {
    if (PRIVATE_USE.test(s)) throw new CertificateError('invalid_character', `${path}: private-use character (外字) cannot be printed; store the standard character`);
    if (LONE_SURROGATE.test(s)) throw new CertificateError('invalid_character', `${path}: broken Unicode (lone surrogate)`);
    if (CONTROL.test(s)) throw new CertificateError('invalid_character', `${path}: control character`);
  };
  check('municipality.name', content.municipality.name);
  check('issuer.title', content.issuer.title);
  check('issuer.name', content.issuer.name);
  check('certificateNumber', content.certificateNumber);
  content.header.forEach((f) => check(`header.${f.key}`, f.value));
  content.persons.forEach((p, i) => p.fields.forEach((f) => check(`persons[${i}].${f.key}`, f.value)));
}
