/**
 * A provider's statement of how its cloud services meet the requirements: an
 * OSCAL component definition, read into claims, and written back from claims
 * (for export and tests). Pure.
 *
 * Conventions (docs/assessments.md, "Component definitions"):
 * - each component is one cloud service, named by a prop
 *   `{ "name": "municloud-service-id", "ns": "urn:municloud:oscal", "value": "<service id>" }`;
 * - each implemented requirement is one claim: its `control-id` is a
 *   requirement id of the catalog, its `description` says how the service meets it;
 * - a claim met by a partner's certified service (a joint proposal) carries a prop
 *   `{ "name": "inherited-from", "ns": "urn:municloud:oscal", "value": "<partner service id>" }`.
 *
 * Why a prop for inheritance: OSCAL 1.2.1 models inheritance (`provided`,
 * `inherited`, `satisfied`, `responsibilities` under `by-components`) only in
 * the system security plan; a component definition's implemented requirement
 * has no such structure (checked against oscal_component_schema.json), and a
 * component definition is what a provider can write before any system exists.
 */
import { contentUuid } from '../oscal/uuid.js';
import { assertOscal } from '../oscal/validate.js';
import { isDay } from '../days.js';
import {
  type AssessmentProblem,
  isOurProp,
  OSCAL_VERSION,
  type OscalProp,
  PROP,
  pointer,
  prop,
  derivedUuid,
  oscalString,
} from './oscal-common.js';
import { type Registration, registrationStanding } from './registration.js';

/** How one service claims to meet one requirement. */
export interface Claim {
  readonly requirementId: string;
  /** How the service meets it, in the provider's words (OSCAL markup, kept as written). */
  readonly description: string;
  /** Present when a partner's certified service meets the requirement for this one. */
  readonly inherited?: { readonly fromServiceId: string };
}

/** The claims of one service: one component of the definition. */
export interface ServiceClaims {
  readonly serviceId: string;
  readonly componentUuid: string;
  readonly title: string;
  readonly claims: readonly Claim[];
}

export interface ComponentDefinitionClaims {
  readonly uuid: string;
  readonly title: string;
  readonly version: string;
  readonly services: readonly ServiceClaims[];
}

export interface ReadOptions {
  /** The catalog's requirement ids: a claim for any other id is refused. */
  readonly knownRequirementIds: Iterable<string>;
  /**
   * The services the submitter may describe (a provider its own). Omit to
   * accept any service id, as when reading a document for comparison only.
   */
  readonly permittedServiceIds?: Iterable<string>;
  /**
   * Partner services' registrations, to refuse inheritance from a service the
   * registry does not know (absent from the map), that has no registration
   * (null), or whose registration has lapsed on `on`. Omit to leave partners
   * to the certification decision, as when reading an archived document.
   */
  readonly partners?: { readonly on: string; readonly registrations: ReadonlyMap<string, Registration | null> };
}

/**
 * A component definition that validates as OSCAL but breaks municloud's rules.
 * Messages repeat only ids the catalog or the registry knows (a requirement
 * claimed twice, a registered partner's lapse), never a value that matched
 * nothing: the path says where it is.
 */
export class ComponentDefinitionRefused extends Error {
  constructor(readonly problems: readonly AssessmentProblem[]) {
    super(`component definition refused: ${problems.map((p) => `${p.path} ${p.rule}`).join('; ')}`);
    this.name = 'ComponentDefinitionRefused';
  }
}

type Json = Record<string, unknown>;

const ROOT = 'component-definition';

/**
 * Reads a component definition into claims. Throws OscalInvalid when the
 * document does not validate against the OSCAL 1.2.1 schema, and
 * ComponentDefinitionRefused listing every problem (each with its JSON
 * Pointer) when it names unknown requirements, services or partners.
 */
