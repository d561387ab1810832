/**
 * The platform's self-checks: what a municloud deployment can observe about
 * itself, judged against the requirements it bears on. The gatherers (the
 * platform's own code, with database and KMS access) collect
 * PlatformObservations; this module only judges them, so the judgement is
 * pure and tested apart from the gathering. Results become OSCAL assessment
 * results (assessment-results.ts).
 *
 * A check with nothing to look at is not satisfied: no evidence is not
 * evidence of compliance.
 */
import type { Message } from '../../platform/errors.js';
import { isDateTime } from '../days.js';
import type { AssessmentProblem } from './oscal-common.js';

export const SELF_CHECK_IDS = [
  'records-encrypted',
  'keys-in-hsm',
  'audit-log-verifies',
  'mfa-for-my-number-roles',
  'data-in-japan',
  'provider-certified',
  'network-zones-configured',
  'database-isolation',
  'leak-guard-active',
] as const;
export type SelfCheckId = (typeof SELF_CHECK_IDS)[number];

/** What each check looks at, for the OSCAL observation's description and the docs. */
export const SELF_CHECKS: Record<SelfCheckId, { readonly title: Message; readonly method: 'test' | 'examine' }> = {
  'records-encrypted': {
    title: { ja: '個人データの暗号化', en: 'Personal data sealed at rest' },
    method: 'test',
  },
  'keys-in-hsm': {
    title: { ja: '鍵のHSM保管', en: 'Keys held in a hardware security module' },
    method: 'examine',
  },
  'audit-log-verifies': {
    title: { ja: '監査ログの完全性', en: 'Audit log verifies against its signed checkpoint' },
    method: 'test',
  },
  'mfa-for-my-number-roles': {
    title: { ja: '個人番号を扱うロールの多要素認証', en: 'Multi-factor login for roles that reach My Number' },
    method: 'test',
  },
  'data-in-japan': {
    title: { ja: 'データの国内保管', en: 'Data stored in Japan' },
    method: 'examine',
  },
  'provider-certified': {
    title: { ja: '利用中のクラウドサービスの登録', en: 'Cloud services in use are registered' },
    method: 'examine',
  },
  'network-zones-configured': {
    title: { ja: '個人番号利用事務系のネットワークゾーン', en: 'My Number network zone configured' },
    method: 'examine',
  },
  'database-isolation': {
    title: { ja: 'データベースの権限分離と行レベルセキュリティ', en: 'Database least privilege and row-level security' },
    method: 'test',
  },
  'leak-guard-active': {
    title: { ja: '大量閲覧の検知（リークガード）', en: 'Leak guard limits in force' },
    method: 'examine',
  },
};

/** What the gatherers observed on the deployment at one time. */
export interface PlatformObservations {
  /** The deployment observed (e.g. the audit log's origin), to tell deployments' results apart. */
  readonly deploymentId: string;
  /** When gathering began and ended (date-times with offset). */
  readonly startedAt: string;
  readonly finishedAt: string;
  /**
   * Each registered encrypted column (ENCRYPTED_COLUMNS), in every cell and
   * the control database: how many non-null values it holds and how many of
   * them are not a well-formed sealed value (format byte 0x01, at least the
   * header and tag long).
   */
  readonly encryptedColumns: readonly { readonly database: string; readonly table: string; readonly column: string; readonly values: number; readonly unsealed: number }[];
  /** The KMS (Kms.describe()) and the audit checkpoint signer. */
  readonly kms: {
    readonly kind: 'pkcs11' | 'local-keystore';
    /** True for SoftHSM2: a PKCS#11 token that is software on the host's disk. */
    readonly softwareToken: boolean;
  };
  readonly auditSigner: 'pkcs11' | 'software';
  /** The audit log verified from its first entry to its latest signed checkpoint (`municloud audit verify`'s checks). */
  readonly auditLog: {
    readonly verifies: boolean;
    /** The tree size of the checkpoint verified against. */
    readonly checkpointSize: number;
    /** When it does not verify: the first bad entry and the verifier's reason (altered, missing …). */
    readonly firstBadEntry?: number;
    readonly failure?: string;
  };
  /** Multi-factor login. */
  readonly mfa: {
    /** Roles admitted to My Number routes (from the routes' declared access). */
    readonly myNumberRoles: readonly string[];
    /** Roles that must log in with a second factor (MFA_REQUIRED_ROLES). */
    readonly rolesRequiringMfa: readonly string[];
    /**
     * Live credentials of accounts holding a My Number role, with an active
     * authenticator, that were issued without a second factor.
     */
    readonly credentialsWithoutMfa: number;
    /**
     * Live credentials without a second factor of such accounts that have no
     * active authenticator yet: the enrolment session, which the access layer
     * admits only to the routes that exempt it (enrol, log out). Evidence, not
     * a failure.
     */
    readonly enrolmentCredentials?: number;
  };
  /** Where data is stored: each cell, the control database, backups; country as ISO 3166-1 alpha-2, null if unknown. */
  readonly dataLocations: readonly { readonly id: string; readonly kind: 'cell' | 'control' | 'backup'; readonly country: string | null }[];

