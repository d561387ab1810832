import { describe, expect, it } from 'vitest';
import { CertificateError, certificateContent, type CertificateContent, type FieldKey } from './model.js';
import { HANAKO, HOUSEHOLD, KIM, request, SAKURA, TARO, UME } from './test-fixtures.js';

const keysOf = (content: CertificateContent, person = 0) => content.persons[person]!.fields.map((f) => f.key);
const valueOf = (content: CertificateContent, key: FieldKey, person = 0) => content.persons[person]!.fields.find((f) => f.key === key)?.value;
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof CertificateError) return e.code;
    throw e;
  }
  return 'no error';
};

describe('certificateContent: what a 住民票の写し prints', () => {
  it('prints the standard items in Japanese with era dates, and no restricted item unless asked', () => {
    const content = certificateContent(request('resident_copy_household', { persons: [TARO, SAKURA] }));
    expect(content.title).toBe('住民票の写し');
    expect(content.layout).toBe('household');
    expect(content.issuedOnText).toBe('令和8年11月21日');
    expect(content.statement).toBe('この写しは、住民票の原本と相違ないことを証明する。');
    expect(content.issuer).toEqual({ title: '千代田区長', name: '千代田 一郎' });
    expect(content.header).toEqual([
      { key: 'address', label: '住所', value: '東京都千代田区千代田一丁目1番1号 テストハイツ101号室' },
      { key: 'householdHead', label: '世帯主', value: '山田 太郎' },
    ]);
    expect(keysOf(content)).toEqual(['name', 'kana', 'dateOfBirth', 'sex', 'relationship', 'residentSince', 'addressSince', 'previousAddress']);
    expect(valueOf(content, 'name')).toBe('山田 太郎');
    expect(valueOf(content, 'kana')).toBe('ヤマダ タロウ');
    expect(valueOf(content, 'dateOfBirth')).toBe('昭和55年4月1日');
    expect(valueOf(content, 'sex')).toBe('男');
    expect(valueOf(content, 'relationship')).toBe('世帯主');
    expect(valueOf(content, 'addressSince')).toBe('平成31年4月1日（届出 平成31年4月5日）');
    expect(valueOf(content, 'previousAddress')).toBe('大阪府大阪市北区梅田一丁目2番3号');
    expect(valueOf(content, 'dateOfBirth', 1)).toBe('令和元年5月1日');
    expect(valueOf(content, 'previousAddress', 1)).toBe('');
    const printed = JSON.stringify(content);
    expect(printed).not.toContain(TARO.myNumber!);
    expect(printed).not.toContain(TARO.residentCode);
    expect(printed).not.toContain('本籍');
  });

  it('prints 個人番号, 本籍・筆頭者 and 住民票コード when asked by the person or household', () => {
    const content = certificateContent(request('resident_copy_household', { persons: [TARO, UME], options: { myNumber: true, domicile: true, residentCode: true } }));
    expect(keysOf(content)).toEqual(expect.arrayContaining(['domicile', 'domicileHead', 'myNumber', 'residentCode']));
    expect(valueOf(content, 'myNumber')).toMatch(/^\d{4} \d{4} \d{4}$/);
    expect(valueOf(content, 'myNumber')!.replaceAll(' ', '')).toBe(TARO.myNumber);
    expect(valueOf(content, 'residentCode')).toBe(TARO.residentCode);
    expect(valueOf(content, 'domicile', 1)).toBe('大阪府大阪市北区梅田一丁目2番');
    expect(valueOf(content, 'domicileHead', 1)).toBe('山田 正');
  });

  it('prints only what was asked: domicile without My Number', () => {
    const content = certificateContent(request('resident_copy_individual', { options: { myNumber: false, domicile: true, residentCode: false } }));
    expect(keysOf(content)).toContain('domicile');
    expect(keysOf(content)).not.toContain('myNumber');
    expect(keysOf(content)).not.toContain('residentCode');
  });

  it('puts 住所 and 世帯主 on each person in the individual layout', () => {
    const content = certificateContent(request('resident_copy_individual', { persons: [TARO, HANAKO] }));
    expect(content.layout).toBe('individual');
    expect(content.header).toEqual([]);
    expect(valueOf(content, 'householdHead', 1)).toBe('山田 太郎');
    expect(valueOf(content, 'address', 1)).toContain('千代田一丁目1番1号');
  });

  it.each([
    ['third_party', 'myNumber'],
    ['third_party', 'residentCode'],
    ['third_party', 'domicile'],
    ['public_body', 'myNumber'],
    ['public_body', 'residentCode'],
  ] as const)('refuses a %s request that asks for %s', (standing, item) => {
    const options = { myNumber: false, domicile: false, residentCode: false, [item]: true };
    expect(code(() => certificateContent(request('resident_copy_household', { standing, options })))).toBe('item_not_permitted');
  });

  it('lets a public body have 本籍', () => {
    const content = certificateContent(request('resident_copy_household', { standing: 'public_body', options: { myNumber: false, domicile: true, residentCode: false } }));
    expect(keysOf(content)).toContain('domicile');
  });

  it('prints the foreign-resident items in place of 本籍, and the registered alias', () => {
    const kim = { ...KIM, householdId: TARO.householdId };
    const content = certificateContent(request('resident_copy_individual', { persons: [kim], options: { myNumber: false, domicile: true, residentCode: false, foreignResidentItems: true } }));
    expect(valueOf(content, 'alias')).toBe('金山 民俊（カナヤマ ミンジュン）');
    expect(valueOf(content, 'nationality')).toBe('韓国');
    expect(valueOf(content, 'residencePeriodEnd')).toBe('令和10年3月31日');
    expect(valueOf(content, 'residenceCardNumber')).toBe('AB12345678CD');
    expect(valueOf(content, 'previousAddress')).toBe('国外（大韓民国） ソウル特別市');
    expect(keysOf(content)).not.toContain('domicile');
  });

  it('is a function of the request alone', () => {
    const r = request('resident_copy_household', { persons: HOUSEHOLD, options: { myNumber: true, domicile: true, residentCode: true } });
    expect(certificateContent(r)).toEqual(certificateContent(structuredClone(r)));
  });
});

