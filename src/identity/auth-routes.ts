/** Login (password, then the second factor where the account has one), sessions and API tokens. */
import { Type } from 'typebox';
import { Problem } from '../platform/errors.js';
import type { App, Platform } from '../platform/http/server.js';
import { OrganizationCode, Text, Uuid } from '../platform/http/schemas.js';
import {
  changePassword,
  checkLogin,
  findAccount,
  issueCredential,
  listCredentials,
  lockedForSeconds,
  recordLoginFailure,
  recordLoginSuccess,
  revokeCredential,
} from './accounts.js';
import { AccountSchema, ANY_ROLE, CredentialSchema, IdParams, LoginName, Password, principalOf, requireGoodPassword } from './http.js';
import { challengeAccount, hasActiveTotp, spendRecoveryCode, verifyTotp } from './mfa.js';
import { PASSWORD_MAX_LENGTH } from './password.js';
import { requiresMfa } from './roles.js';
import { tokenHash } from './tokens.js';
import { recordAction } from '../security/audit/record.js';
import type { FastifyRequest } from 'fastify';

/** How long a login may take between the password and the second factor. */
const CHALLENGE_TTL_SECONDS = 300;

const SessionSchema = Type.Object({
  status: Type.Literal('authenticated'),
  token: Type.String(),
  expiresAt: Type.String(),
  account: AccountSchema,
  mfaEnrolmentRequired: Type.Boolean({ description: 'The account must enrol an authenticator before it can do anything else' }),
});
const ChallengeSchema = Type.Object({
  status: Type.Literal('mfa_required'),
  challenge: Type.String({ description: 'Send it with a code to /v1/auth/login/mfa' }),
  expiresAt: Type.String(),
});

function lockedProblem(retryAfterSeconds: number): Problem {
  return new Problem('too_many_attempts', [], undefined, { 'retry-after': String(retryAfterSeconds) });
}