  // The checks below come later in the gatherers' work; until a gatherer
  // fills one in, its check reports "not observed" (not satisfied).

  /** The cloud services the deployment runs on, and whether each is registered (ISMAP) on the day observed. */
  readonly servicesInUse?: readonly { readonly serviceId: string; readonly registered: boolean }[];
  /** Municipalities placed on the deployment, and the codes of those without a My Number network zone. */
  readonly networkZones?: { readonly municipalities: number; readonly withoutMyNumberZone: readonly string[] };
  /**
   * The least-privilege check of each request pool (not a superuser, no
   * BYPASSRLS, owns nothing) and the tenant tables' forced row-level security
   * and tenant policy: how many were checked, and what failed (e.g.
   * `cell-1:cell.offices no forced RLS`).
   */
  readonly databaseIsolation?: { readonly checked: number; readonly violations: readonly string[] };
  /** Municipalities placed on the deployment, and the codes of those whose leak-guard limits are not in force. */
  readonly leakGuard?: { readonly municipalities: number; readonly withoutLimits: readonly string[] };
}

export interface SelfCheckResult {
  readonly checkId: SelfCheckId;
  readonly state: 'satisfied' | 'not_satisfied';
  readonly reason: Message;
  /** The figures the judgement rests on, for the OSCAL observation. */
  readonly evidence: Readonly<Record<string, string | number | boolean>>;
}

/** Judges every check, in SELF_CHECK_IDS order. */
export function evaluateSelfChecks(o: PlatformObservations): SelfCheckResult[] {
  if (!isDateTime(o.startedAt) || !isDateTime(o.finishedAt)) throw new TypeError('startedAt and finishedAt must be date-times with an offset');
  return [
    recordsEncrypted(o),
    keysInHsm(o),
    auditLogVerifies(o),
    mfaForMyNumberRoles(o),
    dataInJapan(o),
    providerCertified(o),
    networkZonesConfigured(o),
    databaseIsolation(o),
    leakGuardActive(o),
  ];
}

function result(checkId: SelfCheckId, ok: boolean, reason: Message, evidence: SelfCheckResult['evidence']): SelfCheckResult {
  return { checkId, state: ok ? 'satisfied' : 'not_satisfied', reason, evidence };
}

function recordsEncrypted(o: PlatformObservations): SelfCheckResult {
  const columns = o.encryptedColumns.length;
  const values = o.encryptedColumns.reduce((n, c) => n + c.values, 0);
  const unsealed = o.encryptedColumns.reduce((n, c) => n + c.unsealed, 0);
  const bad = o.encryptedColumns.filter((c) => c.unsealed > 0).map((c) => `${c.database}:${c.table}.${c.column}`).sort();
  const evidence = { columns, values, unsealed, ...(bad.length > 0 ? { columnsWithUnsealed: bad.join(' ') } : {}) };
  if (columns === 0) {
    return result('records-encrypted', false, { ja: '暗号化列が一つも観測されませんでした。', en: 'No encrypted column was observed.' }, evidence);
  }
  if (unsealed > 0) {
    return result('records-encrypted', false, { ja: `暗号化されていない値が ${unsealed} 件あります（${bad.join('、')}）。`, en: `${unsealed} value(s) are not sealed (${bad.join(', ')}).` }, evidence);
  }
  return result('records-encrypted', true, { ja: `${columns} 列 ${values} 件の値がすべて暗号化されています。`, en: `All ${values} value(s) in ${columns} column(s) are sealed.` }, evidence);
}

