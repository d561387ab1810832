/**
 * How the isolation suite exercises the bulk-export routes (test/isolation).
 * Records are export requests of a probe dataset registered here (the suite
 * never approves them, so its rows are never read). B's requests must be
 * invisible to A: listed, counted, read, approved, rejected, downloaded and
 * their record ids, each answered exactly as for an id that does not exist.
 */
import fc from 'fast-check';
import { Type } from 'typebox';
import type { IsolationCase } from '../../../test/isolation/case.js';
import { EXPORT_DATASETS } from './datasets.js';
import { EXPORT_PURPOSE_CODES } from './policy.js';

export const ISOLATION_PROBE_DATASET = EXPORT_DATASETS.register({
  name: 'isolation_probe',
  ja: '分離試験用',
  en: 'Isolation probe',
  resource: 'isolation_probes',
  columns: [{ name: 'id', ja: 'ID' }],
  filterSchema: Type.Object(
    { kind: Type.Optional(Type.Enum(['a', 'b', 'c'])), from: Type.Optional(Type.String({ format: 'date' })) },
    { additionalProperties: false },
  ),
  async *rows() {},
});

interface ExportRequest {
  dataset: string;
  filter: { kind?: 'a' | 'b' | 'c'; from?: string };
  purpose: string;
  reason: string;
}

const kanji = fc.constantFrom(...'住民統計移行監査災害選挙名簿照会作成確認'.split(''));
// What an attacker would try in a text box: SQL, LIKE wildcards, quotes.
const tricky = fc.constantFrom("'", '%', '_', '\\', "' OR '1'='1", '--', ';', '"');

export const exportIsolation: IsolationCase<ExportRequest> = {
  name: 'bulk exports',
  writer: 'municipal_admin',
  // Clerks have no export route at all (refused by role before any lookup: test/api/bulk-export.int.test.ts).
  readers: ['auditor'],
  record: fc.record({
    dataset: fc.constant('isolation_probe'),
    filter: fc.record(
      { kind: fc.constantFrom('a' as const, 'b' as const, 'c' as const), from: fc.constantFrom('2026-01-01', '2026-04-01') },
      { requiredKeys: [] },
    ),
    purpose: fc.constantFrom(...EXPORT_PURPOSE_CODES),
    reason: fc.tuple(fc.array(kanji, { minLength: 2, maxLength: 10 }), fc.option(tricky, { nil: undefined })).map(([k, t]) => k.join('') + (t ?? '')),
  }),
  async create(session, record) {
    const res = await session.call('POST', '/v1/exports', record);
    if (res.status !== 201) throw new Error(`request export: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  },
  byId: (id) => [
    { method: 'GET', url: `/v1/exports/${id}` },
    { method: 'POST', url: `/v1/exports/${id}/approve`, body: { version: 1 } },
    { method: 'POST', url: `/v1/exports/${id}/reject`, body: { version: 1 } },
    { method: 'GET', url: `/v1/exports/${id}/file` },
    { method: 'GET', url: `/v1/exports/${id}/record-ids` },
  ],
  searches: (record) => [
    { method: 'GET', url: `/v1/exports?dataset=${record.dataset}` },
    { method: 'GET', url: `/v1/exports?state=requested&dataset=${record.dataset}&limit=1` },
  ],
  collection: '/v1/exports',
};