export function readComponentDefinition(document: unknown, options: ReadOptions): ComponentDefinitionClaims {
  assertOscal('component-definition', document);
  if (options.partners && !isDay(options.partners.on)) throw new TypeError('partners.on must be a day (YYYY-MM-DD)');

  const known = new Set(options.knownRequirementIds);
  const permitted = options.permittedServiceIds === undefined ? null : new Set(options.permittedServiceIds);
  const definition = (document as Json)[ROOT] as Json;
  const metadata = definition.metadata as Json;
  const problems: AssessmentProblem[] = [];
  const refuse = (path: string, rule: string, ja: string, en: string) => problems.push({ path, rule, message: { ja, en } });

  const components = (definition.components ?? []) as Json[];
  if (components.length === 0) {
    refuse(pointer(ROOT), 'no_services', '構成要素（クラウドサービス）が一つもありません。', 'The definition describes no component (cloud service).');
  }

  const services: ServiceClaims[] = [];
  const serviceAt = new Map<string, string>();
  components.forEach((component, c) => {
    const at = [ROOT, 'components', c] as const;
    // A component refused for its service id is still read through, so that
    // one answer lists every problem of the document.
    const serviceId = readServiceId(component, at, refuse);
    if (serviceId !== null) {
      const earlier = serviceAt.get(serviceId);
      if (earlier !== undefined) {
        refuse(pointer(...at), 'service_described_twice', `このサービスは ${earlier} でも記述されています。`, `The service is also described at ${earlier}.`);
      } else {
        serviceAt.set(serviceId, pointer(...at));
      }
      if (permitted !== null && !permitted.has(serviceId)) {
        refuse(pointer(...at, 'props'), 'service_not_permitted', 'このサービスは提出者のサービスではありません。', "The service is not one of the submitter's services.");
      }
    }

    const claims: Claim[] = [];
    const claimedAt = new Map<string, string>();
    ((component['control-implementations'] ?? []) as Json[]).forEach((implementation, i) => {
      ((implementation['implemented-requirements'] ?? []) as Json[]).forEach((requirement, r) => {
        const here = [...at, 'control-implementations', i, 'implemented-requirements', r] as const;
        const requirementId = requirement['control-id'] as string;
        if (!known.has(requirementId)) {
          refuse(pointer(...here, 'control-id'), 'unknown_requirement', '要件カタログにない要件です。', 'The requirement is not in the requirements catalog.');
          return;
        }
        const earlier = claimedAt.get(requirementId);
        if (earlier !== undefined) {
          refuse(pointer(...here, 'control-id'), 'requirement_claimed_twice', `要件 ${requirementId} は ${earlier} でも主張されています。`, `Requirement ${requirementId} is already claimed at ${earlier}.`);
          return;
        }
        claimedAt.set(requirementId, pointer(...here));
        const fromServiceId = readInheritedFrom(requirement, here, serviceId, options.partners, refuse);
        if (fromServiceId === false) return;
        claims.push({
          requirementId,
          description: requirement.description as string,
          ...(fromServiceId === null ? {} : { inherited: { fromServiceId } }),
        });
      });
    });
    if (serviceId !== null) services.push({ serviceId, componentUuid: component.uuid as string, title: component.title as string, claims });
  });

  if (problems.length > 0) throw new ComponentDefinitionRefused(problems);
  return { uuid: definition.uuid as string, title: metadata.title as string, version: metadata.version as string, services };
}

type Refuse = (path: string, rule: string, ja: string, en: string) => void;

function ourProps(holder: Json, name: string): { prop: OscalProp; index: number }[] {
  const props = (holder.props ?? []) as OscalProp[];
  return props.map((p, index) => ({ prop: p, index })).filter(({ prop: p }) => isOurProp(p, name));
}

function readServiceId(component: Json, at: readonly (string | number)[], refuse: Refuse): string | null {
  const found = ourProps(component, PROP.serviceId);
  const values = [...new Set(found.map((f) => f.prop.value))];
  if (values.length === 0) {
    refuse(pointer(...at), 'service_id_missing', `構成要素に ${PROP.serviceId} プロパティがありません。`, `The component has no ${PROP.serviceId} prop.`);
    return null;
  }
  if (values.length > 1) {
    refuse(pointer(...at, 'props', found[1]!.index), 'service_id_ambiguous', `構成要素に異なる ${PROP.serviceId} が複数あります。`, `The component has more than one ${PROP.serviceId}.`);
    return null;
  }
  return values[0]!;
}

