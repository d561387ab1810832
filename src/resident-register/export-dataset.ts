/**
 * The register's dataset for four-eyes bulk exports (src/security/exports):
 * one row per resident, current or closed, with the items of the record an
 * operation usually asks for in a file. My Number and the registered domicile
 * are never exported in bulk; persons under a support measure are left out.
 */
import { Type } from 'typebox';
import { cursorRows, EXPORT_DATASETS } from '../security/exports/index.js';
import { todayInJapan } from './changes.js';
import { isSuppressed } from './disclosure.js';
import type { ResidentFlags } from './record.js';
import { openResident } from './service.js';
import type { ResidentRow } from './store.js';

const FLAG_NAMES = ['nationalHealthInsurance', 'lateStageElderlyMedical', 'longTermCare', 'nationalPension', 'childAllowance', 'electoralRoll'] as const satisfies readonly (keyof ResidentFlags)[];

const Filter = Type.Object(
  {
    state: Type.Enum(['current', 'closed', 'all'], { default: 'current' }),
    flag: Type.Optional(Type.Enum(FLAG_NAMES, { description: 'Only residents with this flag set' })),
  },
  { additionalProperties: false },
);

export const RESIDENTS_EXPORT = EXPORT_DATASETS.register({
  name: 'residents',
  ja: '住民一覧（個人番号・本籍を除く）',
  en: 'Residents (without My Number and domicile)',
  resource: 'residents',
  columns: [
    { name: 'resident_id', ja: '住民ID' },
    { name: 'resident_code', ja: '住民票コード' },
    { name: 'family_name', ja: '氏' },
    { name: 'given_name', ja: '名' },
    { name: 'family_name_kana', ja: '氏（フリガナ）' },
    { name: 'given_name_kana', ja: '名（フリガナ）' },
    { name: 'date_of_birth', ja: '生年月日' },
    { name: 'sex', ja: '性別' },
    { name: 'household_id', ja: '世帯ID' },
    { name: 'relationship', ja: '続柄' },
    { name: 'postal_code', ja: '郵便番号' },
    { name: 'address', ja: '住所' },
    { name: 'resident_since', ja: '住民となった年月日' },
    { name: 'state', ja: '状態（current=現存, closed=除票）' },
  ],
  filterSchema: Filter,
  async *rows({ db, keys, filter }) {
    const f = filter as { state?: 'current' | 'closed' | 'all'; flag?: (typeof FLAG_NAMES)[number] };
    const state = f.state ?? 'current';
    const today = todayInJapan();
    const rows = cursorRows<{ id: string; household_id: string; state: 'current' | 'closed'; record_sealed: Buffer; support_measure: boolean }>(
      db,
      `SELECT id, household_id, state, record_sealed, support_measure FROM cell.residents WHERE ($1 = 'all' OR state = $1) ORDER BY id`,
      [state],
    );
    for await (const r of rows) {
      const row: ResidentRow = { id: r.id, householdId: r.household_id, state: r.state, recordSealed: r.record_sealed, supportMeasure: r.support_measure };
      if (await isSuppressed(db, row, today)) continue;
      const p = await openResident(keys, row);
      if (f.flag && !p.flags[f.flag]) continue;
      const a = p.address;
      yield {
        id: p.id,
        values: [
          p.id,
          p.residentCode,
          p.name.family,
          p.name.given,
          p.name.familyKana,
          p.name.givenKana,
          p.dateOfBirth,
          p.sex,
          p.householdId,
          p.relationship,
          a.postalCode,
          [a.prefecture, a.municipality, a.town, a.block, a.building].filter(Boolean).join(' '),
          p.residentSince,
          p.state,
        ],
      };
    }
  },
});
