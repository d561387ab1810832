/**
 * The figures of 個人住民税 (individual residential tax: 市町村民税 + 道府県民税)
 * and of the national 森林環境税 collected with it, as data: one rate set per
 * span of fiscal years (年度, April–March, named by its starting calendar
 * year). The rules in assessment.ts read every amount, rate, threshold and
 * rounding unit from here, so a tax reform is a new rate set, never a change of
 * logic.
 *
 * A fiscal year's tax is assessed on the previous calendar year's income
 * (前年所得課税): the FY2026 rate set describes 2025 income.
 *
 * Every figure group names its public sources. "Stored copy seen" in a note means
 * the text was read in a stored public copy while writing this; the other
 * addresses are the official pages or the law's e-Gov entry, given from
 * knowledge of the law and not fetched live. Figures marked UNCONFIRMED in a
 * note are working assumptions (see docs/residential-tax.md).
 *
 * Money is integer yen; rates are integer percents; bracket bounds are
 * inclusive upper bounds ("up to and including").
 */

/** A public source of a figure. */
export interface Source {
  readonly title: string;
  readonly url: string;
  readonly note?: string;
}

/** One row of a bracket table: applies to amounts up to and including upTo (null: no upper bound). */
export interface Bracket<T> {
  readonly upTo: number | null;
  readonly value: T;
}

/** A deduction computed as amount × percent / 100 + addend. */
export interface LinearDeduction {
  readonly percent: number;
  readonly addend: number;
}

/** A municipal / prefectural pair: yen amounts or percents. */
export interface Split {
  readonly municipal: number;
  readonly prefectural: number;
}

/** Figures that differ inside a 指定都市 (designated city) from elsewhere. */
export interface ByCityKind<T> {
  readonly standard: T;
  readonly designatedCity: T;
}

export type DependantCategory = 'under16' | 'general' | 'specified' | 'elderly' | 'elderlyCohabitingParent';
export type FamilyDisability = 'ordinary' | 'special' | 'specialCohabiting';
export type LivingCostClass = 1 | 2 | 3;

/** The figure groups of a rate set; each must carry at least one source. */
export type FigureKey =
  | 'perCapita'
  | 'reconstructionSurcharge'
  | 'forestEnvironmentTax'
  | 'incomeLevyRates'
  | 'rounding'
  | 'ages'
  | 'salaryIncome'
  | 'pensionIncome'
  | 'incomeAdjustment'
  | 'basicDeduction'
  | 'spouseDeductions'
  | 'dependantDeductions'
  | 'otherPersonalDeductions'
  | 'specifiedRelativeDeduction'
  | 'livelihoodAssistanceExemption'
  | 'specialStatusExemption'
  | 'perCapitaExemption'
  | 'incomeLevyExemption'
  | 'adjustmentCredit'
  | 'flatCredit'
  | 'collection';

export interface SalaryIncomeTable {
  /** 給与所得控除: the deduction for gross salary up to each bound. */
  readonly deduction: readonly Bracket<LinearDeduction>[];
  /**
   * 所得税法 別表第五: below tableBelow the 給与所得 is read from a table whose
   * rows are `step` yen wide from `from` on; the deduction is applied to the
   * row's lower bound. At or above tableBelow the formula applies to the exact salary.
   */
  readonly tableBelow: number;
  readonly tableRows: readonly { readonly from: number; readonly step: number }[];
}

export interface PensionIncomeTable {
  /** 公的年金等控除 for a person under the age in ages.pensionElderly on 31 December of the income year. */
  readonly underAge: readonly Bracket<LinearDeduction>[];
  readonly ageOrOver: readonly Bracket<LinearDeduction>[];
  /** Reduction of the deduction by the 合計所得金額 other than public-pension income (from 2020 income). */
  readonly otherIncomeTiers: readonly Bracket<number>[];
}

export interface IncomeAdjustment {
  /** 所得金額調整控除 for salary together with public pensions: min(給与所得, cap) + min(年金所得, cap) − threshold. */
  readonly salaryAndPension: { readonly salaryCap: number; readonly pensionCap: number; readonly threshold: number };
  /** 所得金額調整控除 for high salaries with a child under 23 or a special disability: (min(salary, cap) − floor) × percent, rounded up. */
  readonly highSalary: { readonly floor: number; readonly cap: number; readonly percent: number };
}

