/**
 * A synthetic population for a real municipality: households of residents with
 * real town names, valid and unique My Numbers and resident codes, and a
 * plausible age pyramid and household mix. For the demo and for benchmarks;
 * every value is made up (see ./ids.ts on why the numbers must still stay out
 * of real data).
 *
 * Deterministic: the same options give the same households, in the same order,
 * on every platform. Streaming: `generatePopulation` yields one household at a
 * time and keeps nothing of the households it has yielded, so a million
 * residents need no more memory than ten (the source data, a few MB, is loaded
 * once per process). A smaller size gives a prefix of a larger one, up to its
 * last household, which is cut to fit.
 *
 * The model, kept simple and documented rather than exact:
 * - Households: kinds in the shares of the 2020 census (single 38%, couple 20%,
 *   couple with children 25%, single parent 9%, three generations 4%, others
 *   ≈ 4%: with a lodger 同居人 or a sibling), tuned per municipality so that
 *   the mean size is ≈ 2.2 nationally, ≈ 1.9 in 札幌市 and ≈ 1.7 in 千代田区.
 * - Ages: heads drawn from the 2020 census pyramid (./age.ts) within a range
 *   and with a tilt per kind (couple-only heads mostly 60+, few parents under
 *   30) and per municipality (千代田区's heads younger); spouses of similar age
 *   (husbands a little older); children 20–45 years younger than each parent
 *   (in completed years), the parents of a head 20–45 years older. The result
 *   is ≈ 27–29% aged 65+ and ≈ 9–11% under 15 (census: 28.6% and 11.9%).
 * - residentSince: one date per household, exponentially distributed back from
 *   asOf (mean 12 years), never before its youngest member's birth (so the
 *   whole household can be entered as one move-in).
 * - Names: one family name per household (Japanese couples share a surname),
 *   except lodgers; given names by sex.
 * - Foreign residents: 2.5% of households, 2–3% of residents (./foreign.ts);
 *   names in katakana, no 本籍.
 * - 本籍: the household's, in the municipality or anywhere in Japan; the
 *   筆頭者 is the husband of a married head, otherwise the head (for the head's
 *   parents: the father, by name even when he is no longer alive).
 * - Flags (ages in completed years on `asOf`):
 *   - nationalHealthInsurance: everyone aged 65–74 (the retired; employees of
 *     that age are ignored), plus the members under 65 of households whose
 *     head is 65–74 or that are drawn as NHI households (self-employed and
 *     non-employed; 7% by default), plus foreign students; ≈ 25% of all
 *     residents, like Japan's NHI enrolment;
 *   - lateStageElderlyMedical: 75 and over;
 *   - longTermCare: 65 and over (category 1 insured persons);
 *   - nationalPension: 20 to 59;
 *   - childAllowance: on the head, when the household has a member under 18;
 *   - electoralRoll: Japanese nationals aged 18 and over whose household has
 *     been registered for at least 3 months (公職選挙法 第21条).
 */
import { normalizeKanaReading, normalizeText } from '../../text/japanese.js';
import {
  DEFAULT_RESIDENT_CODE_SCHEME,
  myNumberFrom,
  newResidentCode,
  type ResidentCodeScheme,
} from '../identifiers.js';
import { HEAD, NO_FLAGS, type Address, type Domicile, type ForeignResidentItems, type PersonInput, type PersonName, type Relationship, type ResidentFlags, type Sex } from '../record.js';
import { inhabitedRows, syntheticAddress, syntheticDomicilePlace, townAnywhere, type PlaceDraw } from './address.js';
import { AgeSampler, MAX_AGE, type AgeTilt } from './age.js';
import { loadNames, loadPlaces, municipalityPlaces, type MunicipalityPlaces, type NameData, type NameEntry, type PlaceData } from './data.js';
import { addYears, completedYears, daysFromCivil, civilFromDays, formatDay, parseDay } from './dates.js';
import {
  drawNationality,
  foreignFamilyName,
  foreignGivenName,
  isPermanentStatus,
  katakanaName,
  residenceCardNumber,
  type Nationality,
  type SyntheticResidenceStatus,
} from './foreign.js';
import { MAX_PEOPLE_PER_BLOCK, syntheticIds, type SyntheticIdSource } from './ids.js';
import { createPrng, cumulativeWeights, type Prng, type Seed } from './prng.js';

/** The largest population one call generates (and the size of a municipality's block of synthetic numbers). */
export const MAX_POPULATION = MAX_PEOPLE_PER_BLOCK;

