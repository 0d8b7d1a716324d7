/**
 * Counters read by tests and benchmarks: per status, per operation and per APIM account. The
 * account's sliding window doubles as rate limiter and as the `maxInAnyWindow` meter, so the
 * figure a benchmark reports is exactly what IO's limiter would have seen (FACTS.md §7).
 */
import { SlidingWindow } from './rate-limit.ts';
import type { IoOperation, SimulatorStats } from './types.ts';

export interface AccountMeter {
  calls: number;
  rejected429: number;
  window: SlidingWindow;
}

export class StatsCollector {
  calls = 0;
  private byOperation: Record<IoOperation, number> = { getProfile: 0, submitMessage: 0, getMessage: 0 };
  private byStatus = new Map<string, number>();
  private accounts = new Map<string, AccountMeter>();

  countCall(operation: IoOperation | undefined): void {
    this.calls++;
    if (operation) this.byOperation[operation]++;
  }

  /** `status` is an HTTP code, or `timeout` for calls deliberately left unanswered. */
  countStatus(status: number | 'timeout'): void {
    const key = String(status);
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
  }

  account(name: string): AccountMeter {
    let meter = this.accounts.get(name);
    if (!meter) {
      meter = { calls: 0, rejected429: 0, window: new SlidingWindow() };
      this.accounts.set(name, meter);
    }
    return meter;
  }

  snapshot(messages: number, duplicates: number): SimulatorStats {
    const perAccount: SimulatorStats['perAccount'] = {};
    for (const [name, m] of this.accounts) perAccount[name] = { calls: m.calls, maxInAnyWindow: m.window.maxInAnyWindow, rejected429: m.rejected429 };
    return {
      calls: this.calls,
      byOperation: { ...this.byOperation },
      byStatus: Object.fromEntries(this.byStatus),
      perAccount,
      messages,
      duplicates,
    };
  }

  clear(): void {
    this.calls = 0;
    this.byOperation = { getProfile: 0, submitMessage: 0, getMessage: 0 };
    this.byStatus = new Map();
    this.accounts = new Map();
  }
}
