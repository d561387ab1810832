/**
 * Helpers of the resident-register benchmark (bench/register.ts): an HTTP
 * client for the API on 127.0.0.1, a closed-loop load generator with a fixed
 * concurrency and duration, and the statistics the report prints.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { request, type HttpResult } from './harness.js';

// ---------------------------------------------------------------------------
// HTTP

export async function expectStatus(agent: http.Agent, port: number, expected: number, method: string, urlPath: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
  const res = await request(agent, port, method, urlPath, headers, body);
  if (res.status !== expected) throw new Error(`${method} ${urlPath} → ${res.status} ${res.body.slice(0, 300)}`);
  return res;
}

// ---------------------------------------------------------------------------
// Closed-loop load

export interface Timed {
  /** Operations completed (successful or not). */
  readonly ops: number;
  /** From the start to the end of the last operation. */
  readonly seconds: number;
  /** Latency of every successful operation, in ms. */
  readonly latenciesMs: number[];
  readonly errors: number;
  readonly firstError: string | undefined;
}

/**
 * `concurrency` workers each run `op` back to back (closed loop) until `ms` have
 * passed or `maxOps` were started. `op(worker, i)` gets the worker's index and
 * the operation's sequence number in this run.
 */
/** Set on Ctrl-C: every run stops starting operations; `idle()` resolves once those in flight have ended. */
export const stopping = { requested: false, inFlight: 0 };

export async function whenIdle(maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  while (stopping.inFlight > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
}

export async function runTimed(concurrency: number, ms: number, maxOps: number, op: (worker: number, i: number) => Promise<void>): Promise<Timed> {
  if (stopping.requested) throw new Error('interrupted');
  const latenciesMs: number[] = [];
  let started = 0;
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + ms;
  let last = t0;
  const worker = async (w: number) => {
    while (started < maxOps && performance.now() < deadline && !stopping.requested) {
      const i = started++;
      const s = performance.now();
      stopping.inFlight++;
      try {
        await op(w, i);
        const e = performance.now();
        latenciesMs.push(e - s);
        last = e;
      } catch (err) {
        errors++;
        last = performance.now();
        firstError ??= (err as Error).message;
      } finally {
        stopping.inFlight--;
      }
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { ops, seconds: (last - t0) / 1000, latenciesMs, errors, firstError };
}

// ---------------------------------------------------------------------------
// Statistics

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---------------------------------------------------------------------------
// CPU accounting: this process (server and load generator) and every PostgreSQL process on the machine.

export interface CpuSnapshot {
  /** This process, user + system, ms. */
  readonly node: number;
  /** Of which in the kernel (system calls: sockets), ms. */
  readonly nodeSystem: number;
  /** Every process named postgres: pid → what it serves (its database, or "background") and its CPU ms so far. */
  readonly pg: ReadonlyMap<string, { readonly what: string; readonly ms: number }>;
}

let postmaster: string | null = null;
let databases: ReadonlySet<string> | null = null;

/** Counts only backends of these databases (and the server's own processes), not other users' on a shared server. */
export function watchDatabases(names: Iterable<string>): void {
  databases = new Set([...names, 'background']);
}

/** Counts only this server's processes from now on: the postmaster of the backend with this pid, and its children. */
export function watchPostgresOf(backendPid: number): void {
  try {
    const stat = readFileSync(`/proc/${backendPid}/stat`, 'latin1');
    postmaster = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]!;
  } catch {
    postmaster = null; // not on this machine: count every postgres process
  }
}

/** CPU used so far by this process and by the PostgreSQL server's processes (Linux /proc; none elsewhere). */
export function cpuSnapshot(): CpuSnapshot {
  const u = process.cpuUsage();
  const pg = new Map<string, { what: string; ms: number }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p));
  } catch {
    // no /proc
  }
  for (const pid of pids) {
    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      if (postmaster !== null && pid !== postmaster && fields[1] !== postmaster) continue;
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      // After the command: state is field 3 (index 0 here); utime and stime are fields 14 and 15, in USER_HZ (100/s).
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      // A backend's title: "postgres: [<cluster>: ]<user> <database> <host>(<port>) <state>" (Debian names the cluster, e.g. "15/main:").
      const m = /^postgres: (?:\S+: )?(\S+) (\S+) \d+\.\d+\.\d+\.\d+\(\d+\)/.exec(cmdline);
      pg.set(pid, { what: m ? m[2]! : 'background', ms });
    } catch {
      continue;
    }
  }
  return { node: (u.user + u.system) / 1000, nodeSystem: u.system / 1000, pg };
}

