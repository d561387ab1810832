/**
 * A search's criteria as groups of blind-index terms: each criterion is one
 * group (a reading matches the full reading or the family name's), and a
 * record must match every group. No criterion, no search: browsing the whole
 * register is a bulk export, which needs four eyes.
 */
import { createHash } from 'node:crypto';
import { Problem, fieldError } from '../platform/errors.js';
import { KeyError, type MunicipalityKeys } from '../security/keys/index.js';
import type { SearchTerm } from './search-terms.js';

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
  const errors: ReturnType<typeof fieldError>[] = [];
  const term = (field: string, make: () => SearchTerm[]) => {
    try {
      groups.push(make());
    } catch (err) {
      if (!(err instanceof KeyError)) throw err;
      errors.push(fieldError(`body/${field}`, err.rule ?? 'invalid', { ja: '検索条件の形式が正しくありません。', en: 'is not a valid search value' }));
    }
  };
  if (c.kana !== undefined) term('kana', () => [{ kind: 'kana_name', term: keys.blindIndex('kana_name', c.kana!) }, { kind: 'kana_family_name', term: keys.blindIndex('kana_family_name', c.kana!) }]);
  if (c.name !== undefined) term('name', () => [{ kind: 'kanji_name', term: keys.blindIndex('kanji_name', c.name!) }, { kind: 'kanji_family_name', term: keys.blindIndex('kanji_family_name', c.name!) }]);
  if (c.dateOfBirth !== undefined) term('dateOfBirth', () => [{ kind: 'date_of_birth', term: keys.blindIndex('date_of_birth', c.dateOfBirth!) }]);
  if (c.block !== undefined && c.town === undefined) errors.push(fieldError('body/block', 'needs_town', { ja: '番地は町名と合わせて指定してください。', en: 'needs town' }));
  if (c.town !== undefined) {
    term('town', () =>
      c.block !== undefined
        ? [{ kind: 'address_block', term: keys.blindIndex('address_block', { town: c.town!, block: c.block }) }]
        : [{ kind: 'address_town', term: keys.blindIndex('address_town', { town: c.town! }) }],
    );
  }
  if (c.myNumber !== undefined) term('myNumber', () => [{ kind: 'my_number', term: keys.blindIndex('my_number', c.myNumber!) }]);
  if (c.residentCode !== undefined) term('residentCode', () => [{ kind: 'resident_code', term: keys.blindIndex('resident_code', c.residentCode!) }]);
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
