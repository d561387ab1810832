/**
 * The catalogue of changes (異動) the register records, with who files them,
 * their reason codes and the filing deadline that makes a filing late. Data,
 * documented in docs/resident-register.md. Pure.
 */

export interface ChangeKindSpec {
  readonly ja: string;
  readonly en: string;
  /** Filed by the resident (届出) or recorded by the municipality on its own authority or on a notice (職権). */
  readonly filedBy: 'resident' | 'municipality';
  /** Days after the event within which the resident must file (住民基本台帳法 第22条〜第25条): later is flagged. */
  readonly deadlineDays: number | null;
  /** Allowed reason codes; the first is the default. */
  readonly reasons: readonly string[];
}

export const CHANGE_KINDS = {
  move_in: { ja: '転入', en: 'Move-in from another municipality', filedBy: 'resident', deadlineDays: 14, reasons: ['move_in'] },
  return_from_abroad: { ja: '国外からの転入', en: 'Move-in from abroad', filedBy: 'resident', deadlineDays: 14, reasons: ['return_from_abroad'] },
  move_within: { ja: '転居', en: 'Move within the municipality', filedBy: 'resident', deadlineDays: 14, reasons: ['move_within'] },
  // A move-out is filed before leaving, or within 14 days after (第24条).
  move_out: { ja: '転出', en: 'Move-out to another municipality', filedBy: 'resident', deadlineDays: 14, reasons: ['move_out'] },
  move_abroad: { ja: '国外転出', en: 'Move abroad', filedBy: 'resident', deadlineDays: 14, reasons: ['move_abroad'] },
  household_change: {
    ja: '世帯変更',
    en: 'Household change',
    filedBy: 'resident',
    deadlineDays: 14,
    reasons: ['change_of_head', 'split', 'merge'], // 世帯主変更・世帯分離・世帯合併
  },
  birth: { ja: '出生', en: 'Birth', filedBy: 'municipality', deadlineDays: null, reasons: ['family_register_notice'] },
  death: { ja: '死亡', en: 'Death', filedBy: 'municipality', deadlineDays: null, reasons: ['family_register_notice'] },
  entry_by_authority: {
    ja: '職権記載',
    en: 'Entry on the municipality’s authority',
    filedBy: 'municipality',
    deadlineDays: null,
    // system_migration: records loaded in bulk from a previous system (or a synthetic population), see bulk-entry.ts.
    reasons: ['missing_record', 'court_decision', 'nationality_acquired', 'system_migration', 'other'],
  },
  removal_by_authority: {
    ja: '職権消除',
    en: 'Removal on the municipality’s authority',
    filedBy: 'municipality',
    deadlineDays: null,
    reasons: ['not_living_here', 'duplicate_record', 'residence_status_ended', 'other'],
  },
  correction_by_authority: {
    ja: '職権修正',
    en: 'Correction on the municipality’s authority',
    filedBy: 'municipality',
    deadlineDays: null,
    reasons: ['clerical_error', 'family_register_notice', 'eligibility_update', 'my_number_assigned', 'immigration_notice', 'other'],
  },
  move_out_cancelled: { ja: '転出取消', en: 'Move-out cancelled', filedBy: 'municipality', deadlineDays: null, reasons: ['plan_abandoned', 'filed_in_error'] },
} as const satisfies Record<string, ChangeKindSpec>;

export type ChangeKind = keyof typeof CHANGE_KINDS;
export const CHANGE_KIND_NAMES = Object.keys(CHANGE_KINDS) as ChangeKind[];

const DAY = 86_400_000;

/** Whether a filing is late: filed more than the kind's deadline after the event. */
export function isLate(kind: ChangeKind, eventDate: string, filedOn: string): boolean {
  const days: number | null = CHANGE_KINDS[kind].deadlineDays;
  if (days === null) return false;
  return (Date.parse(filedOn) - Date.parse(eventDate)) / DAY > days;
}

/** Today's date in Japan (the register's day), as YYYY-MM-DD. */
export function todayInJapan(now: Date = new Date()): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}
