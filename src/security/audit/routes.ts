/**
 * The audit log's API: the latest signed checkpoint, the log's public key,
 * inclusion and consistency proofs, and entries by range.
 *
 * Checkpoints, proofs and the key hold hashes only, and are open to whoever
 * checks the log: the platform operator, municipal auditors, and prefectural
 * security administrators (who may witness checkpoints). Entries hold who did
 * what to which records: the operator sees them all; an auditor sees only the
 * entries concerning their own municipality, each with its leaf index so they
 * can ask for its inclusion proof. Other municipalities' entries and platform
 * entries stay out of an auditor's view; what reaches it of them is leaf and
 * node hashes inside proofs, and the gaps between their own indices.
 * Entries are served only up to the latest checkpoint, so each can be proven.
 */
import { Type, type Static } from 'typebox';
import type { Role } from '../../identity/roles.js';
import { isMunicipalityKind } from '../../organizations/organization.js';
import { fieldError, Problem, type Message } from '../../platform/errors.js';
import type { App, Platform } from '../../platform/http/server.js';
import { NETWORK_ZONES, OUTCOMES, ENTRY_KIND_NAMES } from './catalogue.js';
import { decodeLeaf } from './leaf.js';
import { EMPTY_ROOT, leafHash, verifyConsistency, verifyInclusion, type Hash } from './merkle.js';
import { consistencyProof, inclusionProof } from './proofs.js';
import type { AuditLog } from './service.js';
import { checkpointAt, latestCheckpoint, readLeaves, readMunicipalityLeaves, type StoredCheckpoint } from './store.js';

const VERIFIERS: Role[] = ['platform_operator', 'auditor', 'prefecture_security_admin'];
const READERS: Role[] = ['platform_operator', 'auditor'];
const MAX_INDEX = Number.MAX_SAFE_INTEGER;

const Index = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_INDEX, description });
const Base64Hash = Type.String({ description: 'SHA-256 hash, base64' });