export interface PopulationOptions {
  readonly seed: Seed;
  /** The 6-digit local public body code of a current municipality (e.g. 131016 千代田区, 011002 札幌市). */
  readonly municipalityCode: string;
  /** The number of residents (not households), 0 to MAX_POPULATION. */
  readonly size: number;
  /** The date the population is as of (YYYY-MM-DD): everyone is born before it, and every household has moved in by it. */
  readonly asOf: string;
  /** The resident code check-digit scheme; the default is municloud's (see ../identifiers.ts). */
  readonly residentCodeScheme?: ResidentCodeScheme;
}

export interface SyntheticHousehold {
  readonly address: Address;
  /** members[0] is the head (世帯主). */
  readonly members: readonly PersonInput[];
  /** The date the household became resident (all members; never before the youngest member's birth). */
  readonly residentSince: string;
}

export const HOUSEHOLD_KINDS = ['single', 'couple', 'coupleWithChildren', 'singleParent', 'threeGenerations', 'withLodger', 'siblings'] as const;
export type HouseholdKind = (typeof HOUSEHOLD_KINDS)[number];

export interface PopulationProfile {
  /** Relative weights of the household kinds (Japanese households). */
  readonly kinds: Readonly<Record<HouseholdKind, number>>;
  /** Share of households of foreign residents. */
  readonly foreignHouseholdShare: number;
  /** Share of addresses with a building and room (方書). */
  readonly buildingShare: number;
  /** Share of households whose members under 65 are in National Health Insurance. */
  readonly nhiHouseholdShare: number;
  /** Share of Japanese households whose 本籍 is in the municipality itself. */
  readonly localDomicileShare: number;
  /** Reweights every head's age, on top of the kind's own tilt (e.g. a younger city centre). */
  readonly headAgeTilt: AgeTilt | null;
}

/** Japan as a whole: 2020 census household kinds (mean size ≈ 2.2). */
export const NATIONAL_PROFILE: PopulationProfile = {
  kinds: { single: 38, couple: 20, coupleWithChildren: 25, singleParent: 9, threeGenerations: 4.2, withLodger: 1.8, siblings: 2 },
  foreignHouseholdShare: 0.025,
  buildingShare: 0.4,
  nhiHouseholdShare: 0.07,
  localDomicileShare: 0.5,
  headAgeTilt: null,
};

/**
 * Per municipality: more singles in the city centre (千代田区 ≈ 1.7 persons a
 * household, 札幌市 ≈ 1.9), and a younger centre of Tokyo (heads of 65 and
 * over half as likely as the national pyramid has them).
 */
export const MUNICIPALITY_PROFILES: Readonly<Record<string, PopulationProfile>> = {
  '131016': {
    ...NATIONAL_PROFILE,
    kinds: { single: 60, couple: 16, coupleWithChildren: 15, singleParent: 4, threeGenerations: 1, withLodger: 2.5, siblings: 1.5 },
    headAgeTilt: { name: 'city-centre', weight: (age) => (age >= 65 ? 0.5 : age >= 20 && age < 40 ? 1.3 : 1) },
  },
  '011002': { ...NATIONAL_PROFILE, kinds: { single: 47, couple: 21, coupleWithChildren: 19, singleParent: 7, threeGenerations: 2, withLodger: 2, siblings: 2 } },
};

export function populationProfile(municipalityCode: string): PopulationProfile {
  return MUNICIPALITY_PROFILES[municipalityCode] ?? NATIONAL_PROFILE;
}

// ---------------------------------------------------------------------------
// Drafts: members before truncation, identifiers and flags.

interface ForeignDraft {
  readonly nationality: Nationality;
  readonly status: SyntheticResidenceStatus;
  readonly periodEnd: string | null;
  readonly alias: { readonly name: string; readonly kana: string } | null;
}

interface Draft {
  readonly name: PersonName;
  readonly sex: Sex;
  readonly dob: number;
  readonly relationship: Relationship;
  readonly foreign: ForeignDraft | null;
  /** Whose 戸籍 the person is in: the household's, or the person's own (a lodger). */
  readonly register: 'household' | 'parents' | 'own';
}

/** Everything a run needs, loaded and derived once. */
interface Context {
  readonly prng: Prng;
  readonly asOf: number;
  readonly municipality: MunicipalityPlaces;
  readonly rows: readonly PlaceDraw[];
  readonly places: PlaceData;
  readonly names: NameData;
  readonly familyKanji: readonly string[];
  readonly profile: PopulationProfile;
  readonly kindTable: readonly number[];
}

