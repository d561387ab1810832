/**
 * The linkage work a server process does in the background: webhook
 * deliveries and move-in notices, a pass every half second (sooner when a
 * pass had work). Every process may run it: each unit of work is locked or
 * idempotent (webhooks.ts, moves.ts).
 */
import type { Logger } from 'pino';
import type { Platform } from '../platform/http/server.js';
import { sendMoveInNotices } from './moves.js';
import { deliverDueWebhooks, type WebhookOptions } from './webhooks.js';

export function startLinkageWorker(platform: Platform, log: Logger, options: WebhookOptions & { idleMs?: number } = {}): { stop(): Promise<void> } {
  let stopped = false;
  let wake: (() => void) | null = null;
  const errorOf = (err: unknown) => ({ name: (err as Error).name, code: (err as { code?: string }).code });
  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        const report = await deliverDueWebhooks(platform, options);
        busy = report.delivered + report.deadLettered > 0;
      } catch (err) {
        log.error({ err: errorOf(err) }, 'webhook pass failed');
      }
      try {
        busy = (await sendMoveInNotices(platform)).noticed > 0 || busy;
      } catch (err) {
        log.error({ err: errorOf(err) }, 'move-in notice pass failed');
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, busy ? 0 : (options.idleMs ?? 500));
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
