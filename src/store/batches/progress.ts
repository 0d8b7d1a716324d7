/**
 * How far a batch has got: its messages by status, the share gone to IO or settled, and when it
 * should finish at the pace of its IO account's budget. The API's batch and the web UI's
 * progress page both show this.
 */
import type { Kysely } from 'kysely';
import { FINAL_STATUSES, type MessageStatus } from '../../domain/statuses.ts';
import type { Schema } from '../schema.ts';
import type { Service } from '../services.ts';
import type { Batch } from './create.ts';
import { batchMessageCounts } from './read.ts';

/** Gone to IO or settled: what counts as progress. */
const PAST_SENDING = new Set<string>([...FINAL_STATUSES, 'sent']);

export interface BatchProgress {
  /** The batch's messages by status (rows not fed into the queue yet have none). */
  messages: Partial<Record<MessageStatus, number>>;
  /** Messages gone to IO or settled. */
  settled: number;
  /** settled / valid rows, 0…1. */
  progress: number;
  /** Epoch ms, or null when the batch is not on its way (or the account has no budget). */
  estimatedFinishAt: number | null;
}

export type BudgetOf = (account: string) => { calls: number; windowMs: number } | null;

export async function batchProgress(
  db: Kysely<Schema>,
  batch: Batch,
  service: Pick<Service, 'io_account' | 'profile_check'>,
  budgetOf: BudgetOf,
  now: number,
): Promise<BatchProgress> {
  const messages = batch.fed_row > 0 ? await batchMessageCounts(db, batch.id) : {};
  const settled = Object.entries(messages).reduce((n, [status, count]) => n + (PAST_SENDING.has(status) ? count : 0), 0);
  const progress = batch.valid_rows ? Math.min(1, settled / batch.valid_rows) : 0;
  return { messages, settled, progress, estimatedFinishAt: estimateFinish(batch, service, budgetOf, settled, now) };
}

/**
 * Each message spends a profile check (if the service has it on), a submit and a status poll of
 * the account's budget. An estimate as if the batch had the account to itself: other enti on the
 * same account make it later.
 */
function estimateFinish(batch: Batch, service: Pick<Service, 'io_account' | 'profile_check'>, budgetOf: BudgetOf, settled: number, now: number): number | null {
  if (!['ready', 'queued', 'scheduled', 'sending'].includes(batch.status)) return null;
  const budget = budgetOf(service.io_account);
  if (!budget) return null;
  const remaining = Math.max(0, batch.valid_rows - settled);
  const calls = remaining * (service.profile_check ? 3 : 2);
  const start = batch.status === 'scheduled' && batch.scheduled_at ? Math.max(now, batch.scheduled_at) : now;
  return start + Math.ceil((calls * budget.windowMs) / budget.calls);
}
