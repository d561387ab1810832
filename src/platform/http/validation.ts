/**
 * Validation at the edge. Bodies are validated strictly: no type coercion, no
 * silently dropped fields (unknown fields are refused). Query strings and path
 * parameters arrive as text, so they are coerced to the declared types.
 * Every failure is reported with the field and the rule, never the value.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { codeProblem } from '../../organizations/local-government-code.js';
import { fieldError, type FieldError, type Message } from '../errors.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    removeAdditional: false,
    useDefaults: true,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  ajv.addFormat('local-government-code', { type: 'string', validate: (s: string) => codeProblem(s) === null });
  return ajv;
}

const strictAjv = makeAjv(false);
const coercingAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strictAjv : coercingAjv;
  return ajv.compile(schema as object) as ValidateFunction;
};

const FORMAT_MESSAGES: Record<string, Message> = {
  'local-government-code': {
    ja: '6桁の団体コードで、検査数字が正しい必要があります。',
    en: 'must be a six-digit local public body code with a valid check digit',
  },
  uuid: { ja: 'UUID の形式である必要があります。', en: 'must be a UUID' },
  'date-time': { ja: 'ISO 8601 の日時である必要があります。', en: 'must be an ISO 8601 date-time' },
  date: { ja: 'ISO 8601 の日付である必要があります。', en: 'must be an ISO 8601 date' },
};

function messageFor(e: ErrorObject): Message {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { ja: '必須項目です。', en: 'is required' };
    case 'additionalProperties':
      return { ja: '不明な項目です。', en: 'is not a known field' };
    case 'type':
      return { ja: `型が ${String(p.type)} である必要があります。`, en: `must be of type ${String(p.type)}` };
    case 'minLength':
      return { ja: `${String(p.limit)} 文字以上である必要があります。`, en: `must have at least ${String(p.limit)} characters` };
    case 'maxLength':
      return { ja: `${String(p.limit)} 文字以下である必要があります。`, en: `must have at most ${String(p.limit)} characters` };
    case 'minimum':
      return { ja: `${String(p.limit)} 以上である必要があります。`, en: `must be at least ${String(p.limit)}` };
    case 'maximum':
      return { ja: `${String(p.limit)} 以下である必要があります。`, en: `must be at most ${String(p.limit)}` };
    case 'minItems':
      return { ja: `${String(p.limit)} 個以上である必要があります。`, en: `must have at least ${String(p.limit)} items` };
    case 'maxItems':
      return { ja: `${String(p.limit)} 個以下である必要があります。`, en: `must have at most ${String(p.limit)} items` };
    case 'uniqueItems':
      return { ja: '重複があってはなりません。', en: 'must not repeat items' };
    case 'enum':
    case 'const':
    case 'anyOf':
      return { ja: '許可された値ではありません。', en: 'is not one of the allowed values' };
    case 'pattern':
      return {
        ja: '使用できない文字または形式です（制御文字・外字は使えません）。',
        en: 'has characters or a form that is not allowed (no control or private-use characters)',
      };
    case 'format':
      return FORMAT_MESSAGES[String(p.format)] ?? { ja: '形式が正しくありません。', en: `must be a valid ${String(p.format)}` };
    default:
      return { ja: '値が正しくありません。', en: `fails the rule ${e.keyword}` };
  }
}

/** Ajv errors as field errors: `body/name`, `querystring/limit`. */
export function fieldErrorsFrom(errors: readonly ErrorObject[], part: string): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    const p = e.params as Record<string, unknown>;
    let pointer = e.instancePath;
    if (e.keyword === 'required') pointer += `/${String(p.missingProperty)}`;
    if (e.keyword === 'additionalProperties') pointer += `/${String(p.additionalProperty)}`;
    const rule = e.keyword === 'additionalProperties' ? 'unknown_field' : e.keyword;
    const field = `${part}${pointer}`;
    const key = `${field}|${rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fieldError(field, rule, messageFor(e)));
  }
  return out;
}
