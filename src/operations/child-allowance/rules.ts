/**
 * 児童手当 (child allowance) rules as data, one rule set per period of the law.
 *
 * The logic in ./eligibility.ts never holds a figure of its own: for a month it
 * takes the rule set in force on that month's first day and reads the amounts,
 * age limits, birth-order counting, income test and payment months from it. A
 * reform of the law is therefore a new entry here (closing the previous one's
 * effectiveUntil), not a change of code. Every figure carries the public source
 * it was taken from; docs/child-allowance.md explains each one.
 *
 * Money is integer yen. Dates are 'YYYY-MM-DD'; effectiveUntil is the last day
 * in force (inclusive), null while open-ended. Rule sets start on the first day
 * of a month and end on a last day, because the allowance is paid by month
 * (児童手当法 第6条: 月を単位として支給).
 */

/** Where a figure comes from: a public page of the government or the law text on e-Gov 法令検索. */
export interface Source {
  readonly title: string;
  readonly url: string;
}

/** A figure and the public source it was taken from. */
export interface Sourced<T> {
  readonly value: T;
  readonly source: Source;
  /** What the source says in its own words, when that helps a reader check the figure. */
  readonly note?: string;
}

/**
 * "N歳に達する日以後の最初の3月31日までの間にある": up to the end of the school
 * year (年度末) in which the child attains age N. The day of attaining age is
 * the day before the birthday (年齢計算ニ関スル法律), so a child born on 1 April
 * reaches that March 31 a year earlier than one born on 2 April.
 */
export interface SchoolYearEndLimit {
  readonly kind: 'school_year_end';
  readonly age: number;
}

/**
 * "N歳に満たない": until the child attains age N. When
 * firstOfMonthBirthsCountFromBirthDate is set, a child born on the first day of
 * a month counts as under N until N years have passed from the day of birth
 * (出生の日から N 年を経過しない), i.e. through the Nth birthday itself, so that
 * such a child, like every other, stays in the band through the month of the
 * Nth birthday (児童手当法 第6条 as worded since the 1985 amendment).
 */
export interface UnderAgeLimit {
  readonly kind: 'under_age';
  readonly age: number;
  readonly firstOfMonthBirthsCountFromBirthDate: boolean;
}

export type AgeLimit = SchoolYearEndLimit | UnderAgeLimit;

/** One age band of the monthly amount; bands are listed youngest first and a child is in the first band whose limit it has not passed. */
export interface AmountBand {
  /** Stable code, e.g. 'under_3'. */
  readonly id: string;
  /** The band in the law's and the public pages' words. */
  readonly ja: string;
  /** The band runs through the last month within this limit. */
  readonly through: Sourced<AgeLimit>;
  /** Monthly amount (yen) for the first and second child in birth order (第1子・第2子). */
  readonly firstAndSecondChild: Sourced<number>;
  /** Monthly amount (yen) for the third and later child in birth order (第3子以降). */
  readonly thirdAndLaterChild: Sourced<number>;
}

/** A limit that depends on the number of dependants (扶養親族等の数): base + perDependent × n (+ extra per elderly dependant). */
export interface DependantScaledLimit {
  /** The limit with no dependants (yen of 所得, after the deductions of 児童手当法施行令). */
  readonly base: Sourced<number>;
  /** Added for each dependant (扶養親族等). */
  readonly perDependent: Sourced<number>;
  /**
   * Added on top of perDependent for each dependant who is an elderly dependant
   * (老人扶養親族, or a 同一生計配偶者 aged 70 or over). null: not confirmed
   * from a public source; the logic then refuses to decide a case it matters for.
   */
  readonly perElderlyDependentExtra: Sourced<number> | null;
}

/** The claimant's income test (所得制限) of the rules before the 2024 reform. */
export interface IncomeTest {
  /** 所得制限限度額: at or above it, the 特例給付 is paid instead of the 児童手当. */
  readonly restrictionLimit: DependantScaledLimit;
  /** 特例給付 (附則第2条): flat monthly amount per payable child, whatever its age band or birth order. */
  readonly specialBenefitMonthly: Sourced<number>;
  /** 所得上限限度額: at or above it, nothing is paid. null: no upper limit in that period. */
  readonly upperLimit: DependantScaledLimit | null;
}

/** How children are counted to find the third and later child (第3子以降の数え方). */
export interface BirthOrderCounting {
  /** Children are counted, oldest first, up to this limit (the brothers and sisters included, 兄姉等). */
  readonly countedThrough: Sourced<SchoolYearEndLimit>;
  /** The ordinal from which the third-and-later amount applies (3 = 第3子). */
  readonly thirdChildOrdinal: Sourced<number>;
}

