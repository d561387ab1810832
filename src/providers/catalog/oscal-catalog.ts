/**
 * The requirements catalog in OSCAL 1.2.1: export to and import from an OSCAL
 * catalog, and OSCAL profiles per data class. Pure: documents in, documents or
 * requirements out; every document is checked against NIST's schema
 * (validate.ts), in both directions.
 *
 * Mapping (docs/requirements-catalog.md has the full table):
 *   group              catalog group, id = RequirementGroup, title = English title
 *   requirement        control in its group's `controls`, id = requirement id
 *   title.en / .ja     control `title` / prop {name: title, ns: urn:municloud:oscal, class: ja}
 *   statement.en       part {name: statement}.prose
 *   statement.ja       nested part {name: statement, ns: urn:municloud:oscal, class: ja}.prose
 *   rationale          part {name: guidance}.prose
 *   assessment         part {name: assessment-method} with prop {name: method, ns: rmf, value: EXAMINE|INTERVIEW|TEST},
 *                      its text in a nested part {name: assessment-objects}, the self-check in
 *                      prop {name: automated-check, ns: urn:municloud:oscal}
 *   dataClasses        props {name: data-class, ns: urn:municloud:oscal}, one per class
 * OSCAL reserves un-namespaced part and property names for its own vocabulary
 * (statement, guidance, assessment-method, label, sort-id, …): everything
 * municloud adds is in its own namespace, so the export also meets OSCAL's
 * allowed-values constraints, which the JSON schema does not check.
 *
 * Import is lossless or refused: anything in a catalog that this mapping would
 * drop (params, links, nested groups, unknown props or parts) is reported as a
 * problem with its path, instead of being silently ignored.
 */
import {
  ASSESSMENT_METHODS,
  AUTOMATED_CHECKS,
  CATALOG_LAST_MODIFIED,
  CATALOG_VERSION,
  GROUP_INFO,
  REQUIREMENT_GROUPS,
  REQUIREMENT_ID,
  REQUIREMENTS,
  type AssessmentMethod,
  type AutomatedCheck,
  type Requirement,
  type RequirementGroup,
} from './requirements.js';
import { DATA_CLASS_INFO, isDataClass, profileRequirementIds, type DataClass } from './profiles.js';
import { assertOscal, escapePointer, OSCAL_VERSION, OscalInvalid, validateOscal, type OscalProblem } from '../oscal/validate.js';
import { contentUuid, MUNICLOUD_OSCAL_NS } from '../oscal/uuid.js';

/** NIST's Risk Management Framework namespace, where OSCAL 1.1+ puts the assessment `method` property. */
export const RMF_NS = 'http://csrc.nist.gov/ns/rmf';
const NS = MUNICLOUD_OSCAL_NS;

export interface OscalProp {
  readonly name: string;
  readonly value: string;
  readonly ns?: string;
  readonly class?: string;
}
export interface OscalPart {
  readonly id?: string;
  readonly name: string;
  readonly ns?: string;
  readonly class?: string;
  readonly props?: readonly OscalProp[];
  readonly prose?: string;
  readonly parts?: readonly OscalPart[];
}
export interface OscalControl {
  readonly id: string;
  readonly title: string;
  readonly props?: readonly OscalProp[];
  readonly parts?: readonly OscalPart[];
}
export interface OscalGroup {
  readonly id: string;
  readonly title: string;
  readonly props?: readonly OscalProp[];
  readonly controls?: readonly OscalControl[];
}
export interface OscalMetadata {
  readonly title: string;
  readonly published?: string;
  readonly 'last-modified': string;
  readonly version: string;
  readonly 'oscal-version': string;
  readonly props?: readonly OscalProp[];
}
export interface OscalCatalogDocument {
  readonly catalog: { readonly uuid: string; readonly metadata: OscalMetadata; readonly groups: readonly OscalGroup[] };
}
export interface OscalProfileDocument {
  readonly profile: {
    readonly uuid: string;
    readonly metadata: OscalMetadata;
    readonly imports: readonly [{ readonly href: string; readonly 'include-controls': readonly [{ readonly 'with-ids': readonly string[] }] }];
    readonly merge: { readonly 'as-is': true };
  };
}

