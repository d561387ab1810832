/**
 * The certificates' API (docs/certificates.md):
 *
 * - issue, revoke and list, for the municipality's staff: tenant routes and My
 *   Number routes of resident_registry (the register lives in the My Number
 *   segment), declaring the purpose certificate_issue;
 * - the issuer settings (the mayor's title and name), for its admin, in the
 *   control database;
 * - the public verification of a scanned code, for whoever holds the paper.
 *
 * Nothing personal in URLs or headers: persons are named in POST bodies by
 * platform ids, a certificate by its number; the PDF's file name is its number.
 */
import { Type, type Static } from 'typebox';
import { principalOf } from '../../identity/http.js';
import type { Role } from '../../identity/roles.js';
import { isMunicipalityKind } from '../../organizations/organization.js';
import { Problem } from '../../platform/errors.js';
import type { App, Platform } from '../../platform/http/server.js';
import { Cursor, Limit, Page, Text, Uuid } from '../../platform/http/schemas.js';
import { recordAction } from '../../security/audit/record.js';
import { registerRequest } from '../service.js';
import { certificateIssuer, MAYOR_NAME_MAX, MAYOR_TITLE_MAX, setCertificateIssuer, type CertificateIssuer } from './issuer.js';
import { CERTIFICATE_KINDS, RESIDENT_ITEMS, STANDINGS } from './model.js';
import { issueCertificate, listCertificates, REVOCATION_REASONS, revokeCertificate, verifyCertificate } from './service.js';
import type { IssuedCertificateRow } from './store.js';

const ISSUERS: Role[] = ['clerk', 'municipal_admin', 'support_measure_officer'];
const WRITERS: Role[] = ['clerk', 'municipal_admin'];
const MY_NUMBER = { operation: 'resident_registry' } as const;
const TAGS = ['certificates'];

const CertificateNumber = Type.String({ maxLength: 20, pattern: '^[A-Z][0-9]{4}-[0-9]{6}$', description: 'e.g. J2026-000123 (copies), K… (items), T… (move-out)' });

