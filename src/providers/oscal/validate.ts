/**
 * Validation of OSCAL documents against NIST's official JSON Schemas (release
 * 1.2.1), vendored unchanged in `oscal/schemas-1.2.1/` (see oscal/README.md).
 *
 * Every problem is reported, each with a JSON pointer into the document, so a
 * user fixing a file sees the whole list at once instead of one error per try.
 * Ajv's raw output is reshaped on the way (see `explain`): a failed `anyOf`
 * (OSCAL uses it for "a group holds either groups or controls" and the like)
 * would otherwise report the mismatch of every branch, which reads as nonsense
 * ("controls is not allowed" for a group whose control merely has a bad id).
 *
 * The schemas are draft-07 and use Unicode property escapes (`\p{L}`) in their
 * patterns, so Ajv runs with `unicodeRegExp` and ajv-formats supplies
 * date-time, uri, uri-reference and email. Each model's validator is compiled
 * once, on first use: compiling a schema takes a few hundred milliseconds and
 * most processes never validate OSCAL at all.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const OSCAL_VERSION = '1.2.1';

export const OSCAL_MODELS = [
  'catalog',
  'profile',
  'component-definition',
  'assessment-plan',
  'assessment-results',
  'system-security-plan',
  'plan-of-action-and-milestones',
] as const;
export type OscalModel = (typeof OSCAL_MODELS)[number];

/** The vendored schema file of each model; the model name is also the document's root key. */
const SCHEMA_FILES: Record<OscalModel, string> = {
  catalog: 'oscal_catalog_schema.json',
  profile: 'oscal_profile_schema.json',
  'component-definition': 'oscal_component_schema.json',
  'assessment-plan': 'oscal_assessment-plan_schema.json',
  'assessment-results': 'oscal_assessment-results_schema.json',
  'system-security-plan': 'oscal_ssp_schema.json',
  'plan-of-action-and-milestones': 'oscal_poam_schema.json',
};

export interface OscalProblem {
  /** JSON pointer (RFC 6901) into the document, e.g. `/catalog/groups/0/controls/3/id`; `''` is the whole document. */
  readonly path: string;
  readonly message: string;
}

/** An OSCAL document that was refused; `problems` lists every reason with its place. */
export class OscalInvalid extends Error {
  constructor(
    readonly model: OscalModel,
    readonly problems: readonly OscalProblem[],
  ) {
    super(
      `invalid OSCAL ${model} (${problems.length} problem${problems.length === 1 ? '' : 's'}): ` +
        problems
          .slice(0, 5)
          .map((p) => `${p.path || '/'} ${p.message}`)
          .join('; ') +
        (problems.length > 5 ? '; …' : ''),
    );
    this.name = 'OscalInvalid';
  }
}

/**
 * The folder of the vendored schemas: the nearest ancestor of this file that
 * has `oscal/schemas-<version>/` (the repository root, from src/ or dist/src/),
 * found the way migrationsRoot() finds `migrations/`.
 */
export function oscalSchemasDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'oscal', `schemas-${OSCAL_VERSION}`);
    if (existsSync(path.join(candidate, SCHEMA_FILES.catalog))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot locate the OSCAL schemas folder (oscal/schemas-${OSCAL_VERSION})`);
    dir = parent;
  }
}

/** The parsed schema of a model, as vendored (exported for tests and for tools that show it). */
export function oscalSchema(model: OscalModel): AnySchemaObject {
  return JSON.parse(readFileSync(path.join(oscalSchemasDir(), SCHEMA_FILES[model]), 'utf8')) as AnySchemaObject;
}

interface CompiledModel {
  readonly ajv: Ajv;
  readonly validate: ValidateFunction;
  /** Each object of the schema that holds an `anyOf`, mapped to the absolute reference of that `anyOf`. */
  readonly anyOfRefs: Map<object, string>;
  /** Each datatype definition of the schema (and each part of an allOf inside one), mapped to the datatype's name. */
  readonly datatypes: Map<object, string>;
  readonly branches: Map<string, ValidateFunction>;
}

const compiled = new Map<OscalModel, CompiledModel>();

function compile(model: OscalModel): CompiledModel {
  const existing = compiled.get(model);
  if (existing) return existing;
  const schema = oscalSchema(model);
  const ajv = new Ajv({
    allErrors: true,
    // `\p{L}` and `\p{N}` in TokenDatatype need the regular expressions' u flag.
    unicodeRegExp: true,
    // Keep the errors' parentSchema, to find which anyOf failed (explain).
    verbose: true,
    strict: true,
    // An anyOf branch compiled alone (explain) has `required` without the
    // `type: object` of the schema around it; the full schemas pass strict mode.
    strictTypes: false,
    logger: false,
  });
  addFormats(ajv);
  ajv.addSchema(schema);
  const id = String(schema.$id);
  const validate = ajv.getSchema(id);
  if (!validate) throw new Error(`OSCAL ${model} schema did not compile`);
  const anyOfRefs = new Map<object, string>();
  collectAnyOf(schema, `${id}#`, anyOfRefs);
  const result: CompiledModel = { ajv, validate, anyOfRefs, datatypes: datatypesOf(schema), branches: new Map() };
  compiled.set(model, result);
  return result;
}

