/**
 * Demo data: a platform operator and staff for two real municipalities, with a
 * few of their real offices, their clients' loopback address in the My Number
 * zone, a (fictional) mayor for certificates, and a synthetic population in
 * each register (real town names, generated people). Idempotent: the generated passwords are kept in the
 * data directory (mode 0600, never in the repo) so every run prints the same logins.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createAccount, findAccountByLogin } from '../identity/accounts.js';
import { requiresMfa, type Role } from '../identity/roles.js';
import { provisionActiveTotp } from '../identity/mfa.js';
import { base32Encode } from '../identity/totp.js';
import { normalizeOffice, type OfficeInput } from '../offices/office.js';
import { insertOffice, listOffices } from '../offices/store.js';
import { DIGITAL_AGENCY_CODE } from '../organizations/organization.js';
import { inTenantTransaction, inTransaction } from '../platform/database.js';
import { certificateIssuer, setCertificateIssuer } from '../resident-register/certificates/issuer.js';
import { BATCH_OPERATOR_ID, loadSyntheticPopulation, PopulationLoadError } from '../resident-register/population-load.js';
import { TOPICS } from '../linkage/catalogue.js';
import { ENTITLEMENTS } from '../linkage/entitlements.js';
import { insertSubscription, listSubscriptions } from '../linkage/store.js';
import { setFeedSetting } from '../operations/fed-by-linkage.js';
import { seedDemoOperations } from './operations.js';
import { seedDemoProviders } from './providers.js';
import { listZones, replaceZones } from '../security/access/network-zones.js';
import { recordJobAction, type JobContext, operatorJob } from '../security/audit/record.js';
import type { Platform } from '../platform/http/server.js';

export interface DemoLogin {
  organizationCode: string;
  organizationName: string;
  loginName: string;
  roles: Role[];
  password: string;
  /** Base32 authenticator secret, for the accounts whose roles require a second factor. */
  totpSecret?: string;
}

interface DemoMunicipality {
  code: string;
  name: string;
  /** Printed on certificates; 見本 (sample) marks the demo's mayors as fictional. */
  mayor: { title: string; name: string };
  offices: OfficeInput[];
}

export const DEMO_MUNICIPALITIES: readonly DemoMunicipality[] = [
  {
    code: '131016',
    name: '千代田区',
    mayor: { title: '千代田区長', name: '見本 太郎' },
    offices: [
      { kind: 'main', name: '千代田区役所', nameKana: 'チヨダクヤクショ', postalCode: '102-8688', address: '東京都千代田区九段南1-2-1', phone: '03-3264-2111' },
      { kind: 'counter', name: '富士見出張所', nameKana: 'フジミシュッチョウジョ', postalCode: '102-0071', address: '東京都千代田区富士見1-6-7' },
      { kind: 'counter', name: '神保町出張所', nameKana: 'ジンボウチョウシュッチョウジョ', postalCode: '101-0051', address: '東京都千代田区神田神保町2-40' },
    ],
  },
  {
    code: '011002',
    name: '札幌市',
    mayor: { title: '札幌市長', name: '見本 花子' },
    offices: [
      { kind: 'main', name: '札幌市役所', nameKana: 'サッポロシヤクショ', postalCode: '060-8611', address: '北海道札幌市中央区北1条西2丁目', phone: '011-211-2111' },
      { kind: 'branch', name: '中央区役所', nameKana: 'チュウオウクヤクショ', postalCode: '060-8612', address: '北海道札幌市中央区南3条西11丁目330-2' },
      { kind: 'branch', name: '北区役所', nameKana: 'キタクヤクショ', postalCode: '001-8612', address: '北海道札幌市北区北24条西6丁目1-1' },
    ],
  },
];

/** Synthetic residents per demo municipality (municloud demo --residents changes it). */
export const DEMO_RESIDENTS = 2000;
/** The demo population is as of a fixed date, so that every run generates the same people. */
const DEMO_AS_OF = '2026-04-01';

/**
 * The demo's clients (this machine) stand in the My Number zone of each demo
 * municipality, so the register can be tried with curl; a real municipality
 * configures its own ranges, and until it does every My Number route refuses.
 */
async function placeLoopbackInMyNumberZone(platform: Platform, municipalityCode: string): Promise<void> {
  await inTransaction(platform.control, async (client) => {
    if ((await listZones(platform.control, municipalityCode)).length > 0) return;
    await replaceZones(client, municipalityCode, [
      { zone: 'my_number', cidr: '127.0.0.0/8' },
      { zone: 'my_number', cidr: '::1/128' },
    ]);
  });
}

/**
 * The demo's receiving systems: one per operation the platform feeds from the
 * register, each with a pull subscription to every change with the fields its
 * purpose is entitled to, set as that operation module's source (so NHI
 * memberships, the child allowance roster and the residential tax roster fill
 * in as soon as the server runs).
 */
const DEMO_RECEIVING_SYSTEMS = [
  { loginName: 'nhi-system', displayName: '国保システム', subscription: '国保システム（デモ）', operation: 'national_health_insurance', purpose: 'nhi_eligibility', consumer: 'national_health_insurance' },
  { loginName: 'child-allowance-system', displayName: '児童手当システム', subscription: '児童手当システム（デモ）', operation: 'child_allowance', purpose: 'child_allowance_eligibility', consumer: 'child_allowance' },
  { loginName: 'tax-system', displayName: '住民税システム', subscription: '住民税システム（デモ）', operation: 'residential_tax', purpose: 'tax_assessment', consumer: 'residential_tax' },
] as const;

