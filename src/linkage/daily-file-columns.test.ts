import { describe, expect, it } from 'vitest';
import { HANAKO, KIM, TARO } from '../resident-register/certificates/test-fixtures.js';
import type { ResidentRecord } from '../resident-register/record.js';
import { parseCsv, csvRecord } from '../security/exports/csv.js';
import { DAILY_FILE_COLUMNS, dailyFileHeader, dailyFileRows, LEADING_COLUMNS } from './daily-file-columns.js';
import { projectResident, RESIDENT_FIELD_NAMES, RESIDENT_FIELDS, type ResidentField } from './entitlements.js';
import type { DeliveredEvent } from './feed.js';

const MOVED_OUT: ResidentRecord = {
  ...HANAKO,
  state: 'closed',
  closed: { reason: 'moved_out', on: '2026-09-01', destination: { kind: 'domestic', address: { postalCode: '0600001', prefecture: '北海道', municipality: '札幌市中央区', town: '北一条西二丁目', block: '1番地', building: null } } },
};

function event(residents: readonly ResidentRecord[] | null, fields: readonly ResidentField[], residentIds = residents?.map((r) => r.id) ?? []): DeliveredEvent {
  return {
    id: '7c1e2f3a-0000-4000-8000-000000000001',
    topic: 'resident_register.move_in',
    version: 1,
    municipalityCode: '131016',
    cursor: '7481.118',
    recordedAt: '2026-04-02T01:23:45.678Z',
    data: {
      changeId: '7c1e2f3a-0000-4000-8000-000000000001',
      kind: 'move_in',
      reasonCode: 'move_in',
      eventDate: '2026-04-01',
      residentIds,
      householdIds: [],
      ...(residents && fields.length > 0 ? { residents: residents.map((r) => ({ ...projectResident(r, fields), restricted: r.id === HANAKO.id })) } : {}),
    },
  };
}

describe('the daily file columns', () => {
  it('flatten every resident field into uniquely named snake_case columns', () => {
    expect(Object.keys(DAILY_FILE_COLUMNS).sort()).toEqual([...RESIDENT_FIELD_NAMES].sort());
    const headers = dailyFileHeader(RESIDENT_FIELD_NAMES);
    expect(new Set(headers).size).toBe(headers.length);
    for (const h of headers) expect(h).toMatch(/^[a-z][a-z0-9_]*$/);
    for (const f of RESIDENT_FIELD_NAMES) expect(DAILY_FILE_COLUMNS[f].length, f).toBeGreaterThan(0);
  });

  it("each read only their own field's items (what the feed delivers for that field)", () => {
    for (const field of RESIDENT_FIELD_NAMES) {
      for (const r of [TARO, KIM, MOVED_OUT]) {
        // A record holding the items of this field only: a column reading another field's items would throw or differ.
        const only = projectResident(r, [field]) as unknown as ResidentRecord;
        for (const c of DAILY_FILE_COLUMNS[field]) expect(c.value(only), `${field}.${c.header}`).toEqual(c.value(r));
      }
    }
  });

  it('come in RESIDENT_FIELDS order whatever order the subscription names its fields in, after the leading columns', () => {
    const header = dailyFileHeader(['flags', 'dateOfBirth', 'name']);
    expect(header).toEqual([
      ...LEADING_COLUMNS.map((c) => c.header),
      'family_name', 'given_name', 'family_name_kana', 'given_name_kana',
      'date_of_birth',
      'flag_national_health_insurance', 'flag_late_stage_elderly_medical', 'flag_long_term_care', 'flag_national_pension', 'flag_child_allowance', 'flag_electoral_roll',
    ]);
    expect(dailyFileHeader([])).toEqual(['event_id', 'position', 'topic', 'kind', 'reason_code', 'event_date', 'recorded_at', 'resident_id', 'restricted']);
    expect(Object.keys(RESIDENT_FIELDS)).toEqual(RESIDENT_FIELD_NAMES);
  });

  it('give one row per resident named, in the event’s order, with values as written', () => {
    const fields: ResidentField[] = ['name', 'dateOfBirth', 'address', 'state', 'flags', 'foreign', 'previousResidence'];
    const rows = dailyFileRows(event([TARO, MOVED_OUT, KIM], fields), fields);
    const header = dailyFileHeader(fields);
    const named = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    expect(named).toHaveLength(3);
    expect(named[0]).toMatchObject({
      event_id: '7c1e2f3a-0000-4000-8000-000000000001', position: '7481.118', topic: 'resident_register.move_in', kind: 'move_in', reason_code: 'move_in',
      event_date: '2026-04-01', recorded_at: '2026-04-02T01:23:45.678Z', resident_id: TARO.id, restricted: 'false',
      family_name: TARO.name.family, given_name: '太郎', given_name_kana: 'タロウ', date_of_birth: '1980-04-01',
      address_prefecture: TARO.address.prefecture, address_building: TARO.address.building, address_since: TARO.addressSince,
      state: 'current', closed_reason: null, closed_destination_kind: null,
      flag_national_health_insurance: String(TARO.flags.nationalHealthInsurance), foreign_nationality: null,
    });
    expect(named[1]).toMatchObject({ resident_id: HANAKO.id, restricted: 'true', state: 'closed', closed_reason: 'moved_out', closed_on: '2026-09-01',
      closed_destination_kind: 'domestic', closed_destination_municipality: '札幌市中央区', closed_destination_country: null });
    expect(named[2]).toMatchObject({ foreign_nationality: 'KR', foreign_alias_name: '金山 民俊', foreign_residence_period_end: '2028-03-31',
      previous_residence_kind: 'abroad', previous_residence_country: '大韓民国', previous_residence_text: 'ソウル特別市', previous_residence_prefecture: null });
    // Written and read back as CSV, UTF-8 text as it is.
    const text = [header, ...rows].map(csvRecord).join('');
    expect(parseCsv(text)).toEqual([header, ...rows.map((r) => r.map((v) => v ?? ''))]);
    expect(text).toContain('金山 民俊');
  });

  it('give an event naming no resident one row with empty resident columns; an ids-only subscription empty field columns', () => {
    const fields: ResidentField[] = ['dateOfBirth'];
    const none = dailyFileRows(event([], fields), fields);
    expect(none).toEqual([['7c1e2f3a-0000-4000-8000-000000000001', '7481.118', 'resident_register.move_in', 'move_in', 'move_in', '2026-04-01', '2026-04-02T01:23:45.678Z', null, null, null]]);
    const idsOnly = dailyFileRows(event([TARO, HANAKO], []), []);
    expect(idsOnly.map((r) => [r[7], r[8]])).toEqual([[TARO.id, null], [HANAKO.id, null]]);
    // A resident the feed did not enrich: the id, nothing else.
    const missing = dailyFileRows(event([TARO], fields, [TARO.id, HANAKO.id]), fields);
    expect(missing[1]).toEqual([...missing[1]!.slice(0, 7), HANAKO.id, null, null]);
  });
});