/** The census pyramid; its tables depend only on the age range and the tilt's name, so every run shares them. */
const AGE_PYRAMID = new AgeSampler();

const FOREIGN_KINDS: readonly HouseholdKind[] = ['single', 'couple', 'coupleWithChildren', 'singleParent'];
const FOREIGN_KIND_TABLE = cumulativeWeights([55, 12, 28, 5]);

/** A foreign head's status and age range, chosen by one uniform draw u: the first entry with u < below. */
interface ForeignHead {
  readonly below: number;
  readonly status: SyntheticResidenceStatus;
  readonly ages: readonly [number, number];
}
/** Living alone: 35% students, 40% workers, 25% permanent residents. */
const FOREIGN_SINGLE_HEADS: readonly ForeignHead[] = [
  { below: 0.35, status: '留学', ages: [18, 29] },
  { below: 0.75, status: '技術・人文知識・国際業務', ages: [22, 50] },
  { below: 1, status: '永住者', ages: [25, 80] },
];
/** With family: half workers (the family on 家族滞在), half permanent residents. */
const FOREIGN_FAMILY_HEADS: readonly ForeignHead[] = [
  { below: 0.5, status: '技術・人文知識・国際業務', ages: [24, 55] },
  { below: 1, status: '永住者', ages: [28, 80] },
];

/** A birth day for someone of `age` completed years on `asOf` (and before `asOf`). */
function birthDayForAge(prng: Prng, asOf: number, age: number): number {
  const hi = age === 0 ? asOf - 1 : addYears(asOf, -age);
  const lo = addYears(asOf, -age - 1) + 1;
  return lo >= hi ? hi : prng.int(lo, hi);
}

function ageOn(dob: number, asOf: number): number {
  return completedYears(dob, asOf);
}

/** A triangular draw on [lo, hi] with the given mode. */
function triangular(prng: Prng, lo: number, mode: number, hi: number): number {
  const u = prng.next();
  const c = (mode - lo) / (hi - lo);
  return u < c ? lo + Math.sqrt(u * (hi - lo) * (mode - lo)) : hi - Math.sqrt((1 - u) * (hi - lo) * (hi - mode));
}

/**
 * A child's birth day: 20 to 45 completed years after each parent's, before
 * `asOf`; null when no day fits. Mothers' ages at birth peak around 31.
 */
function childBirthDay(prng: Prng, asOf: number, parents: readonly number[], reference: number): number | null {
  let lo = -Infinity;
  let hi = asOf - 1;
  for (const p of parents) {
    lo = Math.max(lo, addYears(p, 20));
    hi = Math.min(hi, addYears(p, 46) - 1);
  }
  if (lo > hi) return null;
  for (let i = 0; i < 4; i++) {
    const d = addYears(reference, Math.floor(triangular(prng, 20, 31, 46))) + prng.int(0, 364);
    if (d >= lo && d <= hi) return d;
  }
  return prng.int(lo, hi);
}

/** The birth day of a parent of someone born on `childDob`: 20–45 completed years earlier, at most MAX_AGE on asOf. Null when none fits. */
function parentBirthDay(prng: Prng, asOf: number, childDob: number, mode: number): number | null {
  const lo = Math.max(addYears(childDob, -46) + 1, addYears(asOf, -MAX_AGE - 1) + 1);
  const hi = addYears(childDob, -20);
  if (lo > hi) return null;
  for (let i = 0; i < 4; i++) {
    const d = addYears(childDob, -Math.floor(triangular(prng, 20, mode, 46))) - prng.int(0, 364);
    if (d >= lo && d <= hi) return d;
  }
  return prng.int(lo, hi);
}

function japaneseName(family: NameEntry, given: NameEntry): PersonName {
  return { family: family.kanji, given: given.kanji, familyKana: family.kana, givenKana: given.kana };
}

function givenName(prng: Prng, names: NameData, sex: Sex): NameEntry {
  return prng.pick(sex === 'male' ? names.male : names.female);
}

const fullName = (n: PersonName) => `${n.family} ${n.given}`;
const other = (sex: Sex): Sex => (sex === 'male' ? 'female' : 'male');

