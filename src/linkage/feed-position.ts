/**
 * A position in a municipality's event feed: the writing transaction's id and
 * the outbox row's seq (migration cell 0009 explains the order). As text it
 * is the cursor a subscriber keeps, `<txid>.<seq>`: plain numbers, so a
 * cursor stays valid for as long as the events are kept, whatever secrets
 * rotate meanwhile, and says nothing about anyone. Pure.
 */
export interface FeedPosition {
  /** xid8 as decimal text (64-bit, beyond a JavaScript number). */
  readonly txid: string;
  readonly seq: string;
}

/** Before every event. */
export const FEED_START: FeedPosition = { txid: '0', seq: '0' };

const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const MAX = 2n ** 63n - 1n;

export function formatPosition(p: FeedPosition): string {
  return `${p.txid}.${p.seq}`;
}

/** The position a cursor names, or null when it names none. */
export function parsePosition(cursor: string): FeedPosition | null {
  const [txid, seq, extra] = cursor.split('.');
  if (txid === undefined || seq === undefined || extra !== undefined) return null;
  if (!DECIMAL.test(txid) || !DECIMAL.test(seq)) return null;
  if (BigInt(txid) > MAX || BigInt(seq) > MAX) return null;
  return { txid, seq };
}
