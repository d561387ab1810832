import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../security/exports/csv.js';
import type { PartnerStanding } from './certification.js';
import { compareProposals, type ComparisonInput, comparisonCsv, comparisonJson, type Proposal } from './procurement.js';
import { LEAD, LEAD_CLAIMS, MY_NUMBER_PROFILE, ON, PARTNER, PARTNER_CLAIMS, satisfied, TITLES } from './test-fixtures.js';

const LEAD_OWN = ['sec-02', 'leg-01', 'ops-01'];

/** A single service meeting everything itself, whose registration ends in 20 days. */
const solo: Proposal = {
  id: 'bid-1',
  title: 'Solo Cloud',
  lead: { serviceId: 'solo', claims: PARTNER_CLAIMS, findings: satisfied('solo', MY_NUMBER_PROFILE), registration: { validUntil: '2026-04-21' }, partners: new Map() },
};

/** A joint proposal: the lead inherits sec-01 and dat-01 from a certified partner. */
const jointOk: Proposal = {
  id: 'bid-2',
  title: 'Lead SaaS + Partner IaaS',
  lead: {
    serviceId: LEAD,
    claims: LEAD_CLAIMS,
    findings: satisfied(LEAD, LEAD_OWN),
    registration: { validUntil: '2027-03-31' },
    partners: new Map<string, PartnerStanding>([[PARTNER, { registration: { validUntil: '2027-01-31' }, certification: { until: '2026-12-31' } }]]),
  },
  partnerServiceIds: [PARTNER],
};

/** The same joint proposal with the partner's registration lapsed. */
const jointLapsed: Proposal = {
  ...jointOk,
  id: 'bid-3',
  title: 'Lead SaaS + Lapsed IaaS',
  lead: { ...jointOk.lead, partners: new Map([[PARTNER, { registration: { validUntil: '2026-03-31' }, certification: null }]]) },
};

const input: ComparisonInput = { dataClass: 'my_number', requirementIds: MY_NUMBER_PROFILE, titles: TITLES, proposals: [solo, jointOk, jointLapsed], on: ON, expiringWithinDays: 30 };

