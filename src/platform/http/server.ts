/**
 * The HTTP server: a request's path from the socket to a route handler.
 *
 * onRequest: request id → authenticate the bearer token → check the route's
 * declared roles → for tenant routes, find the principal's municipality's cell
 * and hand the handler a runner that opens a transaction confined to that
 * municipality by row-level security. Then validation (strict for bodies), the
 * handler, and errors as RFC 9457 problem details.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { Logger } from 'pino';
import { authenticate } from '../../identity/accounts.js';
import { hasAnyRole, requiresMfa, type Principal } from '../../identity/roles.js';
import { isMunicipalityKind } from '../../organizations/organization.js';
import { zoneOf, type Zone } from '../../security/access/network-zones.js';
import { recordOrRefuse, requestContext } from '../../security/audit/request.js';
import { isLegalPurpose, type Operation } from '../../security/access/purposes.js';
import { KeyError, PROBLEM_CODE_FOR } from '../../security/keys/errors.js';
import type { KeyService } from '../../security/keys/service.js';
import type { AuditLog } from '../../security/audit/service.js';
import type { CellDirectory } from '../cells.js';
import type { Config } from '../config.js';
import { inTenantTransaction } from '../database.js';
import { fieldError, Problem, PROBLEM_CONTENT_TYPE, problemBody, type ProblemCode } from '../errors.js';
import { describeRoute, type RegisteredRoute } from './access.js';
import { CursorCodec } from './cursor.js';
import { HttpMetrics } from './metrics.js';
import { ProblemSchema } from './schemas.js';
import { fieldErrorsFrom, validatorCompiler } from './validation.js';

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Everything a route module needs; built once by the runtime. */
export interface Platform {
  readonly config: Config;
  readonly log: Logger;
  /** Request pool on the control database (application role). */
  readonly control: pg.Pool;
  readonly cells: CellDirectory;
  /** Each municipality's keys: record encryption and blind indexes (security/keys). */
  readonly keys: KeyService;
  /** The tamper-evident audit log (security/audit); requests fail closed when it cannot record. */
  readonly audit: AuditLog;
  readonly cursors: CursorCodec;
}

/** A municipality-confined unit of work for a tenant route. */
export interface TenantContext {
  readonly municipalityCode: string;
  /** For My Number routes: the legal purpose the request declared (already checked). */
  readonly purpose: string | null;
  run<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}

/** The tenant context of a route declared tenant-scoped; the server always sets it, so its absence is a wiring fault. */
export function tenantOf(request: { tenant: TenantContext | null }): TenantContext {
  if (!request.tenant) throw new Problem('internal_error');
  return request.tenant;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    tenant: TenantContext | null;
  }
  interface FastifyInstance {
    municloudRoutes: RegisteredRoute[];
  }
}

export type RouteModule = (app: App, platform: Platform) => void | Promise<void>;

export async function buildServer(platform: Platform, modules: readonly RouteModule[]): Promise<App> {
  const { config, log } = platform;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // Client addresses decide network zones: trust X-Forwarded-For only from configured proxies.
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // JSON only: a text/plain body would otherwise reach validation as a string.
  app.removeContentTypeParser('text/plain');

  const routes: RegisteredRoute[] = [];
  app.decorate('municloudRoutes', routes);
  app.decorateRequest('principal', null);
  app.decorateRequest('tenant', null);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // HEAD routes are generated from GET routes and share their declaration.
      if (method === 'HEAD' && route.url !== '*') continue;
      routes.push({ method, url: route.url, access: route.config?.access, bodySchema: route.schema?.body });
    }
  });
  app.addHook('onReady', async () => {
    const undeclared = routes.filter((r) => !r.access);
    if (undeclared.length > 0) {
      throw new Error(`routes without declared roles: ${undeclared.map(describeRoute).join(', ')}`);
    }
    const untenanted = routes.filter((r) => r.access?.myNumber && !r.access.tenant);
    if (untenanted.length > 0) throw new Error(`My Number routes must be tenant routes: ${untenanted.map(describeRoute).join(', ')}`);
  });

  const metrics = new HttpMetrics();
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    metrics.start(request);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.finish(request, reply.statusCode);
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    // Only the not-found handler lacks a declaration (onReady refuses undeclared routes); fail closed anyway.
    if (!access) {
      if (request.is404) return;
      throw new Problem('forbidden');
    }
    if (access.roles === 'public') return;
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    if (!token) throw new Problem('unauthenticated');
    const principal = await authenticate(platform.control, token);
    if (!principal) throw new Problem('unauthenticated');
    if (!hasAnyRole(principal, access.roles)) throw new Problem('forbidden');
    if (requiresMfa(principal.roles) && !principal.mfa && !access.mfaExempt) throw new Problem('mfa_required');
    request.principal = principal;
    if (access.tenant) {
      // The municipality is always the principal's own: no route can name another.
      if (!isMunicipalityKind(principal.organizationKind)) throw new Problem('forbidden');
      const municipalityCode = principal.organizationCode;
      const purpose = access.myNumber ? await admitMyNumberUse(platform, request, municipalityCode, access.myNumber.operation) : null;
      const pool = await platform.cells.poolFor(municipalityCode);
      request.tenant = { municipalityCode, purpose, run: (fn) => inTenantTransaction(pool, municipalityCode, fn) };
    }
  });

  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      request.log.error({ err: redactError(error), route: request.routeOptions.url }, 'request failed');
    }
    void reply.status(problem.status).headers(problem.headers).type(PROBLEM_CONTENT_TYPE).send(problemBody(problem, request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).type(PROBLEM_CONTENT_TYPE).send(problemBody(new Problem('route_not_found'), request.id));
  });

  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'municloud API',
        version: '0.1.0',
        description:
          'Multi-tenant platform for municipal core systems. Errors are RFC 9457 problem details (application/problem+json) with a stable `code` and messages in Japanese and English.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: { roles: 'public' } };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
  // The root onRoute hook runs before the docs context's, so it recorded these routes undeclared.
  for (const r of routes) if (r.url.startsWith('/docs') && !r.access) Object.assign(r, { access: { roles: 'public' } });

  app.get('/openapi.json', { config: { access: { roles: 'public' } }, schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { config: { access: { roles: 'public' } }, schema: { hide: true } }, async (_request, reply) => {
    void reply.type(metrics.contentType);
    return metrics.render();
  });
  app.get('/healthz', { config: { access: { roles: 'public' } }, schema: { tags: ['health'] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: { roles: 'public' } }, schema: { tags: ['health'] } }, async () => {
    try {
      await platform.control.query('SELECT 1');
      await Promise.all(platform.cells.cellIds().map(async (id) => (await platform.cells.cellPool(id)).query('SELECT 1')));
    } catch {
      throw new Problem('service_unavailable');
    }
    return { status: 'ready' };
  });

  for (const module of modules) await module(app, platform);
  return app;
}

