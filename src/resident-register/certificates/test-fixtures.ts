/**
 * Synthetic residents for the certificate tests. Every name, number and
 * address here is made up.
 */

import { myNumberFrom } from '../identifiers.js';
import { NO_FLAGS, type Address, type Relationship, type ResidentRecord, type Sex } from '../record.js';
import type { CertificateKind, CertificateRequest } from './model.js';

export const ADDRESS: Address = {
  postalCode: '1000001',
  prefecture: '東京都',
  municipality: '千代田区',
  town: '千代田一丁目',
  block: '1番1号',
  building: 'テストハイツ101号室',
};

interface PersonSpec {
  family?: string;
  given: string;
  familyKana?: string;
  givenKana: string;
  dateOfBirth: string;
  sex: Sex;
  relationship: Relationship;
  n: number;
}

export function person(spec: PersonSpec, overrides: Partial<ResidentRecord> = {}): ResidentRecord {
  return {
    id: `person-${spec.n}`,
    householdId: 'household-1',
    state: 'current',
    name: { family: spec.family ?? '山田', given: spec.given, familyKana: spec.familyKana ?? 'ヤマダ', givenKana: spec.givenKana },
    dateOfBirth: spec.dateOfBirth,
    sex: spec.sex,
    relationship: spec.relationship,
    domicile: { place: '東京都千代田区千代田一丁目1番', head: '山田 太郎' },
    myNumber: myNumberFrom(`1234567890${spec.n}`.slice(-11)),
    residentCode: `9876543210${spec.n}`.slice(-11),
    flags: NO_FLAGS,
    foreign: null,
    address: ADDRESS,
    addressSince: '2019-04-01',
    residentSince: '2019-04-01',
    previousResidence: { kind: 'domestic', address: { postalCode: null, prefecture: '大阪府', municipality: '大阪市北区', town: '梅田一丁目', block: '2番3号', building: null } },
    moveInFiledOn: '2019-04-05',
    closed: null,
    supportMeasure: null,
    ...overrides,
  };
}

export const TARO = person({ given: '太郎', givenKana: 'タロウ', dateOfBirth: '1980-04-01', sex: 'male', relationship: '世帯主', n: 1 });
export const HANAKO = person({ given: '花子', givenKana: 'ハナコ', dateOfBirth: '1982-06-15', sex: 'female', relationship: '妻', n: 2 });
export const ICHIRO = person({ given: '一郎', givenKana: 'イチロウ', dateOfBirth: '2010-01-20', sex: 'male', relationship: '子', n: 3 });
export const JIRO = person({ given: '次郎', givenKana: 'ジロウ', dateOfBirth: '2012-03-03', sex: 'male', relationship: '子', n: 4 });
/** Born on the first day of 令和: 令和元年5月1日. */
export const SAKURA = person({ given: 'さくら', givenKana: 'サクラ', dateOfBirth: '2019-05-01', sex: 'female', relationship: '子', n: 5 }, { residentSince: '2019-05-01', addressSince: '2019-05-01', previousResidence: null, moveInFiledOn: null });
export const UME = person({ given: '梅', givenKana: 'ウメ', dateOfBirth: '1945-03-10', sex: 'female', relationship: '母', n: 6 }, { domicile: { place: '大阪府大阪市北区梅田一丁目2番', head: '山田 正' } });

/** A foreign resident (no 本籍) with a registered alias. */
export const KIM = person(
  { family: '金', given: '民俊', familyKana: 'キム', givenKana: 'ミンジュン', dateOfBirth: '1990-07-07', sex: 'male', relationship: '同居人', n: 7 },
  {
    domicile: null,
    foreign: { nationality: 'KR', residenceStatus: '技術・人文知識・国際業務', residencePeriodEnd: '2028-03-31', residenceCardNumber: 'AB12345678CD', alias: { name: '金山 民俊', kana: 'カナヤマ ミンジュン' } },
    previousResidence: { kind: 'abroad', country: '大韓民国', text: 'ソウル特別市' },
  },
);

export const HOUSEHOLD = [TARO, HANAKO, ICHIRO, JIRO, SAKURA, UME] as const;

export function request(kind: CertificateKind, overrides: Partial<CertificateRequest> = {}): CertificateRequest {
  return {
    kind,
    municipality: { code: '131016', name: '千代田区', mayorTitle: '千代田区長', mayorName: '千代田 一郎' },
    certificateNumber: '2026-000123',
    issuedOn: '2026-11-21',
    standing: 'self_or_household',
    persons: [TARO],
    householdHead: TARO.name,
    options: { myNumber: false, domicile: false, residentCode: false },
    ...(kind === 'move_out' ? { moveOut: { plannedOn: '2026-12-01', destination: { kind: 'domestic', address: { postalCode: null, prefecture: '神奈川県', municipality: '横浜市中区', town: '日本大通', block: '1番地', building: null } } } } : {}),
    ...overrides,
  };
}