/** 配偶者控除 amounts for one column of the taxpayer's own 合計所得金額. */
export interface SpouseColumn {
  readonly general: number;
  /** 老人控除対象配偶者: 70 or over on 31 December of the income year. */
  readonly elderly: number;
}

export interface SpouseDeductions {
  /** Columns by the taxpayer's 合計所得金額; above the last bound neither deduction applies. */
  readonly taxpayerColumns: readonly Bracket<SpouseColumn>[];
  /** 配偶者特別控除 by the spouse's 合計所得金額 (above the dependant income limit), one amount per taxpayer column. */
  readonly special: readonly Bracket<readonly number[]>[];
}

export interface PersonalDeductionDifferences {
  readonly basic: number;
  /** Per taxpayer column of spouseDeductions. */
  readonly spouse: readonly SpouseColumn[];
  /** By the spouse's 合計所得金額 above the dependant income limit; beyond the last bound 0; one amount per taxpayer column. */
  readonly spouseSpecial: readonly Bracket<readonly number[]>[];
  readonly dependants: Readonly<Record<DependantCategory, number>>;
  readonly disability: Readonly<Record<FamilyDisability, number>>;
  readonly widow: number;
  readonly singleParentMother: number;
  readonly singleParentFather: number;
  /** 特定親族特別控除 (FY2026 on): UNCONFIRMED, see the note in the sources. */
  readonly specifiedRelative: number;
}

export interface AdjustmentCredit {
  /** Percent of the base credited against each levy. */
  readonly rates: ByCityKind<Split>;
  /** 合計課税所得金額 up to this: base = min(differences, taxable income). */
  readonly taxableThreshold: number;
  /** Above the threshold: base = differences − (taxable − threshold), at least this. */
  readonly minimumBase: number;
  /** No credit when the 合計所得金額 exceeds this (from FY2021). */
  readonly totalIncomeCeiling: number;
  readonly differences: PersonalDeductionDifferences;
}

export interface ExemptionLine {
  /** Amount × (1 + 同一生計配偶者 + 扶養親族). */
  readonly perPerson: number;
  readonly fixedAddition: number;
  /** Added when there is at least one 同一生計配偶者 or 扶養親族. */
  readonly dependantAddition: number;
}

export interface CollectionSchedule {
  /** Calendar months of the installments in order; months below 6 fall in the following calendar year. */
  readonly months: readonly number[];
  /** Each installment is a multiple of this; the remainder goes to the first installment. */
  readonly unit: number;
}

export interface Collection {
  /** 普通徴収 (ordinary collection: the taxpayer pays by installments). */
  readonly ordinary: CollectionSchedule;
  /** 特別徴収 (special collection: the employer withholds from salary). */
  readonly special: CollectionSchedule;
}