export interface ChildAllowanceRuleSet {
  /** Stable code, e.g. '2024-10-reform'. */
  readonly id: string;
  readonly title: string;
  readonly effectiveFrom: string;
  readonly effectiveUntil: string | null;
  /**
   * 児童 (第3条): the child the claimant is presumed to look after and support
   * (監護・生計). Children past it are counted for birth order only if the
   * claimant declares bearing their living costs (監護相当・生計費の負担).
   */
  readonly childDefinition: Sourced<SchoolYearEndLimit>;
  /** Youngest first; past the last band's limit nothing is paid (支給対象の終わり). */
  readonly bands: readonly AmountBand[];
  readonly birthOrder: BirthOrderCounting;
  /** null: no income test (所得制限なし). */
  readonly incomeTest: IncomeTest | null;
  /**
   * 支払期月 (第8条第4項): the calendar months (1–12) in which payments are
   * made; each pays the months from the previous payment month up to the month
   * before it (それぞれの前月までの分).
   */
  readonly paymentMonths: Sourced<readonly number[]>;
}

// ---------------------------------------------------------------------------
// Sources

const EGOV_ACT = 'https://laws.e-gov.go.jp/law/346AC0000000073';
const EGOV_ORDER = 'https://laws.e-gov.go.jp/law/346CO0000000281';

export const SOURCES = {
  cfaGuide: {
    title: 'こども家庭庁「児童手当制度のご案内」',
    url: 'https://www.cfa.go.jp/policies/kokoseido/jidouteate/annai/',
  },
  actArt3: { title: '児童手当法（昭和46年法律第73号）第3条（児童の定義）— e-Gov法令検索', url: EGOV_ACT },
  actArt6: { title: '児童手当法（昭和46年法律第73号）第6条（児童手当の額）— e-Gov法令検索', url: EGOV_ACT },
  actArt8: { title: '児童手当法（昭和46年法律第73号）第8条（支給期間及び支払期月）— e-Gov法令検索', url: EGOV_ACT },
  /** The law as in force until 2024-09-30, before 子ども・子育て支援法等の一部を改正する法律（令和6年法律第47号）. */
  actArt5Old: { title: '児童手当法 第5条（所得制限）、令和6年法律第47号による改正前 — e-Gov法令検索（改正履歴）', url: EGOV_ACT },
  actArt6Old: { title: '児童手当法 第6条（児童手当の額）、令和6年法律第47号による改正前 — e-Gov法令検索（改正履歴）', url: EGOV_ACT },
  actArt8Old: { title: '児童手当法 第8条第4項（支払期月）、令和6年法律第47号による改正前 — e-Gov法令検索（改正履歴）', url: EGOV_ACT },
  actSuppl2Old: { title: '児童手当法 附則第2条（特例給付）、令和6年法律第47号による改正前 — e-Gov法令検索（改正履歴）', url: EGOV_ACT },
  orderArt1Old: { title: '児童手当法施行令（昭和46年政令第281号）第1条（所得制限限度額）、令和6年改正前 — e-Gov法令検索（改正履歴）', url: EGOV_ORDER },
  cabinetOfficeGuideOld: {
    title: '内閣府「児童手当制度のご案内」（2023年3月まで。所得制限限度額・所得上限限度額の表）',
    url: 'https://www8.cao.go.jp/shoushi/jidouteate/annai.html',
  },
} as const satisfies Record<string, Source>;

// ---------------------------------------------------------------------------
// Rule sets, oldest first, contiguous.

/**
 * From June 2022 to September 2024: income test with the upper limit added by
 * the 2021 amendment (所得上限限度額, from the allowance for June 2022, paid in
 * October 2022). The period June 2012 – May 2022 had the same figures without
 * the upper limit; it is not encoded (see docs/child-allowance.md).
 */
