/**
 * The built CLI's `serve` as a child process, for tests of the quick start and
 * of what a server process does on its own (its background linkage work):
 * start it, wait until it listens, log in with the demo's printed logins, stop
 * it politely or kill it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { base32Decode } from '../../src/identity/totp.js';
import { findFreePort } from '../../src/platform/embedded-postgres.js';
import { freshTotp } from './api.js';

export const BIN = path.resolve('bin/municloud.js');

export interface DemoLogin {
  org: string;
  login: string;
  password: string;
  totp?: string;
}

export interface Server {
  child: ChildProcess;
  baseUrl: string;
  /** The demo's logins, when started with --demo. */
  logins: DemoLogin[];
  /** What it printed so far (stdout and stderr). */
  output(): string;
}

/** The logins `serve --demo` and `demo` print, one per line. */
export function parseLogins(out: string): DemoLogin[] {
  return [...out.matchAll(/^\s+(\d{6}) \S+\s+(\S+)\s+(\S+)\s+\([^)]*\)(?: totp:([A-Z2-7]+))?$/gm)].map((m) => ({
    org: m[1]!,
    login: m[2]!,
    password: m[3]!,
    ...(m[4] ? { totp: m[4] } : {}),
  }));
}

/** Starts `municloud serve` on a free port and waits until it answers (with --demo: until it printed its logins). */
export async function startServer(env: NodeJS.ProcessEnv, options: { demo?: boolean } = { demo: true }): Promise<Server> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [BIN, 'serve', ...(options.demo ? ['--demo'] : []), '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 90_000);
    const exited = (code: number | null) => reject(new Error(`server exited ${code}:\n${out}`));
    child.on('exit', exited);
    const poll = setInterval(() => {
      const ready = options.demo ? Promise.resolve(out.includes('API docs:')) : fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false);
      void ready.then((ok) => {
        if (!ok) return;
        clearInterval(poll);
        clearTimeout(timer);
        child.off('exit', exited);
        resolve();
      });
    }, 100);
  });
  return { child, baseUrl, logins: options.demo ? parseLogins(out) : [], output: () => out };
}

/** SIGTERM, and its exit code once it has shut down. */
export async function stopServer(server: Server): Promise<number | null> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  server.child.kill('SIGTERM');
  return exited;
}

/** SIGKILL: the process gets no chance to finish anything. */
export async function killServer(server: Server): Promise<void> {
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  server.child.kill('SIGKILL');
  await exited;
}

export async function post(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** A session token for one of the demo's logins: password, then the authenticator code where the account has one. */
export async function login(server: Pick<Server, 'baseUrl' | 'logins'>, org: string, loginName: string): Promise<string> {
  const entry = server.logins.find((l) => l.org === org && l.login === loginName);
  if (!entry) throw new Error(`no demo login ${org}/${loginName}`);
  const first = await post(server.baseUrl, '/v1/auth/login', { organizationCode: org, loginName, password: entry.password });
  if (first.status !== 200) throw new Error(`login ${org}/${loginName}: ${first.status}`);
  if (first.body.status !== 'mfa_required') return first.body.token as string;
  if (!entry.totp) throw new Error(`login ${org}/${loginName} asks for a code, and the demo printed no authenticator secret`);
  const second = await post(server.baseUrl, '/v1/auth/login/mfa', { challenge: first.body.challenge, code: await freshTotp(base32Decode(entry.totp)) });
  if (second.status !== 200) throw new Error(`login ${org}/${loginName} (code): ${second.status}`);
  return second.body.token as string;
}