function keysInHsm(o: PlatformObservations): SelfCheckResult {
  const evidence = { kms: o.kms.kind, softwareToken: o.kms.softwareToken, auditSigner: o.auditSigner };
  if (o.kms.kind !== 'pkcs11') {
    return result('keys-in-hsm', false, { ja: '鍵暗号化鍵がHSMではなくローカルキーストアにあります。', en: 'Key-encryption keys are in the local keystore, not an HSM.' }, evidence);
  }
  if (o.kms.softwareToken) {
    // SoftHSM2 speaks PKCS#11 but keeps its keys in files on the host.
    return result('keys-in-hsm', false, { ja: 'PKCS#11 トークンがソフトウェアトークン（SoftHSM2）です。', en: 'The PKCS#11 token is a software token (SoftHSM2).' }, evidence);
  }
  if (o.auditSigner !== 'pkcs11') {
    return result('keys-in-hsm', false, { ja: '監査ログのチェックポイント署名鍵がHSMの外にあります。', en: "The audit log's checkpoint signing key is outside the HSM." }, evidence);
  }
  return result('keys-in-hsm', true, { ja: '鍵暗号化鍵と監査ログの署名鍵はHSM内にあります。', en: "Key-encryption keys and the audit log's signing key are in the HSM." }, evidence);
}

function auditLogVerifies(o: PlatformObservations): SelfCheckResult {
  const a = o.auditLog;
  const evidence = {
    verifies: a.verifies,
    checkpointSize: a.checkpointSize,
    ...(a.firstBadEntry === undefined ? {} : { firstBadEntry: a.firstBadEntry }),
    ...(a.failure === undefined ? {} : { failure: a.failure }),
  };
  if (!a.verifies) {
    const at = a.firstBadEntry === undefined ? '' : ` (entry ${a.firstBadEntry}${a.failure ? `: ${a.failure}` : ''})`;
    const atJa = a.firstBadEntry === undefined ? '' : `（エントリ ${a.firstBadEntry}${a.failure ? `：${a.failure}` : ''}）`;
    return result('audit-log-verifies', false, { ja: `監査ログが署名済みチェックポイントと一致しません${atJa}。`, en: `The audit log does not verify against its signed checkpoint${at}.` }, evidence);
  }
  if (a.checkpointSize === 0) {
    return result('audit-log-verifies', false, { ja: '署名済みチェックポイントがまだありません。', en: 'There is no signed checkpoint yet.' }, evidence);
  }
  return result('audit-log-verifies', true, { ja: `監査ログの ${a.checkpointSize} 件が署名済みチェックポイントと一致します。`, en: `The audit log's ${a.checkpointSize} entries verify against the signed checkpoint.` }, evidence);
}

function mfaForMyNumberRoles(o: PlatformObservations): SelfCheckResult {
  const m = o.mfa;
  const uncovered = m.myNumberRoles.filter((r) => !m.rolesRequiringMfa.includes(r)).sort();
  const evidence = {
    myNumberRoles: [...m.myNumberRoles].sort().join(' '),
    credentialsWithoutMfa: m.credentialsWithoutMfa,
    ...(m.enrolmentCredentials !== undefined ? { enrolmentCredentials: m.enrolmentCredentials } : {}),
    ...(uncovered.length > 0 ? { rolesWithoutMfaRequirement: uncovered.join(' ') } : {}),
  };
  if (m.myNumberRoles.length === 0) {
    return result('mfa-for-my-number-roles', false, { ja: '個人番号を扱うロールが観測されませんでした。', en: 'No role admitted to My Number routes was observed.' }, evidence);
  }
  if (uncovered.length > 0) {
    return result('mfa-for-my-number-roles', false, { ja: `多要素認証が必須でないロールが個人番号を扱えます：${uncovered.join('、')}。`, en: `Roles that reach My Number without a required second factor: ${uncovered.join(', ')}.` }, evidence);
  }
  if (m.credentialsWithoutMfa > 0) {
    return result('mfa-for-my-number-roles', false, { ja: `認証器を登録済みのアカウントに、第二要素なしで発行された有効な資格情報が ${m.credentialsWithoutMfa} 件あります。`, en: `${m.credentialsWithoutMfa} live credential(s) of accounts with an authenticator were issued without a second factor.` }, evidence);
  }
  return result('mfa-for-my-number-roles', true, { ja: '個人番号を扱うロールはすべて多要素認証が必須です。', en: 'Every role that reaches My Number must log in with a second factor.' }, evidence);
}

