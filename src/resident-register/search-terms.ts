/**
 * What a resident can be found by: blind indexes (keyed HMACs of folded
 * values, see src/security/keys/blind-index.ts) of their names, readings, date
 * of birth, address, My Number and resident code. The same folding applies to
 * a search's criteria, so "ﾔﾏﾀﾞ", "やまだ" and "ヤマダ", or "髙橋" and "高橋", find
 * the same people. Pure but for the key.
 */
import type { BlindIndexInputs, BlindIndexKind, MunicipalityKeys } from '../security/keys/index.js';
import type { ResidentRecord } from './record.js';

export interface SearchTerm {
  readonly kind: BlindIndexKind;
  readonly term: Buffer;
}

/** One term: the blind index of a value of a kind. */
export function searchTerm<K extends BlindIndexKind>(keys: MunicipalityKeys, kind: K, value: BlindIndexInputs[K]): SearchTerm {
  return { kind, term: keys.blindIndex(kind, value) };
}

/** The terms a record is indexed under. */
export function searchTermsOf(keys: MunicipalityKeys, r: ResidentRecord): SearchTerm[] {
  const t = <K extends BlindIndexKind>(kind: K, value: BlindIndexInputs[K]) => searchTerm(keys, kind, value);
  const kana = `${r.name.familyKana}${r.name.givenKana}`;
  const terms: SearchTerm[] = [
    t('kana_name', kana),
    t('kana_family_name', r.name.familyKana),
    t('kanji_name', `${r.name.family}${r.name.given}`),
    t('kanji_family_name', r.name.family),
    t('date_of_birth', r.dateOfBirth),
    t('kana_name_dob', { kana, dateOfBirth: r.dateOfBirth }),
    t('address_town', { town: r.address.town }),
    t('address_block', { town: r.address.town, block: r.address.block }),
    t('resident_code', r.residentCode),
  ];
  if (r.myNumber) terms.push(t('my_number', r.myNumber));
  if (r.foreign?.alias) {
    terms.push(t('kanji_name', r.foreign.alias.name), t('kana_name', r.foreign.alias.kana));
  }
  return terms;
}
