/**
 * APIM `rate-limit-by-key` as IO configures it (FACTS.md §7): a SLIDING window per APIM account —
 * at no instant may the last `windowMs` hold more than `calls` counted calls. A rejected (429) call
 * is not counted. This is stricter than a token bucket, which could let ~2× the limit through a
 * window; a client that passes here passes at IO.
 *
 * Timestamps of counted calls live in a ring buffer (deque), so each call costs O(1) amortised and
 * the largest window population (`maxInAnyWindow`) is tracked incrementally: the busiest window can
 * always be taken to end at an arrival, and right after counting an arrival the deque holds exactly
 * the arrivals of the window ending there.
 */

export type Admission = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export class SlidingWindow {
  private buf = new Float64Array(256);
  private mask = 255;
  private head = 0;
  private size = 0;
  /** The most counted arrivals ever seen in one window. */
  maxInAnyWindow = 0;

  /**
   * Counts a call arriving at `now` (ms, monotonic) unless it would exceed `limit`.
   * `limit` null = unlimited: the call is always counted (the window still measures the load).
   */
  admit(now: number, windowMs: number, limit: number | null): Admission {
    this.evict(now - windowMs);
    if (limit !== null && this.size >= limit) {
      const waitMs = this.size > 0 ? this.buf[this.head] + windowMs - now : windowMs;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    this.push(now);
    if (this.size > this.maxInAnyWindow) this.maxInAnyWindow = this.size;
    return { allowed: true, remaining: limit === null ? Infinity : limit - this.size };
  }

  /** Calls currently inside the window ending at `now`. */
  count(now: number, windowMs: number): number {
    this.evict(now - windowMs);
    return this.size;
  }

  /** Arrivals at or before `cutoff` have left the window (window = (now - windowMs, now]). */
  private evict(cutoff: number): void {
    while (this.size > 0 && this.buf[this.head] <= cutoff) {
      this.head = (this.head + 1) & this.mask;
      this.size--;
    }
  }

  private push(t: number): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & this.mask] = t;
    this.size++;
  }

  private grow(): void {
    const next = new Float64Array(this.buf.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
