/**
 * `municloud linkage …`: the event catalogue; `follow`, a receiving system's
 * client that keeps a subscription's feed in a JSON Lines file (follow.ts);
 * and `daily-file`, which downloads a day's CSV file or lists the days
 * (daily-file-client.ts). They talk to the API like any receiving system, with
 * the system's API token from MUNICLOUD_TOKEN (never an argument: the process
 * list would show it).
 */
import { stopOnInterrupt } from '../cli/interrupt.js';
import type { Command } from 'commander';
import { EVENT_TYPES } from './catalogue.js';
import { downloadDailyFile, listDailyFiles } from './daily-file-client.js';
import { follow, FollowError } from './follow.js';

export interface LinkageCliIo {
  out(text: string): void;
  progress(line: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

const positive = (what: string, max: number) => (text: string) => {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > max) throw new FollowError(`${what} must be a whole number from 1 to ${max}`);
  return n;
};

export function registerLinkageCommands(program: Command, io: LinkageCliIo): void {
  const linkage = program.command('linkage').description('Linkage: the event catalogue, following a subscription’s feed, its daily files (docs/linkage.md)');

  linkage
    .command('catalogue')
    .description('The events published: topic, version, meaning')
    .action(() => {
      for (const e of EVENT_TYPES) io.out(`${e.topic}\tv${e.version}\t${e.ja}\t${e.en}\n`);
    });

  linkage
    .command('follow')
    .description("Append a subscription's events to a JSON Lines file, each exactly once; resumes after the file's last event (token in MUNICLOUD_TOKEN)")
    .requiredOption('--api <url>', 'the API base URL, e.g. https://municloud.example.lg.jp')
    .requiredOption('--subscription <id>', 'the subscription to read (its consumer must be the token’s account)')
    .requiredOption('--out <file>', 'the JSON Lines file (created with mode 0600; appended to)')
    .option('--once', 'stop when caught up instead of waiting for new events')
    .option('--poll <ms>', 'how long to wait when caught up', positive('--poll', 3_600_000), 1000)
    .option('--limit <n>', 'events per page', positive('--limit', 500), 500)
    .action(async (opts: { api: string; subscription: string; out: string; once?: boolean; poll: number; limit: number }) => {
      const token = io.env.MUNICLOUD_TOKEN;
      if (!token) throw new FollowError('set MUNICLOUD_TOKEN to the receiving system’s API token');
      if (!/^https?:\/\//.test(opts.api)) throw new FollowError('--api must be an http(s) URL');
      const stop = new AbortController();
      const release = stopOnInterrupt(() => {
        io.progress('stopping after the page in hand (Ctrl-C again to quit at once)…');
        stop.abort();
      });
      try {
        const written = await follow(
          { api: opts.api, subscription: opts.subscription, token, out: opts.out, once: opts.once === true, pollMs: opts.poll, limit: opts.limit },
          {
            fetch: (url, init) => fetch(url, init),
            progress: io.progress,
            sleep: (ms, signal) =>
              new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, ms);
                signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
              }),
          },
          stop.signal,
        );
        io.progress(`done: ${written} events written to ${opts.out}`);
      } finally {
        release();
      }
    });

  linkage
    .command('daily-file')
    .description(
      "Download a subscription's file of one day (CSV, UTF-8; docs/linkage.md, Daily file), written only once complete and checked against the server's counts; or --list the days available (token in MUNICLOUD_TOKEN)",
    )
    .requiredOption('--api <url>', 'the API base URL, e.g. https://municloud.example.lg.jp')
    .requiredOption('--subscription <id>', 'the subscription (its consumer must be the token’s account)')
    .option('--day <YYYY-MM-DD>', 'the day (Japan time) whose file to download')
    .option('--out <file>', 'where to write it (default: the name the server suggests, in the current directory); replaced only by a complete file')
    .option('--list', 'list the days whose file is available instead, newest first: day, events, when it closed')
    .option('--limit <n>', 'with --list, how many days', positive('--limit', 3660), 31)
    .action(async (opts: { api: string; subscription: string; day?: string; out?: string; list?: boolean; limit: number }) => {
      const token = io.env.MUNICLOUD_TOKEN;
      if (!token) throw new FollowError('set MUNICLOUD_TOKEN to the receiving system’s API token');
      if (!/^https?:\/\//.test(opts.api)) throw new FollowError('--api must be an http(s) URL');
      if ((opts.day === undefined) === (opts.list !== true)) throw new FollowError('give either --day YYYY-MM-DD or --list');
      const client = { api: opts.api, subscription: opts.subscription, token };
      const clientIo = { fetch: (url: string, init: { headers: Record<string, string> }) => fetch(url, init), progress: io.progress };
      if (opts.list) {
        for (const d of await listDailyFiles({ ...client, limit: opts.limit }, clientIo)) io.out(`${d.day}\t${d.events}\t${d.closedAt}\n`);
        return;
      }
      const file = await downloadDailyFile({ ...client, day: opts.day!, ...(opts.out ? { out: opts.out } : {}) }, clientIo);
      io.progress(`done: ${file.events} events in ${file.rows} rows of ${opts.day} written to ${file.path}`);
    });
}
