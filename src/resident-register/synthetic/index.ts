/** Synthetic residents for the demo and benchmarks: see ./population.ts. */
export { AgeSampler, CENSUS_2020_AGE_BANDS, MAX_AGE, shareAtOrAbove, type AgeBand } from './age.js';
export { loadNames, loadPlaces, municipalityPlaces, type Area, type MunicipalityPlaces, type NameData, type NameEntry, type PlaceData, type TownRow } from './data.js';
export {
  HOUSEHOLD_KINDS,
  MAX_POPULATION,
  MUNICIPALITY_PROFILES,
  NATIONAL_PROFILE,
  generateNewborn,
  generatePerson,
  generatePopulation,
  populationProfile,
  type HouseholdKind,
  type PersonOptions,
  type PopulationOptions,
  type PopulationProfile,
  type SyntheticHousehold,
} from './population.js';
export { createPrng, deriveSeed, hashSeed, type Prng, type Seed } from './prng.js';
