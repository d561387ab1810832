/**
 * 国民健康保険 (National Health Insurance run by the prefecture together with
 * its municipalities): who is insured on a date, and what a change in the
 * resident register (or in a person's other coverage) does to the insurance.
 * Pure rules; no database, no clock. Documented in docs/national-health-insurance.md.
 *
 * Law (国民健康保険法, 国保法 below):
 * - 第5条: everyone with an address (住所) in the prefecture is insured, unless
 * - 第6条 excludes them: 1–4 employee insurance (健康保険, 船員保険, 共済, 私学共済),
 *   5–6 their dependants (被扶養者), 7 day-labourer insurance holders,
 *   8 後期高齢者医療 insured, 9 households on public assistance (生活保護),
 *   10 国民健康保険組合 insured, 11 others named by ministerial ordinance
 *   (国民健康保険法施行規則 第1条: foreign nationals who are not 外国人住民, and
 *   some 特定活動 designations).
 * - 第7条: the status is acquired on the day one comes to have an address in the
 *   prefecture, or on the day one stops falling under 第6条.
 * - 第8条第1項: it is lost on the day AFTER one stops having an address in the
 *   prefecture or comes under 第6条 (except 9 and 10) — but on the SAME day when,
 *   on the day one leaves, one acquires an address in another prefecture (ただし書).
 *   第8条第2項: on the same day for 第6条 9 (生活保護) and 10 (国保組合).
 * - Since FY2018 the prefecture is the insurer with its municipalities: a move
 *   between municipalities of one prefecture neither acquires nor loses the
 *   status at prefecture level; the municipality that keeps the record (and
 *   assesses the premium) changes on the moving day.
 *
 * Dates are `YYYY-MM-DD` (Gregorian), months `YYYY-MM`.
 */
import type { ResidentRecord } from '../../resident-register/record.js';

// ---------------------------------------------------------------------------
// Errors

/** Input that the rules cannot judge: names the field and the rule, never the value (it may be personal data). */
export class NhiInputError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'NhiInputError';
  }
}

// ---------------------------------------------------------------------------
// Calendar (pure; UTC arithmetic on calendar dates, so no time zone enters)

const DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DAY_MS = 86_400_000;

function utc(date: string, field: string): number {
  const m = typeof date === 'string' ? DATE_RE.exec(date) : null;
  if (!m) throw new NhiInputError(field, 'date', 'must be a date written YYYY-MM-DD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (y < 1868 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new NhiInputError(field, 'date', 'is not a calendar date');
  }
  return t;
}

