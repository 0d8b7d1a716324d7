/** The JSON an ente's callback URL receives when one of its messages changes status. */
import type { MessageStatus } from './statuses.ts';

export interface StatusChange {
  status: MessageStatus;
  reason: string | null;
  at: number;
  ioMessageId?: string | null;
}

export function callbackPayload(message: { id: string; reference: string | null }, serviceCode: string, change: StatusChange): string {
  return JSON.stringify({
    type: 'message.status_changed',
    message: {
      id: message.id,
      service: serviceCode,
      reference: message.reference,
      status: change.status,
      reason: change.reason,
      io_message_id: change.ioMessageId ?? null,
      at: new Date(change.at).toISOString(),
    },
  });
}
