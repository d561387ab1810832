/**
 * TOTP secrets sealed at rest: the control database holds no authenticator
 * secret in plaintext, a sealed secret opens only on its own account's row,
 * old plaintext rows are sealed, the rewrap job reaches the control table for
 * every organization (placed on a cell or not), and once an organization's keys
 * are shredded its authenticators verify nothing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/identity/accounts.js';
import { provisionActiveTotp, sealPlaintextTotpSecrets, TOTP_SECRET, verifyTotp } from '../../src/identity/mfa.js';
import type { Role } from '../../src/identity/roles.js';
import { base32Decode, totpAt } from '../../src/identity/totp.js';
import { sealedKeyVersion } from '../../src/security/keys/format.js';
import { ENCRYPTED_COLUMNS } from '../../src/security/keys/registry.js';
import { rewrap } from '../../src/security/keys/rewrap.js';
import { rotateDataKey } from '../../src/security/keys/rotation.js';
import { shredMunicipality } from '../../src/security/keys/shred.js';
import { SECRETS } from '../keys/setup.js';
import { call, CHIYODA, freshTotp, logIn, newSession, YOKOHAMA, type Session } from '../support/api.js';
import { adminQuery, createTestPlatform, type TestPlatform } from '../support/platform.js';

const TOKYO_PREFECTURE = '130001';
const DIGITAL_AGENCY = '000001';

let tp: TestPlatform;
/** The account whose sealed secret a test replaced with another account's (the rewrap job must report it, not fix it). */
let tampered: string;
beforeAll(async () => {
  tp = await createTestPlatform();
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
});
afterAll(async () => tp?.close());

const asAdmin = <T extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<T[]> => adminQuery<T>(tp, 'control', sql, args);

interface Row {
  secret: Buffer | null;
  secret_sealed: Buffer | null;
  organization_code: string;
}
const rowOf = async (accountId: string) => (await asAdmin<Row>('SELECT secret, secret_sealed, organization_code FROM control.mfa_totp WHERE account_id = $1', [accountId]))[0]!;
const accountIdOf = async (session: Session) =>
  (await asAdmin<{ id: string }>('SELECT id FROM control.accounts WHERE organization_code = $1 AND login_name = $2', [session.organizationCode, session.loginName]))[0]!.id;