interface Family {
  /** A member's name for a sex. */
  name(sex: Sex): PersonName;
  /** Foreign items for a member in a role; null for Japanese households. */
  foreign(role: 'head' | 'family', sex: Sex): ForeignDraft | null;
}

function japaneseFamily(ctx: Context): Family {
  const family = ctx.prng.pick(ctx.names.family);
  return { name: (sex) => japaneseName(family, givenName(ctx.prng, ctx.names, sex)), foreign: () => null };
}

function periodEnd(ctx: Context, minDays: number, maxDays: number): string {
  return formatDay(ctx.asOf + ctx.prng.int(minDays, maxDays));
}

/** A foreign household: one nationality; statuses by the head's (special permanent residents as whole families). */
function foreignFamily(ctx: Context, nationality: Nationality, headStatus: SyntheticResidenceStatus): Family {
  const { prng } = ctx;
  const family = foreignFamilyName(prng, nationality);
  const headPeriod = isPermanentStatus(headStatus) ? null : headStatus === '留学' ? periodEnd(ctx, 90, 365 * 2 + 90) : periodEnd(ctx, 30, 365 * 5);
  // Special permanent residents often use a Japanese alias (通称), shared as a family name.
  const aliasFamily = headStatus === '特別永住者' && prng.chance(0.5) ? prng.pick(ctx.names.family) : null;
  return {
    name: (sex) => katakanaName(family, foreignGivenName(prng, nationality, sex)),
    foreign(role, sex) {
      const status: SyntheticResidenceStatus = role === 'head' ? headStatus : headStatus === '技術・人文知識・国際業務' || headStatus === '留学' ? '家族滞在' : headStatus;
      let alias: ForeignDraft['alias'] = null;
      if (aliasFamily) {
        const given = givenName(prng, ctx.names, sex);
        alias = { name: normalizeText(`${aliasFamily.kanji} ${given.kanji}`), kana: normalizeKanaReading(`${aliasFamily.kana} ${given.kana}`) ?? aliasFamily.kana };
      }
      // Family members' periods follow the supporter's.
      return { nationality, status, periodEnd: isPermanentStatus(status) ? null : headPeriod, alias };
    },
  };
}

function spouseAge(prng: Prng, headAge: number, headSex: Sex): number {
  // Husbands are on average about two years older than their wives.
  const diff = headSex === 'male' ? -prng.int(-3, 7) : prng.int(-3, 7);
  return Math.min(MAX_AGE, Math.max(18, headAge + diff));
}

function member(f: Family, sex: Sex, dob: number, relationship: Relationship, role: 'head' | 'family', register: Draft['register'] = 'household'): Draft {
  return { name: f.name(sex), sex, dob, relationship, foreign: f.foreign(role, sex), register };
}

function addChildren(ctx: Context, f: Family, out: Draft[], parents: readonly Draft[], count: number): void {
  const reference = (parents.find((p) => p.sex === 'female') ?? parents[0])?.dob;
  if (reference === undefined) return;
  for (let i = 0; i < count; i++) {
    const dob = childBirthDay(ctx.prng, ctx.asOf, parents.map((p) => p.dob), reference);
    if (dob === null) return;
    out.push(member(f, ctx.prng.chance(0.512) ? 'male' : 'female', dob, '子', 'family'));
  }
}

function childCount(prng: Prng): number {
  const u = prng.next();
  return u < 0.45 ? 1 : u < 0.85 ? 2 : u < 0.98 ? 3 : 4;
}

/** Couple-only households: mostly "empty nest" couples of 60 and over, some young ones. */
const COUPLE_TILT: AgeTilt = { name: 'couple', weight: (age) => (age < 35 ? 0.8 : age < 60 ? 0.45 : 1.6) };
/**
 * Parents living with their children: few under 30 (the mean age at a first
 * birth is about 31); many older parents live with an unmarried adult child.
 */
const PARENT_TILT: AgeTilt = { name: 'parent', weight: (age) => (age < 30 ? 0.4 : 1) };

const combined = new Map<string, AgeTilt>();

function combineTilts(a: AgeTilt | undefined, b: AgeTilt | null): AgeTilt | undefined {
  if (!b) return a;
  if (!a) return b;
  const name = `${a.name}*${b.name}`;
  let tilt = combined.get(name);
  if (!tilt) combined.set(name, (tilt = { name, weight: (age) => a.weight(age) * b.weight(age) }));
  return tilt;
}

