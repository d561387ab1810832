/**
 * `municloud audit ...`: export the log, verify an export offline, make a key,
 * print the configured key's verifier key (`public-key`, the HSM's included).
 *
 * `verify` needs no database and no server: the export, a signed checkpoint
 * and the log's verifier key are enough. Exit codes: 0 verified, 1
 * verification failed (the output names the first bad entry), 2 the input
 * could not be checked (missing file, malformed key, export not reaching the
 * checkpoint, bad option).
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command, type CommanderError } from 'commander';
import type pg from 'pg';
import { ConfigError, loadConfig } from '../../platform/config.js';
import { openKmsFromEnv } from '../keys/kms/from-env.js';
import { exportAuditLog, ExportInputError } from './export.js';
import { auditSignerKind, loadCheckpointSigner } from './service.js';
import { generateSigner, verifierKeyOf } from './signer.js';
import { verifyExportFile } from './verify-file.js';
import { VerifyInputError, type VerifyResult } from './verifier.js';

export interface AuditCliDeps {
  /** Runs fn with a pool on the control database; main.ts wires it to its platform. */
  readonly withControlPool?: <T>(fn: (pool: pg.Pool) => Promise<T>) => Promise<T>;
  /** The configured signer's verifier key text; default: verifierKeyFromEnvironment. */
  readonly verifierKey?: () => Promise<string>;
  /** Where reports go (stdout) and progress (stderr); replaceable in tests. */
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
}

/** Refused input: the CLI prints it and exits with code 2. */
export class AuditCliError extends Error {}

function entryNumber(value: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('must be an entry number (0, 1, 2, ...)');
  return Number(value);
}

export function formatVerifyResult(result: VerifyResult): string {
  const c = result.checkpoint;
  if (result.ok && c) {
    const beyond = result.end > c.treeSize ? `\n${result.end - c.treeSize} entries after tree size ${c.treeSize} were checked for links only: no checkpoint covers them yet` : '';
    return (
      `OK: entries ${result.start} to ${result.end - 1} (${result.end - result.start}) are the log "${c.origin}" as signed at tree size ${c.treeSize}\n` +
      `root ${c.rootHash.toString('base64')}; ${result.checkpointsChecked} signed checkpoint(s) compared; every entry at its index and linked to the one before${beyond}\n`
    );
  }
  const f = result.failure!;
  const first = f.index !== null ? `first bad entry: ${f.index}` : f.range ? `first bad entry: among ${f.range[0]} to ${f.range[1]}` : 'no entry could be checked';
  return `FAILED: ${first} (${f.reason})\n${f.message}\n`;
}

/**
 * The verifier key of the signer the platform is configured with, as
 * `municloud serve` would load it (MUNICLOUD_AUDIT_SIGNER, MUNICLOUD_AUDIT_ORIGIN,
 * ...): for an HSM key, read from the token (the PKCS#11 KMS of the
 * environment). Needs no database, and creates no key: a key that does not
 * exist yet is reported as such.
 */
export async function verifierKeyFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const config = loadConfig(env);
  const kms = auditSignerKind(env) === 'pkcs11' ? await openKmsFromEnv(env, { mode: config.mode, dataDir: config.dataDir }) : undefined;
  try {
    const signer = await loadCheckpointSigner({ env, mode: config.mode, dataDir: config.dataDir, create: false, ...(kms ? { kms } : {}) });
    return verifierKeyOf(signer).text;
  } finally {
    await kms?.close();
  }
}

/** Runs `audit verify`; resolves with the exit code. */
export async function runVerify(
  options: { entries: string; key: string; checkpoint: string; from?: number; to?: number },
  io: { out: (t: string) => void; err: (t: string) => void },
): Promise<number> {
  if ((options.from === undefined) !== (options.to === undefined)) throw new AuditCliError('--from and --to go together');
  if (options.from !== undefined && options.to !== undefined && options.from > options.to) throw new AuditCliError('--from must not exceed --to');
  try {
    const result = await verifyExportFile({
      entriesPath: options.entries,
      key: options.key,
      checkpointPath: options.checkpoint,
      ...(options.from !== undefined ? { from: options.from, to: options.to } : {}),
      onProgress: (n) => io.err(`verified ${n} entries\n`),
    });
    io.out(formatVerifyResult(result));
    return result.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof VerifyInputError) throw new AuditCliError(err.message);
    throw err;
  }
}

