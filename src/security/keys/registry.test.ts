import { describe, expect, it } from 'vitest';
import { encryptedColumn, EncryptedColumnRegistry } from './registry.js';

describe('encrypted column registry', () => {
  it('gives field references for seal and open', () => {
    const col = encryptedColumn({ table: 'cell.residents', column: 'name_sealed' });
    expect(col.field('abc')).toEqual({ table: 'cell.residents', column: 'name_sealed', recordId: 'abc' });
    expect(col.idColumn).toBe('id');
    expect(col.municipalityColumn).toBe('municipality_code');
    expect(col.database).toBe('cell');
  });

  it('places control-schema tables in the control database', () => {
    const col = encryptedColumn({ table: 'control.mfa_totp', column: 'secret_sealed', idColumn: 'account_id', municipalityColumn: 'organization_code' });
    expect(col.database).toBe('control');
    expect(col.field('abc')).toEqual({ table: 'control.mfa_totp', column: 'secret_sealed', recordId: 'abc' });
  });

  it('refuses names that are not plain identifiers (they end up in SQL text)', () => {
    expect(() => encryptedColumn({ table: 'residents', column: 'x' })).toThrow(/schema-qualified/);
    expect(() => encryptedColumn({ table: 'cell.residents; drop', column: 'x' })).toThrow();
    expect(() => encryptedColumn({ table: 'cell.residents', column: 'X"' })).toThrow();
    expect(() => encryptedColumn({ table: 'cell.residents', column: 'x', idColumn: 'id)' })).toThrow();
  });

  it('registers once; conflicting registrations are refused', () => {
    const r = new EncryptedColumnRegistry();
    const a = r.register({ table: 'cell.b', column: 'x' });
    expect(r.register({ table: 'cell.b', column: 'x' })).toBe(a);
    r.register({ table: 'cell.a', column: 'y' });
    expect(r.list().map((c) => c.name)).toEqual(['cell.a.y', 'cell.b.x']);
    expect(() => r.register({ table: 'cell.b', column: 'x', idColumn: 'other' })).toThrow(/twice/);
  });
});
