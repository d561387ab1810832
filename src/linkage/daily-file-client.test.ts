import { describe, expect, it } from 'vitest';
import { csvRecord } from '../security/exports/csv.js';
import { CsvTally, DailyFileError } from './daily-file-client.js';

const FILE = [
  ['event_id', 'position', 'resident_id', 'address_building'],
  ['e1', '10.1', 'r1', '"quoted", with\r\na line break'],
  ['e1', '10.1', 'r2', null],
  ['e2', '10.2', null, '=SUM(A1)'],
  ['e3', '11.1', 'r3', 'ｶﾅ 漢字'],
].map(csvRecord).join('');

describe('counting a downloaded daily file', () => {
  it('counts rows and events (runs of one event id), whatever the chunks', () => {
    for (const size of [1, 2, 3, 7, 64, FILE.length]) {
      const tally = new CsvTally();
      for (let i = 0; i < FILE.length; i += size) tally.push(FILE.slice(i, i + size));
      expect(tally.result(), `chunks of ${size}`).toEqual({ rows: 4, events: 3, complete: true, header: 'event_id' });
    }
  });

  it('tells a file cut off in the middle of a record, or a header only', () => {
    const cut = new CsvTally();
    cut.push(FILE.slice(0, FILE.indexOf('a line break')));
    expect(cut.result().complete).toBe(false);
    const cr = new CsvTally();
    cr.push(FILE.slice(0, -1));
    expect(cr.result().complete).toBe(false);
    const headerOnly = new CsvTally();
    headerOnly.push(csvRecord(['event_id', 'position']));
    expect(headerOnly.result()).toEqual({ rows: 0, events: 0, complete: true, header: 'event_id' });
    expect(new CsvTally().result().complete).toBe(false);
  });

  it('refuses line ends the platform does not write', () => {
    expect(() => new CsvTally().push('a,b\nc')).toThrow(DailyFileError);
    expect(() => new CsvTally().push('a,b\rc')).toThrow(DailyFileError);
  });
});
