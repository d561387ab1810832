import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { normalizeKanaReading } from '../../text/japanese.js';
import { isValidMyNumber, isValidResidenceCardNumber, isValidResidentCode } from '../identifiers.js';
import { RELATIONSHIPS, type PersonInput, type Relationship } from '../record.js';
import { formatPostalCode } from './address.js';
import { municipalityPlaces } from './data.js';
import { completedYears, parseDay } from './dates.js';
import { NATIONALITIES, RESIDENCE_STATUSES, allForeignNames, isPermanentStatus } from './foreign.js';
import { MAX_POPULATION, generateNewborn, generatePerson, generatePopulation, type PopulationOptions, type SyntheticHousehold } from './population.js';
import { createPrng } from './prng.js';

const ASOF = '2025-04-01';
const CHIYODA = '131016';
const SAPPORO = '011002';
const TOMAKOMAI = '012131'; // national profile

const generate = (o: Partial<PopulationOptions> = {}) => [...generatePopulation({ seed: 1, municipalityCode: SAPPORO, size: 2000, asOf: ASOF, ...o })];
const people = (hs: readonly SyntheticHousehold[]) => hs.flatMap((h) => h.members);
const ageOf = (p: PersonInput, asOf = ASOF) => completedYears(parseDay(p.dateOfBirth), parseDay(asOf));

/**
 * What is wrong with a household, against the generator's promises (empty when
 * nothing is). Plain checks rather than expect() per value: a test walks
 * 100,000 residents through this.
 */
