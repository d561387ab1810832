import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.js';
import { canonicalCidr } from './network-zones.js';
import { isLegalPurpose, LEGAL_PURPOSES, OPERATIONS } from './purposes.js';

describe('canonicalCidr', () => {
  it.each([
    ['10.20.0.0/16', '10.20.0.0/16'],
    [' 192.168.1.10 ', '192.168.1.10/32'],
    ['2001:db8::/48', '2001:db8::/48'],
    ['::1', '::1/128'],
    ['0.0.0.0/0', '0.0.0.0/0'],
  ])('accepts %j', (input, expected) => expect(canonicalCidr(input)).toBe(expected));

  it.each(['', '10.20.0.0/33', '2001:db8::/129', '10.20.0.0/-1', '10.20.0.0/1/2', '10.20.0/16', 'example.jp/24', '10.0.0.0/ 8', '10.0.0.0/8a'])(
    'refuses %j',
    (input) => expect(canonicalCidr(input)).toBeNull(),
  );
});

describe('legal purposes', () => {
  it('every operation has purposes with a legal basis and unique codes', () => {
    for (const op of OPERATIONS) {
      const codes = LEGAL_PURPOSES[op].map((p) => p.code);
      expect(codes.length).toBeGreaterThan(0);
      expect(new Set(codes).size).toBe(codes.length);
      for (const p of LEGAL_PURPOSES[op]) expect(p.basis && p.ja && p.en).toBeTruthy();
    }
  });

  it("admits only the operation's own purposes", () => {
    expect(isLegalPurpose('resident_registry', 'residency_change')).toBe(true);
    expect(isLegalPurpose('resident_registry', 'tax_assessment')).toBe(false);
    expect(isLegalPurpose('resident_registry', undefined)).toBe(false);
    expect(isLegalPurpose('resident_registry', '')).toBe(false);
  });
});

describe('MUNICLOUD_TRUSTED_PROXIES', () => {
  it('lists addresses and ranges, and refuses anything else', () => {
    expect(loadConfig({ MUNICLOUD_TRUSTED_PROXIES: '10.0.0.1, 10.1.0.0/16 ::1' }).trustedProxies).toEqual(['10.0.0.1', '10.1.0.0/16', '::1']);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(() => loadConfig({ MUNICLOUD_TRUSTED_PROXIES: 'proxy.example' })).toThrow(/MUNICLOUD_TRUSTED_PROXIES/);
  });
});
