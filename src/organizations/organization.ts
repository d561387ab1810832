/** Organizations on the platform: the Digital Agency and Japan's local public bodies. */

export const ORGANIZATION_KINDS = [
  'digital_agency', // デジタル庁: the platform operator
  'prefecture', // 都道府県
  'designated_city', // 政令指定都市
  'city', // 市
  'town', // 町
  'village', // 村
  'special_ward', // 特別区 (Tokyo's 23 wards): municipalities in their own right
  'ward', // 行政区 of a designated city: part of the city, not a tenant of its own
] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

/** Kinds whose bodies are municipalities (市区町村): each is a tenant with data in a cell. */
export const MUNICIPALITY_KINDS: readonly OrganizationKind[] = ['designated_city', 'city', 'town', 'village', 'special_ward'];

export function isMunicipalityKind(kind: OrganizationKind): boolean {
  return MUNICIPALITY_KINDS.includes(kind);
}

export interface Organization {
  readonly code: string;
  readonly kind: OrganizationKind;
  readonly name: string;
  /** Reading in full-width katakana. */
  readonly nameKana: string;
  readonly prefectureCode: string | null;
  readonly parentCode: string | null;
  /** ISO date from which the body no longer exists (merged or reorganised), or null. */
  readonly abolishedOn: string | null;
  readonly source: string;
  readonly asOf: string;
}

/**
 * The Digital Agency has no JIS X 0401 code. municloud gives it 000001: prefecture
 * number 00 is unused by JIS, and 1 is the check digit of 00000, so the code
 * passes the same validation as every other organization's.
 */
export const DIGITAL_AGENCY_CODE = '000001';
