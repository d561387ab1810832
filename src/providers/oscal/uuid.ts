/**
 * Name-based UUIDs (version 5, RFC 9562 §5.5) for OSCAL documents.
 *
 * OSCAL wants a document's uuid to change whenever the document changes, and
 * we want two exports of the same content to be byte-identical (reviewable in
 * a diff, reproducible in a build). A v5 UUID of the content's digest gives
 * both. OSCAL's UUIDDatatype admits versions 4 and 5 only.
 */
import { createHash } from 'node:crypto';

/** The RFC 9562 namespace for names that are URLs/URIs. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/**
 * The namespace of municloud's own OSCAL part and property names: OSCAL reserves
 * un-namespaced names for its own vocabulary. A URN, like the project's problem
 * and event type names, because the project has no domain of its own.
 */
export const MUNICLOUD_OSCAL_NS = 'urn:municloud:oscal';

export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** municloud's own UUID namespace: the v5 UUID of its OSCAL namespace URI. */
export const MUNICLOUD_UUID_NAMESPACE = uuidV5(MUNICLOUD_OSCAL_NS, URL_NAMESPACE);

/** A UUID that names `kind` with exactly this content: equal content, equal UUID. */
export function contentUuid(kind: string, content: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(content), 'utf8').digest('hex');
  return uuidV5(`${kind}:${digest}`, MUNICLOUD_UUID_NAMESPACE);
}
