/**
 * The placement policy: a municipality's cell must run on a service and region
 * that are, on the day, in Japan (country, governing law and every data
 * centre), registered (ISMAP), and certified for the municipality's class of
 * data. Pure: the facts come in, a decision goes out.
 */
import type { Message } from '../../platform/errors.js';
import type { OrganizationKind } from '../../organizations/organization.js';
import type { DataClass } from '../registry/data-class.js';
import { earliestDay } from '../days.js';
import type { CellLocation, CertificationFacts, RegionFacts } from '../registry/model.js';
import { isPrefectureCode, JAPAN } from '../registry/places.js';
import { serviceRegistrationOn, type RegistrationFacts } from '../registry/registration.js';

export const PLACEMENT_REASONS = [
  'cell_undeclared',
  'region_outside_japan',
  'registration_missing',
  'registration_expired',
  'registration_withdrawn',
  'not_certified_for_class',
  'certification_expired',
  'certification_withdrawn',
] as const;
export type PlacementReason = (typeof PLACEMENT_REASONS)[number];

export const REASON_MESSAGES: Readonly<Record<PlacementReason, Message>> = {
  cell_undeclared: {
    ja: 'セルの所在（プロバイダ・サービス・リージョン）が宣言されていません。',
    en: "the cell's location (provider, service and region) has not been declared",
  },
  region_outside_japan: {
    ja: 'セルのリージョンが国内にありません（国・準拠法・データセンターの所在地がすべて日本である必要があります）。',
    en: "the cell's region is not in Japan (its country, governing law and every data centre must be Japanese)",
  },
  registration_missing: { ja: 'セルのサービスに ISMAP 登録がありません。', en: "the cell's service has no ISMAP registration" },
  registration_expired: { ja: 'セルのサービスの ISMAP 登録の有効期間が過ぎています。', en: "the ISMAP registration of the cell's service has expired" },
  registration_withdrawn: { ja: 'セルのサービスの ISMAP 登録が取り消されています。', en: "the ISMAP registration of the cell's service has been withdrawn" },
  not_certified_for_class: {
    ja: 'セルのサービスは、この団体のデータ区分について認定されていません。',
    en: "the cell's service is not certified for this municipality's class of data",
  },
  certification_expired: { ja: 'セルのサービスの認定の有効期限が過ぎています。', en: "the certification of the cell's service has expired" },
  certification_withdrawn: { ja: 'セルのサービスの認定が取り消されています。', en: "the certification of the cell's service has been withdrawn" },
};

/** What the policy needs to know about a cell: its declared location and its service's registrations and certifications. */
export interface CellFacts {
  readonly cellId: string;
  readonly location: CellLocation | null;
  readonly registrations: readonly RegistrationFacts[];
  readonly certifications: readonly CertificationFacts[];
}

export type PlacementDecision =
  | {
      readonly allowed: true;
      readonly registration: RegistrationFacts;
      readonly certification: CertificationFacts;
      /** The last day the cell stays covered as far as the facts say; null when nothing ends it yet. */
      readonly coveredUntil: string | null;
    }
  | { readonly allowed: false; readonly reasons: PlacementReason[] };

/**
 * A municipality's class of data. Every municipality keeps the resident
 * register (住民基本台帳), which holds My Number, so every municipality is
 * 'my_number' today; the function is where a finer rule would go.
 */
export function municipalityDataClass(_organization: { readonly kind: OrganizationKind }): DataClass {
  return 'my_number';
}

/** In Japan: the region's country and governing law are Japan's, and every data centre is in a Japanese prefecture. */
export function regionInJapan(region: RegionFacts): boolean {
  return region.country === JAPAN && region.jurisdiction === JAPAN && region.locations.length > 0 && region.locations.every(isPrefectureCode);
}

/** The decision in force on a day for a class: the latest decided on or before it. A class is certified only by its own decision. */
export function certificationOn(certifications: readonly CertificationFacts[], dataClass: DataClass, on: string): CertificationFacts | null {
  let current: CertificationFacts | null = null;
  for (const c of certifications) {
    if (c.dataClass !== dataClass || c.decidedOn > on) continue;
    if (current === null || c.seq > current.seq) current = c;
  }
  return current;
}

/** Whether a municipality of the data class may be placed on the cell on the day, and if not, every reason why. */
export function placementDecision(input: { cell: CellFacts; dataClass: DataClass; on: string }): PlacementDecision {
  const { cell, dataClass, on } = input;
  if (cell.location === null) return { allowed: false, reasons: ['cell_undeclared'] };
  const reasons: PlacementReason[] = [];
  if (!regionInJapan(cell.location.region)) reasons.push('region_outside_japan');

  const registration = serviceRegistrationOn(cell.registrations.filter((r) => r.serviceId === cell.location!.service.id), on);
  if (registration.standing === 'missing') reasons.push('registration_missing');
  else if (registration.standing === 'expired') reasons.push('registration_expired');
  else if (registration.standing === 'withdrawn') reasons.push('registration_withdrawn');

  const certification = certificationOn(
    cell.certifications.filter((c) => c.serviceId === cell.location!.service.id),
    dataClass,
    on,
  );
  if (certification === null || certification.status === 'not_certified') reasons.push('not_certified_for_class');
  else if (certification.status === 'withdrawn') reasons.push('certification_withdrawn');
  else if (certification.expiresOn !== null && certification.expiresOn < on) reasons.push('certification_expired');

  if (reasons.length > 0 || registration.standing !== 'registered' || certification === null) return { allowed: false, reasons };
  return {
    allowed: true,
    registration: registration.registration,
    certification,
    coveredUntil: earliestDay([registration.inForceUntil, certification.expiresOn]),
  };
}
