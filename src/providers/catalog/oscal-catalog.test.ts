import { describe, expect, it } from 'vitest';
import { OscalInvalid, validateOscal, type OscalProblem } from '../oscal/validate.js';
import { DATA_CLASSES, profileRequirementIds } from './profiles.js';
import { CATALOG_LAST_MODIFIED, CATALOG_VERSION, GROUP_INFO, REQUIREMENT_GROUPS, REQUIREMENTS, type Requirement } from './requirements.js';
import {
  fromOscalCatalog,
  profileIds,
  RMF_NS,
  toOscalCatalog,
  toOscalProfile,
  UnknownRequirementIds,
  type OscalCatalogDocument,
  type OscalPart,
} from './oscal-catalog.js';

const NS = 'urn:municloud:oscal';
const exported = toOscalCatalog(REQUIREMENTS, { version: CATALOG_VERSION });

/** A mutable JSON copy of the export, to break. */
function copy(): { catalog: { groups: { id: string; controls: Record<string, unknown>[] }[] } & Record<string, unknown> } {
  return JSON.parse(JSON.stringify(exported));
}

function problemsOf(fn: () => unknown): readonly OscalProblem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof OscalInvalid) return e.problems;
    throw e;
  }
  throw new Error('expected OscalInvalid');
}

function allParts(parts: readonly OscalPart[] | undefined): OscalPart[] {
  return (parts ?? []).flatMap((p) => [p, ...allParts(p.parts)]);
}

describe('toOscalCatalog', () => {
  it('produces a catalog that NIST’s OSCAL 1.2.1 schema accepts', () => {
    expect(validateOscal('catalog', exported)).toEqual([]);
  });

  it('is reproducible: the same content gives the same bytes, uuid included', () => {
    const again = toOscalCatalog(REQUIREMENTS, { version: CATALOG_VERSION });
    expect(JSON.stringify(again)).toBe(JSON.stringify(exported));
  });

  it('changes the uuid when the content changes', () => {
    const changed = REQUIREMENTS.map((r, i) => (i === 0 ? { ...r, rationale: `${r.rationale} Changed.` } : r));
    expect(toOscalCatalog(changed, { version: CATALOG_VERSION }).catalog.uuid).not.toBe(exported.catalog.uuid);
    expect(toOscalCatalog(REQUIREMENTS, { version: '1.0.1' }).catalog.uuid).not.toBe(exported.catalog.uuid);
  });

  it('writes the metadata: title, version, OSCAL version, last-modified and, when given, published', () => {
    const m = exported.catalog.metadata;
    expect(m).toMatchObject({ version: CATALOG_VERSION, 'oscal-version': '1.2.1', 'last-modified': CATALOG_LAST_MODIFIED });
    expect(m.published).toBeUndefined();
    const published = toOscalCatalog(REQUIREMENTS, { version: '2.0.0', published: '2027-04-01T00:00:00+09:00' }).catalog.metadata;
    expect(published).toMatchObject({ version: '2.0.0', published: '2027-04-01T00:00:00+09:00', 'last-modified': '2027-04-01T00:00:00+09:00' });
  });

  it('has one group per requirement group, each holding its requirements in order', () => {
    expect(exported.catalog.groups.map((g) => [g.id, g.title])).toEqual(REQUIREMENT_GROUPS.map((g) => [g, GROUP_INFO[g].title.en]));
    for (const group of exported.catalog.groups) {
      expect(group.controls?.map((c) => c.id)).toEqual(REQUIREMENTS.filter((r) => r.group === group.id).map((r) => r.id));
      expect(group.props).toEqual([{ name: 'title', ns: NS, class: 'ja', value: GROUP_INFO[group.id as Requirement['group']].title.ja }]);
    }
  });

  it('keeps to OSCAL’s allowed names: its own vocabulary un-namespaced, municloud’s in urn:municloud:oscal', () => {
    const partIds = new Set<string>();
    for (const control of exported.catalog.groups.flatMap((g) => g.controls ?? [])) {
      for (const prop of control.props ?? []) if (prop.ns === undefined) expect(['label', 'sort-id']).toContain(prop.name);
      for (const part of control.parts ?? []) if (part.ns === undefined) expect(['statement', 'guidance', 'assessment-method']).toContain(part.name);
      const statement = control.parts?.find((p) => p.name === 'statement');
      for (const item of allParts(statement?.parts)) expect(item.ns).toBe(NS);
      const method = control.parts?.find((p) => p.name === 'assessment-method');
      expect(method?.props?.find((p) => p.name === 'method')).toMatchObject({ ns: RMF_NS, value: expect.stringMatching(/^(EXAMINE|INTERVIEW|TEST)$/) });
      for (const item of method?.parts ?? []) expect(item.name).toBe('assessment-objects');
      for (const part of allParts(control.parts)) {
        expect(partIds.has(part.id!), part.id).toBe(false);
        partIds.add(part.id!);
      }
    }
  });

  it('refuses to export something OSCAL would not accept, naming where', () => {
    const broken = [{ ...REQUIREMENTS[0]!, title: { ja: 'タイトル', en: 'two\nlines' } }];
    expect(problemsOf(() => toOscalCatalog(broken, { version: '1' }))).toEqual([
      { path: '/catalog/groups/0/controls/0/title', message: 'must be a single line of text' },
    ]);
  });
});