function problems(h: SyntheticHousehold, towns: Map<string, string[]>, asOf: string): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  const asOfDay = parseDay(asOf);
  const [head, ...rest] = h.members;
  if (!head) return ['no members'];
  check(head.relationship === '世帯主', 'members[0] is not the head');
  check(rest.every((m) => m.relationship !== '世帯主'), 'more than one head');
  const since = parseDay(h.residentSince);
  check(since <= asOfDay, 'residentSince after asOf');

  // The address is a real town of the municipality (plus a 丁目).
  const candidates = towns.get(`${h.address.municipality}|${h.address.postalCode}`) ?? [];
  check(
    candidates.some((t) => h.address.town === t || (h.address.town.startsWith(t) && /^[一二三四五六七八九十]+丁目$/.test(h.address.town.slice(t.length)))),
    `town ${h.address.municipality} ${h.address.postalCode} ${h.address.town} not in the postal data`,
  );
  check(/^([1-9][0-9]*番[1-9][0-9]*号|[1-9][0-9]*番地([1-9][0-9]*)?)$/.test(h.address.block), `block ${h.address.block}`);
  check(h.address.building === null || /号室$/.test(h.address.building), `building ${h.address.building}`);

  const headDob = parseDay(head.dateOfBirth);
  const parentsOfChildren = h.members.filter((m) => m === head || m.relationship === '妻' || m.relationship === '夫').map((m) => parseDay(m.dateOfBirth));
  const hasMinor = h.members.some((x) => completedYears(parseDay(x.dateOfBirth), asOfDay) < 18);
  for (const m of h.members) {
    const who = `${m.relationship} ${m.name.family} ${m.name.given}`;
    check((RELATIONSHIPS as readonly Relationship[]).includes(m.relationship), `${who}: relationship`);
    let dob: number;
    try {
      dob = parseDay(m.dateOfBirth);
    } catch {
      out.push(`${who}: date of birth ${m.dateOfBirth}`);
      continue;
    }
    const age = completedYears(dob, asOfDay);
    check(dob < asOfDay && dob <= since && age <= 105, `${who}: born ${m.dateOfBirth}, since ${h.residentSince}`);
    check(isValidMyNumber(m.myNumber ?? ''), `${who}: My Number ${m.myNumber}`);
    check(isValidResidentCode(m.residentCode ?? ''), `${who}: resident code ${m.residentCode}`);
    check(normalizeKanaReading(m.name.familyKana) === m.name.familyKana && normalizeKanaReading(m.name.givenKana) === m.name.givenKana, `${who}: kana`);
    check(m.sex === 'male' || m.sex === 'female', `${who}: sex`);
    // Family name: shared except by lodgers.
    check(m.relationship === '同居人' || m.name.family === head.name.family, `${who}: family name differs from the head's`);

    // Foreign residents: valid items and no 本籍; Japanese: a 本籍 and its head.
    if (m.foreign) {
      const f = m.foreign;
      check(m.domicile === null, `${who}: foreign with a 本籍`);
      check((NATIONALITIES as readonly string[]).includes(f.nationality) && f.nationality === head.foreign?.nationality, `${who}: nationality`);
      check((RESIDENCE_STATUSES as readonly string[]).includes(f.residenceStatus), `${who}: status`);
      check(f.residenceStatus !== '特別永住者' || f.nationality === 'KR', `${who}: 特別永住者 not KR`);
      check(isValidResidenceCardNumber(f.residenceCardNumber), `${who}: card ${f.residenceCardNumber}`);
      check(
        isPermanentStatus(f.residenceStatus) ? f.residencePeriodEnd === null : f.residencePeriodEnd !== null && parseDay(f.residencePeriodEnd) > asOfDay,
        `${who}: period ${f.residencePeriodEnd}`,
      );
      check(FOREIGN_NAMES.has(m.name.family), `${who}: foreign family name`);
      check(f.alias === null || normalizeKanaReading(f.alias.kana) === f.alias.kana, `${who}: alias kana`);
    } else {
      check(head.foreign === null, `${who}: Japanese in a foreign household`);
      check(/^(北海道|東京都|大阪府|京都府|.{2,3}県).+番地$/.test(m.domicile?.place ?? ''), `${who}: 本籍 ${m.domicile?.place}`);
      check(/^\S+ \S+$/.test(m.domicile?.head ?? ''), `${who}: 筆頭者 ${m.domicile?.head}`);
    }

    // Flags.
    const fl = m.flags;
    check(fl.lateStageElderlyMedical === age >= 75, `${who} (${age}): lateStageElderlyMedical`);
    check(fl.longTermCare === age >= 65, `${who} (${age}): longTermCare`);
    check(fl.nationalPension === (age >= 20 && age <= 59), `${who} (${age}): nationalPension`);
    check(age < 75 || !fl.nationalHealthInsurance, `${who} (${age}): NHI at 75+`);
    check(age < 65 || age >= 75 || fl.nationalHealthInsurance, `${who} (${age}): no NHI at 65–74`);
    check(!fl.electoralRoll || (m.foreign === null && age >= 18), `${who} (${age}): electoralRoll`);
    check(!(m.foreign === null && age >= 18 && since < asOfDay - 100) || fl.electoralRoll, `${who} (${age}): not on the electoral roll`);
    check(fl.childAllowance === (m === head && hasMinor), `${who}: childAllowance`);

    // Ages: children 20–45 years younger than each parent; the head's parents 20–45 years older.
    if (m.relationship === '子') {
      for (const p of parentsOfChildren) {
        const gap = completedYears(p, dob);
        check(gap >= 20 && gap <= 45, `${who}: ${gap} years younger than a parent`);
      }
    }
    if (m.relationship === '父' || m.relationship === '母') {
      const gap = completedYears(dob, headDob);
      check(gap >= 20 && gap <= 45, `${who}: ${gap} years older than the head`);
    }
    if (m.relationship === '妻' || m.relationship === '夫') check(m.sex !== head.sex, `${who}: spouse of the same sex`);
  }
  return out;
}

const FOREIGN_NAMES = new Set(allForeignNames());

