/** A stored message as the API shows it: masked recipient, ISO times, no internal fields. */
import { maskFiscalCode } from '../../domain/fiscal-code.ts';
import type { Message } from '../../store/messages/accept.ts';
import type { MessageEvent } from '../../store/messages/read.ts';
import type { MessageView } from './schemas.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function presentMessage(m: Message, serviceCode: string, history?: MessageEvent[]): MessageView {
  return {
    id: m.id,
    service: serviceCode,
    status: m.status,
    fiscal_code_masked: maskFiscalCode(m.fiscal_code),
    subject: m.subject,
    due_date: iso(m.due_date),
    payment_data:
      m.amount !== null && m.notice_number !== null
        ? { amount: m.amount, notice_number: m.notice_number, invalid_after_due_date: m.invalid_after_due_date === 1, payee_fiscal_code: m.payee_fiscal_code }
        : null,
    reference: m.reference,
    scheduled_at: iso(m.scheduled_at),
    sandbox: m.sandbox === 1,
    io_message_id: m.io_message_id,
    template: m.template_id !== null && m.template_version !== null ? { id: m.template_id, version: m.template_version } : null,
    batch: m.batch_id !== null && m.batch_row !== null ? { id: m.batch_id, row: m.batch_row } : null,
    attempts: m.attempts,
    last_error: m.last_error,
    created_at: iso(m.created_at)!,
    updated_at: iso(m.updated_at)!,
    ...(history ? { history: history.map((e) => ({ status: e.status, at: iso(e.at)!, reason: e.reason })) } : {}),
  };
}
