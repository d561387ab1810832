/**
 * Checking and normalizing what a filing says about a person, an address or a
 * place of residence. Pure: input in, normalized value or field errors out.
 * Error messages name the field and the rule, never the value sent.
 */
import { parseEraDate } from '../text/era-dates.js';
import { digitsOnly, normalizeKanaReading, normalizePostalCode, normalizeText } from '../text/japanese.js';
import type { Findings } from './findings.js';
import { isValidMyNumber, normalizeResidenceCardNumber } from './identifiers.js';
import {
  RELATIONSHIPS,
  SEXES,
  type Address,
  type Domicile,
  type ForeignResidentItems,
  type PersonInput,
  type PersonName,
  type PlaceOfResidence,
  type Relationship,
  type ResidentFlags,
  type Sex,
} from './record.js';

// Private-use code points (外字) are never stored: the standard character set replaced them.
const PRIVATE_USE = /[\ue000-\uf8ff\u{f0000}-\u{10ffff}]/u;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Free text of a name or address: NFKC, single spaces, no control or private-use characters. */
export function text(f: Findings, path: string, value: string, max: number, required = true): string {
  const t = normalizeText(value ?? '');
  if (CONTROL.test(value ?? '') || PRIVATE_USE.test(t)) {
    f.add(path, 'characters', '使用できない文字（制御文字・外字）が含まれています。', 'contains control or private-use characters');
  } else if (required && t === '') f.add(path, 'required', '必須項目です。', 'is required');
  else if (t.length > max) f.add(path, 'maxLength', `${max}文字以内で入力してください。`, `must be at most ${max} characters`);
  return t;
}

function kana(f: Findings, path: string, value: string, max: number): string {
  const k = normalizeKanaReading(value ?? '');
  if (k === null) f.add(path, 'kana', 'カタカナまたはひらがなで入力してください。', 'must be written in kana');
  else if (k.length > max) f.add(path, 'maxLength', `${max}文字以内で入力してください。`, `must be at most ${max} characters`);
  return k ?? '';
}

/** A calendar date as YYYY-MM-DD (full-width digits and slashes accepted), optionally not after `notAfter`. */
/**
 * A date as YYYY-MM-DD (or Y/M/D), or in the Japanese era as forms write it
 * (令和8年4月1日, R8.4.1: see text/era-dates.ts); returns YYYY-MM-DD.
 */