export interface RateSet {
  readonly fromFiscalYear: number;
  readonly untilFiscalYear: number | null;
  /** 均等割 standard rates per person per year. */
  readonly perCapita: Split;
  /** 東日本大震災 reconstruction surcharge on the 均等割 (FY2014–FY2023), 0 afterwards. */
  readonly reconstructionSurcharge: Split;
  /** 森林環境税 (national, from FY2024), collected with the 均等割; 0 before. */
  readonly forestEnvironmentTax: number;
  /** 所得割 standard rates in percent. */
  readonly incomeLevyRates: ByCityKind<Split>;
  readonly rounding: {
    /** 課税標準 truncated to this (地方税法 20条の4の2①). */
    readonly taxableIncomeUnit: number;
    /** 確定金額 truncated to this (地方税法 20条の4の2③). */
    readonly taxUnit: number;
  };
  readonly ages: {
    /** 公的年金等控除 for persons of this age or more on 31 December of the income year. */
    readonly pensionElderly: number;
    /** 未成年者: under this age on the 賦課期日 (1 January of the fiscal year). */
    readonly majority: number;
  };
  readonly salaryIncome: SalaryIncomeTable;
  readonly pensionIncome: PensionIncomeTable;
  readonly incomeAdjustment: IncomeAdjustment;
  /** 基礎控除 by the taxpayer's 合計所得金額. */
  readonly basicDeduction: readonly Bracket<number>[];
  /** 合計所得金額 at or below which a spouse is a 同一生計配偶者 and a relative can be a 扶養親族. */
  readonly dependantIncomeLimit: number;
  readonly spouseDeductions: SpouseDeductions;
  readonly dependantDeductions: Readonly<Record<DependantCategory, number>>;
  readonly otherPersonalDeductions: {
    readonly disability: Readonly<Record<FamilyDisability, number>>;
    readonly widow: number;
    readonly singleParent: number;
    /** 寡婦 and ひとり親 exist only up to this 合計所得金額. */
    readonly widowAndSingleParentIncomeLimit: number;
  };
  /** 特定親族特別控除 by the relative's 合計所得金額 (above the dependant income limit); null before FY2026. */
  readonly specifiedRelativeDeduction: readonly Bracket<number>[] | null;
  /** Minors, disabled persons, widows and single parents with 合計所得金額 up to this pay nothing (地方税法 295条1項2号). */
  readonly specialStatusIncomeLimit: number;
  /** 均等割 non-taxable line in 1級地, scaled for 2級地/3級地 by livingCostPercent (perPerson and dependantAddition only). */
  readonly perCapitaExemption: ExemptionLine & { readonly livingCostPercent: Readonly<Record<LivingCostClass, number>> };
  /** 所得割 non-taxable line (nationwide, 附則3条の3). */
  readonly incomeLevyExemption: ExemptionLine;
  readonly adjustmentCredit: AdjustmentCredit;
  /** 定額減税 (FY2024 only): credit per person against the 所得割; null in other years. */
  readonly flatCredit: { readonly perPerson: ByCityKind<Split>; readonly totalIncomeLimit: number } | null;
  readonly collection: Collection;
  readonly sources: { readonly [K in FigureKey]: readonly Source[] };
}

// ─── Sources ────────────────────────────────────────────────────────────────

const EGOV = 'https://laws.e-gov.go.jp/law/';
const LOCAL_TAX_ACT = `${EGOV}325AC0000000226`; // 地方税法 (昭和25年法律第226号)
const LOCAL_TAX_ORDER = `${EGOV}325CO0000000245`; // 地方税法施行令 (昭和25年政令第245号)
const INCOME_TAX_ACT = `${EGOV}340AC0000000033`; // 所得税法 (昭和40年法律第33号)
const SPECIAL_TAX_MEASURES_ACT = `${EGOV}332AC0000000026`; // 租税特別措置法 (昭和32年法律第26号)
const FOREST_TAX_ACT = `${EGOV}431AC0000000003`; // 森林環境税及び森林環境譲与税に関する法律 (平成31年法律第3号)
const RECONSTRUCTION_ACT = `${EGOV}423AC0000000118`; // 平成23年法律第118号
const SOUMU_RESIDENTIAL_TAX = 'https://www.soumu.go.jp/main_sosiki/jichi_zeisei/czaisei/czaisei_seido/150790_06.html';

const law = (title: string, url: string, note?: string): Source => (note === undefined ? { title, url } : { title, url, note });