function townIndex(code: string): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const area of municipalityPlaces(code).areas) {
    for (const row of area.towns) {
      const key = `${area.name}|${formatPostalCode(row.postalCode)}`;
      index.set(key, [...(index.get(key) ?? []), row.town]);
    }
  }
  return index;
}

describe('generatePopulation', () => {
  it('is deterministic: the same seed gives the same households; another seed others', () => {
    expect(generate({ seed: 42, size: 3000 })).toEqual(generate({ seed: 42, size: 3000 }));
    expect(generate({ seed: 'demo', size: 500 })).toEqual(generate({ seed: 'demo', size: 500 }));
    expect(generate({ seed: 43, size: 500 })).not.toEqual(generate({ seed: 42, size: 500 }));
  });

  it('gives exactly `size` residents; a smaller size is a prefix of a larger one but for its last household', () => {
    for (const size of [0, 1, 2, 7, 1000]) expect(people(generate({ size })).length).toBe(size);
    const small = generate({ size: 1000 });
    const large = generate({ size: 3000 });
    expect(large.slice(0, small.length - 1)).toEqual(small.slice(0, -1));
    expect(small.at(-1)!.members[0]!.relationship).toBe('世帯主');
  });

  it('100,000 residents of 札幌市: every household and person valid, My Numbers and resident codes unique', () => {
    const towns = townIndex(SAPPORO);
    const myNumbers = new Set<string>();
    const residentCodes = new Set<string>();
    const wards = new Set<string>();
    const bad: string[] = [];
    let count = 0;
    for (const h of generatePopulation({ seed: 2025, municipalityCode: SAPPORO, size: 100_000, asOf: ASOF })) {
      const found = problems(h, towns, ASOF);
      if (found.length > 0) bad.push(...found);
      if (h.address.prefecture !== '北海道') bad.push(`prefecture ${h.address.prefecture}`);
      wards.add(h.address.municipality);
      for (const m of h.members) {
        myNumbers.add(m.myNumber!);
        residentCodes.add(m.residentCode!);
        count++;
      }
    }
    expect(bad.slice(0, 20)).toEqual([]);
    expect(count).toBe(100_000);
    expect(myNumbers.size).toBe(100_000);
    expect(residentCodes.size).toBe(100_000);
    expect(wards.size).toBe(10);
  });

  it('千代田区: real towns, none of the uninhabited ones, about 1.7 persons a household', () => {
    const towns = townIndex(CHIYODA);
    const hs = generate({ municipalityCode: CHIYODA, size: 20_000, seed: 9 });
    expect(hs.flatMap((h) => problems(h, towns, ASOF)).slice(0, 20)).toEqual([]);
    expect(hs.every((h) => h.address.prefecture === '東京都' && h.address.municipality === '千代田区')).toBe(true);
    expect(hs.some((h) => ['千代田', '皇居外苑', '北の丸公園', '日比谷公園'].includes(h.address.town))).toBe(false);
    const mean = 20_000 / hs.length;
    expect(mean).toBeGreaterThan(1.55);
    expect(mean).toBeLessThan(1.9);
  });

  it('household sizes: ≈ 1.9 in 札幌市, ≈ 2.2 under the national profile', () => {
    expect(20_000 / generate({ size: 20_000 }).length).toBeGreaterThan(1.8);
    expect(20_000 / generate({ size: 20_000 }).length).toBeLessThan(2.1);
    const national = generate({ municipalityCode: TOMAKOMAI, size: 20_000 });
    expect(20_000 / national.length).toBeGreaterThan(2.05);
    expect(20_000 / national.length).toBeLessThan(2.4);
    const towns = townIndex(TOMAKOMAI);
    expect(national.flatMap((h) => problems(h, towns, ASOF)).slice(0, 20)).toEqual([]);
  });

  it('follows a plausible age pyramid and mix (20,000 residents)', () => {
    for (const code of [SAPPORO, TOMAKOMAI]) {
      const hs = generate({ municipalityCode: code, size: 20_000, seed: 77 });
      const ps = people(hs);
      const share = (f: (p: PersonInput) => boolean) => ps.filter(f).length / ps.length;
      expect(share((p) => ageOf(p) >= 65)).toBeGreaterThan(0.2);
      expect(share((p) => ageOf(p) >= 65)).toBeLessThan(0.35);
      expect(share((p) => ageOf(p) < 15)).toBeGreaterThan(0.07);
      expect(share((p) => ageOf(p) < 15)).toBeLessThan(0.16);
      expect(share((p) => ageOf(p) >= 75)).toBeGreaterThan(0.08);
      expect(share((p) => p.foreign !== null)).toBeGreaterThan(0.015);
      expect(share((p) => p.foreign !== null)).toBeLessThan(0.04);
      expect(share((p) => p.flags.nationalHealthInsurance)).toBeGreaterThan(0.18);
      expect(share((p) => p.flags.nationalHealthInsurance)).toBeLessThan(0.32);
      expect(share((p) => p.sex === 'female')).toBeGreaterThan(0.47);
      expect(share((p) => p.sex === 'female')).toBeLessThan(0.56);
      const withBuilding = hs.filter((h) => h.address.building !== null).length / hs.length;
      expect(withBuilding).toBeGreaterThan(0.35);
      expect(withBuilding).toBeLessThan(0.45);
      // Every household kind occurs.
      const rels = new Set(ps.map((p) => p.relationship));
      for (const r of ['妻', '夫', '子', '父', '母', '同居人'] as const) expect(rels.has(r)).toBe(true);
      const statuses = new Set(ps.map((p) => p.foreign?.residenceStatus).filter(Boolean));
      expect(statuses).toEqual(new Set(RESIDENCE_STATUSES));
    }
  });

  it('keeps the numbers of two municipalities generated with one seed apart', () => {
    const a = people(generate({ municipalityCode: CHIYODA, size: 20_000, seed: 5 }));
    const b = people(generate({ municipalityCode: SAPPORO, size: 20_000, seed: 5 }));
    const numbers = new Set(a.map((p) => p.myNumber));
    const codes = new Set(a.map((p) => p.residentCode));
    expect(b.some((p) => numbers.has(p.myNumber))).toBe(false);
    expect(b.some((p) => codes.has(p.residentCode))).toBe(false);
  });

  it('works for other municipalities, e.g. 浜松市 after its 2024 reorganisation', () => {
    const hs = generate({ municipalityCode: '221309', size: 500 });
    const towns = townIndex('221309');
    expect(hs.flatMap((h) => problems(h, towns, ASOF)).slice(0, 20)).toEqual([]);
    expect(new Set(hs.map((h) => h.address.municipality))).toEqual(new Set(['浜松市中央区', '浜松市浜名区', '浜松市天竜区']));
  });

  it('validates its options when called', () => {
    const o: PopulationOptions = { seed: 1, municipalityCode: SAPPORO, size: 10, asOf: ASOF };
    expect(() => generatePopulation({ ...o, size: MAX_POPULATION + 1 })).toThrow(RangeError);
    expect(() => generatePopulation({ ...o, size: -1 })).toThrow(RangeError);
    expect(() => generatePopulation({ ...o, size: 1.5 })).toThrow(RangeError);
    expect(() => generatePopulation({ ...o, asOf: '2025-02-29' })).toThrow(RangeError);
    expect(() => generatePopulation({ ...o, municipalityCode: '011001' })).toThrow(RangeError);
    expect(() => generatePopulation({ ...o, municipalityCode: '010006' })).toThrow(RangeError); // 北海道
    expect(() => generatePopulation({ ...o, size: MAX_POPULATION })).not.toThrow();
  });
});