/**
 * Datatype definitions by identity: an error's parentSchema is the object that
 * holds the failing keyword, whereas its schemaPath names whatever definition
 * Ajv inlined the datatype into (…metadata:last-modified/pattern).
 */
function datatypesOf(schema: AnySchemaObject): Map<object, string> {
  const map = new Map<object, string>();
  for (const [name, definition] of Object.entries((schema.definitions ?? {}) as Record<string, unknown>)) {
    if (!name.endsWith('Datatype') || definition === null || typeof definition !== 'object') continue;
    map.set(definition, name);
    const allOf = (definition as { allOf?: unknown }).allOf;
    if (Array.isArray(allOf)) for (const part of allOf) if (part !== null && typeof part === 'object') map.set(part as object, name);
  }
  return map;
}

function collectAnyOf(node: unknown, ref: string, into: Map<object, string>): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => collectAnyOf(item, `${ref}/${i}`, into));
  } else if (node !== null && typeof node === 'object') {
    if (Array.isArray((node as { anyOf?: unknown }).anyOf)) into.set(node, `${ref}/anyOf`);
    for (const [key, value] of Object.entries(node)) collectAnyOf(value, `${ref}/${escapePointer(key)}`, into);
  }
}

/**
 * Every problem of `document` as an OSCAL `model` document; empty when valid.
 * The root key is checked first: a profile offered as a catalog gets one clear
 * problem instead of a list of everything a catalog lacks.
 */
export function validateOscal(model: OscalModel, document: unknown): OscalProblem[] {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return [{ path: '', message: `must be a JSON object with the root key "${model}"` }];
  }
  if (!Object.hasOwn(document, model)) {
    const roots = Object.keys(document).filter((k) => k !== '$schema');
    const found = roots.length === 0 ? 'none' : roots.map((k) => `"${k}"`).join(', ');
    return [{ path: '', message: `must be an OSCAL ${model} document (root key "${model}"); root key found: ${found}` }];
  }
  const c = compile(model);
  return dedupe(explain(c, c.validate, document).map((item) => item.problem));
}

/** Throws OscalInvalid with every problem unless `document` is a valid OSCAL `model` document. */
export function assertOscal(model: OscalModel, document: unknown): void {
  const problems = validateOscal(model, document);
  if (problems.length > 0) throw new OscalInvalid(model, problems);
}

interface Item {
  /** Where ajv placed the error, relative to the data it validated. */
  readonly at: string;
  readonly keyword: string;
  readonly problem: OscalProblem;
}

/**
 * Ajv's errors for `data`, as problems. With allErrors, the errors of a failed
 * anyOf's branches come just before the anyOf error itself and all lie at or
 * under its instance path: they are taken back and replaced by the errors of
 * the one branch the data evidently meant (validated again on its own).
 */
function explain(c: CompiledModel, validate: ValidateFunction, data: unknown, prefix = ''): Item[] {
  if (validate(data)) return [];
  const items: Item[] = [];
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'anyOf') {
      const ref = e.parentSchema ? c.anyOfRefs.get(e.parentSchema) : undefined;
      if (ref !== undefined) {
        while (items.length > 0 && isAtOrUnder(items[items.length - 1]!.at, e.instancePath)) items.pop();
        const sub = resolvePointer(data, e.instancePath);
        const branches = (e.schema as unknown[]).map((_, i) => explain(c, branch(c, `${ref}/${i}`), sub, prefix + e.instancePath));
        items.push(...bestBranch(branches, prefix + e.instancePath).map((item) => ({ ...item, at: e.instancePath + item.at })));
        continue;
      }
    }
    const datatype = e.parentSchema ? c.datatypes.get(e.parentSchema) : undefined;
    items.push({ at: e.instancePath, keyword: e.keyword, problem: toProblem(e, prefix, datatype) });
  }
  return items;
}

