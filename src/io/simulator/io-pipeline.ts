/**
 * The path of a request to an IO endpoint, in APIM-then-backend order (FACTS.md §12):
 * route match (404 APIM) → subscription key (401 APIM) → per-account sliding rate limit (429 APIM,
 * not counted) → injected faults (500 / no answer) → the operation handler.
 */
import type { OperationRequest, SimCore } from './core.ts';
import { getMessage } from './get-message-handler.ts';
import { jsonBodyFor } from './http-io.ts';
import { meteringWindowMs, type ResolvedOptions } from './options.ts';
import { getProfile } from './profile-handler.ts';
import { type Reply, TEXT, apimError, problemInternal } from './responses.ts';
import { matchRoute } from './routes.ts';
import type { StatsCollector } from './stats.ts';
import { submitMessage } from './submit-handler.ts';
import type { IoOperation, RecordedRequest } from './types.ts';

export type Outcome = { kind: 'reply'; reply: Reply; headers?: Record<string, string> } | { kind: 'hold' };

export interface IoRequestInput {
  method: string | undefined;
  pathname: string;
  subscriptionKey: string | undefined;
  contentType: string | undefined;
  rawBody: Buffer;
  clientIp: string | undefined;
  /** Log entry to enrich with operation and account, when requests are recorded. */
  entry?: RecordedRequest;
}

const HANDLERS: Record<IoOperation, (core: SimCore, req: OperationRequest) => Reply> = { getProfile, submitMessage, getMessage };

export function processIoRequest(core: SimCore, stats: StatsCollector, input: IoRequestInput): Outcome {
  const route = matchRoute(input.method, input.pathname);
  stats.countCall(route?.operation);
  if (!route) return { kind: 'reply', reply: apimError(404, TEXT.notFound) };
  if (input.entry) input.entry.operation = route.operation;

  const { options } = core;
  const found = core.services.lookup(input.subscriptionKey, options.autoProvision);
  if (found.kind !== 'ok') return { kind: 'reply', reply: apimError(401, found.kind === 'missing' ? TEXT.missingKey : TEXT.invalidKey) };
  const { service } = found;
  if (input.entry) {
    input.entry.account = service.account;
    input.entry.serviceId = service.serviceId;
  }

  const meter = stats.account(service.account);
  meter.calls++;
  const now = performance.now();
  const admission = meter.window.admit(now, meteringWindowMs(options), options.rateLimit ? options.rateLimit.calls : null);
  if (!admission.allowed) {
    meter.rejected429++;
    const wait = String(admission.retryAfterSeconds);
    return { kind: 'reply', reply: apimError(429, `Rate limit is exceeded. Try again in ${wait} seconds.`, { 'retry-after': wait, 'x-rate-limit-retry-after': wait }) };
  }
  const headers = options.rateLimit ? { 'x-rate-limit-remaining': String(admission.remaining) } : undefined;

  const fault = drawFault(options);
  if (fault === 'timeout') return { kind: 'hold' };
  if (fault === 'error') return { kind: 'reply', reply: problemInternal('Simulated IO failure (errorRate)'), headers };

  const reply = HANDLERS[route.operation](core, {
    service,
    body: jsonBodyFor(input.contentType, input.rawBody),
    pathFiscalCode: route.pathFiscalCode,
    messageId: route.messageId,
    clientIp: input.clientIp,
    now,
  });
  return { kind: 'reply', reply, headers };
}

/** One draw decides both faults, and only when a fault is configured (keeps `random` sequences short). */
function drawFault(o: ResolvedOptions): 'timeout' | 'error' | undefined {
  if (o.timeoutRate <= 0 && o.errorRate <= 0) return undefined;
  const r = o.random();
  if (r < o.timeoutRate) return 'timeout';
  if (r < o.timeoutRate + o.errorRate) return 'error';
  return undefined;
}