/** Draws the members of one household (head first). */
function draftHousehold(ctx: Context, kind: HouseholdKind, f: Family, headAgeRange: readonly [number, number] = [0, MAX_AGE]): Draft[] {
  const { prng, asOf } = ctx;
  // The kind's range, narrowed to the caller's (a foreign head's status has its own ages).
  const headAge = (min: number, max: number, kindTilt?: AgeTilt) =>
    AGE_PYRAMID.sample(prng, Math.max(min, headAgeRange[0]), Math.min(max, headAgeRange[1]), combineTilts(kindTilt, ctx.profile.headAgeTilt));
  const out: Draft[] = [];
  const couple = (min: number, max: number, maleHeadShare: number, tilt?: AgeTilt): [Draft, Draft] => {
    const hAge = headAge(min, max, tilt);
    const hSex: Sex = prng.chance(maleHeadShare) ? 'male' : 'female';
    const head = member(f, hSex, birthDayForAge(prng, asOf, hAge), HEAD, 'head');
    const spouse = member(f, other(hSex), birthDayForAge(prng, asOf, spouseAge(prng, hAge, hSex)), hSex === 'male' ? '妻' : '夫', 'family');
    out.push(head, spouse);
    return [head, spouse];
  };
  switch (kind) {
    case 'single': {
      const age = headAge(18, MAX_AGE);
      // Older people living alone are mostly women.
      const sex: Sex = prng.chance(age >= 75 ? 0.7 : 0.45) ? 'female' : 'male';
      out.push(member(f, sex, birthDayForAge(prng, asOf, age), HEAD, 'head'));
      break;
    }
    case 'couple':
      couple(22, MAX_AGE, 0.9, COUPLE_TILT);
      break;
    case 'coupleWithChildren': {
      const parents = couple(24, 80, 0.9, PARENT_TILT);
      addChildren(ctx, f, out, parents, childCount(prng));
      break;
    }
    case 'singleParent': {
      const sex: Sex = prng.chance(0.85) ? 'female' : 'male';
      const head = member(f, sex, birthDayForAge(prng, asOf, headAge(24, 90, PARENT_TILT)), HEAD, 'head');
      out.push(head);
      addChildren(ctx, f, out, [head], prng.chance(0.6) ? 1 : prng.chance(0.8) ? 2 : 3);
      break;
    }
    case 'threeGenerations': {
      const parents = couple(30, 60, 0.95);
      const head = parents[0];
      // Both of the head's parents in half of these households, the mother alone in 35%, the father alone in 15%.
      const u = prng.next();
      const withFather = u < 0.5 || u >= 0.85;
      const withMother = u < 0.85;
      const fatherDob = withFather ? parentBirthDay(prng, asOf, head.dob, 31) : null;
      const motherDob = withMother ? parentBirthDay(prng, asOf, head.dob, 29) : null;
      // The head's parents share the head's surname (a husband's own parents).
      if (fatherDob !== null && ageOn(fatherDob, asOf) <= 100) out.push(member(f, 'male', fatherDob, '父', 'family', 'parents'));
      if (motherDob !== null && ageOn(motherDob, asOf) <= 100) out.push(member(f, 'female', motherDob, '母', 'family', 'parents'));
      addChildren(ctx, f, out, parents, prng.chance(0.2) ? 0 : childCount(prng));
      break;
    }
    case 'withLodger': {
      const hAge = headAge(20, 85);
      out.push(member(f, prng.chance(0.5) ? 'male' : 'female', birthDayForAge(prng, asOf, hAge), HEAD, 'head'));
      const lodgers = prng.chance(0.85) ? 1 : 2;
      const japanese = out[0]?.foreign === null;
      for (let i = 0; i < lodgers; i++) {
        // A Japanese lodger has a family name and a 戸籍 of their own; a foreign household's lodger takes its family name (a simplification).
        const lodgerFamily = japanese ? japaneseFamily(ctx) : f;
        const lAge = Math.min(MAX_AGE, Math.max(18, hAge + prng.int(-15, 15)));
        out.push(member(lodgerFamily, prng.chance(0.5) ? 'male' : 'female', birthDayForAge(prng, asOf, lAge), '同居人', 'family', 'own'));
      }
      break;
    }
    case 'siblings': {
      const hAge = headAge(20, 85);
      const head = member(f, prng.chance(0.5) ? 'male' : 'female', birthDayForAge(prng, asOf, hAge), HEAD, 'head');
      out.push(head);
      const sex: Sex = prng.chance(0.5) ? 'male' : 'female';
      let dob = birthDayForAge(prng, asOf, Math.min(MAX_AGE, Math.max(18, hAge + prng.int(-10, 10))));
      if (dob === head.dob) dob -= 1;
      const older = dob < head.dob;
      out.push(member(f, sex, dob, older ? (sex === 'male' ? '兄' : '姉') : sex === 'male' ? '弟' : '妹', 'family'));
      break;
    }
  }
  return out;
}