const SOURCES_COMMON: RateSet['sources'] = {
  perCapita: [
    law('地方税法 第38条（道府県民税の均等割の標準税率 1,000円）', LOCAL_TAX_ACT),
    law('地方税法 第310条（市町村民税の均等割の標準税率 3,000円）', LOCAL_TAX_ACT),
    law('総務省 個人住民税', SOUMU_RESIDENTIAL_TAX),
  ],
  reconstructionSurcharge: [
    law(
      '東日本大震災からの復興に関し地方公共団体が実施する防災のための施策に必要な財源の確保に係る地方税の臨時特例に関する法律 第2条・第3条（平成26年度から令和5年度まで均等割に各500円を加算）',
      RECONSTRUCTION_ACT,
    ),
  ],
  forestEnvironmentTax: [
    law('森林環境税及び森林環境譲与税に関する法律（令和6年度から年額1,000円、個人住民税均等割と併せて賦課徴収）', FOREST_TAX_ACT),
    law('林野庁 森林環境税及び森林環境譲与税', 'https://www.rinya.maff.go.jp/j/keikaku/kankyouzei/kankyouzei_jouyozei.html'),
  ],
  incomeLevyRates: [
    law('地方税法 第35条（道府県民税の所得割の標準税率 4%、指定都市の区域内 2%）', LOCAL_TAX_ACT),
    law('地方税法 第314条の3（市町村民税の所得割の標準税率 6%、指定都市 8%；平成30年度から）', LOCAL_TAX_ACT),
    law('総務省 個人住民税', SOUMU_RESIDENTIAL_TAX),
  ],
  rounding: [
    law('地方税法 第20条の4の2 第1項（課税標準の1,000円未満切捨て）・第3項（確定金額の100円未満切捨て）', LOCAL_TAX_ACT, 'Stored copy seen (zeiken.co.jp).'),
  ],
  ages: [
    law('所得税法 第85条（扶養親族等の判定の時期：その年12月31日の現況）', INCOME_TAX_ACT),
    law('地方税法 第295条第1項・第318条（未成年者の判定：賦課期日 1月1日）; 民法第4条（成年 18歳、令和4年4月から）', LOCAL_TAX_ACT),
    law('年齢計算ニ関スル法律（年齢は出生の日から起算し、誕生日の前日の終了で加算）', `${EGOV}135AC0000000050`),
  ],
  salaryIncome: [
    law('所得税法 第28条（給与所得控除）・別表第五（660万円未満は表による）', INCOME_TAX_ACT),
    law('地方税法 第32条第2項・第313条第2項（所得割の課税標準は所得税法の例により算定）', LOCAL_TAX_ACT),
    law('国税庁 タックスアンサー No.1410 給与所得控除', 'https://www.nta.go.jp/taxes/shiraberu/taxanswer/shotoku/1410.htm'),
  ],
  pensionIncome: [
    law('所得税法 第35条第4項（公的年金等控除額）', INCOME_TAX_ACT),
    law('国税庁 タックスアンサー No.1600 公的年金等の課税関係', 'https://www.nta.go.jp/taxes/shiraberu/taxanswer/shotoku/1600.htm'),
  ],
  incomeAdjustment: [
    law('租税特別措置法 第41条の3の3（所得金額調整控除）', SPECIAL_TAX_MEASURES_ACT),
    law('国税庁 タックスアンサー No.1411 所得金額調整控除', 'https://www.nta.go.jp/taxes/shiraberu/taxanswer/shotoku/1411.htm'),
  ],
  basicDeduction: [law('地方税法 第34条第2項・第314条の2第2項（基礎控除 43万円・29万円・15万円）', LOCAL_TAX_ACT)],
  spouseDeductions: [
    law('地方税法 第314条の2第1項第10号（配偶者控除）・第10号の2（配偶者特別控除）; 第34条第1項同号', LOCAL_TAX_ACT),
  ],
  dependantDeductions: [law('地方税法 第314条の2第1項第11号・第3項・第4項（扶養控除 33万円、特定 45万円、老人 38万円、同居老親等 45万円）', LOCAL_TAX_ACT)],
  otherPersonalDeductions: [
    law('地方税法 第314条の2第1項第6号（障害者控除）・第8号（寡婦控除）・第8号の2（ひとり親控除）', LOCAL_TAX_ACT),
  ],
  specifiedRelativeDeduction: [law('Not applicable before FY2026.', LOCAL_TAX_ACT)],
  livelihoodAssistanceExemption: [law('地方税法 第24条の5第1項第1号・第295条第1項第1号（生活保護法の生活扶助を受けている者）', LOCAL_TAX_ACT)],
  specialStatusExemption: [
    law('地方税法 第24条の5第1項第2号・第295条第1項第2号（障害者・未成年者・寡婦・ひとり親で前年の合計所得金額135万円以下）', LOCAL_TAX_ACT),
  ],
  perCapitaExemption: [
    law('地方税法 第295条第3項（均等割の非課税、条例で定める）', LOCAL_TAX_ACT),
    law(
      '地方税法施行令 第47条の3（35万円×(同一生計配偶者及び扶養親族の数+1)+10万円、加算額21万円、級地区分に応じた率）',
      LOCAL_TAX_ORDER,
      'Stored copy seen (zeiken.co.jp). The 2級地 0.9 and 3級地 0.8 rates are in the 総務省令 (地方税法施行規則) and were not seen: UNCONFIRMED.',
    ),
  ],
  incomeLevyExemption: [
    law(
      '地方税法 附則第3条の3（所得割の非課税：35万円×(同一生計配偶者及び扶養親族の数+1)+10万円、加算額32万円；非課税限度額を若干上回る者の調整）',
      LOCAL_TAX_ACT,
      'Stored copies seen: thoz.org (article text), 坂戸市・棚倉町 pages (the adjustment formula and a worked example).',
    ),
    law('坂戸市 個人住民税所得割の調整措置', 'https://www.city.sakado.lg.jp/soshiki/13/22493.html'),
  ],
  adjustmentCredit: [
    law('地方税法 第37条・第314条の6（調整控除：3%/2%、指定都市 4%/1%；合計所得金額2,500万円超は適用なし）', LOCAL_TAX_ACT),
    law('総務省 個人住民税', SOUMU_RESIDENTIAL_TAX),
  ],
  flatCredit: [law('Not applicable: the 定額減税 applied to FY2024 only (FY2025: the spouse-only remainder, not modelled).', LOCAL_TAX_ACT)],
  collection: [
    law('地方税法 第320条（普通徴収の納期：6月、8月、10月及び1月中、条例で定める）', LOCAL_TAX_ACT),
    law(
      '地方税法 第20条の4の2 第6項（分割金額の1,000円未満の端数は最初の納期限の分割金額に合算；条例で別段の定め可）',
      LOCAL_TAX_ACT,
      'Stored copy seen (zeiken.co.jp).',
    ),
    law('地方税法 第321条の5第1項（特別徴収：6月から翌年5月まで12回、100円未満の端数は6月分に合算）', LOCAL_TAX_ACT),
  ],
};

