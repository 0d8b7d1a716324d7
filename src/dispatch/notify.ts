/** The callback to record with an outcome, when the message's API key has a callback URL. */
import type { Message } from '../store/messages/accept.ts';
import type { Notify } from '../store/outbox/outcomes.ts';
import { callbackPayload, type StatusChange } from '../domain/callback-payload.ts';
import type { DispatchContext } from './context.ts';

export function notifyFor(ctx: DispatchContext, m: Pick<Message, 'id' | 'reference' | 'api_key_id'>, serviceCode: string, change: StatusChange): Notify | undefined {
  if (!ctx.directory.mayHaveCallback(m.api_key_id)) return undefined;
  return { apiKeyId: m.api_key_id!, payload: callbackPayload(m, serviceCode, change) };
}