const CheckpointSchema = Type.Object({
  origin: Type.String(),
  treeSize: Type.Integer(),
  rootHash: Base64Hash,
  note: Type.String({ description: 'The C2SP signed note, exactly as signed' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const EntrySchema = Type.Object({
  v: Type.Integer(),
  kind: Type.Enum(ENTRY_KIND_NAMES),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({ account: Nullable(Type.String()), roles: Type.Array(Type.String()), organization: Nullable(Type.String()) }),
  municipality: Nullable(Type.String()),
  purpose: Nullable(Type.String()),
  records: Type.Array(Type.Object({ resource: Type.String(), ids: Type.Array(Type.String()) })),
  source: Type.Object({ zone: Type.Enum([...NETWORK_ZONES]), address: Nullable(Type.String()) }),
  outcome: Type.Object({ result: Type.Enum([...OUTCOMES]), reason: Nullable(Type.String()) }),
  request: Nullable(Type.String()),
});

const EntryItem = Type.Object({
  index: Type.Integer({ description: 'The leaf index, for inclusion proofs' }),
  leaf: Type.String({ description: 'The leaf exactly as hashed (ASCII JSON)' }),
  leafHash: Base64Hash,
  entry: Nullable(EntrySchema),
});

function auditOf(platform: Platform): AuditLog {
  if (!platform.audit) {
    throw new Problem('audit_unavailable', [], { ja: '監査ログが構成されていません。', en: 'The audit log is not configured.' });
  }
  return platform.audit;
}

/** A failed self-check means the stored log no longer matches what was signed. */
const INTEGRITY: Message = {
  ja: '監査ログの整合性検査に失敗しました。運用者に連絡してください。',
  en: 'The audit log failed its integrity check; contact the operator.',
};

async function latest(platform: Platform): Promise<StoredCheckpoint> {
  const checkpoint = await latestCheckpoint(auditOf(platform).pool);
  if (!checkpoint) throw new Problem('service_unavailable', [], { ja: '監査ログのチェックポイントがまだありません。', en: 'The audit log has no checkpoint yet.' });
  return checkpoint;
}

function outOfRange(field: string, rule: string, ja: string, en: string): Problem {
  return new Problem('validation_failed', [fieldError(`querystring/${field}`, rule, { ja, en })]);
}

const b64 = (h: Hash) => h.toString('base64');

function checkpointBody(c: StoredCheckpoint, origin: string) {
  return { origin, treeSize: c.treeSize, rootHash: b64(c.rootHash), note: c.note, createdAt: c.createdAt };
}

function decodedEntry(leaf: Buffer): Static<typeof EntrySchema> | null {
  try {
    // The schema's arrays are mutable types; the entry's are readonly. Same shape.
    return decodeLeaf(leaf).entry as unknown as Static<typeof EntrySchema>;
  } catch {
    return null;
  }
}

export function auditRoutes(app: App, platform: Platform): void {
  app.get(
    '/v1/audit/checkpoint',
    {
      config: { access: { roles: VERIFIERS } },
      schema: {
        tags: ['audit'],
        summary: 'The latest signed checkpoint, or the one at a given tree size',
        querystring: Type.Object({ treeSize: Type.Optional(Index('A tree size that has a checkpoint')) }, { additionalProperties: false }),
        response: { 200: CheckpointSchema },
      },
    },
    async (request) => {
      const audit = auditOf(platform);
      const size = request.query.treeSize;
      const checkpoint = size === undefined ? await latest(platform) : await checkpointAt(audit.pool, size);
      if (!checkpoint) throw new Problem('not_found');
      return checkpointBody(checkpoint, audit.origin);
    },
  );

  app.get(
    '/v1/audit/key',
    {
      config: { access: { roles: VERIFIERS } },
      schema: {
        tags: ['audit'],
        summary: "The log's verifier key (Go note vkey form); pin it from a second channel too",
        response: {
          200: Type.Object({ name: Type.String(), keyId: Type.String(), algorithm: Type.Literal('Ed25519'), publicKey: Type.String(), vkey: Type.String() }),
        },
      },
    },
    async () => {
      const key = auditOf(platform).verifierKey;
      return { name: key.name, keyId: key.keyId.toString('hex'), algorithm: 'Ed25519' as const, publicKey: key.publicKey.toString('base64'), vkey: key.text };
    },
  );

  app.get(
    '/v1/audit/proofs/inclusion',
    {
      config: { access: { roles: VERIFIERS } },
      schema: {
        tags: ['audit'],
        summary: 'Inclusion proof of a leaf in the tree of a given size (RFC 9162 §2.1.3)',
        querystring: Type.Object(
          { index: Index('Leaf index'), treeSize: Type.Optional(Index('Tree size; the latest checkpoint by default')) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ index: Type.Integer(), treeSize: Type.Integer(), leafHash: Base64Hash, proof: Type.Array(Base64Hash) }) },
      },
    },
    async (request) => {
      const audit = auditOf(platform);
      const newest = await latest(platform);
      const treeSize = request.query.treeSize ?? newest.treeSize;
      const { index } = request.query;
      if (treeSize > newest.treeSize) throw outOfRange('treeSize', 'published_tree_size', `最新のチェックポイント（${newest.treeSize}件）以下にしてください。`, `must be at most the latest checkpoint's tree size, ${newest.treeSize}`);
      if (index >= treeSize) throw outOfRange('index', 'within_tree', 'ツリーの大きさより小さい番号にしてください。', 'must be smaller than the tree size');
      const [leafRow] = await readLeaves(audit.pool, index, index + 1);
      if (!leafRow) throw new Problem('internal_error', [], INTEGRITY);
      const hash = leafHash(leafRow.leaf);
      const proof = await inclusionProof(audit.pool, index, treeSize);
      // Checked against the signed root when there is one at this size: a log that changed under us says so.
      const signed = treeSize === newest.treeSize ? newest : await checkpointAt(audit.pool, treeSize);
      if (signed && !verifyInclusion(hash, index, treeSize, proof, signed.rootHash)) {
        request.log.error({ index, treeSize }, 'audit inclusion proof does not match the signed checkpoint');
        throw new Problem('internal_error', [], INTEGRITY);
      }
      return { index, treeSize, leafHash: b64(hash), proof: proof.map(b64) };
    },
  );

  app.get(
    '/v1/audit/proofs/consistency',
    {
      config: { access: { roles: VERIFIERS } },
      schema: {
        tags: ['audit'],
        summary: 'Consistency proof between two tree sizes (RFC 9162 §2.1.4)',
        querystring: Type.Object(
          { first: Index('The earlier tree size'), second: Type.Optional(Index('The later tree size; the latest checkpoint by default')) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ first: Type.Integer(), second: Type.Integer(), proof: Type.Array(Base64Hash) }) },
      },
    },
    async (request) => {
      const audit = auditOf(platform);
      const newest = await latest(platform);
      const second = request.query.second ?? newest.treeSize;
      const { first } = request.query;
      if (second > newest.treeSize) throw outOfRange('second', 'published_tree_size', `最新のチェックポイント（${newest.treeSize}件）以下にしてください。`, `must be at most the latest checkpoint's tree size, ${newest.treeSize}`);
      if (first > second) throw outOfRange('first', 'not_after_second', '後のツリーの大きさ以下にしてください。', 'must not exceed the later tree size');
      const proof = await consistencyProof(audit.pool, first, second);
      const [a, b] = await Promise.all([first === 0 ? null : checkpointAt(audit.pool, first), second === newest.treeSize ? newest : checkpointAt(audit.pool, second)]);
      const rootA = first === 0 ? EMPTY_ROOT : a?.rootHash;
      if (rootA && b && !verifyConsistency(first, second, rootA, b.rootHash, proof)) {
        request.log.error({ first, second }, 'audit consistency proof does not match the signed checkpoints');
        throw new Problem('internal_error', [], INTEGRITY);
      }
      return { first, second, proof: proof.map(b64) };
    },
  );

  app.get(
    '/v1/audit/entries',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['audit'],
        summary: 'Entries by leaf index (the operator: all; an auditor: their municipality only)',
        querystring: Type.Object(
          {
            from: Type.Integer({ minimum: 0, maximum: MAX_INDEX, default: 0, description: 'First leaf index' }),
            to: Type.Optional(Index('End (exclusive); the latest checkpoint by default')),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ treeSize: Type.Integer(), items: Type.Array(EntryItem), nextFrom: Nullable(Type.Integer()) }) },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new Problem('unauthenticated');
      const audit = auditOf(platform);
      const newest = await latest(platform);
      const { from, limit } = request.query;
      const to = Math.min(request.query.to ?? newest.treeSize, newest.treeSize);
      if (from > to) throw outOfRange('from', 'not_after_to', '終わりの番号以下にしてください。', 'must not exceed to');
      let municipality: string | null = null;
      if (!principal.roles.includes('platform_operator')) {
        // An auditor's own municipality, from the principal: there is no parameter to name another.
        if (!isMunicipalityKind(principal.organizationKind)) throw new Problem('forbidden');
        municipality = principal.organizationCode;
      }
      const rows = municipality ? await readMunicipalityLeaves(audit.pool, municipality, from, to, limit) : await readLeaves(audit.pool, from, Math.min(to, from + limit));
      const items = [];
      for (const row of rows) {
        const entry = decodedEntry(row.leaf);
        // The municipality column only narrows the search; the leaf decides. A row whose leaf does not
        // concern this municipality (or cannot be read) is withheld from an auditor and shown raw to the operator.
        if (municipality && entry?.municipality !== municipality) {
          request.log.warn({ index: row.seq }, 'audit entry withheld: its leaf does not match its municipality column');
          continue;
        }
        items.push({ index: row.seq, leaf: row.leaf.toString('latin1'), leafHash: b64(leafHash(row.leaf)), entry });
      }
      // The operator pages by index range; an auditor's page ends where its last row was found.
      const last = rows.at(-1);
      const nextFrom = municipality ? (rows.length === limit && last ? last.seq + 1 : null) : from + limit < to ? from + limit : null;
      return { treeSize: newest.treeSize, items, nextFrom };
    },
  );
}
