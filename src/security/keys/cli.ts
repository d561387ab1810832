/**
 * `municloud keys …`: status, rotation, the rewrap job and crypto-shredding.
 *
 * Each command gets its databases and KMS from a `KeyCommandBoot`; the default
 * boots like every other command (configuration, embedded or external
 * databases, migrations, application-role pools) and opens the KMS from the
 * environment (kms/from-env.ts, through openPlatform). The functions below take those as arguments,
 * so they can run inside another process too.
 */
import { stopOnInterrupt } from '../../cli/interrupt.js';
import type { Command } from 'commander';
import pino from 'pino';
import type pg from 'pg';
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { locateDatabases, migrateAll, openPlatform } from '../../platform/runtime.js';
import { KeyError } from './errors.js';
import type { Kms, KmsDescription } from './kms/kms.js';
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from './registry.js';
import { rewrap, type RewrapReport } from './rewrap.js';
import { rotateDataKey, rotateKek, type DataKeyRotation, type KekRotation } from './rotation.js';
import { KeyService } from './service.js';
import { shredMunicipality, type ShredReport } from './shred.js';
import { dataKeys, keks, keyedMunicipalities, rewrapProgress, type RewrapProgressRow } from './store.js';

export interface KeyCommandContext {
  readonly control: pg.Pool;
  readonly kms: Kms;
  readonly keys: KeyService;
  poolFor(municipalityCode: string): Promise<pg.Pool>;
  readonly columns: readonly EncryptedColumn[];
}

export type KeyCommandBoot = <T>(use: (ctx: KeyCommandContext) => Promise<T>) => Promise<T>;

export class KeyCommandError extends Error {}

/** Boots like the other commands: configuration → databases → migrations → pools, plus the KMS. */
export const bootFromEnvironment: KeyCommandBoot = async (use) => {
  const config = loadConfig();
  const log = createLogger('warn', pino.destination(2));
  const dbs = await locateDatabases(config, log);
  try {
    await migrateAll(dbs);
    const open = await openPlatform(config, log, dbs);
    try {
      const { control, keys, cells } = open.platform;
      return await use({ control, kms: keys.kms, keys, poolFor: (code) => cells.poolFor(code), columns: ENCRYPTED_COLUMNS.list() });
    } finally {
      await open.close();
    }
  } finally {
    await dbs.embedded?.stop();
  }
};

// ---------------------------------------------------------------------------
// status

export interface MunicipalityKeyStatus {
  readonly municipalityCode: string;
  readonly destroyed: boolean;
  readonly keks: { version: number; state: string; kmsKind: string; kmsKeyId: string; inKms: boolean | null }[];
  readonly record: { activeVersion: number; usageReserved: number; usageLimit: number; olderVersions: number[] } | null;
  readonly blindIndexVersion: number | null;
  readonly rewrap: RewrapProgressRow[];
}

export interface KeyStatus {
  readonly kms: KmsDescription;
  readonly municipalities: MunicipalityKeyStatus[];
}

export async function keyStatus(ctx: Pick<KeyCommandContext, 'control' | 'kms'>, municipalityCode?: string): Promise<KeyStatus> {
  const codes = municipalityCode ? [municipalityCode] : await keyedMunicipalities(ctx.control);
  const municipalities: MunicipalityKeyStatus[] = [];
  for (const code of codes) {
    const k = await keks(ctx.control, code);
    const d = await dataKeys(ctx.control, code);
    const record = d.filter((r) => r.purpose === 'record');
    const active = record.find((r) => r.state === 'active');
    municipalities.push({
      municipalityCode: code,
      destroyed: k.length > 0 && k.every((x) => x.state === 'destroyed'),
      keks: await Promise.all(
        k.map(async (x) => ({
          version: x.version,
          state: x.state,
          kmsKind: x.kmsKind,
          kmsKeyId: x.kmsKeyId,
          inKms: x.kmsKind === ctx.kms.kind ? await ctx.kms.hasKek({ kind: x.kmsKind, id: x.kmsKeyId }).catch(() => null) : null,
        })),
      ),
      record: active
        ? { activeVersion: active.version, usageReserved: active.usageReserved, usageLimit: active.usageLimit, olderVersions: record.filter((r) => r !== active && r.state !== 'destroyed').map((r) => r.version) }
        : null,
      blindIndexVersion: d.find((r) => r.purpose === 'blind_index' && r.state === 'active')?.version ?? null,
      rewrap: await rewrapProgress(ctx.control, code),
    });
  }
  return { kms: ctx.kms.describe(), municipalities };
}