/** `gc()` when the V8 flag can be turned on at run time (it can in Node); null otherwise. */
function exposeGc(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

describe('streaming', () => {
  const gc = exposeGc();

  it.skipIf(gc === null)('memory does not grow with the number of residents generated', () => {
    const heap = () => {
      gc!();
      gc!();
      return process.memoryUsage().heapUsed;
    };
    const gen = generatePopulation({ seed: 3, municipalityCode: SAPPORO, size: MAX_POPULATION, asOf: ASOF });
    const advance = (persons: number) => {
      let n = 0;
      while (n < persons) {
        const next = gen.next();
        if (next.done) throw new Error('population ended early');
        n += next.value.members.length;
      }
    };
    advance(20_000);
    const before = heap();
    advance(250_000);
    const after = heap();
    // Keeping 250,000 residents would take hundreds of MB; streaming keeps the heap flat.
    expect(after - before).toBeLessThan(20 * 1024 * 1024);
  });
});

describe('generatePerson and generateNewborn', () => {
  it('generatePerson: a valid Japanese national or foreign resident, deterministic for a PRNG state', () => {
    const a = generatePerson(createPrng(1), { asOf: ASOF, age: 40, sex: 'female' });
    expect(generatePerson(createPrng(1), { asOf: ASOF, age: 40, sex: 'female' })).toEqual(a);
    expect(ageOf(a)).toBe(40);
    expect(a).toMatchObject({ sex: 'female', relationship: '世帯主', foreign: null });
    expect(isValidMyNumber(a.myNumber!)).toBe(true);
    expect(isValidResidentCode(a.residentCode!)).toBe(true);
    expect(a.domicile?.head).toBe(`${a.name.family} ${a.name.given}`);
    expect(a.flags.nationalPension).toBe(true);
    expect(a.flags.electoralRoll).toBe(true);

    const f = generatePerson(createPrng(2), { asOf: ASOF, foreign: true, relationship: '同居人' });
    expect(f.foreign).not.toBeNull();
    expect(f.domicile).toBeNull();
    expect(f.relationship).toBe('同居人');
    expect(isValidResidenceCardNumber(f.foreign!.residenceCardNumber)).toBe(true);
    expect(f.flags.electoralRoll).toBe(false);
    expect(ageOf(f)).toBeGreaterThanOrEqual(18);

    const old = generatePerson(createPrng(3), { asOf: ASOF, age: 80 });
    expect(old.flags).toMatchObject({ lateStageElderlyMedical: true, longTermCare: true, nationalHealthInsurance: false, nationalPension: false });
    expect(() => generatePerson(createPrng(1), { asOf: ASOF, age: 106 })).toThrow(RangeError);
  });

  it('generateNewborn: the parent’s surname and 本籍, no numbers yet', () => {
    const parent = generatePerson(createPrng(4), { asOf: ASOF, age: 32, sex: 'female' });
    const baby = generateNewborn(createPrng(5), { parent, dateOfBirth: '2025-03-20' });
    expect(baby).toMatchObject({
      dateOfBirth: '2025-03-20',
      relationship: '子',
      myNumber: null,
      residentCode: null,
      foreign: null,
      domicile: parent.domicile,
    });
    expect(baby.name.family).toBe(parent.name.family);
    expect(baby.name.familyKana).toBe(parent.name.familyKana);
    expect(baby.flags.nationalHealthInsurance).toBe(parent.flags.nationalHealthInsurance);
    expect(baby.flags.childAllowance || baby.flags.electoralRoll || baby.flags.nationalPension).toBe(false);

    const foreignParent = generatePerson(createPrng(6), { asOf: ASOF, age: 30, foreign: true });
    expect(() => generateNewborn(createPrng(7), { parent: foreignParent, dateOfBirth: '2025-03-20' })).toThrow(RangeError);
    expect(() => generateNewborn(createPrng(7), { parent, dateOfBirth: '1990-01-01' })).toThrow(RangeError);
    expect(() => generateNewborn(createPrng(7), { parent, dateOfBirth: '2025-02-30' })).toThrow(RangeError);
  });
});