/**
 * The household's move-in date: an exponential number of years before asOf
 * (mean 12; for foreign residents on a temporary status 1.5 for students and 4
 * for the others, who also came as adults), never before its youngest
 * member's birth.
 */
function residentSinceDay(prng: Prng, asOf: number, members: readonly Draft[]): number {
  const head = members[0] as Draft;
  const status = head.foreign?.status;
  const temporary = status !== undefined && !isPermanentStatus(status);
  let earliest = Math.max(...members.map((m) => m.dob));
  if (temporary) earliest = Math.max(earliest, Math.min(addYears(head.dob, 18), asOf));
  const meanYears = !temporary ? 12 : status === '留学' ? 1.5 : 4;
  const days = Math.floor(-Math.log(1 - prng.next()) * 365.25 * meanYears);
  const since = asOf - days;
  return since >= earliest ? since : prng.int(earliest, asOf);
}

function threeMonthsBefore(day: number): number {
  const { y, m, d } = civilFromDays(day);
  return m > 3 ? daysFromCivil(y, m - 3, d) : daysFromCivil(y - 1, m + 9, d);
}

/** What a resident's flags depend on besides the person's own age and status. */
interface HouseholdFacts {
  /** The household's members under 65 are in National Health Insurance. */
  readonly nhi: boolean;
  readonly hasMinor: boolean;
  /** Registered for at least three months (the electoral roll's condition). */
  readonly registeredLongEnough: boolean;
}

/** The flags of a person of `age`; `residenceStatus` is null for a Japanese national. */
function flagsFor(age: number, residenceStatus: string | null, isHead: boolean, household: HouseholdFacts): ResidentFlags {
  return {
    nationalHealthInsurance: age < 75 && (age >= 65 || household.nhi || residenceStatus === '留学'),
    lateStageElderlyMedical: age >= 75,
    longTermCare: age >= 65,
    nationalPension: age >= 20 && age <= 59,
    childAllowance: isHead && household.hasMinor,
    electoralRoll: residenceStatus === null && age >= 18 && household.registeredLongEnough,
  };
}

function finalize(ctx: Context, drafts: readonly Draft[], since: number, ids: SyntheticIdSource, firstIndex: number): PersonInput[] {
  const { prng, asOf } = ctx;
  const ages = drafts.map((d) => ageOn(d.dob, asOf));
  const head = drafts[0] as Draft;
  const headAge = ages[0] as number;
  const household: HouseholdFacts = {
    nhi: (headAge >= 65 && headAge < 75) || prng.chance(ctx.profile.nhiHouseholdShare),
    hasMinor: ages.some((a) => a < 18),
    registeredLongEnough: since <= threeMonthsBefore(asOf),
  };

  // 本籍: one place for the household; the 筆頭者 is the husband of a married head, else the head.
  let householdDomicile: Domicile | null = null;
  let parentsDomicile: Domicile | null = null;
  if (head.foreign === null) {
    const place = syntheticDomicilePlace(prng, ctx.municipality, ctx.rows, ctx.places, ctx.profile.localDomicileShare);
    const husband = drafts.find((d) => d.relationship === '夫');
    householdDomicile = { place, head: fullName((husband ?? head).name) };
    const father = drafts.find((d) => d.relationship === '父');
    if (drafts.some((d) => d.register === 'parents')) {
      const fatherName = father ? father.name.given : givenName(prng, ctx.names, 'male').kanji;
      parentsDomicile = { place, head: `${head.name.family} ${fatherName}` };
    }
  }

  return drafts.map((d, i): PersonInput => {
    const age = ages[i] as number;
    let domicile: Domicile | null = null;
    if (d.foreign === null) {
      domicile =
        d.register === 'own'
          ? { place: syntheticDomicilePlace(prng, ctx.municipality, ctx.rows, ctx.places, ctx.profile.localDomicileShare), head: fullName(d.name) }
          : d.register === 'parents'
            ? parentsDomicile
            : householdDomicile;
    }
    const foreign: ForeignResidentItems | null = d.foreign
      ? {
          nationality: d.foreign.nationality,
          residenceStatus: d.foreign.status,
          residencePeriodEnd: d.foreign.periodEnd,
          residenceCardNumber: residenceCardNumber(prng),
          alias: d.foreign.alias,
        }
      : null;
    return {
      name: d.name,
      dateOfBirth: formatDay(d.dob),
      sex: d.sex,
      relationship: d.relationship,
      domicile,
      myNumber: ids.myNumber(firstIndex + i),
      residentCode: ids.residentCode(firstIndex + i),
      flags: flagsFor(age, d.foreign?.status ?? null, i === 0, household),
      foreign,
    };
  });
}

