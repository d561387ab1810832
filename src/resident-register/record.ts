/**
 * The resident record (住民票, Basic Resident Register Act Art. 7) and its
 * household (世帯), as the register keeps them. Types and catalogues only; the
 * rules that check and derive them are in ./rules.ts and ./history.ts (pure).
 *
 * Dates are calendar dates as `YYYY-MM-DD` strings (the Gregorian date; the
 * Japanese era is a matter of display). Names and readings are stored as
 * entered after normalization (NFKC, readings in full-width katakana); search
 * folds them further (old and new kanji forms, small kana) in its own keys.
 */

/** 性別 as the register prints it (男・女). */
export const SEXES = ['male', 'female'] as const;
export type Sex = (typeof SEXES)[number];

/**
 * 続柄 relative to the head of household, in the register's own words. All
 * children are 子 (since 1995); the list is the usual one and not exhaustive
 * in law, hence 'その他' for the rare rest (the note then says which).
 */
export const RELATIONSHIPS = [
  '世帯主',
  '妻',
  '夫',
  '子',
  '父',
  '母',
  '祖父',
  '祖母',
  '孫',
  '兄',
  '姉',
  '弟',
  '妹',
  '子の妻',
  '子の夫',
  '妻の父',
  '妻の母',
  '夫の父',
  '夫の母',
  '妻（未届）',
  '夫（未届）',
  '同居人',
  '縁故者',
  'その他',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];
export const HEAD: Relationship = '世帯主';

/** A person's name: family and given name in kanji (or as registered) and their kana readings. */
export interface PersonName {
  readonly family: string;
  readonly given: string;
  readonly familyKana: string;
  readonly givenKana: string;
}

/** An address in Japan, as the register holds it. */
export interface Address {
  readonly postalCode: string | null;
  /** e.g. 東京都 */
  readonly prefecture: string;
  /** e.g. 千代田区 (a designated city's ward included: 札幌市中央区) */
  readonly municipality: string;
  /** 町名・丁目, e.g. 千代田一丁目 */
  readonly town: string;
  /** 番地・号, e.g. 1番1号 */
  readonly block: string;
  /** 方書 (building and room), if any */
  readonly building: string | null;
}

/** An address outside the register's municipality: in Japan (structured) or abroad (free text). */
export type PlaceOfResidence = { readonly kind: 'domestic'; readonly address: Address } | { readonly kind: 'abroad'; readonly country: string; readonly text: string };

/** 本籍・筆頭者: Japanese nationals only. */
export interface Domicile {
  readonly place: string;
  readonly head: string;
}

/** Foreign residents' items (住民基本台帳法 第30条の45). */
export interface ForeignResidentItems {
  /** 国籍・地域, ISO 3166-1 alpha-2 (or 'XX' for stateless) */
  readonly nationality: string;
  /** 在留資格, e.g. 永住者, 技術・人文知識・国際業務, or a 特別永住者 */
  readonly residenceStatus: string;
  /** 在留期間の満了日; null for permanent statuses */
  readonly residencePeriodEnd: string | null;
  /** 在留カード等の番号: two letters, eight digits, two letters */
  readonly residenceCardNumber: string;
  /** 通称 and its reading, when registered */
  readonly alias: { readonly name: string; readonly kana: string } | null;
}

/** Eligibility flags the register keeps for other operations (Art. 7 items 10–11の2). */
export interface ResidentFlags {
  readonly nationalHealthInsurance: boolean;
  readonly lateStageElderlyMedical: boolean;
  readonly longTermCare: boolean;
  readonly nationalPension: boolean;
  readonly childAllowance: boolean;
  readonly electoralRoll: boolean;
}

export const NO_FLAGS: ResidentFlags = {
  nationalHealthInsurance: false,
  lateStageElderlyMedical: false,
  longTermCare: false,
  nationalPension: false,
  childAllowance: false,
  electoralRoll: false,
};

/** What a filing supplies about a person who joins the register (move-in, birth, entry by authority). */
export interface PersonInput {
  readonly name: PersonName;
  readonly dateOfBirth: string;
  readonly sex: Sex;
  readonly relationship: Relationship;
  readonly domicile: Domicile | null;
  /** 12 digits with a valid check digit; null until assigned (e.g. a newborn). */
  readonly myNumber: string | null;
  /** 11 digits; null lets the register assign one. */
  readonly residentCode: string | null;
  readonly flags: ResidentFlags;
  readonly foreign: ForeignResidentItems | null;
}

export const RECORD_STATES = ['current', 'closed'] as const;
export type RecordState = (typeof RECORD_STATES)[number];

/** Why a record was closed (除票の事由). */
export const CLOSING_REASONS = ['moved_out', 'moved_abroad', 'died', 'removed_by_authority'] as const;
export type ClosingReason = (typeof CLOSING_REASONS)[number];

/** A person's record as it stands at some moment, derived from the history. */
export interface ResidentRecord extends PersonInput {
  readonly id: string;
  readonly residentCode: string;
  readonly householdId: string;
  readonly state: RecordState;
  readonly address: Address;
  /** 住所を定めた日 */
  readonly addressSince: string;
  /** 住民となった日 */
  readonly residentSince: string;
  /** For a move-in: where the person lived before, and when the move-in was filed. */
  readonly previousResidence: PlaceOfResidence | null;
  readonly moveInFiledOn: string | null;
  readonly closed: { readonly reason: ClosingReason; readonly on: string; readonly destination: PlaceOfResidence | null } | null;
  /** 支援措置 (DV and similar victims): disclosure suppressed while set. */
  readonly supportMeasure: { readonly since: string; readonly until: string | null } | null;
}

/** A household as it stands at some moment. */
export interface HouseholdRecord {
  readonly id: string;
  readonly headId: string;
  readonly address: Address;
  readonly memberIds: readonly string[];
  readonly state: RecordState;
}
