/**
 * Delivering callbacks: each status change recorded for a key with a callback URL is POSTed
 * there, signed, and retried with back-off until the ente's server answers 2xx. It runs on its own
 * loop and concurrency: a slow callback server never slows dispatch.
 *
 * Signature (also in the README): header `GeNIO-Signature: t=<unix seconds>,v1=<hex>` where hex is
 * HMAC-SHA256(secret, `${t}.${body}`). The receiver recomputes it and rejects old timestamps.
 */
import crypto from 'node:crypto';
import { request } from 'undici';
import type { Database } from '../store/db.ts';
import { claimCallbacks, markCallbackDelivered, retryCallback, type Callback } from '../store/callbacks.ts';
import type { Directory } from './directory.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { backoffMs } from './retry-policy.ts';

export const CALLBACK_MAX_ATTEMPTS = 15;

export function signCallback(secret: string, body: string, unixSeconds: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export interface CallbackDeps {
  database: Database;
  directory: Directory;
  log: Logger;
  metrics: Metrics;
  clock: () => number;
  random: () => number;
  timeoutMs: number;
  concurrency?: number;
}

async function deliverOne(deps: CallbackDeps, cb: Callback): Promise<void> {
  const target = await deps.directory.callbackFor(cb.api_key_id);
  const attempts = cb.attempts + 1;
  const giveUpOr = (delayMs: number) => (attempts >= CALLBACK_MAX_ATTEMPTS ? null : deps.clock() + delayMs);
  if (!target) {
    await retryCallback(deps.database, cb.id, attempts, null, 'the API key no longer has a callback URL');
    return;
  }
  let error: string;
  try {
    const t = Math.floor(deps.clock() / 1000);
    const res = await request(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'genio-signature': signCallback(target.secret, cb.payload, t), 'genio-delivery': String(cb.id) },
      body: cb.payload,
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    await res.body.dump();
    if (res.statusCode >= 200 && res.statusCode < 300) {
      await markCallbackDelivered(deps.database, cb.id);
      deps.metrics.callbacks.inc({ result: 'delivered' });
      return;
    }
    error = `callback URL answered ${res.statusCode}`;
  } catch (err) {
    error = `callback failed: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`;
  }
  const dueAt = giveUpOr(backoffMs(attempts, deps.random, 1000, 3_600_000));
  deps.metrics.callbacks.inc({ result: dueAt === null ? 'failed' : 'retry' });
  deps.log.warn({ callbackId: cb.id, attempts, error }, dueAt === null ? 'callback given up' : 'callback will be retried');
  await retryCallback(deps.database, cb.id, attempts, dueAt, error);
}

/** One round: claims due callbacks and delivers them; returns how many it handled. */
export async function deliverCallbacks(deps: CallbackDeps): Promise<number> {
  const batch = await claimCallbacks(deps.database, deps.concurrency ?? 16, deps.clock(), deps.timeoutMs * 2);
  if (!batch.length) return 0;
  await deps.directory.refresh();
  await Promise.all(batch.map((cb) => deliverOne(deps, cb)));
  return batch.length;
}
