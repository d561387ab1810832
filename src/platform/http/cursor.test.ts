import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Problem } from '../errors.js';
import { CursorCodec } from './cursor.js';

const codec = new CursorCodec(Buffer.from('test key: at least thirty-two bytes long'));
const position = { name: '千代田区役所', id: '0b9f3f4c-6a8e-4f7b-9a52-1d3c2b7e8f01', n: 42 };

function expectInvalid(fn: () => unknown) {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Problem);
  expect((caught as Problem).code).toBe('invalid_cursor');
  expect((caught as Problem).status).toBe(400);
}

function flip(text: string, at: number): string {
  const c = text[at]!;
  return text.slice(0, at) + (c === 'A' ? 'B' : 'A') + text.slice(at + 1);
}

describe('CursorCodec', () => {
  it('round-trips a position', () => {
    const cursor = codec.encode('131016', 'offices', position);
    expect(codec.decode('131016', 'offices', cursor)).toEqual(position);
  });

  it('produces URL-safe cursors that fit the Cursor schema', () => {
    const cursor = codec.encode('131016', 'offices', position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{32}$/);
    expect(cursor.length).toBeLessThanOrEqual(512);
  });

  it('round-trips any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), fc.string(), (value, scope, listing) => {
        const cursor = codec.encode(scope, listing, value);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{32}$/);
        expect(codec.decode(scope, listing, cursor)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('does not reveal the scope or listing in the cursor', () => {
    const cursor = codec.encode('131016', 'offices', { id: 1 });
    const payload = Buffer.from(cursor.split('.')[0]!, 'base64url').toString('utf8');
    expect(payload).toBe('{"id":1}');
  });

  it('refuses a tampered payload', () => {
    const cursor = codec.encode('131016', 'offices', position);
    const [, signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ ...position, n: 0 })).toString('base64url');
    expectInvalid(() => codec.decode('131016', 'offices', `${forged}.${signature}`));
    expectInvalid(() => codec.decode('131016', 'offices', `${flip(cursor, 0)}`));
  });

  it('refuses a tampered signature', () => {
    const cursor = codec.encode('131016', 'offices', position);
    const dot = cursor.indexOf('.');
    expectInvalid(() => codec.decode('131016', 'offices', flip(cursor, dot + 1)));
    expectInvalid(() => codec.decode('131016', 'offices', flip(cursor, cursor.length - 1)));
    expectInvalid(() => codec.decode('131016', 'offices', cursor.slice(0, -1)));
    expectInvalid(() => codec.decode('131016', 'offices', `${cursor}A`));
  });

  it('refuses a cursor from another scope (another municipality or the control plane)', () => {
    const cursor = codec.encode('131016', 'offices', position);
    expectInvalid(() => codec.decode('131024', 'offices', cursor));
    expectInvalid(() => codec.decode('control', 'offices', cursor));
    expectInvalid(() => codec.decode('', 'offices', cursor));
  });

  it('refuses a cursor from another listing', () => {
    const cursor = codec.encode('131016', 'offices', position);
    expectInvalid(() => codec.decode('131016', 'accounts', cursor));
    expectInvalid(() => codec.decode('131016', 'offices ', cursor));
  });

  it('refuses a cursor signed with another key', () => {
    const other = new CursorCodec(Buffer.from('another key entirely, also long enough'));
    const cursor = other.encode('131016', 'offices', position);
    expectInvalid(() => codec.decode('131016', 'offices', cursor));
  });

  it.each([
    '',
    '.',
    '..',
    'abc',
    'abc.',
    '.abc',
    'a.b.c',
    'garbage!!.???',
    '%%%%.%%%%',
    'eyJpZCI6MX0',
    'x'.repeat(600),
    `${'A'.repeat(10)}.${'A'.repeat(32)}`,
  ])('refuses garbage %j', (cursor) => {
    expectInvalid(() => codec.decode('131016', 'offices', cursor));
  });

  it('refuses an extra segment after a valid cursor', () => {
    const cursor = codec.encode('131016', 'offices', position);
    expectInvalid(() => codec.decode('131016', 'offices', `${cursor}.extra`));
  });

  it('refuses random strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        expectInvalid(() => codec.decode('131016', 'offices', s));
      }),
    );
  });

  it('the error carries no detail from the cursor', () => {
    expect.assertions(3);
    try {
      codec.decode('131016', 'offices', 'SECRET.VALUE');
    } catch (e) {
      expect((e as Problem).message).not.toContain('SECRET');
      expect((e as Problem).fields).toEqual([]);
      expect((e as Problem).detail).toBeUndefined();
    }
  });
});
