/**
 * Legal purposes for using My Number (特定個人情報), per operation.
 *
 * The My Number Act (行政手続における特定の個人を識別するための番号の利用等に関する法律)
 * allows a municipality to use My Number only for the administrative work listed
 * in its Article 9 and annexed table (別表) and in the municipality's own
 * ordinances (独自利用事務). A request that reads My Number must declare which of
 * these purposes it serves; anything else is refused (and audited).
 *
 * This catalogue is data, not policy code: each entry names its legal basis.
 * The article references are a working summary (unconfirmed in detail) and
 * must be checked against the current statute before production use.
 */

export const OPERATIONS = ['resident_registry', 'residential_tax', 'national_health_insurance', 'child_allowance'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface LegalPurpose {
  readonly code: string;
  readonly ja: string;
  readonly en: string;
  readonly basis: string;
}

export const LEGAL_PURPOSES: Readonly<Record<Operation, readonly LegalPurpose[]>> = {
  resident_registry: [
    { code: 'residency_change', ja: '住民異動の届出の審査・記録', en: 'Examining and recording a change of residence', basis: '住民基本台帳法 第22条〜第30条; 番号法 第7条' },
    { code: 'my_number_assignment', ja: '個人番号の指定・通知', en: 'Assigning and notifying My Number', basis: '番号法 第7条' },
    { code: 'record_inquiry', ja: '住民記録の確認（窓口・照会への対応）', en: 'Checking a resident record (counter work, inquiries)', basis: '住民基本台帳法 第1条・第12条' },
    { code: 'certificate_issue', ja: '個人番号を記載した住民票の写しの交付', en: 'Issuing a certificate of residence that shows My Number', basis: '住民基本台帳法 第12条第5項' },
  ],
  residential_tax: [
    { code: 'tax_assessment', ja: '個人住民税の賦課・徴収', en: 'Assessing and collecting individual residential tax', basis: '番号法 第9条第1項・別表 (地方税法による地方税の賦課徴収)' },
  ],
  national_health_insurance: [
    { code: 'nhi_eligibility', ja: '国民健康保険の資格管理', en: 'Managing National Health Insurance eligibility', basis: '番号法 第9条第1項・別表 (国民健康保険法)' },
    { code: 'nhi_premium', ja: '国民健康保険料（税）の賦課', en: 'Assessing National Health Insurance premiums', basis: '番号法 第9条第1項・別表 (国民健康保険法)' },
  ],
  child_allowance: [
    { code: 'child_allowance_eligibility', ja: '児童手当の認定・支給', en: 'Deciding and paying child allowance', basis: '番号法 第9条第1項・別表 (児童手当法)' },
  ],
};

/** Whether a declared purpose is one of the operation's legal purposes. Pure. */
export function isLegalPurpose(operation: Operation, purpose: string | undefined): purpose is string {
  return purpose !== undefined && LEGAL_PURPOSES[operation].some((p) => p.code === purpose);
}