export interface CatalogExportOptions {
  /** The catalog's own version (metadata.version), e.g. CATALOG_VERSION. */
  readonly version: string;
  /** When this version was published (ISO 8601 with a time zone). */
  readonly published?: string;
  /** When its content last changed; defaults to `published`, else CATALOG_LAST_MODIFIED, so that exports are reproducible. */
  readonly lastModified?: string;
}

const CATALOG_TITLE = { en: 'municloud requirements catalog for the Government Cloud', ja: 'municloud ガバメントクラウド要件カタログ' };

const jaTitle = (value: string): OscalProp => ({ name: 'title', ns: NS, class: 'ja', value });

/**
 * The catalog as an OSCAL 1.2.1 catalog document. Same input, same output,
 * byte for byte: the uuid is derived from the content (uuid.ts), so it changes
 * exactly when the content does, as OSCAL asks. Throws OscalInvalid if the
 * result would not be valid OSCAL (a title with a line break, say).
 */
export function toOscalCatalog(requirements: readonly Requirement[], options: CatalogExportOptions): OscalCatalogDocument {
  const metadata: OscalMetadata = {
    title: CATALOG_TITLE.en,
    ...(options.published === undefined ? {} : { published: options.published }),
    'last-modified': options.lastModified ?? options.published ?? CATALOG_LAST_MODIFIED,
    version: options.version,
    'oscal-version': OSCAL_VERSION,
    props: [jaTitle(CATALOG_TITLE.ja)],
  };
  const groups = REQUIREMENT_GROUPS.map((group): OscalGroup => {
    const controls = requirements.filter((r) => r.group === group).map(toControl);
    return {
      id: group,
      title: GROUP_INFO[group].title.en,
      props: [jaTitle(GROUP_INFO[group].title.ja)],
      ...(controls.length > 0 ? { controls } : {}),
    };
  });
  const document: OscalCatalogDocument = { catalog: { uuid: contentUuid('catalog', { metadata, groups }), metadata, groups } };
  assertOscal('catalog', document);
  return document;
}

function toControl(r: Requirement): OscalControl {
  const assessmentProps: OscalProp[] = [{ name: 'method', ns: RMF_NS, value: r.assessment.method.toUpperCase() }];
  if (r.assessment.automated !== undefined) assessmentProps.push({ name: 'automated-check', ns: NS, value: r.assessment.automated });
  return {
    id: r.id,
    title: r.title.en,
    props: [
      { name: 'label', value: r.id.toUpperCase() },
      { name: 'sort-id', value: sortId(r.id) },
      jaTitle(r.title.ja),
      ...r.dataClasses.map((dc): OscalProp => ({ name: 'data-class', ns: NS, value: dc })),
    ],
    parts: [
      {
        id: `${r.id}_smt`,
        name: 'statement',
        prose: r.statement.en,
        parts: [{ id: `${r.id}_smt.ja`, name: 'statement', ns: NS, class: 'ja', prose: r.statement.ja }],
      },
      { id: `${r.id}_gdn`, name: 'guidance', prose: r.rationale },
      {
        id: `${r.id}_asm`,
        name: 'assessment-method',
        props: assessmentProps,
        parts: [{ id: `${r.id}_asm.obj`, name: 'assessment-objects', prose: r.assessment.text }],
      },
    ],
  };
}

/** `sec-7` → `sec-007`: ids of two and three digits sort together. */
function sortId(id: string): string {
  const [prefix, number] = id.split('-');
  return `${prefix}-${(number ?? '').padStart(3, '0')}`;
}

/**
 * The requirements of an OSCAL catalog in municloud's mapping. Throws
 * OscalInvalid listing every problem: schema errors first (then nothing else
 * is checked, since the shape is unknown), otherwise every place where the
 * catalog does not fit the mapping.
 */