/**
 * All data in Japan: every cell, the control database and every backup. Fail
 * closed on backups: with none declared, they are not observed, so the check
 * cannot say that all data (backups included) stays in Japan; it is not
 * satisfied, and the reason and the evidence (`backups: 0`) say why.
 */
const NO_BACKUPS: Message = { ja: 'バックアップの保管場所が宣言されていません（バックアップは未観測）。', en: 'No backup location is declared (backups unobserved).' };

function dataInJapan(o: PlatformObservations): SelfCheckResult {
  const abroad = o.dataLocations.filter((l) => l.country !== 'JP').map((l) => `${l.kind}:${l.id}=${l.country ?? 'unknown'}`).sort();
  const backups = o.dataLocations.filter((l) => l.kind === 'backup').length;
  const evidence = { locations: o.dataLocations.length, backups, ...(abroad.length > 0 ? { outsideJapan: abroad.join(' ') } : {}) };
  const also = (m: Message): Message => (backups > 0 ? m : { ja: `${m.ja}${NO_BACKUPS.ja}`, en: `${m.en} ${NO_BACKUPS.en}` });
  if (!o.dataLocations.some((l) => l.kind === 'cell')) {
    return result('data-in-japan', false, also({ ja: 'データの保管場所（セル）が観測されませんでした。', en: 'No data location (cell) was observed.' }), evidence);
  }
  if (abroad.length > 0) {
    return result('data-in-japan', false, also({ ja: `国内と確認できない保管場所があります：${abroad.join('、')}。`, en: `Data locations not confirmed in Japan: ${abroad.join(', ')}.` }), evidence);
  }
  if (backups === 0) {
    return result(
      'data-in-japan',
      false,
      { ja: `${NO_BACKUPS.ja}観測された ${o.dataLocations.length} か所は国内ですが、バックアップを含むすべてのデータが国内とは確認できません。`, en: `${NO_BACKUPS.en} The ${o.dataLocations.length} location(s) observed are in Japan, but not all data, backups included, is shown to be.` },
      evidence,
    );
  }
  return result('data-in-japan', true, { ja: `${o.dataLocations.length} か所の保管場所（うちバックアップ ${backups} か所）はすべて国内です。`, en: `All ${o.dataLocations.length} data location(s), ${backups} backup(s) among them, are in Japan.` }, evidence);
}

const NOT_OBSERVED: Message = { ja: '観測されていません。', en: 'Not observed.' };

function providerCertified(o: PlatformObservations): SelfCheckResult {
  const services = o.servicesInUse;
  if (services === undefined || services.length === 0) return result('provider-certified', false, NOT_OBSERVED, { services: 0 });
  const unregistered = services.filter((s) => !s.registered).map((s) => s.serviceId).sort();
  const evidence = { services: services.length, ...(unregistered.length > 0 ? { unregistered: unregistered.join(' ') } : {}) };
  if (unregistered.length > 0) {
    return result('provider-certified', false, { ja: `登録のないクラウドサービスを利用しています：${unregistered.join('、')}。`, en: `Cloud services in use without a registration: ${unregistered.join(', ')}.` }, evidence);
  }
  return result('provider-certified', true, { ja: `利用中の ${services.length} サービスはすべて登録済みです。`, en: `All ${services.length} cloud service(s) in use are registered.` }, evidence);
}

