import { describe, expect, it } from 'vitest';
import type { FieldError } from '../platform/errors.js';
import { normalizeOffice, type OfficeInput } from './office.js';

const base: OfficeInput = {
  kind: 'main',
  name: '千代田区役所',
  nameKana: 'チヨダクヤクショ',
  postalCode: '102-8688',
  address: '東京都千代田区九段南1-2-1',
  phone: '03-3264-2111',
};

function ok(input: Partial<OfficeInput>) {
  const r = normalizeOffice({ ...base, ...input });
  if (!('office' in r)) throw new Error(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.office;
}

function errors(input: Partial<OfficeInput>, part?: string): FieldError[] {
  const r = part === undefined ? normalizeOffice({ ...base, ...input }) : normalizeOffice({ ...base, ...input }, part);
  if (!('errors' in r)) throw new Error(`expected errors, got ${JSON.stringify(r.office)}`);
  return r.errors;
}

describe('normalizeOffice', () => {
  it('accepts a complete office and returns every field', () => {
    expect(normalizeOffice(base)).toEqual({
      office: {
        kind: 'main',
        name: '千代田区役所',
        nameKana: 'チヨダクヤクショ',
        postalCode: '102-8688',
        address: '東京都千代田区九段南1-2-1',
        phone: '03-3264-2111',
      },
    });
  });

  it('accepts the minimum: optional fields absent or null become null', () => {
    expect(ok({ postalCode: undefined, address: undefined, phone: undefined })).toMatchObject({ postalCode: null, address: null, phone: null });
    expect(ok({ postalCode: null, address: null, phone: null })).toMatchObject({ postalCode: null, address: null, phone: null });
    expect(ok({ postalCode: '', address: '', phone: '' })).toMatchObject({ postalCode: null, address: null, phone: null });
  });

  it.each(['main', 'branch', 'counter'] as const)('keeps kind %s', (kind) => {
    expect(ok({ kind }).kind).toBe(kind);
  });

  describe('postal code', () => {
    it.each([
      ['1020071', '102-0071'],
      ['102-0071', '102-0071'],
      ['１０２００７１', '102-0071'],
      ['１０２－００７１', '102-0071'],
      ['102−0071', '102-0071'], // U+2212 minus sign
      ['102ー0071', '102-0071'], // long-vowel mark typed for a hyphen
      ['102ｰ0071', '102-0071'], // half-width long-vowel mark
      [' 102-0071 ', '102-0071'],
    ])('normalizes %j to %s', (input, expected) => {
      expect(ok({ postalCode: input }).postalCode).toBe(expected);
    });

    it.each(['102-007', '10200711', '102-00711', 'abcdefg', '〒102-0071', '102 0071', '102_0071', '1O2-0071', '   '])('refuses %j', (input) => {
      // '   ' normalizes to '' but is truthy, so it is checked and refused.
      const errs = errors({ postalCode: input });
      expect(errs).toEqual([{ field: 'body/postalCode', rule: 'postal_code', message: expect.objectContaining({ ja: expect.any(String), en: expect.any(String) }) }]);
    });
  });

  describe('phone', () => {
    it.each([
      ['03-3264-2111', '03-3264-2111'],
      ['0332642111', '0332642111'],
      ['090-1234-5678', '090-1234-5678'],
      ['09012345678', '09012345678'],
      ['0120-123-456', '0120-123-456'],
      ['０３－３２６４－２１１１', '03-3264-2111'],
      ['03ー3264ー2111', '03-3264-2111'],
      ['03−3264−2111', '03-3264-2111'],
      [' 03-3264-2111 ', '03-3264-2111'],
    ])('normalizes %j to %s', (input, expected) => {
      expect(ok({ phone: input }).phone).toBe(expected);
    });

    it.each([
      '3-3264-2111', // no leading 0
      '03-3264-211', // nine digits
      '033264211',
      '+81-3-3264-2111',
      '03-3264-2111-',
      '-03-3264-2111',
      '03 3264 2111',
      '(03)3264-2111',
      'phone',
      '03-3264-2111 内線123',
      '0',
      '012345678901234', // fifteen characters
    ])('refuses %j', (input) => {
      const errs = errors({ phone: input });
      expect(errs.map((e) => [e.field, e.rule])).toEqual([['body/phone', 'phone']]);
    });
  });

  describe('reading', () => {
    it.each([
      ['ちよだくやくしょ', 'チヨダクヤクショ'],
      ['ﾁﾖﾀﾞｸﾔｸｼｮ', 'チヨダクヤクショ'],
      ['チヨダク　ホンチョウシャ', 'チヨダク\u3000ホンチョウシャ'],
    ])('normalizes %j to %j', (input, expected) => {
      expect(ok({ nameKana: input }).nameKana).toBe(expected);
    });

    it.each(['千代田区役所', 'Chiyoda City Hall', '', '  ', 'チヨダ区'])('refuses %j and names the field body/nameKana', (input) => {
      const errs = errors({ nameKana: input });
      expect(errs).toEqual([{ field: 'body/nameKana', rule: 'kana', message: { ja: expect.any(String), en: 'must be written in kana' } }]);
    });

    it('names the field under the given request part', () => {
      expect(errors({ nameKana: '漢字' }, 'body/offices/0').map((e) => e.field)).toEqual(['body/offices/0/nameKana']);
    });
  });

  describe('name and address', () => {
    it('normalizes the name and address (NFKC, whitespace)', () => {
      const office = ok({ name: '  千代田区役所　ﾎﾝﾁｮｳｼｬ ', address: '東京都千代田区九段南１－２－１' });
      expect(office.name).toBe('千代田区役所 ホンチョウシャ');
      expect(office.address).toBe('東京都千代田区九段南1-2-1');
    });

    it('turns a blank address into null', () => {
      expect(ok({ address: '  \u3000 ' }).address).toBeNull();
    });

    it.each(['', '   ', '\u3000'])('refuses a blank name %j', (name) => {
      expect(errors({ name })).toEqual([{ field: 'body/name', rule: 'minLength', message: { ja: '必須項目です。', en: 'is required' } }]);
    });
  });

  it('reports every problem at once, in field order', () => {
    const errs = errors({ name: ' ', nameKana: 'kanji', postalCode: '12', phone: '12' });
    expect(errs.map((e) => e.field)).toEqual(['body/nameKana', 'body/postalCode', 'body/phone', 'body/name']);
  });

  it('never puts input values in error messages', () => {
    const secret = {
      name: '\u3000',
      nameKana: '山田太郎SECRET',
      postalCode: '9999SECRET',
      phone: '0399SECRET',
    };
    const errs = errors(secret);
    expect(errs).toHaveLength(4);
    const text = JSON.stringify(errs);
    for (const v of ['山田', 'SECRET', '9999', '0399']) expect(text).not.toContain(v);
  });
});