export function fromOscalCatalog(document: unknown): Requirement[] {
  const schemaProblems = validateOscal('catalog', document);
  if (schemaProblems.length > 0) throw new OscalInvalid('catalog', schemaProblems);
  const catalog = (document as { catalog: Json }).catalog;
  const reader = new Reader();
  const requirements: Requirement[] = [];
  reader.onlyKeys(catalog, '/catalog', ['uuid', 'metadata', 'groups']);
  const groups = arr(catalog.groups);
  if (groups.length === 0) reader.problem('/catalog/groups', 'is required: requirements are grouped by security, legal, data_management and operations');
  const seenGroups = new Map<string, string>();
  const seenIds = new Map<string, string>();
  groups.forEach((group, g) => {
    const gPath = `/catalog/groups/${g}`;
    reader.onlyKeys(group, gPath, ['id', 'title', 'props', 'controls']);
    const groupId = group.id;
    if (!isGroup(groupId)) {
      reader.problem(`${gPath}/id`, `must be one of: ${REQUIREMENT_GROUPS.join(', ')}`);
      return;
    }
    if (seenGroups.has(groupId)) reader.problem(`${gPath}/id`, `repeats the group at ${seenGroups.get(groupId)}`);
    seenGroups.set(groupId, gPath);
    arr(group.controls).forEach((control, c) => {
      const requirement = readControl(reader, control, `${gPath}/controls/${c}`, groupId, seenIds);
      if (requirement) requirements.push(requirement);
    });
  });
  if (reader.problems.length > 0) throw new OscalInvalid('catalog', reader.problems);
  return requirements;
}