export function registerAuditCommands(program: Command, deps: AuditCliDeps = {}): Command {
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const err = deps.err ?? ((t: string) => void process.stderr.write(t));
  const audit = program
    .command('audit')
    .description('The tamper-evident audit log: export it, verify an export offline, make a checkpoint key')
    // Usage errors count as refused input (exit 2) like every other bad input of these commands.
    .configureOutput({ outputError: () => undefined })
    .exitOverride((e: CommanderError) => {
      if (e.exitCode === 0) return;
      throw new AuditCliError(e.message.replace(/^error: /, ''));
    });

  audit
    .command('export')
    .description('Write entries [from, to) as stored, one JSON line each, with the checkpoints and boundary hashes a verifier needs')
    .requiredOption('--out <file>', 'the export file (JSON lines)')
    .option('--from <n>', 'first entry (default 0)', entryNumber)
    .option('--to <n>', 'end, exclusive (default: the latest checkpoint\'s tree size)', entryNumber)
    .option('--resume', 'continue an existing export file after its last complete entry')
    .option('--checkpoint-out <file>', 'also write the signed checkpoint the export was made against')
    .action(async (opts: { out: string; from?: number; to?: number; resume?: boolean; checkpointOut?: string }) => {
      if (!deps.withControlPool) throw new AuditCliError('audit export needs the database, and this build has not wired it');
      await deps.withControlPool(async (pool) => {
        let lastReport = 0;
        try {
          const result = await exportAuditLog(pool, {
            out: opts.out,
            ...(opts.from !== undefined ? { from: opts.from } : {}),
            ...(opts.to !== undefined ? { to: opts.to } : {}),
            resume: opts.resume ?? false,
            onProgress: (done, total) => {
              const now = Date.now();
              if (now - lastReport < 1000 && done < total) return;
              lastReport = now;
              err(`exported ${done}/${total} entries (${total === 0 ? 100 : Math.floor((done / total) * 100)}%)\n`);
            },
          });
          if (opts.checkpointOut) await writeFile(opts.checkpointOut, result.checkpoint.note);
          if (result.missing > 0) err(`warning: ${result.missing} entries of the range are not in the database: the log has lost entries (verify the export to see which)\n`);
          out(`exported entries ${result.from} to ${result.to - 1} (${result.written} written now) to ${opts.out}; checkpoint tree size ${result.checkpoint.treeSize}\n`);
        } catch (e) {
          if (e instanceof ExportInputError) throw new AuditCliError(e.message);
          throw e;
        }
      });
    });

  audit
    .command('verify')
    .description('Check an export against a signed checkpoint and the log\'s public key, offline; name the first bad entry')
    .requiredOption('--entries <file>', 'the export (from audit export)')
    .requiredOption('--key <vkey>', 'the log\'s verifier key, name+hash+key, or a file holding it')
    .requiredOption('--checkpoint <file>', 'a signed checkpoint of the log (C2SP signed note)')
    .option('--from <n>', 'require the export to cover entries from n', entryNumber)
    .option('--to <n>', '... up to n, exclusive', entryNumber)
    .action(async (opts: { entries: string; key: string; checkpoint: string; from?: number; to?: number }) => {
      const code = await runVerify(opts, { out, err });
      if (code !== 0) process.exitCode = code;
    });

  audit
    .command('public-key')
    .description("Print the configured checkpoint key's verifier key (name+hash+key), for `audit verify --key` and for witnesses; with MUNICLOUD_AUDIT_SIGNER=pkcs11, read from the HSM")
    .action(async () => {
      try {
        out(`${await (deps.verifierKey ?? verifierKeyFromEnvironment)()}\n`);
      } catch (e) {
        if (e instanceof ConfigError) throw new AuditCliError(e.message);
        throw e;
      }
    });

  audit
    .command('keygen')
    .description('Make an Ed25519 checkpoint signing key (PKCS #8 PEM, mode 0600) and print its verifier key')
    .requiredOption('--name <origin>', 'the log\'s origin, e.g. audit.example.lg.jp/municloud')
    .requiredOption('--out <file>', 'where to write the private key (must not exist)')
    .action(async (opts: { name: string; out: string }) => {
      let generated;
      try {
        generated = generateSigner(opts.name);
      } catch (e) {
        throw new AuditCliError((e as Error).message);
      }
      await writeFile(opts.out, generated.privateKeyPem, { mode: 0o600, flag: 'wx' }).catch(() => {
        throw new AuditCliError(`cannot create ${opts.out} (it must not exist yet)`);
      });
      out(`${verifierKeyOf(generated.signer).text}\n`);
    });
  return audit;
}
