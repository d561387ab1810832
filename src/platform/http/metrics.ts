/**
 * Prometheus metrics. Labels are the route template (`/v1/offices/:id`), never
 * the requested URL, so no id or search term reaches the metrics.
 */
import type { FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const started = new WeakMap<FastifyRequest, bigint>();

export class HttpMetrics {
  private readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'municloud_http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'municloud_http_request_duration_seconds',
    help: 'HTTP request duration by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'municloud_' });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  start(request: FastifyRequest): void {
    started.set(request, process.hrtime.bigint());
  }

  finish(request: FastifyRequest, status: number): void {
    const route = request.routeOptions.url ?? 'unmatched';
    this.requests.inc({ method: request.method, route, status: String(status) });
    const t0 = started.get(request);
    if (t0 !== undefined) this.duration.observe({ method: request.method, route }, Number(process.hrtime.bigint() - t0) / 1e9);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
