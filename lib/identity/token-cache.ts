import { createHash } from "node:crypto";

// A small, bounded, time-limited map for verified bearer tokens: what a successful check learned, kept under
// a hash of the token and the cluster it was checked for (the token itself is never a key), until the
// earlier of a fixed time to live and the token's own end of validity. Entries are evicted oldest first when
// the map is full. Only successes go in: the caller never stores a refusal. Pure apart from hashing; the
// clock is passed in.

export const TOKEN_CACHE_TTL_MS = 30_000;
export const TOKEN_CACHE_MAX_ENTRIES = 10_000;

/** The cache key of `token` checked for `cluster`: a SHA-256 of both (a cluster name never holds NUL). */
export function tokenCacheKey(token: string, cluster: string): string {
  return createHash("sha256").update(cluster).update("\0").update(token).digest("base64url");
}

/** A fingerprint of a credential's secret parts, so an entry can tell the key it was verified with. */
export function secretFingerprint(secret: string, sessionToken?: string): string {
  return createHash("sha256")
    .update(secret)
    .update("\0")
    .update(sessionToken ?? "")
    .digest("base64url");
}

export interface TokenCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
}

interface Entry<V> {
  value: V;
  at: number;
  until: number;
}

export class VerifiedTokenCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  readonly stats = { hits: 0, misses: 0, evictions: 0 };

  constructor(o: TokenCacheOptions = {}) {
    this.ttlMs = o.ttlMs ?? TOKEN_CACHE_TTL_MS;
    this.maxEntries = Math.max(1, o.maxEntries ?? TOKEN_CACHE_MAX_ENTRIES);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value kept under `key`, if it is still inside its window at `now` (a clock gone back drops it). */
  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    if (e && e.at <= now && now < e.until) {
      this.stats.hits++;
      return e.value;
    }
    if (e) this.entries.delete(key);
    this.stats.misses++;
    return undefined;
  }

  /**
   * Keeps `value` from `now` until the earlier of `now + ttl` and `notAfter` (epoch ms, exclusive): nothing is
   * kept when that is not in the future. A full map drops its oldest entries first.
   */
  set(key: string, value: V, now: number, notAfter = Number.POSITIVE_INFINITY): void {
    this.entries.delete(key);
    const until = Math.min(now + this.ttlMs, notAfter);
    if (!(until > now)) return;
    this.sweep(now);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.stats.evictions++;
    }
    this.entries.set(key, { value, at: now, until });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Drops expired entries at the old end of the map (insertion order), so dead entries do not pile up. */
  private sweep(now: number): void {
    for (const [k, e] of this.entries) {
      if (now < e.until && e.at <= now) return;
      this.entries.delete(k);
    }
  }
}
