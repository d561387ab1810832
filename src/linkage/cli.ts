/**
 * `municloud linkage …`: the event catalogue, and `follow`, a receiving
 * system's client that keeps a subscription's feed in a JSON Lines file
 * (follow.ts). It talks to the API like any receiving system, with the
 * system's API token from MUNICLOUD_TOKEN (never an argument: the process
 * list would show it).
 */
import type { Command } from 'commander';
import { EVENT_TYPES } from './catalogue.js';
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
  const linkage = program.command('linkage').description('Linkage: the event catalogue, and following a subscription’s feed (docs/linkage.md)');

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
      const onSignal = () => {
        io.progress('stopping after the page in hand…');
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
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
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
