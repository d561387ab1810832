import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OSCAL_MODELS, OscalInvalid, assertOscal, oscalSchema, oscalSchemasDir, validateOscal, type OscalModel } from './validate.js';

const metadata = { title: 'Example', 'last-modified': '2026-04-01T09:00:00+09:00', version: '1.0', 'oscal-version': '1.2.1' };
const uuid = (n: number) => `2b1a4a1e-6c3d-4d5e-8f90-${String(n).padStart(12, '0')}`;

/** The smallest document of each model, shaped after NIST's examples. */
const MINIMAL: Record<OscalModel, object> = {
  catalog: {
    catalog: {
      uuid: uuid(1),
      metadata,
      groups: [{ id: 'ac', title: 'Access Control', controls: [{ id: 'ac-1', title: 'Policy and Procedures', parts: [{ id: 'ac-1_smt', name: 'statement', prose: 'Develop a policy.' }] }] }],
    },
  },
  profile: { profile: { uuid: uuid(2), metadata, imports: [{ href: 'catalog.json', 'include-controls': [{ 'with-ids': ['ac-1'] }] }] } },
  'component-definition': {
    'component-definition': {
      uuid: uuid(3),
      metadata,
      components: [{ uuid: uuid(4), type: 'service', title: 'Database', description: 'The cells.', purpose: 'Holds tenant data.' }],
    },
  },
  'assessment-plan': {
    'assessment-plan': { uuid: uuid(5), metadata, 'import-ssp': { href: 'ssp.json' }, 'reviewed-controls': { 'control-selections': [{ 'include-all': {} }] } },
  },
  'assessment-results': {
    'assessment-results': {
      uuid: uuid(6),
      metadata,
      'import-ap': { href: 'ap.json' },
      results: [
        {
          uuid: uuid(7),
          title: 'Annual assessment',
          description: 'Self-checks of the platform.',
          start: '2026-04-01T09:00:00+09:00',
          'reviewed-controls': { 'control-selections': [{ 'include-all': {} }] },
        },
      ],
    },
  },  'system-security-plan': {
    'system-security-plan': {
      uuid: uuid(8),
      metadata,
      'import-profile': { href: 'profile.json' },
      'system-characteristics': {
        'system-ids': [{ 'identifier-type': 'https://example.org/ids', id: 'system-1' }],
        'system-name': 'Resident register',
        description: 'One municipality on the platform.',
        'system-information': { 'information-types': [{ title: 'Resident records', description: 'Who lives where.' }] },
        status: { state: 'operational' },
        'authorization-boundary': { description: 'The municipality’s tenant.' },
      },
      'system-implementation': { components: [{ uuid: uuid(9), type: 'this-system', title: 'Platform', description: 'The tenant.', status: { state: 'operational' } }] },
      'control-implementation': { description: 'How the profile is met.', 'implemented-requirements': [{ uuid: uuid(10), 'control-id': 'ac-1' }] },
    },
  },
  'plan-of-action-and-milestones': {
    'plan-of-action-and-milestones': {
      uuid: uuid(11),
      metadata,
      'system-id': { 'identifier-type': 'https://example.org/ids', id: 'system-1' },
      'poam-items': [{ uuid: uuid(12), title: 'Renew the registration', description: 'The provider’s registration lapses.' }],
    },
  },
};

const clone = <T>(value: T): T => structuredClone(value);

describe('the vendored OSCAL 1.2.1 schemas', () => {
  it('are found from the source tree, one per model, and unchanged since vendoring (sha256 in oscal/README.md)', () => {
    const dir = oscalSchemasDir();
    const readme = readFileSync(path.join(dir, '..', 'README.md'), 'utf8');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(OSCAL_MODELS.length);
    for (const file of files) {
      const digest = createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex');
      expect(readme, file).toContain(`${digest}  ${file}`);
    }
  });

  it.each(OSCAL_MODELS)('%s is a draft-07 schema of release 1.2.1 that compiles, and a minimal document passes', (model) => {
    const schema = oscalSchema(model);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(String(schema.$id)).toContain('/1.2.1/');
    expect(validateOscal(model, MINIMAL[model])).toEqual([]);
  });
});