describe('certificateContent: support measures (支援措置)', () => {
  const suppressed = { ...HANAKO, supportMeasure: { since: '2025-01-01', until: null } };

  it('refuses a certificate that lists a person under a support measure', () => {
    expect(code(() => certificateContent(request('resident_copy_household', { persons: [TARO, suppressed] })))).toBe('support_measure_refused');
    for (const kind of ['resident_copy_individual', 'resident_items', 'move_out'] as const) {
      const options = { myNumber: false, domicile: false, residentCode: false, items: ['address' as const] };
      expect(code(() => certificateContent(request(kind, { persons: [suppressed], options })))).toBe('support_measure_refused');
    }
  });

  it('refuses before checking anything else (the answer does not depend on the rest of the request)', () => {
    expect(code(() => certificateContent(request('resident_copy_household', { standing: 'third_party', persons: [suppressed], options: { myNumber: true, domicile: true, residentCode: true } })))).toBe('support_measure_refused');
  });

  it('issues with an explicit, named override, which it does not print', () => {
    const override = { approvedBy: 'staff-042', reason: '本人からの請求（窓口で本人確認済み）' };
    const content = certificateContent(request('resident_copy_household', { persons: [TARO, suppressed], options: { myNumber: false, domicile: false, residentCode: false, supportMeasureOverride: override } }));
    expect(content.persons).toHaveLength(2);
    expect(JSON.stringify(content)).not.toContain('staff-042');
    expect(JSON.stringify(content)).not.toContain('本人からの請求');
  });

  it('does not take an empty override for one', () => {
    const options = { myNumber: false, domicile: false, residentCode: false, supportMeasureOverride: { approvedBy: ' ', reason: '' } };
    expect(code(() => certificateContent(request('resident_copy_household', { persons: [suppressed], options })))).toBe('support_measure_refused');
  });
});

