/**
 * The linkage work a server process does in the background: webhook
 * deliveries, move-in notices and the platform's own operations fed by
 * linkage (National Health Insurance's membership), a pass every half second
 * (sooner when a pass had work). Every process may run it: each unit of work
 * is locked or idempotent (webhooks.ts, moves.ts,
 * operations/national-health-insurance/consumer.ts).
 */
import type { Logger } from 'pino';
import { applyNhiEvents } from '../operations/national-health-insurance/consumer.js';
import type { Platform } from '../platform/http/server.js';
import { sendMoveInNotices } from './moves.js';
import { listenToOutboxes } from './outbox-listener.js';
import { deliverDueWebhooks, type WebhookOptions } from './webhooks.js';

/**
 * Runs `pass` again and again until stopped: at once after a pass that had
 * work (it returns true), else after `idleMs`. A pass that throws is logged
 * by name (the error's name and code only) and the loop goes on.
 */
export function runInBackground(log: Logger, what: string, pass: () => Promise<boolean>, idleMs = 500, onStop?: () => Promise<void>): BackgroundLoop {
  let stopped = false;
  let wake: (() => void) | null = null;
  // A wake-up during a pass makes the next one start at once (the pass may have read before the news).
  let woken = false;
  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        busy = await pass();
      } catch (err) {
        log.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code } }, `${what} failed`);
      }
      if (stopped) break;
      if (woken || busy) {
        woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, idleMs);
      });
      wake = null;
      woken = false;
    }
  })();
  return {
    wake() {
      woken = true;
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
  /** Starts the next pass now (new work arrived). */
  wake(): void;
  stop(): Promise<void>;
}

export function startLinkageWorker(platform: Platform, log: Logger, options: WebhookOptions & { idleMs?: number } = {}): BackgroundLoop {
  const loop = runInBackground(
    log,
    'linkage pass',
    async () => {
      const webhooks = await deliverDueWebhooks(platform, options);
      const notices = await sendMoveInNotices(platform);
      const nhi = await applyNhiEvents(platform);
      return webhooks.delivered + webhooks.deadLettered + notices.noticed + nhi.applied > 0;
    },
    options.idleMs,
    async () => listener.stop(),
  );
  // A commit with events starts the next pass at once; the polling stays for what a notification missed.
  const listener = listenToOutboxes(platform, log, () => loop.wake());
  return loop;
}
