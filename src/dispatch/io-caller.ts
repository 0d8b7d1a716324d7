/**
 * One IO call on behalf of a message: wait for the account's budget, use the service's current
 * key, record metrics, classify the answer. A 429 holds the whole account; a refused primary key
 * switches the service to its secondary key and the call is made again; a refused secondary key
 * flags the service and fails the message.
 */
import { performance } from 'node:perf_hooks';
import type { IoCallResult, IoOperation, Verdict } from '../io/classify.ts';
import { classifyIoResult } from '../io/classify.ts';
import type { DispatchContext } from './context.ts';
import type { ServiceEntry } from './directory.ts';

export interface IoCallOutcome {
  verdict: Verdict;
  result: IoCallResult;
  keyName: 'primary' | 'secondary';
}

export async function callIo(
  ctx: DispatchContext,
  account: string,
  entry: ServiceEntry,
  operation: IoOperation,
  call: (key: string) => Promise<IoCallResult>,
): Promise<IoCallOutcome> {
  for (;;) {
    await ctx.budgets.acquire(account);
    const keyName = entry.service.key_in_use;
    const started = performance.now();
    const result = await call(entry.keys[keyName]);
    ctx.metrics.ioLatency.observe({ operation }, (performance.now() - started) / 1000);
    ctx.metrics.ioCalls.inc({ operation, account, result: result.kind === 'response' ? String(result.status) : result.kind });
    const verdict = classifyIoResult(operation, result);
    if (verdict.action === 'rate_limited') ctx.budgets.hold(account, ctx.clock() + verdict.retryAfterMs);
    if (verdict.action !== 'key_refused') return { verdict, result, keyName };

    const service = entry.service;
    if (keyName === 'primary') {
      // Another message may have switched it meanwhile; switching again is harmless.
      ctx.log.warn({ service: service.code, serviceId: service.id, reason: verdict.reason }, 'IO refused the primary key: switching to the secondary key');
      ctx.metrics.keySwitches.inc();
      await ctx.directory.useSecondaryKey(service.id, `primary key refused: ${verdict.reason}`);
      entry = (await ctx.directory.service(service.id)) ?? entry;
      continue;
    }
    ctx.log.error({ service: service.code, serviceId: service.id, reason: verdict.reason }, 'IO refused both keys of the service');
    await ctx.directory.flag(service.id, `both IO keys refused: ${verdict.reason}`);
    return { verdict: { action: 'fail', reason: `IO refused both keys of the service: ${verdict.reason}` }, result, keyName };
  }
}
