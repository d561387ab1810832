/**
 * The key service's public surface: what operations, the server and the CLI import.
 * See docs/keys.md. The CLI (registerKeyCommands) is in ./cli.js, apart, since it boots the platform.
 */
export { BLIND_INDEX_KINDS, BLIND_INDEX_LENGTH, type BlindIndexInputs, type BlindIndexKind } from './blind-index.js';
export { KeyError, KEY_ERROR_CODES, PROBLEM_CODE_FOR, type KeyErrorCode } from './errors.js';
export type { FieldRef } from './format.js';
export { openKmsFromEnv } from './kms/from-env.js';
export { KmsError, type KeyHandle, type Kms, type KmsDescription } from './kms/kms.js';
export { LocalKeystore } from './kms/local-keystore.js';
export { Pkcs11Kms } from './kms/pkcs11.js';
export { ENCRYPTED_COLUMNS, encryptedColumn, EncryptedColumnRegistry, type EncryptedColumn, type EncryptedColumnSpec } from './registry.js';
export { rewrap, type RewrapReport } from './rewrap.js';
export { provisionMunicipality, rotateDataKey, rotateKek } from './rotation.js';
export { KeyService, MunicipalityKeys, type KeyServiceOptions } from './service.js';
export { shredMunicipality } from './shred.js';