const BEFORE_2024_REFORM: ChildAllowanceRuleSet = {
  id: '2022-06-upper-income-limit',
  title: '児童手当・特例給付（所得上限限度額の導入から令和6年10月の拡充まで）',
  effectiveFrom: '2022-06-01',
  effectiveUntil: '2024-09-30',
  childDefinition: { value: { kind: 'school_year_end', age: 18 }, source: SOURCES.actArt3, note: '十八歳に達する日以後の最初の三月三十一日までの間にある者' },
  bands: [
    {
      id: 'under_3',
      ja: '3歳未満',
      through: {
        value: { kind: 'under_age', age: 3, firstOfMonthBirthsCountFromBirthDate: true },
        source: SOURCES.actArt6Old,
        note: '三歳に満たない児童（月の初日に生まれた児童については、出生の日から三年を経過しない児童とする。）',
      },
      firstAndSecondChild: { value: 15_000, source: SOURCES.actArt6Old },
      thirdAndLaterChild: { value: 15_000, source: SOURCES.actArt6Old },
    },
    {
      id: 'from_3_to_primary_school_end',
      ja: '3歳以上小学校修了前',
      through: { value: { kind: 'school_year_end', age: 12 }, source: SOURCES.actArt6Old, note: '十二歳に達する日以後の最初の三月三十一日までの間にある者' },
      firstAndSecondChild: { value: 10_000, source: SOURCES.actArt6Old },
      thirdAndLaterChild: { value: 15_000, source: SOURCES.actArt6Old },
    },
    {
      id: 'junior_high_school',
      ja: '中学生（小学校修了後中学校修了前）',
      through: { value: { kind: 'school_year_end', age: 15 }, source: SOURCES.actArt6Old, note: '十五歳に達する日以後の最初の三月三十一日までの間にある者' },
      firstAndSecondChild: { value: 10_000, source: SOURCES.actArt6Old },
      thirdAndLaterChild: { value: 10_000, source: SOURCES.actArt6Old },
    },
  ],
  birthOrder: {
    countedThrough: { value: { kind: 'school_year_end', age: 18 }, source: SOURCES.actArt6Old, note: '18歳到達後の最初の年度末までの児童のうち、年長者から数える' },
    thirdChildOrdinal: { value: 3, source: SOURCES.actArt6Old },
  },
  incomeTest: {
    restrictionLimit: {
      base: { value: 6_220_000, source: SOURCES.orderArt1Old, note: '扶養親族等がないときは六百二十二万円' },
      perDependent: { value: 380_000, source: SOURCES.orderArt1Old, note: '扶養親族等一人につき三十八万円' },
      perElderlyDependentExtra: {
        value: 60_000,
        source: SOURCES.orderArt1Old,
        note: '同一生計配偶者（70歳以上）又は老人扶養親族一人につき四十四万円（38万円 + 6万円）',
      },
    },
    specialBenefitMonthly: { value: 5_000, source: SOURCES.actSuppl2Old, note: '特例給付 月額一律5,000円' },
    upperLimit: {
      base: { value: 8_580_000, source: SOURCES.cabinetOfficeGuideOld, note: '所得上限限度額（扶養親族等0人）858万円' },
      perDependent: { value: 380_000, source: SOURCES.cabinetOfficeGuideOld, note: '扶養親族等1人ごとに38万円（896万・934万・972万・1,010万・1,048万円）' },
      // Not confirmed from a public source whether the upper limit also adds
      // 6万円 per elderly dependant: left out rather than guessed.
      perElderlyDependentExtra: null,
    },
  },
  paymentMonths: { value: [2, 6, 10], source: SOURCES.actArt8Old, note: '毎年二月、六月及び十月の三期に、それぞれの前月までの分を支払う' },
};

/**
 * From October 2024 (子ども・子育て支援法等の一部を改正する法律, 令和6年法律第47号):
 * no income test, paid through high-school age, ¥30,000 for the third and
 * later child at any age, children counted up to the school-year end after 22,
 * six payments a year.
 */
const REFORM_2024_10: ChildAllowanceRuleSet = {
  id: '2024-10-reform',
  title: '児童手当（令和6年10月分からの抜本的拡充）',
  effectiveFrom: '2024-10-01',
  effectiveUntil: null,
  childDefinition: { value: { kind: 'school_year_end', age: 18 }, source: SOURCES.actArt3, note: '十八歳に達する日以後の最初の三月三十一日までの間にある者' },
  bands: [
    {
      id: 'under_3',
      ja: '3歳未満',
      through: {
        value: { kind: 'under_age', age: 3, firstOfMonthBirthsCountFromBirthDate: true },
        source: SOURCES.actArt6,
        note: '三歳に満たない児童（月の初日に生まれた児童については、出生の日から三年を経過しない児童とする。）',
      },
      firstAndSecondChild: { value: 15_000, source: SOURCES.cfaGuide, note: '3歳未満 月額15,000円' },
      thirdAndLaterChild: { value: 30_000, source: SOURCES.cfaGuide, note: '第3子以降 月額30,000円' },
    },
    {
      id: 'from_3_to_high_school_age',
      ja: '3歳以上高校生年代まで',
      through: { value: { kind: 'school_year_end', age: 18 }, source: SOURCES.actArt3, note: '高校生年代まで（18歳到達後の最初の年度末まで）' },
      firstAndSecondChild: { value: 10_000, source: SOURCES.cfaGuide, note: '3歳以上高校生年代まで 月額10,000円' },
      thirdAndLaterChild: { value: 30_000, source: SOURCES.cfaGuide, note: '第3子以降 月額30,000円' },
    },
  ],
  birthOrder: {
    countedThrough: {
      value: { kind: 'school_year_end', age: 22 },
      source: SOURCES.cfaGuide,
      note: '22歳到達後の最初の年度末までの子（大学生年代）のうち、親等が監護相当・生計費の負担をしている子を数える',
    },
    thirdChildOrdinal: { value: 3, source: SOURCES.actArt6 },
  },
  incomeTest: null,
  paymentMonths: { value: [2, 4, 6, 8, 10, 12], source: SOURCES.actArt8, note: '偶数月の年6回、それぞれの前月までの2か月分' },
};

/** Every encoded rule set, oldest first; periods are contiguous and do not overlap. */
export const CHILD_ALLOWANCE_RULE_SETS: readonly ChildAllowanceRuleSet[] = [BEFORE_2024_REFORM, REFORM_2024_10];
