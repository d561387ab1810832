import { describe, expect, it } from 'vitest';
import { kanjiNumber } from '../certificates/era.js';
import { building, formatPostalCode, inhabitedRows, isInhabitedTown, townAndBlock, townStyle } from './address.js';
import { municipalityPlaces } from './data.js';
import { createPrng } from './prng.js';

describe('kanjiNumber (../certificates/era.ts), which writes the 丁目', () => {
  it('writes 1–99 as addresses do', () => {
    expect([1, 9, 10, 11, 20, 23, 99].map((n) => kanjiNumber(n))).toEqual(['一', '九', '十', '十一', '二十', '二十三', '九十九']);
    for (const bad of [0, 100, 1.5]) expect(() => kanjiNumber(bad)).toThrow(RangeError);
  });
});

describe('town styles', () => {
  it('千代田区: from the table', () => {
    expect(townStyle('13101', '九段南')).toEqual({ chome: [1, 2, 3, 4], system: 'jukyo' });
    expect(townStyle('13101', '一番町')).toEqual({ chome: [], system: 'jukyo' });
    expect(townStyle('13101', '神田多町')).toEqual({ chome: [2], system: 'chiban' });
    expect(townStyle('13101', '神田練塀町')).toEqual({ chome: [], system: 'chiban' });
  });

  it('札幌市: 条 towns have 丁目 and land lot numbers', () => {
    const s = townStyle('01101', '北一条西');
    expect(s.system).toBe('chiban');
    expect(s.chome[0]).toBe(1);
    expect(s.chome.length).toBeGreaterThanOrEqual(2);
  });

  it('is deterministic', () => {
    expect(townStyle('01106', '真駒内')).toEqual(townStyle('01106', '真駒内'));
  });

  it('leaves out the uninhabited towns of 千代田区', () => {
    expect(isInhabitedTown('13101', '千代田')).toBe(false);
    expect(isInhabitedTown('13101', '北の丸公園')).toBe(false);
    expect(isInhabitedTown('13101', '九段南')).toBe(true);
    const rows = inhabitedRows(municipalityPlaces('131016'));
    expect(rows.some((r) => r.row.town === '千代田' || r.row.town === '皇居外苑')).toBe(false);
  });
});

describe('blocks and buildings', () => {
  it('住居表示: 丁目 in the town, 番 and 号 in the block', () => {
    const prng = createPrng(1);
    for (let i = 0; i < 200; i++) {
      const { town, block } = townAndBlock(prng, { postalCode: '1020074', town: '九段南' }, townStyle('13101', '九段南'));
      expect(town).toMatch(/^九段南[一二三四]丁目$/);
      expect(block).toMatch(/^[1-9][0-9]?番[1-9][0-9]?号$/);
    }
  });

  it('地番: 番地 with an optional branch number', () => {
    const prng = createPrng(2);
    for (let i = 0; i < 200; i++) {
      const { town, block } = townAndBlock(prng, { postalCode: '1010026', town: '神田佐久間河岸' }, townStyle('13101', '神田佐久間河岸'));
      expect(town).toBe('神田佐久間河岸');
      expect(block).toMatch(/^[1-9][0-9]*番地([1-9][0-9]*)?$/);
    }
  });

  it('buildings have a name and a room', () => {
    const prng = createPrng(3);
    for (let i = 0; i < 200; i++) expect(building(prng, '九段南一丁目', ['田中'])).toMatch(/^\S+ [1-9][0-9]*(0[1-9]|1[0-2])号室$/);
  });

  it('formats postal codes with a hyphen', () => {
    expect(formatPostalCode('1020074')).toBe('102-0074');
  });
});