/** PostgreSQL CPU ms between two snapshots, by what the processes serve (processes that ended meanwhile are lost). */
export function pgCpuDelta(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const out = new Map<string, number>();
  for (const [pid, a] of after.pg) {
    const b = before.pg.get(pid);
    const d = a.ms - (b && b.what === a.what ? b.ms : 0);
    out.set(a.what, (out.get(a.what) ?? 0) + d);
  }
  return out;
}

/** Rounds of one variant, pooled. */
export class Pooled {
  ops = 0;
  seconds = 0;
  errors = 0;
  /** CPU ms during the rounds, when measured. */
  nodeCpuMs = 0;
  nodeSystemMs = 0;
  pgCpuMs = 0;
  cpuSeconds = 0;
  firstError: string | undefined;
  readonly latencies: number[] = [];
  readonly roundRates: number[] = [];
  readonly roundP99: number[] = [];

  /** PostgreSQL CPU ms by database ("background": the server's own processes). */
  readonly pgCpuByDb = new Map<string, number>();

  add(t: Timed, cpu?: { before: CpuSnapshot; after: CpuSnapshot }): void {
    if (cpu) {
      this.nodeCpuMs += cpu.after.node - cpu.before.node;
      this.nodeSystemMs += cpu.after.nodeSystem - cpu.before.nodeSystem;
      for (const [what, d] of pgCpuDelta(cpu.before, cpu.after)) {
        if (databases && !databases.has(what)) continue;
        this.pgCpuMs += d;
        this.pgCpuByDb.set(what, (this.pgCpuByDb.get(what) ?? 0) + d);
      }
      this.cpuSeconds += t.seconds;
    }
    this.ops += t.ops;
    this.seconds += t.seconds;
    this.errors += t.errors;
    this.firstError ??= t.firstError;
    for (const l of t.latenciesMs) this.latencies.push(l);
    this.roundRates.push(t.seconds > 0 ? t.ops / t.seconds : 0);
    this.roundP99.push(percentile(Float64Array.from(t.latenciesMs).sort(), 99));
  }

  /** CPU ms per operation (this process, PostgreSQL) and the share of `cores` in use during the rounds. */
  cpu(cores: number): { node: number; nodeSystem: number; pg: number; busy: number } {
    return {
      node: this.nodeCpuMs / this.ops,
      nodeSystem: this.nodeSystemMs / this.ops,
      pg: this.pgCpuMs / this.ops,
      busy: (this.nodeCpuMs + this.pgCpuMs) / (1000 * this.cpuSeconds * cores),
    };
  }

  get rate(): number {
    return this.seconds > 0 ? this.ops / this.seconds : 0;
  }

  private sortedCache: Float64Array | undefined;
  private sorted(): Float64Array {
    if (!this.sortedCache || this.sortedCache.length !== this.latencies.length) this.sortedCache = Float64Array.from(this.latencies).sort();
    return this.sortedCache;
  }

  p(pct: number): number {
    return percentile(this.sorted(), pct);
  }
}

/** Alternating order for round `round` of n variants: AB…, then …BA, so drift falls on every variant alike. */
export function roundOrder(n: number, round: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  // Rotate as well as reverse, so with more than two variants none is always in the middle.
  const rotated = [...order.slice(Math.floor(round / 2) % n), ...order.slice(0, Math.floor(round / 2) % n)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

// ---------------------------------------------------------------------------
// Formatting

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
export const ms = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '–');
export const range = (values: readonly number[], digits = 0) =>
  values.length === 0 ? '–' : `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`;