function branch(c: CompiledModel, ref: string): ValidateFunction {
  let v = c.branches.get(ref);
  if (!v) {
    v = c.ajv.getSchema(ref);
    if (!v) throw new Error(`OSCAL schema has no ${ref}`);
    c.branches.set(ref, v);
  }
  return v;
}

/**
 * The branch the data meant: the one whose own top level fits (no unknown or
 * missing property right there), then the one with the fewest problems. When
 * every branch fails only at the value itself (a scalar that is neither a token
 * nor one of a list, say), the alternatives are joined into one message.
 */
function bestBranch(branches: Item[][], at: string): Item[] {
  if (branches.some((b) => b.length === 0)) return [];
  const shape = (item: Item) => item.keyword === 'additionalProperties' || item.keyword === 'required';
  if (branches.every((b) => b.every((item) => item.at === '' && !shape(item)))) {
    const messages = [...new Set(branches.flat().map((item) => item.problem.message))];
    return [{ at: '', keyword: 'anyOf', problem: { path: at, message: messages.join(', or ') } }];
  }
  const score = (b: Item[]) => b.filter((item) => item.at === '' && shape(item)).length * 1000 + b.length;
  return branches.reduce((best, b) => (score(b) < score(best) ? b : best));
}

function toProblem(e: ErrorObject, prefix: string, datatype: string | undefined): OscalProblem {
  const p = e.params as Record<string, unknown>;
  const base = prefix + e.instancePath;
  switch (e.keyword) {
    case 'required':
      return { path: `${base}/${escapePointer(String(p.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return { path: `${base}/${escapePointer(String(p.additionalProperty))}`, message: 'is not allowed here' };
    case 'type':
      return { path: base, message: `must be ${article(String(p.type))}` };
    case 'enum':
      return { path: base, message: `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'minItems':
      return { path: base, message: `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    case 'pattern':
    case 'format':
    case 'minimum': {
      const known = datatype === undefined ? undefined : DATATYPE_MESSAGES[datatype];
      if (known) return { path: base, message: known };
      return { path: base, message: e.keyword === 'format' ? `must be a valid ${String(p.format)}` : (e.message ?? 'is invalid') };
    }
    default:
      return { path: base, message: e.message ?? `fails the rule ${e.keyword}` };
  }
}

/** OSCAL's datatypes in words, instead of their regular expressions. */
const DATATYPE_MESSAGES: Record<string, string> = {
  TokenDatatype: "must be a token: a letter or '_', then letters, digits, '.', '-' or '_'",
  UUIDDatatype: 'must be a version 4 or 5 UUID (RFC 4122)',
  DateTimeWithTimezoneDatatype: 'must be a date and time with a time zone, e.g. 2026-04-01T09:00:00+09:00',
  StringDatatype: 'must be non-empty text without leading or trailing whitespace',
  MarkupLineDatatype: 'must be a single line of text',
  URIDatatype: 'must be an absolute URI, e.g. https://example.jp/x or urn:x:y',
  URIReferenceDatatype: 'must be a URI reference',
  EmailAddressDatatype: 'must be an email address',
  Base64Datatype: 'must be Base64 text',
  NonNegativeIntegerDatatype: 'must be an integer of 0 or more',
  PositiveIntegerDatatype: 'must be an integer of 1 or more',
};

function article(type: string): string {
  const words: Record<string, string> = {
    object: 'an object',
    array: 'an array',
    string: 'a string',
    boolean: 'true or false',
    integer: 'an integer',
    number: 'a number',
    null: 'null',
  };
  return words[type] ?? `of type ${type}`;
}

function dedupe(problems: OscalProblem[]): OscalProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isAtOrUnder(pointer: string, base: string): boolean {
  return pointer === base || pointer.startsWith(`${base}/`);
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function resolvePointer(data: unknown, pointer: string): unknown {
  if (pointer === '') return data;
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[token] : undefined;
  }
  return node;
}
