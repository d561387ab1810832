/** The register's API shapes (TypeBox), for bodies and responses. */
import { Type } from 'typebox';
import { Text, Uuid } from '../platform/http/schemas.js';
import { CLOSING_REASONS, RELATIONSHIPS, SEXES } from './record.js';

const DateText = Type.String({ maxLength: 20, description: 'A date: YYYY-MM-DD, or in the Japanese era (令和8年4月1日, R8.4.1)', examples: ['2026-04-01', '令和8年4月1日'] });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** The record's shapes: for bodies, text is checked (no control or private-use characters); for responses, plain strings. */
function shapes(T: (o: { minLength?: number; maxLength: number; description?: string }) => ReturnType<typeof Text>) {
  const Address = Type.Object(
  {
    postalCode: Nullable(Type.String({ maxLength: 10 })),
    prefecture: T({ maxLength: 10 }),
    municipality: T({ maxLength: 40 }),
    town: T({ maxLength: 80, description: '町名・丁目' }),
    block: T({ maxLength: 40, description: '番地・号' }),
    building: Nullable(T({ minLength: 0, maxLength: 100, description: '方書' })),
  },
  { additionalProperties: false },
);

  const Place = Type.Union([
  Type.Object({ kind: Type.Literal('domestic'), address: Address }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('abroad'), country: Type.String({ maxLength: 2, description: 'ISO 3166-1 alpha-2' }), text: T({ maxLength: 200 }) },
    { additionalProperties: false },
  ),
]);

  const Name = Type.Object(
  {
    family: T({ maxLength: 50 }),
    given: T({ maxLength: 50 }),
    familyKana: T({ maxLength: 100 }),
    givenKana: T({ maxLength: 100 }),
  },
  { additionalProperties: false },
);

  const Flags = Type.Object(
  {
    nationalHealthInsurance: Type.Boolean(),
    lateStageElderlyMedical: Type.Boolean(),
    longTermCare: Type.Boolean(),
    nationalPension: Type.Boolean(),
    childAllowance: Type.Boolean(),
    electoralRoll: Type.Boolean(),
  },
  { additionalProperties: false },
);

  const Foreign = Type.Object(
  {
    nationality: Type.String({ maxLength: 2 }),
    residenceStatus: T({ maxLength: 50 }),
    residencePeriodEnd: Nullable(DateText),
    residenceCardNumber: Type.String({ maxLength: 20 }),
    alias: Nullable(Type.Object({ name: T({ maxLength: 100 }), kana: T({ maxLength: 200 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

  const Domicile = Type.Object({ place: T({ maxLength: 200 }), head: T({ maxLength: 100 }) }, { additionalProperties: false });

  return { Address, Place, Name, Flags, Foreign, Domicile };
}

const IN = shapes(Text);
const OUT = shapes((o) => Type.String({ ...(o.description ? { description: o.description } : {}) }) as unknown as ReturnType<typeof Text>);
export const AddressSchema = IN.Address;
export const PlaceSchema = IN.Place;
const NameSchema = IN.Name;
const FlagsSchema = IN.Flags;
const ForeignSchema = IN.Foreign;
const DomicileSchema = IN.Domicile;

export const RelationshipSchema = Type.Enum(RELATIONSHIPS);

export const PersonSchema = Type.Object(
  {
    name: NameSchema,
    dateOfBirth: DateText,
    sex: Type.Enum(SEXES),
    relationship: RelationshipSchema,
    domicile: Nullable(DomicileSchema),
    myNumber: Nullable(Type.String({ maxLength: 20 })),
    residentCode: Nullable(Type.String({ maxLength: 20 })),
    flags: FlagsSchema,
    foreign: Nullable(ForeignSchema),
  },
  { additionalProperties: false },
);

const Common = {
  eventDate: DateText,
  filedOn: Type.Optional(DateText),
  reasonCode: Type.Optional(Type.String({ maxLength: 40, pattern: '^[a-z_]+$' })),
  note: Type.Optional(Text({ minLength: 0, maxLength: 1000 })),
  householdVersions: Type.Array(Type.Object({ householdId: Uuid, version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), {
    maxItems: 10,
    default: [],
    description: 'The version of every existing household the change touches, as you read it (409 conflict if it changed since)',
  }),
};

const Member = Type.Object({ residentId: Uuid, relationship: RelationshipSchema }, { additionalProperties: false });
const Members = Type.Array(Member, { maxItems: 30 });
const Regrouping = Type.Object({ headId: Uuid, members: Members }, { additionalProperties: false, description: 'The new head and relationships of those who stay, when the head leaves' });
const ResidentIds = Type.Array(Uuid, { minItems: 1, maxItems: 30 });

export const EnrolmentBody = Type.Object(
  {
    ...Common,
    previousResidence: Nullable(PlaceSchema),
    household: Type.Union([
      Type.Object({ kind: Type.Literal('new'), address: AddressSchema }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('join'), householdId: Uuid }, { additionalProperties: false }),
    ]),
    persons: Type.Array(PersonSchema, { minItems: 1, maxItems: 30 }),
  },
  { additionalProperties: false },
);

/** A move-in may name the move-out record received from the municipality moved from (POST /v1/inter-municipal/move-out-records). */
export const MoveInBody = Type.Object(
  {
    ...EnrolmentBody.properties,
    transferFrom: Type.Optional(
      Type.Object(
        {
          municipalityCode: Type.String({ pattern: '^[0-9]{6}$' }),
          certificateNumber: Type.String({ maxLength: 20, pattern: '^T[0-9]{4}-[0-9]{6}$' }),
        },
        { additionalProperties: false, description: 'The move-out record this move-in was filed from; that municipality is notified' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const BirthBody = Type.Object({ ...Common, householdId: Uuid, person: PersonSchema }, { additionalProperties: false });

export const MoveWithinBody = Type.Object(
  {
    ...Common,
    residentIds: ResidentIds,
    destination: Type.Union([
      Type.Object({ kind: Type.Literal('same_household'), address: AddressSchema }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('new_household'), address: AddressSchema, headId: Uuid, members: Members }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('join'), householdId: Uuid, members: Members }, { additionalProperties: false }),
    ]),
    remaining: Type.Optional(Regrouping),
  },
  { additionalProperties: false },
);

export const DepartureBody = Type.Object(
  { ...Common, residentIds: ResidentIds, destination: Type.Optional(Nullable(PlaceSchema)), remaining: Type.Optional(Regrouping) },
  { additionalProperties: false },
);

export const HouseholdChangeBody = Type.Union([
  Type.Object({ ...Common, reasonCode: Type.Literal('change_of_head'), householdId: Uuid, headId: Uuid, members: Members }, { additionalProperties: false }),
  Type.Object(
    { ...Common, reasonCode: Type.Literal('split'), householdId: Uuid, headId: Uuid, members: Members, remaining: Type.Optional(Regrouping) },
    { additionalProperties: false },
  ),
  Type.Object({ ...Common, reasonCode: Type.Literal('merge'), householdId: Uuid, intoHouseholdId: Uuid, members: Members }, { additionalProperties: false }),
]);

export const CorrectionBody = Type.Object(
  {
    ...Common,
    fields: Type.Object(
      {
        name: Type.Optional(NameSchema),
        dateOfBirth: Type.Optional(DateText),
        sex: Type.Optional(Type.Enum(SEXES)),
        domicile: Type.Optional(Nullable(DomicileSchema)),
        myNumber: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
        flags: Type.Optional(FlagsSchema),
        foreign: Type.Optional(Nullable(ForeignSchema)),
        residentSince: Type.Optional(DateText),
        addressSince: Type.Optional(DateText),
        previousResidence: Type.Optional(Nullable(PlaceSchema)),
        relationship: Type.Optional(RelationshipSchema),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const CancellationBody = Type.Object(
  { eventDate: DateText, filedOn: Type.Optional(DateText), reasonCode: Common.reasonCode, note: Common.note, householdVersions: Common.householdVersions },
  { additionalProperties: false },
);

export const FilingResultSchema = Type.Object({
  change: Type.Object({
    id: Uuid,
    kind: Type.String(),
    reasonCode: Type.String(),
    eventDate: Type.String(),
    filedOn: Type.String(),
    late: Type.Boolean({ description: 'Filed more than 14 days after the event' }),
    recordedAt: Type.String(),
  }),
  residents: Type.Array(Type.Object({ id: Uuid, residentCode: Type.String(), state: Type.String(), householdId: Uuid })),
  households: Type.Array(Type.Object({ id: Uuid, version: Type.Integer(), state: Type.String() })),
  moveOutCertificateNumber: Nullable(Type.String()),
});

export const ResidentSchema = Type.Object({
  id: Uuid,
  residentCode: Type.String(),
  householdId: Uuid,
  state: Type.String(),
  name: OUT.Name,
  dateOfBirth: Type.String(),
  sex: Type.String(),
  relationship: Type.String(),
  domicile: Nullable(OUT.Domicile),
  myNumber: Nullable(Type.String({ description: 'Only with include=my_number' })),
  hasMyNumber: Type.Boolean(),
  flags: OUT.Flags,
  foreign: Nullable(OUT.Foreign),
  address: OUT.Address,
  addressSince: Type.String(),
  residentSince: Type.String(),
  previousResidence: Nullable(OUT.Place),
  moveInFiledOn: Nullable(Type.String()),
  closed: Nullable(Type.Object({ reason: Type.Enum(CLOSING_REASONS), on: Type.String(), destination: Nullable(OUT.Place) })),
  supportMeasure: Nullable(Type.Object({ since: Type.String(), until: Nullable(Type.String()) })),
  householdVersion: Nullable(Type.Integer({ description: 'The household’s current version, to file the next change (null for a past state)' })),
});

export const SearchBody = Type.Object(
  {
    kana: Type.Optional(Text({ maxLength: 100, description: 'Reading, full or family name only (any width, hiragana or katakana)' })),
    name: Type.Optional(Text({ maxLength: 100, description: 'Name as written, full or family name only (old and new kanji forms match)' })),
    dateOfBirth: Type.Optional(DateText),
    town: Type.Optional(Text({ maxLength: 80 })),
    block: Type.Optional(Text({ maxLength: 40 })),
    myNumber: Type.Optional(Type.String({ maxLength: 20 })),
    residentCode: Type.Optional(Type.String({ maxLength: 20 })),
    includeClosed: Type.Boolean({ default: false, description: 'Also find closed records (除票)' }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_.-]+$' })),
  },
  { additionalProperties: false },
);

/** A search hit: enough to tell people apart at the counter; a suppressed person shows nothing but the flag. */
export const SearchHitSchema = Type.Object({
  id: Uuid,
  state: Type.String(),
  supportMeasure: Type.Boolean(),
  name: Nullable(OUT.Name),
  dateOfBirth: Nullable(Type.String()),
  sex: Nullable(Type.String()),
  address: Nullable(OUT.Address),
  householdId: Nullable(Uuid),
});

export const ChangeSummarySchema = Type.Object({
  id: Uuid,
  kind: Type.String(),
  reasonCode: Type.String(),
  eventDate: Type.String(),
  filedOn: Type.String(),
  late: Type.Boolean(),
  operatorId: Uuid,
  residentIds: Type.Array(Uuid),
  householdIds: Type.Array(Uuid),
  recordedAt: Type.String(),
});
