import type { ErrorObject, ValidateFunction } from 'ajv';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { Cursor, Limit, OrganizationCode, Text, TEXT_PATTERN, Uuid } from './schemas.js';
import { fieldErrorsFrom, validatorCompiler } from './validation.js';

function compile(schema: object, httpPart: string): ValidateFunction {
  return validatorCompiler({ schema, method: 'POST', url: '/test', httpPart }) as unknown as ValidateFunction;
}

const Body = Type.Object(
  {
    name: Text({ maxLength: 10 }),
    count: Type.Integer({ minimum: 0, maximum: 100 }),
    code: Type.Optional(OrganizationCode),
    id: Type.Optional(Uuid),
    tags: Type.Optional(Type.Array(Type.String(), { maxItems: 2, uniqueItems: true })),
    kind: Type.Optional(Type.Union([Type.Literal('main'), Type.Literal('branch')])),
  },
  { additionalProperties: false },
);
const validateBody = compile(Body, 'body');

/** Validates a body and returns its field errors. */
function bodyErrors(data: unknown, validate = validateBody) {
  const ok = validate(data);
  return ok ? [] : fieldErrorsFrom(validate.errors ?? [], 'body');
}
const rules = (data: unknown) => bodyErrors(data).map((e) => [e.field, e.rule]);