// ─── Tables shared by several years ─────────────────────────────────────────

/** 給与所得控除 for 2020–2024 income (FY2021–FY2025). */
const SALARY_2020: SalaryIncomeTable = {
  deduction: [
    { upTo: 1_625_000, value: { percent: 0, addend: 550_000 } },
    { upTo: 1_800_000, value: { percent: 40, addend: -100_000 } },
    { upTo: 3_600_000, value: { percent: 30, addend: 80_000 } },
    { upTo: 6_600_000, value: { percent: 20, addend: 440_000 } },
    { upTo: 8_500_000, value: { percent: 10, addend: 1_100_000 } },
    { upTo: null, value: { percent: 0, addend: 1_950_000 } },
  ],
  tableBelow: 6_600_000,
  // 別表第五: 1,000-yen rows up to 1,619,999, two 2,000-yen rows from 1,620,000,
  // then 4,000-yen rows from 1,624,000 (NTA No.1410's special rows 1,069,000 /
  // 1,070,000 / 1,072,000 / 1,074,000 and its "A ÷ 4" rule both follow).
  tableRows: [
    { from: 0, step: 1_000 },
    { from: 1_620_000, step: 2_000 },
    { from: 1_624_000, step: 4_000 },
  ],
};

/** 給与所得控除 for 2025 income on (FY2026–): the minimum rises to 650,000 up to 1,900,000 (令和7年度改正). */
const SALARY_2025: SalaryIncomeTable = {
  deduction: [
    { upTo: 1_900_000, value: { percent: 0, addend: 650_000 } },
    { upTo: 3_600_000, value: { percent: 30, addend: 80_000 } },
    { upTo: 6_600_000, value: { percent: 20, addend: 440_000 } },
    { upTo: 8_500_000, value: { percent: 10, addend: 1_100_000 } },
    { upTo: null, value: { percent: 0, addend: 1_950_000 } },
  ],
  tableBelow: 6_600_000,
  // UNCONFIRMED: the revised 別表第五 assumed to keep 1,000-yen rows below
  // 1,900,000 and 4,000-yen rows from there (1,900,000 is a multiple of 4,000).
  tableRows: [
    { from: 0, step: 1_000 },
    { from: 1_900_000, step: 4_000 },
  ],
};

