/**
 * The age pyramid the generator draws from. Pure.
 *
 * Source: 令和2年国勢調査 (2020 Population Census of Japan, Statistics Bureau of
 * Japan, MIC), population by five-year age groups on 1 October 2020, in
 * thousands (rounded). The bands up to 65–69 are the census's basic complete
 * tabulation (total 126,146,099 persons, age unknown excluded here). The split
 * of ages 70 and over is approximate, scaled so that 65 and over sums to the
 * census figure of 36.03 million (28.6% of the population). Used as relative
 * weights for synthetic data only; check e-Stat before using the figures for
 * anything else.
 */
import { cumulativeWeights, type Prng } from './prng.js';

export interface AgeBand {
  readonly from: number;
  /** Inclusive. */
  readonly to: number;
  readonly thousands: number;
}

export const MAX_AGE = 105;

export const CENSUS_2020_AGE_BANDS: readonly AgeBand[] = [
  { from: 0, to: 4, thousands: 4516 },
  { from: 5, to: 9, thousands: 5089 },
  { from: 10, to: 14, thousands: 5351 },
  { from: 15, to: 19, thousands: 5617 },
  { from: 20, to: 24, thousands: 5931 },
  { from: 25, to: 29, thousands: 6032 },
  { from: 30, to: 34, thousands: 6485 },
  { from: 35, to: 39, thousands: 7312 },
  { from: 40, to: 44, thousands: 8291 },
  { from: 45, to: 49, thousands: 9650 },
  { from: 50, to: 54, thousands: 8540 },
  { from: 55, to: 59, thousands: 7767 },
  { from: 60, to: 64, thousands: 7297 },
  { from: 65, to: 69, thousands: 8075 },
  { from: 70, to: 74, thousands: 9250 },
  { from: 75, to: 79, thousands: 7021 },
  { from: 80, to: 84, thousands: 5448 },
  { from: 85, to: 89, thousands: 3752 },
  { from: 90, to: 94, thousands: 1854 },
  { from: 95, to: 99, thousands: 546 },
  // "100 and over", spread over 100–105 (a handful are older; the register does not need them).
  { from: 100, to: MAX_AGE, thousands: 80 },
];

/** Weight of each single year of age 0..MAX_AGE (a band's count spread evenly over its years). */
export function singleYearWeights(bands: readonly AgeBand[] = CENSUS_2020_AGE_BANDS): number[] {
  const w = new Array<number>(MAX_AGE + 1).fill(0);
  for (const b of bands) for (let a = b.from; a <= b.to; a++) w[a] = b.thousands / (b.to - b.from + 1);
  return w;
}

/** The share of a pyramid at or above an age (e.g. 65: the aging rate). */
export function shareAtOrAbove(age: number, bands: readonly AgeBand[] = CENSUS_2020_AGE_BANDS): number {
  const w = singleYearWeights(bands);
  const total = w.reduce((a, b) => a + b, 0);
  return w.slice(age).reduce((a, b) => a + b, 0) / total;
}

/** A reweighting of the pyramid for a kind of person (e.g. heads of couple-only households are mostly older). */
export interface AgeTilt {
  /** Identifies the tilt in the sampler's cache. */
  readonly name: string;
  /** A non-negative multiplier for an age. */
  weight(age: number): number;
}

/** Draws ages from the pyramid, restricted to a range and optionally tilted; the cumulative tables are built once per range and tilt. */
export class AgeSampler {
  private readonly weights: number[];
  private readonly tables = new Map<string, number[]>();

  constructor(bands: readonly AgeBand[] = CENSUS_2020_AGE_BANDS) {
    this.weights = singleYearWeights(bands);
  }

  /** An age in [min, max] (inclusive, clamped to 0..MAX_AGE) with probability proportional to the pyramid (times the tilt). */
  sample(prng: Prng, min: number, max: number, tilt?: AgeTilt): number {
    const lo = Math.max(0, min);
    const hi = Math.min(MAX_AGE, max);
    if (hi < lo) throw new RangeError(`no age in [${min}, ${max}]`);
    const key = `${lo}-${hi}-${tilt?.name ?? ''}`;
    let table = this.tables.get(key);
    if (!table) {
      table = cumulativeWeights(this.weights.slice(lo, hi + 1).map((w, i) => (tilt ? w * tilt.weight(lo + i) : w)));
      this.tables.set(key, table);
    }
    return lo + prng.weightedIndex(table);
  }
}
