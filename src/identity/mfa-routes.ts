/** Enrolling an authenticator app (TOTP) and managing recovery codes. */
import { Type } from 'typebox';
import { recordAction } from '../security/audit/record.js';
import { renderSVG } from 'uqr';
import { inTransaction } from '../platform/database.js';
import { fieldError, Problem } from '../platform/errors.js';
import type { App, Platform } from '../platform/http/server.js';
import { findAccount } from './accounts.js';
import { ANY_ROLE, principalOf } from './http.js';
import { activateTotp, hasActiveTotp, replaceRecoveryCodes, startTotpEnrolment } from './mfa.js';
import { base32Encode, otpauthUri } from './totp.js';

const ISSUER = 'municloud';

export function mfaRoutes(app: App, platform: Platform): void {
  const { control } = platform;

  app.post(
    '/v1/auth/mfa/totp',
    {
      config: { access: { roles: ANY_ROLE, mfaExempt: true } },
      schema: {
        tags: ['auth'],
        summary: 'Start enrolling an authenticator app: scan the QR code, then activate with a code',
        response: {
          201: Type.Object({
            secret: Type.String({ description: 'Base32, for typing into the app by hand' }),
            otpauthUri: Type.String(),
            qrCodeSvg: Type.String({ description: 'The otpauth URI as a QR code (SVG)' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const secret = await startTotpEnrolment(control, principal.accountId);
      const account = (await findAccount(control, principal.accountId))!;
      const uri = otpauthUri(ISSUER, `${account.organizationCode}/${account.loginName}`, secret);
      return reply.status(201).send({ secret: base32Encode(secret), otpauthUri: uri, qrCodeSvg: renderSVG(uri) });
    },
  );

  app.post(
    '/v1/auth/mfa/totp/activate',
    {
      config: { access: { roles: ANY_ROLE, mfaExempt: true } },
      schema: {
        tags: ['auth'],
        summary: 'Activate the authenticator with its current code; returns recovery codes, shown once. Log in again to get a session with the second factor.',
        body: Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }) },
      },
    },
    async (request) => {
      const codes = await activateTotp(control, principalOf(request).accountId, request.body.code);
      if (!codes) {
        throw new Problem('validation_failed', [
          fieldError('body/code', 'totp', { ja: '確認コードが正しくないか、期限切れです。', en: 'is wrong or expired' }),
        ]);
      }
      await recordAction(platform, request, 'mfa_enrolled', { municipality: null });
      return { recoveryCodes: codes };
    },
  );

  app.post(
    '/v1/auth/mfa/recovery-codes',
    {
      config: { access: { roles: ANY_ROLE } },
      schema: {
        tags: ['auth'],
        summary: 'Replace your recovery codes (the old ones stop working); shown once',
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (!principal.mfa || !(await hasActiveTotp(control, principal.accountId))) throw new Problem('mfa_required');
      return { recoveryCodes: await inTransaction(control, (client) => replaceRecoveryCodes(client, principal.accountId)) };
    },
  );
}
