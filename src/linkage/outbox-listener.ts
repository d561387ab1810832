/**
 * Wakes the linkage workers when a change commits, instead of their finding
 * it at the next poll: every write to an outbox announces the municipality on
 * the channel OUTBOX_CHANNEL, which PostgreSQL delivers at commit (never for
 * a transaction that rolls back). One listening connection per cell; if it
 * breaks, it is opened again, and the workers' polling covers the gap, so a
 * lost notification delays an event, never loses it.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Platform } from '../platform/http/server.js';
import { OUTBOX_CHANNEL } from '../resident-register/store.js';

export function listenToOutboxes(platform: Platform, log: Logger, onEvents: (municipalityCode: string) => void): { stop(): Promise<void> } {
  let stopped = false;
  const clients = new Set<pg.PoolClient>();
  const listen = async (cellId: string): Promise<void> => {
    if (stopped) return;
    let client: pg.PoolClient | undefined;
    try {
      client = await platform.cells.cellPool(cellId).connect();
      clients.add(client);
      client.on('notification', (n) => {
        if (n.channel === OUTBOX_CHANNEL && n.payload) onEvents(n.payload);
      });
      client.once('error', () => {
        // Released once only: by this handler when the connection breaks, or by stop() (which removes it first).
        if (!clients.delete(client!)) return;
        client!.release(true);
        if (!stopped) setTimeout(() => void listen(cellId), 1000).unref();
      });
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      if (client && clients.delete(client)) client.release(true);
      log.warn({ err: { name: (err as Error).name, code: (err as { code?: string }).code }, cell: cellId }, 'outbox listener not connected; retrying');
      setTimeout(() => void listen(cellId), 1000).unref();
    }
  };
  for (const cellId of platform.cells.cellIds()) void listen(cellId);
  return {
    async stop() {
      stopped = true;
      const listening = [...clients];
      clients.clear();
      for (const client of listening) {
        client.removeAllListeners('notification');
        // Not back to the pool: a connection that listened is closed rather than reused.
        client.release(true);
      }
    },
  };
}