export function formatStatus(status: KeyStatus): string {
  const lines = [`KMS: ${status.kms.detail}${status.kms.production ? '' : '  [NOT FOR PRODUCTION]'}`];
  for (const w of status.kms.warnings) lines.push(`  warning: ${w}`);
  if (status.municipalities.length === 0) lines.push('no municipality has keys yet (they are created on first use)');
  for (const m of status.municipalities) {
    if (m.destroyed) {
      lines.push(`${m.municipalityCode}  DESTROYED (crypto-shredded): KEK versions ${m.keks.map((k) => k.version).join(', ')}`);
      continue;
    }
    const kek = m.keks.find((k) => k.state === 'active');
    const inKms = kek?.inKms === false ? '  MISSING FROM THE KMS' : '';
    lines.push(`${m.municipalityCode}  KEK v${kek?.version ?? '?'} (${kek?.kmsKind} ${kek?.kmsKeyId})${inKms}; ${m.keks.length - 1} older`);
    if (m.record) {
      const pct = ((100 * m.record.usageReserved) / m.record.usageLimit).toFixed(4);
      const older = m.record.olderVersions.length ? `; older versions still readable: ${m.record.olderVersions.join(', ')}` : '';
      lines.push(`        record key v${m.record.activeVersion}: ${m.record.usageReserved} of ${m.record.usageLimit} messages reserved (${pct}%)${older}`);
    }
    lines.push(`        blind-index key v${m.blindIndexVersion ?? '?'}`);
    for (const r of m.rewrap) {
      const state = r.finishedAt ? `finished ${r.finishedAt.toISOString()}` : `in progress after id ${r.lastId ?? '(start)'}`;
      lines.push(`        rewrap ${r.tableName}.${r.columnName} → v${r.targetVersion}: ${state}; ${r.rowsSeen} seen, ${r.rowsRewrapped} rewrapped, ${r.rowsFailed} failed`);
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// rotate, rewrap, shred

export async function rotateCommand(ctx: Pick<KeyCommandContext, 'keys'>, municipalityCode: string, options: { kek?: boolean }): Promise<DataKeyRotation | KekRotation> {
  await ctx.keys.forMunicipality(municipalityCode); // provisions a municipality that has no keys yet
  return options.kek ? rotateKek(ctx.keys.deps, municipalityCode) : rotateDataKey(ctx.keys.deps, municipalityCode, { reason: 'operator' });
}

export async function shredCommand(ctx: Pick<KeyCommandContext, 'keys'>, municipalityCode: string, confirm: string, options: { force?: boolean } = {}): Promise<ShredReport> {
  if (confirm !== municipalityCode) throw new KeyCommandError('--confirm must repeat the municipality code exactly: shredding cannot be undone');
  const { control, kms, log } = ctx.keys.deps;
  return shredMunicipality({ control, kms, log, keys: ctx.keys }, municipalityCode, options);
}

export async function rewrapCommand(
  ctx: KeyCommandContext,
  options: { municipalityCode?: string | undefined; batchSize?: number; signal?: AbortSignal; progress?: (line: string) => void },
): Promise<RewrapReport> {
  const say = options.progress ?? (() => undefined);
  if (ctx.columns.length === 0) say('no encrypted columns are registered: nothing to rewrap');
  const report = await rewrap(
    { control: ctx.control, keys: ctx.keys, poolFor: (c) => ctx.poolFor(c), columns: ctx.columns },
    {
      municipalityCode: options.municipalityCode,
      batchSize: options.batchSize ?? 200,
      signal: options.signal,
      onProgress: (e) =>
        e.kind === 'waiting'
          ? say(`${e.municipalityCode}: waiting ${Math.ceil(e.ms / 1000)} s for writers to pick up the new key`)
          : say(`${e.municipalityCode} ${e.column} → v${e.targetVersion}: ${e.rowsSeen}/${e.total} seen, ${e.rowsRewrapped} rewrapped, ${e.rowsFailed} failed`),
    },
  );
  for (const s of report.skipped) say(`${s.municipalityCode}: skipped (${s.reason})`);
  for (const c of report.columns) {
    if (c.failedIds.length) say(`${c.municipalityCode} ${c.column}: fields that did not open (left as they were): ${c.failedIds.join(', ')}`);
  }
  return report;
}

const CODE = /^[0-9]{6}$/;
function municipalityArg(code: string | undefined, option = '--municipality'): string {
  if (!code || !CODE.test(code)) throw new KeyCommandError(`${option} must be a six-digit municipality code`);
  return code;
}

export interface KeyCommandIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: KeyCommandIo = {
  out: (t) => void process.stdout.write(t + '\n'),
  err: (t) => void process.stderr.write(t + '\n'),
};

/** Adds `keys status|rotate|rewrap|shred` to the program. */
export function registerKeyCommands(program: Command, boot: KeyCommandBoot = bootFromEnvironment, io: KeyCommandIo = stdio): Command {
  const keys = program.command('keys').description("Municipalities' encryption keys: status, rotation, rewrap, crypto-shredding (docs/keys.md)");

  keys
    .command('status')
    .description('Show the KMS, and per municipality its key versions, usage against the rotation limit and rewrap progress')
    .option('--municipality <code>', 'only this municipality')
    .option('--json', 'print JSON')
    .action(async (opts: { municipality?: string; json?: boolean }) => {
      const code = opts.municipality === undefined ? undefined : municipalityArg(opts.municipality);
      const status = await boot((ctx) => keyStatus(ctx, code));
      io.out(opts.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    });

  keys
    .command('rotate')
    .description('New record key version for new writes (old versions stay readable until `keys rewrap`); --kek rotates the key-encryption key and rewraps the data keys')
    .requiredOption('--municipality <code>', 'municipality code')
    .option('--kek', 'rotate the key-encryption key instead of the record key')
    .action(async (opts: { municipality: string; kek?: boolean }) => {
      const code = municipalityArg(opts.municipality);
      const result = await boot((ctx) => rotateCommand(ctx, code, { kek: opts.kek === true }));
      if ('rewrapped' in result) io.out(`${code}: key-encryption key v${result.from} → v${result.to}; ${result.rewrapped} data key(s) rewrapped`);
      else io.out(`${code}: record key v${result.from} → v${result.to}; run \`municloud keys rewrap --municipality ${code}\` to re-encrypt older fields`);
    });

  keys
    .command('rewrap')
    .description('Re-encrypt fields sealed under older record keys with the active one; resumable, Ctrl-C stops after the current batch')
    .option('--municipality <code>', 'only this municipality (default: all)')
    .option('--batch <n>', 'rows per transaction', '200')
    .action(async (opts: { municipality?: string; batch: string }) => {
      const code = opts.municipality === undefined ? undefined : municipalityArg(opts.municipality);
      const batchSize = Number(opts.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new KeyCommandError('--batch must be an integer from 1 to 10000');
      const controller = new AbortController();
      const release = stopOnInterrupt(() => {
        io.err('stopping after the current batch (Ctrl-C again to quit at once; the job resumes where it stopped)');
        controller.abort();
      });
      try {
        const report = await boot((ctx) => rewrapCommand(ctx, { municipalityCode: code, batchSize, signal: controller.signal, progress: io.err }));
        const total = report.columns.reduce((n, c) => n + c.rowsRewrapped, 0);
        const failed = report.columns.reduce((n, c) => n + c.rowsFailed, 0);
        if (report.stopped) {
          io.out(`stopped: ${total} field(s) rewrapped so far; run the same command again to resume`);
          process.exitCode = 130;
        } else io.out(`done: ${total} field(s) rewrapped, ${failed} could not be opened`);
      } finally {
        release();
      }
    });

  keys
    .command('shred')
    .description("Destroy a municipality's key-encryption keys in the KMS: all its encrypted data becomes unreadable, for good")
    .requiredOption('--municipality <code>', 'municipality code')
    .requiredOption('--confirm <code>', 'the same municipality code again')
    .option('--force', 'also when a live KEK is already missing from the KMS (an interrupted shred)')
    .action(async (opts: { municipality: string; confirm: string; force?: boolean }) => {
      const code = municipalityArg(opts.municipality);
      const report = await boot((ctx) => shredCommand(ctx, code, opts.confirm, { force: opts.force === true }));
      io.out(`${code}: destroyed KEK version(s) ${report.kekVersions.join(', ') || '(none left in the KMS)'}; ${report.dataKeysErased} wrapped data key(s) erased. Its encrypted data can no longer be read.`);
    });

  return keys;
}