function readControl(reader: Reader, control: Json, path: string, group: RequirementGroup, seenIds: Map<string, string>): Requirement | null {
  const before = reader.problems.length;
  reader.onlyKeys(control, path, ['id', 'title', 'props', 'parts']);
  const id = String(control.id);
  if (!REQUIREMENT_ID.test(id)) {
    reader.problem(`${path}/id`, `must be a requirement id: ${GROUP_INFO[group].prefix}- and two or three digits, e.g. ${GROUP_INFO[group].prefix}-01`);
  } else if (!id.startsWith(`${GROUP_INFO[group].prefix}-`)) {
    reader.problem(`${path}/id`, `must start with "${GROUP_INFO[group].prefix}-" in the ${group} group`);
  }
  if (seenIds.has(id)) reader.problem(`${path}/id`, `repeats the requirement id at ${seenIds.get(id)}`);
  seenIds.set(id, path);

  let titleJa: string | undefined;
  const dataClasses: DataClass[] = [];
  arr(control.props).forEach((prop, i) => {
    const at = `${path}/props/${i}`;
    if (isOscalNs(prop.ns) && (prop.name === 'label' || prop.name === 'sort-id')) return; // derived from the id on export
    if (prop.ns === NS && prop.name === 'title' && prop.class === 'ja' && reader.onlyKeys(prop, at, ['name', 'ns', 'class', 'value'])) {
      if (titleJa !== undefined) reader.problem(at, 'repeats the Japanese title');
      titleJa = String(prop.value);
    } else if (prop.ns === NS && prop.name === 'data-class' && reader.onlyKeys(prop, at, ['name', 'ns', 'value'])) {
      if (!isDataClass(prop.value)) reader.problem(`${at}/value`, `must be one of: ${Object.keys(DATA_CLASS_INFO).join(', ')}`);
      else if (dataClasses.includes(prop.value)) reader.problem(`${at}/value`, `repeats the data class ${prop.value}`);
      else dataClasses.push(prop.value);
    } else if (!reader.refusedKeysAt(at)) {
      reader.problem(at, `is not a property of the municloud catalog format (${describeProp(prop)})`);
    }
  });
  if (titleJa === undefined) reader.problem(`${path}/props`, `needs the Japanese title: a prop {"name": "title", "ns": "${NS}", "class": "ja"}`);
  if (dataClasses.length === 0) reader.problem(`${path}/props`, `needs at least one prop {"name": "data-class", "ns": "${NS}"}`);
  else if (!dataClasses.includes('my_number')) reader.problem(`${path}/props`, 'must include the data class my_number: its profile holds every requirement');

  const parts = new Map<string, { part: Json; at: string }>();
  arr(control.parts).forEach((part, i) => {
    const at = `${path}/parts/${i}`;
    const name = String(part.name);
    if (!isOscalNs(part.ns) || !['statement', 'guidance', 'assessment-method'].includes(name)) {
      reader.problem(at, `is not a part of the municloud catalog format (${describeProp(part)})`);
    } else if (parts.has(name)) {
      reader.problem(at, `repeats the ${name} part at ${parts.get(name)!.at}`);
    } else {
      parts.set(name, { part, at });
    }
  });
  for (const name of ['statement', 'guidance', 'assessment-method']) {
    if (!parts.has(name)) reader.problem(`${path}/parts`, `needs a part named "${name}"`);
  }

  const statement = parts.get('statement');
  let statementEn: string | undefined;
  let statementJa: string | undefined;
  if (statement) {
    reader.onlyKeys(statement.part, statement.at, ['id', 'name', 'prose', 'parts']);
    statementEn = reader.prose(statement.part, statement.at);
    let sawJa = false;
    arr(statement.part.parts).forEach((sub, i) => {
      const at = `${statement.at}/parts/${i}`;
      if (sub.name === 'statement' && sub.ns === NS && sub.class === 'ja' && !sawJa) {
        sawJa = true;
        reader.onlyKeys(sub, at, ['id', 'name', 'ns', 'class', 'prose']);
        statementJa = reader.prose(sub, at);
      } else {
        reader.problem(at, `is not a part of the municloud catalog format (${describeProp(sub)}); the statement holds only its Japanese text`);
      }
    });
    if (!sawJa) {
      reader.problem(`${statement.at}/parts`, `needs the Japanese statement: a part {"name": "statement", "ns": "${NS}", "class": "ja"}`);
    }
  }

  const guidance = parts.get('guidance');
  let rationale: string | undefined;
  if (guidance) {
    reader.onlyKeys(guidance.part, guidance.at, ['id', 'name', 'prose']);
    rationale = reader.prose(guidance.part, guidance.at);
  }

  const method = parts.get('assessment-method');
  let assessment: Requirement['assessment'] | undefined;
  if (method) assessment = readAssessment(reader, method.part, method.at);

  if (reader.problems.length > before) return null;
  return {
    id,
    group,
    title: { ja: titleJa!, en: String(control.title) },
    statement: { ja: statementJa!, en: statementEn! },
    rationale: rationale!,
    assessment: assessment!,
    dataClasses,
  };
}

