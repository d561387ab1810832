/**
 * The rules of a four-eyes bulk export (一括出力の二者承認). Pure.
 *
 *   requested ──approve (another admin)──▶ approved ──(expiry)──▶ expired
 *       │                                      (file: at most maxDownloads downloads, by the requester)
 *       ├──reject (another admin)──▶ rejected
 *       └──(no decision before expiry)──▶ expired
 */
import type { ProblemCode } from '../../platform/errors.js';

export const EXPORT_STATES = ['requested', 'approved', 'rejected', 'expired'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];

export const EXPORT_POLICY = {
  /** A request not decided within this time expires (and its sealed key is erased). */
  requestTtlHours: 7 * 24,
  /** The file of an approved export can be downloaded for this long after approval, then it is deleted. */
  downloadTtlHours: 24,
  /** Downloads of one file. */
  maxDownloads: 3,
} as const;

/**
 * Why data leaves in bulk (出力目的). The free-text reason (sealed) says more;
 * the code goes into the audit entries as their purpose.
 */
export const EXPORT_PURPOSES = [
  { code: 'statistics', ja: '統計・分析', en: 'Statistics and analysis' },
  { code: 'system_migration', ja: 'システム移行（標準準拠システムへの移行等）', en: 'System migration' },
  { code: 'legal_request', ja: '法令に基づく照会・提供', en: 'A request or provision under the law' },
  { code: 'disaster_response', ja: '災害対応（避難行動要支援者名簿等）', en: 'Disaster response' },
  { code: 'election', ja: '選挙事務', en: 'Election administration' },
  { code: 'audit', ja: '監査・点検', en: 'Audit and inspection' },
  { code: 'other', ja: 'その他（理由に記載）', en: 'Other (see the reason)' },
] as const;
export const EXPORT_PURPOSE_CODES = EXPORT_PURPOSES.map((p) => p.code);

export interface ExportFacts {
  readonly state: ExportState;
  readonly requestedBy: string;
  readonly version: number;
  readonly expiresAt: Date;
  readonly downloads: number;
  readonly maxDownloads: number;
}

export interface Actor {
  readonly accountId: string;
  readonly readsBlocked?: boolean | undefined;
}

/** A refusal: the problem to answer with, and whether it is worth an audit entry (a refused attempt by someone entitled to try). */
export interface Refusal {
  readonly problem: ProblemCode;
  readonly audited: boolean;
}

function expired(e: ExportFacts, now: Date): boolean {
  return e.state === 'expired' || ((e.state === 'requested' || e.state === 'approved') && e.expiresAt.getTime() <= now.getTime());
}

/** Whether `actor` may approve or reject the export now, given the version they read; null when they may. */
export function decisionRefusal(e: ExportFacts, actor: Actor, version: number, now: Date): Refusal | null {
  // Expired first: expiry itself changes the version, and the answer that helps is "expired".
  if (expired(e, now)) return { problem: 'export_expired', audited: false };
  if (e.version !== version) return { problem: 'conflict', audited: false };
  if (e.state !== 'requested') return { problem: 'export_not_pending', audited: false };
  if (e.requestedBy === actor.accountId) return { problem: 'four_eyes_required', audited: true };
  if (actor.readsBlocked) return { problem: 'reads_blocked', audited: true };
  return null;
}

/** Whether `actor` may download the export's file now; null when they may. */
export function downloadRefusal(e: ExportFacts, actor: Actor, now: Date): Refusal | null {
  if (e.requestedBy !== actor.accountId) return { problem: 'export_requester_only', audited: true };
  if (actor.readsBlocked) return { problem: 'reads_blocked', audited: true };
  if (expired(e, now)) return { problem: 'export_expired', audited: true };
  if (e.state !== 'approved') return { problem: 'export_not_approved', audited: true };
  if (e.downloads >= e.maxDownloads) return { problem: 'export_download_limit', audited: true };
  return null;
}