describe('fromOscalCatalog', () => {
  it('round-trips the catalog exactly', () => {
    expect(fromOscalCatalog(exported)).toEqual(REQUIREMENTS);
    expect(fromOscalCatalog(JSON.parse(JSON.stringify(exported)))).toStrictEqual([...REQUIREMENTS]);
  });

  it('round-trips requirements without a self-check and with every method', () => {
    const some = REQUIREMENTS.filter((r) => r.assessment.automated === undefined).slice(0, 3);
    const methods = ['examine', 'interview', 'test'] as const;
    const varied = some.map((r, i) => ({ ...r, assessment: { method: methods[i]!, text: r.assessment.text } }));
    expect(fromOscalCatalog(toOscalCatalog(varied, { version: '1' }))).toStrictEqual(varied);
  });

  it('reads the deprecated un-namespaced assessment method of OSCAL 1.0', () => {
    const doc = copy();
    const method = (doc.catalog.groups[0]!.controls[0]!.parts as { name: string; props: { ns?: string }[] }[]).find((p) => p.name === 'assessment-method')!;
    delete method.props[0]!.ns;
    expect(fromOscalCatalog(doc)[0]).toEqual(REQUIREMENTS[0]);
  });

  it('lists schema problems with their paths and reads nothing else', () => {
    const doc = copy();
    delete doc.catalog.uuid;
    doc.catalog.groups[0]!.controls[2]!.id = '3x';
    expect(problemsOf(() => fromOscalCatalog(doc))).toEqual([
      { path: '/catalog/uuid', message: 'is required' },
      { path: '/catalog/groups/0/controls/2/id', message: "must be a token: a letter or '_', then letters, digits, '.', '-' or '_'" },
    ]);
  });

  it('refuses a document of another model', () => {
    expect(problemsOf(() => fromOscalCatalog(toOscalProfile('general', 'catalog.json')))).toEqual([
      { path: '', message: 'must be an OSCAL catalog document (root key "catalog"); root key found: "profile"' },
    ]);
  });

  it('lists every place where a valid OSCAL catalog does not fit the mapping', () => {
    const doc = copy();
    const [security, legal] = doc.catalog.groups;
    const c0 = security!.controls[0]!;
    const c1 = security!.controls[1]!;
    const c2 = security!.controls[2]!;
    const parts = (c: Record<string, unknown>) => c.parts as Record<string, unknown>[];
    const props = (c: Record<string, unknown>) => c.props as Record<string, unknown>[];
    c0.id = 'leg-99'; // in the wrong group
    c2.id = 'sec-02'; // repeats c1's id
    c0.links = [{ href: '#sec-02', rel: 'related' }]; // would be lost
    parts(c1).splice(1, 1); // no guidance
    props(c1).push({ name: 'impact', value: 'high' }); // unknown OSCAL-namespace prop
    props(c2).splice(2, 1); // no Japanese title
    props(c2).filter((p) => p.name === 'data-class').forEach((p) => (p.value = 'secret'));
    const method = parts(c2).find((p) => p.name === 'assessment-method')!;
    (method.props as Record<string, unknown>[])[0]!.value = 'Examine';
    legal!.id = 'law';
    const problems = problemsOf(() => fromOscalCatalog(doc));
    expect(problems).toEqual([
      { path: '/catalog/groups/0/controls/0/links', message: 'is not part of the municloud catalog format, and would be lost on import' },
      { path: '/catalog/groups/0/controls/0/id', message: 'must start with "sec-" in the security group' },
      { path: '/catalog/groups/0/controls/1/props/6', message: 'is not a property of the municloud catalog format (name "impact")' },
      { path: '/catalog/groups/0/controls/1/parts', message: 'needs a part named "guidance"' },
      { path: '/catalog/groups/0/controls/2/id', message: 'repeats the requirement id at /catalog/groups/0/controls/1' },
      { path: '/catalog/groups/0/controls/2/props/2/value', message: 'must be one of: my_number, personal, general' },
      { path: '/catalog/groups/0/controls/2/props/3/value', message: 'must be one of: my_number, personal, general' },
      { path: '/catalog/groups/0/controls/2/props/4/value', message: 'must be one of: my_number, personal, general' },
      { path: '/catalog/groups/0/controls/2/props', message: 'needs the Japanese title: a prop {"name": "title", "ns": "urn:municloud:oscal", "class": "ja"}' },
      { path: '/catalog/groups/0/controls/2/props', message: 'needs at least one prop {"name": "data-class", "ns": "urn:municloud:oscal"}' },
      { path: '/catalog/groups/0/controls/2/parts/2/props/0/value', message: 'must be one of: EXAMINE, INTERVIEW, TEST' },
      { path: '/catalog/groups/1/id', message: 'must be one of: security, legal, data_management, operations' },
    ]);
  });

  it('refuses empty text, a missing Japanese statement, an unknown self-check and a class list without my_number', () => {
    const doc = copy();
    const control = doc.catalog.groups[0]!.controls[2]!; // sec-03 has a self-check
    const parts = control.parts as Record<string, unknown>[];
    const statement = parts.find((p) => p.name === 'statement')!;
    statement.prose = '  ';
    delete statement.parts;
    const method = parts.find((p) => p.name === 'assessment-method')!;
    (method.props as Record<string, unknown>[])[1]!.value = 'vibes';
    control.props = (control.props as { name: string; value: string }[]).filter((p) => p.name !== 'data-class' || p.value === 'general');
    expect(problemsOf(() => fromOscalCatalog(doc))).toEqual([
      { path: '/catalog/groups/0/controls/2/props', message: 'must include the data class my_number: its profile holds every requirement' },
      { path: '/catalog/groups/0/controls/2/parts/0/prose', message: 'must hold the text' },
      {
        path: '/catalog/groups/0/controls/2/parts/0/parts',
        message: 'needs the Japanese statement: a part {"name": "statement", "ns": "urn:municloud:oscal", "class": "ja"}',
      },
      {
        path: '/catalog/groups/0/controls/2/parts/2/props/1/value',
        message: expect.stringMatching(/^must be one of: data-in-japan, provider-certified, keys-in-hsm, /),
      },
    ]);
  });

  it('refuses controls outside groups, nested groups and catalog parameters', () => {
    const doc = copy() as unknown as { catalog: Record<string, unknown> & { groups: Record<string, unknown>[] } };
    doc.catalog.controls = [{ id: 'x-01', title: 'Loose' }];
    doc.catalog.groups[3]!.groups = [{ id: 'inner', title: 'Inner', controls: [{ id: 'ops-99', title: 'x' }] }];
    delete doc.catalog.groups[3]!.controls;
    expect(problemsOf(() => fromOscalCatalog(doc)).map((p) => p.path)).toEqual(['/catalog/controls', '/catalog/groups/3/groups']);
  });

  it('leaves the document it was given unchanged', () => {
    const doc = copy();
    doc.catalog.groups[0]!.controls[0]!.id = 'sec-1x';
    const before = JSON.stringify(doc);
    expect(() => fromOscalCatalog(doc)).toThrow(OscalInvalid);
    fromOscalCatalog(exported);
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('profiles in OSCAL', () => {
  it.each(DATA_CLASSES)('the %s profile is valid OSCAL and selects exactly its requirements', (dataClass) => {
    const profile = toOscalProfile(dataClass, 'municloud-catalog.json');
    expect(validateOscal('profile', profile)).toEqual([]);
    expect(profile.profile.imports[0]['include-controls'][0]['with-ids']).toEqual(profileRequirementIds(dataClass));
    expect(profile.profile.metadata.props).toContainEqual({ name: 'data-class', ns: NS, value: dataClass });
    expect(profileIds(profile)).toEqual(profileRequirementIds(dataClass));
  });

  it('gives each profile its own stable uuid', () => {
    const uuids = DATA_CLASSES.map((dc) => toOscalProfile(dc, 'c.json').profile.uuid);
    expect(new Set(uuids).size).toBe(3);
    expect(toOscalProfile('personal', 'c.json').profile.uuid).toBe(uuids[1]);
    expect(toOscalProfile('personal', 'other.json').profile.uuid).not.toBe(uuids[1]);
  });

  it('refuses to export a profile whose href is not a URI reference', () => {
    expect(problemsOf(() => toOscalProfile('general', 'has space and %zz'))).toEqual([
      { path: '/profile/imports/0/href', message: 'must be a URI reference' },
    ]);
  });

  it('refuses unknown requirement ids, naming each with its path', () => {
    const profile = JSON.parse(JSON.stringify(toOscalProfile('general', 'c.json')));
    const ids: string[] = profile.profile.imports[0]['include-controls'][0]['with-ids'];
    ids.splice(3, 0, 'sec-99');
    ids.push('xyz-01');
    profile.profile.imports[0]['exclude-controls'] = [{ 'with-ids': ['ops-99'] }];
    let caught: unknown;
    try {
      profileIds(profile);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UnknownRequirementIds);
    const error = caught as UnknownRequirementIds;
    expect(error.ids).toEqual(['sec-99', 'xyz-01', 'ops-99']);
    expect(error.problems).toEqual([
      { path: '/profile/imports/0/include-controls/0/with-ids/3', message: 'unknown requirement id "sec-99"' },
      { path: `/profile/imports/0/include-controls/0/with-ids/${ids.length - 1}`, message: 'unknown requirement id "xyz-01"' },
      { path: '/profile/imports/0/exclude-controls/0/with-ids/0', message: 'unknown requirement id "ops-99"' },
    ]);
  });

  it('reads include-all, exclusions and glob patterns', () => {
    const base = toOscalProfile('general', 'c.json').profile;
    const allButLegal = { profile: { ...base, imports: [{ href: 'c.json', 'include-all': {}, 'exclude-controls': [{ matching: [{ pattern: 'leg-*' }] }] }] } };
    expect(profileIds(allButLegal)).toEqual(REQUIREMENTS.filter((r) => r.group !== 'legal').map((r) => r.id));
    const someSecurity = { profile: { ...base, imports: [{ href: 'c.json', 'include-controls': [{ matching: [{ pattern: 'sec-0?' }] }, { 'with-ids': ['ops-01'] }] }] } };
    expect(profileIds(someSecurity)).toEqual([...REQUIREMENTS.filter((r) => /^sec-0\d$/.test(r.id)).map((r) => r.id), 'ops-01']);
  });

  it('refuses a pattern that matches nothing and a selection of nothing', () => {
    const base = toOscalProfile('general', 'c.json').profile;
    const doc = { profile: { ...base, imports: [{ href: 'c.json', 'include-controls': [{ matching: [{ pattern: 'sec-9*' }] }, {}] }] } };
    expect(problemsOf(() => profileIds(doc))).toEqual([
      { path: '/profile/imports/0/include-controls/0/matching/0/pattern', message: 'matches no requirement id' },
      { path: '/profile/imports/0/include-controls/1', message: 'selects nothing: give with-ids or matching' },
    ]);
  });

  it('refuses an invalid profile with the schema’s problems', () => {
    const doc = JSON.parse(JSON.stringify(toOscalProfile('general', 'c.json')));
    delete doc.profile.imports;
    doc.profile.metadata['oscal-version'] = ' 1.2.1';
    expect(problemsOf(() => profileIds(doc))).toEqual([
      { path: '/profile/imports', message: 'is required' },
      { path: '/profile/metadata/oscal-version', message: 'must be non-empty text without leading or trailing whitespace' },
    ]);
  });
});

// The type is exported for callers that store or serve the document.
const typed: OscalCatalogDocument = exported;
void typed;
