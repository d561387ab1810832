/**
 * CSV for bulk exports. Pure.
 *
 * - RFC 4180: records end in CRLF; a field containing a double quote, a comma,
 *   CR or LF is enclosed in double quotes, and each double quote inside it is
 *   doubled. Other fields are written as they are. The first record is the
 *   header: the dataset's column names.
 * - UTF-8, without a byte order mark (`municloud export decrypt --bom` adds one
 *   for spreadsheet programs that otherwise guess Shift_JIS).
 * - A null value is an empty field (CSV cannot tell it from an empty string).
 * - Formula injection (CSV injection): a field that starts with `=`, `+`, `-`,
 *   `@`, a tab or a carriage return would be run as a formula by spreadsheet
 *   programs, so it gets a single quote (`'`) in front, as OWASP recommends. The
 *   value read back therefore starts with `'`: e.g. a phone number `+81…` is
 *   written `'+81…`, a negative number `-5` as `'-5`. Programs that read the CSV
 *   as data should strip one leading `'` before such a character.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One record, CRLF included. */
export function csvRecord(values: readonly (string | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    line += csvField(values[i]!);
  }
  return `${line}\r\n`;
}

/**
 * Parses CSV written by csvRecord (RFC 4180) back into records of strings, for
 * tests and for checking an export. Throws on a malformed quote.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new SyntaxError(`malformed quoted field at ${i}`);
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i++;
      continue;
    }
    if (c === ',') {
      record.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      atFieldStart = true;
      i += 2;
      continue;
    }
    if (c === '"' || c === '\r' || c === '\n') throw new SyntaxError(`unexpected ${JSON.stringify(c)} in an unquoted field at ${i}`);
    field += c;
    atFieldStart = false;
    i++;
  }
  if (quoted) throw new SyntaxError('unterminated quoted field');
  if (!atFieldStart || field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
