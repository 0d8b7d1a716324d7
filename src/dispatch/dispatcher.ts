/**
 * The delivery loop of one process. Each round, for every IO account: take as many messages as
 * the account can serve in about a second (so a message queued now never waits behind a long
 * backlog already taken), sharing the slots between enti (fairness.ts), then send or poll each
 * one concurrently. Outcomes go through the batch writer. Periodic jobs (lease recovery,
 * schedule promotion, callbacks) run beside it (jobs.ts).
 */
import { ulid } from 'ulid';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../store/db.ts';
import type { Schema } from '../store/schema.ts';
import type { IoClient } from '../io/client.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { claimRound } from '../store/outbox/claim.ts';
import { SANDBOX_ACCOUNT } from '../store/io-accounts.ts';
import { Budgets, type BudgetLimits } from './budget.ts';
import { SharedBudgetGate } from './shared-budget.ts';
import { Directory } from './directory.ts';
import { OutcomeWriter } from './outcome-writer.ts';
import { PollTimer } from './poll-timer.ts';
import { ProfileCache } from './profile-cache.ts';
import { fairQuota } from './fairness.ts';
import { sendMessage } from './send-message.ts';
import { pollMessage } from './poll-message.ts';
import type { DispatchContext } from './context.ts';

export interface DispatcherDeps {
  database: Database;
  config: Config;
  masterKey: Buffer;
  io: IoClient;
  sandboxIo: IoClient | null;
  metrics: Metrics;
  log: Logger;
  clock?: () => number;
  random?: () => number;
}

const BUSY_TICK_MS = 20;
/**
 * A round after a call ended: soon, so its slot is not left empty. The pipeline is latency-bound
 * (every message holds a slot for two round trips and a commit): 5 ms here cost ~15 % of SQLite's
 * dispatch rate, and a round is cheap when there is little to claim.
 */
const WAKE_TICK_MS = 1;
const IDLE_TICK_MS = 250;

export class Dispatcher {
  readonly owner = `w-${ulid()}`;
  readonly ctx: DispatchContext;
  private readonly inFlightByAccount = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly rotation = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  /** The round in progress, if any: stop() waits for it, since it may be claiming messages. */
  private round: Promise<void> | null = null;
  private ticking = false;
  private again = false;
  private stopped = true;

