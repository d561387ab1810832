/**
 * The event catalogue: every event the platform publishes, by topic and
 * version, with the JSON Schema (draft 2020-12) of what a subscriber receives.
 * Served by the API (GET /v1/linkage/catalogue) and documented in
 * docs/linkage.md. Pure data.
 *
 * A topic's version changes only when a subscriber would have to change: a
 * field removed, renamed or retyped. Adding an optional field keeps it.
 */
import { Type, type TSchema } from 'typebox';
import { Uuid } from '../platform/http/schemas.js';
import { CHANGE_KINDS, CHANGE_KIND_NAMES, type ChangeKind } from '../resident-register/changes.js';
import { ResidentSchema } from '../resident-register/schemas.js';
import { RESIDENT_FIELDS, RESIDENT_FIELD_NAMES } from './entitlements.js';

export interface EventType {
  readonly topic: string;
  readonly version: number;
  readonly ja: string;
  readonly en: string;
  /** What the subscriber receives: the envelope with this event's data. */
  readonly schema: TSchema;
}

/** A resident as delivered: the id, whether disclosure is restricted, and the items of the subscription's fields (each optional). */
const ResidentItems = Type.Partial(
  Type.Pick(
    ResidentSchema,
    RESIDENT_FIELD_NAMES.flatMap((f) => [...RESIDENT_FIELDS[f].items]),
  ),
);
export const DeliveredResidentSchema = Type.Intersect([
  Type.Object({
    id: Uuid,
    restricted: Type.Boolean({
      description:
        'Under a support measure (支援措置, DV and similar victims) now: the receiving operation may use the record for its own work but must not disclose or print the address to anyone else.',
    }),
  }),
  ResidentItems,
]);

/** The data of every resident-register change event (version 1). */
export const RegisterChangeDataSchema = Type.Object({
  changeId: Uuid,
  kind: Type.Enum(CHANGE_KIND_NAMES),
  reasonCode: Type.String(),
  eventDate: Type.String({ description: 'YYYY-MM-DD: when it happened (異動日)' }),
  residentIds: Type.Array(Uuid, { description: 'Every resident the change touched' }),
  householdIds: Type.Array(Uuid, { description: 'Every household the change touched' }),
  transferFrom: Type.Optional(
    Type.Object(
      { municipalityCode: Type.String({ pattern: '^[0-9]{6}$' }), certificateNumber: Type.String() },
      { description: 'move_in only: the move-out record of the municipality moved from that this move-in was filed from' },
    ),
  ),
  residents: Type.Optional(
    Type.Array(DeliveredResidentSchema, {
      description: 'The touched residents as they stood right after this change, with the subscription’s fields only; absent when it names none',
    }),
  ),
});

function envelope(topic: string, version: number, data: TSchema): TSchema {
  return Type.Object(
    {
      id: Type.String({ format: 'uuid', description: 'The event’s id: the same on every delivery and replay (deduplicate on it)' }),
      topic: Type.Literal(topic),
      version: Type.Literal(version),
      municipalityCode: Type.String({ pattern: '^[0-9]{6}$' }),
      cursor: Type.String({ description: 'Pass as ?after= to continue after this event' }),
      recordedAt: Type.String({ description: 'When the change was recorded (ISO 8601)' }),
      data,
    },
    { $id: `urn:municloud:event:${topic}:v${version}`, title: topic },
  );
}

export const registerTopic = (kind: ChangeKind) => `resident_register.${kind}`;

export const EVENT_TYPES: readonly EventType[] = CHANGE_KIND_NAMES.map((kind) => ({
  topic: registerTopic(kind),
  version: 1,
  ja: `住民記録: ${CHANGE_KINDS[kind].ja}`,
  en: `Resident register: ${CHANGE_KINDS[kind].en}`,
  schema: envelope(registerTopic(kind), 1, RegisterChangeDataSchema),
}));

export const TOPICS: readonly string[] = EVENT_TYPES.map((e) => e.topic);

export function eventType(topic: string): EventType | undefined {
  return EVENT_TYPES.find((e) => e.topic === topic);
}
