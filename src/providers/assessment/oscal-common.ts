/**
 * What the assessment modules' OSCAL documents share: the namespace of
 * municloud's own props, name-based UUIDs, and the shape of a refusal. Pure.
 */
import type { Message } from '../../platform/errors.js';
import { MUNICLOUD_OSCAL_NS, MUNICLOUD_UUID_NAMESPACE, uuidV5 } from '../oscal/uuid.js';

export { OSCAL_VERSION } from '../oscal/validate.js';

/**
 * The namespace of municloud's props (`ns` on a prop): OSCAL reserves props
 * without `ns` for its own names (src/providers/oscal/uuid.ts).
 */
export const MUNICLOUD_NS = MUNICLOUD_OSCAL_NS;

/** Prop names (docs/assessments.md, "Component definitions"). */
export const PROP = {
  /** On a component: the registry's id of the cloud service the component describes. */
  serviceId: 'municloud-service-id',
  /** On an implemented requirement: the partner service whose certification meets it. */
  inheritedFrom: 'inherited-from',
  /** On a result: the data class whose profile was assessed. */
  dataClass: 'municloud-data-class',
  /** On a result of the platform's self-checks: the deployment checked. */
  deploymentId: 'municloud-deployment-id',
  /** On an observation of a self-check: the check's id. */
  selfCheck: 'municloud-self-check',
  /** On an observation of an assessor's finding: the finding's own state, including not_applicable. */
  findingState: 'municloud-finding-state',
  /** On a certification decision: its status (certified, not_certified, withdrawn), id and last day. */
  certificationStatus: 'municloud-certification-status',
  certificationId: 'municloud-certification-id',
  expiresOn: 'municloud-expires-on',
} as const;

export interface OscalProp {
  name: string;
  ns?: string;
  value: string;
  class?: string;
  remarks?: string;
}

/** A municloud prop. */
export function prop(name: string, value: string): OscalProp {
  return { name, ns: MUNICLOUD_NS, value };
}

/**
 * Whether a prop is ours by that name. A prop written without `ns` is accepted
 * too: our names are prefixed or unknown to OSCAL, so nothing else can mean
 * them, and a hand-written document that forgot `ns` should not fail on it.
 * A prop in another namespace is somebody else's and is ignored.
 */
export function isOurProp(p: { name?: unknown; ns?: unknown }, name: string): boolean {
  return p.name === name && (p.ns === undefined || p.ns === MUNICLOUD_NS);
}

/**
 * A version-5 UUID of a name made of parts, in municloud's UUID namespace
 * (OSCAL accepts v4 and v5). The assessment documents derive every UUID this
 * way from what the object is (the service, the requirement, the assessor,
 * the instant), so a document produced twice from the same inputs is byte for
 * byte the same, and the same subject keeps its UUID across revisions, as the
 * assessment-results schema asks. The parts are JSON-encoded so that ['a,b']
 * and ['a', 'b'] name different things, and prefixed so that no other
 * module's names collide with these.
 */
export function derivedUuid(...parts: readonly string[]): string {
  return uuidV5(JSON.stringify(['municloud/assessment', ...parts]), MUNICLOUD_UUID_NAMESPACE);
}

/**
 * One thing wrong with a submitted document or record: where (a JSON Pointer
 * into the submitted document), which rule, and a message in Japanese and
 * English. Messages name ids and rules, never free text that was sent.
 */
export interface AssessmentProblem {
  readonly path: string;
  readonly rule: string;
  readonly message: Message;
}

/** A JSON Pointer from its segments (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function pointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** OSCAL's token (an XML NCName): what a control-id or prop name must be. */
export const TOKEN_PATTERN = /^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$/u;

/** OSCAL's string: non-empty, no leading or trailing whitespace, one line. */
export function oscalString(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
