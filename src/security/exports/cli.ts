/**
 * `municloud export decrypt --key KEY IN [OUT]`: decrypts a downloaded bulk
 * export file offline (no database, no server) with the export key shown once
 * to the requester.
 *
 * With OUT, the plaintext goes to a temporary file beside it (mode 0600) that
 * is renamed to OUT only once the whole file has authenticated: a wrong key, an
 * altered or a truncated file leaves no OUT behind. Without OUT it goes to
 * standard output as it is decrypted; on a failure the output so far must be
 * discarded (the message says so).
 *
 * Exit codes: 0 decrypted; 1 the file does not decrypt (wrong key, altered,
 * truncated, not an export file); 2 refused input (a malformed key, a missing
 * input, an existing OUT, a bad option).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Command, CommanderError } from 'commander';
import { ExportFileError, ExportFileReader, ExportKeyError, parseExportKey } from './file-format.js';

/** Refused input: the CLI prints it and exits with code 2. */
export class ExportCliError extends Error {}

export interface ExportCliIo {
  /** Messages for people (stderr). */
  readonly err: (text: string) => void;
  /** Where plaintext goes without OUT (stdout). */
  readonly stdout: Writable;
}

const stdio: ExportCliIo = { err: (t) => void process.stderr.write(t), stdout: process.stdout };

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface DecryptOptions {
  readonly key?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly input: string;
  readonly output?: string | undefined;
  /** Prefix the CSV with a UTF-8 byte order mark (for spreadsheet programs). */
  readonly bom?: boolean | undefined;
}

export interface DecryptResult {
  readonly ok: boolean;
  readonly exportId: string | null;
  readonly bytes: number;
  readonly failure: ExportFileError | null;
}

async function keyFrom(options: DecryptOptions): Promise<Buffer> {
  if ((options.key === undefined) === (options.keyFile === undefined)) throw new ExportCliError('give the export key with --key KEY or --key-file FILE (one of them)');
  let text = options.key;
  if (options.keyFile !== undefined) {
    try {
      text = await readFile(options.keyFile, 'utf8');
    } catch {
      throw new ExportCliError(`cannot read the key file ${options.keyFile}`);
    }
  }
  try {
    return parseExportKey(text!);
  } catch (err) {
    if (err instanceof ExportKeyError) throw new ExportCliError(err.message);
    throw err;
  }
}

function write(stream: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

/** Decrypts IN into OUT (or io.stdout); resolves with the outcome; throws ExportCliError on refused input. */
export async function decryptExportFile(options: DecryptOptions, io: ExportCliIo = stdio): Promise<DecryptResult> {
  const key = await keyFrom(options);
  try {
    await access(options.input);
  } catch {
    throw new ExportCliError(`cannot read ${options.input}`);
  }
  let sink: { write(b: Buffer): Promise<void>; commit(): Promise<void>; discard(): Promise<void> };
  if (options.output !== undefined) {
    const out = options.output;
    if (await access(out).then(() => true, () => false)) throw new ExportCliError(`${out} exists: give a new file name`);
    const temp = path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(6).toString('hex')}.partial`);
    const handle = await open(temp, 'wx', 0o600).catch(() => {
      throw new ExportCliError(`cannot create ${out}`);
    });
    sink = {
      write: async (b) => void (await handle.write(b)),
      commit: async () => {
        await handle.sync();
        await handle.close();
        await rename(temp, out);
      },
      discard: async () => {
        await handle.close().catch(() => undefined);
        await rm(temp, { force: true });
      },
    };
  } else {
    sink = { write: (b) => write(io.stdout, b), commit: async () => undefined, discard: async () => undefined };
  }

  const reader = new ExportFileReader(key);
  key.fill(0);
  let bytes = 0;
  // The BOM goes out with the first authenticated plaintext, so a file that fails at once writes nothing at all.
  // (`end` always returns the last chunk, even of an empty CSV, so the BOM always goes out on success.)
  let bomPending = options.bom === true;
  const emit = async (pieces: Buffer[]) => {
    for (const p of pieces) {
      if (bomPending) await sink.write(UTF8_BOM);
      bomPending = false;
      bytes += p.length;
      await sink.write(p);
    }
  };
  try {
    for await (const chunk of createReadStream(options.input, { highWaterMark: 1024 * 1024 })) await emit(reader.push(chunk as Buffer));
    await emit(reader.end());
    await sink.commit();
    return { ok: true, exportId: reader.info?.exportId ?? null, bytes, failure: null };
  } catch (err) {
    await sink.discard();
    if (err instanceof ExportFileError) return { ok: false, exportId: reader.info?.exportId ?? null, bytes, failure: err };
    throw err;
  }
}

/** Runs `export decrypt`; resolves with the exit code. */
export async function runDecrypt(options: DecryptOptions, io: ExportCliIo = stdio): Promise<number> {
  const result = await decryptExportFile(options, io);
  if (result.ok) {
    io.err(`decrypted export ${result.exportId}: ${result.bytes} bytes of CSV${options.output !== undefined ? ` written to ${options.output}` : ''}\n`);
    return 0;
  }
  const f = result.failure!;
  const partial = options.output === undefined && result.bytes > 0 ? '\nThe output written so far is incomplete or untrustworthy: discard it.' : '';
  io.err(`FAILED (${f.reason}): ${f.message}${partial}\n`);
  return 1;
}

export function registerExportCommands(program: Command, io: ExportCliIo = stdio): Command {
  const exp = program
    .command('export')
    .description('Bulk exports (four-eyes approved, encrypted): decrypt a downloaded file offline (docs/security.md)')
    // Usage errors count as refused input (exit 2) like every other bad input of these commands.
    .configureOutput({ outputError: () => undefined })
    .exitOverride((e: CommanderError) => {
      if (e.exitCode === 0) return;
      throw new ExportCliError(e.message.replace(/^error: /, ''));
    });

  exp
    .command('decrypt')
    .description('Decrypt a downloaded export file (MCX1) with its export key; nothing is written unless the whole file authenticates')
    .argument('<in>', 'the downloaded file')
    .argument('[out]', 'where to write the CSV (must not exist; mode 0600); default standard output')
    .option('--key <key>', 'the export key shown when the export was requested (43 characters)')
    .option('--key-file <file>', 'or a file holding it (keeps the key out of the shell history and process list)')
    .option('--bom', 'start the CSV with a UTF-8 byte order mark (for spreadsheet programs)')
    .action(async (input: string, output: string | undefined, opts: { key?: string; keyFile?: string; bom?: boolean }) => {
      const code = await runDecrypt({ key: opts.key, keyFile: opts.keyFile, input, output, bom: opts.bom === true }, io);
      if (code !== 0) process.exitCode = code;
    });
  return exp;
}
