/**
 * Which resident fields a subscriber may receive, by the legal purpose it
 * declares. Events themselves carry ids only (the outbox holds no personal
 * data); a feed adds, per resident, the fields the subscription names, and a
 * subscription may name only fields its purpose is entitled to. Pure data and
 * pure functions.
 *
 * The lists follow what each operation needs from the register to do its work
 * (the standard's 住民記録システム連携 items for these operations, in outline);
 * like purposes.ts they are a working summary to be checked against the
 * standard's data requirement tables (データ要件・連携要件) before production use.
 */
import type { ResidentRecord } from '../resident-register/record.js';
import { LEGAL_PURPOSES, OPERATIONS, type Operation } from '../security/access/purposes.js';

/** The fields a subscription can ask for, each a group of the record's items. */
export const RESIDENT_FIELDS = {
  name: { ja: '氏名・ふりがな', en: 'Name in kanji and kana', items: ['name'] },
  dateOfBirth: { ja: '生年月日', en: 'Date of birth', items: ['dateOfBirth'] },
  sex: { ja: '性別', en: 'Sex', items: ['sex'] },
  householdId: { ja: '世帯', en: 'Household', items: ['householdId'] },
  relationship: { ja: '続柄', en: 'Relationship to the head', items: ['relationship'] },
  address: { ja: '住所・住所を定めた日', en: 'Address and the date it was set', items: ['address', 'addressSince'] },
  state: { ja: '住民となった日・消除の事由', en: 'Since when a resident, and why the record was closed', items: ['state', 'residentSince', 'closed'] },
  myNumber: { ja: '個人番号', en: 'My Number', items: ['myNumber'] },
  residentCode: { ja: '住民票コード', en: 'Resident code', items: ['residentCode'] },
  flags: { ja: '国保・後期高齢・介護・年金・児童手当・選挙人名簿の資格', en: 'Insurance, pension, allowance and electoral flags', items: ['flags'] },
  foreign: { ja: '外国人住民の記載事項', en: 'Foreign-resident items', items: ['foreign'] },
  domicile: { ja: '本籍・筆頭者', en: 'Registered domicile and its head', items: ['domicile'] },
  previousResidence: { ja: '従前の住所（転入前の住所）', en: 'Where a person lived before moving in', items: ['previousResidence'] },
} as const satisfies Record<string, { ja: string; en: string; items: readonly (keyof ResidentRecord)[] }>;

export type ResidentField = keyof typeof RESIDENT_FIELDS;
export const RESIDENT_FIELD_NAMES = Object.keys(RESIDENT_FIELDS) as ResidentField[];

/** The operations that receive the register's events: every one but the register itself. */
export const SUBSCRIBING_OPERATIONS = OPERATIONS.filter((o): o is Exclude<Operation, 'resident_registry'> => o !== 'resident_registry');
export type SubscribingOperation = (typeof SUBSCRIBING_OPERATIONS)[number];

/** Per legal purpose (purposes.ts), the fields a subscriber serving it may receive. */
export const ENTITLEMENTS: Readonly<Record<string, readonly ResidentField[]>> = {
  // 個人住民税: the taxpayer, their address on 1 January, and the household for dependants.
  tax_assessment: ['name', 'dateOfBirth', 'sex', 'householdId', 'relationship', 'address', 'state', 'myNumber', 'residentCode', 'foreign'],
  // 国民健康保険の資格: who joins or leaves, and whether another insurance covers them; where a
  // newcomer came from tells a move within the prefecture (the status carries on) from one across it.
  nhi_eligibility: ['name', 'dateOfBirth', 'sex', 'householdId', 'relationship', 'address', 'state', 'myNumber', 'flags', 'foreign', 'previousResidence'],
  // 国民健康保険料: the household's members and ages; no names or numbers.
  nhi_premium: ['dateOfBirth', 'householdId', 'relationship', 'state', 'flags'],
  // 児童手当: the children, their household and the parent who claims.
  child_allowance_eligibility: ['name', 'dateOfBirth', 'householdId', 'relationship', 'address', 'state', 'myNumber'],
};

export interface SubscriptionTerms {
  readonly operation: string;
  readonly purpose: string;
  readonly fields: readonly string[];
}

export type TermsProblem =
  | { readonly at: 'operation'; readonly rule: 'not_subscribing' }
  | { readonly at: 'purpose'; readonly rule: 'not_of_operation' }
  | { readonly at: 'fields'; readonly index: number; readonly rule: 'unknown_field' | 'not_entitled' | 'repeated' };

/** What is wrong with a subscription's operation, purpose and fields, if anything. Pure. */
export function checkTerms(terms: SubscriptionTerms): TermsProblem[] {
  if (!(SUBSCRIBING_OPERATIONS as readonly string[]).includes(terms.operation)) return [{ at: 'operation', rule: 'not_subscribing' }];
  const purposes = LEGAL_PURPOSES[terms.operation as Operation];
  if (!purposes.some((p) => p.code === terms.purpose)) return [{ at: 'purpose', rule: 'not_of_operation' }];
  const allowed = ENTITLEMENTS[terms.purpose] ?? [];
  const problems: TermsProblem[] = [];
  terms.fields.forEach((field, index) => {
    if (!(RESIDENT_FIELD_NAMES as readonly string[]).includes(field)) problems.push({ at: 'fields', index, rule: 'unknown_field' });
    else if (!(allowed as readonly string[]).includes(field)) problems.push({ at: 'fields', index, rule: 'not_entitled' });
    else if (terms.fields.indexOf(field) !== index) problems.push({ at: 'fields', index, rule: 'repeated' });
  });
  return problems;
}

/** A resident as a subscriber receives them: the id, and only the items of the fields named. Pure. */
export function projectResident(record: ResidentRecord, fields: readonly ResidentField[]): Record<string, unknown> {
  const out: Record<string, unknown> = { id: record.id };
  for (const field of fields) for (const item of RESIDENT_FIELDS[field].items) out[item] = record[item];
  return out;
}
