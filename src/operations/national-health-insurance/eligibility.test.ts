import { describe, expect, it } from 'vitest';
import {
  NhiInputError,
  ageAttainedBy,
  attainmentDate,
  careSecondCategoryPeriod,
  circumstancesFromRecord,
  eligibility,
  enrolmentChange,
  fiscalYearMonths,
  fiscalYearOf,
  lateStageElderlyStartDate,
  type EnrolmentEvent,
  type PersonCircumstances,
} from './eligibility.js';

const adult: PersonCircumstances = { dateOfBirth: '1990-06-15', residentHere: true };

describe('age law (年齢計算ニ関スル法律, 民法第143条)', () => {
  it('an age is attained on the day before the birthday', () => {
    expect(attainmentDate('2000-04-01', 20)).toBe('2020-03-31');
    expect(attainmentDate('2000-04-02', 20)).toBe('2020-04-01');
    expect(attainmentDate('1984-10-01', 40)).toBe('2024-09-30');
    expect(attainmentDate('2000-01-01', 1)).toBe('2000-12-31');
  });

  it('born on 29 February: the last day of February in a common year, the 28th in a leap year', () => {
    expect(attainmentDate('2000-02-29', 1)).toBe('2001-02-28'); // no 29 Feb in 2001: end of the month
    expect(attainmentDate('2000-02-29', 4)).toBe('2004-02-28'); // 2004-02-29 exists: the day before
    expect(attainmentDate('1948-02-29', 75)).toBe('2023-02-28');
  });

  it('ageAttainedBy counts the attainment day', () => {
    expect(ageAttainedBy('2000-04-02', '2020-03-31')).toBe(19);
    expect(ageAttainedBy('2000-04-02', '2020-04-01')).toBe(20); // the day before the birthday
    expect(ageAttainedBy('2000-04-02', '2000-04-02')).toBe(0);
    expect(ageAttainedBy('1949-10-15', '2024-10-14')).toBe(75);
  });

  it('後期高齢者医療 starts on the 75th birthday itself, not on the attainment day', () => {
    expect(attainmentDate('1949-10-15', 75)).toBe('2024-10-14');
    expect(lateStageElderlyStartDate('1949-10-15')).toBe('2024-10-15');
    expect(lateStageElderlyStartDate('1949-10-01')).toBe('2024-10-01');
    // 29 February: attained on 28 February, so the "birthday" is 1 March in a common year.
    expect(lateStageElderlyStartDate('1948-02-29')).toBe('2023-03-01');
    expect(lateStageElderlyStartDate('1952-02-29')).toBe('2027-03-01');
  });

  it('介護保険 第2号: from the day age 40 is attained to the day age 65 is attained (exclusive)', () => {
    expect(careSecondCategoryPeriod('1984-10-01')).toEqual({ from: '2024-09-30', until: '2049-09-30' });
  });

  it('fiscal years run April to March, named by their first calendar year', () => {
    expect(fiscalYearOf('2024-04-01')).toBe(2024);
    expect(fiscalYearOf('2025-03-31')).toBe(2024);
    expect(fiscalYearMonths(2024)).toEqual(['2024-04', '2024-05', '2024-06', '2024-07', '2024-08', '2024-09', '2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03']);
  });
});

