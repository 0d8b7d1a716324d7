/**
 * Sending one claimed message: profile check (unless the service turned it off, or a recent
 * answer is cached), then submit. Each step's result becomes an outcome for the batch writer.
 */
import type { SendTarget } from '../store/outbox/claim.ts';
import type { Outcome } from '../store/outbox/outcomes.ts';
import type { NewMessage } from '../io/client.ts';
import type { Verdict } from '../io/classify.ts';
import { toIoTimestamp } from '../domain/due-date.ts';
import type { ProfileAnswer } from './profile-cache.ts';
import { BudgetClosedError } from './budget.ts';
import { callIo } from './io-caller.ts';
import { decideRetry } from './retry-policy.ts';
import { notifyFor } from './notify.ts';
import type { DispatchContext } from './context.ts';
import type { ServiceEntry } from './directory.ts';

/** The NewMessage body for IO (FACTS.md §3): only the fields GeNIO fills. */
export function buildNewMessage(m: SendTarget): NewMessage {
  const content: NewMessage['content'] = { subject: m.subject, markdown: m.markdown };
  if (m.due_date !== null) content.due_date = toIoTimestamp(new Date(m.due_date));
  if (m.amount !== null && m.notice_number !== null) {
    content.payment_data = { amount: m.amount, notice_number: m.notice_number, invalid_after_due_date: m.invalid_after_due_date === 1 };
    if (m.payee_fiscal_code) content.payment_data.payee = { fiscal_code: m.payee_fiscal_code };
  }
  return { fiscal_code: m.fiscal_code, content };
}

const profileKeyOf = (m: SendTarget) => ({ serviceId: m.service_id, fiscalCode: m.fiscal_code, sandbox: m.sandbox === 1 });

const REJECT_REASONS: Record<Exclude<ProfileAnswer, 1>, string> = {
  0: 'the citizen has blocked messages from this service on IO',
  [-1]: 'the citizen is not on IO, or has turned their IO inbox off',
};

export async function sendMessage(ctx: DispatchContext, m: SendTarget): Promise<void> {
  const entry = await ctx.directory.service(m.service_id);
  const client = m.sandbox ? ctx.sandboxIo : ctx.io;
  if (!entry || !client) {
    await finalOutcome(ctx, m, entry, 'failed', !entry ? 'the service no longer exists' : 'sandbox keys are disabled on this GeNIO (GENIO_SANDBOX=off)');
    return;
  }
  try {
    if (entry.service.profile_check) {
      const answer = ctx.profiles.get(profileKeyOf(m), ctx.clock()) ?? (await profileAnswer(ctx, m, entry, client));
      if (answer === 'stop') return;
      if (answer !== 1) {
        await finalOutcome(ctx, m, entry, 'rejected', REJECT_REASONS[answer]);
        return;
      }
    }
    // Committed before the call: should this process die after it, the resend is marked as a
    // possible duplicate.
    if (!(await ctx.writer.push({ kind: 'submitting', id: m.id }))) return; // lease lost
    const { verdict, result, keyName } = await callIo(ctx, m.io_account, entry, 'submitMessage', (key) => client.submitMessage(key, buildNewMessage(m)));
    if (verdict.action === 'ok' && result.kind === 'response') {
      const ioId = (result.body as { id?: unknown } | null)?.id;
      if (typeof ioId !== 'string' || !ioId) {
        await finalOutcome(ctx, m, entry, 'failed', `IO answered ${result.status} without a message id`);
        return;
      }
      const now = ctx.clock();
      ctx.metrics.acceptLatency.observe((now - Math.max(m.created_at, m.scheduled_at ?? 0)) / 1000);
      ctx.writer.record({
        kind: 'sent',
        id: m.id,
        ioMessageId: ioId,
        keyUsed: keyName,
        pollAt: now + ctx.pollTimer.firstDelayMs(),
        notify: notifyFor(ctx, m, entry.service.code, { status: 'sent', reason: null, at: now, ioMessageId: ioId }),
      });
      return;
    }
    // A time-out after the request left: IO may have stored it. Sending again may duplicate it;
    // IO has no idempotency (FACTS.md §3), so the retry is marked and counted.
    await failureOutcome(ctx, m, entry, verdict, result.kind === 'timeout');
  } catch (err) {
    if (err instanceof BudgetClosedError) {
      ctx.writer.record({ kind: 'retry', id: m.id, dueAt: ctx.clock(), reason: 'process stopping before the IO call: queued again', countAttempt: false, suspect: false });
      return;
    }
    throw err;
  }
}

/** Asks IO (the cache had no answer): 1 / 0 / -1, or 'stop' when the message already has its outcome. */
async function profileAnswer(ctx: DispatchContext, m: SendTarget, entry: ServiceEntry, client: NonNullable<DispatchContext['sandboxIo']>): Promise<ProfileAnswer | 'stop'> {
  const { verdict, result } = await callIo(ctx, m.io_account, entry, 'getProfile', (key) => client.getProfile(key, m.fiscal_code));
  let answer: ProfileAnswer;
  if (verdict.action === 'ok' && result.kind === 'response') {
    answer = (result.body as { sender_allowed?: unknown } | null)?.sender_allowed === true ? 1 : 0;
  } else if (verdict.action === 'reject' && result.kind === 'response' && result.status === 404) {
    answer = -1;
  } else {
    await failureOutcome(ctx, m, entry, verdict, false);
    return 'stop';
  }
  ctx.profiles.set(profileKeyOf(m), answer, ctx.clock());
  return answer;
}

async function finalOutcome(ctx: DispatchContext, m: SendTarget, entry: ServiceEntry | undefined, status: 'failed' | 'rejected', reason: string): Promise<void> {
  const now = ctx.clock();
  const notify = entry ? notifyFor(ctx, m, entry.service.code, { status, reason, at: now }) : undefined;
  ctx.writer.record({ kind: 'final', id: m.id, status, reason, polled: false, notify });
}

async function failureOutcome(ctx: DispatchContext, m: SendTarget, entry: ServiceEntry, verdict: Verdict, suspect: boolean): Promise<void> {
  const now = ctx.clock();
  let outcome: Outcome;
  switch (verdict.action) {
    case 'rate_limited':
      outcome = { kind: 'retry', id: m.id, dueAt: now + verdict.retryAfterMs, reason: `IO rate limit (429): the account waits ${Math.ceil(verdict.retryAfterMs / 1000)} s`, countAttempt: false, suspect: false };
      break;
    case 'retry': {
      const d = decideRetry({ attempts: m.attempts, createdAt: m.created_at, now, reason: verdict.reason, countsAsAttempt: true }, { maxAttempts: ctx.config.retryMaxAttempts, maxAgeMs: ctx.config.retryMaxAgeMs, baseMs: ctx.config.retryBaseMs, capMs: ctx.config.retryMaxDelayMs }, ctx.random);
      if (!d.retry) return finalOutcome(ctx, m, entry, 'failed', d.reason);
      outcome = { kind: 'retry', id: m.id, dueAt: now + d.delayMs, reason: verdict.reason, countAttempt: true, suspect };
      break;
    }
    case 'reject':
      return finalOutcome(ctx, m, entry, 'rejected', verdict.reason);
    case 'fail':
    case 'key_refused':
      return finalOutcome(ctx, m, entry, 'failed', verdict.reason);
    case 'ok':
      return finalOutcome(ctx, m, entry, 'failed', 'unexpected IO answer');
  }
  ctx.writer.record(outcome);
}