/** 公的年金等控除 for 2020 income on. */
const PENSION_2020: PensionIncomeTable = {
  underAge: [
    { upTo: 1_300_000, value: { percent: 0, addend: 600_000 } },
    { upTo: 4_100_000, value: { percent: 25, addend: 275_000 } },
    { upTo: 7_700_000, value: { percent: 15, addend: 685_000 } },
    { upTo: 10_000_000, value: { percent: 5, addend: 1_455_000 } },
    { upTo: null, value: { percent: 0, addend: 1_955_000 } },
  ],
  ageOrOver: [
    { upTo: 3_300_000, value: { percent: 0, addend: 1_100_000 } },
    { upTo: 4_100_000, value: { percent: 25, addend: 275_000 } },
    { upTo: 7_700_000, value: { percent: 15, addend: 685_000 } },
    { upTo: 10_000_000, value: { percent: 5, addend: 1_455_000 } },
    { upTo: null, value: { percent: 0, addend: 1_955_000 } },
  ],
  otherIncomeTiers: [
    { upTo: 10_000_000, value: 0 },
    { upTo: 20_000_000, value: 100_000 },
    { upTo: null, value: 200_000 },
  ],
};

const SPOUSE_COLUMNS = [
  { upTo: 9_000_000, value: { general: 330_000, elderly: 380_000 } },
  { upTo: 9_500_000, value: { general: 220_000, elderly: 260_000 } },
  { upTo: 10_000_000, value: { general: 110_000, elderly: 130_000 } },
] as const satisfies readonly Bracket<SpouseColumn>[];

/** 配偶者特別控除 (residential tax): the lower bound is the dependant income limit of the year. */
const SPOUSE_SPECIAL = [
  { upTo: 1_000_000, value: [330_000, 220_000, 110_000] },
  { upTo: 1_050_000, value: [310_000, 210_000, 110_000] },
  { upTo: 1_100_000, value: [260_000, 180_000, 90_000] },
  { upTo: 1_150_000, value: [210_000, 140_000, 70_000] },
  { upTo: 1_200_000, value: [160_000, 110_000, 60_000] },
  { upTo: 1_250_000, value: [110_000, 80_000, 40_000] },
  { upTo: 1_300_000, value: [60_000, 40_000, 20_000] },
  { upTo: 1_330_000, value: [30_000, 20_000, 10_000] },
] as const satisfies readonly Bracket<readonly number[]>[];

const DIFFERENCES_2021: PersonalDeductionDifferences = {
  basic: 50_000,
  spouse: [
    { general: 50_000, elderly: 100_000 },
    { general: 40_000, elderly: 60_000 },
    { general: 20_000, elderly: 30_000 },
  ],
  // 地方税法 314条の6: spouse income over 480,000 and under 500,000; 500,000 up
  // to under 550,000. Bounds here are inclusive, so "under 500,000" is 499,999.
  spouseSpecial: [
    { upTo: 499_999, value: [50_000, 40_000, 20_000] },
    { upTo: 549_999, value: [30_000, 20_000, 10_000] },
  ],
  dependants: { under16: 0, general: 50_000, specified: 180_000, elderly: 100_000, elderlyCohabitingParent: 130_000 },
  disability: { ordinary: 10_000, special: 100_000, specialCohabiting: 220_000 },
  widow: 10_000,
  singleParentMother: 50_000,
  singleParentFather: 10_000,
  specifiedRelative: 0,
};

const COLLECTION_STANDARD: Collection = {
  ordinary: { months: [6, 8, 10, 1], unit: 1_000 },
  special: { months: [6, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5], unit: 100 },
};

/** The statutory collection schedules, for installments() without a fiscal year. */
export const STANDARD_COLLECTION: Collection = COLLECTION_STANDARD;

// ─── The rate sets ──────────────────────────────────────────────────────────