async function account(organizationCode: string, roles: Role[]) {
  const loginName = `s-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const created = await createAccount(tp.platform.control, { organizationCode, loginName, displayName: '職員', roles, password });
  return { ...created, password };
}

/** The secret must appear in no form: raw, base32, hex or base64. */
function expectNoTrace(stored: Buffer, secret: Buffer): void {
  const text = stored.toString('latin1');
  expect(stored.includes(secret)).toBe(false);
  for (const form of [secret.toString('hex'), secret.toString('base64'), secret.subarray(0, 8).toString('hex')]) expect(text).not.toContain(form);
}

describe('TOTP secrets at rest', () => {
  it('are stored sealed, never in plaintext, by provisioning and by enrolment through the API', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    const id = await accountIdOf(clerk);
    const provisioned = await rowOf(id);
    expect(provisioned.secret).toBeNull();
    expect(provisioned.organization_code).toBe(CHIYODA);
    expect(provisioned.secret_sealed!.length).toBe(33 + 20);
    expectNoTrace(provisioned.secret_sealed!, clerk.totpSecret!);

    const a = await account(CHIYODA, ['clerk']);
    const first = await call(tp.app, 'POST', '/v1/auth/login', { body: { organizationCode: CHIYODA, loginName: a.loginName, password: a.password } });
    const enrol = await call(tp.app, 'POST', '/v1/auth/mfa/totp', { token: first.body.token });
    expect(enrol.status).toBe(201);
    const secret = base32Decode(enrol.body.secret);
    const pending = await rowOf(a.id);
    expect(pending.secret).toBeNull();
    expectNoTrace(pending.secret_sealed!, secret);
    expect(pending.secret_sealed!.toString('latin1')).not.toContain(enrol.body.secret);
    const activated = await call(tp.app, 'POST', '/v1/auth/mfa/totp/activate', { token: first.body.token, body: { code: await freshTotp(secret) } });
    expect(activated.status).toBe(200);
    expect((await logIn(tp.app, CHIYODA, a.loginName, a.password, secret)).status).toBe(200);
    // Nothing in the whole table is a secret in the clear.
    const plaintext = await asAdmin<{ n: number }>('SELECT count(*)::int AS n FROM control.mfa_totp WHERE secret IS NOT NULL');
    expect(plaintext[0]!.n).toBe(0);
  });

  it('cannot be written in plaintext, even by the table owner', async () => {
    const a = await account(CHIYODA, ['clerk']);
    await provisionActiveTotp(tp.platform, a.id);
    await expect(asAdmin('UPDATE control.mfa_totp SET secret = $2, secret_sealed = NULL WHERE account_id = $1', [a.id, randomBytes(20)])).rejects.toThrow(/never in plaintext/);
    const b = await account(CHIYODA, ['clerk']);
    await expect(
      asAdmin('INSERT INTO control.mfa_totp (account_id, organization_code, secret) VALUES ($1, $2, $3)', [b.id, CHIYODA, randomBytes(20)]),
    ).rejects.toThrow(/never in plaintext/);
    // Nor under another organization than the account's.
    await expect(asAdmin('UPDATE control.mfa_totp SET organization_code = $2 WHERE account_id = $1', [a.id, '011002'])).rejects.toThrow(/foreign key/);
  });

  it("open only on their own account's row: a sealed secret copied to another account does not verify", async () => {
    const a = await account(CHIYODA, ['clerk']);
    const b = await account(CHIYODA, ['clerk']);
    const secretA = await provisionActiveTotp(tp.platform, a.id);
    await provisionActiveTotp(tp.platform, b.id);
    await asAdmin('UPDATE control.mfa_totp SET secret_sealed = (SELECT secret_sealed FROM control.mfa_totp WHERE account_id = $1) WHERE account_id = $2', [a.id, b.id]);
    tampered = b.id;
    await expect(verifyTotp(tp.platform, b.id, totpAt(secretA, Date.now()))).rejects.toMatchObject({ code: 'ciphertext_rejected' });
    expect(await verifyTotp(tp.platform, a.id, totpAt(secretA, Date.now()))).toBe(true);
  });

  it('from before sealing are sealed at start, or on first use, and keep working', async () => {
    const legacy = async () => {
      const a = await account(CHIYODA, ['clerk']);
      const secret = randomBytes(20);
      // As migration 0009 found them: the trigger that refuses plaintext did not exist yet.
      await asAdmin(
        `SET session_replication_role = 'replica';
         INSERT INTO control.mfa_totp (account_id, organization_code, secret, active, activated_at) VALUES ('${a.id}', '${CHIYODA}', '\\x${secret.toString('hex')}', true, now())`,
      );
      return { a, secret };
    };
    const swept = await legacy();
    expect((await rowOf(swept.a.id)).secret!.equals(swept.secret)).toBe(true);
    expect(await sealPlaintextTotpSecrets(tp.platform)).toEqual({ sealed: 1, failed: 0 });
    const sealed = await rowOf(swept.a.id);
    expect(sealed.secret).toBeNull();
    expectNoTrace(sealed.secret_sealed!, swept.secret);
    expect(await verifyTotp(tp.platform, swept.a.id, totpAt(swept.secret, Date.now()))).toBe(true);

    const used = await legacy();
    expect(await verifyTotp(tp.platform.control, used.a.id, totpAt(used.secret, Date.now()))).toBe(true);
    expect((await rowOf(used.a.id)).secret).toBeNull();
    expect(await sealPlaintextTotpSecrets(tp.platform)).toEqual({ sealed: 0, failed: 0 });
  });

  it('of organizations that are not municipalities are sealed under their own keys', async () => {
    for (const [code, roles] of [
      [TOKYO_PREFECTURE, ['prefecture_security_admin']],
      [DIGITAL_AGENCY, ['platform_operator']],
    ] as [string, Role[]][]) {
      const a = await account(code, roles);
      const secret = await provisionActiveTotp(tp.platform, a.id);
      expect((await rowOf(a.id)).organization_code).toBe(code);
      expect((await logIn(tp.app, code, a.loginName, a.password, secret)).status).toBe(200);
      const [kek] = await asAdmin<{ n: number }>("SELECT count(*)::int AS n FROM control.key_encryption_keys WHERE municipality_code = $1 AND state = 'active'", [code]);
      expect(kek!.n).toBe(1);
    }
  });
});

describe('the rewrap job', () => {
  it('knows the sealed column, and moves it onto a new record key for every organization, placed on a cell or not', async () => {
    expect(ENCRYPTED_COLUMNS.list()).toContain(TOTP_SECRET);
    expect(TOTP_SECRET.database).toBe('control');
    const keys = tp.platform.keys;
    const accounts: { id: string; code: string; secret: Buffer }[] = [];
    for (const [code, roles] of [
      [CHIYODA, ['clerk']],
      [DIGITAL_AGENCY, ['platform_operator']],
    ] as [string, Role[]][]) {
      const a = await account(code, roles);
      accounts.push({ id: a.id, code, secret: await provisionActiveTotp(tp.platform, a.id) });
    }
    for (const code of [CHIYODA, DIGITAL_AGENCY]) await rotateDataKey(keys.deps, code);
    const deps = { control: tp.platform.control, keys, poolFor: (c: string) => tp.platform.cells.poolFor(c), columns: [TOTP_SECRET] };
    for (const code of [CHIYODA, DIGITAL_AGENCY]) {
      const before = await asAdmin<{ n: number }>('SELECT count(*)::int AS n FROM control.mfa_totp WHERE organization_code = $1', [code]);
      const report = await rewrap(deps, { municipalityCode: code, settleMs: 0 });
      expect(report.skipped).toEqual([]);
      // The secret copied onto another account (above) does not open there: left as it is, and reported.
      const failedIds = code === CHIYODA ? [tampered] : [];
      expect(report.columns).toEqual([
        expect.objectContaining({ column: 'control.mfa_totp.secret_sealed', finished: true, rowsSeen: before[0]!.n, rowsFailed: failedIds.length, failedIds }),
      ]);
      expect(report.columns[0]!.rowsRewrapped).toBe(before[0]!.n - failedIds.length);
    }
    for (const a of accounts) {
      const row = await rowOf(a.id);
      expect(sealedKeyVersion(row.secret_sealed!)).toBe(2);
      expect(await verifyTotp(tp.platform, a.id, totpAt(a.secret, Date.now()))).toBe(true);
    }
    // With a cell column too, an organization that is on no cell still has its control column rewrapped.
    await rotateDataKey(keys.deps, DIGITAL_AGENCY);
    const report = await rewrap({ ...deps, columns: [SECRETS, TOTP_SECRET] }, { municipalityCode: DIGITAL_AGENCY, settleMs: 0 });
    expect(report.skipped).toEqual([]);
    expect(report.columns.map((c) => c.column)).toEqual(['control.mfa_totp.secret_sealed']);
    expect(sealedKeyVersion((await rowOf(accounts[1]!.id)).secret_sealed!)).toBe(3);
  });
});

describe('crypto-shredding an organization', () => {
  it('leaves its authenticators unable to verify anything, and other organizations untouched', async () => {
    const clerk = await newSession(tp, YOKOHAMA, ['clerk']);
    const id = await accountIdOf(clerk);
    const other = await newSession(tp, CHIYODA, ['clerk']);
    await shredMunicipality({ control: tp.platform.control, kms: tp.platform.keys.kms, keys: tp.platform.keys }, YOKOHAMA);

    // The right code, straight from the authenticator, no longer verifies ...
    expect(await verifyTotp(tp.platform, id, totpAt(clerk.totpSecret!, Date.now()))).toBe(false);
    // ... so the login stops at the second factor, and the sealed value is still all the database has.
    const res = await logIn(tp.app, YOKOHAMA, clerk.loginName, clerk.password, clerk.totpSecret);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_credentials');
    expect(res.body.token).toBeUndefined();
    expect((await rowOf(id)).secret).toBeNull();
    // No new authenticator can be sealed for it either.
    const fresh = await account(YOKOHAMA, ['clerk']);
    await expect(provisionActiveTotp(tp.platform, fresh.id)).rejects.toMatchObject({ code: 'keys_destroyed' });

    expect((await logIn(tp.app, CHIYODA, other.loginName, other.password, other.totpSecret)).status).toBe(200);
  });
});
