/**
 * A cloud service's registration (ISMAP 登録) as the assessment rules see it:
 * whether it has one, and the last day it is in force. The provider registry
 * works that day out from the registration's facts (valid until 1 year 4
 * months after the end of the audited period; a renewal applied for in time
 * keeps it in force while pending, with no end known yet; a withdrawal ends
 * it): src/providers/registry/registration.ts, `inForceUntil`. Here it is an
 * input. Pure.
 */
import type { Message } from '../../platform/errors.js';

export interface Registration {
  /**
   * The last day (YYYY-MM-DD, inclusive) the registration is in force; null
   * while it is in force with no end known yet (a renewal pending).
   */
  readonly validUntil: string | null;
}

export type RegistrationStanding = 'valid' | 'expired' | 'none';

/** Whether a service is registered on a day: `null` means it has no registration at all. */
export function registrationStanding(registration: Registration | null, on: string): RegistrationStanding {
  if (registration === null) return 'none';
  return registration.validUntil === null || on <= registration.validUntil ? 'valid' : 'expired';
}

/** Why a service's own registration does not carry it on a day. */
export function registrationMessage(serviceId: string, standing: Exclude<RegistrationStanding, 'valid'>, registration: Registration | null): Message {
  return standing === 'none'
    ? { ja: `サービス ${serviceId} は登録（ISMAP）を受けていません。`, en: `Service ${serviceId} has no registration (ISMAP).` }
    : {
        ja: `サービス ${serviceId} の登録は ${registration!.validUntil} で期限切れです。`,
        en: `The registration of service ${serviceId} expired after ${registration!.validUntil}.`,
      };
}