function readAssessment(reader: Reader, part: Json, path: string): Requirement['assessment'] | undefined {
  reader.onlyKeys(part, path, ['id', 'name', 'props', 'parts']);
  let method: AssessmentMethod | undefined;
  let sawMethod = false;
  let automated: AutomatedCheck | undefined;
  arr(part.props).forEach((prop, i) => {
    const at = `${path}/props/${i}`;
    // OSCAL 1.1 moved `method` into the RMF namespace; un-namespaced is the deprecated 1.0 form, still read.
    if (prop.name === 'method' && (prop.ns === RMF_NS || isOscalNs(prop.ns))) {
      const value = String(prop.value).toLowerCase();
      if (sawMethod) reader.problem(at, 'repeats the assessment method');
      else if (!(ASSESSMENT_METHODS as readonly string[]).includes(value) || String(prop.value) !== value.toUpperCase()) {
        reader.problem(`${at}/value`, 'must be one of: EXAMINE, INTERVIEW, TEST');
      } else method = value as AssessmentMethod;
      sawMethod = true;
    } else if (prop.name === 'automated-check' && prop.ns === NS) {
      if (automated !== undefined) reader.problem(at, 'repeats the automated check');
      else if (!Object.hasOwn(AUTOMATED_CHECKS, String(prop.value))) {
        reader.problem(`${at}/value`, `must be one of: ${Object.keys(AUTOMATED_CHECKS).join(', ')}`);
      } else automated = String(prop.value) as AutomatedCheck;
    } else {
      reader.problem(at, `is not a property of the municloud catalog format (${describeProp(prop)})`);
    }
  });
  if (!sawMethod) reader.problem(`${path}/props`, `needs the assessment method: a prop {"name": "method", "ns": "${RMF_NS}"}`);
  let text: string | undefined;
  let sawObjects = false;
  arr(part.parts).forEach((sub, i) => {
    const at = `${path}/parts/${i}`;
    if (sub.name === 'assessment-objects' && isOscalNs(sub.ns) && !sawObjects) {
      sawObjects = true;
      reader.onlyKeys(sub, at, ['id', 'name', 'prose']);
      text = reader.prose(sub, at);
    } else {
      reader.problem(at, `is not a part of the municloud catalog format (${describeProp(sub)})`);
    }
  });
  if (!sawObjects) reader.problem(`${path}/parts`, 'needs a part named "assessment-objects" with the assessment text');
  if (method === undefined || text === undefined) return undefined;
  return automated === undefined ? { method, text } : { method, text, automated };
}

export interface ProfileExportOptions {
  readonly version?: string;
  readonly lastModified?: string;
  /** The catalog the profile selects from; defaults to REQUIREMENTS. */
  readonly requirements?: readonly Requirement[];
}

/**
 * The OSCAL profile of a data class: the catalog at `catalogHref` with the
 * ids of the class's requirements, grouping kept as in the catalog. Throws
 * OscalInvalid if the result is not valid (an href that is not a URI
 * reference, or a class with no requirements).
 */
export function toOscalProfile(dataClass: DataClass, catalogHref: string, options: ProfileExportOptions = {}): OscalProfileDocument {
  const info = DATA_CLASS_INFO[dataClass];
  const metadata: OscalMetadata = {
    title: `municloud profile: ${info.label.en}`,
    'last-modified': options.lastModified ?? CATALOG_LAST_MODIFIED,
    version: options.version ?? CATALOG_VERSION,
    'oscal-version': OSCAL_VERSION,
    props: [jaTitle(`municloud プロファイル：${info.label.ja}`), { name: 'data-class', ns: NS, value: dataClass }],
  };
  const imports = [{ href: catalogHref, 'include-controls': [{ 'with-ids': profileRequirementIds(dataClass, options.requirements ?? REQUIREMENTS) }] }] as const;
  const merge = { 'as-is': true } as const;
  const document: OscalProfileDocument = { profile: { uuid: contentUuid('profile', { metadata, imports, merge }), metadata, imports, merge } };
  assertOscal('profile', document);
  return document;
}

/** A profile that names requirements the catalog does not have; `ids` are those names. */
export class UnknownRequirementIds extends OscalInvalid {
  constructor(
    problems: readonly OscalProblem[],
    readonly ids: readonly string[],
  ) {
    super('profile', problems);
    this.name = 'UnknownRequirementIds';
  }
}

/**
 * The requirement ids a profile selects, in catalog order: its imports'
 * include-all or include-controls (by id or by glob pattern), less its
 * exclude-controls. Throws OscalInvalid for a document that is not a valid
 * profile, and UnknownRequirementIds naming every id (with its path) that is
 * not in `requirements`. The imports' hrefs are not followed: ids are resolved
 * against `requirements`, which is what makes an unknown id detectable.
 */
