/** The registry's shapes on the wire (shared by the registry's and the placement's routes). */
import { Type, type TSchema } from 'typebox';
import { Text, Uuid } from '../../platform/http/schemas.js';
import { DATA_CLASSES } from './data-class.js';
import { CERTIFICATION_STATUSES, SERVICE_MODELS } from './model.js';
import { REGISTRATION_STATUSES } from './registration.js';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Day = (description: string) => Type.String({ format: 'date', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10, description });
export const CountryCode = (description: string) => Type.String({ pattern: '^[A-Z]{2}$', maxLength: 2, description });

export const ProviderSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  corporateNumber: Type.String({ description: '法人番号 (13 digits, check digit first)' }),
  headquartersCountry: Type.String(),
  createdAt: Type.String(),
});

export const ServiceSchema = Type.Object({ id: Uuid, providerId: Uuid, name: Type.String(), model: Type.Enum(SERVICE_MODELS), createdAt: Type.String() });

const RegionFields = {
  id: Uuid,
  providerId: Uuid,
  code: Type.String(),
  name: Type.String(),
  country: Type.String(),
  jurisdiction: Type.String({ description: 'The country whose law governs (準拠法)' }),
  locations: Type.Array(Type.String(), { description: 'Data centres: JIS X 0401 prefecture codes in Japan, place names elsewhere' }),
};
export const RegionFactsSchema = Type.Object(RegionFields);
export const RegionSchema = Type.Object({ ...RegionFields, createdAt: Type.String() });

export const RegistrationSchema = Type.Object({
  id: Uuid,
  serviceId: Uuid,
  registrationNumber: Type.String(),
  auditPeriodStart: Type.String(),
  auditPeriodEnd: Type.String(),
  listedOn: Type.String(),
  renewalPendingSince: Nullable(Type.String()),
  renewalEndedOn: Nullable(Type.String()),
  withdrawnOn: Nullable(Type.String()),
  withdrawalReason: Nullable(Type.String()),
  validUntil: Type.String({ description: 'Last day valid without a renewal: 1 year 4 months after the audited period ends' }),
  inForceUntil: Nullable(Type.String({ description: 'Last day in force as far as known; null while a renewal is pending' })),
  on: Type.String({ description: 'The day the status is for' }),
  status: Type.Enum(REGISTRATION_STATUSES),
  createdAt: Type.String(),
});

export const ProviderDetailsSchema = Type.Object({
  ...ProviderSchema.properties,
  services: Type.Array(ServiceSchema),
  regions: Type.Array(RegionSchema),
});

export const JointProposalSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  leadProviderId: Uuid,
  proposedOn: Type.String(),
  services: Type.Array(Type.Object({ serviceId: Uuid, providerId: Uuid, registrationId: Uuid })),
  assignments: Type.Array(Type.Object({ requirementId: Type.String(), serviceId: Uuid })),
  createdAt: Type.String(),
});

export const CertificationSchema = Type.Object({
  id: Uuid,
  seq: Type.Integer(),
  serviceId: Uuid,
  dataClass: Type.Enum(DATA_CLASSES),
  status: Type.Enum(CERTIFICATION_STATUSES),
  decidedAt: Type.String(),
  decidedOn: Type.String(),
  expiresOn: Nullable(Type.String()),
  assessmentId: Nullable(Type.String()),
  basis: Nullable(Type.String()),
  decidedBy: Nullable(Type.String()),
});

export const ProviderBody = Type.Object(
  {
    name: Text({ maxLength: 200 }),
    corporateNumber: Type.String({ maxLength: 13, pattern: '^[0-9]{13}$', description: '法人番号: 13 digits, its check digit first' }),
    headquartersCountry: CountryCode('ISO 3166-1 alpha-2, e.g. JP'),
  },
  { additionalProperties: false },
);

export const ServiceBody = Type.Object({ name: Text({ maxLength: 200 }), model: Type.Enum(SERVICE_MODELS) }, { additionalProperties: false });

export const RegionBody = Type.Object(
  {
    code: Type.String({ maxLength: 63, pattern: '^[a-z0-9][a-z0-9-]*$', description: 'e.g. ap-northeast-1' }),
    name: Text({ maxLength: 200 }),
    country: CountryCode('ISO 3166-1 alpha-2 of the data centres, e.g. JP'),
    jurisdiction: CountryCode('ISO 3166-1 alpha-2 of the governing law (準拠法), e.g. JP'),
    locations: Type.Array(Text({ maxLength: 100 }), {
      minItems: 1,
      maxItems: 47,
      description: 'In Japan, prefecture codes (13) or names (東京都); elsewhere place names',
    }),
  },
  { additionalProperties: false },
);

export const RegistrationBody = Type.Object(
  {
    registrationNumber: Type.String({ maxLength: 40, pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$', description: 'e.g. C21-0001-1' }),
    auditPeriodStart: Day('First day of the audited period'),
    auditPeriodEnd: Day('Last day of the audited period (at most one year long)'),
    listedOn: Day('The day the registration was listed'),
  },
  { additionalProperties: false },
);

export const RenewalBody = Type.Object(
  {
    pending: Type.Boolean({ description: 'true: a renewal was applied for on `on`; false: the pending renewal ended on `on` without a successor' }),
    on: Day('The day of the application or of its end'),
  },
  { additionalProperties: false },
);

export const WithdrawalBody = Type.Object({ on: Day('The day the registration is withdrawn'), reason: Text({ maxLength: 500 }) }, { additionalProperties: false });

export const JointProposalBody = Type.Object(
  {
    name: Text({ maxLength: 200 }),
    leadProviderId: Uuid,
    serviceIds: Type.Array(Uuid, { minItems: 2, maxItems: 50, description: "Every service in the proposal, the lead's own and its partners'" }),
    assignments: Type.Array(
      Type.Object({ requirementId: Type.String({ maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9._-]*$' }), serviceId: Uuid }, { additionalProperties: false }),
      { maxItems: 2000, description: 'Whose service meets which requirement' },
    ),
  },
  { additionalProperties: false },
);
