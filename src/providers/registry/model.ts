/** The registry's records as the rest of the platform sees them. */
import type { DataClass } from './data-class.js';
import type { RegistrationFacts, RegistrationStatus } from './registration.js';

export const SERVICE_MODELS = ['IaaS', 'PaaS', 'SaaS'] as const;
export type ServiceModel = (typeof SERVICE_MODELS)[number];

export interface Provider {
  readonly id: string;
  readonly name: string;
  /** 法人番号. */
  readonly corporateNumber: string;
  readonly headquartersCountry: string;
  readonly createdAt: string;
}

export interface Service {
  readonly id: string;
  readonly providerId: string;
  readonly name: string;
  readonly model: ServiceModel;
  readonly createdAt: string;
}

export interface RegionFacts {
  readonly id: string;
  readonly providerId: string;
  readonly code: string;
  readonly name: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  /** The country whose law governs (準拠法), ISO 3166-1 alpha-2. */
  readonly jurisdiction: string;
  /** Data centres: prefecture codes in Japan, place names elsewhere. */
  readonly locations: string[];
}

export interface Region extends RegionFacts {
  readonly createdAt: string;
}

/** A registration with what the rules say of it on a day. */
export interface Registration extends RegistrationFacts {
  readonly withdrawalReason: string | null;
  /** The last day valid without a renewal. */
  readonly validUntil: string;
  /** The last day in force as far as known (null: a renewal is pending, undecided). */
  readonly inForceUntil: string | null;
  /** The day the status is for. */
  readonly on: string;
  readonly status: RegistrationStatus;
  readonly createdAt: string;
}

export const CERTIFICATION_STATUSES = ['certified', 'not_certified', 'withdrawn'] as const;
export type CertificationStatus = (typeof CERTIFICATION_STATUSES)[number];

export interface CertificationFacts {
  readonly id: string;
  /** Order of decisions: the latest decision wins. */
  readonly seq: number;
  readonly serviceId: string;
  readonly dataClass: DataClass;
  readonly status: CertificationStatus;
  /** The day (in Japan) the decision was made; it counts from that day. */
  readonly decidedOn: string;
  /** The last day a certification holds; null for a refusal or withdrawal. */
  readonly expiresOn: string | null;
}

export interface Certification extends CertificationFacts {
  readonly decidedAt: string;
  readonly assessmentId: string | null;
  readonly basis: string | null;
  readonly decidedBy: string | null;
}

export interface JointProposal {
  readonly id: string;
  readonly name: string;
  readonly leadProviderId: string;
  readonly proposedOn: string;
  /** Every service in the proposal, with the registration that admitted it. */
  readonly services: { readonly serviceId: string; readonly providerId: string; readonly registrationId: string }[];
  /** Whose service meets which requirement. */
  readonly assignments: { readonly requirementId: string; readonly serviceId: string }[];
  readonly createdAt: string;
}

/** A cell's declared location: the service it runs on and the service's region. */
export interface CellLocation {
  readonly cellId: string;
  readonly provider: { readonly id: string; readonly name: string };
  readonly service: { readonly id: string; readonly name: string; readonly model: ServiceModel };
  readonly region: RegionFacts;
  readonly declaredAt: string;
}