export function profileIds(document: unknown, requirements: readonly Requirement[] = REQUIREMENTS): string[] {
  const schemaProblems = validateOscal('profile', document);
  if (schemaProblems.length > 0) throw new OscalInvalid('profile', schemaProblems);
  const all = requirements.map((r) => r.id);
  const known = new Set(all);
  const unknown: OscalProblem[] = [];
  const unknownIds: string[] = [];
  const otherProblems: OscalProblem[] = [];
  const included = new Set<string>();
  const excluded = new Set<string>();

  const select = (selection: Json, at: string, into: Set<string>) => {
    const withIds = arr(selection['with-ids'] as Json[] | undefined);
    const matching = arr(selection.matching as Json[] | undefined);
    if (withIds.length === 0 && matching.length === 0) otherProblems.push({ path: at, message: 'selects nothing: give with-ids or matching' });
    (selection['with-ids'] as unknown[] | undefined)?.forEach((id, k) => {
      const value = String(id);
      if (known.has(value)) into.add(value);
      else {
        unknown.push({ path: `${at}/with-ids/${k}`, message: `unknown requirement id "${value}"` });
        if (!unknownIds.includes(value)) unknownIds.push(value);
      }
    });
    matching.forEach((m, k) => {
      const pattern = globToRegExp(String(m.pattern));
      const hits = all.filter((id) => pattern.test(id));
      if (hits.length === 0) otherProblems.push({ path: `${at}/matching/${k}/pattern`, message: `matches no requirement id` });
      for (const id of hits) into.add(id);
    });
  };

  arr((document as { profile: Json }).profile.imports as Json[]).forEach((imp, i) => {
    const at = `/profile/imports/${i}`;
    if (imp['include-all'] !== undefined) for (const id of all) included.add(id);
    arr(imp['include-controls'] as Json[] | undefined).forEach((s, j) => select(s, `${at}/include-controls/${j}`, included));
    arr(imp['exclude-controls'] as Json[] | undefined).forEach((s, j) => select(s, `${at}/exclude-controls/${j}`, excluded));
  });
  if (unknown.length > 0) throw new UnknownRequirementIds([...unknown, ...otherProblems], unknownIds);
  if (otherProblems.length > 0) throw new OscalInvalid('profile', otherProblems);
  return all.filter((id) => included.has(id) && !excluded.has(id));
}

/** OSCAL's `matching` patterns are globs: `*` any run of characters, `?` one character. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

// ---- reading helpers -------------------------------------------------------

/** A JSON object already validated against the schema: its shape is known, its content not yet. */
type Json = Record<string, unknown>;

function arr(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function isGroup(value: unknown): value is RequirementGroup {
  return typeof value === 'string' && (REQUIREMENT_GROUPS as readonly string[]).includes(value);
}

/** No ns means OSCAL's own namespace, as does OSCAL's namespace URI spelled out. */
function isOscalNs(ns: unknown): boolean {
  return ns === undefined || ns === 'http://csrc.nist.gov/ns/oscal';
}

function describeProp(item: Json): string {
  const parts = [`name "${String(item.name)}"`];
  if (item.ns !== undefined) parts.push(`ns "${String(item.ns)}"`);
  if (item.class !== undefined) parts.push(`class "${String(item.class)}"`);
  return parts.join(', ');
}

class Reader {
  readonly problems: OscalProblem[] = [];
  private readonly refused = new Set<string>();

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Reports each key of `node` outside `allowed`; true when there was none. */
  onlyKeys(node: Json, path: string, allowed: readonly string[]): boolean {
    let ok = true;
    for (const key of Object.keys(node)) {
      if (!allowed.includes(key)) {
        this.problem(`${path}/${escapePointer(key)}`, 'is not part of the municloud catalog format, and would be lost on import');
        this.refused.add(path);
        ok = false;
      }
    }
    return ok;
  }

  refusedKeysAt(path: string): boolean {
    return this.refused.has(path);
  }

  /** A part's prose, which must hold text: the schema admits an empty string. */
  prose(part: Json, path: string): string | undefined {
    const prose = part.prose;
    if (typeof prose !== 'string' || prose.trim() === '') {
      this.problem(`${path}/prose`, 'must hold the text');
      return undefined;
    }
    return prose;
  }
}