function drawHousehold(ctx: Context): Draft[] {
  const { prng } = ctx;
  if (prng.chance(ctx.profile.foreignHouseholdShare)) {
    const nationality = drawNationality(prng);
    if (nationality === 'KR' && prng.chance(0.5)) {
      // Special permanent residents: settled families of every age, like Japanese households.
      const kind = HOUSEHOLD_KINDS[prng.weightedIndex(ctx.kindTable)] as HouseholdKind;
      return draftHousehold(ctx, kind, foreignFamily(ctx, nationality, '特別永住者'));
    }
    const kind = FOREIGN_KINDS[prng.weightedIndex(FOREIGN_KIND_TABLE)] as HouseholdKind;
    const u = prng.next();
    const head = (kind === 'single' ? FOREIGN_SINGLE_HEADS : FOREIGN_FAMILY_HEADS).find((h) => u < h.below) as ForeignHead;
    return draftHousehold(ctx, kind, foreignFamily(ctx, nationality, head.status), head.ages);
  }
  const kind = HOUSEHOLD_KINDS[prng.weightedIndex(ctx.kindTable)] as HouseholdKind;
  return draftHousehold(ctx, kind, japaneseFamily(ctx));
}

function contextFor(seed: Seed, municipalityCode: string, asOf: number): Context {
  const municipality = municipalityPlaces(municipalityCode);
  const profile = populationProfile(municipalityCode);
  const names = loadNames();
  return {
    prng: createPrng(seed),
    asOf,
    municipality,
    rows: inhabitedRows(municipality),
    places: loadPlaces(),
    names,
    familyKanji: names.family.map((n) => n.kanji),
    profile,
    kindTable: cumulativeWeights(HOUSEHOLD_KINDS.map((k) => profile.kinds[k])),
  };
}

function* households(ctx: Context, size: number, ids: SyntheticIdSource): Generator<SyntheticHousehold, void, undefined> {
  let issued = 0;
  while (issued < size) {
    let drafts = drawHousehold(ctx);
    // The last household is cut to fit (the head stays first).
    if (drafts.length > size - issued) drafts = drafts.slice(0, size - issued);
    const since = residentSinceDay(ctx.prng, ctx.asOf, drafts);
    const address = syntheticAddress(ctx.prng, ctx.municipality, ctx.rows, ctx.profile.buildingShare, ctx.familyKanji);
    const members = finalize(ctx, drafts, since, ids, issued);
    issued += members.length;
    yield { address, members, residentSince: formatDay(since) };
  }
}

/**
 * Synthetic households of a municipality, streamed: `size` residents in all.
 * Validates the options and loads the source data when called (not on the
 * first `next()`), then yields households one by one.
 */
export function generatePopulation(options: PopulationOptions): Generator<SyntheticHousehold, void, undefined> {
  const { seed, municipalityCode, size, asOf } = options;
  if (!Number.isInteger(size) || size < 0 || size > MAX_POPULATION) throw new RangeError(`size must be an integer from 0 to ${MAX_POPULATION}`);
  const asOfDay = parseDay(asOf);
  const ctx = contextFor(seed, municipalityCode, asOfDay);
  const ids = syntheticIds({ seed, cityCode5: ctx.municipality.cityCode5, ordinal: ctx.municipality.ordinal, scheme: options.residentCodeScheme ?? DEFAULT_RESIDENT_CODE_SCHEME });
  return households(ctx, size, ids);
}

// ---------------------------------------------------------------------------
// Single persons, for tests of filings.

export interface PersonOptions {
  readonly asOf: string;
  /** Completed years on asOf; drawn from the pyramid (18 and over) when absent. */
  readonly age?: number;
  readonly sex?: Sex;
  readonly relationship?: Relationship;
  /** A foreign resident (nationality drawn) instead of a Japanese national. */
  readonly foreign?: boolean;
  readonly residentCodeScheme?: ResidentCodeScheme;
}

