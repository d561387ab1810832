/** The audit log (evidence): what other modules and the runtime use. See docs/audit.md. */
export { ENTRY_KINDS, NETWORK_ZONES, OUTCOMES, type EntryKind, type NetworkZone, type Outcome } from './catalogue.js';
export { AuditEntryError, normalizeEntry, validateEntry, type Actor, type AuditEntry, type AuditEntryInput, type RecordRef, type Source } from './entry.js';
export { appendInTransaction, AuditAppender, AuditUnavailableError, type AppenderOptions } from './appender.js';
export { CheckpointPublisher, type PublisherOptions } from './publisher.js';
export { AuditLog, loadCheckpointSigner, openAuditLogFromEnv, type AuditLogOptions } from './service.js';
export { ed25519Signer, generateSigner, signerFromNoteKey, verifierKeyOf, type CheckpointSigner } from './signer.js';
export { openCheckpoint, parseVerifierKey, type Checkpoint, type VerifierKey } from './note.js';
export { verifyConsistency, verifyInclusion, leafHash } from './merkle.js';
export { auditRoutes } from './routes.js';
export { registerAuditCommands, type AuditCliDeps } from './cli.js';
export { exportAuditLog } from './export.js';
export { recordOrRefuse, requestContext, AUDIT_UNAVAILABLE } from './request.js';
