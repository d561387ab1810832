import { describe, expect, it } from 'vitest';
import { LEGAL_PURPOSES } from '../security/access/purposes.js';
import { TARO } from '../resident-register/certificates/test-fixtures.js';
import { checkTerms, ENTITLEMENTS, projectResident, RESIDENT_FIELD_NAMES, RESIDENT_FIELDS, SUBSCRIBING_OPERATIONS } from './entitlements.js';
import { EVENT_TYPES } from './catalogue.js';
import { CHANGE_KIND_NAMES } from '../resident-register/changes.js';

describe('entitlements', () => {
  it('name a field list for every purpose of every subscribing operation, from the field vocabulary', () => {
    for (const operation of SUBSCRIBING_OPERATIONS) {
      for (const purpose of LEGAL_PURPOSES[operation]) {
        const fields = ENTITLEMENTS[purpose.code];
        expect(fields, purpose.code).toBeDefined();
        for (const f of fields!) expect(RESIDENT_FIELD_NAMES).toContain(f);
      }
    }
    expect(SUBSCRIBING_OPERATIONS).not.toContain('resident_registry');
  });

  it('refuse an operation, purpose or field outside them, naming where', () => {
    expect(checkTerms({ operation: 'national_health_insurance', purpose: 'nhi_premium', fields: ['dateOfBirth', 'flags'] })).toEqual([]);
    expect(checkTerms({ operation: 'resident_registry', purpose: 'record_inquiry', fields: [] })).toEqual([{ at: 'operation', rule: 'not_subscribing' }]);
    expect(checkTerms({ operation: 'child_allowance', purpose: 'tax_assessment', fields: [] })).toEqual([{ at: 'purpose', rule: 'not_of_operation' }]);
    expect(checkTerms({ operation: 'national_health_insurance', purpose: 'nhi_premium', fields: ['myNumber', 'shoeSize', 'flags', 'flags'] })).toEqual([
      { at: 'fields', index: 0, rule: 'not_entitled' },
      { at: 'fields', index: 1, rule: 'unknown_field' },
      { at: 'fields', index: 3, rule: 'repeated' },
    ]);
  });

  it('project a record to the id and the named fields’ items only', () => {
    const record = { ...TARO, supportMeasure: { since: '2026-01-01', until: null } };
    expect(projectResident(record, [])).toEqual({ id: TARO.id });
    const projected = projectResident(record, ['address', 'myNumber']);
    expect(projected).toEqual({ id: TARO.id, address: TARO.address, addressSince: TARO.addressSince, myNumber: TARO.myNumber });
    // Every item of every field is a key of the record: nothing projects as undefined by a typo.
    for (const f of RESIDENT_FIELD_NAMES) for (const item of RESIDENT_FIELDS[f].items) expect(Object.keys(TARO)).toContain(item);
  });
});

describe('the event catalogue', () => {
  it('has one topic per register change kind, each with a schema that names itself', () => {
    expect(EVENT_TYPES.map((e) => e.topic).sort()).toEqual(CHANGE_KIND_NAMES.map((k) => `resident_register.${k}`).sort());
    for (const e of EVENT_TYPES) expect((e.schema as { $id?: string }).$id).toBe(`urn:municloud:event:${e.topic}:v${e.version}`);
  });
});