/** The partner service a claim inherits from; null for the service's own claim; false when refused. */
function readInheritedFrom(
  requirement: Json,
  here: readonly (string | number)[],
  serviceId: string | null,
  partners: ReadOptions['partners'],
  refuse: Refuse,
): string | null | false {
  const found = ourProps(requirement, PROP.inheritedFrom);
  if (found.length === 0) return null;
  if (new Set(found.map((f) => f.prop.value)).size > 1) {
    // One requirement is met by one partner: the gap analysis and the expiry
    // follow that partner's certification, and two would leave "which one" open.
    refuse(pointer(...here, 'props', found[1]!.index), 'inherited_from_ambiguous', '一つの要件の継承元は一つに限ります。', 'A requirement is inherited from one partner service only.');
    return false;
  }
  const { prop: p, index } = found[0]!;
  const path = pointer(...here, 'props', index, 'value');
  const partner = p.value;
  if (partner === serviceId) {
    refuse(path, 'inherited_from_self', 'サービス自身から継承することはできません。', 'A service cannot inherit a requirement from itself.');
    return false;
  }
  if (partners) {
    if (!partners.registrations.has(partner)) {
      refuse(path, 'partner_unknown', '継承元のサービスはプロバイダ登録簿にありません。', 'The partner service is not in the provider registry.');
      return false;
    }
    const registration = partners.registrations.get(partner)!;
    const standing = registrationStanding(registration, partners.on);
    if (standing === 'none') {
      refuse(path, 'partner_not_registered', `継承元のサービス ${partner} は登録（ISMAP）を受けていません。`, `The partner service ${partner} has no registration (ISMAP).`);
      return false;
    }
    if (standing === 'expired') {
      refuse(path, 'partner_registration_expired', `継承元のサービス ${partner} の登録は ${registration!.validUntil!} で期限切れです。`, `The registration of the partner service ${partner} expired after ${registration!.validUntil!}.`);
      return false;
    }
  }
  return partner;
}

export interface ComponentDefinitionInput {
  readonly title: string;
  readonly version: string;
  /** Date-time with offset (e.g. `Date.toISOString()`). */
  readonly lastModified: string;
  /** The href of the profile (or catalog) the claims answer, e.g. `profiles/my_number.json`. */
  readonly source: string;
  readonly services: readonly {
    readonly serviceId: string;
    readonly title: string;
    readonly description: string;
    readonly claims: readonly Claim[];
  }[];
  /** The document's UUID; when omitted, derived from the content, so it changes exactly when the content does (as the catalog's does). */
  readonly uuid?: string;
}

/**
 * Writes claims as an OSCAL component definition following the conventions
 * above; readComponentDefinition reads it back to the same claims. UUIDs are
 * derived from the service and requirement ids, so the same claims give the
 * same document.
 */
export function toComponentDefinition(input: ComponentDefinitionInput): { 'component-definition': Json } {
  const components = input.services.map((service) => {
    const component: Json = {
      uuid: derivedUuid('component', service.serviceId),
      type: 'service',
      title: oscalString(service.title),
      description: service.description,
      props: [prop(PROP.serviceId, service.serviceId)],
    };
    if (service.claims.length > 0) {
      component['control-implementations'] = [
        {
          uuid: derivedUuid('control-implementation', service.serviceId, input.source),
          source: input.source,
          description: `How ${oscalString(service.title)} meets the requirements.`,
          'implemented-requirements': service.claims.map((claim) => ({
            uuid: derivedUuid('implemented-requirement', service.serviceId, claim.requirementId),
            'control-id': claim.requirementId,
            description: claim.description,
            ...(claim.inherited ? { props: [prop(PROP.inheritedFrom, claim.inherited.fromServiceId)] } : {}),
          })),
        },
      ];
    }
    return component;
  });
  const metadata = {
    title: oscalString(input.title),
    'last-modified': input.lastModified,
    version: oscalString(input.version),
    'oscal-version': OSCAL_VERSION,
  };
  const content = components.length > 0 ? { metadata, components } : { metadata };
  return { [ROOT]: { uuid: input.uuid ?? contentUuid('component-definition', content), ...content } } as { 'component-definition': Json };
}