function networkZonesConfigured(o: PlatformObservations): SelfCheckResult {
  const z = o.networkZones;
  if (z === undefined || z.municipalities === 0) return result('network-zones-configured', false, NOT_OBSERVED, { municipalities: 0 });
  const missing = [...z.withoutMyNumberZone].sort();
  const evidence = { municipalities: z.municipalities, ...(missing.length > 0 ? { withoutMyNumberZone: missing.join(' ') } : {}) };
  if (missing.length > 0) {
    return result('network-zones-configured', false, { ja: `個人番号利用事務系ゾーンが未設定の団体があります：${missing.join('、')}。`, en: `Municipalities without a My Number zone: ${missing.join(', ')}.` }, evidence);
  }
  return result('network-zones-configured', true, { ja: `${z.municipalities} 団体すべてに個人番号利用事務系ゾーンが設定されています。`, en: `All ${z.municipalities} municipalities have a My Number zone.` }, evidence);
}

function databaseIsolation(o: PlatformObservations): SelfCheckResult {
  const d = o.databaseIsolation;
  if (d === undefined || d.checked === 0) return result('database-isolation', false, NOT_OBSERVED, { checked: 0 });
  const violations = [...d.violations].sort();
  const evidence = { checked: d.checked, violations: violations.length };
  if (violations.length > 0) {
    return result('database-isolation', false, { ja: `権限分離の違反があります：${violations.join('、')}。`, en: `Isolation violations: ${violations.join('; ')}.` }, evidence);
  }
  return result('database-isolation', true, { ja: `${d.checked} 件の検査で違反はありません。`, en: `No violation in ${d.checked} check(s).` }, evidence);
}

function leakGuardActive(o: PlatformObservations): SelfCheckResult {
  const g = o.leakGuard;
  if (g === undefined || g.municipalities === 0) return result('leak-guard-active', false, NOT_OBSERVED, { municipalities: 0 });
  const without = [...g.withoutLimits].sort();
  const evidence = { municipalities: g.municipalities, ...(without.length > 0 ? { withoutLimits: without.join(' ') } : {}) };
  if (without.length > 0) {
    return result('leak-guard-active', false, { ja: `リークガードの上限が効いていない団体があります：${without.join('、')}。`, en: `Municipalities without leak-guard limits in force: ${without.join(', ')}.` }, evidence);
  }
  return result('leak-guard-active', true, { ja: `${g.municipalities} 団体すべてでリークガードの上限が有効です。`, en: `Leak-guard limits are in force for all ${g.municipalities} municipalities.` }, evidence);
}

/**
 * Which requirements each self-check bears on, from the catalog: a
 * requirement whose `assessment.automated` names a check is assessed by it.
 * An `automated` value that names no check is refused (a typo in the catalog
 * would otherwise silently leave a requirement unchecked).
 */
export function requirementsBySelfCheck(
  requirements: readonly { readonly id: string; readonly assessment: { readonly automated?: string } }[],
): Map<SelfCheckId, string[]> {
  const byCheck = new Map<SelfCheckId, string[]>(SELF_CHECK_IDS.map((id) => [id, []]));
  const problems: AssessmentProblem[] = [];
  requirements.forEach((r, i) => {
    const automated = r.assessment.automated;
    if (automated === undefined) return;
    const list = byCheck.get(automated as SelfCheckId);
    if (list === undefined) {
      problems.push({
        path: `/${i}/assessment/automated`,
        rule: 'unknown_self_check',
        message: { ja: `要件 ${r.id} の自動チェック ${automated} は存在しません。`, en: `Requirement ${r.id} names an unknown self-check ${automated}.` },
      });
      return;
    }
    list.push(r.id);
  });
  if (problems.length > 0) throw new UnknownSelfCheck(problems);
  return byCheck;
}

export class UnknownSelfCheck extends Error {
  constructor(readonly problems: readonly AssessmentProblem[]) {
    super(problems.map((p) => p.message.en).join(' '));
    this.name = 'UnknownSelfCheck';
  }
}
