/**
 * The columns of the linkage daily file (docs/linkage.md, "Daily file"): one
 * row per event and resident named in it, in feed order. Fixed leading columns
 * say which event and which resident; then the subscription's entitled fields,
 * in RESIDENT_FIELDS order, each flattened into named columns by the table
 * below. The table is data: a field's columns are changed here and nowhere
 * else, and a new resident field without columns does not compile. Pure.
 *
 * Values are machine-readable: dates ISO 8601 (YYYY-MM-DD; recorded_at a UTC
 * date-time), booleans `true`/`false`, an absent value an empty field, codes as
 * the feed's JSON has them, Japanese text as registered (UTF-8).
 */
import type { Address, PlaceOfResidence, ResidentRecord } from '../resident-register/record.js';
import { RESIDENT_FIELD_NAMES, type ResidentField } from './entitlements.js';
import type { DeliveredEvent } from './feed.js';

export interface DailyFileColumn {
  /** snake_case; the CSV header. */
  readonly header: string;
  /** What it holds, for the documentation. */
  readonly ja: string;
  /**
   * The value from a resident as the feed delivers them (the items of the
   * subscription's fields only): a column reads the items of its own field only.
   */
  readonly value: (r: ResidentRecord) => string | null;
}

const bool = (v: boolean): string => (v ? 'true' : 'false');

/** An address in Japan as six columns. */
function addressColumns(prefix: string, ja: string, get: (r: ResidentRecord) => Address | null | undefined): DailyFileColumn[] {
  return [
    { header: `${prefix}postal_code`, ja: `${ja}郵便番号`, value: (r) => get(r)?.postalCode ?? null },
    { header: `${prefix}prefecture`, ja: `${ja}都道府県`, value: (r) => get(r)?.prefecture ?? null },
    { header: `${prefix}municipality`, ja: `${ja}市区町村`, value: (r) => get(r)?.municipality ?? null },
    { header: `${prefix}town`, ja: `${ja}町名・丁目`, value: (r) => get(r)?.town ?? null },
    { header: `${prefix}block`, ja: `${ja}番地・号`, value: (r) => get(r)?.block ?? null },
    { header: `${prefix}building`, ja: `${ja}方書`, value: (r) => get(r)?.building ?? null },
  ];
}

/** A place of residence in Japan or abroad: its kind, the address columns (domestic) and country and text (abroad). */
function placeColumns(prefix: string, ja: string, get: (r: ResidentRecord) => PlaceOfResidence | null | undefined): DailyFileColumn[] {
  const domestic = (r: ResidentRecord) => {
    const p = get(r);
    return p?.kind === 'domestic' ? p.address : null;
  };
  const abroad = (r: ResidentRecord) => {
    const p = get(r);
    return p?.kind === 'abroad' ? p : null;
  };
  return [
    { header: `${prefix}kind`, ja: `${ja}の区分（domestic=国内, abroad=国外）`, value: (r) => get(r)?.kind ?? null },
    ...addressColumns(prefix, ja, domestic),
    { header: `${prefix}country`, ja: `${ja}国名コード（国外）`, value: (r) => abroad(r)?.country ?? null },
    { header: `${prefix}text`, ja: `${ja}（国外の住所）`, value: (r) => abroad(r)?.text ?? null },
  ];
}