/**
 * My Number use is admitted only for a declared legal purpose of the operation
 * and only from the municipality's My Number zone (the three-layer model).
 */
async function admitMyNumberUse(platform: Platform, request: FastifyRequest, municipalityCode: string, operation: Operation): Promise<string> {
  const header = request.headers['municloud-purpose'];
  const purpose = typeof header === 'string' ? header : undefined;
  const refuse = async (reason: 'purpose_not_allowed' | 'network_zone_refused', zone: Zone | 'unknown') => {
    await recordOrRefuse(platform, {
      ...requestContext(request, zone),
      kind: 'access_refused',
      municipality: municipalityCode,
      // A declared purpose that is not a legal one is not recorded verbatim: it is free text.
      purpose: isLegalPurpose(operation, purpose) ? purpose : null,
      outcome: { result: 'refused', reason },
    });
    return new Problem(reason);
  };
  if (!isLegalPurpose(operation, purpose)) throw await refuse('purpose_not_allowed', 'unknown');
  await admitFromMyNumberZone(platform, request, municipalityCode, purpose);
  return purpose;
}

/**
 * Personal data leaves only towards the municipality's My Number zone (the
 * three-layer model): a request from anywhere else is refused and audited.
 * For routes whose purpose is not a header but declared elsewhere (a linkage
 * subscription's), the route calls this itself.
 */
export async function admitFromMyNumberZone(platform: Platform, request: FastifyRequest, municipalityCode: string, purpose: string): Promise<void> {
  const zone = await zoneOf(platform.control, municipalityCode, request.ip);
  if (zone === 'my_number') return;
  await recordOrRefuse(platform, {
    ...requestContext(request, zone),
    kind: 'access_refused',
    municipality: municipalityCode,
    purpose,
    outcome: { result: 'refused', reason: 'network_zone_refused' },
  });
  throw new Problem('network_zone_refused');
}

function toProblem(error: FastifyError | Problem): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof KeyError) return problemForKeyError(error);
  const e = error as FastifyError;
  if (e.validation) return new Problem('validation_failed', fieldErrorsFrom(e.validation as never, e.validationContext ?? 'body'));
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem('body_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new Problem(e.statusCode === 415 ? 'unsupported_media_type' : 'validation_failed');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new Problem('malformed_json');
  }
  if (error instanceof SyntaxError || e.statusCode === 400) return new Problem('malformed_json');
  if (e.statusCode === 413) return new Problem('body_too_large');
  if (e.statusCode === 415) return new Problem('unsupported_media_type');
  if (e.statusCode === 404) return new Problem('route_not_found');
  if (e.statusCode === 405) return new Problem('method_not_allowed');
  return new Problem('internal_error');
}

/** A key error as its problem: the message names only key versions and ids, and is not sent. */
function problemForKeyError(error: KeyError): Problem {
  const code = PROBLEM_CODE_FOR[error.code] as ProblemCode;
  if (code !== 'validation_failed') return new Problem(code);
  return new Problem('validation_failed', [
    fieldError('body', error.rule ?? 'format', { ja: '値の形式が正しくありません。', en: `breaks the rule ${error.rule ?? 'format'}` }),
  ]);
}

/** What is logged of an unexpected error: its kind and location, never the values a message may quote. */
function redactError(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; code?: string; message?: string; stack?: string; routine?: string };
  const scrub = (s?: string) => s?.replace(/"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)=\([^\n]*\)/g, '…');
  return { name: e.name, code: e.code, routine: e.routine, message: scrub(e.message), stack: scrub(e.stack) };
}