/**
 * One synthetic person (e.g. someone moving in), drawn with `prng`. Its My
 * Number and resident code are random and valid but, unlike a population's,
 * not guaranteed unique: draw again on a clash. The 本籍 is anywhere in Japan.
 */
export function generatePerson(prng: Prng, options: PersonOptions): PersonInput {
  const asOf = parseDay(options.asOf);
  const age = options.age ?? AGE_PYRAMID.sample(prng, 18, MAX_AGE);
  if (!Number.isInteger(age) || age < 0 || age > MAX_AGE) throw new RangeError(`age must be an integer from 0 to ${MAX_AGE}`);
  const names = loadNames();
  const places = loadPlaces();
  const sex: Sex = options.sex ?? (prng.chance(0.5) ? 'male' : 'female');
  const dob = birthDayForAge(prng, asOf, age);
  let name: PersonName;
  let foreign: ForeignResidentItems | null = null;
  let domicile: Domicile | null = null;
  if (options.foreign) {
    const nationality = drawNationality(prng);
    const family = foreignFamilyName(prng, nationality);
    name = katakanaName(family, foreignGivenName(prng, nationality, sex));
    const status: SyntheticResidenceStatus = age >= 18 && age <= 29 && prng.chance(0.4) ? '留学' : prng.chance(0.5) ? '永住者' : '技術・人文知識・国際業務';
    foreign = {
      nationality,
      residenceStatus: status,
      residencePeriodEnd: isPermanentStatus(status) ? null : formatDay(asOf + prng.int(30, 365 * 5)),
      residenceCardNumber: residenceCardNumber(prng),
      alias: null,
    };
  } else {
    name = japaneseName(prng.pick(names.family), givenName(prng, names, sex));
    const { prefecture, municipality, row } = townAnywhere(prng, places);
    domicile = { place: `${prefecture}${municipality}${row.town}${prng.int(1, 999)}番地`, head: fullName(name) };
  }
  let first11 = '';
  for (let i = 0; i < 11; i++) first11 += String(prng.int(0, 9));
  const myNumber = myNumberFrom(first11);
  const residentCode = newResidentCode(() => prng.next(), options.residentCodeScheme ?? DEFAULT_RESIDENT_CODE_SCHEME);
  // Drawn alone: no household with a child to claim an allowance for, and registered long enough for the electoral roll.
  const household: HouseholdFacts = { nhi: prng.chance(NATIONAL_PROFILE.nhiHouseholdShare), hasMinor: false, registeredLongEnough: true };
  return {
    name,
    dateOfBirth: formatDay(dob),
    sex,
    relationship: options.relationship ?? HEAD,
    domicile,
    myNumber,
    residentCode,
    flags: flagsFor(age, foreign?.residenceStatus ?? null, false, household),
    foreign,
  };
}

/**
 * A newborn child of a Japanese parent (a birth recorded on a family-register
 * notice): the parent's surname and 本籍, no My Number or resident code yet
 * (null: assigned when recorded), and in National Health Insurance when the
 * parent is. Foreign newborns are not generated (they need a status first).
 */
export function generateNewborn(prng: Prng, options: { readonly parent: PersonInput; readonly dateOfBirth: string; readonly sex?: Sex; readonly relationship?: Relationship }): PersonInput {
  const { parent } = options;
  if (parent.foreign !== null) throw new RangeError('generateNewborn: foreign newborns are not generated');
  const dob = parseDay(options.dateOfBirth);
  const parentDob = parseDay(parent.dateOfBirth);
  const gap = completedYears(parentDob, dob);
  if (gap < 15 || gap > 60) throw new RangeError(`generateNewborn: the parent would be ${gap} at the birth`);
  const sex: Sex = options.sex ?? (prng.chance(0.512) ? 'male' : 'female');
  const given = givenName(prng, loadNames(), sex);
  return {
    name: { family: parent.name.family, familyKana: parent.name.familyKana, given: given.kanji, givenKana: given.kana },
    dateOfBirth: formatDay(dob),
    sex,
    relationship: options.relationship ?? '子',
    domicile: parent.domicile,
    myNumber: null,
    residentCode: null,
    flags: { ...NO_FLAGS, nationalHealthInsurance: parent.flags.nationalHealthInsurance },
    foreign: null,
  };
}