describe('eligibility(person, onDate)', () => {
  it('a resident with no other coverage is insured (第5条)', () => {
    expect(eligibility(adult, '2024-06-01')).toMatchObject({ insured: true, reason: 'resident', article: '国民健康保険法 第5条' });
  });

  it('nobody without an address here, nor before birth', () => {
    expect(eligibility({ ...adult, residentHere: false }, '2024-06-01')).toMatchObject({ insured: false, reason: 'not_resident' });
    expect(eligibility(adult, '1990-06-14')).toMatchObject({ insured: false, reason: 'not_born' });
    expect(eligibility(adult, '1990-06-15').insured).toBe(true);
  });

  it('insured up to the day before the 75th birthday; 後期高齢者医療 from the birthday', () => {
    const p: PersonCircumstances = { dateOfBirth: '1949-10-15', residentHere: true };
    expect(eligibility(p, '2024-10-14')).toMatchObject({ insured: true });
    expect(eligibility(p, '2024-10-15')).toMatchObject({ insured: false, reason: 'late_stage_elderly' });
    const leap: PersonCircumstances = { dateOfBirth: '1948-02-29', residentHere: true };
    expect(eligibility(leap, '2023-02-28').insured).toBe(true);
    expect(eligibility(leap, '2023-03-01')).toMatchObject({ insured: false, reason: 'late_stage_elderly' });
  });

  it('第6条 exclusions, reported in article order', () => {
    const cases = [
      ['employee_insurance', '第6条第1号'],
      ['employee_insurance_dependant', '第6条第5号'],
      ['late_stage_elderly_disability', '第6条第8号'],
      ['public_assistance', '第6条第9号'],
      ['nhi_society', '第6条第10号'],
      ['other', '第6条第7号'],
    ] as const;
    for (const [exclusion, article] of cases) {
      const e = eligibility({ ...adult, exclusions: [exclusion] }, '2024-06-01');
      expect(e.insured).toBe(false);
      expect(e.reason).toBe(exclusion);
      expect(e.article).toContain(article);
    }
    expect(eligibility({ ...adult, exclusions: ['public_assistance', 'employee_insurance'] }, '2024-06-01').reason).toBe('employee_insurance');
  });

  describe('foreign nationals (施行規則 第1条)', () => {
    const foreign = (f: NonNullable<PersonCircumstances['foreign']>): PersonCircumstances => ({ ...adult, foreign: f });

    it('a 外国人住民 on the register is insured (中長期在留者: period over 3 months)', () => {
      expect(eligibility(foreign({ residenceStatus: '技術・人文知識・国際業務', residencePeriodMonths: 12, registeredAsForeignResident: true }), '2024-06-01').insured).toBe(true);
      expect(eligibility(foreign({ residenceStatus: '永住者', residencePeriodMonths: null, registeredAsForeignResident: true }), '2024-06-01').insured).toBe(true);
    });

    it('a period of 3 months or less excludes, unless a longer stay is documented for 興行・技能実習・家族滞在・特定活動', () => {
      const short = { residencePeriodMonths: 3, registeredAsForeignResident: false };
      expect(eligibility(foreign({ residenceStatus: '短期滞在', ...short }), '2024-06-01')).toMatchObject({ insured: false, reason: 'foreign_short_stay' });
      expect(eligibility(foreign({ residenceStatus: '技能実習', ...short }), '2024-06-01')).toMatchObject({ insured: false, reason: 'foreign_short_stay' });
      expect(eligibility(foreign({ residenceStatus: '技能実習', ...short, documentedStayOverThreeMonths: true }), '2024-06-01').insured).toBe(true);
      expect(eligibility(foreign({ residenceStatus: '短期滞在', ...short, documentedStayOverThreeMonths: true }), '2024-06-01').insured).toBe(false);
      // 4 months: a 中長期在留者, who belongs on the register once living here.
      expect(eligibility(foreign({ residenceStatus: '留学', residencePeriodMonths: 4, registeredAsForeignResident: false }), '2024-06-01').insured).toBe(true);
    });

    it('特定活動 for medical treatment or long-stay tourism excludes whatever the period', () => {
      const stay = { residenceStatus: '特定活動', residencePeriodMonths: 12, registeredAsForeignResident: true } as const;
      expect(eligibility(foreign({ ...stay, excludedDesignatedActivity: 'medical_stay' }), '2024-06-01')).toMatchObject({ insured: false, reason: 'foreign_excluded_activity' });
      expect(eligibility(foreign({ ...stay, excludedDesignatedActivity: 'long_stay_tourism' }), '2024-06-01').reason).toBe('foreign_excluded_activity');
    });

    it('other exclusions still apply to foreign residents', () => {
      const p = foreign({ residenceStatus: '技術・人文知識・国際業務', residencePeriodMonths: 36, registeredAsForeignResident: true });
      expect(eligibility({ ...p, exclusions: ['employee_insurance'] }, '2024-06-01').reason).toBe('employee_insurance');
    });
  });

  it('reads what the register knows from a record', () => {
    const c = circumstancesFromRecord(
      {
        dateOfBirth: '1995-01-20',
        state: 'current',
        foreign: { nationality: 'VN', residenceStatus: '技能実習', residencePeriodEnd: '2026-01-19', residenceCardNumber: 'AB12345678CD', alias: null },
      },
      { exclusions: ['employee_insurance'] },
    );
    expect(c).toMatchObject({ residentHere: true, exclusions: ['employee_insurance'], foreign: { registeredAsForeignResident: true } });
    expect(eligibility(c, '2024-06-01').reason).toBe('employee_insurance');
    expect(circumstancesFromRecord({ dateOfBirth: '1995-01-20', state: 'closed', foreign: null }).residentHere).toBe(false);
  });

  it('rejects invalid input with the field named', () => {
    expect(() => eligibility({ ...adult, dateOfBirth: '1990-02-30' }, '2024-06-01')).toThrow(/dateOfBirth: is not a calendar date/);
    expect(() => eligibility(adult, '2024/06/01')).toThrow(NhiInputError);
    expect(() => eligibility({ ...adult, exclusions: ['unemployed' as never] }, '2024-06-01')).toThrow(/exclusions\/0/);
    expect(() => eligibility({ ...adult, foreign: { residenceStatus: '', residencePeriodMonths: 6, registeredAsForeignResident: true } }, '2024-06-01')).toThrow(/foreign\/residenceStatus/);
    expect(() => eligibility({ ...adult, foreign: { residenceStatus: '留学', residencePeriodMonths: 1.5, registeredAsForeignResident: true } }, '2024-06-01')).toThrow(/residencePeriodMonths/);
  });
});

