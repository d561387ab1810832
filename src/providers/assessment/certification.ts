/**
 * The certification decision: is a cloud service certified for a data class
 * (its profile of requirements) on a day, until when, and if not, why not.
 * Pure and deterministic: the same inputs give the same decision, gaps in the
 * profile's order.
 *
 * The rule (docs/assessments.md, "Certification"): certified iff the service
 * is registered on the day and every requirement of the profile is met,
 * - by the service itself: claimed in its component definition, and the
 *   assessor's current finding is `satisfied` (or `not_applicable`, with its
 *   reason), or
 * - by inheritance (a joint proposal): claimed as inherited from a partner
 *   service that is registered and itself certified for the same data class on
 *   the day, and no current finding of the assessor says `not_satisfied`.
 * The certification expires on the earliest of the service's registration's
 * last day and the last day of each certification it inherits from.
 */
import type { Message } from '../../platform/errors.js';
import type { DataClass } from '../catalog/profiles.js';
import type { Claim } from './component-definition.js';
import { earliestDay, isDay } from '../days.js';
import { currentFindings, type Finding } from './findings.js';
import { type Registration, registrationMessage, registrationStanding } from './registration.js';

/** What the decision needs to know about a partner service, for the same data class, on the day. */
export interface PartnerStanding {
  /** The partner's registration; null when it has none. */
  readonly registration: Registration | null;
  /**
   * The partner's certification for the data class on the day (its own
   * decision): null when it is not certified; `until` null when certified
   * with no end known yet.
   */
  readonly certification: { readonly until: string | null } | null;
}

export interface CertificationInput {
  readonly serviceId: string;
  readonly dataClass: DataClass;
  /** The profile: the requirement ids the data class demands (profileRequirementIds). */
  readonly requirementIds: readonly string[];
  /** The service's claims (from its component definition). Claims outside the profile are not looked at. */
  readonly claims: readonly Claim[];
  /** The assessor's findings on the service (its whole history: the current ones are picked per day). */
  readonly findings: Iterable<Finding>;
  /** The service's own registration; null when it has none. */
  readonly registration: Registration | null;
  /** Partner services named by inherited claims; a partner missing here is unknown to the registry. */
  readonly partners: ReadonlyMap<string, PartnerStanding>;
  /** The day decided for (YYYY-MM-DD). */
  readonly on: string;
}

export const GAP_KINDS = [
  'service_not_registered',
  'service_registration_expired',
  'missing_claim',
  'no_finding',
  'not_satisfied',
  'partner_unknown',
  'partner_not_registered',
  'partner_registration_expired',
  'partner_not_certified',
  'inheritance_cycle',
] as const;
export type GapKind = (typeof GAP_KINDS)[number];

/** Why a service is not certified: one per requirement not met, or for the service as a whole (requirementId null). */
export interface Gap {
  readonly requirementId: string | null;
  readonly kind: GapKind;
  readonly partnerServiceId?: string;
  readonly message: Message;
}

/** How one requirement of the profile stands. */
export interface RequirementStanding {
  readonly requirementId: string;
  /** How it is met: by the service itself, as not applicable to it, by a partner; null when it is not met. */
  readonly met: 'own' | 'not_applicable' | 'inherited' | null;
  /** The partner service of an inherited claim (also when that partner falls short). */
  readonly fromServiceId?: string;
  /**
   * The last day the basis holds: for the service's own claim its
   * registration's last day, for an inherited one the partner's
   * certification's. Null when no end is known yet (a registration renewal
   * pending), and when the requirement is not met (`met` null).
   */
  readonly expiresOn: string | null;
  /** Why it is not met. */
  readonly gap?: GapKind;
  /** The assessor's current finding, if any. */
  readonly finding?: Finding;
}

export interface CertificationDecision {
  readonly serviceId: string;
  readonly dataClass: DataClass;
  readonly on: string;
  readonly status: 'certified' | 'not_certified';
  /**
   * The last day the certification holds: the earliest of the service's
   * registration's last day and those of the certifications it inherits
   * from. Null when not certified, and when certified with no end known yet
   * (every basis open-ended: registration renewals pending).
   */
  readonly expiresOn: string | null;
  /** Every requirement of the profile, in the profile's order. */
  readonly requirements: readonly RequirementStanding[];
  /** Empty iff certified: the service's own gaps first, then the requirements' in the profile's order. */
  readonly gaps: readonly Gap[];
}

