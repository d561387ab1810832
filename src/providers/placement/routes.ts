/**
 * Where cells run, and the placement alerts: the operator declares each cell's
 * location (and the control database's and the backups': data-stores.ts) and
 * runs the check; a municipality's admin sees the alerts about its own
 * placement.
 */
import { Type } from 'typebox';
import { principalOf } from '../../identity/http.js';
import type { App, Platform } from '../../platform/http/server.js';
import { Uuid } from '../../platform/http/schemas.js';
import { recordAction } from '../../security/audit/record.js';
import { DATA_CLASSES } from '../registry/data-class.js';
import { Day, Nullable, RegionFactsSchema } from '../registry/schemas.js';
import { SERVICE_MODELS } from '../registry/model.js';
import { ALERT_STATUSES, DEFAULT_ALERT_DAYS } from './alerts.js';
import { placementAlertsOn, runPlacementAlertCheck } from './check.js';
import { DATA_STORE_KINDS, declareDataStoreLocation, listDataStores } from './data-stores.js';
import { cellStanding, declareCellLocation } from './locations.js';
import { placementPoamOf, placementSystemSecurityPlanOf } from './oscal-exports.js';
import { PLACEMENT_REASONS } from './policy.js';

const Message = Type.Object({ ja: Type.String(), en: Type.String() });

const CellStandingSchema = Type.Object({
  cellId: Type.String(),
  location: Nullable(
    Type.Object({
      cellId: Type.String(),
      provider: Type.Object({ id: Uuid, name: Type.String() }),
      service: Type.Object({ id: Uuid, name: Type.String(), model: Type.Enum(SERVICE_MODELS) }),
      region: RegionFactsSchema,
      declaredAt: Type.String(),
    }),
  ),
  placement: Type.Object({
    dataClass: Type.Enum(DATA_CLASSES),
    on: Type.String(),
    allowed: Type.Boolean(),
    reasons: Type.Array(Type.Enum(PLACEMENT_REASONS)),
    coveredUntil: Nullable(Type.String()),
  }),
});