describe('enrolmentChange(event)', () => {
  const joining = { dateOfBirth: '1990-06-15' };

  it('move-in: acquired on the day of moving in (第7条)', () => {
    expect(enrolmentChange({ kind: 'move_in', date: '2024-10-15', from: 'other_prefecture', person: joining })).toEqual({
      effect: 'acquire',
      date: '2024-10-15',
      reason: 'move_in',
      ja: '転入（他都道府県から）',
      article: '国民健康保険法 第7条',
      withinPrefecture: false,
    });
  });

  it('move-in from the same prefecture: this municipality takes over on the day; the prefecture-level status carries on', () => {
    expect(enrolmentChange({ kind: 'move_in', date: '2024-10-15', from: 'same_prefecture', person: joining })).toMatchObject({
      effect: 'acquire',
      date: '2024-10-15',
      reason: 'move_in_within_prefecture',
      withinPrefecture: true,
    });
  });

  it('move-in by someone otherwise covered changes nothing, and says why', () => {
    expect(enrolmentChange({ kind: 'move_in', date: '2024-10-15', from: 'other_prefecture', person: { ...joining, exclusions: ['employee_insurance'] } })).toEqual({
      effect: 'none',
      reason: 'employee_insurance',
    });
    expect(enrolmentChange({ kind: 'move_in', date: '2024-10-15', from: 'other_prefecture', person: { dateOfBirth: '1940-01-01' } })).toEqual({ effect: 'none', reason: 'late_stage_elderly' });
    expect(
      enrolmentChange({
        kind: 'return_from_abroad',
        date: '2024-10-15',
        person: { ...joining, foreign: { residenceStatus: '短期滞在', residencePeriodMonths: 3, registeredAsForeignResident: false } },
      }),
    ).toEqual({ effect: 'none', reason: 'foreign_short_stay' });
  });

  it('return from abroad and birth: acquired on the day itself', () => {
    expect(enrolmentChange({ kind: 'return_from_abroad', date: '2024-07-01', person: joining })).toMatchObject({ effect: 'acquire', date: '2024-07-01', reason: 'return_from_abroad' });
    expect(enrolmentChange({ kind: 'birth', person: { dateOfBirth: '2024-11-30' } })).toMatchObject({ effect: 'acquire', date: '2024-11-30', reason: 'birth' });
    // A baby who is a dependant on a parent's 健康保険 does not join NHI.
    expect(enrolmentChange({ kind: 'birth', person: { dateOfBirth: '2024-11-30', exclusions: ['employee_insurance_dependant'] } })).toEqual({
      effect: 'none',
      reason: 'employee_insurance_dependant',
    });
  });

  it('move-out to another prefecture: lost on the moving day itself (第8条第1項ただし書)', () => {
    expect(enrolmentChange({ kind: 'move_out', date: '2024-10-15', to: 'other_prefecture', insured: true })).toMatchObject({
      effect: 'lose',
      date: '2024-10-15',
      reason: 'move_out',
      article: '国民健康保険法 第8条第1項ただし書',
      withinPrefecture: false,
    });
    expect(enrolmentChange({ kind: 'move_out', date: '2024-10-15', to: 'same_prefecture', insured: true })).toMatchObject({
      effect: 'lose',
      date: '2024-10-15',
      reason: 'move_out_within_prefecture',
      withinPrefecture: true,
    });
  });

  it('move abroad and death: lost on the day after (第8条第1項本文)', () => {
    expect(enrolmentChange({ kind: 'move_abroad', date: '2024-10-15', insured: true })).toMatchObject({ effect: 'lose', date: '2024-10-16', reason: 'move_abroad' });
    // Died on the last day of October: lost 1 November, so October still counts for the premium.
    expect(enrolmentChange({ kind: 'death', date: '2024-10-31', insured: true })).toMatchObject({ effect: 'lose', date: '2024-11-01', reason: 'death' });
    expect(enrolmentChange({ kind: 'death', date: '2024-10-30', insured: true })).toMatchObject({ date: '2024-10-31' });
    expect(enrolmentChange({ kind: 'death', date: '2025-03-31', insured: true })).toMatchObject({ date: '2025-04-01' });
  });

  it('turning 75: lost on the 75th birthday', () => {
    expect(enrolmentChange({ kind: 'turning_75', dateOfBirth: '1949-10-15', insured: true })).toMatchObject({ effect: 'lose', date: '2024-10-15', reason: 'late_stage_elderly' });
    expect(enrolmentChange({ kind: 'turning_75', dateOfBirth: '1948-02-29', insured: true })).toMatchObject({ date: '2023-03-01' });
  });

  it('a person who was not insured loses nothing', () => {
    for (const event of [
      { kind: 'move_out', date: '2024-10-15', to: 'other_prefecture', insured: false },
      { kind: 'move_abroad', date: '2024-10-15', insured: false },
      { kind: 'death', date: '2024-10-15', insured: false },
      { kind: 'turning_75', dateOfBirth: '1949-10-15', insured: false },
      { kind: 'exclusion_started', exclusion: 'employee_insurance', date: '2024-10-01', insured: false },
    ] as const satisfies readonly EnrolmentEvent[]) {
      expect(enrolmentChange(event)).toEqual({ effect: 'none', reason: 'not_insured' });
    }
  });

  it('other coverage: joining 健康保険 ends NHI the day after; public assistance and a 国保組合 the same day (第8条)', () => {
    expect(enrolmentChange({ kind: 'exclusion_started', exclusion: 'employee_insurance', date: '2024-10-01', insured: true })).toMatchObject({
      effect: 'lose',
      date: '2024-10-02',
      reason: 'employee_insurance',
    });
    expect(enrolmentChange({ kind: 'exclusion_started', exclusion: 'public_assistance', date: '2024-10-01', insured: true })).toMatchObject({ date: '2024-10-01', reason: 'public_assistance' });
    expect(enrolmentChange({ kind: 'exclusion_started', exclusion: 'nhi_society', date: '2024-10-01', insured: true })).toMatchObject({ date: '2024-10-01' });
  });

  it('leaving other coverage: acquired on its first day without it (第7条)', () => {
    // Left the job on 30 September: the 健康保険 資格喪失日 is 1 October, and NHI starts that day.
    expect(enrolmentChange({ kind: 'exclusion_ended', exclusion: 'employee_insurance', date: '2024-10-01', person: { ...adult, exclusions: ['employee_insurance'] } })).toMatchObject({
      effect: 'acquire',
      date: '2024-10-01',
      reason: 'exclusion_ended',
    });
    // Still on public assistance: nothing happens.
    expect(
      enrolmentChange({ kind: 'exclusion_ended', exclusion: 'employee_insurance', date: '2024-10-01', person: { ...adult, exclusions: ['employee_insurance', 'public_assistance'] } }),
    ).toEqual({ effect: 'none', reason: 'public_assistance' });
  });

  it('rejects invalid events with the field named', () => {
    expect(() => enrolmentChange({ kind: 'move_in', date: '2024-13-01', from: 'other_prefecture', person: joining })).toThrow(/date: is not a calendar date/);
    expect(() => enrolmentChange({ kind: 'move_out', date: '2024-10-15', to: 'abroad' as never, insured: true })).toThrow(/^to: /);
    expect(() => enrolmentChange({ kind: 'death', date: '2024-10-15', insured: 'yes' as never })).toThrow(/insured/);
    expect(() => enrolmentChange({ kind: 'exclusion_started', exclusion: 'retired' as never, date: '2024-10-01', insured: true })).toThrow(/exclusion/);
    expect(() => enrolmentChange({ kind: 'move_within' } as never)).toThrow(/^kind: must be one of/);
  });
});
