/**
 * The catalogue of audit entry kinds: what happened. Every read, search,
 * export, print and change of personal data, and every administrative and
 * security action, is one of these. Documented in docs/audit.md (keep the two
 * in step; a unit test checks that every kind is listed there). Pure.
 *
 * `municipality: 'required'` kinds always act on one municipality's data;
 * `records: 'required'` kinds must name what they touched (resource + ids,
 * possibly an empty id list, e.g. a search that found nothing).
 */

export type EntryCategory = 'personal_data' | 'security' | 'administration';

export interface EntryKindSpec {
  readonly category: EntryCategory;
  readonly municipality: 'required' | 'optional';
  readonly records: 'required' | 'optional';
  readonly ja: string;
  readonly en: string;
}

export const ENTRY_KINDS = {
  // 個人情報の取扱い: every access to a resident's data, whatever its outcome.
  personal_data_read: { category: 'personal_data', municipality: 'required', records: 'required', ja: '個人情報の閲覧', en: 'Personal data read' },
  personal_data_search: { category: 'personal_data', municipality: 'required', records: 'required', ja: '個人情報の検索（ヒットした記録のID）', en: 'Personal data searched (ids of the records found)' },
  personal_data_export: { category: 'personal_data', municipality: 'required', records: 'required', ja: '個人情報の出力（ファイル・外部連携）', en: 'Personal data exported (file or linkage)' },
  personal_data_print: { category: 'personal_data', municipality: 'required', records: 'required', ja: '個人情報の印刷（証明書・帳票）', en: 'Personal data printed (certificate or form)' },
  personal_data_change: { category: 'personal_data', municipality: 'required', records: 'required', ja: '個人情報の登録・更新・削除', en: 'Personal data created, changed or deleted' },
  support_measure_disclosed: { category: 'personal_data', municipality: 'required', records: 'required', ja: '支援措置対象者の記録の開示（理由付き）', en: 'Record under a support measure disclosed, with a reason' },
  export_requested: { category: 'personal_data', municipality: 'required', records: 'required', ja: '一括出力の申請', en: 'Bulk export requested' },
  export_approved: { category: 'personal_data', municipality: 'required', records: 'required', ja: '一括出力の承認（二者承認）', en: 'Bulk export approved (four eyes)' },
  export_rejected: { category: 'personal_data', municipality: 'required', records: 'required', ja: '一括出力の却下', en: 'Bulk export rejected' },
  export_downloaded: { category: 'personal_data', municipality: 'required', records: 'required', ja: '一括出力ファイルのダウンロード', en: 'Bulk export file downloaded' },
  // The public endpoint shows a certificate's printed (masked) content to whoever holds the paper: an anonymous read.
  // Municipality and records are absent when the code names no municipality or certificate that could be found.
  certificate_verified: { category: 'personal_data', municipality: 'optional', records: 'optional', ja: '証明書の真正性確認（公開照会）', en: 'Certificate verified (public endpoint)' },

  // 認証・セキュリティ
  login: { category: 'security', municipality: 'optional', records: 'optional', ja: 'ログイン', en: 'Logged in' },
  login_failed: { category: 'security', municipality: 'optional', records: 'optional', ja: 'ログイン失敗', en: 'Login failed' },
  logout: { category: 'security', municipality: 'optional', records: 'optional', ja: 'ログアウト', en: 'Logged out' },
  password_changed: { category: 'security', municipality: 'optional', records: 'optional', ja: 'パスワード変更', en: 'Password changed' },
  mfa_enrolled: { category: 'security', municipality: 'optional', records: 'optional', ja: '多要素認証の登録', en: 'Multi-factor authentication enrolled' },
  mfa_failed: { category: 'security', municipality: 'optional', records: 'optional', ja: '多要素認証の失敗', en: 'Multi-factor authentication failed' },
  account_locked: { category: 'security', municipality: 'optional', records: 'optional', ja: 'アカウントのロック', en: 'Account locked after repeated failures' },
  token_created: { category: 'security', municipality: 'optional', records: 'optional', ja: 'APIトークンの発行', en: 'API token created' },
  token_revoked: { category: 'security', municipality: 'optional', records: 'optional', ja: 'APIトークンの失効', en: 'API token revoked' },
  access_refused: { category: 'security', municipality: 'optional', records: 'optional', ja: 'アクセス拒否（目的・ネットワーク区分・権限）', en: 'Access refused (purpose, network zone or role)' },
  leak_guard_tripped: { category: 'security', municipality: 'required', records: 'optional', ja: '大量閲覧の検知・遮断', en: 'Leak guard limit crossed; reads blocked' },
  key_created: { category: 'security', municipality: 'optional', records: 'optional', ja: '暗号鍵の生成', en: 'Encryption key created' },
  key_rotated: { category: 'security', municipality: 'optional', records: 'optional', ja: '暗号鍵の更新', en: 'Encryption key rotated' },
  key_destroyed: { category: 'security', municipality: 'optional', records: 'optional', ja: '暗号鍵の破棄（クリプトシュレッディング）', en: 'Encryption key destroyed (crypto-shredding)' },
  audit_exported: { category: 'security', municipality: 'optional', records: 'optional', ja: '監査ログの出力', en: 'Audit log exported' },

  // 管理操作
  account_created: { category: 'administration', municipality: 'optional', records: 'required', ja: 'アカウントの作成', en: 'Account created' },
  account_disabled: { category: 'administration', municipality: 'optional', records: 'required', ja: 'アカウントの無効化', en: 'Account disabled' },
  account_roles_changed: { category: 'administration', municipality: 'optional', records: 'required', ja: 'アカウントの役割変更', en: 'Account roles changed' },
  placement_set: { category: 'administration', municipality: 'required', records: 'optional', ja: 'データ配置先（セル）の設定', en: 'Municipality placed on a cell' },
  support_measure_set: { category: 'administration', municipality: 'required', records: 'required', ja: '支援措置の設定', en: 'Support measure set' },
  support_measure_ended: { category: 'administration', municipality: 'required', records: 'required', ja: '支援措置の終了', en: 'Support measure ended' },
  certificate_revoked: { category: 'administration', municipality: 'required', records: 'required', ja: '交付済み証明書の無効化', en: 'Issued certificate revoked' },
  certificate_issuer_set: { category: 'administration', municipality: 'required', records: 'required', ja: '証明書の発行者（首長の職名・氏名）の設定', en: "Certificate issuer (the mayor's title and name) set" },
  subscription_declared: { category: 'administration', municipality: 'required', records: 'required', ja: '連携の購読の登録（業務・利用目的・項目・受信システム）', en: 'Linkage subscription declared (operation, purpose, fields, receiving system)' },
  dead_letters_replayed: { category: 'administration', municipality: 'required', records: 'required', ja: '連携の配信不能イベントの再送指示', en: 'Linkage dead letters sent again' },
  subscription_revoked: { category: 'administration', municipality: 'required', records: 'required', ja: '連携の購読の取消', en: 'Linkage subscription revoked' },
  webhook_secret_rotated: { category: 'administration', municipality: 'required', records: 'required', ja: '連携の Webhook 署名鍵の更新（旧鍵は24時間有効）', en: 'Linkage webhook signing secret rotated (the previous one signs for 24 hours)' },
  settings_changed: { category: 'administration', municipality: 'optional', records: 'optional', ja: '設定の変更（利用目的・ネットワーク区分・上限）', en: 'Settings changed (purposes, network zones, limits)' },
  provider_registry_changed: { category: 'administration', municipality: 'optional', records: 'required', ja: 'プロバイダ登録簿の変更（事業者・サービス・リージョン・ISMAP 登録・共同提案）', en: 'Provider registry changed (provider, service, region, registration, joint proposal)' },
  cell_location_declared: { category: 'administration', municipality: 'optional', records: 'required', ja: 'セルの所在（プロバイダ・サービス・リージョン）の宣言', en: "Cell's location declared (provider, service, region)" },
  data_store_location_declared: { category: 'administration', municipality: 'optional', records: 'required', ja: '制御データベース・バックアップの所在（プロバイダ・サービス・リージョン）の宣言', en: "Location of the control database or a backup declared (provider, service, region)" },
  component_definition_submitted: { category: 'administration', municipality: 'optional', records: 'required', ja: 'コンポーネント定義（要件の満たし方）の提出', en: 'Component definition (how a service meets the requirements) submitted' },
  assessment_findings_recorded: { category: 'administration', municipality: 'optional', records: 'required', ja: '評価者の判定（要件ごと）の記録', en: "Assessor's findings (per requirement) recorded" },
  certification_decided: { category: 'administration', municipality: 'optional', records: 'required', ja: 'クラウドサービスの認定の判定（データ区分ごと）', en: 'Cloud service certification decided (per class of data)' },
  placement_alert: { category: 'administration', municipality: 'required', records: 'required', ja: 'データ配置先の登録・認定の失効（予定）の通知', en: "Alert: the registration or certification of a municipality's cell has lapsed or will lapse" },
  self_check_run: { category: 'administration', municipality: 'optional', records: 'required', ja: '基盤の自己点検の実施（OSCAL 評価結果）', en: 'Platform self-checks run (OSCAL assessment results)' },
} as const satisfies Record<string, EntryKindSpec>;

export type EntryKind = keyof typeof ENTRY_KINDS;
export const ENTRY_KIND_NAMES = Object.keys(ENTRY_KINDS) as EntryKind[];

export function isEntryKind(s: string): s is EntryKind {
  return Object.hasOwn(ENTRY_KINDS, s);
}

/** The three-layer model's network zones (三層の対策), and where a platform operator works from. */
export const NETWORK_ZONES = [
  'my_number', // 個人番号利用事務系 (the names of security/access/network-zones.ts)
  'lgwan', // LGWAN接続系
  'internet', // インターネット接続系
  'operator', // the platform operator's own network
  'unknown', // not classified (zones are configured per municipality)
] as const;
export type NetworkZone = (typeof NETWORK_ZONES)[number];

export const OUTCOMES = ['success', 'refused', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];
