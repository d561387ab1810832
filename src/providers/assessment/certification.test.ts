import { describe, expect, it } from 'vitest';
import { type CertificationInput, certifyServices, decideCertification, type PartnerStanding, type ServiceDossier } from './certification.js';
import type { Finding } from './findings.js';
import { GENERAL_PROFILE, LEAD, LEAD_CLAIMS, MY_NUMBER_PROFILE, ON, PARTNER, PARTNER_CLAIMS, satisfied } from './test-fixtures.js';

/** The lead's own (not inherited) requirements of the My Number profile. */
const LEAD_OWN = ['sec-02', 'leg-01', 'ops-01'];

const certifiedPartner: PartnerStanding = { registration: { validUntil: '2027-07-31' }, certification: { until: '2026-12-31' } };

function joint(over: Partial<CertificationInput> = {}): CertificationInput {
  return {
    serviceId: LEAD,
    dataClass: 'my_number',
    requirementIds: MY_NUMBER_PROFILE,
    claims: LEAD_CLAIMS,
    findings: satisfied(LEAD, LEAD_OWN),
    registration: { validUntil: '2027-03-31' },
    partners: new Map([[PARTNER, certifiedPartner]]),
    on: ON,
    ...over,
  };
}

describe('decideCertification', () => {
  it('certifies a joint proposal that inherits from a certified partner, until the earliest basis ends', () => {
    const d = decideCertification(joint());
    expect(d.status).toBe('certified');
    expect(d.gaps).toEqual([]);
    // The partner's certification (2026-12-31) ends before the lead's registration (2027-03-31).
    expect(d.expiresOn).toBe('2026-12-31');
    expect(d.requirements.map((r) => [r.requirementId, r.met, r.fromServiceId ?? null, r.expiresOn])).toEqual([
      ['sec-01', 'inherited', PARTNER, '2026-12-31'],
      ['sec-02', 'own', null, '2027-03-31'],
      ['leg-01', 'own', null, '2027-03-31'],
      ['dat-01', 'inherited', PARTNER, '2026-12-31'],
      ['ops-01', 'own', null, '2027-03-31'],
    ]);
  });

  it('the own registration bounds the expiry when it ends first', () => {
    expect(decideCertification(joint({ registration: { validUntil: '2026-06-30' } })).expiresOn).toBe('2026-06-30');
  });

  it('has no known end while every basis is open-ended (renewals pending)', () => {
    const d = decideCertification(joint({ registration: { validUntil: null }, partners: new Map([[PARTNER, { registration: { validUntil: null }, certification: { until: null } }]]) }));
    expect(d.status).toBe('certified');
    expect(d.expiresOn).toBeNull();
  });

  it('a partner whose registration lapsed is a gap on every requirement inherited from it', () => {
    const d = decideCertification(joint({ partners: new Map([[PARTNER, { registration: { validUntil: '2026-03-31' }, certification: { until: '2026-03-31' } }]]) }));
    expect(d.status).toBe('not_certified');
    expect(d.expiresOn).toBeNull();
    expect(d.gaps.map((g) => [g.requirementId, g.kind, g.partnerServiceId])).toEqual([
      ['sec-01', 'partner_registration_expired', PARTNER],
      ['dat-01', 'partner_registration_expired', PARTNER],
    ]);
    expect(d.gaps[0]!.message.en).toBe(`The registration of the partner service ${PARTNER} expired after 2026-03-31.`);
  });

  it('names each way a partner falls short', () => {
    const kinds = (partners: Map<string, PartnerStanding>) => decideCertification(joint({ partners })).gaps.map((g) => g.kind);
    expect(kinds(new Map())).toEqual(['partner_unknown', 'partner_unknown']);
    expect(kinds(new Map([[PARTNER, { registration: null, certification: null }]]))).toEqual(['partner_not_registered', 'partner_not_registered']);
    expect(kinds(new Map([[PARTNER, { registration: { validUntil: '2027-01-01' }, certification: null }]]))).toEqual(['partner_not_certified', 'partner_not_certified']);
    expect(kinds(new Map([[PARTNER, { registration: { validUntil: '2027-01-01' }, certification: { until: '2026-03-31' } }]]))).toEqual(['partner_not_certified', 'partner_not_certified']);
  });

  it('names a missing claim, a claim without a finding and a finding of not satisfied', () => {
    const findings: Finding[] = [
      ...satisfied(LEAD, ['sec-02']),
      { serviceId: LEAD, requirementId: 'ops-01', state: 'not_satisfied', reason: 'No incident drill.', assessedOn: '2026-03-02', assessor: 'assessor-1' },
    ];
    const d = decideCertification(joint({ claims: LEAD_CLAIMS.filter((c) => c.requirementId !== 'sec-02'), findings }));
    expect(d.gaps.map((g) => [g.requirementId, g.kind])).toEqual([
      ['sec-02', 'missing_claim'],
      ['leg-01', 'no_finding'],
      ['ops-01', 'not_satisfied'],
    ]);
    expect(d.requirements.find((r) => r.requirementId === 'ops-01')!.finding!.reason).toBe('No incident drill.');
  });

  it('an assessor finding not satisfied on an inherited claim is a gap too', () => {
    const findings = [...satisfied(LEAD, LEAD_OWN), { serviceId: LEAD, requirementId: 'dat-01', state: 'not_satisfied' as const, reason: 'Backups abroad.', assessedOn: '2026-03-05', assessor: 'a' }];
    expect(decideCertification(joint({ findings })).gaps.map((g) => [g.requirementId, g.kind])).toEqual([['dat-01', 'not_satisfied']]);
  });

  it('counts a requirement found not applicable, with its reason, as met', () => {
    const findings: Finding[] = [...satisfied(LEAD, ['sec-02', 'leg-01']), { serviceId: LEAD, requirementId: 'ops-01', state: 'not_applicable', reason: 'Operated by the partner.', assessedOn: '2026-03-01', assessor: 'a' }];
    const d = decideCertification(joint({ findings }));
    expect(d.status).toBe('certified');
    expect(d.requirements.find((r) => r.requirementId === 'ops-01')!.met).toBe('not_applicable');
  });

  it('needs the service itself registered on the day', () => {
    const none = decideCertification(joint({ registration: null }));
    expect(none.gaps.map((g) => [g.requirementId, g.kind])).toEqual([[null, 'service_not_registered']]);
    const lapsed = decideCertification(joint({ registration: { validUntil: '2026-03-31' } }));
    expect(lapsed.gaps.map((g) => g.kind)).toEqual(['service_registration_expired']);
    expect(decideCertification(joint({ registration: { validUntil: ON } })).status).toBe('certified');
  });

  it('ignores findings dated after the day, and claims outside the profile', () => {
    const later = satisfied(LEAD, LEAD_OWN, '2026-05-01');
    expect(decideCertification(joint({ findings: later })).gaps.map((g) => g.kind)).toEqual(['no_finding', 'no_finding', 'no_finding']);
    expect(decideCertification(joint({ findings: later, on: '2026-05-01' })).status).toBe('certified');
    const general = decideCertification(joint({ dataClass: 'general', requirementIds: GENERAL_PROFILE }));
    expect(general.requirements.map((r) => r.requirementId)).toEqual(GENERAL_PROFILE);
    expect(general.expiresOn).toBe('2027-03-31');
  });

  it('is deterministic: the same inputs give the same decision', () => {
    expect(decideCertification(joint())).toEqual(decideCertification(joint()));
  });
});

