/**
 * `municloud audit export | verify | keygen` through commander, as main.ts will
 * run them once wired (exit codes: 0 ok, 1 verification failed, 2 bad input).
 */
import { readFile, mkdtemp, rm, writeFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditCliError, registerAuditCommands } from '../../src/security/audit/cli.js';
import { parseVerifierKey } from '../../src/security/audit/note.js';
import { sampleEntry } from '../../src/security/audit/sample.js';
import { verifierKeyOf } from '../../src/security/audit/signer.js';
import { createAuditTestPlatform, type AuditTestPlatform } from './support.js';

let t: AuditTestPlatform;
let dir: string;
let vkey: string;
const SIZE = 1234;

/** Runs `municloud audit ...` like main() does: a refused input is exit code 2. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const program = new Command('municloud');
  registerAuditCommands(program, { withControlPool: (fn) => fn(t.audit.pool), out: (s) => void (out += s), err: (s) => void (err += s) });
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'municloud', ...args]);
    return { code: Number(process.exitCode ?? 0), out, err };
  } catch (e) {
    if (e instanceof AuditCliError) return { code: 2, out, err: err + e.message };
    throw e;
  } finally {
    process.exitCode = before;
  }
}

const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  t = await createAuditTestPlatform();
  dir = await mkdtemp(path.join(os.tmpdir(), 'municloud-audit-cli-'));
  vkey = verifierKeyOf(t.signer).text;
  for (let i = 0; i < SIZE; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, SIZE - i) }, (_, j) => t.audit.append(sampleEntry(i + j))));
    await t.audit.publisher.publish();
  }
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('audit export and verify', () => {
  it('exports the whole log and verifies it offline', async () => {
    const exported = await cli('audit', 'export', '--out', file('all.jsonl'), '--checkpoint-out', file('all.checkpoint'));
    expect(exported).toMatchObject({ code: 0 });
    expect(exported.out).toContain(`exported entries 0 to ${SIZE - 1}`);
    expect(exported.err).toContain(`exported ${SIZE}/${SIZE} entries (100%)`);
    expect((await stat(file('all.jsonl'))).mode & 0o777).toBe(0o600);
    const verified = await cli('audit', 'verify', '--entries', file('all.jsonl'), '--key', vkey, '--checkpoint', file('all.checkpoint'));
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(new RegExp(`^OK: entries 0 to ${SIZE - 1} \\(${SIZE}\\) are the log`));
    // The key may also come from a file, and --from/--to require the coverage they name.
    await writeFile(file('log.vkey'), `${vkey}\n`);
    expect((await cli('audit', 'verify', '--entries', file('all.jsonl'), '--key', file('log.vkey'), '--checkpoint', file('all.checkpoint'), '--from', '10', '--to', '20')).code).toBe(0);
  });

  it('exports a range with its boundary hashes, which verifies against the latest checkpoint alone', async () => {
    expect((await cli('audit', 'export', '--from', '500', '--to', '777', '--out', file('range.jsonl'), '--checkpoint-out', file('range.checkpoint'))).code).toBe(0);
    const lines = (await readFile(file('range.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ start: 500 });
    expect(JSON.parse(lines.at(-1)!)).toHaveProperty('right');
    const verified = await cli('audit', 'verify', '--entries', file('range.jsonl'), '--key', vkey, '--checkpoint', file('range.checkpoint'));
    expect(verified.out).toMatch(/^OK: entries 500 to 776 \(277\)/);
    const notCovered = await cli('audit', 'verify', '--entries', file('range.jsonl'), '--key', vkey, '--checkpoint', file('range.checkpoint'), '--from', '400', '--to', '600');
    expect(notCovered).toMatchObject({ code: 2 });
    expect(notCovered.err).toMatch(/holds entries 500 to 776, not all of 400 to 599/);
  });

  it('resumes an interrupted export and ends with the same file as one export would', async () => {
    expect((await cli('audit', 'export', '--to', '345', '--out', file('resumed.jsonl'))).code).toBe(0);
    // Cut off mid-line, as a crash would leave it.
    const partial = await readFile(file('resumed.jsonl'));
    await writeFile(file('resumed.jsonl'), partial.subarray(0, partial.length - 100));
    expect((await cli('audit', 'export', '--to', '345', '--out', file('resumed.jsonl'))).code).toBe(2);
    const resumed = await cli('audit', 'export', '--resume', '--out', file('resumed.jsonl'));
    expect(resumed.code).toBe(0);
    expect(await readFile(file('resumed.jsonl'))).toEqual(await readFile(file('all.jsonl')));
  });

  it('names the first bad entry of a tampered export, exit code 1', async () => {
    const lines = (await readFile(file('all.jsonl'), 'latin1')).split('\n');
    const at = lines.findIndex((l) => l.includes('"seq":700}'));
    lines[at] = lines[at]!.replace('"result":"success"', '"result":"refused"');
    await writeFile(file('tampered.jsonl'), lines.join('\n'), 'latin1');
    const verified = await cli('audit', 'verify', '--entries', file('tampered.jsonl'), '--key', vkey, '--checkpoint', file('all.checkpoint'));
    expect(verified.code).toBe(1);
    expect(verified.out).toMatch(/^FAILED: first bad entry: 700 \(altered\)\nentry 700 was altered/);
  });

  it('refuses bad input with exit code 2 and a reason', async () => {
    const cases: [string[], RegExp][] = [
      [['audit', 'verify', '--entries', file('nope.jsonl'), '--key', vkey, '--checkpoint', file('all.checkpoint')], /--entries: cannot read/],
      [['audit', 'verify', '--entries', file('all.jsonl'), '--key', 'not-a-key', '--checkpoint', file('all.checkpoint')], /--key must be a verifier key/],
      [['audit', 'verify', '--entries', file('all.jsonl'), '--key', vkey.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), '--checkpoint', file('all.checkpoint')], /--key: the key hash does not match/],
      [['audit', 'verify', '--entries', file('all.jsonl'), '--key', vkey, '--checkpoint', file('all.jsonl')], /--checkpoint: /],
      [['audit', 'verify', '--entries', file('all.jsonl'), '--checkpoint', file('all.checkpoint')], /required option '--key <vkey>' not specified/],
      [['audit', 'verify', '--entries', file('all.jsonl'), '--key', vkey, '--checkpoint', file('all.checkpoint'), '--from', '-1', '--to', '3'], /must be an entry number/],
      [['audit', 'export', '--out', file('all.jsonl')], /exists; use --resume/],
      [['audit', 'export', '--to', '99999', '--out', file('x.jsonl')], /not covered by a signed checkpoint yet/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
    }
  });

  it('makes a checkpoint key and prints its verifier key', async () => {
    const r = await cli('audit', 'keygen', '--name', 'audit.example.lg.jp/municloud', '--out', file('signing.pem'));
    expect(r.code).toBe(0);
    expect(parseVerifierKey(r.out).name).toBe('audit.example.lg.jp/municloud');
    expect((await stat(file('signing.pem'))).mode & 0o777).toBe(0o600);
    expect((await cli('audit', 'keygen', '--name', 'audit.example.lg.jp/municloud', '--out', file('signing.pem'))).code).toBe(2);
  });
});
