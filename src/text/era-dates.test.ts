import { describe, expect, it } from 'vitest';
import { formatEraDate } from '../resident-register/certificates/era.js';
import { normalizeText } from './japanese.js';
import { parseEraDate } from './era-dates.js';

describe('parseEraDate', () => {
  it('reads written and abbreviated era dates, 元年 included', () => {
    expect(parseEraDate('令和8年4月1日')).toEqual({ kind: 'date', iso: '2026-04-01' });
    expect(parseEraDate('令和元年5月1日')).toEqual({ kind: 'date', iso: '2019-05-01' });
    expect(parseEraDate('平成31年4月30日')).toEqual({ kind: 'date', iso: '2019-04-30' });
    expect(parseEraDate('昭和64年1月7日')).toEqual({ kind: 'date', iso: '1989-01-07' });
    expect(parseEraDate('平成元年1月8日')).toEqual({ kind: 'date', iso: '1989-01-08' });
    expect(parseEraDate('明治6年1月1日')).toEqual({ kind: 'date', iso: '1873-01-01' });
    expect(parseEraDate('R8.4.1')).toEqual({ kind: 'date', iso: '2026-04-01' });
    expect(parseEraDate('h31/4/30')).toEqual({ kind: 'date', iso: '2019-04-30' });
    expect(parseEraDate('S55-04-01')).toEqual({ kind: 'date', iso: '1980-04-01' });
    expect(parseEraDate(normalizeText('令和８年４月１日'))).toEqual({ kind: 'date', iso: '2026-04-01' });
  });

  it('refuses a day outside its era instead of carrying it into the next', () => {
    for (const text of ['平成31年5月1日', '令和元年4月30日', '令和1年1月1日', '昭和64年1月8日', '平成元年1月7日', '大正16年1月1日', '令和0年5月1日', 'H32.1.1']) {
      expect(parseEraDate(text), text).toEqual({ kind: 'invalid', reason: 'outside_era' });
    }
    expect(parseEraDate('令和8年2月30日')).toEqual({ kind: 'invalid', reason: 'not_a_day' });
    expect(parseEraDate('令和8年13月1日')).toEqual({ kind: 'invalid', reason: 'not_a_day' });
    expect(parseEraDate('明治5年12月2日')).toEqual({ kind: 'invalid', reason: 'before_gregorian_adoption' });
  });

  it('leaves other text to the caller', () => {
    for (const text of ['2026-04-01', '令和', '令和八年四月一日', 'X8.4.1', '', '平成31年4月30日です']) expect(parseEraDate(text)).toEqual({ kind: 'not_era' });
  });

  it('reads back every day the certificates print, 1873 to 2040', () => {
    for (let t = Date.UTC(1873, 0, 1); t <= Date.UTC(2040, 11, 31); t += 86_400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      const printed = formatEraDate(iso);
      const read = parseEraDate(printed);
      if (read.kind !== 'date' || read.iso !== iso) expect.fail(`${iso} printed as ${printed} reads back as ${JSON.stringify(read)}`);
    }
  });
});
