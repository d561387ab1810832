/**
 * The provider registry's API, for the platform operator: providers, their
 * services and regions, registrations (listing, renewal, withdrawal), joint
 * proposals and certifications. Every write is audited
 * (`provider_registry_changed`, naming what it wrote).
 */
import { Type } from 'typebox';
import type { App, Platform } from '../../platform/http/server.js';
import { Uuid } from '../../platform/http/schemas.js';
import type { RecordRef } from '../../security/audit/entry.js';
import { recordAction } from '../../security/audit/record.js';
import { todayInJapan } from '../days.js';
import {
  CertificationSchema,
  Day,
  JointProposalBody,
  JointProposalSchema,
  ProviderBody,
  ProviderDetailsSchema,
  ProviderSchema,
  RegionBody,
  RegionSchema,
  RegistrationBody,
  RegistrationSchema,
  RenewalBody,
  ServiceBody,
  ServiceSchema,
  WithdrawalBody,
} from './schemas.js';
import {
  addRegion,
  addRegistration,
  addService,
  certificationsOf,
  createJointProposal,
  createProvider,
  listRegistrationViews,
  providerDetails,
  registryOscal,
  requireJointProposal,
  requireService,
  setRenewal,
  withdrawRegistration,
} from './service.js';
import { listJointProposals } from './store.js';

const TAGS = ['providers'];
const access = { roles: ['platform_operator'] as const };
const OnQuery = Type.Object({ on: Type.Optional(Day('The day statuses are for (default: today in Japan)')) }, { additionalProperties: false });

