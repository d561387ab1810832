/**
 * What the resident register's API tests share: the 髙橋 family's filings (the
 * person a move-in or birth sends, their home and where they came from) and
 * the audit log read back as entries.
 */
import { adminQuery, type TestPlatform } from './platform.js';

/** The benefit and roll flags every test person is filed with. */
export const FLAGS = { nationalHealthInsurance: true, lateStageElderlyMedical: false, longTermCare: false, nationalPension: true, childAllowance: false, electoralRoll: true };

/** The address in 千代田区 (the municipality under test) a new household moves into. */
export const HOME = { postalCode: '1000001', prefecture: '東京都', municipality: '千代田区', town: '千代田一丁目', block: '1番1号', building: null };

/** A domestic residence in 札幌市: where the test families come from, and where a move-out takes them. */
export const SAPPORO_ADDRESS = { kind: 'domestic', address: { postalCode: null, prefecture: '北海道', municipality: '札幌市中央区', town: '北一条西二丁目', block: '1番地', building: null } };

/** A member of the 髙橋 family as a filing sends it: a man with a domicile and no numbers, unless extra says otherwise. */
export function person(given: string, givenKana: string, dateOfBirth: string, relationship: string, extra: Record<string, unknown> = {}) {
  return {
    name: { family: '髙橋', given, familyKana: 'タカハシ', givenKana },
    dateOfBirth,
    sex: 'male',
    relationship,
    domicile: { place: '東京都千代田区千代田一番', head: '髙橋一郎' },
    myNumber: null,
    residentCode: null,
    flags: FLAGS,
    foreign: null,
    ...extra,
  };
}

/**
 * Every entry of the platform's audit log, oldest first, as the entry its leaf
 * records: read from the table rather than the API, so a test sees exactly
 * what was written. E is the shape the caller looks at; nothing checks it.
 */
export async function readAuditEntries<E>(tp: TestPlatform): Promise<E[]> {
  const rows = await adminQuery<{ leaf: Buffer }>(tp, 'control', 'SELECT leaf FROM control.audit_entries ORDER BY seq');
  return rows.map((r) => JSON.parse(r.leaf.toString('utf8')).entry as E);
}
