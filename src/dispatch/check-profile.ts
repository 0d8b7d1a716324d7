/**
 * The API's profile check (POST /api/v1/profiles): one getProfile call through the same budget,
 * key failover and cache as the dispatcher. When the account is held by a 429 or its queue of
 * callers is long, it answers "unavailable" at once instead of keeping the client waiting.
 */
import type { ProfileCheckResult } from '../domain/profile.ts';
import type { Service } from '../store/services.ts';
import { SANDBOX_ACCOUNT } from '../store/io-accounts.ts';
import { callIo } from './io-caller.ts';
import type { DispatchContext } from './context.ts';

export async function checkProfile(ctx: DispatchContext, service: Service, fiscalCode: string, sandbox: boolean): Promise<ProfileCheckResult> {
  const now = ctx.clock();
  const key = { serviceId: service.id, fiscalCode, sandbox };
  const cached = ctx.profiles.get(key, now);
  if (cached !== undefined) return { kind: 'answer', senderAllowed: cached === 1, onIo: cached !== -1 };
  const account = sandbox ? SANDBOX_ACCOUNT : service.io_account;
  const client = sandbox ? ctx.sandboxIo : ctx.io;
  if (!client) return { kind: 'failed', reason: 'sandbox keys are disabled on this GeNIO' };
  if (ctx.budgets.get(account).heldAt(now) || ctx.budgets.waiting(account) > 50) {
    return { kind: 'unavailable', reason: 'the IO account is at its rate limit; try again in a few seconds' };
  }
  const entry = await ctx.directory.service(service.id);
  if (!entry) return { kind: 'failed', reason: 'unknown service' };
  const { verdict, result } = await callIo(ctx, account, entry, 'getProfile', (key) => client.getProfile(key, fiscalCode));
  let answer: 1 | 0 | -1;
  if (verdict.action === 'ok' && result.kind === 'response') answer = (result.body as { sender_allowed?: unknown })?.sender_allowed === true ? 1 : 0;
  else if (verdict.action === 'reject' && result.kind === 'response' && result.status === 404) answer = -1;
  else if (verdict.action === 'rate_limited' || verdict.action === 'retry') return { kind: 'unavailable', reason: `IO did not answer: ${'reason' in verdict ? verdict.reason : 'rate limited'}` };
  else return { kind: 'failed', reason: 'reason' in verdict ? verdict.reason : 'unexpected IO answer' };
  ctx.profiles.set(key, answer, ctx.clock());
  return { kind: 'answer', senderAllowed: answer === 1, onIo: answer !== -1 };
}
