/**
 * Synthetic, deterministic audit entries for tests and the benchmark: real
 * municipality codes, made-up account and record ids. Pure.
 */
import type { Role } from '../../identity/roles.js';
import { ENTRY_KIND_NAMES, ENTRY_KINDS, type EntryKind } from './catalogue.js';
import type { AuditEntryInput } from './entry.js';

const MUNICIPALITIES = ['131016', '011002', '141003', '271004', '401005'];
const ZONES = ['my_number', 'lgwan', 'internet'] as const;
const ROLES_BY_CATEGORY: Record<string, Role[]> = { personal_data: ['clerk'], security: ['municipal_admin'], administration: ['platform_operator'] };

/** A UUID-shaped id derived from a number, so runs are reproducible. */
export function sampleId(n: number, salt = 0): string {
  const hex = (x: number, width: number) => (x >>> 0).toString(16).padStart(width, '0').slice(-width);
  const a = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ salt;
  const b = Math.imul(n + 0x7f4a7c15, 0xc2b2ae35);
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b, 3)}-8${hex(n >>> 8, 3)}-${hex(n, 4)}${hex(a ^ b, 8)}`;
}

export function sampleEntry(n: number, options: { kind?: EntryKind; municipality?: string | null; at?: Date } = {}): AuditEntryInput {
  const kind = options.kind ?? (n % 5 === 4 ? ENTRY_KIND_NAMES[n % ENTRY_KIND_NAMES.length]! : 'personal_data_read');
  const spec = ENTRY_KINDS[kind];
  const municipality = options.municipality !== undefined ? options.municipality : MUNICIPALITIES[n % MUNICIPALITIES.length]!;
  const refused = n % 17 === 0;
  return {
    kind,
    at: options.at ?? new Date(Date.UTC(2026, 10, 21, 9, 0, 0) + n),
    actor: { account: sampleId(n, 1), roles: ROLES_BY_CATEGORY[spec.category]!, organization: municipality ?? '000001' },
    municipality: municipality ?? (spec.municipality === 'required' ? MUNICIPALITIES[0]! : null),
    purpose: spec.category === 'personal_data' ? 'juki.certificate' : null,
    // Every sample names a record, whatever kind the catalogue gives it: the tamper tests alter record ids.
    records: [{ resource: spec.category === 'personal_data' ? 'residents' : 'accounts', ids: [sampleId(n, 2)] }],
    source: { zone: ZONES[n % ZONES.length]!, address: `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}` },
    outcome: refused ? { result: 'refused', reason: 'purpose_not_allowed' } : { result: 'success', reason: null },
    request: sampleId(n, 3),
  };
}