describe('certifyServices', () => {
  const partnerDossier: ServiceDossier = { serviceId: PARTNER, registration: { validUntil: '2026-12-31' }, claims: PARTNER_CLAIMS, findings: satisfied(PARTNER, MY_NUMBER_PROFILE) };
  const leadDossier: ServiceDossier = { serviceId: LEAD, registration: { validUntil: '2027-03-31' }, claims: LEAD_CLAIMS, findings: satisfied(LEAD, LEAD_OWN) };

  it("takes each partner's standing from its own decision", () => {
    const decisions = certifyServices([leadDossier, partnerDossier], { dataClass: 'my_number', requirementIds: MY_NUMBER_PROFILE }, ON);
    expect(decisions.get(PARTNER)!.expiresOn).toBe('2026-12-31');
    expect(decisions.get(LEAD)!.status).toBe('certified');
    expect(decisions.get(LEAD)!.expiresOn).toBe('2026-12-31');
  });

  it("a partner's lapse shows in the service that inherits from it", () => {
    const decisions = certifyServices([leadDossier, partnerDossier], { dataClass: 'my_number', requirementIds: MY_NUMBER_PROFILE }, '2027-01-15');
    expect(decisions.get(PARTNER)!.gaps.map((g) => g.kind)).toEqual(['service_registration_expired']);
    expect(decisions.get(LEAD)!.gaps.map((g) => [g.requirementId, g.kind])).toEqual([
      ['sec-01', 'partner_registration_expired'],
      ['dat-01', 'partner_registration_expired'],
    ]);
  });

  it('a partner certified for one data class but not another carries only that class', () => {
    // The partner's assessor found the key requirement not satisfied: it fails
    // the My Number profile, but sec-01 is not in the general profile.
    const partner: ServiceDossier = {
      ...partnerDossier,
      findings: [...satisfied(PARTNER, MY_NUMBER_PROFILE), { serviceId: PARTNER, requirementId: 'sec-01', state: 'not_satisfied', reason: 'Software keys.', assessedOn: '2026-03-02', assessor: 'a' }],
    };
    const lead: ServiceDossier = { ...leadDossier, claims: LEAD_CLAIMS.map((c) => (c.requirementId === 'sec-02' ? { ...c, inherited: { fromServiceId: PARTNER } } : c)) };
    const myNumber = certifyServices([lead, partner], { dataClass: 'my_number', requirementIds: MY_NUMBER_PROFILE }, ON);
    expect(myNumber.get(LEAD)!.gaps.map((g) => g.kind)).toEqual(['partner_not_certified', 'partner_not_certified', 'partner_not_certified']);
    const general = certifyServices([lead, partner], { dataClass: 'general', requirementIds: GENERAL_PROFILE }, ON);
    expect(general.get(LEAD)!.status).toBe('certified');
    expect(general.get(LEAD)!.requirements[0]).toMatchObject({ requirementId: 'sec-02', met: 'inherited', fromServiceId: PARTNER });
  });

  it('follows a chain of partners, and treats a partner missing from the registry as unknown', () => {
    const infra: ServiceDossier = { serviceId: 'dc-infra', registration: { validUntil: '2026-09-30' }, claims: PARTNER_CLAIMS, findings: satisfied('dc-infra', MY_NUMBER_PROFILE) };
    const partner: ServiceDossier = { ...partnerDossier, claims: PARTNER_CLAIMS.map((c) => (c.requirementId === 'dat-01' ? { ...c, inherited: { fromServiceId: 'dc-infra' } } : c)) };
    const decisions = certifyServices([leadDossier, partner, infra], { dataClass: 'my_number', requirementIds: MY_NUMBER_PROFILE }, ON);
    expect(decisions.get(PARTNER)!.expiresOn).toBe('2026-09-30');
    expect(decisions.get(LEAD)!.expiresOn).toBe('2026-09-30');
    const withoutInfra = certifyServices([leadDossier, partner], { dataClass: 'my_number', requirementIds: MY_NUMBER_PROFILE }, ON);
    expect(withoutInfra.get(PARTNER)!.gaps.map((g) => g.kind)).toEqual(['partner_unknown']);
    expect(withoutInfra.get(LEAD)!.status).toBe('not_certified');
  });

  it('inheritance that comes back to its start certifies neither service, in any order', () => {
    const a: ServiceDossier = { ...leadDossier, serviceId: 'a', claims: PARTNER_CLAIMS.map((c) => (c.requirementId === 'sec-01' ? { ...c, inherited: { fromServiceId: 'b' } } : c)), findings: satisfied('a', MY_NUMBER_PROFILE) };
    const b: ServiceDossier = { ...leadDossier, serviceId: 'b', claims: PARTNER_CLAIMS.map((c) => (c.requirementId === 'dat-01' ? { ...c, inherited: { fromServiceId: 'a' } } : c)), findings: satisfied('b', MY_NUMBER_PROFILE) };
    for (const order of [[a, b], [b, a]]) {
      const decisions = certifyServices(order, { dataClass: 'my_number', requirementIds: MY_NUMBER_PROFILE }, ON);
      expect(decisions.get('a')!.gaps.map((g) => [g.requirementId, g.kind, g.partnerServiceId])).toEqual([['sec-01', 'inheritance_cycle', 'b']]);
      expect(decisions.get('b')!.gaps.map((g) => [g.requirementId, g.kind, g.partnerServiceId])).toEqual([['dat-01', 'inheritance_cycle', 'a']]);
    }
  });

  it('refuses two dossiers of one service', () => {
    expect(() => certifyServices([leadDossier, leadDossier], { dataClass: 'my_number', requirementIds: MY_NUMBER_PROFILE }, ON)).toThrow(/two dossiers/);
  });
});
