import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, csvRecord, parseCsv } from './csv.js';

describe('CSV (RFC 4180)', () => {
  it('quotes fields with quotes, commas, CR or LF, doubling the quotes', () => {
    expect(csvField('山田 太郎')).toBe('山田 太郎');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvRecord(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
  });

  it('defuses formulas: = + - @ tab CR at the start get a single quote', () => {
    expect(csvField('=SUM(A1:A9)')).toBe("'=SUM(A1:A9)");
    expect(csvField('+81-3-1234-5678')).toBe("'+81-3-1234-5678");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe('"\'\r=1"');
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    // Only at the start.
    expect(csvField('1+1=2')).toBe('1+1=2');
    expect(csvField("'quoted")).toBe("'quoted");
  });

  it('round-trips any values, formula prefix aside (property)', () => {
    const value = fc.option(fc.string({ unit: 'grapheme', maxLength: 20 }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.array(value, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const width = rows[0]!.length;
        const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? null));
        const parsed = parseCsv(table.map(csvRecord).join(''));
        const expected = table.map((r) => r.map((v) => (v === null ? '' : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
        expect(parsed).toEqual(expected);
        // No parsed field starts a formula.
        for (const r of parsed) for (const f of r) expect(f).not.toMatch(/^[=+\-@\t\r]/);
      }),
      { numRuns: 300 },
    );
  });

  it('parses strictly', () => {
    expect(() => parseCsv('"a"b\r\n')).toThrow(SyntaxError);
    expect(() => parseCsv('a"b\r\n')).toThrow(SyntaxError);
    expect(() => parseCsv('"open\r\n')).toThrow(SyntaxError);
    expect(parseCsv('a,b\r\nc,d')).toEqual([['a', 'b'], ['c', 'd']]);
  });
});