/**
 * Decides one service's certification, given its partners' standing (which
 * the caller takes from their own decisions; certifyServices does that for a
 * whole registry).
 */
export function decideCertification(input: CertificationInput): CertificationDecision {
  return decide(input, new Set());
}

function decide(input: CertificationInput, cyclicPartners: ReadonlySet<string>): CertificationDecision {
  if (!isDay(input.on)) throw new TypeError('on must be a day (YYYY-MM-DD)');
  const { serviceId, on } = input;
  const gaps: Gap[] = [];
  const serviceGap = (kind: GapKind, message: Message) => gaps.push({ requirementId: null, kind, message });

  const ownStanding = registrationStanding(input.registration, on);
  if (ownStanding !== 'valid') {
    serviceGap(ownStanding === 'none' ? 'service_not_registered' : 'service_registration_expired', registrationMessage(serviceId, ownStanding, input.registration));
  }
  const ownBasisUntil = input.registration?.validUntil ?? null;

  const claims = new Map<string, Claim>();
  for (const c of input.claims) if (!claims.has(c.requirementId)) claims.set(c.requirementId, c);
  const findings = currentFindings(input.findings, serviceId, on);

  const requirements: RequirementStanding[] = [];
  const inheritedUntil: (string | null)[] = [];
  for (const requirementId of new Set(input.requirementIds)) {
    const claim = claims.get(requirementId);
    const finding = findings.get(requirementId);
    const withFinding = finding ? { finding } : {};
    const short = (kind: GapKind, message: Message, partnerServiceId?: string): void => {
      const partner = partnerServiceId === undefined ? {} : { partnerServiceId };
      gaps.push({ requirementId, kind, ...partner, message });
      requirements.push({ requirementId, met: null, ...(partnerServiceId === undefined ? {} : { fromServiceId: partnerServiceId }), expiresOn: null, gap: kind, ...withFinding });
    };

    if (claim === undefined) {
      short('missing_claim', { ja: `要件 ${requirementId} について、満たし方の記述がありません。`, en: `Requirement ${requirementId} is not claimed.` });
      continue;
    }
    if (finding?.state === 'not_satisfied') {
      // Also for an inherited claim: the assessor may find that the partner's
      // service does not in fact cover what this service does.
      short('not_satisfied', { ja: `要件 ${requirementId} は評価者により不適合と判定されています（${finding.assessedOn}）。`, en: `The assessor found requirement ${requirementId} not satisfied (${finding.assessedOn}).` });
      continue;
    }
    if (claim.inherited) {
      const partnerId = claim.inherited.fromServiceId;
      const partnerGap = partnerShortfall(partnerId, input.partners.get(partnerId), cyclicPartners.has(partnerId), input.dataClass, on);
      if (partnerGap !== null) {
        short(partnerGap.kind, partnerGap.message, partnerId);
        continue;
      }
      const until = input.partners.get(partnerId)!.certification!.until;
      inheritedUntil.push(until);
      requirements.push({ requirementId, met: 'inherited', fromServiceId: partnerId, expiresOn: until, ...withFinding });
      continue;
    }
    if (finding === undefined) {
      short('no_finding', { ja: `要件 ${requirementId} について評価者の判定がありません。`, en: `Requirement ${requirementId} has no finding of an assessor.` });
      continue;
    }
    requirements.push({ requirementId, met: finding.state === 'satisfied' ? 'own' : 'not_applicable', expiresOn: ownBasisUntil, finding });
  }

  const certified = gaps.length === 0;
  return {
    serviceId,
    dataClass: input.dataClass,
    on,
    status: certified ? 'certified' : 'not_certified',
    expiresOn: certified ? earliestDay([ownBasisUntil, ...inheritedUntil]) : null,
    requirements,
    gaps,
  };
}

/**
 * Why a partner service cannot carry a requirement for the data class on the
 * day (unknown, unregistered, lapsed, not certified, or on a cycle), or null
 * when it can.
 */
