/** Login, sessions, API tokens and account management. */
import { Type } from 'typebox';
import { fieldError, Problem } from '../platform/errors.js';
import type { App, Platform } from '../platform/http/server.js';
import { Cursor, Limit, OrganizationCode, Page, Text, Uuid } from '../platform/http/schemas.js';
import { requireOrganization } from '../organizations/store.js';
import { accountScope, mayGrantRoles, mayManageAccountsOf } from './account-policy.js';
import {
  changePassword,
  checkLogin,
  createAccount,
  disableAccount,
  findAccount,
  issueCredential,
  listAccounts,
  listCredentials,
  revokeCredential,
  type Account,
} from './accounts.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from './password.js';
import { ROLES, roleFitsOrganization, type Principal, type Role } from './roles.js';

const ANY_ROLE = ROLES;
const RoleSchema = Type.Enum(ROLES);
const LoginName = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{2,63}$', description: 'Lower-case letters, digits, . _ -' });
const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });

const AccountSchema = Type.Object({
  id: Uuid,
  organizationCode: Type.String(),
  loginName: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(RoleSchema),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

const CredentialSchema = Type.Object({
  id: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  expiresAt: Type.String(),
});

const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

/** The schema counts UTF-16 units; the rule counts characters after composition. */
function requireGoodPassword(password: string, field: string): void {
  const problem = passwordProblem(password);
  if (!problem) return;
  throw new Problem('validation_failed', [
    fieldError(field, 'password_length', {
      ja: `パスワードは${PASSWORD_MIN_LENGTH}文字以上${PASSWORD_MAX_LENGTH}文字以下にしてください。`,
      en: `must have ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    }),
  ]);
}

function principalOf(request: { principal: Principal | null }): Principal {
  if (!request.principal) throw new Problem('unauthenticated');
  return request.principal;
}

/** An account the principal may see; any other is reported as not found, exactly like one that does not exist. */
async function visibleAccount(platform: Platform, principal: Principal, id: string): Promise<Account> {
  const account = await findAccount(platform.control, id);
  if (!account || !mayManageAccountsOf(principal, account.organizationCode)) throw new Problem('not_found');
  return account;
}

export function identityRoutes(app: App, platform: Platform): void {
  const { control, config } = platform;

  app.post(
    '/v1/auth/login',
    {
      config: { access: { roles: 'public' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in and receive a session token',
        security: [],
        body: Type.Object(
          { organizationCode: OrganizationCode, loginName: LoginName, password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ token: Type.String(), expiresAt: Type.String(), account: AccountSchema }),
        },
      },
    },
    async (request) => {
      const { organizationCode, loginName, password } = request.body;
      const accountId = await checkLogin(control, organizationCode, loginName, password);
      if (!accountId) throw new Problem('invalid_credentials');
      const credential = await issueCredential(control, accountId, 'session', config.sessionTtlSeconds);
      const account = (await findAccount(control, accountId))!;
      return { token: credential.token, expiresAt: credential.expiresAt, account };
    },
  );

  app.post(
    '/v1/auth/logout',
    { config: { access: { roles: ANY_ROLE } }, schema: { tags: ['auth'], summary: 'Revoke the credential used for this request' } },
    async (request, reply) => {
      const principal = principalOf(request);
      await revokeCredential(control, principal.accountId, principal.credentialId);
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/auth/me',
    {
      config: { access: { roles: ANY_ROLE } },
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
      const issued = await issueCredential(control, principal.accountId, 'api_token', request.body.expiresInDays * 86_400, request.body.name);
      return reply.status(201).send({ id: issued.id, token: issued.token, name: request.body.name, expiresAt: issued.expiresAt });
    },
  );

  app.delete(
    '/v1/auth/tokens/:id',
    { config: { access: { roles: ANY_ROLE } }, schema: { tags: ['auth'], summary: 'Revoke one of your API tokens', params: IdParams } },
    async (request, reply) => {
      if (!(await revokeCredential(control, principalOf(request).accountId, request.params.id))) throw new Problem('not_found');
      return reply.status(204).send();
    },
  );

  const MANAGERS: Role[] = ['platform_operator', 'municipal_admin', 'prefecture_security_admin'];

  app.get(
    '/v1/accounts',
    {
      config: { access: { roles: MANAGERS } },
      schema: {
        tags: ['accounts'],
        summary: 'Accounts you manage (the operator: any organization; an admin: their own)',
        querystring: Type.Object(
          { organization: Type.Optional(OrganizationCode), limit: Limit, cursor: Type.Optional(Cursor) },
          { additionalProperties: false },
        ),
        response: { 200: Page(AccountSchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const scope = accountScope(principal)!;
      const organizationCode = scope.organizationCode === 'any' ? request.query.organization : scope.organizationCode;
      if (request.query.organization && organizationCode !== request.query.organization) throw new Problem('forbidden');
      const listing = `accounts:${organizationCode ?? '*'}`;
      const after = request.query.cursor
        ? platform.cursors.decode<{ o: string; l: string }>(principal.organizationCode, listing, request.query.cursor)
        : undefined;
      const { items, total } = await listAccounts(
        control,
        organizationCode ? { organizationCode } : {},
        { limit: request.query.limit, ...(after ? { after: { organizationCode: after.o, loginName: after.l } } : {}) },
      );
      const last = items.at(-1);
      const nextCursor =
        last && items.length === request.query.limit
          ? platform.cursors.encode(principal.organizationCode, listing, { o: last.organizationCode, l: last.loginName })
          : null;
      return { items, total, nextCursor };
    },
  );

  app.post(
    '/v1/accounts',
    {
      config: { access: { roles: MANAGERS } },
      schema: {
        tags: ['accounts'],
        summary: 'Create an account',
        body: Type.Object(
          {
            organizationCode: OrganizationCode,
            loginName: LoginName,
            displayName: Text({ maxLength: 100 }),
            roles: Type.Array(RoleSchema, { minItems: 1, maxItems: ROLES.length, uniqueItems: true }),
            password: Password,
          },
          { additionalProperties: false },
        ),
        response: { 201: AccountSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      if (!mayManageAccountsOf(principal, body.organizationCode) || !mayGrantRoles(principal, body.roles)) throw new Problem('forbidden');
      requireGoodPassword(body.password, 'body/password');
      const org = await requireOrganization(control, body.organizationCode, 'body/organizationCode');
      const misfit = body.roles.find((r) => !roleFitsOrganization(r, org.kind));
      if (misfit) {
        throw new Problem('validation_failed', [
          fieldError('body/roles', 'fits_organization', {
            ja: `役割 ${misfit} はこの種類の団体（${org.kind}）には付与できません。`,
            en: `role ${misfit} cannot be held in an organization of kind ${org.kind}`,
          }),
        ]);
      }
      const account = await createAccount(control, { ...body, displayName: body.displayName.normalize('NFC') });
      return reply.status(201).send(account);
    },
  );

  app.get(
    '/v1/accounts/:id',
    { config: { access: { roles: MANAGERS } }, schema: { tags: ['accounts'], params: IdParams, response: { 200: AccountSchema } } },
    async (request) => visibleAccount(platform, principalOf(request), request.params.id),
  );

  app.post(
    '/v1/accounts/:id/disable',
    {
      config: { access: { roles: MANAGERS } },
      schema: { tags: ['accounts'], summary: 'Disable an account and revoke its sessions and tokens', params: IdParams, response: { 200: AccountSchema } },
    },
    async (request) => {
      const principal = principalOf(request);
      const account = await visibleAccount(platform, principal, request.params.id);
      if (account.id === principal.accountId) {
        throw new Problem('validation_failed', [fieldError('params/id', 'not_self', { ja: '自分自身は無効化できません。', en: 'you cannot disable your own account' })]);
      }
      return (await disableAccount(control, account.id))!;
    },
  );
}
