/**
 * Crypto-shredding: offboarding a municipality destroys every version of its
 * KEK inside the KMS. Its data keys exist only wrapped under those KEKs, so
 * every field ever sealed for it, in the database and in every backup of it,
 * becomes unreadable to anyone, the platform operator included.
 *
 * Order: the KMS first, the database second. If the process dies in between,
 * the database still says "active" but the KMS has nothing: every use fails
 * closed (key_integrity), and running the shred again completes it, because
 * destroying an absent KEK is not an error.
 */
import { inTransaction } from '../../platform/database.js';
import { KeyError } from './errors.js';
import { kekHandle } from './data-keys.js';
import type { KeyService } from './service.js';
import { keks, lockMunicipalityKeys, markDestroyed } from './store.js';
import type { KeyDeps } from './rotation.js';

export interface ShredReport {
  readonly municipalityCode: string;
  /** KEK versions destroyed in the KMS by this call (a repeated shred destroys none). */
  readonly kekVersions: number[];
  readonly dataKeysErased: number;
}

export async function shredMunicipality(
  deps: Pick<KeyDeps, 'control' | 'kms' | 'log'> & { keys?: KeyService | undefined },
  municipalityCode: string,
  options: { force?: boolean } = {},
): Promise<ShredReport> {
  const rows = await keks(deps.control, municipalityCode);
  if (rows.length === 0) throw new KeyError('key_version_unknown', `municipality ${municipalityCode} has no keys to destroy`);
  // Marking keys destroyed that the KMS in hand does not hold would be a lie if they live in another KMS: refuse.
  for (const kek of rows) {
    if (kek.kmsKind !== deps.kms.kind) {
      throw new KeyError('kms_unavailable', `KEK v${kek.version} of municipality ${municipalityCode} is held by a ${kek.kmsKind} KMS, but this process uses ${deps.kms.kind}`);
    }
    if (kek.state !== 'destroyed' && !options.force && !(await deps.kms.hasKek(kekHandle(kek)))) {
      throw new KeyError(
        'kms_unavailable',
        `KEK v${kek.version} of municipality ${municipalityCode} (${kek.kmsKind} id ${kek.kmsKeyId}) is not in this KMS: ` +
          'an interrupted shred already destroyed it, or another KMS or token is configured. Check, then repeat with force',
      );
    }
  }
  const destroyed: number[] = [];
  for (const kek of rows) {
    const handle = kekHandle(kek);
    if (!(await deps.kms.hasKek(handle))) continue;
    await deps.kms.destroyKek(handle);
    if (await deps.kms.hasKek(handle)) throw new KeyError('kms_unavailable', `the KMS still has KEK v${kek.version} of municipality ${municipalityCode} after destroying it`);
    destroyed.push(kek.version);
  }
  const marked = await inTransaction(deps.control, async (client) => {
    await lockMunicipalityKeys(client, municipalityCode);
    return markDestroyed(client, municipalityCode);
  });
  deps.keys?.forget(municipalityCode);
  deps.log?.warn({ municipalityCode, kekVersions: destroyed, dataKeysErased: marked.dataKeys }, 'municipality keys destroyed (crypto-shredded)');
  return { municipalityCode, kekVersions: destroyed, dataKeysErased: marked.dataKeys };
}