  constructor(deps: DispatcherDeps) {
    const clock = deps.clock ?? Date.now;
    const directory = new Directory(deps.database, deps.masterKey, 5000, clock);
    const limitsFor = (account: string): BudgetLimits | null => {
      const row = directory.ioAccounts().find((a) => a.name === account);
      if (row?.budget_calls && row.budget_window_ms) return { calls: row.budget_calls, windowMs: row.budget_window_ms };
      return deps.config.ioBudget;
    };
    const writer = new OutcomeWriter(deps.database, this.owner, deps.log, (applied, lost) => {
      for (const o of applied) {
        if (o.kind === 'sent') deps.metrics.transitions.inc({ status: 'sent' });
        else if (o.kind === 'final') deps.metrics.transitions.inc({ status: o.status });
        else if (o.kind === 'retry') {
          deps.metrics.transitions.inc({ status: 'queued' });
          if (o.suspect) deps.metrics.possibleDuplicates.inc();
        }
      }
      if (lost.length) {
        deps.metrics.leaseLost.inc(lost.length);
        deps.log.warn({ count: lost.length }, 'outcomes not recorded: another worker took these messages over');
      }
    }, undefined, clock);
    // On PostgreSQL several processes may send on one account: each call also takes a token of the
    // account's cluster-wide budget (shared-budget.ts). On SQLite one process runs: its budget is all.
    const gate = deps.database.dialect === 'postgres' ? new SharedBudgetGate(deps.database, deps.config.ioBudgetMarginMs, deps.log) : null;
    this.ctx = {
      database: deps.database,
      config: deps.config,
      io: deps.io,
      sandboxIo: deps.sandboxIo,
      directory,
      budgets: new Budgets(limitsFor, deps.config.ioBudgetMarginMs, clock, gate),
      writer,
      pollTimer: new PollTimer(deps.config.pollFirstDelayMs),
      profiles: new ProfileCache(deps.config.profileCacheMs),
      metrics: deps.metrics,
      log: deps.log,
      clock,
      random: deps.random ?? Math.random,
    };
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Something was queued, or a slot freed: look soon rather than at the next idle round. */
  wake(delayMs = 0): void {
    if (this.stopped) return;
    if (this.ticking) this.again = true;
    else this.schedule(delayMs);
  }

  /** Stops taking work, lets calls in flight finish and records their outcomes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ctx.budgets.close();
    // A round may be between its claim and its calls: they find the budgets closed and give
    // their messages back to the queue, instead of leaving them 'sending' until the lease ends.
    await this.round;
    while (this.running.size) await Promise.allSettled([...this.running]);
    await this.ctx.writer.drain();
    await this.ctx.budgets.drain(); // a 429 hold still being shared with the other processes
  }

  inFlight(): number {
    return this.running.size;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    const due = Date.now() + ms;
    if (this.timer && this.timerDue <= due) return; // a sooner round is already planned
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      const round = this.tick();
      this.round = round;
      void round.finally(() => {
        if (this.round === round) this.round = null;
      });
    }, ms);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    let claimed = 0;
    try {
      await this.ctx.directory.refresh();
      const accounts = new Set(this.ctx.directory.ioAccounts().map((a) => a.name));
      if (this.ctx.sandboxIo) accounts.add(SANDBOX_ACCOUNT);
      for (const account of accounts) {
        if (this.stopped) break;
        claimed += await this.fill(account);
      }
    } catch (err) {
      this.ctx.log.error({ err: (err as Error).message }, 'dispatch round failed');
    } finally {
      this.ticking = false;
      // Woken during the round (a call ended, a message came): its slot is refilled as soon as a
      // woken round would have been, not after a busy round's pause.
      const delay = this.again ? WAKE_TICK_MS : claimed > 0 ? BUSY_TICK_MS : IDLE_TICK_MS;
      this.again = false;
      this.schedule(delay);
    }
  }

  /** Most messages of one account in flight at once: about a second of its budget. */
  private maxInFlight(account: string): number {
    const limits = this.ctx.budgets.get(account).limits;
    if (!limits) return this.ctx.config.ioConcurrency;
    const perSecond = (limits.calls * 1000) / limits.windowMs;
    return Math.max(2, Math.min(this.ctx.config.ioConcurrency, Math.ceil(perSecond / 2)));
  }

  private async fill(account: string): Promise<number> {
    const { ctx } = this;
    const now = ctx.clock();
    if (ctx.budgets.get(account).heldAt(now)) return 0;
    const free = this.maxInFlight(account) - (this.inFlightByAccount.get(account) ?? 0);
    if (free <= 0) return 0;
    const { polls, sends } = await this.claim(account, free, now);
    for (const m of polls) this.run(account, () => pollMessage(ctx, m));
    for (const m of sends) this.run(account, () => sendMessage(ctx, m));
    return polls.length + sends.length;
  }

  /**
   * Takes the round's work on one account: polls take at most a third of the slots while messages
   * wait to be sent. On SQLite, in the outcome writer's next transaction: one connection runs
   * every statement in turn anyway, and a shared commit saves one (SQLite dispatch +6 %). On
   * PostgreSQL in a transaction of its own, on another connection, beside the writer's (sharing
   * made each wait for the other: 3 090 → 2 350 msg/s).
   */
  private claim(account: string, slots: number, now: number) {
    const { database, writer } = this.ctx;
    const inTransaction = <T>(run: (trx: Kysely<Schema>) => Promise<T>) => (database.dialect === 'sqlite' ? writer.transact(run) : database.db.transaction().execute(run));
    return inTransaction((trx) => claimRound(trx, {
      owner: this.owner, account, slots, pollShare: 1 / 3, now, leaseMs: this.ctx.config.leaseMs,
      share: (enti, free) => {
        const { quota, nextOffset } = fairQuota(enti, free, this.rotation.get(account) ?? 0);
        this.rotation.set(account, nextOffset);
        return quota;
      },
    }));
  }

  private run(account: string, work: () => Promise<void>): void {
    this.inFlightByAccount.set(account, (this.inFlightByAccount.get(account) ?? 0) + 1);
    this.ctx.metrics.inFlight.inc();
    const p: Promise<void> = work()
      .catch((err) => this.ctx.log.error({ err: (err as Error).message }, 'processing a message failed; its lease will return it to the queue'))
      .finally(() => {
        this.inFlightByAccount.set(account, (this.inFlightByAccount.get(account) ?? 1) - 1);
        this.ctx.metrics.inFlight.dec();
        this.running.delete(p);
        this.wake(WAKE_TICK_MS);
      });
    this.running.add(p);
  }
}
