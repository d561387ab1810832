/** How the isolation suite exercises the office routes (test/isolation). */
import fc from 'fast-check';
import type { IsolationCase } from '../../test/isolation/case.js';
import { OFFICE_KINDS, type OfficeInput } from './office.js';

const kanji = fc.constantFrom(...'千代田中央北南東西富士見神保町支所出張窓口山川本庁舎'.split(''));
const kana = fc.constantFrom(...'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン'.split(''));
// Includes what an attacker would try in a search box: SQL, LIKE wildcards, quotes.
const tricky = fc.constantFrom("'", '%', '_', '\\', "' OR '1'='1", '--', ';', '"');

export const officeIsolation: IsolationCase<OfficeInput> = {
  name: 'offices',
  writer: 'municipal_admin',
  readers: ['clerk', 'auditor'],
  record: fc.record({
    kind: fc.constantFrom(...OFFICE_KINDS),
    name: fc.tuple(fc.array(kanji, { minLength: 2, maxLength: 8 }), fc.option(tricky, { nil: undefined })).map(([k, t]) => k.join('') + (t ?? '')),
    nameKana: fc.array(kana, { minLength: 2, maxLength: 12 }).map((k) => k.join('')),
    postalCode: fc.option(fc.stringMatching(/^[0-9]{3}-[0-9]{4}$/), { nil: null }),
    address: fc.option(fc.array(kanji, { minLength: 1, maxLength: 10 }).map((k) => k.join('')), { nil: null }),
    phone: fc.constant(null),
  }),
  async create(session, record) {
    const res = await session.call('POST', '/v1/offices', record);
    if (res.status !== 201) throw new Error(`create office: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  },
  byId: (id, record) => [
    { method: 'GET', url: `/v1/offices/${id}` },
    { method: 'PUT', url: `/v1/offices/${id}`, body: { ...record, name: `${record.name}改`, version: 1 } },
    { method: 'DELETE', url: `/v1/offices/${id}` },
  ],
  searches: (record) => [
    { method: 'GET', url: `/v1/offices?q=${encodeURIComponent(record.name)}` },
    { method: 'GET', url: `/v1/offices?q=${encodeURIComponent(record.nameKana)}` },
    { method: 'GET', url: `/v1/offices?q=${encodeURIComponent(record.name.slice(0, 1))}&kind=${record.kind}` },
    { method: 'GET', url: `/v1/offices?kind=${record.kind}&limit=1` },
  ],
  collection: '/v1/offices',
};
