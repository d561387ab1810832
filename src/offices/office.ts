/**
 * Municipal offices (庁舎・支所・出張所): the places where a municipality serves
 * residents. Pure rules for what an office record may hold.
 */
import type { FieldError } from '../platform/errors.js';
import { fieldError } from '../platform/errors.js';
import { normalizeKanaReading, normalizePostalCode, normalizeText } from '../text/japanese.js';

export const OFFICE_KINDS = [
  'main', // 本庁舎
  'branch', // 支所
  'counter', // 出張所・窓口
] as const;
export type OfficeKind = (typeof OFFICE_KINDS)[number];

export interface OfficeInput {
  kind: OfficeKind;
  name: string;
  nameKana: string;
  postalCode?: string | null;
  address?: string | null;
  phone?: string | null;
}

export interface Office extends Required<OfficeInput> {
  readonly id: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Normalizes an office's fields, or lists what is wrong with them. */
export function normalizeOffice(input: OfficeInput, part = 'body'): { office: Required<OfficeInput> } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const nameKana = normalizeKanaReading(input.nameKana);
  if (!nameKana) {
    errors.push(fieldError(`${part}/nameKana`, 'kana', { ja: 'カタカナまたはひらがなで入力してください。', en: 'must be written in kana' }));
  }
  let postalCode: string | null = null;
  if (input.postalCode) {
    postalCode = normalizePostalCode(input.postalCode);
    if (postalCode === null) errors.push(fieldError(`${part}/postalCode`, 'postal_code', { ja: '7桁の郵便番号を入力してください。', en: 'must be a seven-digit postal code' }));
  }
  let phone: string | null = null;
  if (input.phone) {
    phone = normalizeText(input.phone).replace(/[\u2212\u30fc]/g, '-');
    // Japanese numbers: a leading 0, ten or eleven digits, single hyphens between groups.
    const digits = phone.replace(/-/g, '').length;
    if (!/^0[0-9]+(-[0-9]+)*$/.test(phone) || digits < 10 || digits > 11) {
      errors.push(fieldError(`${part}/phone`, 'phone', { ja: '電話番号の形式が正しくありません。', en: 'must be a Japanese phone number' }));
    }
  }
  const name = normalizeText(input.name);
  if (name === '') errors.push(fieldError(`${part}/name`, 'minLength', { ja: '必須項目です。', en: 'is required' }));
  if (errors.length > 0) return { errors };
  return {
    office: {
      kind: input.kind,
      name,
      nameKana: nameKana!,
      postalCode,
      address: input.address ? normalizeText(input.address) || null : null,
      phone,
    },
  };
}