export function partnerShortfall(
  partnerId: string,
  partner: PartnerStanding | undefined,
  cyclic: boolean,
  dataClass: DataClass,
  on: string,
): { kind: GapKind; message: Message } | null {
  if (cyclic) {
    // Certified only if the partner is, which is certified only if this one is:
    // nothing grounds either, so neither is (the least fixed point).
    return {
      kind: 'inheritance_cycle',
      message: { ja: `継承元のサービス ${partnerId} との間で継承が循環しています。`, en: `Inheritance between this service and ${partnerId} is circular.` },
    };
  }
  if (partner === undefined) {
    return { kind: 'partner_unknown', message: { ja: `継承元のサービス ${partnerId} はプロバイダ登録簿にありません。`, en: `The partner service ${partnerId} is not in the provider registry.` } };
  }
  const standing = registrationStanding(partner.registration, on);
  if (standing === 'none') {
    return { kind: 'partner_not_registered', message: { ja: `継承元のサービス ${partnerId} は登録（ISMAP）を受けていません。`, en: `The partner service ${partnerId} has no registration (ISMAP).` } };
  }
  if (standing === 'expired') {
    return {
      kind: 'partner_registration_expired',
      message: { ja: `継承元のサービス ${partnerId} の登録は ${partner.registration!.validUntil!} で期限切れです。`, en: `The registration of the partner service ${partnerId} expired after ${partner.registration!.validUntil!}.` },
    };
  }
  const certification = partner.certification;
  if (certification === null || (certification.until !== null && certification.until < on)) {
    return {
      kind: 'partner_not_certified',
      message: { ja: `継承元のサービス ${partnerId} は ${dataClass} の認定を受けていません。`, en: `The partner service ${partnerId} is not certified for ${dataClass}.` },
    };
  }
  return null;
}

/** What the registry holds about one service, for certifyServices. */
export interface ServiceDossier {
  readonly serviceId: string;
  readonly registration: Registration | null;
  readonly claims: readonly Claim[];
  readonly findings: Iterable<Finding>;
}

/**
 * Decides every service of a registry for one data class on a day, each
 * partner's standing taken from its own decision. Certification is derived,
 * never stored, so a partner's lapse shows in every service that inherits
 * from it on the next decision. A partner missing from the dossiers is
 * unknown. Inheritance that comes back to the service it started from is a
 * gap (`inheritance_cycle`), whatever order the dossiers come in.
 */
export function certifyServices(
  dossiers: readonly ServiceDossier[],
  profile: { readonly dataClass: DataClass; readonly requirementIds: readonly string[] },
  on: string,
): Map<string, CertificationDecision> {
  const byId = new Map<string, ServiceDossier>();
  for (const d of dossiers) {
    if (byId.has(d.serviceId)) throw new TypeError(`service ${d.serviceId} has two dossiers`);
    byId.set(d.serviceId, d);
  }
  const inProfile = new Set(profile.requirementIds);
  const partnersOf = (d: ServiceDossier): string[] => [
    ...new Set(d.claims.filter((c) => c.inherited && inProfile.has(c.requirementId)).map((c) => c.inherited!.fromServiceId)),
  ];

  /** Whether `to` can be reached from `from` along inherited claims. */
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === to) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      const d = byId.get(id);
      if (d) stack.push(...partnersOf(d));
    }
    return false;
  };

  const decisions = new Map<string, CertificationDecision>();
  // Recursion follows only edges that are not on a cycle, which form a DAG, so it ends.
  const decideFor = (d: ServiceDossier): CertificationDecision => {
    const done = decisions.get(d.serviceId);
    if (done) return done;
    const cyclic = new Set<string>();
    const partners = new Map<string, PartnerStanding>();
    for (const partnerId of partnersOf(d)) {
      const partner = byId.get(partnerId);
      if (partner === undefined) continue;
      if (reaches(partnerId, d.serviceId)) {
        cyclic.add(partnerId);
        continue;
      }
      const decision = decideFor(partner);
      partners.set(partnerId, { registration: partner.registration, certification: decision.status === 'certified' ? { until: decision.expiresOn } : null });
    }
    const decision = decide({ ...d, dataClass: profile.dataClass, requirementIds: profile.requirementIds, partners, on }, cyclic);
    decisions.set(d.serviceId, decision);
    return decision;
  };
  for (const d of dossiers) decideFor(d);
  return decisions;
}
