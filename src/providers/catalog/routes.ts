/**
 * The requirements catalog over the API: public, like the linkage event
 * catalogue, since a provider prepares its proposal against it. The catalog and
 * each data class's profile as OSCAL 1.2.1 JSON (exactly what the CLI exports),
 * a plain listing for people, and a check of any OSCAL document a provider or
 * assessor means to submit, answering every schema problem with its path.
 */
import { Type } from 'typebox';
import { Problem } from '../../platform/errors.js';
import type { App, Platform } from '../../platform/http/server.js';
import { oscalProblem } from '../oscal/problems.js';
import { OSCAL_MODELS, OscalInvalid, validateOscal, type OscalModel } from '../oscal/validate.js';
import { fromOscalCatalog, profileIds, toOscalCatalog, toOscalProfile } from './oscal-catalog.js';
import { DATA_CLASS_INFO, DATA_CLASSES, isDataClass, profileRequirementIds } from './profiles.js';
import { CATALOG_PATH } from './published.js';
import { CATALOG_VERSION, REQUIREMENT_GROUPS, REQUIREMENTS } from './requirements.js';

const TAGS = ['requirements'];
/** An OSCAL document of the whole catalog is about 200 KB; component definitions and results with long prose can be larger. */
export const OSCAL_BODY_LIMIT = 1024 * 1024;

const Text = Type.Object({ ja: Type.String(), en: Type.String() });

export function requirementsRoutes(app: App, _platform: Platform): void {
  app.get(
    '/v1/requirements',
    {
      config: { access: { roles: 'public' } },
      schema: {
        tags: TAGS,
        summary: 'The requirements a cloud provider is certified against: id, group, title and the data-class profiles that include each',
        querystring: Type.Object(
          {
            group: Type.Optional(Type.Union(REQUIREMENT_GROUPS.map((g) => Type.Literal(g)))),
            dataClass: Type.Optional(Type.Union(DATA_CLASSES.map((c) => Type.Literal(c)))),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            version: Type.String(),
            items: Type.Array(Type.Object({ id: Type.String(), group: Type.String(), title: Text, statement: Text, dataClasses: Type.Array(Type.String()) })),
          }),
        },
      },
    },
    async (request) => {
      const { group, dataClass } = request.query;
      const inProfile = dataClass ? new Set(profileRequirementIds(dataClass)) : null;
      return {
        version: CATALOG_VERSION,
        items: REQUIREMENTS.filter((r) => (!group || r.group === group) && (!inProfile || inProfile.has(r.id))).map((r) => ({
          id: r.id,
          group: r.group,
          title: r.title,
          statement: r.statement,
          dataClasses: [...r.dataClasses],
        })),
      };
    },
  );

  app.get(
    CATALOG_PATH,
    { config: { access: { roles: 'public' } }, schema: { tags: TAGS, summary: 'The requirements catalog as an OSCAL 1.2.1 catalog (JSON)' } },
    async () => toOscalCatalog(REQUIREMENTS, { version: CATALOG_VERSION }),
  );

  app.get(
    '/v1/requirements/profiles/:dataClass',
    {
      config: { access: { roles: 'public' } },
      schema: {
        tags: TAGS,
        summary: `A data class's profile as an OSCAL 1.2.1 profile (JSON) importing the catalog: ${DATA_CLASSES.map((c) => `${c} (${DATA_CLASS_INFO[c].label.en})`).join(', ')}`,
        params: Type.Object({ dataClass: Type.String({ maxLength: 32 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { dataClass } = request.params;
      if (!isDataClass(dataClass)) throw new Problem('not_found');
      return toOscalProfile(dataClass, CATALOG_PATH, { version: CATALOG_VERSION });
    },
  );

  app.post(
    '/v1/requirements/oscal-checks',
    {
      config: { access: { roles: ['platform_operator'] } },
      bodyLimit: OSCAL_BODY_LIMIT,
      schema: {
        tags: TAGS,
        summary:
          'Check an OSCAL document against NIST’s OSCAL 1.2.1 JSON schema (and a catalog or profile against this catalog): 200 when valid, else 422 oscal_invalid listing every problem with its path. Nothing is stored.',
        body: Type.Object(
          { model: Type.Union(OSCAL_MODELS.map((m: OscalModel) => Type.Literal(m))), document: Type.Record(Type.String(), Type.Unknown()) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ model: Type.String(), valid: Type.Literal(true), requirementIds: Type.Optional(Type.Array(Type.String())) }) },
      },
    },
    async (request) => {
      const { model, document } = request.body;
      try {
        // A catalog must also read back into requirements losslessly; a profile must name only known ids.
        if (model === 'catalog') return { model, valid: true as const, requirementIds: fromOscalCatalog(document).map((r) => r.id) };
        if (model === 'profile') return { model, valid: true as const, requirementIds: profileIds(document) };
        const problems = validateOscal(model, document);
        if (problems.length > 0) throw new OscalInvalid(model, problems);
        return { model, valid: true as const };
      } catch (err) {
        if (err instanceof OscalInvalid) throw oscalProblem(err, 'body/document');
        throw err;
      }
    },
  );
}
