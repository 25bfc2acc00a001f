/**
 * Answers of another service kept for a short time, as promises so that concurrent requests for
 * the same key share one call. A failed call is not kept: the next request asks again. Past
 * `maxEntries` (requests for random keys) the cache starts over.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { expires: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000,
  ) {}

  get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    let entry = this.entries.get(key);
    if (!entry || entry.expires <= now) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      entry = { expires: now + this.ttlMs, value: load() };
      this.entries.set(key, entry);
      const stored = entry;
      stored.value.catch(() => this.entries.get(key) === stored && this.entries.delete(key));
    }
    return entry.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