describe('compareProposals', () => {
  const c = compareProposals(input);

  it('shows per requirement how each proposal meets it: met, inherited (from whom), expiring, missing (why)', () => {
    expect(c.rows.map((r) => [r.requirementId, ...r.cells.map((cell) => cell.value)])).toEqual([
      ['sec-01', 'expiring', 'inherited', 'missing'],
      ['sec-02', 'expiring', 'met', 'met'],
      ['leg-01', 'expiring', 'met', 'met'],
      ['dat-01', 'expiring', 'inherited', 'missing'],
      ['ops-01', 'expiring', 'met', 'met'],
    ]);
    expect(c.rows[0]!.cells[0]).toEqual({ value: 'expiring', basis: 'met', expiresOn: '2026-04-21' });
    expect(c.rows[0]!.cells[1]).toEqual({ value: 'inherited', basis: 'inherited', fromServiceId: PARTNER, expiresOn: '2026-12-31' });
    expect(c.rows[0]!.cells[2]).toEqual({ value: 'missing', gap: 'partner_registration_expired', fromServiceId: PARTNER });
  });

  it('totals and certification per proposal', () => {
    expect(c.proposals.map((p) => [p.id, p.status, p.expiresOn, p.totals])).toEqual([
      ['bid-1', 'certified', '2026-04-21', { met: 0, inherited: 0, expiring: 5, missing: 0 }],
      ['bid-2', 'certified', '2026-12-31', { met: 3, inherited: 2, expiring: 0, missing: 0 }],
      ['bid-3', 'not_certified', null, { met: 3, inherited: 0, expiring: 0, missing: 2 }],
    ]);
  });

  it('an inherited basis ending within the window is expiring too; the window is inclusive', () => {
    const soon = compareProposals({ ...input, proposals: [jointOk], expiringWithinDays: 274 }); // 2026-04-01 + 274 days = 2026-12-31
    expect(soon.rows[0]!.cells[0]).toEqual({ value: 'expiring', basis: 'inherited', fromServiceId: PARTNER, expiresOn: '2026-12-31' });
    expect(compareProposals({ ...input, proposals: [jointOk], expiringWithinDays: 273 }).rows[0]!.cells[0]!.value).toBe('inherited');
    expect(compareProposals({ ...input, proposals: [solo], expiringWithinDays: 19 }).rows[0]!.cells[0]!.value).toBe('met');
  });

  it("a lapsed lead registration leaves its own requirements missing", () => {
    const lapsed = compareProposals({ ...input, proposals: [{ ...jointOk, lead: { ...jointOk.lead, registration: { validUntil: '2026-03-31' } } }] });
    expect(lapsed.rows.map((r) => r.cells[0]!.value)).toEqual(['inherited', 'missing', 'missing', 'inherited', 'missing']);
    expect(lapsed.rows[1]!.cells[0]!.gap).toBe('service_registration_expired');
    expect(lapsed.proposals[0]!.status).toBe('not_certified');
  });

  it('every partner of a joint proposal must be certified, even one nothing is inherited from', () => {
    const withIdle: Proposal = {
      ...jointOk,
      partnerServiceIds: [PARTNER, 'idle-partner'],
      lead: { ...jointOk.lead, partners: new Map([...jointOk.lead.partners, ['idle-partner', { registration: { validUntil: '2027-01-01' }, certification: null }]]) },
    };
    const r = compareProposals({ ...input, proposals: [withIdle] }).proposals[0]!;
    expect(r.status).toBe('not_certified');
    expect(r.gaps.map((g) => [g.requirementId, g.kind, g.partnerServiceId])).toEqual([[null, 'partner_not_certified', 'idle-partner']]);
    const certifiedIdle = compareProposals({
      ...input,
      proposals: [{ ...withIdle, lead: { ...withIdle.lead, partners: new Map([...jointOk.lead.partners, ['idle-partner', { registration: { validUntil: '2027-01-01' }, certification: { until: '2026-10-31' } }]]) } }],
    }).proposals[0]!;
    expect([certifiedIdle.status, certifiedIdle.expiresOn]).toEqual(['certified', '2026-10-31']);
  });

  it('refuses two proposals with one id and a negative window', () => {
    expect(() => compareProposals({ ...input, proposals: [solo, solo] })).toThrow(/two proposals/);
    expect(() => compareProposals({ ...input, expiringWithinDays: -1 })).toThrow(TypeError);
  });
});

describe('exports', () => {
  it('CSV: a row per requirement, a column per proposal, then the summary rows', () => {
    const csv = comparisonCsv(compareProposals(input));
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['requirement_id', 'title_ja', 'title_en', 'Solo Cloud', 'Lead SaaS + Partner IaaS', 'Lead SaaS + Lapsed IaaS']);
    expect(rows[1]).toEqual(['sec-01', '鍵の保護', 'Keys protected', 'expiring 2026-04-21 (met)', `inherited (${PARTNER})`, `missing (partner_registration_expired: ${PARTNER})`]);
    expect(rows[2]).toEqual(['sec-02', '記録の暗号化', 'Records encrypted', 'expiring 2026-04-21 (met)', 'met', 'met']);
    expect(rows.slice(6)).toEqual([
      ['', '', 'status', 'certified', 'certified', 'not_certified'],
      ['', '', 'expires_on', '2026-04-21', '2026-12-31', ''],
      ['', '', 'met', '0', '3', '3'],
      ['', '', 'inherited', '0', '2', '0'],
      ['', '', 'expiring', '5', '0', '0'],
      ['', '', 'missing', '0', '0', '2'],
    ]);
  });

  it('CSV: a title a spreadsheet would run as a formula is defused', () => {
    const rows = parseCsv(comparisonCsv(compareProposals({ ...input, proposals: [{ ...solo, title: '=HYPERLINK("x")' }] })));
    expect(rows[0]![3]).toBe('\'=HYPERLINK("x")');
  });

  it('JSON: the comparison itself', () => {
    const c = compareProposals(input);
    expect(JSON.parse(comparisonJson(c))).toEqual(JSON.parse(JSON.stringify(c)));
    expect(comparisonJson(c)).toBe(comparisonJson(compareProposals(input)));
  });
});
