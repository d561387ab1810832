/**
 * The linkage work a server process does in the background: webhook
 * deliveries, move-in notices and the platform's own operations fed by
 * linkage (operations/fed-operations.ts): a pass for a municipality
 * as soon as its outbox announces a commit, and over all of them every few
 * seconds (pass-scope.ts). Every process may run it: each unit of work
 * is locked or idempotent (webhooks.ts, moves.ts,
 * operations/fed-by-linkage.ts).
 */
import type { Logger } from 'pino';
import { applyFedEvents } from '../operations/fed-by-linkage.js';
import { FED_OPERATIONS } from '../operations/fed-operations.js';
import { ageOutNhiMembers } from '../operations/national-health-insurance/ageing.js';
import type { Platform } from '../platform/http/server.js';
import { recordDayBoundaries } from './daily-files.js';
import { sendMoveInNotices } from './moves.js';
import { listenToOutboxes } from './outbox-listener.js';
import { deliverDueWebhooks, type WebhookOptions } from './webhooks.js';
import type { PassScope } from './pass-scope.js';

/**
 * Runs `pass` again and again until stopped: at once when woken (for the
 * municipalities named) or after a pass that had work (for all), else a full
 * sweep every `sweepMs`. A pass that throws is logged by name (the error's
 * name and code only) and the loop goes on.
 */
export function runInBackground(
  log: Logger,
  what: string,
  pass: (scope: PassScope) => Promise<boolean>,
  options: { idleMs?: number; sweepMs?: number } = {},
  onStop?: () => Promise<void>,
): BackgroundLoop {
  const idleMs = options.idleMs ?? 500;
  const sweepMs = options.sweepMs ?? 5000;
  let stopped = false;
  let wake: (() => void) | null = null;
  // News that arrives during a pass makes the next one start at once (the pass may have read before it).
  let woken = new Set<string>();
  let sweepDue = true;
  let lastSweep = 0;
  const loop = (async () => {
    while (!stopped) {
      const sweep = sweepDue || performance.now() - lastSweep >= sweepMs;
      const scope: PassScope = sweep ? 'all' : woken;
      woken = new Set();
      sweepDue = false;
      if (sweep) lastSweep = performance.now();
      let busy = false;
      if (scope === 'all' || scope.size > 0) {
        try {
          busy = await pass(scope);
        } catch (err) {
          log.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code } }, `${what} failed`);
        }
      }
      if (stopped) break;
      if (busy) sweepDue = true;
      if (busy || woken.size > 0) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, idleMs);
      });
      wake = null;
    }
  })();
  return {
    wake(municipalityCode?: string) {
      if (municipalityCode) woken.add(municipalityCode);
      else sweepDue = true;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await onStop?.();
    },
  };
}

export interface BackgroundLoop {
  /** Starts the next pass now: for this municipality (its outbox has news), or for all. */
  wake(municipalityCode?: string): void;
  stop(): Promise<void>;
}

export function startLinkageWorker(platform: Platform, log: Logger, options: WebhookOptions & { idleMs?: number } = {}): BackgroundLoop {
  const loop = runInBackground(
    log,
    'linkage pass',
    async (scope) => {
      const webhooks = await deliverDueWebhooks(platform, { ...options, scope });
      const notices = await sendMoveInNotices(platform, { scope });
      let applied = 0;
      for (const op of FED_OPERATIONS) applied += (await applyFedEvents(platform, op, { scope })).applied;
      // Turning 75 is no event: the first pass of each day in Japan closes those memberships (a query per municipality a day).
      await ageOutNhiMembers(platform, { scope });
      await recordDayBoundaries(platform, { scope, now: options.now });
      return webhooks.delivered + webhooks.deadLettered + notices.noticed + applied > 0;
    },
    { idleMs: options.idleMs },
    async () => listener.stop(),
  );
  // A commit with events starts the next pass at once for its municipality; sweeps cover what a notification missed.
  const listener = listenToOutboxes(platform, log, (code) => loop.wake(code));
  return loop;
}