describe('validatorCompiler and fieldErrorsFrom', () => {
  it('accepts a valid body', () => {
    expect(bodyErrors({ name: '千代田区役所', count: 5, code: '131016', id: '0b9f3f4c-6a8e-4f7b-9a52-1d3c2b7e8f01', tags: ['a', 'b'], kind: 'main' })).toEqual([]);
  });

  it('reports an unknown field as unknown_field at body/<field>', () => {
    expect(rules({ name: 'a', count: 1, extra: true })).toEqual([['body/extra', 'unknown_field']]);
    expect(bodyErrors({ name: 'a', count: 1, extra: true })[0]!.message).toEqual({ ja: '不明な項目です。', en: 'is not a known field' });
  });

  it('reports each unknown field', () => {
    expect(rules({ name: 'a', count: 1, x: 1, y: 2 })).toEqual([
      ['body/x', 'unknown_field'],
      ['body/y', 'unknown_field'],
    ]);
  });

  it('reports missing fields as required at body/<field>', () => {
    expect(rules({})).toEqual([
      ['body/name', 'required'],
      ['body/count', 'required'],
    ]);
    expect(bodyErrors({ count: 1 })[0]!.message).toEqual({ ja: '必須項目です。', en: 'is required' });
  });

  it('reports maxLength and minLength with the limit in the message', () => {
    const [long] = bodyErrors({ name: 'あ'.repeat(11), count: 1 });
    expect(long).toEqual({ field: 'body/name', rule: 'maxLength', message: { ja: '10 文字以下である必要があります。', en: 'must have at most 10 characters' } });
    const [short] = bodyErrors({ name: '', count: 1 });
    expect(short).toEqual({ field: 'body/name', rule: 'minLength', message: { ja: '1 文字以上である必要があります。', en: 'must have at least 1 characters' } });
  });

  it('counts characters in code points (a surrogate pair is one)', () => {
    expect(rules({ name: '𠮷'.repeat(10), count: 1 })).toEqual([]);
    expect(rules({ name: '𠮷'.repeat(11), count: 1 })).toEqual([['body/name', 'maxLength']]);
  });

  it('reports minimum and maximum', () => {
    expect(rules({ name: 'a', count: -1 })).toEqual([['body/count', 'minimum']]);
    expect(rules({ name: 'a', count: 101 })).toEqual([['body/count', 'maximum']]);
    expect(bodyErrors({ name: 'a', count: 101 })[0]!.message.en).toBe('must be at most 100');
  });

  it('reports array rules at the array and types at the item', () => {
    expect(rules({ name: 'a', count: 1, tags: ['a', 'b', 'c'] })).toEqual([['body/tags', 'maxItems']]);
    expect(rules({ name: 'a', count: 1, tags: ['a', 'a'] })).toEqual([['body/tags', 'uniqueItems']]);
    expect(rules({ name: 'a', count: 1, tags: ['a', 5] })).toEqual([['body/tags/1', 'type']]);
  });

  it('reports a value outside a union once per rule', () => {
    const errs = bodyErrors({ name: 'a', count: 1, kind: 'other' });
    expect(errs.every((e) => e.field === 'body/kind')).toBe(true);
    const keys = errs.map((e) => `${e.field}|${e.rule}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Two `const` failures (one per branch) collapse into one.
    expect(errs.map((e) => e.rule)).toEqual(['const', 'anyOf']);
    for (const e of errs) expect(e.message.en).toBe('is not one of the allowed values');
  });

  it('reports the local-government-code format with its own message', () => {
    expect(rules({ name: 'a', count: 1, code: '131016' })).toEqual([]);
    const errs = bodyErrors({ name: 'a', count: 1, code: '131017' });
    expect(errs).toEqual([
      {
        field: 'body/code',
        rule: 'format',
        message: { ja: '6桁の団体コードで、検査数字が正しい必要があります。', en: 'must be a six-digit local public body code with a valid check digit' },
      },
    ]);
    expect(rules({ name: 'a', count: 1, code: '13101' })).toEqual([['body/code', 'format']]);
    expect(rules({ name: 'a', count: 1, code: '000001' })).toEqual([]);
  });

  it('reports a bad UUID as format with the UUID message', () => {
    const errs = bodyErrors({ name: 'a', count: 1, id: 'not-a-uuid' });
    expect(errs).toEqual([{ field: 'body/id', rule: 'format', message: { ja: 'UUID の形式である必要があります。', en: 'must be a UUID' } }]);
  });

  it('reports every failing field at once (allErrors)', () => {
    expect(rules({ name: '\u0000', count: 'x', extra: 1 })).toEqual([
      ['body/extra', 'unknown_field'],
      ['body/name', 'pattern'],
      ['body/count', 'type'],
    ]);
  });

  it('reports a body that is not an object at body', () => {
    expect(rules('text')).toEqual([['body', 'type']]);
    expect(rules(null)).toEqual([['body', 'type']]);
    expect(rules([])).toEqual([['body', 'type']]);
  });

  it('never puts the values sent into messages', () => {
    const secret = 'SECRET山田太郎';
    const errs = bodyErrors({ name: `${secret}\u0007${'x'.repeat(20)}`, count: secret, code: secret, id: secret, [secret]: secret });
    expect(errs.length).toBeGreaterThanOrEqual(5);
    const messages = JSON.stringify(errs.map((e) => e.message));
    expect(messages).not.toContain('SECRET');
    expect(messages).not.toContain('山田');
  });

  it('keeps the first of duplicate errors for the same field and rule', () => {
    const e = (instancePath: string, keyword: string, params: Record<string, unknown> = {}): ErrorObject => ({ instancePath, keyword, params, schemaPath: '#' });
    const out = fieldErrorsFrom(
      [e('/name', 'pattern'), e('/name', 'pattern'), e('/name', 'maxLength', { limit: 3 }), e('', 'required', { missingProperty: 'x' }), e('', 'required', { missingProperty: 'x' })],
      'params',
    );
    expect(out.map((f) => [f.field, f.rule])).toEqual([
      ['params/name', 'pattern'],
      ['params/name', 'maxLength'],
      ['params/x', 'required'],
    ]);
  });

  it('has a generic message for rules it does not know', () => {
    const [f] = fieldErrorsFrom([{ instancePath: '/n', keyword: 'multipleOf', params: { multipleOf: 2 }, schemaPath: '#' }], 'body');
    expect(f).toEqual({ field: 'body/n', rule: 'multipleOf', message: { ja: '値が正しくありません。', en: 'fails the rule multipleOf' } });
    const [g] = fieldErrorsFrom([{ instancePath: '/d', keyword: 'format', params: { format: 'email' }, schemaPath: '#' }], 'body');
    expect(g!.message).toEqual({ ja: '形式が正しくありません。', en: 'must be a valid email' });
  });

  it('gives an empty list for no errors', () => {
    expect(fieldErrorsFrom([], 'body')).toEqual([]);
  });
});

describe('TEXT_PATTERN (via Text)', () => {
  const validateText = compile(Type.Object({ name: Text({ maxLength: 200 }) }, { additionalProperties: false }), 'body');
  const textRules = (name: string) => bodyErrors({ name }, validateText).map((e) => e.rule);

  it.each([
    ['千代田区役所', 'kanji'],
    ['ちよだくやくしょ', 'hiragana'],
    ['チヨダクヤクショ', 'katakana'],
    ['ﾁﾖﾀﾞｸ', 'half-width katakana'],
    ['髙橋 﨑', 'variant kanji (standard Unicode)'],
    ['𠮷野家', 'CJK extension B (surrogate pair)'],
    ['Chiyoda City Office 1-2-1', 'ASCII'],
    ['ＡＢＣ１２３', 'full-width Latin'],
    ['千代田\u3000区', 'ideographic space'],
    ['①②③ ㈱ 〒', 'symbols'],
    ['😀', 'emoji'],
    ['\uf900', 'CJK compatibility ideograph just past the private-use area'],
  ])('accepts %j (%s)', (text) => {
    expect(textRules(text)).toEqual([]);
  });

  it.each([
    ['\u0000', 'NUL'],
    ['a\tb', 'tab'],
    ['a\nb', 'line feed'],
    ['a\rb', 'carriage return'],
    ['\u001b[31m', 'escape'],
    ['\u001f', 'unit separator'],
    ['\u007f', 'DEL'],
    ['\u0080', 'C1 start'],
    ['\u0085', 'next line'],
    ['\u009f', 'C1 end'],
    ['\ue000', 'private use U+E000'],
    ['山田\ue000郎', 'private use inside a name (外字)'],
    ['\uf8ff', 'private use U+F8FF'],
    ['\u{f0000}', 'supplementary private use A'],
    ['\u{10fffd}', 'supplementary private use B'],
  ])('refuses %j (%s) with rule pattern', (text) => {
    expect(textRules(text)).toEqual(['pattern']);
    expect(bodyErrors({ name: text }, validateText)[0]).toMatchObject({
      field: 'body/name',
      message: { en: 'has characters or a form that is not allowed (no control or private-use characters)' },
    });
  });

  it('is the pattern the Text schema carries', () => {
    expect(Text({ maxLength: 5 })).toMatchObject({ type: 'string', minLength: 1, maxLength: 5, pattern: TEXT_PATTERN });
  });
});

describe('coercion', () => {
  const Shape = Type.Object({ limit: Limit, flag: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

  it('does not coerce types in a body: "5" for an integer fails', () => {
    const validate = compile(Shape, 'body');
    const data = { limit: '5' };
    expect(validate(data)).toBe(false);
    expect(fieldErrorsFrom(validate.errors ?? [], 'body')).toEqual([
      { field: 'body/limit', rule: 'type', message: { ja: '型が integer である必要があります。', en: 'must be of type integer' } },
    ]);
    expect(data.limit).toBe('5');
    expect(validate({ limit: 5, flag: 'true' })).toBe(false);
    expect(validate({ limit: 5 })).toBe(true);
  });

  it('coerces a query string: "5" becomes 5', () => {
    const validate = compile(Shape, 'querystring');
    const data: Record<string, unknown> = { limit: '5', flag: 'true' };
    expect(validate(data)).toBe(true);
    expect(data).toEqual({ limit: 5, flag: true });
  });

  it('coerces path parameters too', () => {
    const validate = compile(Type.Object({ n: Type.Integer() }), 'params');
    const data: Record<string, unknown> = { n: '42' };
    expect(validate(data)).toBe(true);
    expect(data.n).toBe(42);
  });

  it('still refuses a query value that is not a number, and one out of range', () => {
    const validate = compile(Shape, 'querystring');
    expect(validate({ limit: 'five' })).toBe(false);
    expect(fieldErrorsFrom(validate.errors ?? [], 'querystring').map((e) => [e.field, e.rule])).toEqual([['querystring/limit', 'type']]);
    expect(validate({ limit: '201' })).toBe(false);
    expect(fieldErrorsFrom(validate.errors ?? [], 'querystring').map((e) => [e.field, e.rule])).toEqual([['querystring/limit', 'maximum']]);
    expect(validate({ limit: '5.5' })).toBe(false);
  });

  it('fills defaults', () => {
    const validate = compile(Shape, 'querystring');
    const data: Record<string, unknown> = {};
    expect(validate(data)).toBe(true);
    expect(data.limit).toBe(50);
  });

  it('checks the Cursor shape', () => {
    const validate = compile(Type.Object({ cursor: Cursor }), 'querystring');
    expect(validate({ cursor: 'eyJpZCI6MX0.abcdefghijklmnopqrstuvwxyz012345' })).toBe(true);
    expect(validate({ cursor: 'a b' })).toBe(false);
    expect(validate({ cursor: 'a'.repeat(513) })).toBe(false);
  });
});
