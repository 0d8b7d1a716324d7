/** The callback an ente's application receives when one of its messages changes status. */
import type { Message } from '../store/messages/accept.ts';
import type { Notify } from '../store/outbox/outcomes.ts';
import type { MessageStatus } from '../domain/statuses.ts';
import type { DispatchContext } from './context.ts';

export interface StatusChange {
  status: MessageStatus;
  reason: string | null;
  at: number;
  ioMessageId?: string | null;
}

export function callbackPayload(m: Pick<Message, 'id' | 'reference' | 'service_id'>, serviceCode: string, change: StatusChange): string {
  return JSON.stringify({
    type: 'message.status_changed',
    message: {
      id: m.id,
      service: serviceCode,
      reference: m.reference,
      status: change.status,
      reason: change.reason,
      io_message_id: change.ioMessageId ?? null,
      at: new Date(change.at).toISOString(),
    },
  });
}

/** A callback to record with the outcome, when the message's API key has a callback URL. */
export function notifyFor(ctx: DispatchContext, m: Message, serviceCode: string, change: StatusChange): Notify | undefined {
  if (!ctx.directory.callbackFor(m.api_key_id)) return undefined;
  return { apiKeyId: m.api_key_id!, payload: callbackPayload(m, serviceCode, change) };
}