function format(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Throws NhiInputError unless `date` is a real calendar date `YYYY-MM-DD`; returns it. */
export function checkDate(date: string, field: string): string {
  utc(date, field);
  return date;
}

export function addDays(date: string, days: number): string {
  return format(utc(date, 'date') + days * DAY_MS);
}

/** The month `YYYY-MM` a date falls in. */
export function monthOf(date: string): string {
  return checkDate(date, 'date').slice(0, 7);
}

/** The fiscal year (年度, April–March) a date falls in, named by its starting calendar year. */
export function fiscalYearOf(date: string): number {
  const [y, m] = [Number(date.slice(0, 4)), Number(checkDate(date, 'date').slice(5, 7))];
  return m >= 4 ? y : y - 1;
}

/** The twelve months of a fiscal year, April first: 2024 → 2024-04 … 2025-03. */
export function fiscalYearMonths(fiscalYear: number): string[] {
  return Array.from({ length: 12 }, (_, i) => {
    const y = i < 9 ? fiscalYear : fiscalYear + 1;
    const m = ((i + 3) % 12) + 1;
    return `${y}-${String(m).padStart(2, '0')}`;
  });
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * 年齢到達日: the day on which a person born on `dateOfBirth` attains `age`.
 * Under 年齢計算ニ関スル法律 (age is counted from the day of birth) and 民法
 * 第143条 (a period in years ends at the end of the day before the
 * anniversary), an age is attained at the end of the day BEFORE the birthday:
 * born 2000-04-01 → 20 on 2020-03-31. Someone born on 29 February has no
 * anniversary in a common year; the period then ends on the last day of
 * February (民法第143条第2項ただし書), the 28th.
 */
export function attainmentDate(dateOfBirth: string, age: number): string {
  checkDate(dateOfBirth, 'dateOfBirth');
  if (!Number.isSafeInteger(age) || age < 0) throw new NhiInputError('age', 'integer', 'must be a non-negative integer');
  const y = Number(dateOfBirth.slice(0, 4)) + age;
  const md = dateOfBirth.slice(5);
  if (md === '02-29' && !isLeap(y)) return `${y}-02-28`;
  return addDays(`${String(y).padStart(4, '0')}-${md}`, -1);
}

/** The age a person has attained by the end of `date` (legal age: one more at the end of the day before each birthday). */
export function ageAttainedBy(dateOfBirth: string, date: string): number {
  checkDate(date, 'date');
  let age = Number(date.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  while (age > 0 && attainmentDate(dateOfBirth, age) > date) age--;
  return Math.max(age, 0);
}

/**
 * The first day of 後期高齢者医療 by age, which is also the first day without
 * NHI: the 75th birthday itself (the day after the age is attained;
 * 高齢者の医療の確保に関する法律 第50条・第52条, and every 広域連合's notice:
 * "75歳の誕生日から"). Born 29 February → 1 March in a common year.
 */
export function lateStageElderlyStartDate(dateOfBirth: string): string {
  return addDays(attainmentDate(dateOfBirth, 75), 1);
}

/**
 * The period a person is a 介護保険 第2号被保険者 (aged 40–64 with health
 * insurance), which is when NHI's care part (介護納付金賦課額) is levied on
 * them: from the day age 40 is attained (介護保険法 第9条第2号・第10条: the day
 * before the 40th birthday) until the day age 65 is attained, when they become
 * a 第1号被保険者 (第9条第1号) and pay the care premium to the 介護保険 itself.
 * `until` is exclusive.
 */
export function careSecondCategoryPeriod(dateOfBirth: string): { readonly from: string; readonly until: string } {
  return { from: attainmentDate(dateOfBirth, 40), until: attainmentDate(dateOfBirth, 65) };
}

// ---------------------------------------------------------------------------
// Eligibility

/** Grounds of exclusion other than age and residence, as facts the caller supplies (from the other insurer, the welfare office…). */
export const EXCLUSIONS = {
  employee_insurance: { ja: '被用者保険の被保険者（健康保険・船員保険・共済組合・私学共済）', article: '国民健康保険法 第6条第1号〜第4号' },
  employee_insurance_dependant: { ja: '被用者保険の被扶養者', article: '国民健康保険法 第6条第5号・第6号' },
  late_stage_elderly_disability: {
    ja: '後期高齢者医療の被保険者（65歳以上75歳未満で一定の障害の認定を受けた者）',
    article: '国民健康保険法 第6条第8号、高齢者の医療の確保に関する法律 第50条第2号',
  },
  public_assistance: { ja: '生活保護を受けている世帯に属する者', article: '国民健康保険法 第6条第9号' },
  nhi_society: { ja: '国民健康保険組合の被保険者', article: '国民健康保険法 第6条第10号' },
  other: { ja: 'その他の適用除外（日雇特例被保険者手帳の所持者、施行規則第1条の者など）', article: '国民健康保険法 第6条第7号・第11号' },
} as const;
export type Exclusion = keyof typeof EXCLUSIONS;
export const EXCLUSION_NAMES = Object.keys(EXCLUSIONS) as Exclusion[];

/** Why a person is or is not insured on a date. */
export const ELIGIBILITY_REASONS = {
  resident: { insured: true, ja: '都道府県の区域内に住所を有する者', article: '国民健康保険法 第5条' },
  not_born: { insured: false, ja: '出生前', article: '国民健康保険法 第5条' },
  not_resident: { insured: false, ja: '住所を有しない', article: '国民健康保険法 第5条' },
  late_stage_elderly: {
    insured: false,
    ja: '75歳以上（後期高齢者医療の被保険者）',
    article: '国民健康保険法 第6条第8号、高齢者の医療の確保に関する法律 第50条第1号・第52条',
  },
  foreign_short_stay: {
    insured: false,
    ja: '外国人住民以外の外国人（在留期間が3月以下で、3月を超えて滞在すると認められない者など）',
    article: '国民健康保険法 第6条第11号、同法施行規則 第1条第1号',
  },
  foreign_excluded_activity: {
    insured: false,
    ja: '在留資格「特定活動」のうち医療滞在・観光保養（ロングステイ）とその同行者',
    article: '国民健康保険法 第6条第11号、同法施行規則 第1条第2号以下',
  },
  ...(Object.fromEntries(Object.entries(EXCLUSIONS).map(([k, v]) => [k, { insured: false, ...v }])) as {
    [K in Exclusion]: { readonly insured: false; readonly ja: (typeof EXCLUSIONS)[K]['ja']; readonly article: (typeof EXCLUSIONS)[K]['article'] };
  }),
} as const;
export type EligibilityReason = keyof typeof ELIGIBILITY_REASONS;

/** A foreign national's stay, as far as NHI cares (国民健康保険法施行規則 第1条). */
export interface ForeignStay {
  /** 在留資格, e.g. 技術・人文知識・国際業務, 永住者, 技能実習, 短期滞在. */
  readonly residenceStatus: string;
  /** The period of stay granted (在留期間), in months; null when the status has none (永住者, 特別永住者) or it is not known. */
  readonly residencePeriodMonths: number | null;
  /**
   * On the register as a 外国人住民 (住民基本台帳法 第30条の45: 中長期在留者 —
   * whose period exceeds 3 months, 入管法 第19条の3 — 特別永住者, 一時庇護・仮滞在,
   * 出生・国籍喪失による経過滞在者). Everyone the register feeds is one.
   */
  readonly registeredAsForeignResident: boolean;
  /**
   * Period of 3 months or less, but documents show a stay of more than 3 months
   * from the start of the period, with status 興行, 技能実習, 家族滞在 or 特定活動
   * (施行規則 第1条第1号 "厚生労働大臣が別に定める者", MHLW 告示).
   */
  readonly documentedStayOverThreeMonths?: boolean;
  /**
   * 特定活動 designations that exclude whatever the period: staying to receive
   * medical treatment or to look after such a person (告示25号・26号), or for
   * sightseeing and recreation (ロングステイ, 告示40号・41号) (施行規則 第1条第2号以下).
   */
  readonly excludedDesignatedActivity?: 'medical_stay' | 'long_stay_tourism' | null;
}

/** Statuses whose holders may be insured with a period of 3 months or less when a longer stay is documented. */
export const SHORT_PERIOD_ADMITTED_STATUSES: readonly string[] = ['興行', '技能実習', '家族滞在', '特定活動'];

/** What the rules need to know about a person on a date. */
export interface PersonCircumstances {
  readonly dateOfBirth: string;
  /** Has an address (住所) in this municipality on the date: a current record on its resident register. */
  readonly residentHere: boolean;
  /** Grounds of exclusion in force on the date (other coverage, public assistance …). */
  readonly exclusions?: readonly Exclusion[];
  /** Foreign nationals only. */
  readonly foreign?: ForeignStay | null;
}

export interface Eligibility {
  readonly insured: boolean;
  readonly reason: EligibilityReason;
  readonly ja: string;
  readonly article: string;
}

function judged(reason: EligibilityReason): Eligibility {
  const r = ELIGIBILITY_REASONS[reason];
  return { insured: r.insured, reason, ja: r.ja, article: r.article };
}

function checkCircumstances(person: PersonCircumstances): void {
  checkDate(person.dateOfBirth, 'dateOfBirth');
  if (typeof person.residentHere !== 'boolean') throw new NhiInputError('residentHere', 'boolean', 'must be true or false');
  for (const [i, e] of (person.exclusions ?? []).entries()) {
    if (!(EXCLUSION_NAMES as string[]).includes(e)) throw new NhiInputError(`exclusions/${i}`, 'enum', `must be one of ${EXCLUSION_NAMES.join(', ')}`);
  }
  const f = person.foreign;
  if (f) {
    if (typeof f.residenceStatus !== 'string' || f.residenceStatus.trim() === '') throw new NhiInputError('foreign/residenceStatus', 'required', 'must name the residence status');
    if (f.residencePeriodMonths !== null && (!Number.isSafeInteger(f.residencePeriodMonths) || f.residencePeriodMonths <= 0)) {
      throw new NhiInputError('foreign/residencePeriodMonths', 'positive_integer', 'must be a positive whole number of months, or null');
    }
  }
}

/** Whether a foreign national's stay admits them to NHI (before the other exclusions are looked at). */
function foreignStayAdmitted(f: ForeignStay): EligibilityReason | null {
  if (f.excludedDesignatedActivity) return 'foreign_excluded_activity';
  if (f.registeredAsForeignResident) return null;
  // Not (yet) on the register: a period over 3 months makes a 中長期在留者, who is
  // a 外国人住民 as soon as they have an address; permanent statuses have no period.
  if (f.residencePeriodMonths === null || f.residencePeriodMonths > 3) return null;
  if (f.documentedStayOverThreeMonths && SHORT_PERIOD_ADMITTED_STATUSES.includes(f.residenceStatus)) return null;
  return 'foreign_short_stay';
}

/**
 * Whether `person` is insured by this municipality's NHI on `onDate`, and why.
 * The reasons are checked in a fixed order (birth, address, age, foreign stay,
 * then 第6条 in article order), so the reason given is the first that applies.
 */
export function eligibility(person: PersonCircumstances, onDate: string): Eligibility {
  checkCircumstances(person);
  checkDate(onDate, 'onDate');
  if (onDate < person.dateOfBirth) return judged('not_born');
  if (!person.residentHere) return judged('not_resident');
  if (onDate >= lateStageElderlyStartDate(person.dateOfBirth)) return judged('late_stage_elderly');
  if (person.foreign) {
    const refused = foreignStayAdmitted(person.foreign);
    if (refused) return judged(refused);
  }
  const exclusions = new Set(person.exclusions ?? []);
  for (const e of EXCLUSION_NAMES) if (exclusions.has(e)) return judged(e);
  return judged('resident');
}

/**
 * The circumstances the resident register itself can tell, for a record as it
 * stood on the date of interest. The register does not know other coverage or
 * public assistance, nor the 特定活動 designation: the caller adds those.
 */
export function circumstancesFromRecord(
  record: Pick<ResidentRecord, 'dateOfBirth' | 'state' | 'foreign'>,
  extras: { readonly exclusions?: readonly Exclusion[]; readonly excludedDesignatedActivity?: ForeignStay['excludedDesignatedActivity'] } = {},
): PersonCircumstances {
  return {
    dateOfBirth: record.dateOfBirth,
    residentHere: record.state === 'current',
    exclusions: extras.exclusions ?? [],
    foreign: record.foreign
      ? {
          residenceStatus: record.foreign.residenceStatus,
          // The register keeps the period's end, not its length; being on it is what counts.
          residencePeriodMonths: null,
          registeredAsForeignResident: true,
          excludedDesignatedActivity: extras.excludedDesignatedActivity ?? null,
        }
      : null,
  };
}

// ---------------------------------------------------------------------------
// Enrolment changes (資格の取得・喪失)

/** Where a move comes from or goes to, relative to this municipality's prefecture. */
export type MoveScope = 'same_prefecture' | 'other_prefecture';

/** The circumstances of a person who is about to join: the event itself says they live here. */
export type JoiningPerson = Omit<PersonCircumstances, 'residentHere'>;

/**
 * A change that may start or end a person's NHI with this municipality:
 * register changes (as the linkage feed delivers them) and, for completeness,
 * changes of other coverage that the register does not know.
 * `insured` says whether the person is insured by this municipality's NHI
 * just before the event (the register's nationalHealthInsurance flag).
 */
export type EnrolmentEvent =
  /** 転入: `date` is the day the person came to live here (住所を定めた日), not the filing day: a late filing does not move the acquisition. */
  | { readonly kind: 'move_in'; readonly date: string; readonly from: MoveScope; readonly person: JoiningPerson }
  | { readonly kind: 'return_from_abroad'; readonly date: string; readonly person: JoiningPerson }
  /** 出生: the date is the date of birth. */
  | { readonly kind: 'birth'; readonly person: JoiningPerson }
  /** 転出: `date` is the moving day (転出予定日, corrected by the destination's move-in date when it differs). */
  | { readonly kind: 'move_out'; readonly date: string; readonly to: MoveScope; readonly insured: boolean }
  | { readonly kind: 'move_abroad'; readonly date: string; readonly insured: boolean }
  | { readonly kind: 'death'; readonly date: string; readonly insured: boolean }
  | { readonly kind: 'turning_75'; readonly dateOfBirth: string; readonly insured: boolean }
  /** Another coverage or exclusion begins on `date` (e.g. the 健康保険 資格取得日, the day public assistance starts). */
  | { readonly kind: 'exclusion_started'; readonly exclusion: Exclusion; readonly date: string; readonly insured: boolean }
  /** Another coverage or exclusion ends: `date` is its first day without it (e.g. the 健康保険 資格喪失日, the day after leaving the job). */
  | { readonly kind: 'exclusion_ended'; readonly exclusion: Exclusion; readonly date: string; readonly person: PersonCircumstances };

export const ENROLMENT_EVENT_KINDS = ['move_in', 'return_from_abroad', 'birth', 'move_out', 'move_abroad', 'death', 'turning_75', 'exclusion_started', 'exclusion_ended'] as const;

/** 資格取得事由. */
export const ACQUISITION_REASONS = {
  move_in: { ja: '転入（他都道府県から）', article: '国民健康保険法 第7条' },
  move_in_within_prefecture: { ja: '転入（県内の他市町村から。都道府県単位の資格は継続）', article: '国民健康保険法 第5条・第7条' },
  return_from_abroad: { ja: '国外からの転入', article: '国民健康保険法 第7条' },
  birth: { ja: '出生', article: '国民健康保険法 第7条' },
  exclusion_ended: { ja: '適用除外に該当しなくなった（被用者保険の喪失、生活保護の廃止など）', article: '国民健康保険法 第7条' },
} as const;
export type AcquisitionReason = keyof typeof ACQUISITION_REASONS;

/** 資格喪失事由. */
export const LOSS_REASONS = {
  move_out: { ja: '転出（他都道府県へ）', article: '国民健康保険法 第8条第1項ただし書' },
  move_out_within_prefecture: { ja: '転出（県内の他市町村へ。都道府県単位の資格は継続）', article: '国民健康保険法 第5条・第8条第1項' },
  move_abroad: { ja: '国外転出', article: '国民健康保険法 第8条第1項' },
  death: { ja: '死亡', article: '国民健康保険法 第8条第1項' },
  late_stage_elderly: { ja: '75歳到達（後期高齢者医療へ移行）', article: '国民健康保険法 第6条第8号・第8条第1項、高齢者の医療の確保に関する法律 第52条' },
  ...(Object.fromEntries(Object.entries(EXCLUSIONS).map(([k, v]) => [k, { ja: v.ja, article: `${v.article}、第8条` }])) as {
    [K in Exclusion]: { readonly ja: string; readonly article: string };
  }),
} as const;
export type LossReason = keyof typeof LOSS_REASONS;

export type EnrolmentEffect =
  | {
      readonly effect: 'acquire';
      /** 資格取得日: the first insured day. */
      readonly date: string;
      readonly reason: AcquisitionReason;
      readonly ja: string;
      readonly article: string;
      /** True for a move within the prefecture: the prefecture-level status carries on (高額療養費の多数回該当 are carried over where the household continues). */
      readonly withinPrefecture: boolean;
    }
  | {
      readonly effect: 'lose';
      /** 資格喪失日: the first day NOT insured (the status ends at the end of the day before). */
      readonly date: string;
      readonly reason: LossReason;
      readonly ja: string;
      readonly article: string;
      readonly withinPrefecture: boolean;
    }
  | {
      readonly effect: 'none';
      /** Why nothing changes: the person is not eligible on joining, or was not insured before leaving. */
      readonly reason: EligibilityReason | 'not_insured';
    };

function acquire(date: string, reason: AcquisitionReason, withinPrefecture = false): EnrolmentEffect {
  return { effect: 'acquire', date, reason, ...ACQUISITION_REASONS[reason], withinPrefecture };
}

function lose(date: string, reason: LossReason, withinPrefecture = false): EnrolmentEffect {
  const r = LOSS_REASONS[reason];
  return { effect: 'lose', date, reason, ja: r.ja, article: r.article, withinPrefecture };
}

/** Joining: insured from `date` if eligible on that day. */
function joining(person: PersonCircumstances, date: string, reason: AcquisitionReason, withinPrefecture = false): EnrolmentEffect {
  const e = eligibility(person, date);
  return e.insured ? acquire(date, reason, withinPrefecture) : { effect: 'none', reason: e.reason };
}

function checkScope(scope: MoveScope, field: string): void {
  if (scope !== 'same_prefecture' && scope !== 'other_prefecture') throw new NhiInputError(field, 'enum', 'must be same_prefecture or other_prefecture');
}

function checkInsured(insured: boolean): void {
  if (typeof insured !== 'boolean') throw new NhiInputError('insured', 'boolean', 'must be true or false');
}

/**
 * What an event does to the person's NHI with this municipality: the
 * acquisition date (資格取得日) or loss date (資格喪失日) with its reason, or
 * nothing. The premium's months follow from these dates (premium.ts:
 * the acquisition month counts, the loss month does not).
 */
export function enrolmentChange(event: EnrolmentEvent): EnrolmentEffect {
  switch (event.kind) {
    case 'move_in':
      // 第7条: from the day one comes to have an address. Within the prefecture the
      // status itself continues (第5条, since FY2018), but this municipality keeps it from that day.
      checkScope(event.from, 'from');
      checkDate(event.date, 'date');
      return joining({ ...event.person, residentHere: true }, event.date, event.from === 'same_prefecture' ? 'move_in_within_prefecture' : 'move_in', event.from === 'same_prefecture');
    case 'return_from_abroad':
      checkDate(event.date, 'date');
      return joining({ ...event.person, residentHere: true }, event.date, 'return_from_abroad');
    case 'birth':
      // A newborn has an address from birth (the parents' household): insured from the date of birth.
      return joining({ ...event.person, residentHere: true }, event.person.dateOfBirth, 'birth');
    case 'move_out': {
      checkScope(event.to, 'to');
      checkDate(event.date, 'date');
      checkInsured(event.insured);
      if (!event.insured) return { effect: 'none', reason: 'not_insured' };
      // 第8条第1項ただし書: one who on the moving day comes to live in another
      // prefecture loses the status that same day (the destination's starts that day:
      // no gap, no overlap). Within the prefecture nothing is lost at prefecture
      // level, and this municipality hands the person over on the same day.
      return event.to === 'same_prefecture' ? lose(event.date, 'move_out_within_prefecture', true) : lose(event.date, 'move_out');
    }
    case 'move_abroad':
      checkDate(event.date, 'date');
      checkInsured(event.insured);
      if (!event.insured) return { effect: 'none', reason: 'not_insured' };
      // 第8条第1項本文: no address in Japan from the day of leaving → lost the day after.
      return lose(addDays(event.date, 1), 'move_abroad');
    case 'death':
      checkDate(event.date, 'date');
      checkInsured(event.insured);
      if (!event.insured) return { effect: 'none', reason: 'not_insured' };
      // 第8条第1項本文: the day after death (so the month of death counts when
      // death falls on its last day: died 31 October → lost 1 November).
      return lose(addDays(event.date, 1), 'death');
    case 'turning_75':
      checkDate(event.dateOfBirth, 'dateOfBirth');
      checkInsured(event.insured);
      if (!event.insured) return { effect: 'none', reason: 'not_insured' };
      // 後期高齢者医療 starts on the 75th birthday and NHI ends with the day before
      // (NHI cards run "until the day before the 75th birthday"). Read with 第8条:
      // age 75 is attained on the day before the birthday (年齢計算ニ関スル法律),
      // and "the day after" is the birthday itself.
      return lose(lateStageElderlyStartDate(event.dateOfBirth), 'late_stage_elderly');
    case 'exclusion_started': {
      checkDate(event.date, 'date');
      checkInsured(event.insured);
      if (!(EXCLUSION_NAMES as string[]).includes(event.exclusion)) throw new NhiInputError('exclusion', 'enum', `must be one of ${EXCLUSION_NAMES.join(', ')}`);
      if (!event.insured) return { effect: 'none', reason: 'not_insured' };
      // 第8条第2項: public assistance (第6条第9号) and a 国保組合 (第10号) end NHI the
      // same day; every other ground the day after (第8条第1項: the day after one
      // joins 健康保険, one day of overlap by statute).
      const sameDay = event.exclusion === 'public_assistance' || event.exclusion === 'nhi_society';
      return lose(sameDay ? event.date : addDays(event.date, 1), event.exclusion);
    }
    case 'exclusion_ended': {
      checkDate(event.date, 'date');
      if (!(EXCLUSION_NAMES as string[]).includes(event.exclusion)) throw new NhiInputError('exclusion', 'enum', `must be one of ${EXCLUSION_NAMES.join(', ')}`);
      // 第7条: from the day one stops falling under 第6条, if nothing else excludes.
      const rest = (event.person.exclusions ?? []).filter((e) => e !== event.exclusion);
      return joining({ ...event.person, exclusions: rest }, event.date, 'exclusion_ended');
    }
    default: {
      const kind: unknown = (event as { kind?: unknown }).kind;
      throw new NhiInputError('kind', 'enum', `must be one of ${ENROLMENT_EVENT_KINDS.join(', ')} (got ${typeof kind === 'string' ? 'an unknown kind' : 'none'})`);
    }
  }
}