export function providerRegistryRoutes(app: App, platform: Platform): void {
  const { control } = platform;
  const by = (request: { principal: { accountId: string } | null }) => request.principal?.accountId ?? null;
  const audit = (request: Parameters<typeof recordAction>[1], records: RecordRef[]) =>
    recordAction(platform, request, 'provider_registry_changed', { municipality: null, records });

  app.get(
    '/v1/providers',
    { config: { access }, schema: { tags: TAGS, summary: 'Cloud providers with their services and regions', response: { 200: Type.Object({ items: Type.Array(ProviderDetailsSchema) }) } } },
    async () => ({ items: await providerDetails(control) }),
  );

  app.post(
    '/v1/providers',
    {
      config: { access },
      schema: { tags: TAGS, summary: 'Register a cloud provider (its 法人番号 with a valid check digit)', body: ProviderBody, response: { 201: ProviderSchema } },
    },
    async (request, reply) => {
      const provider = await createProvider(control, request.body, by(request));
      await audit(request, [{ resource: 'providers', ids: [provider.id] }]);
      return reply.status(201).send(provider);
    },
  );

  app.get(
    '/v1/providers/:providerId',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "A provider with its services, regions and its services' registrations (status on the day)",
        params: Type.Object({ providerId: Uuid }, { additionalProperties: false }),
        querystring: OnQuery,
        response: { 200: Type.Object({ ...ProviderDetailsSchema.properties, registrations: Type.Array(RegistrationSchema) }) },
      },
    },
    async (request) => {
      const [provider] = await providerDetails(control, request.params.providerId);
      const serviceIds = provider!.services.map((s) => s.id);
      const registrations = serviceIds.length > 0 ? await listRegistrationViews(control, request.query.on ?? todayInJapan(), { serviceIds }) : [];
      return { ...provider!, registrations };
    },
  );

  app.post(
    '/v1/providers/:providerId/services',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: 'Register a service of the provider (IaaS, PaaS or SaaS)',
        params: Type.Object({ providerId: Uuid }, { additionalProperties: false }),
        body: ServiceBody,
        response: { 201: ServiceSchema },
      },
    },
    async (request, reply) => {
      const service = await addService(control, request.params.providerId, request.body, by(request));
      await audit(request, [
        { resource: 'provider_services', ids: [service.id] },
        { resource: 'providers', ids: [service.providerId] },
      ]);
      return reply.status(201).send(service);
    },
  );

  app.post(
    '/v1/providers/:providerId/regions',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: 'Register a region of the provider: country, governing law and data-centre locations',
        params: Type.Object({ providerId: Uuid }, { additionalProperties: false }),
        body: RegionBody,
        response: { 201: RegionSchema },
      },
    },
    async (request, reply) => {
      const region = await addRegion(control, request.params.providerId, request.body, by(request));
      await audit(request, [
        { resource: 'provider_regions', ids: [region.id] },
        { resource: 'providers', ids: [region.providerId] },
      ]);
      return reply.status(201).send(region);
    },
  );

  app.post(
    '/v1/providers/services/:serviceId/registrations',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "List a service's ISMAP registration; it ends the renewals pending on the service's earlier ones",
        params: Type.Object({ serviceId: Uuid }, { additionalProperties: false }),
        body: RegistrationBody,
        response: { 201: RegistrationSchema },
      },
    },
    async (request, reply) => {
      const { registration, renewalsEnded } = await addRegistration(control, request.params.serviceId, request.body, by(request));
      await audit(request, [
        { resource: 'service_registrations', ids: [registration.id, ...renewalsEnded] },
        { resource: 'provider_services', ids: [registration.serviceId] },
      ]);
      return reply.status(201).send(registration);
    },
  );

  app.get(
    '/v1/providers/registrations',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: 'Registrations with their validity and status on the day',
        querystring: Type.Object({ on: Type.Optional(Day('default: today in Japan')), serviceId: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: { 200: Type.Object({ on: Type.String(), items: Type.Array(RegistrationSchema) }) },
      },
    },
    async (request) => {
      const on = request.query.on ?? todayInJapan();
      if (request.query.serviceId) await requireService(control, request.query.serviceId);
      return { on, items: await listRegistrationViews(control, on, request.query.serviceId ? { serviceIds: [request.query.serviceId] } : {}) };
    },
  );

  app.put(
    '/v1/providers/registrations/:registrationId/renewal',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: 'Mark a renewal as applied for (it keeps the registration valid while pending) or as ended without a successor',
        params: Type.Object({ registrationId: Uuid }, { additionalProperties: false }),
        body: RenewalBody,
        response: { 200: RegistrationSchema },
      },
    },
    async (request) => {
      const registration = await setRenewal(control, request.params.registrationId, request.body);
      await audit(request, [{ resource: 'service_registrations', ids: [registration.id] }]);
      return registration;
    },
  );

  app.post(
    '/v1/providers/registrations/:registrationId/withdrawal',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: 'Withdraw a registration from a day (the placements on it are alerted)',
        params: Type.Object({ registrationId: Uuid }, { additionalProperties: false }),
        body: WithdrawalBody,
        response: { 200: RegistrationSchema },
      },
    },
    async (request) => {
      const registration = await withdrawRegistration(control, request.params.registrationId, request.body, by(request));
      await audit(request, [{ resource: 'service_registrations', ids: [registration.id] }]);
      return registration;
    },
  );

  app.post(
    '/v1/providers/joint-proposals',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "Register a joint proposal: a lead provider, every service in it registered today, and whose service meets which requirement",
        body: JointProposalBody,
        response: { 201: JointProposalSchema },
      },
    },
    async (request, reply) => {
      const proposal = await createJointProposal(control, request.body, by(request));
      await audit(request, [
        { resource: 'joint_proposals', ids: [proposal.id] },
        { resource: 'providers', ids: [proposal.leadProviderId] },
        { resource: 'provider_services', ids: proposal.services.map((s) => s.serviceId) },
      ]);
      return reply.status(201).send(proposal);
    },
  );

  app.get(
    '/v1/providers/joint-proposals',
    { config: { access }, schema: { tags: TAGS, summary: 'Joint proposals', response: { 200: Type.Object({ items: Type.Array(JointProposalSchema) }) } } },
    async () => ({ items: await listJointProposals(control) }),
  );

  app.get(
    '/v1/providers/joint-proposals/:proposalId',
    {
      config: { access },
      schema: { tags: TAGS, summary: 'One joint proposal', params: Type.Object({ proposalId: Uuid }, { additionalProperties: false }), response: { 200: JointProposalSchema } },
    },
    async (request) => requireJointProposal(control, request.params.proposalId),
  );

  app.get(
    '/v1/providers/registry/component-definition',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: 'The whole registry as an OSCAL 1.2.1 component definition, with statuses on the day (checked against the schema)',
        querystring: OnQuery,
        response: { 200: Type.Record(Type.String(), Type.Unknown()) },
      },
    },
    async (request) => registryOscal(control, request.query.on === undefined ? {} : { on: request.query.on }),
  );

  app.get(
    '/v1/providers/certifications',
    {
      config: { access },
      schema: {
        tags: TAGS,
        summary: 'Certification decisions per service and class of data, oldest first (current=true: only the latest of each)',
        querystring: Type.Object({ serviceId: Type.Optional(Uuid), current: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(CertificationSchema) }) },
      },
    },
    async (request) => ({
      items: await certificationsOf(control, {
        ...(request.query.serviceId ? { serviceId: request.query.serviceId } : {}),
        ...(request.query.current ? { current: true } : {}),
      }),
    }),
  );
}
