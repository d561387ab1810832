import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { ENTRY_KIND_NAMES, ENTRY_KINDS } from './catalogue.js';
import { AuditEntryError, normalizeEntry, validateEntry, type AuditEntryInput } from './entry.js';
import { sampleEntry, sampleId } from './sample.js';

const ruleOf = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    if (err instanceof AuditEntryError) return `${err.field}:${err.rule}`;
    throw err;
  }
};

const base = (): AuditEntryInput => sampleEntry(1, { kind: 'personal_data_read', municipality: '131016' });

describe('audit entries', () => {
  it('normalizes any sample of any kind into a valid entry that survives canonical JSON', () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...ENTRY_KIND_NAMES), (n, kind) => {
        const entry = normalizeEntry(sampleEntry(n, { kind }));
        expect(validateEntry(JSON.parse(canonicalJson(entry)))).toEqual(entry);
      }),
    );
  });

  it('fills defaults, sorts roles and lower-cases ids', () => {
    const e = normalizeEntry(
      {
        kind: 'login',
        actor: { account: sampleId(5).toUpperCase(), roles: ['municipal_admin', 'clerk', 'clerk'], organization: '131016' },
        municipality: '131016',
        source: { zone: 'lgwan', address: '2001:DB8::1' },
        outcome: { result: 'success', reason: null },
      },
      () => new Date('2026-11-21T00:00:00Z'),
    );
    expect(e).toEqual({
      v: 1,
      kind: 'login',
      at: '2026-11-21T00:00:00.000Z',
      actor: { account: sampleId(5), roles: ['clerk', 'municipal_admin'], organization: '131016' },
      municipality: '131016',
      purpose: null,
      records: [],
      source: { zone: 'lgwan', address: '2001:db8::1' },
      outcome: { result: 'success', reason: null },
      request: null,
    });
  });

  it('refuses anything that is not an id or a code: names, free text, personal numbers, unknown fields', () => {
    const cases: [string, (e: any) => void][] = [
      ['records[0].ids[0]:record_id', (e) => (e.records = [{ resource: 'residents', ids: ['山田太郎'] }])],
      ['records[0].ids[0]:not_personal_number', (e) => (e.records = [{ resource: 'residents', ids: ['123456789012'] }])],
      ['records[0].ids[0]:not_personal_number', (e) => (e.records = [{ resource: 'residents', ids: ['12345678901'] }])],
      ['records[0].resource:resource_name', (e) => (e.records = [{ resource: 'Residents; DROP', ids: [] }])],
      ['purpose:purpose_code', (e) => (e.purpose = '転入届の確認のため')],
      ['outcome.reason:reason_code', (e) => (e.outcome = { result: 'refused', reason: 'name was 山田' })],
      ['outcome.reason:required_unless_success', (e) => (e.outcome = { result: 'failed', reason: null })],
      ['outcome.result:outcome', (e) => (e.outcome = { result: 'maybe', reason: null })],
      ['name:unknown_field', (e) => (e.name = '山田太郎')],
      ['actor.displayName:unknown_field', (e) => (e.actor = { ...e.actor, displayName: '山田' })],
      ['records[0].name:unknown_field', (e) => (e.records = [{ resource: 'residents', ids: [], name: '山田太郎' }])],
      ['records[0]:object', (e) => (e.records = ['residents'])],
      ['actor.account:uuid', (e) => (e.actor = { ...e.actor, account: 'yamada' })],
      ['actor.roles[0]:role', (e) => (e.actor = { ...e.actor, roles: ['root'] })],
      ['actor.organization:organization_code', (e) => (e.actor = { ...e.actor, organization: '131017' })],
      ['municipality:required_for_kind', (e) => (e.municipality = null)],
      ['municipality:organization_code', (e) => (e.municipality = '13101')],
      ['records:required_for_kind', (e) => (e.records = [])],
      ['records:max_ids', (e) => (e.records = [{ resource: 'a', ids: Array.from({ length: 600 }, (_, i) => `r${i}`) }, { resource: 'b', ids: Array.from({ length: 600 }, (_, i) => `r${i}`) }])],
      ['records[0].ids:max_items', (e) => (e.records = [{ resource: 'a', ids: Array.from({ length: 1001 }, (_, i) => `r${i}`) }])],
      ['source.zone:network_zone', (e) => (e.source = { zone: 'dmz', address: null })],
      ['source.address:ip_address', (e) => (e.source = { zone: 'lgwan', address: 'pc-yamada.local' })],
      ['at:timestamp', (e) => (e.at = '2026-11-21 09:00')],
      ['at:timestamp', (e) => (e.at = '2026-02-30T00:00:00.000Z')],
      ['at:timestamp', (e) => (e.at = '2026-02-29T00:00:00.000Z')],
      ['at:timestamp', (e) => (e.at = '2026-11-21T24:00:00.000Z')],
      ['at:timestamp', (e) => (e.at = '2026-13-01T00:00:00.000Z')],
      ['request:uuid', (e) => (e.request = 'abc')],
      ['kind:entry_kind', (e) => (e.kind = 'personal_data_peek')],
    ];
    for (const [expected, mutate] of cases) {
      const input: any = { ...base() };
      mutate(input);
      expect(ruleOf(() => normalizeEntry(input)), expected).toBe(expected);
    }
  });

  it('accepts exactly the timestamps Date.toISOString writes', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        expect(validateEntry({ ...normalizeEntry(base()), at: d.toISOString() }).at).toBe(d.toISOString());
      }),
    );
    expect(normalizeEntry({ ...base(), at: '2028-02-29T23:59:59.999Z' }).at).toBe('2028-02-29T23:59:59.999Z');
  });

  it('takes UUIDs in any case and stores them in lower case; anything else is not a UUID', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const e = normalizeEntry({ ...base(), actor: { ...base().actor, account: id.toUpperCase() }, request: id });
        expect(e.actor.account).toBe(id.toLowerCase());
        expect(validateEntry({ ...e, request: id.toLowerCase() }).request).toBe(id.toLowerCase());
      }),
    );
    for (const bad of ['', 'x'.repeat(36), '3b230fe9-ee0e-448e-8000-0001d52dab6', '3b230fe9ee0e-448e-8000-0001d52dab67-', '3B230FE9-EE0E-448E-8000-0001D52DAB67']) {
      expect(ruleOf(() => validateEntry({ ...normalizeEntry(base()), request: bad })), bad).toBe('request:uuid');
    }
  });

  it('validates parsed entries strictly: version, key set, sorted roles', () => {
    const entry = normalizeEntry(base());
    expect(ruleOf(() => validateEntry({ ...entry, v: 2 }))).toBe('v:version');
    const { request: _omitted, ...missing } = entry;
    expect(ruleOf(() => validateEntry(missing))).toBe('request:required');
    expect(ruleOf(() => validateEntry({ ...entry, actor: { ...entry.actor, roles: ['municipal_admin', 'clerk'] } }))).toBe('actor.roles:sorted_unique');
    expect(ruleOf(() => validateEntry([entry]))).toBe(':object');
  });

  it('every kind is documented in docs/audit.md', () => {
    const doc = readFileSync(new URL('../../../docs/audit.md', import.meta.url), 'utf8');
    for (const kind of ENTRY_KIND_NAMES) expect(doc, kind).toContain(`\`${kind}\``);
    expect(Object.keys(ENTRY_KINDS).length).toBeGreaterThanOrEqual(20);
  });
});
