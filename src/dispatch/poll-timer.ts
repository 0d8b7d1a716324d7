/**
 * When to ask IO for a message's outcome. IO moves a message from ACCEPTED to its final status
 * some time after the submit; a poll before that is a wasted call from the account's budget.
 * The first-poll delay adapts: it grows by a quarter each time a first poll finds the message
 * still ACCEPTED and shrinks by 0.5% each time it finds it final, which settles where about 98%
 * of messages need one poll (0.98·ln(1/0.995) ≈ 0.02·ln 1.25).
 */
export class PollTimer {
  private delay: number;
  private lastIncreaseAt = -Infinity;

  constructor(initialMs: number, private readonly minMs = 200, private readonly maxMs = 10 * 60_000) {
    this.delay = Math.min(maxMs, Math.max(minMs, initialMs));
  }

  firstDelayMs(): number {
    return Math.round(this.delay);
  }

  /**
   * Learn from a first poll: was the message already final? With `now`, the delay grows at most
   * once per tenth of itself: a burst of polls that all find IO slow (hundreds answered in the
   * same instant) is one piece of evidence, not hundreds; compounding them once sent the delay
   * from 1 s to 210 s (bench/dispatch.ts after the ceiling run).
   */
  observeFirstPoll(final: boolean, now?: number): void {
    if (!final && now !== undefined) {
      if (now - this.lastIncreaseAt < this.delay / 10) return;
      this.lastIncreaseAt = now;
    }
    this.delay = Math.min(this.maxMs, Math.max(this.minMs, this.delay * (final ? 0.995 : 1.25)));
  }

  /** Delay before poll number `polls + 1` once the first found the message still pending. */
  nextDelayMs(polls: number): number {
    return Math.min(60 * 60_000, Math.round(this.delay * 2 ** Math.max(0, polls)));
  }
}