/** FY2023 (令和5年度, 2022 income): the last year of the +500 reconstruction surcharges; no 森林環境税. */
const FY2023: RateSet = {
  fromFiscalYear: 2023,
  untilFiscalYear: 2023,
  perCapita: { municipal: 3_000, prefectural: 1_000 },
  reconstructionSurcharge: { municipal: 500, prefectural: 500 },
  forestEnvironmentTax: 0,
  incomeLevyRates: {
    standard: { municipal: 6, prefectural: 4 },
    designatedCity: { municipal: 8, prefectural: 2 },
  },
  rounding: { taxableIncomeUnit: 1_000, taxUnit: 100 },
  ages: { pensionElderly: 65, majority: 18 },
  salaryIncome: SALARY_2020,
  pensionIncome: PENSION_2020,
  incomeAdjustment: {
    salaryAndPension: { salaryCap: 100_000, pensionCap: 100_000, threshold: 100_000 },
    highSalary: { floor: 8_500_000, cap: 10_000_000, percent: 10 },
  },
  basicDeduction: [
    { upTo: 24_000_000, value: 430_000 },
    { upTo: 24_500_000, value: 290_000 },
    { upTo: 25_000_000, value: 150_000 },
    { upTo: null, value: 0 },
  ],
  dependantIncomeLimit: 480_000,
  spouseDeductions: { taxpayerColumns: SPOUSE_COLUMNS, special: SPOUSE_SPECIAL },
  dependantDeductions: { under16: 0, general: 330_000, specified: 450_000, elderly: 380_000, elderlyCohabitingParent: 450_000 },
  otherPersonalDeductions: {
    disability: { ordinary: 260_000, special: 300_000, specialCohabiting: 530_000 },
    widow: 260_000,
    singleParent: 300_000,
    widowAndSingleParentIncomeLimit: 5_000_000,
  },
  specifiedRelativeDeduction: null,
  specialStatusIncomeLimit: 1_350_000,
  perCapitaExemption: {
    perPerson: 350_000,
    fixedAddition: 100_000,
    dependantAddition: 210_000,
    livingCostPercent: { 1: 100, 2: 90, 3: 80 },
  },
  incomeLevyExemption: { perPerson: 350_000, fixedAddition: 100_000, dependantAddition: 320_000 },
  adjustmentCredit: {
    rates: {
      standard: { municipal: 3, prefectural: 2 },
      designatedCity: { municipal: 4, prefectural: 1 },
    },
    taxableThreshold: 2_000_000,
    minimumBase: 50_000,
    totalIncomeCeiling: 25_000_000,
    differences: DIFFERENCES_2021,
  },
  flatCredit: null,
  collection: COLLECTION_STANDARD,
  sources: SOURCES_COMMON,
};

/** FY2024 (令和6年度, 2023 income): surcharges end, 森林環境税 begins, the one-year 定額減税. */
const FY2024: RateSet = {
  ...FY2023,
  fromFiscalYear: 2024,
  untilFiscalYear: 2024,
  reconstructionSurcharge: { municipal: 0, prefectural: 0 },
  forestEnvironmentTax: 1_000,
  flatCredit: {
    perPerson: {
      standard: { municipal: 6_000, prefectural: 4_000 },
      designatedCity: { municipal: 8_000, prefectural: 2_000 },
    },
    totalIncomeLimit: 18_050_000,
  },
  // FY2024 special collection: nothing in June, the tax after the 定額減税 in
  // 11 installments July–May, the remainder in July.
  collection: { ...COLLECTION_STANDARD, special: { months: [7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5], unit: 100 } },
  sources: {
    ...SOURCES_COMMON,
    flatCredit: [
      law(
        '令和6年度分 個人住民税の定額減税（特別税額控除）：本人及び控除対象配偶者・扶養親族（国外居住者を除く）1人につき1万円、合計所得金額1,805万円以下',
        'https://www.city.nisshin.lg.jp/department/soumu/zeimu/5/2/2/shiminzei/15401.html',
        'Stored copies seen (日進市, 太宰府市, 平塚市): the amount, the limit, the 11-month special collection. The municipal/prefectural split 6,000/4,000 (指定都市 8,000/2,000) follows the ratio of the standard rates: UNCONFIRMED.',
      ),
      law('地方税法 附則（令和6年度分の個人住民税の特別税額控除）', LOCAL_TAX_ACT),
    ],
    collection: [
      ...SOURCES_COMMON.collection,
      law('日進市 令和6年度市民税・県民税に適用される定額減税について（特別徴収は6月分を徴収せず7月から11回）', 'https://www.city.nisshin.lg.jp/department/soumu/zeimu/5/2/2/shiminzei/15401.html'),
    ],
  },
};

