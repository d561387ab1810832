/**
 * Profiles per data class (データ分類): which requirements a system must meet
 * depends on the most sensitive data it holds. The classes nest: a system
 * holding My Number data must meet every requirement of the catalog, one
 * holding other personal data a subset of those, one holding no personal data
 * a subset of that. Each requirement lists the classes whose profile includes
 * it (Requirement.dataClasses); the profile is that list read the other way.
 */
import { REQUIREMENTS, type Requirement } from './requirements.js';

export const DATA_CLASSES = ['my_number', 'personal', 'general'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

export interface DataClassInfo {
  readonly label: { readonly ja: string; readonly en: string };
  readonly meaning: { readonly ja: string; readonly en: string };
}

export const DATA_CLASS_INFO: Readonly<Record<DataClass, DataClassInfo>> = {
  my_number: {
    label: { ja: '特定個人情報', en: 'My Number data' },
    meaning: {
      ja: '個人番号をその内容に含む個人情報（特定個人情報）を保持するシステム。カタログのすべての要件を満たす必要がある。',
      en: 'Systems holding specific personal information (特定個人情報): personal data that includes My Number. Every requirement of the catalog applies.',
    },
  },
  personal: {
    label: { ja: '個人情報', en: 'Personal data' },
    meaning: {
      ja: '個人番号を含まない個人情報を保持するシステム。',
      en: 'Systems holding personal data without My Number.',
    },
  },
  general: {
    label: { ja: '一般', en: 'General' },
    meaning: {
      ja: '個人情報を保持しないシステム。',
      en: 'Systems holding no personal data.',
    },
  },
};

/** The ids of the requirements in a data class's profile, in catalog order. */
export function profileRequirementIds(dataClass: DataClass, requirements: readonly Requirement[] = REQUIREMENTS): string[] {
  return requirements.filter((r) => r.dataClasses.includes(dataClass)).map((r) => r.id);
}

export function isDataClass(value: unknown): value is DataClass {
  return typeof value === 'string' && (DATA_CLASSES as readonly string[]).includes(value);
}