export const DAILY_FILE_COLUMNS = {
  name: [
    { header: 'family_name', ja: '氏', value: (r) => r.name.family },
    { header: 'given_name', ja: '名', value: (r) => r.name.given },
    { header: 'family_name_kana', ja: '氏（フリガナ）', value: (r) => r.name.familyKana },
    { header: 'given_name_kana', ja: '名（フリガナ）', value: (r) => r.name.givenKana },
  ],
  dateOfBirth: [{ header: 'date_of_birth', ja: '生年月日', value: (r) => r.dateOfBirth }],
  sex: [{ header: 'sex', ja: '性別（male, female）', value: (r) => r.sex }],
  householdId: [{ header: 'household_id', ja: '世帯ID', value: (r) => r.householdId }],
  relationship: [{ header: 'relationship', ja: '続柄', value: (r) => r.relationship }],
  address: [
    ...addressColumns('address_', '住所：', (r) => r.address),
    { header: 'address_since', ja: '住所を定めた年月日', value: (r) => r.addressSince },
  ],
  state: [
    { header: 'state', ja: '状態（current=現存, closed=除票）', value: (r) => r.state },
    { header: 'resident_since', ja: '住民となった年月日', value: (r) => r.residentSince },
    { header: 'closed_reason', ja: '消除の事由（moved_out, moved_abroad, died, removed_by_authority）', value: (r) => r.closed?.reason ?? null },
    { header: 'closed_on', ja: '消除の年月日', value: (r) => r.closed?.on ?? null },
    ...placeColumns('closed_destination_', '転出先', (r) => r.closed?.destination),
  ],
  myNumber: [{ header: 'my_number', ja: '個人番号', value: (r) => r.myNumber }],
  residentCode: [{ header: 'resident_code', ja: '住民票コード', value: (r) => r.residentCode }],
  flags: [
    { header: 'flag_national_health_insurance', ja: '国民健康保険', value: (r) => bool(r.flags.nationalHealthInsurance) },
    { header: 'flag_late_stage_elderly_medical', ja: '後期高齢者医療', value: (r) => bool(r.flags.lateStageElderlyMedical) },
    { header: 'flag_long_term_care', ja: '介護保険', value: (r) => bool(r.flags.longTermCare) },
    { header: 'flag_national_pension', ja: '国民年金', value: (r) => bool(r.flags.nationalPension) },
    { header: 'flag_child_allowance', ja: '児童手当', value: (r) => bool(r.flags.childAllowance) },
    { header: 'flag_electoral_roll', ja: '選挙人名簿', value: (r) => bool(r.flags.electoralRoll) },
  ],
  foreign: [
    { header: 'foreign_nationality', ja: '国籍・地域（ISO 3166-1 alpha-2）', value: (r) => r.foreign?.nationality ?? null },
    { header: 'foreign_residence_status', ja: '在留資格', value: (r) => r.foreign?.residenceStatus ?? null },
    { header: 'foreign_residence_period_end', ja: '在留期間の満了日', value: (r) => r.foreign?.residencePeriodEnd ?? null },
    { header: 'foreign_residence_card_number', ja: '在留カード等の番号', value: (r) => r.foreign?.residenceCardNumber ?? null },
    { header: 'foreign_alias_name', ja: '通称', value: (r) => r.foreign?.alias?.name ?? null },
    { header: 'foreign_alias_kana', ja: '通称（フリガナ）', value: (r) => r.foreign?.alias?.kana ?? null },
  ],
  domicile: [
    { header: 'domicile_place', ja: '本籍', value: (r) => r.domicile?.place ?? null },
    { header: 'domicile_head', ja: '筆頭者', value: (r) => r.domicile?.head ?? null },
  ],
  previousResidence: placeColumns('previous_residence_', '従前の住所', (r) => r.previousResidence),
} as const satisfies Record<ResidentField, readonly DailyFileColumn[]>;

/** The columns every file has, whatever the subscription's fields. */
export const LEADING_COLUMNS: readonly { header: string; ja: string }[] = [
  { header: 'event_id', ja: 'イベントID（異動のID。同じイベントの行は続けて並ぶ）' },
  { header: 'position', ja: 'フィード上の位置（カーソル）' },
  { header: 'topic', ja: 'イベントの種類' },
  { header: 'kind', ja: '異動の種類' },
  { header: 'reason_code', ja: '異動事由コード' },
  { header: 'event_date', ja: '異動日' },
  { header: 'recorded_at', ja: '記録日時（UTC。異動のトランザクションの開始時刻）' },
  { header: 'resident_id', ja: '住民ID（住民を含まないイベントは空）' },
  { header: 'restricted', ja: '支援措置の対象（true/false。項目を受け取らない購読では空）' },
];

/** The subscription's field columns, in RESIDENT_FIELDS order whatever order the subscription names them in. */
export function fieldColumns(fields: readonly ResidentField[]): readonly DailyFileColumn[] {
  return RESIDENT_FIELD_NAMES.filter((f) => fields.includes(f)).flatMap((f) => DAILY_FILE_COLUMNS[f]);
}

/** The header record of a subscription's file. */
export function dailyFileHeader(fields: readonly ResidentField[]): string[] {
  return [...LEADING_COLUMNS.map((c) => c.header), ...fieldColumns(fields).map((c) => c.header)];
}

const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The residents an event names, as the daily file counts its rows: its payload's residentIds, as they are. */
export function residentIdsOf(data: Readonly<Record<string, unknown>>): string[] {
  return Array.isArray(data.residentIds) ? data.residentIds.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * The rows of one delivered event (as the feed delivers it): one per resident
 * it names, or one with empty resident columns when it names none. A resident
 * the feed could not enrich (ids-only subscriptions) has empty field columns.
 */
export function dailyFileRows(event: DeliveredEvent, fields: readonly ResidentField[]): (string | null)[][] {
  const columns = fieldColumns(fields);
  const common = [event.id, event.cursor, event.topic, textOrNull(event.data.kind), textOrNull(event.data.reasonCode), textOrNull(event.data.eventDate), event.recordedAt];
  const delivered = Array.isArray(event.data.residents) ? (event.data.residents as Record<string, unknown>[]) : [];
  const byId = new Map(delivered.map((r) => [r.id as string, r]));
  const ids = residentIdsOf(event.data);
  if (ids.length === 0) return [[...common, null, null, ...columns.map(() => null)]];
  return ids.map((id) => {
    const r = byId.get(id);
    // The feed's resident holds only the subscription's items; each column reads its own field's items only.
    const record = r as unknown as ResidentRecord | undefined;
    return [...common, id, r ? bool(r.restricted === true) : null, ...columns.map((c) => (record ? c.value(record) : null))];
  });
}
