/**
 * Lockout with backoff after repeated login failures (password or second
 * factor). Pure: how long an account stays locked after n consecutive failures.
 * Five tries are free; then 1, 2, 4 … minutes, at most an hour, so guessing is
 * slowed to a crawl while a person who mistyped waits little.
 */
export const FREE_ATTEMPTS = 5;
export const MAX_LOCK_SECONDS = 3600;

export function lockSecondsAfter(consecutiveFailures: number): number {
  if (consecutiveFailures < FREE_ATTEMPTS) return 0;
  return Math.min(60 * 2 ** (consecutiveFailures - FREE_ATTEMPTS), MAX_LOCK_SECONDS);
}
