/**
 * Asking IO for the fate of one sent message (getMessage, FACTS.md §5): PROCESSED → delivered,
 * REJECTED → rejected, FAILED → failed; still ACCEPTED → ask again later. After
 * GENIO_POLL_MAX_AGE without a final answer GeNIO stops asking and says the outcome is unknown.
 */
import type { PollTarget } from '../store/outbox/claim.ts';
import { BudgetClosedError } from './budget.ts';
import { callIo } from './io-caller.ts';
import { backoffMs } from './retry-policy.ts';
import { notifyFor } from './notify.ts';
import type { DispatchContext } from './context.ts';

const FINAL: Record<string, { status: 'delivered' | 'rejected' | 'failed'; reason: string }> = {
  PROCESSED: { status: 'delivered', reason: "IO: PROCESSED, the message is in the citizen's inbox" },
  REJECTED: { status: 'rejected', reason: 'IO: REJECTED, the citizen is not on IO or has blocked the service' },
  FAILED: { status: 'failed', reason: 'IO: FAILED, IO could not process the message' },
};

export async function pollMessage(ctx: DispatchContext, m: PollTarget): Promise<void> {
  const entry = await ctx.directory.service(m.service_id);
  const client = m.sandbox ? ctx.sandboxIo : ctx.io;
  const now0 = ctx.clock();
  const again = async (dueAt: number) => {
    if (now0 - (m.sent_at ?? m.created_at) > ctx.config.pollMaxAgeMs) {
      const reason = `outcome unknown: IO gave no final status within ${Math.round(ctx.config.pollMaxAgeMs / 86_400_000)} days`;
      ctx.writer.record({ kind: 'poll_stop', id: m.id, reason, notify: entry && notifyFor(ctx, m, entry.service.code, { status: 'sent', reason, at: now0 }) });
    } else {
      ctx.writer.record({ kind: 'poll_again', id: m.id, dueAt });
    }
  };
  if (!entry || !client || !m.io_message_id) return again(now0 + ctx.pollTimer.nextDelayMs(m.polls + 1));
  try {
    const { verdict, result } = await callIo(ctx, m.io_account, entry, 'getMessage', (key) => client.getMessage(key, m.fiscal_code, m.io_message_id!));
    const now = ctx.clock();
    if (verdict.action === 'ok' && result.kind === 'response') {
      const status = String((result.body as { status?: unknown } | null)?.status ?? '');
      const final = FINAL[status];
      if (m.polls === 0) ctx.pollTimer.observeFirstPoll(!!final, now);
      if (final) {
        ctx.writer.record({ kind: 'final', id: m.id, status: final.status, reason: final.reason, polled: true, notify: notifyFor(ctx, m, entry.service.code, { status: final.status, reason: final.reason, at: now, ioMessageId: m.io_message_id }) });
        return;
      }
      return again(now + ctx.pollTimer.nextDelayMs(m.polls + 1));
    }
    if (verdict.action === 'rate_limited') return again(now + verdict.retryAfterMs);
    // 5xx, time-out, 404 right after the submit, a refused key: none of them changes the
    // message's fate; ask again with the same back-off as any transient IO error, until the maximum age.
    ctx.log.warn({ messageId: m.id, reason: 'reason' in verdict ? verdict.reason : verdict.action }, 'status poll failed; asking again later');
    return again(now + backoffMs(m.polls + 1, ctx.random, ctx.config.retryBaseMs, ctx.config.retryMaxDelayMs));
  } catch (err) {
    if (err instanceof BudgetClosedError) return again(ctx.clock());
    throw err;
  }
}
