/**
 * What a webhook delivery's outcome means, and when to try again. Pure.
 *
 * Retried: timeouts, network errors, 408, 425, 429 and 5xx (the receiver is
 * down or busy), with exponential back-off (1 s doubling to 1 h, ±20% jitter)
 * for about a day, so a receiver down for a day loses nothing. Any other 4xx
 * is the receiver refusing this event (a poison event): a few more tries, then
 * the event is set aside as a dead letter for an admin to inspect and replay,
 * and the others go on. A 3xx is not followed (the URL was declared).
 */
export type DeliveryOutcome = { readonly status: number } | { readonly error: 'timeout' | 'network' | 'zone_refused' };

export type Verdict = 'delivered' | 'retry' | 'refused';

export interface DeliveryPolicy {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts before an event that keeps failing becomes a dead letter (about 25 hours with the defaults). */
  readonly maxAttempts: number;
  /** Attempts before an event the receiver refuses (4xx) becomes a dead letter. */
  readonly maxRefusedAttempts: number;
  /** How long to wait for an answer. */
  readonly timeoutMs: number;
}

export const DEFAULT_POLICY: DeliveryPolicy = { firstDelayMs: 1000, maxDelayMs: 3_600_000, maxAttempts: 36, maxRefusedAttempts: 3, timeoutMs: 10_000 };

export function verdictOf(outcome: DeliveryOutcome): Verdict {
  if ('error' in outcome) return 'retry';
  const { status } = outcome;
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  return 'refused';
}

/** After `attempts` failed attempts (1 or more): wait this long, or give up (null: dead letter). */
export function nextDelayMs(verdict: Exclude<Verdict, 'delivered'>, attempts: number, policy: DeliveryPolicy, random: () => number): number | null {
  if (attempts >= (verdict === 'refused' ? policy.maxRefusedAttempts : policy.maxAttempts)) return null;
  const base = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(attempts - 1, 40));
  // Jitter keeps many subscriptions that failed together from retrying in step.
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** A short, personal-data-free description of an outcome, kept with the delivery state. */
export function describeOutcome(outcome: DeliveryOutcome): string {
  return 'error' in outcome ? outcome.error : `HTTP ${outcome.status}`;
}
