/** Cells, registrations and certifications for the placement rules' tests. */
import type { CellLocation, CertificationFacts, RegionFacts } from '../registry/model.js';
import type { RegistrationFacts } from '../registry/registration.js';
import type { CellFacts } from './policy.js';

export const TOKYO: RegionFacts = { id: 'rg', providerId: 'p', code: 'jp-east-1', name: '東日本', country: 'JP', jurisdiction: 'JP', locations: ['13', '11'] };

export function location(region: RegionFacts = TOKYO): CellLocation {
  return { cellId: 'cell-a', provider: { id: 'p', name: '青空クラウド' }, service: { id: 's', name: '青空 IaaS', model: 'IaaS' }, region, declaredAt: '2024-01-01T00:00:00.000Z' };
}

export const registration = (over: Partial<RegistrationFacts> = {}): RegistrationFacts => ({
  id: 'reg',
  serviceId: 's',
  registrationNumber: 'C23-0001-1',
  auditPeriodStart: '2022-04-01',
  auditPeriodEnd: '2023-03-31', // valid through 2024-07-31
  listedOn: '2023-06-01',
  renewalPendingSince: null,
  renewalEndedOn: null,
  withdrawnOn: null,
  ...over,
});

export const certification = (over: Partial<CertificationFacts> = {}): CertificationFacts => ({
  id: 'cert',
  seq: 1,
  serviceId: 's',
  dataClass: 'my_number',
  status: 'certified',
  decidedOn: '2023-07-01',
  expiresOn: '2024-07-31',
  ...over,
});

export const cell = (over: Partial<CellFacts> = {}): CellFacts => ({
  cellId: 'cell-a',
  location: location(),
  registrations: [registration()],
  certifications: [certification()],
  ...over,
});