describe('certificateContent: 住民票記載事項証明書', () => {
  it('prints the name and the chosen items only, and no household lines', () => {
    const content = certificateContent(request('resident_items', { options: { myNumber: false, domicile: false, residentCode: false, items: ['dateOfBirth', 'address'] } }));
    expect(content.title).toBe('住民票記載事項証明書');
    expect(content.header).toEqual([]);
    expect(keysOf(content)).toEqual(['name', 'dateOfBirth', 'address']);
    expect(content.statement).toBe('上記のとおり住民票に記載されていることを証明する。');
  });

  it('prints 世帯主 with 続柄 when that item is chosen', () => {
    const content = certificateContent(request('resident_items', { persons: [HANAKO], options: { myNumber: false, domicile: false, residentCode: false, items: ['relationship'] } }));
    expect(keysOf(content)).toEqual(['name', 'householdHead', 'relationship']);
    expect(valueOf(content, 'relationship')).toBe('妻');
  });

  it('needs at least one item', () => {
    expect(code(() => certificateContent(request('resident_items', { options: { myNumber: false, domicile: false, residentCode: false, items: [] } })))).toBe('items_missing');
  });
});

describe('certificateContent: 転出証明書', () => {
  it('prints the destination and the planned date in the header', () => {
    const content = certificateContent(request('move_out', { persons: [TARO, HANAKO] }));
    expect(content.title).toBe('転出証明書');
    expect(content.header.map((f) => [f.label, f.value])).toEqual([
      ['住所', '東京都千代田区千代田一丁目1番1号 テストハイツ101号室'],
      ['世帯主', '山田 太郎'],
      ['転出先', '神奈川県横浜市中区日本大通1番地'],
      ['転出予定年月日', '令和8年12月1日'],
    ]);
  });

  it('accepts records already closed by the move-out, and no other closed records', () => {
    const movedOut = { ...TARO, state: 'closed' as const, closed: { reason: 'moved_out' as const, on: '2026-12-01', destination: null } };
    expect(certificateContent(request('move_out', { persons: [movedOut] })).persons).toHaveLength(1);
    const died = { ...TARO, state: 'closed' as const, closed: { reason: 'died' as const, on: '2026-10-01', destination: null } };
    expect(code(() => certificateContent(request('move_out', { persons: [died] })))).toBe('closed_record');
  });

  it('needs the move-out details and is issued only to the household', () => {
    expect(code(() => certificateContent({ ...request('move_out'), moveOut: undefined }))).toBe('move_out_details_missing');
    expect(code(() => certificateContent(request('move_out', { standing: 'third_party' })))).toBe('standing_not_permitted');
  });
});

describe('certificateContent: refusals', () => {
  it.each([
    ['no_persons', { persons: [] }],
    ['household_mismatch', { persons: [TARO, { ...HANAKO, householdId: 'household-2' }] }],
    ['closed_record', { persons: [{ ...TARO, state: 'closed' as const, closed: { reason: 'died' as const, on: '2026-01-01', destination: null } }] }],
    ['invalid_request', { municipality: { code: '131017', name: '千代田区', mayorTitle: '千代田区長', mayorName: '千代田 一郎' } }],
    ['invalid_request', { certificateNumber: '' }],
    ['invalid_request', { certificateNumber: 'x'.repeat(65) }],
    ['invalid_request', { certificateNumber: '2026 000123' }],
    ['invalid_date', { issuedOn: '2026-02-30' }],
    ['invalid_date', { persons: [{ ...TARO, dateOfBirth: '1872-12-31' }] }],
    ['invalid_character', { persons: [{ ...TARO, name: { ...TARO.name, given: '太\uE000' } }] }],
    ['invalid_character', { persons: [{ ...TARO, name: { ...TARO.name, given: '太\uD842' } }] }],
  ] as const)('%s for %j', (expected, overrides) => {
    expect(code(() => certificateContent(request('resident_copy_household', overrides)))).toBe(expected);
  });
});