/** FY2025 (令和7年度, 2024 income): FY2024 figures without the 定額減税. */
const FY2025: RateSet = {
  ...FY2024,
  fromFiscalYear: 2025,
  untilFiscalYear: 2025,
  flatCredit: null,
  collection: COLLECTION_STANDARD,
  sources: SOURCES_COMMON,
};

const REFORM_2025_SOURCES: readonly Source[] = [
  law(
    '令和7年度税制改正（個人住民税は令和8年度分から）：給与所得控除の最低保障額65万円、扶養親族等の所得要件58万円、特定親族特別控除の創設；住民税の基礎控除43万円は据え置き',
    'https://www.city.ishinomaki.lg.jp/cont/10303200/2365/r8_jyuminzei_kaisei.html',
    'Stored copies seen (石巻市, 豊明市, 壱岐市, 内子町).',
  ),
  law('豊明市 令和8年度に適用される税制改正', 'https://www.city.toyoake.lg.jp/22126.htm'),
];

/**
 * FY2026 on (令和8年度, 2025 income): the 令和7年度 reform. Open-ended:
 * written without knowledge of later reforms, so check the 令和8年度税制改正
 * before assessing FY2027 (see docs/residential-tax.md).
 */
const FY2026: RateSet = {
  ...FY2025,
  fromFiscalYear: 2026,
  untilFiscalYear: null,
  salaryIncome: SALARY_2025,
  dependantIncomeLimit: 580_000,
  specifiedRelativeDeduction: [
    { upTo: 950_000, value: 450_000 },
    { upTo: 1_000_000, value: 410_000 },
    { upTo: 1_050_000, value: 310_000 },
    { upTo: 1_100_000, value: 210_000 },
    { upTo: 1_150_000, value: 110_000 },
    { upTo: 1_200_000, value: 60_000 },
    { upTo: 1_230_000, value: 30_000 },
  ],
  adjustmentCredit: {
    ...FY2025.adjustmentCredit,
    differences: {
      ...DIFFERENCES_2021,
      // UNCONFIRMED: the 配偶者特別控除 rows assumed shifted by the same
      // 100,000 as the spouse income limit (over 580,000 and under 600,000;
      // 600,000 up to under 650,000).
      spouseSpecial: [
        { upTo: 599_999, value: [50_000, 40_000, 20_000] },
        { upTo: 649_999, value: [30_000, 20_000, 10_000] },
      ],
    },
  },
  sources: {
    ...SOURCES_COMMON,
    salaryIncome: [...SOURCES_COMMON.salaryIncome, ...REFORM_2025_SOURCES],
    spouseDeductions: [...SOURCES_COMMON.spouseDeductions, ...REFORM_2025_SOURCES],
    dependantDeductions: [...SOURCES_COMMON.dependantDeductions, ...REFORM_2025_SOURCES],
    specifiedRelativeDeduction: [
      law(
        '特定親族特別控除（19歳以上23歳未満、合計所得金額58万円超123万円以下：住民税 45万円〜3万円）',
        'https://www.city.ishinomaki.lg.jp/cont/10303200/2365/r8_jyuminzei_kaisei.html',
        'Stored copy seen for the rows up to 105万円 (45万・41万・31万); the rows from 105万円 (21万・11万・6万・3万) are from knowledge: UNCONFIRMED. Its 調整控除 personal-deduction difference is taken as 0: UNCONFIRMED.',
      ),
    ],
    adjustmentCredit: [
      ...SOURCES_COMMON.adjustmentCredit,
      law(
        'FY2026 配偶者特別控除 differences for 調整控除 assumed shifted with the 58万円 limit',
        LOCAL_TAX_ACT,
        'UNCONFIRMED: not found in a public page while writing this.',
      ),
    ],
  },
};

/** Every rate set, oldest first; spans never overlap and leave no gap from the first year on. */
export const RATE_SETS: readonly RateSet[] = [FY2023, FY2024, FY2025, FY2026];
