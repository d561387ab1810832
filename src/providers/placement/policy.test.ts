import { describe, expect, it } from 'vitest';
import { certificationOn, municipalityDataClass, placementDecision, regionInJapan, type CellFacts } from './policy.js';
import { cell, certification, location, registration, TOKYO } from './test-fixtures.js';

const decide = (c: CellFacts, on = '2024-01-15') => placementDecision({ cell: c, dataClass: 'my_number', on });

describe('placementDecision', () => {
  it('allows a cell in Japan, registered and certified for the class, and says until when', () => {
    expect(decide(cell())).toMatchObject({ allowed: true, coveredUntil: '2024-07-31', registration: { id: 'reg' }, certification: { id: 'cert' } });
    const renewing = cell({ registrations: [registration({ renewalPendingSince: '2024-06-01' })], certifications: [certification({ expiresOn: '2025-03-31' })] });
    expect(decide(renewing, '2024-08-15')).toMatchObject({ allowed: true, coveredUntil: '2025-03-31' });
  });

  it('refuses an undeclared cell, and nothing else is said of it', () => {
    expect(decide(cell({ location: null }))).toEqual({ allowed: false, reasons: ['cell_undeclared'] });
  });

  it('refuses a region outside Japan: its country, its governing law, or any data centre', () => {
    for (const region of [
      { ...TOKYO, country: 'SG', locations: ['Singapore'] },
      { ...TOKYO, jurisdiction: 'US' },
      { ...TOKYO, locations: ['13', 'Seoul'] },
    ]) {
      expect(decide(cell({ location: location(region) }))).toEqual({ allowed: false, reasons: ['region_outside_japan'] });
    }
    expect(regionInJapan(TOKYO)).toBe(true);
  });

  it('refuses a missing, expired or withdrawn registration', () => {
    expect(decide(cell({ registrations: [] }))).toEqual({ allowed: false, reasons: ['registration_missing'] });
    expect(decide(cell(), '2024-08-01')).toEqual({ allowed: false, reasons: ['registration_expired', 'certification_expired'] });
    expect(decide(cell({ registrations: [registration({ withdrawnOn: '2024-01-10' })] }))).toEqual({ allowed: false, reasons: ['registration_withdrawn'] });
    // Another service's registration does not count.
    expect(decide(cell({ registrations: [registration({ serviceId: 'other' })] }))).toEqual({ allowed: false, reasons: ['registration_missing'] });
  });

  it('refuses a service not certified for the class, or whose certification expired or was withdrawn', () => {
    expect(decide(cell({ certifications: [] }))).toEqual({ allowed: false, reasons: ['not_certified_for_class'] });
    expect(decide(cell({ certifications: [certification({ dataClass: 'personal' })] }))).toEqual({ allowed: false, reasons: ['not_certified_for_class'] });
    expect(decide(cell({ certifications: [certification({ status: 'not_certified', expiresOn: null })] }))).toEqual({ allowed: false, reasons: ['not_certified_for_class'] });
    expect(decide(cell({ certifications: [certification({ expiresOn: '2024-01-14' })] }))).toEqual({ allowed: false, reasons: ['certification_expired'] });
    const withdrawn = [certification(), certification({ id: 'w', seq: 2, status: 'withdrawn', decidedOn: '2024-01-01', expiresOn: null })];
    expect(decide(cell({ certifications: withdrawn }))).toEqual({ allowed: false, reasons: ['certification_withdrawn'] });
    // Before the withdrawal was decided, the certification held.
    expect(decide(cell({ certifications: withdrawn }), '2023-12-31')).toMatchObject({ allowed: true });
  });

  it('names every reason at once', () => {
    const everything = cell({ location: location({ ...TOKYO, country: 'US' }), registrations: [], certifications: [] });
    expect(decide(everything)).toEqual({ allowed: false, reasons: ['region_outside_japan', 'registration_missing', 'not_certified_for_class'] });
  });
});

describe('certificationOn', () => {
  it('is the latest decision for the class decided on or before the day', () => {
    const certs = [certification(), certification({ id: 'later', seq: 5, decidedOn: '2024-02-01', expiresOn: '2025-01-31' })];
    expect(certificationOn(certs, 'my_number', '2024-01-31')?.id).toBe('cert');
    expect(certificationOn(certs, 'my_number', '2024-02-01')?.id).toBe('later');
    expect(certificationOn(certs, 'general', '2024-02-01')).toBeNull();
  });
});

describe('municipalityDataClass', () => {
  it('is my_number for every municipality (each keeps the resident register)', () => {
    for (const kind of ['city', 'town', 'village', 'special_ward', 'designated_city'] as const) expect(municipalityDataClass({ kind })).toBe('my_number');
  });
});