const DataStoreSchema = Type.Object({
  storeId: Type.String(),
  kind: Type.Enum(DATA_STORE_KINDS),
  provider: Type.Object({ id: Uuid, name: Type.String() }),
  service: Type.Object({ id: Uuid, name: Type.String(), model: Type.Enum(SERVICE_MODELS) }),
  region: RegionFactsSchema,
  declaredAt: Type.String(),
  inJapan: Type.Boolean({ description: "The region's country, governing law and every data centre are Japan's (the placement policy's test)" }),
});
// The store id's form (^[a-z][a-z0-9-]{0,30}$) is checked by the use case, with the body, so that every problem is named at once.
const StoreParams = Type.Object({ storeId: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

const AlertSchema = Type.Object({
  municipalityCode: Type.String(),
  cellId: Type.String(),
  dataClass: Type.Enum(DATA_CLASSES),
  status: Type.Enum(ALERT_STATUSES),
  reasons: Type.Array(Type.Enum(PLACEMENT_REASONS)),
  coveredUntil: Nullable(Type.String({ description: 'Last day covered' })),
  lapsesOn: Nullable(Type.String({ description: 'First day not covered' })),
  daysLeft: Nullable(Type.Integer()),
  plan: Type.Object({ deadline: Nullable(Type.String()), steps: Type.Array(Type.Object({ code: Type.String(), message: Message })) }),
  location: Nullable(
    Type.Object({ providerId: Uuid, providerName: Type.String(), serviceId: Uuid, serviceName: Type.String(), regionId: Uuid, regionCode: Type.String() }),
  ),
  registrationIds: Type.Array(Uuid),
  certificationIds: Type.Array(Uuid),
});
const AlertsSchema = Type.Object({ on: Type.String(), withinDays: Type.Integer(), items: Type.Array(AlertSchema) });

const WithinDays = Type.Integer({ minimum: 0, maximum: 3660, default: DEFAULT_ALERT_DAYS, description: 'How far ahead a lapse is announced' });
const CellParams = Type.Object({ cellId: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const MunicipalityParams = Type.Object({ code: Type.String({ maxLength: 20 }) }, { additionalProperties: false });
const OscalDocument = Type.Record(Type.String(), Type.Unknown(), { description: 'An OSCAL 1.2.1 document, checked against NIST\'s schema before it is sent' });
const PlanQuery = Type.Object({ on: Type.Optional(Day('default: today in Japan')) }, { additionalProperties: false });
const PoamQuery = Type.Object({ on: Type.Optional(Day('default: today in Japan')), withinDays: WithinDays }, { additionalProperties: false });
const SSP_SUMMARY = "as an OSCAL system security plan: where the data lives (cell, service, region, data centres), the service's ISMAP registration and certification leveraged, and how each requirement of the profile is met";
const POAM_SUMMARY = "as an OSCAL plan of action and milestones: each placement alert with its risk, deadline and dated plan (404 no_placement_alerts when there is none)";

export function placementPolicyRoutes(app: App, platform: Platform): void {
  const { control } = platform;
  const access = { roles: ['platform_operator'] as const };
  /** A municipality's own placement: its admin and its auditor read it. */
  const municipalReaders = { roles: ['municipal_admin', 'auditor'] as const };

  app.put(
    '/v1/cells/:cellId/location',
    {
      config: { access },
      schema: {
        tags: ['placement'],
        summary: "Declare the service and region a cell runs on (a fact: accepted anywhere; placing municipalities checks it)",
        params: CellParams,
        body: Type.Object({ serviceId: Uuid, regionId: Uuid }, { additionalProperties: false }),
        response: { 200: CellStandingSchema },
      },
    },
    async (request) => {
      const standing = await declareCellLocation(control, request.params.cellId, request.body, request.principal?.accountId ?? null);
      await recordAction(platform, request, 'cell_location_declared', {
        municipality: null,
        records: [
          { resource: 'cells', ids: [standing.cellId] },
          { resource: 'provider_services', ids: [standing.location!.service.id] },
          { resource: 'provider_regions', ids: [standing.location!.region.id] },
        ],
      });
      return standing;
    },
  );

  app.get(
    '/v1/cells/:cellId/location',
    {
      config: { access },
      schema: {
        tags: ['placement'],
        summary: "A cell's declared location, and whether a municipality (My Number data) may be placed on it on the day",
        params: CellParams,
        querystring: Type.Object({ on: Type.Optional(Day('default: today in Japan')) }, { additionalProperties: false }),
        response: { 200: CellStandingSchema },
      },
    },
    async (request) => cellStanding(control, request.params.cellId, request.query.on ? { on: request.query.on } : {}),
  );

  app.put(
    '/v1/data-stores/:storeId/location',
    {
      config: { access },
      schema: {
        tags: ['placement'],
        summary: "Declare the service and region of the control database (store `control`, kind control) or of a backup target (kind backup): a fact, for the data-in-japan self-check",
        params: StoreParams,
        body: Type.Object({ kind: Type.Enum(DATA_STORE_KINDS), serviceId: Uuid, regionId: Uuid }, { additionalProperties: false }),
        response: { 200: DataStoreSchema },
      },
    },
    async (request) => {
      const store = await declareDataStoreLocation(control, request.params.storeId, request.body, request.principal?.accountId ?? null);
      await recordAction(platform, request, 'data_store_location_declared', {
        municipality: null,
        records: [
          { resource: 'data_store_locations', ids: [store.storeId] },
          { resource: 'provider_services', ids: [store.service.id] },
          { resource: 'provider_regions', ids: [store.region.id] },
        ],
      });
      return store;
    },
  );

  app.get(
    '/v1/data-stores',
    {
      config: { access },
      schema: {
        tags: ['placement'],
        summary: "The control database's and the backups' declared locations (each store's latest), with whether each region is in Japan",
        response: { 200: Type.Object({ items: Type.Array(DataStoreSchema) }) },
      },
    },
    async () => ({ items: await listDataStores(control) }),
  );

  app.get(
    '/v1/providers/placement-alerts',
    {
      config: { access },
      schema: {
        tags: ['placement'],
        summary: 'Placements whose cell has lapsed or will lapse within the days given, with a dated plan (a view: records nothing)',
        querystring: Type.Object({ on: Type.Optional(Day('default: today in Japan')), withinDays: WithinDays }, { additionalProperties: false }),
        response: { 200: AlertsSchema },
      },
    },
    async (request) => {
      const { on, withinDays, alerts } = await placementAlertsOn(control, { ...(request.query.on ? { on: request.query.on } : {}), withinDays: request.query.withinDays });
      return { on, withinDays, items: alerts };
    },
  );

  app.post(
    '/v1/providers/placement-alerts/check',
    {
      config: { access },
      schema: {
        tags: ['placement'],
        summary: 'Run the placement check: each alert is recorded in the audit log (placement_alert) for its municipality',
        body: Type.Object({ on: Type.Optional(Day('default: today in Japan')), withinDays: Type.Optional(WithinDays) }, { additionalProperties: false }),
        response: { 200: AlertsSchema },
      },
    },
    async (request) => {
      const { on, withinDays, alerts } = await runPlacementAlertCheck(platform, {
        ...(request.body.on ? { on: request.body.on } : {}),
        ...(request.body.withinDays !== undefined ? { withinDays: request.body.withinDays } : {}),
        record: (details) => recordAction(platform, request, 'placement_alert', details),
      });
      return { on, withinDays, items: alerts };
    },
  );

  app.get(
    '/v1/placements/:code/system-security-plan',
    { config: { access }, schema: { tags: ['placement'], summary: `A municipality's placement ${SSP_SUMMARY}`, params: MunicipalityParams, querystring: PlanQuery, response: { 200: OscalDocument } } },
    async (request) => placementSystemSecurityPlanOf(control, request.params.code, request.query.on ? { on: request.query.on } : {}),
  );

  app.get(
    '/v1/placements/:code/plan-of-action-and-milestones',
    { config: { access }, schema: { tags: ['placement'], summary: `A municipality's placement alerts ${POAM_SUMMARY}`, params: MunicipalityParams, querystring: PoamQuery, response: { 200: OscalDocument } } },
    async (request) => placementPoamOf(control, request.params.code, { ...(request.query.on ? { on: request.query.on } : {}), withinDays: request.query.withinDays }),
  );

  app.get(
    '/v1/municipality/system-security-plan',
    { config: { access: municipalReaders }, schema: { tags: ['placement'], summary: `Your municipality's placement ${SSP_SUMMARY}`, querystring: PlanQuery, response: { 200: OscalDocument } } },
    async (request) => placementSystemSecurityPlanOf(control, principalOf(request).organizationCode, request.query.on ? { on: request.query.on } : {}),
  );

  app.get(
    '/v1/municipality/plan-of-action-and-milestones',
    { config: { access: municipalReaders }, schema: { tags: ['placement'], summary: `Your municipality's placement alerts ${POAM_SUMMARY}`, querystring: PoamQuery, response: { 200: OscalDocument } } },
    async (request) => placementPoamOf(control, principalOf(request).organizationCode, { ...(request.query.on ? { on: request.query.on } : {}), withinDays: request.query.withinDays }),
  );

  app.get(
    '/v1/municipality/placement-alerts',
    {
      config: { access: municipalReaders },
      schema: {
        tags: ['placement'],
        summary: "Alerts about your municipality's placement: its cell's registration or certification has lapsed or will lapse, with a dated plan",
        querystring: Type.Object({ on: Type.Optional(Day('default: today in Japan')), withinDays: WithinDays }, { additionalProperties: false }),
        response: { 200: AlertsSchema },
      },
    },
    async (request) => {
      const { on, withinDays, alerts } = await placementAlertsOn(control, {
        municipalityCode: principalOf(request).organizationCode,
        ...(request.query.on ? { on: request.query.on } : {}),
        withinDays: request.query.withinDays,
      });
      return { on, withinDays, items: alerts };
    },
  );
}
