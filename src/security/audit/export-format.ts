/**
 * The export file: JSON lines, readable by `municloud audit verify` and by
 * anything else that can hash bytes. Pure.
 *
 * - A leaf line is the leaf exactly as stored (it is ASCII canonical JSON and
 *   never holds a newline); hashing the line's bytes gives the leaf hash.
 * - After the leaf that completes tree size s, when a checkpoint of size s
 *   exists: {"checkpoint":"<signed note>"}. Each lets the verifier compare its
 *   running root there, and narrows down where a rewrite began.
 * - A range export (from > 0) starts with {"left":[...],"start":from}: the
 *   hashes of the perfect subtrees covering [0, from), so the tree can be
 *   continued without the entries before the range.
 * - When the export stops short of the checkpoint it was made against, it ends
 *   with {"checkpoint":"<signed note>","right":[...]}: the subtrees covering
 *   [to, tree size), so that checkpoint's root can still be recomputed.
 * Boundary hashes are not trusted: they only let the signed root be checked.
 */
import { canonicalJson } from './canonical-json.js';
import type { Hash } from './merkle.js';

const b64 = (hashes: readonly Hash[]) => hashes.map((h) => h.toString('base64'));

export function headerLine(start: number, left: readonly Hash[]): string {
  return canonicalJson({ left: b64(left), start }) + '\n';
}

export function checkpointLine(note: string, right?: readonly Hash[]): string {
  return canonicalJson(right ? { checkpoint: note, right: b64(right) } : { checkpoint: note }) + '\n';
}
