/**
 * A search's criteria as groups of blind-index terms: each criterion is one
 * group (a reading matches the full reading or the family name's), and a
 * record must match every group. No criterion, no search: browsing the whole
 * register is a bulk export, which needs four eyes.
 */
import { createHash } from 'node:crypto';
import { Problem, fieldError, type FieldError } from '../platform/errors.js';
import { KeyError, type BlindIndexInputs, type BlindIndexKind, type MunicipalityKeys } from '../security/keys/index.js';
import { searchTerm, type SearchTerm } from './search-terms.js';

export interface SearchCriteria {
  readonly kana?: string;
  readonly name?: string;
  readonly dateOfBirth?: string;
  readonly town?: string;
  readonly block?: string;
  readonly myNumber?: string;
  readonly residentCode?: string;
}

export function searchCriteria(keys: MunicipalityKeys, c: SearchCriteria): { groups: SearchTerm[][]; fingerprint: string } {
  const groups: SearchTerm[][] = [];
  const errors: FieldError[] = [];
  // One criterion: its group of terms, or its field's error if the value cannot be indexed.
  const criterion = (field: string, make: () => SearchTerm[]) => {
    try {
      groups.push(make());
    } catch (err) {
      if (!(err instanceof KeyError)) throw err;
      errors.push(fieldError(`body/${field}`, err.rule ?? 'invalid', { ja: '検索条件の形式が正しくありません。', en: 'is not a valid search value' }));
    }
  };
  const t = <K extends BlindIndexKind>(kind: K, value: BlindIndexInputs[K]) => searchTerm(keys, kind, value);
  if (c.kana !== undefined) criterion('kana', () => [t('kana_name', c.kana!), t('kana_family_name', c.kana!)]);
  if (c.name !== undefined) criterion('name', () => [t('kanji_name', c.name!), t('kanji_family_name', c.name!)]);
  if (c.dateOfBirth !== undefined) criterion('dateOfBirth', () => [t('date_of_birth', c.dateOfBirth!)]);
  if (c.block !== undefined && c.town === undefined) errors.push(fieldError('body/block', 'needs_town', { ja: '番地は町名と合わせて指定してください。', en: 'needs town' }));
  if (c.town !== undefined) {
    criterion('town', () => [c.block !== undefined ? t('address_block', { town: c.town!, block: c.block }) : t('address_town', { town: c.town! })]);
  }
  if (c.myNumber !== undefined) criterion('myNumber', () => [t('my_number', c.myNumber!)]);
  if (c.residentCode !== undefined) criterion('residentCode', () => [t('resident_code', c.residentCode!)]);
  if (errors.length > 0) throw new Problem('validation_failed', errors);
  if (groups.length === 0) {
    throw new Problem('validation_failed', [fieldError('body', 'criteria', { ja: '検索条件を一つ以上指定してください。', en: 'give at least one search criterion' })]);
  }
  // Binds a cursor to its search without putting the criteria (personal data) in it: a hash of the terms.
  const fingerprint = createHash('sha256')
    .update(groups.map((g) => g.map((t) => `${t.kind}:${t.term.toString('hex')}`).join('|')).join('&'))
    .digest('base64url')
    .slice(0, 22);
  return { groups, fingerprint };
}
