/**
 * Synthetic addresses in real towns, and synthetic 本籍 (registered domicile). Pure
 * given the place data.
 *
 * A town of the postal data is a name without 丁目 ("九段南", "北一条西"); the
 * generator adds a 丁目 where the town has them and a block in the town's style:
 *
 * - 住居表示 (the residential address system): town + 丁目, then 街区符号 and
 *   住居番号, "九段南一丁目" + "2番1号".
 * - 地番 (land lot numbers): "神田神保町一丁目" + "101番地", or "…番地3".
 *
 * Which towns have 丁目 and which system they use is not in the postal data.
 * For 千代田区 a small table below gives both (approximate, compiled for
 * realistic-looking demo data, not an authoritative list); elsewhere a
 * deterministic rule of thumb decides per town: Sapporo-style 条 towns have
 * 丁目 and 地番; Tokyo's special wards use 住居表示; other towns get 丁目 by a
 * hash of their name.
 */
import { kanjiNumber } from '../certificates/era.js';
import type { Address } from '../record.js';
import type { Area, MunicipalityPlaces, PlaceData, TownRow } from './data.js';
import { hashSeed, type Prng } from './prng.js';

export type AddressingSystem = 'jukyo' | 'chiban';

export interface TownStyle {
  /** The 丁目 numbers the town has; empty when it has none. */
  readonly chome: readonly number[];
  readonly system: AddressingSystem;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** 千代田区: towns → [丁目, system]. Approximate (see above). */
const CHIYODA_TOWNS: Readonly<Record<string, readonly [readonly number[], AddressingSystem]>> = {
  飯田橋: [range(1, 4), 'jukyo'],
  一番町: [[], 'jukyo'],
  二番町: [[], 'jukyo'],
  三番町: [[], 'jukyo'],
  四番町: [[], 'jukyo'],
  五番町: [[], 'jukyo'],
  六番町: [[], 'jukyo'],
  一ツ橋: [range(1, 2), 'jukyo'],
  岩本町: [range(1, 3), 'jukyo'],
  内神田: [range(1, 3), 'jukyo'],
  内幸町: [range(1, 2), 'jukyo'],
  大手町: [range(1, 2), 'jukyo'],
  鍛冶町: [range(1, 2), 'jukyo'],
  霞が関: [range(1, 3), 'jukyo'],
  紀尾井町: [[], 'jukyo'],
  九段北: [range(1, 4), 'jukyo'],
  九段南: [range(1, 4), 'jukyo'],
  麹町: [range(1, 6), 'jukyo'],
  外神田: [range(1, 6), 'jukyo'],
  永田町: [range(1, 2), 'jukyo'],
  西神田: [range(1, 3), 'jukyo'],
  隼町: [[], 'jukyo'],
  東神田: [range(1, 3), 'jukyo'],
  平河町: [range(1, 2), 'jukyo'],
  富士見: [range(1, 2), 'jukyo'],
  丸の内: [range(1, 3), 'jukyo'],
  有楽町: [range(1, 2), 'jukyo'],
  神田三崎町: [range(1, 3), 'jukyo'],
  神田猿楽町: [range(1, 2), 'jukyo'],
  神田駿河台: [range(1, 4), 'chiban'],
  神田神保町: [range(1, 3), 'chiban'],
  神田小川町: [range(1, 3), 'chiban'],
  神田錦町: [range(1, 3), 'chiban'],
  神田淡路町: [range(1, 2), 'chiban'],
  神田須田町: [range(1, 2), 'chiban'],
  神田佐久間町: [range(1, 4), 'chiban'],
  神田多町: [[2], 'chiban'],
  神田司町: [[2], 'chiban'],
  神田鍛冶町: [[3], 'chiban'],
};

/**
 * Towns where nobody is registered, left out of the generator's draw:
 * 千代田区千代田 is the Imperial Palace (the Imperial family is not in the
 * resident register) and the others are parks.
 */
const UNINHABITED_TOWNS: Readonly<Record<string, readonly string[]>> = {
  '13101': ['千代田', '皇居外苑', '北の丸公園', '日比谷公園'],
};

export function isInhabitedTown(cityCode5: string, town: string): boolean {
  return !(UNINHABITED_TOWNS[cityCode5]?.includes(town) ?? false);
}

/** The style of a town (deterministic: the same town always gets the same style). */
export function townStyle(cityCode5: string, town: string): TownStyle {
  if (cityCode5 === '13101') {
    const known = CHIYODA_TOWNS[town];
    // 神田 towns not listed: small old towns on land lot numbers, without 丁目.
    return known ? { chome: known[0], system: known[1] } : { chome: [], system: town.startsWith('神田') ? 'chiban' : 'jukyo' };
  }
  const h = hashSeed(`${cityCode5}/${town}`);
  if (town.includes('丁目')) return { chome: [], system: 'chiban' };
  // Sapporo's grid: 北一条西, 南二十条西, 宮の森一条, 本通 … numbered 丁目 and land lots.
  if (/条[東西南北]?$/.test(town)) return { chome: range(1, 2 + (h % 15)), system: 'chiban' };
  const tokyoWard = /^131[0-2][0-9]$/.test(cityCode5);
  const villageLike = /[町村]$/.test(town) && !/番町$/.test(town);
  const hasChome = villageLike ? h % 10 < 3 : h % 10 < 6;
  const chome = hasChome ? range(1, 1 + ((h >>> 8) % 6)) : [];
  const system: AddressingSystem = tokyoWard ? 'jukyo' : chome.length > 0 && (h >>> 16) % 2 === 0 ? 'jukyo' : 'chiban';
  return { chome, system };
}

/** Small numbers more often than large ones (a block's numbers are dense near 1). */
function skewed(prng: Prng, max: number): number {
  const u = prng.next();
  return 1 + Math.floor(max * u * u);
}

export interface TownAndBlock {
  /** 町名 and 丁目 as the register writes them: 九段南一丁目, 神田多町二丁目, 盤渓. */
  readonly town: string;
  readonly block: string;
}

/** The town with one of its 丁目, if it has them: 九段南一丁目, 盤渓. */
function townWithChome(prng: Prng, row: TownRow, style: TownStyle): string {
  return style.chome.length > 0 ? `${row.town}${kanjiNumber(prng.pick(style.chome))}丁目` : row.town;
}

/** A land lot number (地番): a 丁目 is small, a town without them holds many lots. */
function landLot(prng: Prng, style: TownStyle): number {
  return style.chome.length > 0 ? skewed(prng, 40) : skewed(prng, 1500);
}

/** A town name with a 丁目 and a block in the town's style. */
export function townAndBlock(prng: Prng, row: TownRow, style: TownStyle): TownAndBlock {
  const town = townWithChome(prng, row, style);
  if (style.system === 'jukyo') return { town, block: `${skewed(prng, style.chome.length > 0 ? 25 : 30)}番${skewed(prng, 30)}号` };
  const lot = landLot(prng, style);
  return { town, block: prng.chance(0.5) ? `${lot}番地` : `${lot}番地${skewed(prng, 25)}` };
}

const BUILDING_STEMS = ['サン', 'グリーン', 'ロイヤル', 'パレス', 'エクセル', 'リバーサイド', 'シティ', 'アーバン', 'プラザ', 'ステラ', 'ベル', 'エスポワール', 'フォレスト', 'コスモ', 'アルファ'];
const BUILDING_KINDS = ['マンション', 'ハイツ', 'コーポ', 'レジデンス', 'ハイム', 'コート', 'ヒルズ', 'タワー', '荘'];

/** A generated building and room (方書): "九段南レジデンス 305号室", "コーポ田中 102号室". */
export function building(prng: Prng, town: string, familyNames: readonly string[]): string {
  const kind = prng.pick(BUILDING_KINDS);
  const stemKind = prng.int(0, 2);
  const stem = stemKind === 0 ? town.replace(/[一二三四五六七八九十]+丁目$/, '') : stemKind === 1 ? prng.pick(BUILDING_STEMS) : prng.pick(familyNames);
  const name = kind === 'コーポ' || kind === 'ハイム' ? `${kind}${stem}` : `${stem}${kind}`;
  const numbered = prng.chance(0.15) ? `第${kanjiNumber(prng.int(2, 5))}` : '';
  const floors = kind === '荘' ? 2 : kind === 'タワー' ? 40 : 12;
  const floor = skewed(prng, floors);
  const room = prng.int(1, kind === '荘' ? 6 : 12);
  return `${numbered}${name} ${floor}${String(room).padStart(2, '0')}号室`;
}

/** "1020074" → "102-0074" */
export function formatPostalCode(code7: string): string {
  return `${code7.slice(0, 3)}-${code7.slice(3)}`;
}

export interface PlaceDraw {
  readonly area: Area;
  readonly row: TownRow;
  readonly style: TownStyle;
}

/** The inhabited town rows of a municipality, flattened over its wards, to draw households from (each row equally likely). */
export function inhabitedRows(m: MunicipalityPlaces): PlaceDraw[] {
  const out: PlaceDraw[] = [];
  for (const area of m.areas) {
    for (const row of area.towns) if (isInhabitedTown(area.cityCode5, row.town)) out.push({ area, row, style: townStyle(area.cityCode5, row.town) });
  }
  if (out.length === 0) throw new RangeError(`${m.name}: no inhabited towns`);
  return out;
}

/** A household's address: a real town of the municipality, a generated block and, with probability `buildingShare`, a building. */
export function syntheticAddress(prng: Prng, m: MunicipalityPlaces, rows: readonly PlaceDraw[], buildingShare: number, familyNames: readonly string[]): Address {
  const { area, row, style } = prng.pick(rows);
  const { town, block } = townAndBlock(prng, row, style);
  return {
    postalCode: formatPostalCode(row.postalCode),
    prefecture: m.prefecture,
    municipality: area.name,
    town,
    block,
    building: prng.chance(buildingShare) ? building(prng, town, familyNames) : null,
  };
}

/** A town drawn for a 本籍, with the prefecture and municipality it is written with. */
export interface TownDraw {
  readonly prefecture: string;
  readonly municipality: string;
  readonly row: TownRow;
  readonly style: TownStyle;
}

/** A town anywhere in Japan: an area (municipality or ward) drawn uniformly, then one of its towns. */
export function townAnywhere(prng: Prng, places: PlaceData): TownDraw {
  const area = prng.pick(places.allAreas);
  const row = prng.pick(area.towns);
  return { prefecture: places.prefectures.get(area.cityCode5.slice(0, 2)) ?? '', municipality: area.name, row, style: townStyle(area.cityCode5, row.town) };
}

/**
 * A 本籍 for a Japanese national: with probability `localShare` in the
 * municipality itself, otherwise in a town anywhere in Japan. Written as 本籍
 * usually is: prefecture, municipality, town and a land lot number
 * ("東京都千代田区九段南一丁目2番地").
 */
export function syntheticDomicilePlace(prng: Prng, m: MunicipalityPlaces, rows: readonly PlaceDraw[], places: PlaceData, localShare: number): string {
  let draw: TownDraw;
  if (prng.chance(localShare)) {
    const { area, row, style } = prng.pick(rows);
    draw = { prefecture: m.prefecture, municipality: area.name, row, style };
  } else {
    draw = townAnywhere(prng, places);
  }
  return `${draw.prefecture}${draw.municipality}${townWithChome(prng, draw.row, draw.style)}${landLot(prng, draw.style)}番地`;
}