describe('validateOscal', () => {
  it('accepts non-ASCII letters in tokens (the schemas’ \\p{L} patterns need unicode regular expressions)', () => {
    const doc = clone(MINIMAL.catalog) as { catalog: { groups: { id: string }[] } };
    doc.catalog.groups[0]!.id = 'アクセス制御';
    expect(validateOscal('catalog', doc)).toEqual([]);
  });

  it('reports a missing uuid at the place it belongs', () => {
    const doc = clone(MINIMAL.catalog) as { catalog: Record<string, unknown> };
    delete doc.catalog.uuid;
    expect(validateOscal('catalog', doc)).toEqual([{ path: '/catalog/uuid', message: 'is required' }]);
  });

  it('reports a wrong type with its pointer', () => {
    const doc = clone(MINIMAL.catalog) as { catalog: { metadata: Record<string, unknown> } };
    doc.catalog.metadata.version = 1;
    expect(validateOscal('catalog', doc)).toEqual([{ path: '/catalog/metadata/version', message: 'must be a string' }]);
  });

  it('reports a bad control id inside a group without the noise of the group’s other shape', () => {
    const doc = clone(MINIMAL.catalog) as { catalog: { groups: { controls: { id: string; title: string }[] }[] } };
    const controls = doc.catalog.groups[0]!.controls;
    controls.push({ id: 'ac-2', title: 'x' }, { id: 'ac-3', title: 'y' }, { id: '4 bad', title: 'z' });
    expect(validateOscal('catalog', doc)).toEqual([
      { path: '/catalog/groups/0/controls/3/id', message: "must be a token: a letter or '_', then letters, digits, '.', '-' or '_'" },
    ]);
  });

  it('lists every problem at once, in nested groups too', () => {
    const doc = {
      catalog: {
        uuid: 'not-a-uuid',
        metadata: { ...metadata, 'last-modified': '2026-04-01T09:00:00' },
        groups: [{ id: 'g', title: 'G', groups: [{ id: 'h', title: 'H', controls: [{ id: 'c1', title: 'c', parts: [{ name: 'statement', prose: 1 }] }] }] }],
        extra: true,
      },
    };
    expect(validateOscal('catalog', doc)).toEqual([
      { path: '/catalog/extra', message: 'is not allowed here' },
      { path: '/catalog/uuid', message: 'must be a version 4 or 5 UUID (RFC 4122)' },
      // One message, though both the schema's format and its pattern fail.
      { path: '/catalog/metadata/last-modified', message: 'must be a date and time with a time zone, e.g. 2026-04-01T09:00:00+09:00' },
      { path: '/catalog/groups/0/groups/0/controls/0/parts/0/prose', message: 'must be a string' },
    ]);
  });

  it('refuses a version 1 UUID', () => {
    const doc = clone(MINIMAL.catalog) as { catalog: { uuid: string } };
    doc.catalog.uuid = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
    expect(validateOscal('catalog', doc).map((p) => p.path)).toEqual(['/catalog/uuid']);
  });

  it('reports a title with a line break, and an empty array', () => {
    const doc = clone(MINIMAL.catalog) as { catalog: { metadata: { title: string }; groups: { controls: unknown[] }[] } };
    doc.catalog.metadata.title = 'two\nlines';
    doc.catalog.groups[0]!.controls = [];
    expect(validateOscal('catalog', doc)).toEqual([
      { path: '/catalog/metadata/title', message: 'must be a single line of text' },
      { path: '/catalog/groups/0/controls', message: 'must have at least 1 item' },
    ]);
  });

  it('joins the alternatives of a scalar that matches none of them', () => {
    const doc = clone(MINIMAL.catalog) as { catalog: { groups: { controls: { links?: unknown[] }[] }[] } };
    doc.catalog.groups[0]!.controls[0]!.links = [{ href: '#ac-2', rel: '1 related' }];
    const problems = validateOscal('catalog', doc);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('/catalog/groups/0/controls/0/links/0/rel');
    expect(problems[0]!.message).toMatch(/must be a token.*, or must be one of: "reference"/);
  });

  it('picks the branch a profile import meant (include-controls), not the include-all one', () => {
    const doc = { profile: { uuid: uuid(2), metadata, imports: [{ href: 'c.json', 'include-controls': [{ 'with-ids': ['ok', '9-bad'] }] }] } };
    expect(validateOscal('profile', doc)).toEqual([
      { path: '/profile/imports/0/include-controls/0/with-ids/1', message: "must be a token: a letter or '_', then letters, digits, '.', '-' or '_'" },
    ]);
  });

  it('checks the root key before anything else', () => {
    expect(validateOscal('catalog', MINIMAL.profile)).toEqual([
      { path: '', message: 'must be an OSCAL catalog document (root key "catalog"); root key found: "profile"' },
    ]);
    expect(validateOscal('profile', {})).toEqual([{ path: '', message: 'must be an OSCAL profile document (root key "profile"); root key found: none' }]);
    expect(validateOscal('catalog', [])).toEqual([{ path: '', message: 'must be a JSON object with the root key "catalog"' }]);
    expect(validateOscal('catalog', null)).toEqual([{ path: '', message: 'must be a JSON object with the root key "catalog"' }]);
  });

  it('refuses a second root key beside the right one, and admits $schema', () => {
    expect(validateOscal('catalog', { ...MINIMAL.catalog, profile: {} })).toEqual([{ path: '/profile', message: 'is not allowed here' }]);
    expect(validateOscal('catalog', { $schema: 'oscal_catalog_schema.json', ...MINIMAL.catalog })).toEqual([]);
  });

  it('escapes JSON pointer tokens', () => {
    const doc = clone(MINIMAL.catalog) as { catalog: Record<string, unknown> };
    doc.catalog['a/b~c'] = 1;
    expect(validateOscal('catalog', doc)).toEqual([{ path: '/catalog/a~1b~0c', message: 'is not allowed here' }]);
  });

  it('assertOscal throws OscalInvalid carrying every problem', () => {
    const doc = { catalog: { metadata: { title: 'x' } } };
    let caught: unknown;
    try {
      assertOscal('catalog', doc);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OscalInvalid);
    const error = caught as OscalInvalid;
    expect(error.model).toBe('catalog');
    expect(error.problems.map((p) => p.path)).toEqual([
      '/catalog/uuid',
      '/catalog/metadata/last-modified',
      '/catalog/metadata/version',
      '/catalog/metadata/oscal-version',
    ]);
    expect(error.message).toContain('/catalog/uuid is required');
  });
});
