import { describe, expect, it } from 'vitest';
import { decisionRefusal, downloadRefusal, type ExportFacts } from './policy.js';

const now = new Date('2026-11-21T10:00:00Z');
const later = new Date('2026-11-22T10:00:00Z');
const requested: ExportFacts = { state: 'requested', requestedBy: 'alice', version: 1, expiresAt: later, downloads: 0, maxDownloads: 3 };
const approved: ExportFacts = { ...requested, state: 'approved', version: 2 };

describe('decisions (four eyes)', () => {
  it('lets another admin decide a pending request of the version they read', () => {
    expect(decisionRefusal(requested, { accountId: 'bob' }, 1, now)).toBeNull();
  });
  it('refuses the requester, a blocked reader, a stale version, a decided or an expired export', () => {
    expect(decisionRefusal(requested, { accountId: 'alice' }, 1, now)).toEqual({ problem: 'four_eyes_required', audited: true });
    expect(decisionRefusal(requested, { accountId: 'bob', readsBlocked: true }, 1, now)).toEqual({ problem: 'reads_blocked', audited: true });
    expect(decisionRefusal(requested, { accountId: 'bob' }, 2, now)?.problem).toBe('conflict');
    expect(decisionRefusal(approved, { accountId: 'bob' }, 2, now)?.problem).toBe('export_not_pending');
    expect(decisionRefusal(requested, { accountId: 'bob' }, 1, later)?.problem).toBe('export_expired');
    // Expiry changes the version: an expired export says so whatever version was read.
    expect(decisionRefusal({ ...requested, state: 'expired', version: 2 }, { accountId: 'bob' }, 1, now)?.problem).toBe('export_expired');
  });
});

describe('downloads', () => {
  it('lets the requester download an approved export within its window and count', () => {
    expect(downloadRefusal(approved, { accountId: 'alice' }, now)).toBeNull();
    expect(downloadRefusal({ ...approved, downloads: 2 }, { accountId: 'alice' }, now)).toBeNull();
  });
  it('refuses anyone else, a blocked requester, before approval, after expiry or the last download', () => {
    expect(downloadRefusal(approved, { accountId: 'bob' }, now)?.problem).toBe('export_requester_only');
    expect(downloadRefusal(approved, { accountId: 'alice', readsBlocked: true }, now)?.problem).toBe('reads_blocked');
    expect(downloadRefusal(requested, { accountId: 'alice' }, now)?.problem).toBe('export_not_approved');
    expect(downloadRefusal({ ...approved, state: 'rejected' }, { accountId: 'alice' }, now)?.problem).toBe('export_not_approved');
    expect(downloadRefusal(approved, { accountId: 'alice' }, later)?.problem).toBe('export_expired');
    expect(downloadRefusal({ ...approved, state: 'expired' }, { accountId: 'alice' }, now)?.problem).toBe('export_expired');
    expect(downloadRefusal({ ...approved, downloads: 3 }, { accountId: 'alice' }, now)?.problem).toBe('export_download_limit');
  });
});