export function authRoutes(app: App, platform: Platform): void {
  const { control, config } = platform;

  async function openSession(request: FastifyRequest, accountId: string, mfa: boolean) {
    await recordLoginSuccess(control, accountId);
    const account = (await findAccount(control, accountId))!;
    await recordAction(platform, request, 'login', {
      actor: { account: account.id, roles: account.roles, organization: account.organizationCode },
      municipality: null,
    });
    const credential = await issueCredential(control, accountId, 'session', config.sessionTtlSeconds, { mfa });
    return {
      status: 'authenticated' as const,
      token: credential.token,
      expiresAt: credential.expiresAt,
      account,
      mfaEnrolmentRequired: requiresMfa(account.roles) && !mfa,
    };
  }

  app.post(
    '/v1/auth/login',
    {
      config: { access: { roles: 'public' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a password: a session, or a challenge for the second factor',
        security: [],
        body: Type.Object(
          { organizationCode: OrganizationCode, loginName: LoginName, password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Union([SessionSchema, ChallengeSchema]) },
      },
    },
    async (request) => {
      const { organizationCode, loginName, password } = request.body;
      const check = await checkLogin(control, organizationCode, loginName, password);
      // The login name is not recorded: it may be a mistyped password. The organization is.
      const anonymous = { account: null, roles: [], organization: organizationCode };
      if (check.outcome === 'locked') {
        await recordAction(platform, request, 'login_failed', { actor: anonymous, municipality: null, refused: 'account_locked' });
        throw lockedProblem(check.retryAfterSeconds);
      }
      if (check.outcome === 'failed') {
        await recordAction(platform, request, 'login_failed', { actor: anonymous, municipality: null, refused: 'invalid_credentials' });
        throw new Problem('invalid_credentials');
      }
      if (!(await hasActiveTotp(control, check.accountId))) return openSession(request, check.accountId, false);
      const challenge = await issueCredential(control, check.accountId, 'mfa_challenge', CHALLENGE_TTL_SECONDS, { mfa: false });
      return { status: 'mfa_required' as const, challenge: challenge.token, expiresAt: challenge.expiresAt };
    },
  );

  app.post(
    '/v1/auth/login/mfa',
    {
      config: { access: { roles: 'public' } },
      schema: {
        tags: ['auth'],
        summary: 'Complete a login with an authenticator code or a recovery code',
        security: [],
        body: Type.Object(
          {
            challenge: Type.String({ pattern: '^mcc_[A-Za-z0-9_-]{43}$' }),
            code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'Six digits from the authenticator app' })),
            recoveryCode: Type.Optional(Type.String({ pattern: '^[A-Za-z2-7-]{16,19}$', description: 'One of the recovery codes (single use)' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SessionSchema },
      },
    },
    async (request) => {
      const { challenge, code, recoveryCode } = request.body;
      if ((code === undefined) === (recoveryCode === undefined)) {
        throw new Problem('validation_failed', [
          { field: 'body/code', rule: 'one_of', message: { ja: 'code か recoveryCode のどちらか一方を指定してください。', en: 'send exactly one of code and recoveryCode' } },
        ]);
      }
      const pending = await challengeAccount(control, tokenHash(challenge));
      if (!pending) throw new Problem('unauthenticated');
      const locked = await lockedForSeconds(control, pending.accountId);
      if (locked > 0) throw lockedProblem(locked);
      const ok = code !== undefined ? await verifyTotp(control, pending.accountId, code) : await spendRecoveryCode(control, pending.accountId, recoveryCode!);
      if (!ok) {
        await recordLoginFailure(control, pending.accountId);
        const account = (await findAccount(control, pending.accountId))!;
        await recordAction(platform, request, 'mfa_failed', {
          actor: { account: account.id, roles: account.roles, organization: account.organizationCode },
          municipality: null,
          refused: code !== undefined ? 'totp_rejected' : 'recovery_code_rejected',
        });
        throw new Problem('invalid_credentials');
      }
      await revokeCredential(control, pending.accountId, pending.id);
      return openSession(request, pending.accountId, true);
    },
  );


  app.post(
    '/v1/auth/logout',
    { config: { access: { roles: ANY_ROLE, mfaExempt: true } }, schema: { tags: ['auth'], summary: 'Revoke the credential used for this request' } },
    async (request, reply) => {
      const principal = principalOf(request);
      await revokeCredential(control, principal.accountId, principal.credentialId);
      await recordAction(platform, request, 'logout', { municipality: null });
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/auth/me',
    {
      config: { access: { roles: ANY_ROLE, mfaExempt: true } },
      schema: { tags: ['auth'], summary: 'The authenticated account', response: { 200: AccountSchema } },
    },
    async (request) => (await findAccount(control, principalOf(request).accountId))!,
  );

  app.put(
    '/v1/auth/password',
    {
      config: { access: { roles: ANY_ROLE } },
      schema: {
        tags: ['auth'],
        summary: 'Change your own password; your other sessions end',
        body: Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }), newPassword: Password }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireGoodPassword(request.body.newPassword, 'body/newPassword');
      await changePassword(control, principal.accountId, request.body.currentPassword, request.body.newPassword);
      await recordAction(platform, request, 'password_changed', { municipality: null });
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/auth/tokens',
    {
      config: { access: { roles: ANY_ROLE } },
      schema: { tags: ['auth'], summary: 'Your live API tokens', response: { 200: Type.Object({ items: Type.Array(CredentialSchema) }) } },
    },
    async (request) => ({ items: await listCredentials(control, principalOf(request).accountId, 'api_token') }),
  );

  app.post(
    '/v1/auth/tokens',
    {
      config: { access: { roles: ANY_ROLE } },
      schema: {
        tags: ['auth'],
        summary: 'Create an API token for your account (shown once)',
        body: Type.Object(
          { name: Text({ maxLength: 100 }), expiresInDays: Type.Integer({ minimum: 1, maximum: 365, default: 90 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Uuid, token: Type.String(), name: Type.String(), expiresAt: Type.String() }) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const issued = await issueCredential(control, principal.accountId, 'api_token', request.body.expiresInDays * 86_400, {
        name: request.body.name,
        mfa: principal.mfa,
      });
      await recordAction(platform, request, 'token_created', { municipality: null, records: [{ resource: 'credentials', ids: [issued.id] }] });
      return reply.status(201).send({ id: issued.id, token: issued.token, name: request.body.name, expiresAt: issued.expiresAt });
    },
  );

  app.delete(
    '/v1/auth/tokens/:id',
    { config: { access: { roles: ANY_ROLE } }, schema: { tags: ['auth'], summary: 'Revoke one of your API tokens', params: IdParams } },
    async (request, reply) => {
      if (!(await revokeCredential(control, principalOf(request).accountId, request.params.id))) throw new Problem('not_found');
      await recordAction(platform, request, 'token_revoked', { municipality: null, records: [{ resource: 'credentials', ids: [request.params.id] }] });
      return reply.status(204).send();
    },
  );

}
