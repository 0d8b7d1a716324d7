/**
 * Prometheus metrics of one GeNIO process. Each app instance has its own registry (tests run
 * several in one process). Gauges that describe the database (messages by status) are read at
 * scrape time by the API, not kept here.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface BudgetReading {
  account: string;
  used: number;
  limit: number;
  waiting: number;
}

export function createMetrics(opts: { defaults?: boolean } = {}) {
  const registry = new Registry();
  /** Set by the server: reads the dispatcher's budgets when Prometheus scrapes. */
  const budgetSource: { read: (() => BudgetReading[]) | null } = { read: null };
  const readBudgets = () => budgetSource.read?.() ?? [];
  if (opts.defaults) collectDefaultMetrics({ register: registry, prefix: 'genio_process_' });
  const metrics = {
    registry,
    ioCalls: new Counter({ name: 'genio_io_calls_total', help: 'IO calls by operation and result (HTTP status, timeout, network)', labelNames: ['operation', 'result', 'account'], registers: [registry] }),
    ioLatency: new Histogram({ name: 'genio_io_call_duration_seconds', help: 'IO call latency', labelNames: ['operation'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    transitions: new Counter({ name: 'genio_message_transitions_total', help: 'Status changes recorded by the dispatcher', labelNames: ['status'], registers: [registry] }),
    acceptLatency: new Histogram({ name: 'genio_accept_to_submit_seconds', help: 'From accept (or scheduled time) to IO submit', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers: [registry] }),
    possibleDuplicates: new Counter({ name: 'genio_possible_duplicates_total', help: 'Messages sent again after a worker died while their submit was in flight (IO may hold two)', registers: [registry] }),
    leaseLost: new Counter({ name: 'genio_lease_lost_total', help: 'Outcomes not recorded because another worker had taken the message over', registers: [registry] }),
    budgetSource,
    budgetUsed: new Gauge({ name: 'genio_io_budget_used', help: 'IO calls started in the current budget window', labelNames: ['account'], registers: [registry], collect() {
      for (const b of readBudgets()) this.set({ account: b.account }, b.used);
    } }),
    budgetLimit: new Gauge({ name: 'genio_io_budget_limit', help: 'IO calls allowed per budget window (0: no limit)', labelNames: ['account'], registers: [registry], collect() {
      for (const b of readBudgets()) this.set({ account: b.account }, b.limit);
    } }),
    budgetWaiting: new Gauge({ name: 'genio_io_budget_waiting', help: 'Calls waiting for budget', labelNames: ['account'], registers: [registry], collect() {
      for (const b of readBudgets()) this.set({ account: b.account }, b.waiting);
    } }),
    keySwitches: new Counter({ name: 'genio_io_key_switches_total', help: 'Services switched to their secondary key after IO refused the primary', registers: [registry] }),
    callbacks: new Counter({ name: 'genio_callbacks_total', help: 'Callback deliveries by result', labelNames: ['result'], registers: [registry] }),
    inFlight: new Gauge({ name: 'genio_dispatch_in_flight', help: 'Messages being processed by this process', registers: [registry] }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
