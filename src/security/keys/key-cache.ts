/**
 * A small bounded cache with expiry for unwrapped keys. Unwrapping costs a KMS
 * round trip (an HSM call, a network call to a cloud KMS), so keys are kept
 * briefly; "briefly" and "few" bound how long and how many keys sit in memory,
 * and how long another process may go on using a key after it was shredded.
 * Least recently used entries go first when full.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive');
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
  }

  /** Drops every entry whose key starts with `prefix` (all of one municipality's keys). */
  deletePrefix(prefix: string): number {
    let n = 0;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