export function date(f: Findings, path: string, value: string, notAfter?: string): string {
  const text = normalizeText(value ?? '').trim();
  const era = parseEraDate(text);
  if (era.kind === 'invalid') {
    if (era.reason === 'outside_era') f.add(path, 'era_date', '元号の期間にない日付です（例: 平成31年5月1日は令和元年5月1日）。', 'is not a day of that era (e.g. 平成31年5月1日 is 令和元年5月1日)');
    else if (era.reason === 'before_gregorian_adoption') f.add(path, 'era_date', '明治5年以前の日付は西暦で入力してください。', 'is before 1873: give it as YYYY-MM-DD');
    else f.add(path, 'date', '存在しない日付です。', 'is not a calendar date');
    return '';
  }
  const m = era.kind === 'date' ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(era.iso) : /^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})$/.exec(text);
  if (!m) {
    f.add(path, 'date', '日付は YYYY-MM-DD（または 令和8年4月1日）の形式で入力してください。', 'must be a date (YYYY-MM-DD, or in the Japanese era: 令和8年4月1日)');
    return '';
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1868 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) {
    f.add(path, 'date', '存在しない日付です。', 'is not a calendar date');
    return '';
  }
  const iso = `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (notAfter && iso > notAfter) f.add(path, 'future', '未来の日付は指定できません。', 'must not be in the future');
  return iso;
}

export function myNumber(f: Findings, path: string, value: string | null): string | null {
  if (value === null) return null;
  const d = digitsOnly(value);
  if (!/^[0-9]{12}$/.test(d)) f.add(path, 'digits', '個人番号は12桁の数字です。', 'must be 12 digits');
  else if (!isValidMyNumber(d)) f.add(path, 'check_digit', '個人番号の検査用数字が一致しません。', 'check digit does not match');
  return d;
}

export function residentCode(f: Findings, path: string, value: string | null, isValid: (code: string) => boolean): string | null {
  if (value === null) return null;
  const d = digitsOnly(value);
  if (!/^[0-9]{11}$/.test(d)) f.add(path, 'digits', '住民票コードは11桁の数字です。', 'must be 11 digits');
  else if (!isValid(d)) f.add(path, 'check_digit', '住民票コードの検査用数字が一致しません。', 'check digit does not match');
  return d;
}

function postalCode(f: Findings, path: string, value: string | null): string | null {
  if (value === null || value === undefined || normalizeText(value) === '') return null;
  const code = normalizePostalCode(value);
  if (code === null) f.add(path, 'postal_code', '7桁の郵便番号を入力してください。', 'must be a seven-digit postal code');
  return code;
}

export function address(f: Findings, a: Address): Address {
  return {
    postalCode: postalCode(f, 'postalCode', a.postalCode),
    prefecture: text(f, 'prefecture', a.prefecture, 10),
    municipality: text(f, 'municipality', a.municipality, 40),
    town: text(f, 'town', a.town, 80),
    block: text(f, 'block', a.block, 40),
    building: a.building === null || a.building === undefined || normalizeText(a.building) === '' ? null : text(f, 'building', a.building, 100),
  };
}

export function placeOfResidence(f: Findings, p: PlaceOfResidence): PlaceOfResidence {
  if (p.kind === 'domestic') return { kind: 'domestic', address: address(f.at('address'), p.address) };
  const country = normalizeText(p.country ?? '').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) f.add('country', 'country', '国・地域は ISO 3166-1 の2文字コードで入力してください。', 'must be an ISO 3166-1 alpha-2 code');
  return { kind: 'abroad', country, text: text(f, 'text', p.text, 200) };
}

function name(f: Findings, n: PersonName): PersonName {
  return {
    family: text(f, 'family', n.family, 50),
    given: text(f, 'given', n.given, 50),
    familyKana: kana(f, 'familyKana', n.familyKana, 100),
    givenKana: kana(f, 'givenKana', n.givenKana, 100),
  };
}

function domicile(f: Findings, d: Domicile | null): Domicile | null {
  if (d === null) return null;
  return { place: text(f, 'place', d.place, 200), head: text(f, 'head', d.head, 100) };
}

function foreignItems(f: Findings, x: ForeignResidentItems | null): ForeignResidentItems | null {
  if (x === null) return null;
  const nationality = normalizeText(x.nationality ?? '').toUpperCase();
  if (!/^[A-Z]{2}$/.test(nationality)) f.add('nationality', 'country', '国籍・地域は ISO 3166-1 の2文字コードで入力してください。', 'must be an ISO 3166-1 alpha-2 code');
  // Spaces between the groups are typed often enough to be forgiven.
  const card = normalizeResidenceCardNumber((x.residenceCardNumber ?? '').replace(/\s/g, '')) ?? '';
  if (card === '') {
    f.add('residenceCardNumber', 'residence_card', '在留カード等の番号は英字2桁・数字8桁・英字2桁です。', 'must be two letters, eight digits, two letters');
  }
  let alias: ForeignResidentItems['alias'] = null;
  if (x.alias) alias = { name: text(f.at('alias'), 'name', x.alias.name, 100), kana: kana(f.at('alias'), 'kana', x.alias.kana, 200) };
  return {
    nationality,
    residenceStatus: text(f, 'residenceStatus', x.residenceStatus, 50),
    residencePeriodEnd: x.residencePeriodEnd === null ? null : date(f, 'residencePeriodEnd', x.residencePeriodEnd),
    residenceCardNumber: card,
    alias,
  };
}

export function relationship(f: Findings, path: string, value: string): Relationship {
  if (!(RELATIONSHIPS as readonly string[]).includes(value)) f.add(path, 'relationship', '続柄が正しくありません。', 'is not a known relationship');
  return value as Relationship;
}

export function flags(value: ResidentFlags): ResidentFlags {
  return {
    nationalHealthInsurance: value.nationalHealthInsurance,
    lateStageElderlyMedical: value.lateStageElderlyMedical,
    longTermCare: value.longTermCare,
    nationalPension: value.nationalPension,
    childAllowance: value.childAllowance,
    electoralRoll: value.electoralRoll,
  };
}

export interface PersonRules {
  readonly today: string;
  readonly isValidResidentCode: (code: string) => boolean;
}

/** Normalizes a person; errors go into f. Foreign residents have no domicile (本籍). */
export function personInput(f: Findings, p: PersonInput, rules: PersonRules): PersonInput {
  const foreign = foreignItems(f.at('foreign'), p.foreign);
  if (foreign && p.domicile) f.add('domicile', 'foreign_domicile', '外国人住民には本籍を記載しません。', 'foreign residents have no registered domicile');
  if (!(SEXES as readonly string[]).includes(p.sex)) f.add('sex', 'enum', '性別が正しくありません。', 'is not a known sex');
  return {
    name: name(f.at('name'), p.name),
    dateOfBirth: date(f, 'dateOfBirth', p.dateOfBirth, rules.today),
    sex: p.sex as Sex,
    relationship: relationship(f, 'relationship', p.relationship),
    domicile: domicile(f.at('domicile'), p.domicile),
    myNumber: myNumber(f, 'myNumber', p.myNumber),
    residentCode: residentCode(f, 'residentCode', p.residentCode, rules.isValidResidentCode),
    flags: flags(p.flags),
    foreign,
  };
}