export const IssueBody = Type.Object(
  {
    kind: Type.Enum(CERTIFICATE_KINDS, { description: 'resident_copy_household (住民票の写し, 連記式), resident_copy_individual (個人票), resident_items (住民票記載事項証明書), move_out (転出証明書)' }),
    standing: Type.Enum(STANDINGS, { description: 'Who asks (住基法 第12条・第12条の2・第12条の3): decides which restricted items may be printed' }),
    residentIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 30, uniqueItems: true, description: 'Persons of one household, in print order' })),
    householdId: Type.Optional(Type.String({ format: 'uuid', description: 'The whole household, head first' })),
    moveOutCertificateNumber: Type.Optional(Type.String({ maxLength: 20, pattern: '^T[0-9]{4}-[0-9]{6}$', description: 'move_out only: the number the move-out filing returned' })),
    options: Type.Object(
      {
        myNumber: Type.Optional(Type.Boolean({ description: '個人番号: self_or_household only' })),
        residentCode: Type.Optional(Type.Boolean({ description: '住民票コード: self_or_household only' })),
        domicile: Type.Optional(Type.Boolean({ description: '本籍・筆頭者: self_or_household, public_body' })),
        foreignResidentItems: Type.Optional(Type.Boolean({ description: '国籍・地域, 在留資格 …: self_or_household, public_body' })),
        items: Type.Optional(Type.Array(Type.Enum(RESIDENT_ITEMS), { maxItems: RESIDENT_ITEMS.length, uniqueItems: true, description: 'resident_items only: the items to certify besides the name' })),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

const CertificateSummary = Type.Object({
  id: Uuid,
  number: Type.String(),
  kind: Type.String(),
  issuedOn: Type.String(),
  issuedAt: Type.String(),
  issuedBy: Uuid,
  revoked: Type.Boolean(),
  revokedOn: Type.Union([Type.String(), Type.Null()]),
  revocationReason: Type.Union([Type.String(), Type.Null()]),
});

const summary = (c: IssuedCertificateRow) => ({
  id: c.id,
  number: c.number,
  kind: c.kind,
  issuedOn: c.issuedOn,
  issuedAt: c.issuedAt,
  issuedBy: c.issuedBy,
  revoked: c.revokedOn !== null,
  revokedOn: c.revokedOn,
  revocationReason: c.revocationReason,
});

const IssuerBody = Type.Object(
  {
    mayorTitle: Text({ maxLength: MAYOR_TITLE_MAX, description: 'e.g. 千代田区長' }),
    mayorName: Text({ maxLength: MAYOR_NAME_MAX, description: 'e.g. 千代田 一郎' }),
  },
  { additionalProperties: false },
);
const IssuerSchema = Type.Object({ mayorTitle: Type.String(), mayorName: Type.String(), updatedAt: Type.String(), updatedBy: Type.Union([Uuid, Type.Null()]) });
const presentIssuer = (i: CertificateIssuer) => ({ mayorTitle: i.mayorTitle, mayorName: i.mayorName, updatedAt: i.updatedAt, updatedBy: i.updatedBy });

const Field = Type.Object({ key: Type.String(), label: Type.String(), value: Type.String() });
const ContentSchema = Type.Object({
  format: Type.String(),
  kind: Type.String(),
  layout: Type.String(),
  title: Type.String(),
  municipality: Type.Object({ code: Type.String(), name: Type.String() }),
  issuer: Type.Object({ title: Type.String(), name: Type.String() }),
  certificateNumber: Type.String(),
  issuedOn: Type.String(),
  issuedOnText: Type.String(),
  header: Type.Array(Field),
  persons: Type.Array(Type.Object({ fields: Type.Array(Field) })),
  statement: Type.String(),
});
const VerificationSchema = Type.Union([
  Type.Object({
    status: Type.Literal('genuine'),
    municipality: Type.Object({ code: Type.String(), name: Type.String() }),
    kind: Type.String(),
    title: Type.String(),
    certificateNumber: Type.String(),
    issuedOn: Type.String(),
    issuedOnText: Type.String(),
    content: ContentSchema,
  }),
  Type.Object({ status: Type.Literal('revoked'), certificateNumber: Type.String(), revokedOn: Type.String() }),
  Type.Object({ status: Type.Literal('not_genuine'), reason: Type.String() }),
]);

/** A code is about 200 characters (a 64-byte number makes it 270); anything much longer is not one. */
const MAX_CODE_LENGTH = 512;

export function certificateRoutes(app: App, platform: Platform): void {
  app.post(
    '/v1/certificates',
    {
      config: { access: { roles: ISSUERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary:
          'Issue a certificate: 201 application/pdf, the number in municloud-certificate-number and the id in municloud-certificate-id. Purpose certificate_issue. Persons under a support measure need a support_measure_officer giving municloud-disclosure-reason.',
        body: IssueBody,
      },
    },
    async (request, reply) => {
      const issued = await issueCertificate(registerRequest(platform, request), request.body);
      return reply
        .status(201)
        .header('content-type', 'application/pdf')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${issued.number}.pdf"`)
        .header('municloud-certificate-number', issued.number)
        .header('municloud-certificate-id', issued.id)
        .send(Buffer.from(issued.pdf));
    },
  );

  app.post(
    '/v1/certificates/:number/revocation',
    {
      config: { access: { roles: WRITERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: 'Revoke (void) an issued certificate: the verification endpoint answers revoked from then on. Purpose certificate_issue.',
        params: Type.Object({ number: CertificateNumber }, { additionalProperties: false }),
        body: Type.Object({ reasonCode: Type.Enum(REVOCATION_REASONS) }, { additionalProperties: false }),
        response: { 200: CertificateSummary },
      },
    },
    async (request) => summary(await revokeCertificate(registerRequest(platform, request), request.params.number, request.body.reasonCode)),
  );

  app.get(
    '/v1/certificates',
    {
      config: { access: { roles: ISSUERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: 'Certificates issued, newest first: numbers, kinds, dates and revocations, no personal data. Purpose certificate_issue.',
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.Enum(CERTIFICATE_KINDS)),
            number: Type.Optional(CertificateNumber),
            residentId: Type.Optional(Uuid),
            revoked: Type.Optional(Type.Boolean()),
            limit: Limit,
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(CertificateSummary) },
      },
    },
    async (request) => {
      const r = registerRequest(platform, request);
      const { kind, number, residentId, revoked, limit, cursor } = request.query;
      const filter = { kind: kind ?? null, number: number ?? null, residentId: residentId ?? null, revoked: revoked ?? null };
      const listing = `certificates:${JSON.stringify(filter)}`;
      const before = cursor ? platform.cursors.decode<{ s: number }>(r.tenant.municipalityCode, listing, cursor) : undefined;
      const { items, total } = await listCertificates(r, filter, { limit, ...(before ? { beforeSeq: before.s } : {}) });
      const last = items.at(-1);
      return {
        items: items.map(summary),
        total,
        nextCursor: last && items.length === limit ? platform.cursors.encode(r.tenant.municipalityCode, listing, { s: last.seq }) : null,
      };
    },
  );

  // Settings in the control database (like network zones): the admin's own municipality, no cell needed.
  app.get(
    '/v1/municipality/certificate-issuer',
    {
      config: { access: { roles: ['municipal_admin', 'auditor'] } },
      schema: { tags: TAGS, summary: "Your municipality's certificate issuer: the mayor's title and name printed on certificates", response: { 200: IssuerSchema } },
    },
    async (request) => {
      const issuer = await certificateIssuer(platform.control, ownMunicipality(request));
      if (!issuer) throw new Problem('not_found', [], { ja: '証明書の発行者は未設定です。', en: 'No certificate issuer has been set.' });
      return presentIssuer(issuer);
    },
  );

  app.put(
    '/v1/municipality/certificate-issuer',
    {
      config: { access: { roles: ['municipal_admin'] } },
      schema: {
        tags: TAGS,
        summary: "Set your municipality's certificate issuer (NFKC-normalized; every character must be printable in the certificate font)",
        body: IssuerBody,
        response: { 200: IssuerSchema },
      },
    },
    async (request) => {
      const code = ownMunicipality(request);
      const issuer = await setCertificateIssuer(platform.control, code, { ...request.body, updatedBy: principalOf(request).accountId });
      await recordAction(platform, request, 'certificate_issuer_set', { records: [{ resource: 'certificate_issuers', ids: [code] }] });
      return presentIssuer(issuer);
    },
  );

  app.post(
    '/v1/certificate-verifications',
    {
      // Small bodies only: a code is a few hundred characters.
      bodyLimit: 4096,
      config: { access: { roles: 'public' } },
      schema: {
        tags: TAGS,
        summary:
          'Public: is this certificate genuine and unaltered? The QR code text in the body (POST, so it never sits in a URL or an access log). Answers genuine with the printed content (個人番号 and 住民票コード masked), revoked, or not_genuine with a reason.',
        security: [],
        body: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: MAX_CODE_LENGTH, pattern: '^[A-Za-z0-9._-]+$', description: 'The text of the QR code: MC1.<payload>.<signature>' }) },
          { additionalProperties: false },
        ),
        response: { 200: VerificationSchema },
      },
    },
    // The answer is the result as is (its arrays are readonly, the schema's type is not).
    async (request) => (await verifyCertificate(platform, request, request.body.code)) as unknown as Static<typeof VerificationSchema>,
  );
}

function ownMunicipality(request: Parameters<typeof principalOf>[0]): string {
  const principal = principalOf(request);
  if (!isMunicipalityKind(principal.organizationKind)) throw new Problem('forbidden');
  return principal.organizationCode;
}