const STAFF: readonly { loginName: string; displayName: string; roles: Role[] }[] = [
  { loginName: 'admin', displayName: '団体管理者', roles: ['municipal_admin'] },
  { loginName: 'clerk', displayName: '窓口職員', roles: ['clerk'] },
  { loginName: 'auditor', displayName: '監査担当', roles: ['auditor'] },
  { loginName: 'officer', displayName: '支援措置担当', roles: ['support_measure_officer'] },
  // Receiving systems, each subscribed to the register's changes (docs/linkage.md); the platform's own
  // operation modules read through the same subscriptions (DEMO_RECEIVING_SYSTEMS).
  ...DEMO_RECEIVING_SYSTEMS.map((r) => ({ loginName: r.loginName, displayName: r.displayName, roles: ['linkage_subscriber'] as Role[] })),
];

/**
 * Resumable: the logins file is rewritten after each account, so a run that was
 * interrupted picks up where it stopped.
 */
export async function seedDemo(
  platform: Platform,
  onProgress: (message: string) => void = () => undefined,
  options: { residents?: number } = {},
): Promise<DemoLogin[]> {
  const residents = options.residents ?? DEMO_RESIDENTS;
  const file = path.join(platform.config.dataDir, 'demo-logins.json');
  const logins: DemoLogin[] = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as DemoLogin[]) : [];
  const add = async (organizationCode: string, organizationName: string, loginName: string, displayName: string, roles: Role[]) => {
    if (logins.some((l) => l.organizationCode === organizationCode && l.loginName === loginName)) return;
    const password = randomBytes(12).toString('base64url');
    const account = await createAccount(platform.control, { organizationCode, loginName, displayName, roles, password });
    // Staff who can see My Number must use a second factor; the demo enrols an authenticator for them.
    const totpSecret = requiresMfa(roles) ? base32Encode(await provisionActiveTotp(platform, account.id)) : undefined;
    logins.push({ organizationCode, organizationName, loginName, roles, password, ...(totpSecret ? { totpSecret } : {}) });
    await writeFile(file, JSON.stringify(logins, null, 2), { mode: 0o600 });
  };
  await add(DIGITAL_AGENCY_CODE, 'デジタル庁', 'operator', '運用管理者', ['platform_operator']);
  // The default cell declared on a fictional registered and certified provider, so the placements below pass the policy even under enforce.
  await seedDemoProviders(platform, onProgress);
  for (const [i, m] of DEMO_MUNICIPALITIES.entries()) {
    onProgress(`[${i + 1}/${DEMO_MUNICIPALITIES.length}] ${m.name} (${m.code}): placement, staff, offices`);
    await platform.cells.place(m.code, platform.cells.defaultCellId, null);
    for (const s of STAFF) await add(m.code, m.name, s.loginName, `${m.name} ${s.displayName}`, s.roles);
    const pool = await platform.cells.poolFor(m.code);
    await inTenantTransaction(pool, m.code, async (db) => {
      if ((await listOffices(db, {}, { limit: 1 })).total > 0) return;
      for (const input of m.offices) {
        const result = normalizeOffice(input);
        if ('errors' in result) throw new Error(`demo office ${input.name} is invalid`);
        await insertOffice(db, result.office);
      }
    });
    await placeLoopbackInMyNumberZone(platform, m.code);
    for (const system of DEMO_RECEIVING_SYSTEMS) await subscribeDemoSystem(platform, m.code, system);
    if (!(await certificateIssuer(platform.control, m.code))) await setCertificateIssuer(platform.control, m.code, { mayorTitle: m.mayor.title, mayorName: m.mayor.name });
    if (residents > 0) {
      // The same seed every time: a second run finds the load finished, an interrupted one resumes it.
      try {
        const report = await loadSyntheticPopulation(platform, { municipalityCode: m.code, seed: `demo-${m.code}`, size: residents, asOf: DEMO_AS_OF });
        onProgress(`  ${report.residents.toLocaleString('en')} synthetic residents in ${report.households.toLocaleString('en')} households`);
      } catch (err) {
        // Loaded before with another size: the demo keeps what it has (municloud population load adds more under another seed).
        if (!(err instanceof PopulationLoadError && err.code === 'seed_used')) throw err;
        onProgress(`  keeps its earlier synthetic population`);
      }
    }
    await seedDemoOperations(platform, m.code, onProgress);
  }
  return logins;
}

/**
 * A demo receiving system subscribes to every register change, with the
 * fields its purpose is entitled to, and its operation module reads through
 * that subscription. Declared by the demo (a platform job, hence the nil
 * operator id) once, and recorded in the audit log like an admin's
 * declaration.
 */
async function subscribeDemoSystem(platform: Platform, municipalityCode: string, system: (typeof DEMO_RECEIVING_SYSTEMS)[number]): Promise<void> {
  const account = await findAccountByLogin(platform.control, municipalityCode, system.loginName);
  if (!account) return;
  await inTenantTransaction(await platform.cells.poolFor(municipalityCode), municipalityCode, async (db) => {
    if ((await listSubscriptions(db, { consumer: account.id, limit: 1 })).total > 0) return;
    const id = randomUUID();
    await insertSubscription(db, {
      id,
      name: system.subscription,
      operation: system.operation,
      purpose: system.purpose,
      topics: [...TOPICS],
      fields: [...(ENTITLEMENTS[system.purpose] ?? [])],
      consumerAccountId: account.id,
      createdBy: BATCH_OPERATOR_ID,
    });
    await setFeedSetting(db, system.consumer, id, BATCH_OPERATOR_ID);
    const job: JobContext = operatorJob();
    // In the transaction: no entry, no subscription.
    await recordJobAction(platform, job, 'subscription_declared', { municipality: municipalityCode, purpose: system.purpose, records: [{ resource: 'linkage_subscriptions', ids: [id] }] });
  });
}
