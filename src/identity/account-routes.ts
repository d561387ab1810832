/** Account management: the operator for every organization, admins for their own. */
import { Type } from 'typebox';
import { recordAction } from '../security/audit/record.js';
import { fieldError, Problem } from '../platform/errors.js';
import type { App, Platform } from '../platform/http/server.js';
import { Cursor, Limit, OrganizationCode, Page, Text } from '../platform/http/schemas.js';
import { requireOrganization } from '../organizations/store.js';
import { accountScope, mayGrantRoles, mayManageAccountsOf } from './account-policy.js';
import { createAccount, disableAccount, listAccounts } from './accounts.js';
import { AccountSchema, IdParams, LoginName, Password, principalOf, requireGoodPassword, RoleSchema, visibleAccount } from './http.js';
import { resetMfa } from './mfa.js';
import { ROLES, roleFitsOrganization, type Role } from './roles.js';

export function accountRoutes(app: App, platform: Platform): void {
  const { control } = platform;
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
      await recordAction(platform, request, 'account_created', { municipality: null, records: [{ resource: 'accounts', ids: [account.id] }] });
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
      const disabled = (await disableAccount(control, account.id))!;
      await recordAction(platform, request, 'account_disabled', { municipality: null, records: [{ resource: 'accounts', ids: [account.id] }] });
      return disabled;
    },
  );

  app.post(
    '/v1/accounts/:id/mfa/reset',
    {
      config: { access: { roles: MANAGERS } },
      schema: {
        tags: ['accounts'],
        summary: "Remove an account's authenticator and recovery codes (lost phone); its sessions end",
        params: IdParams,
      },
    },
    async (request, reply) => {
      const account = await visibleAccount(platform, principalOf(request), request.params.id);
      await resetMfa(control, account.id);
      await recordAction(platform, request, 'settings_changed', { municipality: null, records: [{ resource: 'accounts', ids: [account.id] }] });
      return reply.status(204).send();
    },
  );
}
